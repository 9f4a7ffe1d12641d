"""Thousands of same-coloured dots in one `QPainter.drawPoints` call.

pyqtgraph's ScatterPlotItem keeps Python bookkeeping per point (≈ 5 ms per 1 000 points on
every `setData`), too slow for 10 000 test digits redrawn several times a second while a net
trains. Here the coordinates go straight into a QPolygonF (pyqtgraph's public helpers) and the
dots are a round cosmetic pen: a refresh costs well under a millisecond.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen


class PointCloud(pg.GraphicsObject):
    def __init__(self, colour: QColor, size: float = 4.0) -> None:
        super().__init__()
        self._pen = QPen(colour)
        self._pen.setWidthF(size)
        self._pen.setCosmetic(True)  # `size` screen pixels at any zoom
        self._pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self._x = self._y = np.empty(0, np.float64)
        self._polygon = fn.create_qpolygonf(0)
        self._bounds = QRectF()

    def setData(self, x: np.ndarray, y: np.ndarray) -> None:  # noqa: N802 - pyqtgraph's name
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        self.prepareGeometryChange()
        self._x, self._y = x, y
        self._polygon = fn.create_qpolygonf(len(x))
        coords = fn.ndarray_from_qpolygonf(self._polygon)
        coords[:, 0], coords[:, 1] = x, y
        finite = np.isfinite(x) & np.isfinite(y)
        if finite.any():
            left, right = x[finite].min(), x[finite].max()
            top, bottom = y[finite].min(), y[finite].max()
            self._bounds = QRectF(left, top, right - left, bottom - top)
        else:
            self._bounds = QRectF()
        self.informViewBoundsChanged()
        self.update()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 - pyqtgraph's name
        return self._x, self._y

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None):  # noqa: N802
        """For the view box's auto-range: the data's extent on one axis."""
        values = self._x if axis == 0 else self._y
        values = values[np.isfinite(values)]
        return (None, None) if values.size == 0 else (float(values.min()), float(values.max()))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds.adjusted(-1e-6, -1e-6, 1e-6, 1e-6)

    def paint(self, painter, *args) -> None:
        painter.setPen(self._pen)
        painter.drawPoints(self._polygon)
