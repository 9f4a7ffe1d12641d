"""One unit large: its incoming weights, its numbers, and where its output goes.

A unit fed by the 784 pixels shows its filter as a 28×28 image with its own colour bar (scaled to
that unit alone, so a weak unit is still readable); a unit of a later layer shows its incoming
weights as bars. A hidden unit also shows its outgoing weights (to each class, or to each unit of
the next layer) as bars, red positive and blue negative, as in the weight images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from digitlab.core.network import Network
from digitlab.session.selection import UnitRef
from digitlab.ui.plots import style
from digitlab.ui.plots.weight_panels import (
    IMAGE_SIDE,
    PIXELS,
    PanelHeader,
    fit_bar_label,
    unit_ticks,
    weight_bar,
)


@dataclass(frozen=True, eq=False)
class UnitInfo:
    """What the detail shows for one unit, taken from a network."""

    ref: UnitRef
    title: str
    bias: float
    incoming: np.ndarray  # (in,)
    incoming_from: str  # 'pixel' or 'unit'
    outgoing: np.ndarray | None  # (next layer's units,) or None for an output unit
    outgoing_labels: tuple[str, ...]  # class digits, or unit indices
    outgoing_to: str = "class"  # 'class' or 'next-layer unit'

    @property
    def as_image(self) -> bool:
        return self.incoming.size == PIXELS and self.incoming_from == "pixel"

    @property
    def max_abs(self) -> float:
        return float(np.abs(self.incoming).max()) if self.incoming.size else 0.0

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.incoming))

    def stats_text(self) -> str:
        parts = (f"bias {self.bias:+.3f}", f"max |w| {self.max_abs:.3f}",
                 f"L2 norm {self.norm:.3f}", f"{self.incoming.size} inputs")  # fmt: skip
        return "\u00a0· ".join(p.replace(" ", "\u00a0") for p in parts)  # wrap between, not in


def unit_info(network: Network, classes: tuple[int, ...], ref: UnitRef) -> UnitInfo | None:
    """The detail of unit `ref` of a network, or None when the network has no such unit."""
    weights = network.weights
    if not (0 <= ref.layer < len(weights) and 0 <= ref.index < weights[ref.layer].shape[0]):
        return None
    last = len(weights) - 1
    digits = tuple(str(c) for c in classes) if len(classes) == weights[-1].shape[0] else ()
    if ref.layer == last:
        name = digits[ref.index] if digits else str(ref.index)
        title = f"Class {name} template" if last == 0 else f"Class {name} (output unit)"
    else:
        title = f"Hidden unit {ref.index}" + (f" of layer {ref.layer + 1}" if ref.layer else "")
    outgoing, labels, to_classes = None, (), ref.layer + 1 == last
    if ref.layer < last:
        outgoing = weights[ref.layer + 1][:, ref.index]
        labels = digits if to_classes and digits else tuple(map(str, range(outgoing.size)))
    return UnitInfo(
        ref,
        title,
        float(network.biases[ref.layer][ref.index]),
        weights[ref.layer][ref.index],
        "pixel" if ref.layer == 0 and weights[0].shape[1] == PIXELS else "unit",
        outgoing,
        labels,
        "class" if to_classes else "next-layer unit",
    )


class UnitDetail(QWidget):
    """The selected unit, large. `closed` fires when the user closes it."""

    closed = Signal()

    def __init__(self, colormap: pg.ColorMap, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        background, self._text, self._faint = style.colours(self)
        self._positive, self._negative = colormap.map(0.85, "qcolor"), colormap.map(0.15, "qcolor")
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Close (clears the selection)")
        close.clicked.connect(self.closed.emit)
        self.close_button = close
        self.stats = QLabel()
        self.stats.setWordWrap(True)
        self.stats.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.stats.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(background)
        self.canvas.ci.setSpacing(2)
        self.canvas.ci.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.stats)
        layout.addWidget(self.canvas, 1)

        self.filter_plot = pg.PlotItem()
        style.quiet_plot(self.filter_plot)
        self.filter_plot.hideAxis("left")
        self.filter_plot.hideAxis("bottom")
        self.filter_plot.invertY(True)
        self.filter_plot.setAspectLocked(True)
        self.filter_image = pg.ImageItem(axisOrder="row-major")
        self.filter_image.setColorMap(colormap)
        self.filter_plot.addItem(self.filter_image)
        self.filter_plot.setRange(xRange=(0, IMAGE_SIDE), yRange=(0, IMAGE_SIDE), padding=0.02)
        self.filter_bar = weight_bar(colormap, self._text, self._faint)
        self.filter_bar.getViewBox().sigResized.connect(self._fit_bar_label)
        self._limit, self._label, self._shown_label = 1.0, "", None
        self.incoming_plot, self.incoming_bars = self._bar_plot()
        self.outgoing_plot, self.outgoing_bars = self._bar_plot()
        # Headers elide (plot titles would set a minimum width and overflow a small dock).
        self.incoming_header = PanelHeader("Incoming weights", "", self._text, self._faint)
        self.outgoing_header = PanelHeader("Outgoing weights", "", self._text, self._faint)
        self.info: UnitInfo | None = None
        self._arrangement: tuple = ()
        self.horizontal = False
        self.setMinimumSize(150, 120)

    def _bar_plot(self) -> tuple[pg.PlotItem, pg.BarGraphItem]:
        plot = pg.PlotItem()
        style.quiet_plot(plot)
        style.style_axes(plot, self._text, self._faint)
        for name in ("left", "bottom"):
            plot.getAxis(name).setStyle(tickFont=_small_font(), tickLength=-3)
        plot.getAxis("left").setWidth(34)
        plot.addLine(y=0, pen=pg.mkPen(self._faint))
        bars = pg.BarGraphItem(x=[0], height=[0], width=0.8, pen=None)
        plot.addItem(bars)
        return plot, bars

    def sizeHint(self) -> QSize:
        return QSize(230, 300)

    def set_horizontal(self, horizontal: bool) -> None:
        """Filter beside the bars (a wide, short detail area) or above them (a tall one)."""
        if horizontal != self.horizontal:
            self.horizontal = horizontal
            if self.info is not None:
                self._arrange(self.info)

    def show_unit(self, info: UnitInfo, robust: bool = True, note: str = "") -> None:
        """Show a unit's numbers; cheap when only the weights changed (a live run). `robust`
        scales the filter to the 99th percentile of its |w|, as the panels do, else its max;
        `note` is a line the caller knows more about (how often the unit fires)."""
        self.info = info
        self.title.setText(info.title)
        self.title.setToolTip(info.title)
        self.stats.setText(info.stats_text() + (f"\n{note}" if note else ""))
        self._arrange(info)
        if info.as_image:
            raw = style.symmetric_limit(info.incoming, style.ROBUST_PERCENTILE if robust else None)
            what = "99th percentile of |w|" if robust else "max |w|"
            same = self._label.endswith(what) and getattr(self, "_unit", None) == info.title
            limit = style.steady_limit(self._limit if same else None, raw)
            self._unit = info.title
            image = info.incoming.reshape(IMAGE_SIDE, IMAGE_SIDE)
            self.filter_image.setImage(image, levels=(-limit, limit), autoLevels=False)
            self._limit, self._label = limit, f"±{limit:.2g} · {what}"
            self._fit_bar_label()
        else:
            self._set_bars(self.incoming_plot, self.incoming_bars, info.incoming, ())
        if info.outgoing is not None:
            self._set_bars(self.outgoing_plot, self.outgoing_bars, info.outgoing,
                           info.outgoing_labels)  # fmt: skip

    def _fit_bar_label(self, *_: object) -> None:
        self._shown_label = fit_bar_label(self.filter_bar, self._limit, self._label,
                                          self._shown_label)  # fmt: skip

    def outgoing(self) -> np.ndarray | None:
        """The outgoing weights as drawn (bar heights), or None: for tests."""
        if self.info is None or self.info.outgoing is None:
            return None
        return np.asarray(self.outgoing_bars.opts["height"])

    def _arrange(self, info: UnitInfo) -> None:
        """Put the headers and plots this unit needs into the layout (when that set changes):
        incoming weights, then outgoing ones beside them (horizontal) or below them."""
        first = (self.filter_plot, self.filter_bar) if info.as_image else (self.incoming_plot,)
        blocks = [(self.incoming_header, first)]
        if info.outgoing is not None:
            blocks.append((self.outgoing_header, (self.outgoing_plot,)))
        n_in, n_out = info.incoming.size, 0 if info.outgoing is None else info.outgoing.size
        self.incoming_header.note = "28 × 28 pixels" if info.as_image else f"from {n_in} units"
        what = "classes" if info.outgoing_to == "class" else "next-layer units"
        self.outgoing_header.note = f"to {n_out} {what}"
        for header in (self.incoming_header, self.outgoing_header):
            header.update()
        arrangement = (first, len(blocks), self.horizontal)
        if arrangement == self._arrangement:
            return
        self._arrangement = arrangement
        layout = self.canvas.ci
        layout.clear()
        row = column = 0
        for header, items in blocks:
            span = len(items) if self.horizontal else 2
            layout.addItem(header, row=row, col=column, colspan=span)
            for offset, item in enumerate(items):
                layout.addItem(item, row=row + 1, col=column + offset,
                               colspan=1 if len(items) > 1 else span)  # fmt: skip
            layout.layout.setRowStretchFactor(row + 1, 1)
            column, row = (column + len(items), row) if self.horizontal else (column, row + 2)
        layout.setGeometry(self.canvas.range)  # an emptied layout shrank to nothing

    def _set_bars(
        self, plot: pg.PlotItem, bars: pg.BarGraphItem, values: np.ndarray, labels: tuple
    ) -> None:
        count = values.size
        brushes = [self._positive if v >= 0 else self._negative for v in values]
        bars.setOpts(x=np.arange(count), height=np.asarray(values, float), brushes=brushes,
                     width=0.8 if count <= 64 else 1.0)  # fmt: skip
        bottom = plot.getAxis("bottom")
        if labels and count <= 20:
            bottom.setTicks([[(i, text) for i, text in enumerate(labels)], []])
        else:
            bottom.setTicks([[(t - 0.5, text) for t, text in unit_ticks(count, 8)], []])
        peak = float(np.abs(values).max()) if count else 1.0
        peak = peak if math.isfinite(peak) and peak > 0 else 1.0
        plot.setRange(xRange=(-0.6, count - 0.4), yRange=(-peak, peak), padding=0.05)


def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(8)
    return font
