"""An experiment's figure: its panels side by side, one colour per line, data as points.

`digitlab experiment run --out DIR` renders it offscreen and saves it with pyqtgraph's exporter;
the window's experiments view will show the same widget.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from digitlab.core.experiments import ExperimentResult
from digitlab.ui.plots import style

COLOURS = ("#2f81f7", "#d29922", "#3fb950", "#d1242f", "#a371f7", "#db61a2", "#8b949e")


class ExperimentFigure(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        background, self._text, self._faint = style.colours(self)
        self.setBackground(background)

    def show_result(self, result: ExperimentResult) -> None:
        self.clear()
        for column, panel in enumerate(result.panels):
            plot = self.addPlot(row=0, col=column, title=panel.title)
            style.style_axes(plot, self._text, self._faint)
            style.quiet_plot(plot)
            plot.setLabel("bottom", panel.x_label)
            plot.setLabel("left", panel.y_label)
            plot.setLogMode(y=panel.log_y)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.addLegend(offset=(4, 4), labelTextSize="8pt")
            curves = [line for line in panel.lines if not line.points]
            for line in panel.lines:
                if line.points:
                    plot.plot(np.asarray(line.x), np.asarray(line.y), pen=None, symbol="o",
                              symbolSize=4, symbolBrush=self._text, symbolPen=None,
                              name=line.name)  # fmt: skip
                    continue
                colour = QColor(COLOURS[curves.index(line) % len(COLOURS)])
                pen = QPen(colour, 2)
                pen.setCosmetic(True)
                if line.dashed:
                    pen.setStyle(Qt.PenStyle.DashLine)
                plot.plot(np.asarray(line.x), np.asarray(line.y), pen=pen, name=line.name)
