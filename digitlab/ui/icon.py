"""The app icon, painted at start-up: a white 7 on a blue tile (no image file to ship)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 64, 128, 256):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#2f6fdb"))
        painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.2, size * 0.2)
        pen = QPen(QColor("white"), size * 0.12)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        seven = QPainterPath(QPointF(size * 0.28, size * 0.27))
        seven.lineTo(QPointF(size * 0.72, size * 0.27))
        seven.lineTo(QPointF(size * 0.42, size * 0.76))
        painter.drawPath(seven)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
