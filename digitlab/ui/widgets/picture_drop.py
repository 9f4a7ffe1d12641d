"""The pad's face for a colour-picture model (CIFAR-10): it says it reads no drawings, takes a
dropped picture file, and shows what the model makes of it, by class name.

The file is read in a background job (`core.picture.read_picture`: any size, squashed to 32×32
RGB), as every file the window opens is; only the tiny forward pass runs on the GUI thread. A file
that cannot be read is one notice, and the picture shown before stays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from digitlab.core.checkpoint import percent_text
from digitlab.ui.picture_models import class_names

MESSAGE = "This model reads 32×32 colour pictures, not drawings — drop a picture here"
SHOWN_ANSWERS = 3  # class names listed under the picture, most probable first


def picture_path(mime: QMimeData) -> str | None:
    """The first local file a drag carries, or None."""
    for url in mime.urls() if mime.hasUrls() else ():
        if url.isLocalFile():
            return url.toLocalFile()
    return None


def answer_text(probabilities: np.ndarray, names: tuple[str, ...]) -> str:
    """'<b>cat</b> 62 % · dog 21 % · frog 7 %': the most probable classes, by name."""
    order = np.argsort(-probabilities)[:SHOWN_ANSWERS]
    parts = [f"{names[i]} {percent_text(float(probabilities[i]))}" for i in order]
    return f"<b>{parts[0]}</b>" + "".join(f" · {part}" for part in parts[1:])


class PictureDrop(QWidget):
    """The message, the dropped picture (drawn large, pixels sharp) and the answer."""

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.picture: np.ndarray | None = None  # (32, 32, 3) uint8, the last picture read
        self.message = QLabel(MESSAGE)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view = QLabel()
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setMinimumSize(96, 96)
        self.view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.view.setStyleSheet("border: 2px dashed palette(mid);")
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.answer)
        self.setAcceptDrops(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if picture_path(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        path = picture_path(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.load(path)

    def load(self, path: str) -> None:
        """Read `path` in a background job; the answer follows when it is read."""
        from digitlab.core.picture import read_picture

        self.answer.setText(f"reading {Path(path).name}…")
        self.session.jobs.submit(
            lambda context: read_picture(path),
            key="pad-picture",
            on_done=self.show_picture,
            on_error=self._failed,
        )

    def _failed(self, message: str) -> None:
        self.answer.setText("")
        self.session.notices.error(message)
        self.refresh()

    def show_picture(self, picture: np.ndarray) -> None:
        self.picture = picture
        self.refresh()

    def refresh(self) -> None:
        """Draw the picture and the answering model's verdict on it (names, not numbers)."""
        entry = self.session.models.current
        if self.picture is None:
            self.view.clear()
            self.answer.setText("")
            return
        rgb = np.ascontiguousarray(self.picture)
        image = QImage(rgb.data, 32, 32, 96, QImage.Format.Format_RGB888).copy()
        side = max(32, min(self.view.width(), self.view.height()) - 8)
        self.view.setPixmap(QPixmap.fromImage(image).scaled(
            side, side, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation))  # fmt: skip
        if entry is None or entry.network.spec.input_size != rgb.size:
            self.answer.setText("")
            return
        probabilities = entry.network.probabilities(rgb[None])[0]
        self.answer.setText(answer_text(probabilities, class_names(entry)))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.picture is not None:
            self.refresh()
