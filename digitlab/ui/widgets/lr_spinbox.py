"""A learning rate: typed freely ('3e-4'), stepped along 1, 2, 5 × 10^k with the arrows."""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget


class LearningRateSpinBox(QDoubleSpinBox):
    """A learning rate: typed freely ('3e-4'), stepped along 1, 2, 5 × 10^k with the arrows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(8)
        self.setRange(1e-6, 1000.0)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            partial = stripped == "" or stripped[-1] in "eE.-+"
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            value = self._next(value, up=steps > 0)
        self.setValue(value)

    @staticmethod
    def _next(value: float, up: bool) -> float:
        exponent = math.floor(math.log10(value))
        ladder = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
        if up:
            return next(v for v in ladder if v > value * (1 + 1e-9))
        return next(v for v in reversed(ladder) if v < value * (1 - 1e-9))
