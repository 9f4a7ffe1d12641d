"""Hidden units: one card per unit, its filter and its votes for each class; click one for more.

The cards show what each unit looks for and whom it votes for (a ring-shaped filter that votes
for 0 and against 1). Sorted by index, by importance (the size of its outgoing weights) or by
how often it fires on the test set; dead units (never on for any test image) are faded and
counted. Cards are never drawn below `unit_cards.MIN_SCALE` (a full vote 12 px tall): when
hundreds do not fit, the cards scroll. A click opens the unit as the Weights view shows one (its
filter large, its votes for each class, its numbers: `unit_detail.UnitDetail`), with the 16 test
images that excite it most and a histogram of its input over the test set. The statistics come
from the session (`session.units`), computed in the background; the cards follow a net being
trained.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.network import Network
from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.selection import UnitRef
from digitlab.session.unit_stats import UnitsReport
from digitlab.ui.plots import style
from digitlab.ui.plots.mosaic import tile
from digitlab.ui.plots.unit_cards import (
    MIN_SCALE,
    CardLayout,
    card_image,
    columns_for_room,
    layout_for,
)
from digitlab.ui.plots.unit_detail import UnitDetail, unit_info
from digitlab.ui.plots.weight_panels import PanelHeader
from digitlab.ui.unit_menu import offer_unit_actions
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.view_body import controls_above, status_label

SORTS = {"index": "Index", "importance": "Importance", "firing": "Firing"}
TALL_DETAIL_PX = 480  # a shorter detail puts the filter beside the votes, not above them
CARD_MIN_HEIGHT = 300  # the unit's numbers, its weights, its top digits: below this it scrolls
DETAIL_MIN_WIDTH = 230  # the unit's numbers, filter and votes side by side with their scales
NO_HIDDEN = "A 1-layer net has no hidden units. Pick or train a net with a hidden layer."


class UnitCard(QWidget):
    """The chosen unit: the Weights view's detail (its filter, numbers and votes for each
    class, `unit_detail.UnitDetail`) above what the test set says of it: the 16 test images
    that excite it most and a histogram of its input."""

    def __init__(self, colormap: pg.ColorMap) -> None:
        super().__init__()
        self.unit = UnitDetail(colormap)
        self.canvas = pg.GraphicsLayoutWidget()
        background, text, faint = style.colours(self)
        self.canvas.setBackground(background)
        self.canvas.ci.setContentsMargins(0, 0, 0, 0)
        self.canvas.ci.setSpacing(2)
        for column, (title, note) in enumerate((("Top 16", "test images"),
                                                ("Its input", "over the test set"))):  # fmt: skip
            self.canvas.ci.addItem(PanelHeader(title, note, text, faint), row=0, col=column)
        self.top = pg.ImageItem(axisOrder="row-major")
        box = self.canvas.ci.addViewBox(row=1, col=0, lockAspect=True, invertY=True)
        box.setMouseEnabled(False, False)
        box.setMenuEnabled(False)
        box.addItem(self.top)
        self.histogram = self.canvas.ci.addPlot(row=1, col=1)
        style.quiet_plot(self.histogram)
        style.style_axes(self.histogram, text, faint)
        self.curve = self.histogram.plot([0, 1], [0], stepMode="center", fillLevel=0,
                                         brush=style.ACCENT, pen=None)  # fmt: skip
        body = QWidget()  # in a short dock the card scrolls: squeezed, its filter had no height
        body.setMinimumHeight(CARD_MIN_HEIGHT)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.canvas.setMinimumHeight(110)  # a readable 4×4 of digits and its histogram
        layout.addWidget(self.unit, 3)
        layout.addWidget(self.canvas, 1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        size = event.size()  # filter beside the votes when the detail is wide and short
        self.unit.set_horizontal(size.width() >= 300 and size.height() < TALL_DETAIL_PX)

    def show_unit(self, network: Network, classes: tuple[int, ...], layer: int, unit: int,
                  report: UnitsReport | None) -> None:  # fmt: skip
        info = unit_info(network, classes, UnitRef(layer, unit))
        if info is None:
            return
        stats = report.layers[layer] if isinstance(report, UnitsReport) else None
        note = ""
        if stats is not None and report.images is not None:
            state = "dead: never on" if stats.dead[unit] else f"on for {stats.firing[unit]:.0%}"
            note = (f"{state} of the {len(report.images):,} test images · importance "
                    f"{stats.importance[unit]:.3f}")  # fmt: skip
            top = report.images[stats.top_images[unit]].astype(np.float32) / 255
            self.top.setImage(tile(top, columns=4), levels=(0.0, 1.0))
            counts, edges = stats.histogram(unit)
            self.curve.setData(edges, counts)
        self.canvas.setVisible(stats is not None)
        self.unit.show_unit(info, note=note)


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
        self.canvas.ci.setContentsMargins(0, 0, 0, 0)  # the cards span the width exactly
        self.box = self.canvas.addViewBox(lockAspect=True, invertY=True)
        self.box.setMouseEnabled(False, False)
        self.box.setMenuEnabled(False)
        self.cards = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.cards)
        self.canvas.scene().sigMouseClicked.connect(self._clicked)
        self.scroll = QScrollArea(widgetResizable=True)  # many units: cards stay readable
        self.scroll.setWidget(self.canvas)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.detail = UnitCard(self.colormap)
        self.detail.unit.closed.connect(self._close_detail)
        self.detail.hide()
        split = self.split = QSplitter()
        split.addWidget(self.scroll)
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
        room = self._room()
        columns = columns_for_room(units, incoming.shape[1], room)
        self._grid = layout_for(units, incoming.shape[1], columns)
        limit = style.symmetric_limit(incoming, 99.0)
        dead = stats.dead if stats is not None else None
        image = card_image(incoming, outgoing, self._lookup, limit, self._grid, self._order, dead)
        self.cards.setImage(image, levels=(0, 255))
        fitted = min(room[0] / image.shape[1], room[1] / image.shape[0])  # cards fit: no scroll
        tall = fitted < MIN_SCALE * 0.999
        self.canvas.setMinimumHeight(int(image.shape[0] * room[0] / image.shape[1]) if tall else 0)
        self.box.autoRange(padding=0.0)
        self.header.setText(self._summary(report, stats, units))
        if self._chosen is not None and self._chosen < units:
            shown = report if isinstance(report, UnitsReport) else None
            self.detail.show_unit(network, self._classes(), layer, self._chosen, shown)

    def _room(self) -> tuple[float, float]:
        """The cards' room: the scroll area less a scroll bar's width, whether one shows or
        not (a bar coming and going must not regrid the cards)."""
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        return max(self.scroll.width() - bar, 100), max(self.scroll.height(), 100)

    def _classes(self) -> tuple[int, ...]:
        entry = self.session.models.current
        return tuple(entry.classes) if entry is not None else ()

    def card_scale(self) -> float:
        """Screen px per card px, as drawn now (for tests)."""
        return self.cards.mapRectToDevice(QRectF(0, 0, 100, 100)).height() / 100

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
        if unit is None:
            return
        self.choose(unit)
        if event.button() == Qt.MouseButton.RightButton:  # act on it: the neuron lab's menu
            offer_unit_actions(self, self.session, UnitRef(self.layer(), unit),
                               event.screenPos().toPoint())  # fmt: skip

    def choose(self, unit: int) -> None:
        """Show one unit in the detail panel."""
        network = self._network()
        if network is None or len(network.weights) < 2:
            return
        self._chosen = unit
        self.session.selection.select_unit(UnitRef(self.layer(), unit))  # the lab acts on it
        report = self.session.units.get(self.session.models.current)
        report = report if isinstance(report, UnitsReport) else None
        self.detail.show_unit(network, self._classes(), self.layer(), unit, report)
        if not self.detail.isVisible():
            self.detail.show()
            width = self.split.width()
            detail = max(DETAIL_MIN_WIDTH, int(0.42 * width))
            self.split.setSizes([max(width - detail, 100), detail])
            self.schedule_refresh()  # the cards reflow to the narrower room

    def _close_detail(self) -> None:
        self._chosen = None
        self.detail.hide()
        self.schedule_refresh()  # the cards take the room back

    def view_settings(self) -> dict:
        return {"sort": self.sort_combo.currentData()}

    def apply_view_settings(self, values: dict) -> None:
        sort = values.get("sort")
        if isinstance(sort, str) and sort in SORTS:  # stored values are untrusted
            self.sort_combo.setCurrentIndex(self.sort_combo.findData(sort))


if __name__ == "__main__":
    sys.exit(run_alone(HiddenUnitsView, size=(900, 520)))
