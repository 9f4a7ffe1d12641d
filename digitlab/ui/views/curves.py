"""Loss and accuracy against epochs: training as lines, test accuracy as a marker per epoch.

The curves live in the session (`run.curves`), whole; this view redraws them in place with
`setData`, so a view shown late, or reopened, draws the full story. While a run goes it redraws
at most 4 times a second, and the epoch axis spans the whole run from its start, so the axis
ticks are not regenerated on every snapshot (that, and grid lines, cost more than the curves).
"""

from __future__ import annotations

import math
import sys

import pyqtgraph as pg
from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout

from digitlab.session import Session
from digitlab.session.run import RunUpdate
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone

REDRAW_MS = 250  # curves need no more than 4 frames a second


class CurvesView(View):
    view_id = "curves"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        background, self._text, self._faint = style.colours(self)
        self.loss_plot = self._plot("Training loss", "cross-entropy", background)
        self.accuracy_plot = self._plot("Accuracy", "%", background)
        self.accuracy_plot.getPlotItem().setLimits(yMin=0, yMax=100.5)
        legend = self.accuracy_plot.getPlotItem().addLegend(offset=(-8, -8), labelTextSize="8pt")
        legend.setLabelTextColor(self._text)
        legend.setBrush(pg.mkBrush(background))
        self.loss = self.loss_plot.plot(pen=pg.mkPen(style.TRAIN, width=1.5))
        self.accuracy = self.accuracy_plot.plot(
            pen=pg.mkPen(style.TRAIN_ACCURACY, width=1.5), name="train"
        )
        self.test_accuracy = self.accuracy_plot.plot(
            pen=None, symbol="o", symbolSize=7, symbolBrush=pg.mkBrush(style.TEST),
            symbolPen=pg.mkPen(background, width=1.5), name="test (epoch end)",
        )  # fmt: skip
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)
        self._throttle = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._throttle.timeout.connect(self.schedule_refresh)
        run = session.run
        self.subscribe(run.updated, self._on_update)
        self.subscribe(run.cleared, self.schedule_refresh)
        self.refresh()

    def _on_update(self, update: RunUpdate) -> None:
        if update.snapshot.finished:
            self.schedule_refresh()  # the end of a run: draw it at once
        elif not self._throttle.isActive():
            self._throttle.start()

    def _plot(self, title: str, unit: str, background: QColor) -> pg.PlotWidget:
        widget = pg.PlotWidget(background=background)
        plot = widget.getPlotItem()
        plot.setTitle(title, color=self._text.name(), size="9pt", bold=True)
        style.quiet_plot(plot)
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        style.style_axes(plot, self._text, self._faint)
        plot.setLabel("bottom", "epoch", color=self._text.name())
        plot.setLabel("left", unit, color=self._text.name())
        widget.setMinimumSize(110, 100)
        return widget

    def sizeHint(self) -> QSize:
        return QSize(480, 190)

    def refresh(self) -> None:
        run = self.session.run
        curves = run.curves
        self.loss.setData(*curves.loss())
        x, accuracy = curves.accuracy()
        self.accuracy.setData(x, 100.0 * accuracy)
        tx, test = curves.test_accuracy()
        self.test_accuracy.setData(tx, 100.0 * test)
        latest = run.latest
        if latest is not None:  # the epoch axis spans the whole run, so its ticks stay put
            snap = latest.snapshot
            end = latest.epoch + (snap.total_samples - snap.samples_seen) / max(snap.train_size, 1)
            for widget in (self.loss_plot, self.accuracy_plot):
                widget.getPlotItem().setXRange(0, max(end, 1e-3), padding=0.02)
        if len(curves) == 0:  # sensible axes before the first point
            for widget, top in ((self.loss_plot, math.log(10)), (self.accuracy_plot, 100.0)):
                plot = widget.getPlotItem()
                plot.setRange(xRange=(0, 1), yRange=(0, top), padding=0.02)
                plot.enableAutoRange()


if __name__ == "__main__":

    def start_training(session: Session) -> None:
        from digitlab.session.run_settings import RunSettings

        session.run.set_settings(RunSettings(hidden=(32,), epochs=2))
        session.run.start()

    sys.exit(run_alone(CurvesView, start_training, size=(640, 240)))
