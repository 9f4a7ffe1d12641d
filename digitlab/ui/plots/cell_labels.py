"""Many short labels at data positions, painted in one pass in screen pixels.

A pyqtgraph TextItem keeps its text upright and unscaled by re-placing itself whenever the view
changes, about a millisecond each: a 10×10 confusion matrix with its accuracy labels spent
0.14 s in that on every resize (a workspace switch resizes it several times). This item maps
each label's anchor point through the painter's transform and draws the text there, unscaled.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter


class CellLabels(pg.GraphicsObject):
    """Text at (x, y) data points, centred there (`align=0.5`) or starting there (0)."""

    def __init__(self, font: QFont, align: float = 0.5) -> None:
        super().__init__()
        self.font, self.align = font, align
        self.labels: list[tuple[float, float, str, QColor]] = []
        self._rect = QRectF()

    def set_labels(self, labels: Sequence[tuple[float, float, str, QColor]], rect: QRectF) -> None:
        """Show these labels, all within `rect` (data coordinates)."""
        self.prepareGeometryChange()
        self.labels = [label for label in labels if label[2]]
        self._rect = QRectF(rect)
        self.update()

    def texts(self) -> list[str]:
        return [text for _, _, text, _ in self.labels]

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect

    def paint(self, painter: QPainter, *args: object) -> None:
        transform = painter.transform()
        metrics = QFontMetricsF(self.font)
        lift = (metrics.ascent() - metrics.descent()) / 2
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font)
        for x, y, text, colour in self.labels:
            point = transform.map(QPointF(x, y))
            left = point.x() - self.align * metrics.horizontalAdvance(text)
            painter.setPen(colour)
            painter.drawText(QPointF(left, point.y() + lift), text)
        painter.restore()
