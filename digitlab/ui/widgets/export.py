"""Save a view's picture as PNG and copy its numbers: one small "⋯" button per view.

The picture is made on the GUI thread (painting must be), from pyqtgraph's `ImageExporter` for a
plot's scene or a widget grab, and written to disk in a background job (file I/O never blocks
the window). The numbers go to the clipboard as tab-separated text, which pastes into a
spreadsheet as a table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from digitlab.core.errors import DigitlabError
from digitlab.core.files import write_atomically
from digitlab.session.jobs import JobContext
from digitlab.session.state import Session

PNG_FILTER = "PNG pictures (*.png)"
_last_folder = {"value": ""}


def scene_picture(widget: QWidget, width: int = 0) -> QImage:
    """A pyqtgraph widget's whole scene as an image, through pyqtgraph's exporter (crisper
    than a grab: it re-renders the scene at `width` px, the widget's own size by default)."""
    from pyqtgraph.exporters import ImageExporter

    exporter = ImageExporter(widget.scene())
    if width:
        exporter.parameters()["width"] = width
    image = exporter.export(toBytes=True)
    return image if isinstance(image, QImage) else widget.grab().toImage()


def png_bytes(image: QImage) -> bytes:
    """An image encoded as PNG (to be written atomically by `core.files.write_atomically`)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def widget_picture(widget: QWidget) -> QImage:
    """Any widget as it looks on screen."""
    return widget.grab().toImage()


def table_text(header: list[str], rows: list[list[object]]) -> str:
    """Tab-separated lines with a header line: what a spreadsheet pastes as a table."""

    def cell(value: object) -> str:
        return f"{value:.6g}" if isinstance(value, float) else str(value)

    lines = ["\t".join(header), *("\t".join(cell(v) for v in row) for row in rows)]
    return "\n".join(lines) + "\n"


def save_picture(session: Session, image: QImage, path: str) -> None:
    """Write `image` to `path` in the background; the outcome reaches the status bar."""
    if image.isNull():
        session.notices.warning("Nothing to save: the view shows no picture yet")
        return

    def write(context: JobContext) -> str:
        data = png_bytes(image)
        if not data:
            raise DigitlabError(f"Cannot encode the picture for {path}")
        # In one rename: an old picture stays whole if the save fails, and a reader never sees
        # half a file.
        return str(write_atomically(path, data))

    session.jobs.submit(
        write,
        on_done=lambda saved: session.notices.info(f"Saved the picture to {saved}"),
        on_error=session.notices.error,
        name="digitlab-save-png",
    )


class ExportButton(QToolButton):
    """ "⋯" with "Save picture as PNG…" and "Copy numbers" for the view it sits in."""

    def __init__(
        self,
        session: Session,
        picture: Callable[[], QImage],
        numbers: Callable[[], str],
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session, self._picture, self._numbers, self._name = session, picture, numbers, name
        self.setText("⋯")
        self.setToolTip("Save this picture as PNG, or copy its numbers")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setAutoRaise(True)
        menu = QMenu(self)
        self.save_action = menu.addAction("Save picture as PNG…", self.ask_and_save)
        self.copy_action = menu.addAction("Copy numbers", self.copy_numbers)
        self.setMenu(menu)

    def ask_and_save(self) -> None:
        start = Path(_last_folder["value"] or Path.home()) / f"{self._name}.png"
        path, _ = QFileDialog.getSaveFileName(self, "Save picture", str(start), PNG_FILTER)
        if path:
            _last_folder["value"] = str(Path(path).parent)
            self.save_to(path if Path(path).suffix else f"{path}.png")

    def save_to(self, path: str) -> None:
        save_picture(self._session, self._picture(), path)

    def copy_numbers(self) -> None:
        text = self._numbers()
        if not text:
            self._session.notices.warning("No numbers to copy yet")
            return
        QGuiApplication.clipboard().setText(text)
        lines = text.count("\n")
        self._session.notices.info(f"Copied {lines} lines of numbers (tab-separated)")
