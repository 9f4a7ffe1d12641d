"""The timeline's scrubber: a slider over a run's moments with its epochs and markers on it.

Above the groove, each class's digit where its test accuracy first passed the threshold ("when
was 7 learned?"); below it, a tick at each epoch's end. One position per moment: the history
keeps the start of a run dense, so the early, fast-changing part gets the most room.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget

MARK_ROOM = 11  # px above the groove for the digits, and below it for the epoch ticks


class TimelineSlider(QSlider):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setMinimum(0)
        self.setMaximum(0)
        self.setPageStep(10)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._learned: dict[int, int] = {}  # class → moment index
        self._epoch_ends: list[int] = []  # moment indices

    def set_marks(self, learned: dict[int, int], epoch_ends: list[int]) -> None:
        """The classes' first passing moments and the epochs' last moments (indices)."""
        if learned != self._learned or epoch_ends != self._epoch_ends:
            self._learned, self._epoch_ends = dict(learned), list(epoch_ends)
            self.update()

    def marks(self) -> tuple[dict[int, int], list[int]]:
        return dict(self._learned), list(self._epoch_ends)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), 200), hint.height() + 2 * MARK_ROOM)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), hint.height() + 2 * MARK_ROOM)

    def x_of(self, index: int) -> int:
        """The x (widget pixels) of the handle's centre at moment `index`."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                      QStyle.SubControl.SC_SliderGroove, self)  # fmt: skip
        handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                      QStyle.SubControl.SC_SliderHandle, self)  # fmt: skip
        span = max(groove.width() - handle.width(), 1)
        offset = QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), index, span)
        return groove.x() + offset + handle.width() // 2

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self.maximum() <= self.minimum():
            return
        painter = QPainter(self)
        colour = self.palette().color(QPalette.ColorRole.WindowText)
        faint = self.palette().color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(faint)
        middle, height = self.height() // 2, self.height()
        for index in self._epoch_ends:
            x = self.x_of(index)
            painter.drawLine(x, height - MARK_ROOM + 2, x, height - 3)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.8, 6.0))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(colour)
        width = painter.fontMetrics().horizontalAdvance("0") + 2
        top = max(middle - MARK_ROOM - 8, 0)
        free = -width  # digits close together go side by side, in the order they were learned
        for digit, index in sorted(self._learned.items(), key=lambda item: (item[1], item[0])):
            left = max(self.x_of(index) - width // 2, free)
            free = left + width
            painter.drawText(QRect(left, top, width, MARK_ROOM), Qt.AlignmentFlag.AlignCenter,
                             str(digit))  # fmt: skip
        painter.end()
