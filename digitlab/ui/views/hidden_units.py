"""Hidden units: one card per unit, its filter and its votes for each class; click one for more.

The cards show what each unit looks for and whom it votes for (a ring-shaped filter that votes
for 0 and against 1). Sorted by index, by importance (the size of its outgoing weights) or by
how often it fires on the test set; dead units (never on for any test image) are faded and
counted. A click opens the unit: its filter large, the 16 test images that excite it most, and
a histogram of its input over the test set. The statistics come from the session
(`session.units`), computed in the background; the cards follow a net being trained.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.network import Network
from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.unit_stats import UnitsReport
from digitlab.ui.plots import style
from digitlab.ui.plots.mosaic import grid_for_room, tile
from digitlab.ui.plots.unit_cards import (
    GAP,
    CardLayout,
    card_image,
    card_size,
    filter_side,
    layout_for,
)
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.view_body import controls_above, status_label

SORTS = {"index": "Index", "importance": "Importance", "firing": "Firing"}
NO_HIDDEN = "A 1-layer net has no hidden units. Pick or train a net with a hidden layer."


class UnitDetail(QWidget):
    """One unit large: filter, numbers, its 16 most exciting test images, its input histogram."""

    def __init__(self, colormap: pg.ColorMap) -> None:
        super().__init__()
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.canvas = pg.GraphicsLayoutWidget()
        background, text, faint = style.colours(self)
        self.canvas.setBackground(background)
        self.filter, self.top = (
            pg.ImageItem(axisOrder="row-major"),
            pg.ImageItem(axisOrder="row-major"),
        )
        self.filter.setColorMap(colormap)
        for column, item in enumerate((self.filter, self.top)):
            box = self.canvas.addViewBox(row=0, col=column, lockAspect=True, invertY=True)
            box.setMouseEnabled(False, False)
            box.setMenuEnabled(False)
            box.addItem(item)
        self.histogram = self.canvas.addPlot(row=1, col=0, colspan=2)
        style.quiet_plot(self.histogram)
        style.style_axes(self.histogram, text, faint)
        self.histogram.setLabel("bottom", "input over the test set", color=faint)
        self.curve = self.histogram.plot([0, 1], [0], stepMode="center", fillLevel=0,
                                         brush=style.ACCENT, pen=None)  # fmt: skip
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.canvas, 1)

    def show_unit(self, network: Network, layer: int, unit: int, report: UnitsReport | None):
        weights = network.weights[layer][unit]
        side = filter_side(weights.size)
        padded = np.zeros(side * side, np.float32)
        padded[: weights.size] = weights
        limit = style.symmetric_limit(weights)
        self.filter.setImage(padded.reshape(side, side), levels=(-limit, limit))
        lines = [
            f"<b>unit {unit}</b> of layer {layer + 1} · bias {network.biases[layer][unit]:+.3f}"
        ]
        stats = report.layers[layer] if isinstance(report, UnitsReport) else None
        if stats is not None and report.images is not None:
            state = "dead: never on" if stats.dead[unit] else f"on for {stats.firing[unit]:.0%}"
            lines.append(f"{state} of the {len(report.images):,} test images · importance "
                         f"{stats.importance[unit]:.3f}")  # fmt: skip
            top = report.images[stats.top_images[unit]].astype(np.float32) / 255
            self.top.setImage(tile(top, columns=4), levels=(0.0, 1.0))
            counts, edges = stats.histogram(unit)
            self.curve.setData(edges, counts)
        self.title.setText("<br>".join(lines))


class HiddenUnitsView(View):
    view_id = "units"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.layer_combo = QComboBox()
        self.sort_combo = QComboBox()
        for key, label in SORTS.items():
            self.sort_combo.addItem(label, key)
        self.sort_combo.setToolTip("Importance: size of the outgoing weights; firing: how often on")
        self.header = status_label()
        self.header.setWordWrap(True)  # a long summary wraps; it never widens the window
        for combo in (self.layer_combo, self.sort_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self.colormap = style.diverging_colormap(style.is_dark(self))
        self._lookup = self.colormap.getLookupTable(0.0, 1.0, 256, alpha=False, mode="byte")
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground("w")
        self.box = self.canvas.addViewBox(lockAspect=True, invertY=True)
        self.box.setMouseEnabled(False, False)
        self.box.setMenuEnabled(False)
        self.cards = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.cards)
        self.canvas.scene().sigMouseClicked.connect(self._clicked)
        self.detail = UnitDetail(self.colormap)
        self.detail.hide()
        split = QSplitter()
        split.addWidget(self.canvas)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        controls = (QLabel("Layer"), self.layer_combo, QLabel("Sort"), self.sort_combo)
        controls_above(self, controls, self.header, split)
        self._shape: tuple[int, ...] = ()
        self._grid: CardLayout | None = None
        self._order = np.arange(0)
        self._chosen: int | None = None
        self.subscribe(session.models.current_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.units.updated, self.schedule_refresh)
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(600, 420)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.schedule_refresh()  # the cards reflow to the room

    def _network(self) -> Network | None:
        entry = self.session.models.current
        return entry.network if entry is not None else None

    def _outcome(self) -> UnitsReport | AnalysisFailed | None:
        """The statistics for the current model version (asked for if need be)."""
        entry = self.session.models.current
        return self.session.units.fetch(entry) if entry is not None else None

    def layer(self) -> int:
        return max(self.layer_combo.currentIndex(), 0)

    def refresh(self) -> None:
        network = self._network()
        if network is None or len(network.weights) < 2:
            self.header.setText(NO_HIDDEN if network is not None else "No model")
            self.cards.clear()
            self.detail.hide()
            return
        hidden = network.spec.hidden
        if hidden != self._shape:
            self._shape, self._chosen = hidden, None
            self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            for index, units in enumerate(hidden):
                self.layer_combo.addItem(f"{index + 1} ({units} units)")
            self.layer_combo.blockSignals(False)
            self.detail.hide()
        report = self._outcome()
        layer = self.layer()
        stats = report.layers[layer] if isinstance(report, UnitsReport) else None
        incoming = network.weights[layer]
        outgoing = network.weights[layer + 1] if layer + 1 == len(hidden) else None
        units = incoming.shape[0]
        self._order = stats.order(self.sort_combo.currentData()) if stats else np.arange(units)
        room = (max(self.canvas.width(), 100), max(self.canvas.height(), 100))
        columns = grid_for_room(units, card_size(incoming.shape[1]), room, GAP)
        self._grid = layout_for(units, incoming.shape[1], columns)
        limit = style.symmetric_limit(incoming, 99.0)
        dead = stats.dead if stats is not None else None
        image = card_image(incoming, outgoing, self._lookup, limit, self._grid, self._order, dead)
        self.cards.setImage(image, levels=(0, 255))
        self.box.autoRange(padding=0.0)
        self.header.setText(self._summary(report, stats, units))
        if self._chosen is not None and self._chosen < units:
            shown = report if isinstance(report, UnitsReport) else None
            self.detail.show_unit(network, layer, self._chosen, shown)

    def _summary(self, report: UnitsReport | AnalysisFailed | None, stats, units: int) -> str:
        if report is None:
            return f"{units} units · counting over the test set…"
        if isinstance(report, AnalysisFailed):
            return f"{units} units · no test-set statistics: {report.message}"
        return (f"{units} units · {stats.dead_count} dead (never on for the "
                f"{len(report.images):,} test images)")  # fmt: skip

    def _clicked(self, event) -> None:
        network = self._network()
        if self._grid is None or network is None:
            return
        point = self.cards.mapFromScene(event.scenePos())
        unit = self._grid.unit_at(point.x(), point.y(), self._order)
        if unit is not None:
            self.choose(unit)

    def choose(self, unit: int) -> None:
        """Show one unit in the detail panel."""
        network = self._network()
        if network is None or len(network.weights) < 2:
            return
        self._chosen = unit
        report = self.session.units.get(self.session.models.current)
        report = report if isinstance(report, UnitsReport) else None
        self.detail.show_unit(network, self.layer(), unit, report)
        if not self.detail.isVisible():
            self.detail.show()
            self.schedule_refresh()  # the cards reflow to the narrower room

    def view_settings(self) -> dict:
        return {"sort": self.sort_combo.currentData()}

    def apply_view_settings(self, values: dict) -> None:
        sort = values.get("sort")
        if isinstance(sort, str) and sort in SORTS:  # stored values are untrusted
            self.sort_combo.setCurrentIndex(self.sort_combo.findData(sort))


if __name__ == "__main__":
    sys.exit(run_alone(HiddenUnitsView, size=(900, 520)))
