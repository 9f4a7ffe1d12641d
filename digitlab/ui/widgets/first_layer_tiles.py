"""A net's first-layer weights as one mosaic of small images: what a second net looks at.

For a 1-layer net these are its class templates; for a deeper one, the hidden units its next
layer listens to most (at most `MOST` of them), so a 100-unit net fits a corner of a view. One
`ImageItem`, levels symmetric around zero in the weights' diverging colours, the same look as
the Weights view. Inputs that are not a square grey image (a colour dataset) get a line instead.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from digitlab.core.network import Network
from digitlab.ui.plots import mosaic, style
from digitlab.ui.plots.tile_choice import most_important

MOST = 32


def first_layer_images(network: Network, most: int = MOST) -> np.ndarray | None:
    """(n, side, side) first-layer weight images, the units that matter most first; None when
    the inputs are not a square grey image."""
    weights = network.weights[0]
    side = math.isqrt(weights.shape[1])
    if side * side != weights.shape[1]:
        return None
    if len(network.weights) == 1:
        shown = np.arange(len(weights))
    else:
        shown = most_important(network.weights[1], min(most, len(weights)))
    return weights[shown].reshape(-1, side, side)


class FirstLayerTiles(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        background, text, faint = style.colours(self)
        self.plot = pg.PlotWidget(background=background)
        item = self.plot.getPlotItem()
        style.quiet_plot(item)
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.invertY(True)
        item.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(style.diverging_colormap(style.is_dark(self)))
        item.addItem(self.image)
        self.plot.setMinimumHeight(60)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: palette(placeholder-text);")
        self._stack = QStackedWidget()
        self._stack.addWidget(self.plot)
        self._stack.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.shown = 0  # tiles drawn now

    def show_network(self, network: Network | None, empty: str) -> None:
        """Draw `network`'s first layer, or the line `empty` when there is none."""
        images = first_layer_images(network) if network is not None else None
        if images is None:
            reason = empty if network is None else "Its inputs are not a grey image"
            self.message.setText(reason)
            self._stack.setCurrentWidget(self.message)
            self.shown = 0
            return
        columns = max(1, math.ceil(math.sqrt(len(images) * 1.6)))
        array = mosaic.tile(images, columns)
        limit = style.symmetric_limit(images, style.ROBUST_PERCENTILE)
        self.image.setImage(array, levels=(-limit, limit), autoLevels=False)
        self.plot.getPlotItem().setRange(xRange=(0, array.shape[1]), yRange=(0, array.shape[0]),
                                         padding=0.01)  # fmt: skip
        self._stack.setCurrentWidget(self.plot)
        self.shown = len(images)
