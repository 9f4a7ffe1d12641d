"""`digitlab evaluate --png`: the confusion matrix with each cell's top image, as PNG bytes.

The same plot as the confusion view ("top image per cell" mode), laid out in an invisible
widget (offscreen unless a Qt platform is chosen) and rendered by pyqtgraph's exporter.
"""

from __future__ import annotations

import os

import numpy as np


def confusion_png(
    confusion: np.ndarray,
    accuracy: np.ndarray,
    classes: tuple[int, ...],
    images: np.ndarray,
    top: np.ndarray,
    title: str = "",
    size: tuple[int, int] = (860, 660),
) -> bytes:
    """The picture as PNG bytes: `top[i, j]` indexes `images` (-1 for an empty cell)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt

    from digitlab.ui.app import _application
    from digitlab.ui.plots.confusion_plot import ConfusionPlot
    from digitlab.ui.widgets.export import scene_picture

    app = _application()
    plot = ConfusionPlot()
    plot.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    plot.resize(*size)
    if title:
        plot.heat.setTitle(title, color=plot.palette().text().color(), size="10pt")
    plot.show_matrix(confusion, accuracy, classes, "top", images, top)
    plot.show()
    app.processEvents()
    image = scene_picture(plot)
    plot.close()
    plot.deleteLater()
    app.processEvents()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())
