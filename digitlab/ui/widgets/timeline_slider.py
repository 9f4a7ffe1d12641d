"""The timeline's scrubber: a slider over a run's moments with its epochs and markers on it.

Above the groove, each class's digit where its test accuracy first passed the threshold ("when
was 7 learned?"); under it, a short tick at each epoch's end. One position per moment: the history
keeps the start of a run dense, so the early, fast-changing part gets the most room.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget


class TimelineSlider(QSlider):
    marks_changed = Signal()

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
            self.marks_changed.emit()

    def marks(self) -> tuple[dict[int, int], list[int]]:
        return dict(self._learned), list(self._epoch_ends)

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
        if self.maximum() <= self.minimum() or not self._epoch_ends:
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        middle = self.height() // 2
        for index in self._epoch_ends:
            x = self.x_of(index)
            painter.drawLine(x, middle + 3, x, min(middle + 7, self.height() - 1))
        painter.end()


class LearnedStrip(QWidget):
    """The digits above the slider, each over the moment its class was learned."""

    def __init__(self, slider: TimelineSlider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = slider
        slider.marks_changed.connect(self.update)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.8, 6.0))
        font.setBold(True)
        self.setFont(font)
        self.setFixedHeight(self.fontMetrics().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        learned, _ = self.slider.marks()
        if not learned or self.slider.maximum() <= self.slider.minimum():
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        width = self.fontMetrics().horizontalAdvance("0") + 2
        offset = self.slider.mapTo(self.parentWidget(), self.slider.rect().topLeft()).x() - (
            self.mapTo(self.parentWidget(), self.rect().topLeft()).x()
        )
        free = -width  # digits close together go side by side, in the order they were learned
        for digit, index in sorted(learned.items(), key=lambda item: (item[1], item[0])):
            left = max(offset + self.slider.x_of(index) - width // 2, free)
            free = left + width
            painter.drawText(QRect(left, 0, width, self.height()), Qt.AlignmentFlag.AlignCenter,
                             str(digit))  # fmt: skip
        painter.end()
