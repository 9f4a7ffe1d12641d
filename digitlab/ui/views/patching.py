"""Activation patching: keep a drawing as A, draw B, and run B with some of A's activations.

The core method of today's interpretability work, on a net you just drew on: copy one unit's
output (the unit selected in Hidden units, Activations or Weights) or a whole hidden layer's from
A's forward pass into B's, and see how far B's answer moves toward A's. A whole layer carries
everything the later layers see, so B then reads as A; a single unit shows how much of the
answer that unit alone carries (`core.interventions.patched_probabilities`).
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from digitlab.core.interventions import patched_probabilities
from digitlab.session import Answer, Session
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone

WHOLE_LAYER, SELECTED_UNIT = "layer", "unit"
HINT = ("Draw a digit and press <b>Keep as A</b>; then clear the pad and draw another, B. "
        "Copy a hidden layer (or the selected unit) from A into B's forward pass.")  # fmt: skip
SERIES = (("A", style.NEUTRAL), ("B", style.TRAIN_ACCURACY), ("B patched", style.ACCENT))


class PatchingView(View):
    view_id = "patching"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        background, self._text, self._faint = style.colours(self)
        self.keep_button = QPushButton("Keep as A")
        self.keep_button.setToolTip("Remember the drawing on the pad as A")
        self.keep_button.clicked.connect(self.keep)
        self.layer = QComboBox()
        self.what = QComboBox()
        self.what.addItem("the whole layer", WHOLE_LAYER)
        self.what.addItem("the selected unit", SELECTED_UNIT)
        for combo in (self.layer, self.what):
            combo.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self.summary = QLabel(HINT)
        self.summary.setWordWrap(True)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(background)
        self.thumbs = {}
        for name in ("A", "B"):
            plot = self.canvas.addPlot(title=name)
            plot.setTitle(name, color=self._text, size="9pt")
            style.quiet_plot(plot)
            for axis in ("left", "bottom"):
                plot.hideAxis(axis)
            plot.setAspectLocked(True)
            plot.invertY(True)
            plot.setMaximumWidth(110)
            self.thumbs[name] = pg.ImageItem(axisOrder="row-major")
            plot.addItem(self.thumbs[name])
        self.bars_plot = self.canvas.addPlot()
        style.quiet_plot(self.bars_plot)
        style.style_axes(self.bars_plot, self._text, self._faint)
        self.bars_plot.setYRange(0, 1, padding=0.02)
        self.bars_plot.addLegend(offset=(-4, 4), labelTextColor=self._text)
        self.bars = {}
        for offset, (name, colour) in zip((-0.27, 0.0, 0.27), SERIES):
            bars = pg.BarGraphItem(x=[], height=[], width=0.26, brush=colour, pen=None, name=name)
            bars.offset = offset
            self.bars_plot.addItem(bars)
            self.bars[name] = bars
        self._kept: np.ndarray | None = None
        top = QHBoxLayout()
        top.addWidget(self.keep_button)
        top.addSpacing(8)
        top.addWidget(QLabel("Copy from A"))
        top.addWidget(self.what)
        top.addWidget(QLabel("of"))
        top.addWidget(self.layer)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.canvas, 1)
        self.subscribe(session.prediction_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.selection.unit_changed, lambda _: self.schedule_refresh())
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(520, 320)

    @property
    def kept(self) -> np.ndarray | None:
        """A: the drawing kept (28×28 in 0..1), or None."""
        return self._kept

    def keep(self) -> None:
        net_input = self.session.drawing.input
        if net_input.empty:
            self.session.notices.info("Draw a digit first: it is kept as A")
            return
        self._kept = np.array(net_input.image, np.float32)
        self.schedule_refresh()

    def refresh(self) -> None:
        entry, prediction = self.session.models.current, self.session.prediction
        hidden = entry.network.spec.hidden if entry is not None else ()
        if self.layer.count() != len(hidden):
            self.layer.blockSignals(True)
            self.layer.clear()
            self.layer.addItems([f"layer {i + 1}" for i in range(len(hidden))])
            self.layer.setCurrentIndex(len(hidden) - 1)
            self.layer.blockSignals(False)
        a, ready = self._kept, prediction.state is Answer.READY
        self.thumbs["A"].setImage(a if a is not None else np.zeros((28, 28)), levels=(0, 1))
        b = np.asarray(self.session.drawing.input.image, np.float32)
        self.thumbs["B"].setImage(b, levels=(0, 1))
        if entry is None or a is None or not ready or not hidden:
            self.summary.setText(HINT if hidden or entry is None else
                                 "The net has no hidden layer to patch")  # fmt: skip
            for bars in self.bars.values():
                bars.setOpts(x=[], height=[])
            return
        layer, units = self.layer.currentIndex(), self._units()
        if units == []:
            self.summary.setText("Select a unit of this layer (click it in Hidden units, "
                                 "Activations or Weights), or copy the whole layer")  # fmt: skip
            return
        network, classes = entry.network, entry.classes
        answers = {"A": network.probabilities(a[None])[0],
                   "B": network.probabilities(b[None])[0],
                   "B patched": patched_probabilities(network, a, b, layer, units)}  # fmt: skip
        x = np.arange(len(classes), dtype=float)
        for name, bars in self.bars.items():
            bars.setOpts(x=x + bars.offset, height=answers[name])
        self.bars_plot.getAxis("bottom").setTicks([[(i, str(c)) for i, c in enumerate(classes)]])
        self.bars_plot.setXRange(-0.6, len(classes) - 0.4, padding=0)
        what = (f"hidden layer {layer + 1}" if units is None else
                f"unit {units[0]} of hidden layer {layer + 1}")  # fmt: skip
        self.summary.setText(
            f"A reads {_read(answers['A'], classes)}, B reads {_read(answers['B'], classes)}; "
            f"B with {what} from A reads <b>{_read(answers['B patched'], classes)}</b>"
        )

    def _units(self) -> list[int] | None:
        """None: the whole layer; else the selected unit if it is in this layer ([] if not)."""
        if self.what.currentData() == WHOLE_LAYER:
            return None
        unit = self.session.selection.unit
        return [unit.index] if unit is not None and unit.layer == self.layer.currentIndex() else []


def _read(probabilities: np.ndarray, classes: tuple[int, ...]) -> str:
    top = int(np.argmax(probabilities))
    return f"{classes[top]} ({probabilities[top]:.0%})"


if __name__ == "__main__":
    sys.exit(run_alone(PatchingView, size=(560, 340)))
