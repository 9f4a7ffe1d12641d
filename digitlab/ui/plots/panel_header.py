"""A panel's title line: a bold title and a muted note, painted, elided to the room it gets."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy

from digitlab.ui.plots import style


class PanelHeader(pg.GraphicsWidget):
    """A bold title and a muted note on one line, elided to the width the layout gives it.

    It asks for no width (a long title must not push the panels beside it out of the view) and
    exactly one line of height; the text is painted, so a new note costs no text layout.
    """

    def __init__(self, title: str, note: str, text: QColor, faint: QColor) -> None:
        super().__init__()
        self.title, self.note = title, note
        self._text, self._faint = text, faint
        self._bold, self._plain = small_font(9, bold=True), small_font(8.5)
        height = math.ceil(QFontMetricsF(self._bold).height()) + 4
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(0)
        self.setPreferredWidth(0)
        for setter in (self.setMinimumHeight, self.setPreferredHeight, self.setMaximumHeight):
            setter(height)

    def shown_text(self) -> str:
        """What fits: the title (elided if need be), then the note if there is room for it."""
        room = self.size().width() - 4
        bold, plain = QFontMetricsF(self._bold), QFontMetricsF(self._plain)
        note = f"  {self.note}" if self.note else ""
        if bold.horizontalAdvance(self.title) + plain.horizontalAdvance(note) <= room:
            return self.title + note
        return bold.elidedText(self.title, Qt.TextElideMode.ElideRight, max(room, 0.0))

    def paint(self, painter: QPainter, *args: object) -> None:
        shown = self.shown_text()
        title, note = shown[: len(self.title)], shown[len(self.title) :]
        rect = QRectF(2, 0, self.size().width() - 4, self.size().height())
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.setFont(self._bold)
        painter.setPen(self._text)
        painter.drawText(rect, align, title)
        if note and shown.startswith(self.title):
            painter.setFont(self._plain)
            painter.setPen(self._faint)
            rect.setLeft(rect.left() + QFontMetricsF(self._bold).horizontalAdvance(self.title))
            painter.drawText(rect, align, note)


def small_font(points: float = 8, bold: bool = False) -> QFont:
    """The plots' small type, at the window's zoom: one place to change it."""
    font = QFont()
    font.setPointSizeF(style.points(points))
    font.setBold(bold)
    return font
