"""A minimal "⋯" button per view: save its picture as PNG, copy its numbers as a table.

Private stand-in, with the signature of the shared `ui/widgets/export.py` being written on
main (`ExportButton(session, picture, numbers, name)`), until that one is merged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from digitlab.session import Session


def scene_picture(widget: QWidget) -> QImage:
    """A pyqtgraph widget's scene re-rendered by pyqtgraph's `ImageExporter`."""
    from pyqtgraph.exporters import ImageExporter

    image = ImageExporter(widget.scene()).export(toBytes=True)
    return image if isinstance(image, QImage) else widget.grab().toImage()


def table_text(header: list[str], rows: list[list[object]]) -> str:
    """Tab-separated lines under a header line: pastes into a spreadsheet as a table."""

    def cell(value: object) -> str:
        return f"{value:.6g}" if isinstance(value, float) else str(value)

    return "\n".join(["\t".join(header), *("\t".join(map(cell, r)) for r in rows)]) + "\n"


class ExportButton(QToolButton):
    """ "⋯" with "Save picture as PNG…" and "Copy numbers"."""

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
        self.setToolTip("Save the picture as PNG, or copy the numbers")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        menu.addAction("Save picture as PNG…", self.ask_and_save)
        menu.addAction("Copy numbers", self.copy_numbers)
        self.setMenu(menu)

    def ask_and_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save picture", str(Path.home() / f"{self._name}.png"), "PNG (*.png)"
        )
        if path:
            self.save(path)

    def save(self, path: str) -> bool:
        """Write the picture; the outcome goes to the status bar."""
        image = self._picture()
        if image.isNull() or not image.save(path, "PNG"):
            self._session.notices.error(f"Could not save the picture to {path}")
            return False
        self._session.notices.info(f"Saved the picture to {path}")
        return True

    def copy_numbers(self) -> str:
        text = self._numbers()
        QGuiApplication.clipboard().setText(text)
        self._session.notices.info("Copied the numbers (tab-separated) to the clipboard")
        return text
