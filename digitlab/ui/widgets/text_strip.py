"""A few lines of text that change on every stroke without re-laying the window out.

A QLabel asks its layout for a new geometry whenever its text changes (`updateGeometry`), and so
does a pyqtgraph title; the layout then re-measures everything around it: ≈ 2–5 ms a stroke for
the evidence totals, the units-on count and the answer's headline, more than the numbers cost
to compute. This strip has a fixed height of `lines` lines and only repaints its text (rich
text, e.g. "<b>7</b> · 99.1 %", laid out once per change by QStaticText, wrapped at word
boundaries when there is more than one line). Where a narrow dock wraps the text to more lines
than that, the strip grows to hold them, once (the next strokes' texts wrap alike), and goes back
when it is widened: a lesson at 1024×640 showed the evidence totals' third line cut in half.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QStaticText,
    QTextOption,
)
from PySide6.QtWidgets import QSizePolicy, QWidget


class TextStrip(QWidget):
    def __init__(
        self,
        lines: int = 2,
        *,
        centred: bool = False,
        point_size: float | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._text, self._lines, self._centred = "", lines, centred
        self._colour: QColor | None = None
        self._static = QStaticText()
        self._static.setTextFormat(Qt.TextFormat.RichText)
        if lines == 1:  # else QStaticText wraps rich text at ≈ 100 px, even with no text width
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.NoWrap)
            self._static.setTextOption(option)
        if point_size is not None:
            font = QFont(self.font())
            font.setPointSizeF(point_size)
            self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fit_height()

    def _needed_height(self) -> int:
        """`lines` lines, or as many as the text wraps to at this width."""
        lines = self._lines * self.fontMetrics().lineSpacing() + 4
        if self._lines == 1 or not self._text or self.width() <= 4:
            return lines
        self._static.setTextWidth(self.width() - 4)  # as paintEvent lays it out
        return max(lines, math.ceil(self._static.size().height()) + 4)

    def _fit_height(self) -> None:
        self.setFixedHeight(self._needed_height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_height()  # wider: fewer lines, maybe back to `lines`

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """A new font (View → Zoom) needs new room for the lines and a new text layout."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_height()
            self._static.setText(self._text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str, colour: QColor | str | None = None) -> None:  # noqa: N802
        """Show `text` (in `colour`, default the palette's text colour)."""
        colour = QColor(colour) if colour is not None else None
        if text == self._text and colour == self._colour:
            return
        self._text, self._colour = text, colour
        self._static.setText(text)
        if self._lines > 1:
            self.setToolTip(text)  # the whole text, where the lines cannot hold it
            needed = self._needed_height()
            if needed > self.height():
                self.setFixedHeight(needed)  # wrapped to more lines here: grow, once
        self.update()

    def clear(self) -> None:
        self.setText("")

    def sizeHint(self) -> QSize:
        return QSize(200, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self._colour or self.palette().windowText().color())
        area = self.rect().adjusted(2, 2, -2, -2)
        if self._lines > 1 and self._static.textWidth() != area.width():
            self._static.setTextWidth(area.width())  # wrap within the strip
        size = self._static.size()
        x = area.left() + (area.width() - size.width()) / 2 if self._centred else area.left()
        y = area.top() + (area.height() - size.height()) / 2
        painter.drawStaticText(QPointF(x, y), self._static)
        painter.end()
