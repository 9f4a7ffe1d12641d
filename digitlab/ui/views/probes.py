"""Layer probes and PCA: is the digit easier to read in deeper layers?

"Run probes" fits a linear read-out on each layer's activations (the pixels, each hidden layer,
the output) and shows its test accuracy as a bar with the number; beside it, the test digits
on two of the first three principal components of a chosen layer, coloured by class. The work
runs in the background with progress, and Cancel stops it.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.jobs import Progress
from digitlab.session.probes import TRAIN_IMAGES, ProbeReport, ProbeRequest
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone

PAIRS = {"1–2": (0, 1), "1–3": (0, 2), "2–3": (1, 2)}
HINT = f"Run probes: a linear read-out per layer, fitted on {TRAIN_IMAGES:,} training images."


class ProbesView(View):
    view_id = "probes"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.run_button = QPushButton("Run probes")
        self.run_button.clicked.connect(self.run_probes)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel(HINT)
        self.status.setWordWrap(True)
        self.layer_combo, self.pair_combo = QComboBox(), QComboBox()
        for label in PAIRS:
            self.pair_combo.addItem(f"components {label}", label)
        for combo in (self.layer_combo, self.pair_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _: self._draw_projection())
        self.canvas = pg.GraphicsLayoutWidget()
        background, self._text, self._faint = style.colours(self)
        self.canvas.setBackground(background)
        self.bars_plot = self.canvas.addPlot(row=0, col=0)
        self.scatter_plot = self.canvas.addPlot(row=0, col=1)
        self._stacked, self._names = False, []
        for plot in (self.bars_plot, self.scatter_plot):
            style.quiet_plot(plot)
            style.style_axes(plot, self._text, self._faint)
        self.bars_plot.setTitle("test accuracy of a linear probe", color=self._text, size="9pt")
        self.bars_plot.setYRange(0, 1.12, padding=0)  # room for the label above a 100 % bar
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=style.ACCENT, pen=None)
        self.bars_plot.addItem(self.bars)
        self._labels: list[pg.TextItem] = []
        # Two rows across the top: a column of ten covered the points and was cut off.
        self.scatter_plot.addLegend(offset=(4, 2), labelTextColor=self._text, colCount=5)
        self._scatters: list[pg.ScatterPlotItem] = []
        for digit in range(10):
            colour = QColor(style.CLASS_COLOURS[digit])
            colour.setAlpha(120)
            scatter = pg.ScatterPlotItem(size=4, pen=None, brush=colour, name=str(digit))
            self.scatter_plot.addItem(scatter)
            self._scatters.append(scatter)
        self.progress.setMinimumWidth(60)
        controls, choices = QHBoxLayout(), QHBoxLayout()
        for widget in (self.run_button, self.cancel_button):
            controls.addWidget(widget)
        controls.addWidget(self.progress, 1)
        choices.addWidget(QLabel("PCA of"))
        choices.addWidget(self.layer_combo)
        choices.addWidget(self.pair_combo)
        choices.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addLayout(choices)
        layout.addWidget(self.status)
        layout.addWidget(self.canvas, 1)
        self.subscribe(session.probes.progress, self._on_progress)
        self.subscribe(session.probes.finished, lambda _: self.schedule_refresh())
        self.subscribe(session.probes.failed, lambda _: self.schedule_refresh())
        self.subscribe(session.models.current_changed, lambda _: self.schedule_refresh())
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Side by side when wide, the plane under the bars when narrow (a 400 px dock cut the
        plane off and ran the layer names together)."""
        super().resizeEvent(event)
        stacked = self.canvas.width() < 1.2 * self.canvas.height()
        if stacked != self._stacked:
            self._stacked = stacked
            self.canvas.ci.removeItem(self.scatter_plot)
            self.canvas.ci.addItem(self.scatter_plot, *((1, 0) if stacked else (0, 1)))
        self._label_bars()

    def _label_bars(self) -> None:
        """The layers' names under their bars, shortened ("h1") where full names would touch."""
        names = self._names
        room = self.bars_plot.getViewBox().width() / max(len(names), 1)
        widest = max((self.fontMetrics().horizontalAdvance(n) for n in names), default=0)
        if widest + 6 > room:
            names = [n.replace("hidden ", "h").replace("pixels", "px").replace("output", "out")
                     for n in names]  # fmt: skip
        self.bars_plot.getAxis("bottom").setTicks([list(enumerate(names))])

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def run_probes(self) -> None:
        entry = self.session.models.current
        if entry is None:
            return
        dataset = entry.meta.get("dataset", "mnist") if entry.meta else "mnist"
        self.session.probes.run(ProbeRequest(entry, dataset))
        self.progress.setValue(0)
        self.status.setText("probing…")
        self._update_buttons()

    def _cancel(self) -> None:
        self.session.probes.cancel()
        self.status.setText("Cancelled. " + HINT)
        self._update_buttons()

    def _on_progress(self, progress: Progress) -> None:
        self.progress.setValue(int(1000 * progress.fraction))
        self.status.setText(progress.text or "probing…")

    def _update_buttons(self) -> None:
        running = self.session.probes.running
        self.run_button.setEnabled(not running and self.session.models.current is not None)
        self.cancel_button.setEnabled(running)

    def _report(self) -> ProbeReport | AnalysisFailed | None:
        """The last outcome, if it is for the model version that answers now."""
        outcome, entry = self.session.probes.outcome, self.session.models.current
        if outcome is None or entry is None or outcome.ref != entry.ref:
            return None
        return outcome

    def refresh(self) -> None:
        self._update_buttons()
        report = self._report()
        for label in self._labels:
            self.bars_plot.removeItem(label)
        self._labels = []
        if not isinstance(report, ProbeReport):
            if report is not None:
                self.status.setText(f"Could not probe: {report.message}")
            elif not self.session.probes.running:
                self.status.setText(HINT)
            self.bars.setOpts(x=[], height=[])
            for scatter in self._scatters:
                scatter.setData(x=[], y=[])
            return
        accuracies = [r.test_accuracy for r in report.results]
        self.bars.setOpts(x=np.arange(len(accuracies)), height=accuracies)
        names = [r.layer for r in report.results]
        self._names = names
        self._label_bars()
        for index, value in enumerate(accuracies):
            label = pg.TextItem(f"{value:.1%}", color=self._text, anchor=(0.5, 1.0))
            label.setPos(index, value)
            self.bars_plot.addItem(label)
            self._labels.append(label)
        self.status.setText(
            "Test accuracy of a softmax read-out of each layer: "
            + ", ".join(f"{r.layer} {r.test_accuracy:.1%}" for r in report.results)
        )
        current = self.layer_combo.currentText()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItems(names)
        self.layer_combo.setCurrentIndex(max(names.index(current) if current in names else 1, 0))
        self.layer_combo.blockSignals(False)
        self._draw_projection()

    def _draw_projection(self) -> None:
        report = self._report()
        if not isinstance(report, ProbeReport):
            return
        coords = report.projections.get(self.layer_combo.currentText())
        if coords is None:
            return
        first, second = PAIRS[self.pair_combo.currentData()]
        for digit, scatter in enumerate(self._scatters):
            chosen = coords[report.labels == digit]
            scatter.setData(x=chosen[:, first], y=chosen[:, second])
        self.scatter_plot.setTitle(
            f"{self.layer_combo.currentText()}: PCA, test digits", color=self._text, size="9pt"
        )

    def accuracies_shown(self) -> list[float]:
        """The bar heights on show (for tests)."""
        return [float(h) for h in self.bars.opts["height"]]


if __name__ == "__main__":
    sys.exit(run_alone(ProbesView, size=(720, 400)))
