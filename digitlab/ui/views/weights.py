"""The answering model's weights: every unit's incoming weights, and what training just changed.

The first layer is a mosaic of 28×28 filters (one ImageItem per panel, reflowed to the room);
later layers are heatmaps. While the net being trained answers, each layer's change since the
last refresh (or, at a moment chosen on the timeline, since the moment before) sits beside it
on its own scale. Click a unit to see it large with its numbers;
the selection lives in the session, so other views can follow it too.

By default the mosaic shows the 32 units with the largest outgoing weights, under a caption
saying what a tile is (`tile_choice`: 256 tiles of speckle make a poor first look).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from digitlab.session import Session
from digitlab.session.models import RUN_KEY, ModelEntry
from digitlab.session.run import RunPhase
from digitlab.session.selection import UnitRef
from digitlab.ui.plots import style
from digitlab.ui.plots.panel_sets import PanelSets, build_panel_set
from digitlab.ui.plots.style import SCALE_LABELS, Scale, scale_values
from digitlab.ui.plots.tile_choice import TileChoice
from digitlab.ui.plots.tile_choice import caption as tile_caption
from digitlab.ui.plots.unit_detail import UnitDetail, unit_info
from digitlab.ui.plots.weight_numbers import changes_to_show, hover_line, layer_change
from digitlab.ui.plots.weight_panels import PanelPlan, WeightPanel
from digitlab.ui.unit_menu import offer_unit_actions
from digitlab.ui.view import View, run_alone

EMPTY_TEXT = (
    "<b>Weights appear here</b><br>Each hidden unit's 784 incoming weights drawn as a 28×28 "
    "image (blue negative, red positive), and the output weights per class.<br><br>"
    "Press <b>Start</b> under Run to train a net and watch them form, or pick a model under "
    "<b>Model</b>."
)
LOADING_TEXT = "Loading the model…"
CHANGES_TIP = "Beside each layer, what the last training updates changed (on its own scale)"
CHANGES_OFF_TIP = "Only the net being trained changes: press Start under Run"
NO_LIMIT = 16777215  # Qt's QWIDGETSIZE_MAX
HOVER_HINT = "Hover a weight to read it; click a unit to see it large"
NO_CHANGE = "no change"
HELD_TITLE = "Last change before Stop"
MOMENT_TITLE = "Change from the moment before"  # a moment chosen on the timeline
PREBUILD_DELAY_MS = 1000  # a hidden view builds a new shape's panels this long after the model came


class WeightsView(View):
    view_id = "weights"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        background, self._text, self._faint = style.colours(self)
        self._colormap = style.diverging_colormap(style.is_dark(self))
        self._build(background)
        self.panels: dict[str, WeightPanel] = {}
        colours = (self._text, self._faint)
        self._sets = PanelSets(lambda arch: build_panel_set(arch, self._colormap, colours))
        self._prebuild_timer = QTimer(self, singleShot=True, interval=PREBUILD_DELAY_MS)
        self._prebuild_timer.timeout.connect(self._prebuild)
        self._architecture: tuple | None = None
        self._entry: ModelEntry | None = None
        self._deltas: list[np.ndarray] | None = None
        self._held: list[bool] = []  # per layer: the change shown is from before the Stop
        self._mouse: QPointF | None = None  # the last hover position on the canvas
        models, run, selection = session.models, session.run, session.selection
        # current_changed also fires for every new set of weights of the live run (after
        # run.latest holds its deltas), so it is the one signal a redraw needs.
        self.subscribe(models.current_changed, self._on_model)
        self.subscribe(models.loading, lambda _: self.schedule_refresh())
        self.subscribe(run.cleared, self.schedule_refresh)
        self.subscribe(selection.unit_changed, lambda _: self.schedule_refresh())
        self.subscribe(run.phase_changed, self._on_run_phase)
        self.setMinimumSize(240, 180)
        self.schedule_refresh()  # hidden at birth: the first show draws

    def _build(self, background: Any) -> None:
        self.scale_combo = QComboBox()
        for scale in Scale:
            self.scale_combo.addItem(SCALE_LABELS[scale], scale.value)
        self.scale_combo.setToolTip(
            "Robust: ±99th percentile of |w|, so a few large weights do not wash out the rest\n"
            "Maximum: ±max |w| of each panel\nEach unit: every unit scaled by its own max |w|"
        )
        self.scale_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.scale_combo.setMinimumContentsLength(7)
        widest = self.scale_combo.fontMetrics().horizontalAdvance(SCALE_LABELS[Scale.ROBUST])
        self.scale_combo.setMaximumWidth(widest + 48)  # room to spare: the whole label shows
        self.scale_combo.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self.show_combo = TileChoice()
        self.show_combo.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self.changes_box = QCheckBox("Changes")
        self.changes_box.setChecked(True)
        self.changes_box.setToolTip(CHANGES_TIP)
        self.changes_box.toggled.connect(lambda _: self.schedule_refresh())
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        for text, combo, stretch in (("Scale", self.scale_combo, 1), ("Show", self.show_combo, 0)):
            label = QLabel(text)
            label.setBuddy(combo)
            controls.addWidget(label)
            controls.addWidget(combo, stretch)
            controls.addSpacing(6)
        controls.addWidget(self.changes_box)
        controls.addStretch(1)
        self.hover = QLabel(HOVER_HINT)
        self.hover.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.hover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hover.setEnabled(False)  # the muted colour: secondary information
        self.caption = QLabel()  # what the tiles are: for the newcomer's first look
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)

        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(background)
        self.canvas.ci.setSpacing(3)
        self.canvas.ci.setContentsMargins(0, 0, 0, 0)
        self.canvas.setMinimumSize(120, 100)
        scene = self.canvas.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)
        self.detail = UnitDetail(self._colormap)
        self.detail.closed.connect(lambda: self.session.selection.select_unit(None))
        self.detail.hide()
        self.body = QWidget()
        self._body_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.body)
        self._body_layout.setContentsMargins(0, 0, 0, 0)
        self._body_layout.setSpacing(4)
        self._body_layout.addWidget(self.canvas, 1)
        self._body_layout.addWidget(self.detail)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.empty.setContentsMargins(16, 16, 16, 16)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.hover)
        layout.addWidget(self.pages, 1)

    def sizeHint(self) -> QSize:
        return QSize(590, 530)

    # --- what it remembers -------------------------------------------------------------------

    def scale(self) -> Scale:
        return Scale(self.scale_combo.currentData())

    def set_scale(self, scale: Scale) -> None:
        self.scale_combo.setCurrentIndex(self.scale_combo.findData(scale.value))

    def view_settings(self) -> dict[str, Any]:
        return {"scale": self.scale().value, "changes": self.changes_box.isChecked(),
                "units": self.show_combo.choice()}  # fmt: skip

    def apply_view_settings(self, values: dict[str, Any]) -> None:
        if not isinstance(values, dict):
            return
        scale = values.get("scale")
        if isinstance(scale, str) and scale in {s.value for s in Scale}:
            self.set_scale(Scale(scale))
        if isinstance(values.get("changes"), bool):
            self.changes_box.setChecked(values["changes"])
        self.show_combo.set_choice(values.get("units"))  # the user's choice beats the default

    # --- refresh -----------------------------------------------------------------------------

    def showing_empty(self) -> bool:
        return self.pages.currentWidget() is self.empty

    def refresh(self) -> None:
        """Pull the answering model (and the run's last change) and draw it in place."""
        entry = self.session.models.current
        self._entry = entry
        if entry is None:
            self._show_empty()
            return
        self.pages.setCurrentWidget(self.body)
        self.hover.show()
        network = entry.network
        live = entry.key == RUN_KEY
        self.changes_box.setEnabled(live)
        self.changes_box.setToolTip(CHANGES_TIP if live else CHANGES_OFF_TIP)
        self._deltas = self._changes(entry, live)
        show_deltas = live and self.changes_box.isChecked()
        shapes = [tuple(w.shape) for w in network.weights]
        architecture = (shapes, tuple(entry.classes), show_deltas)
        if architecture != self._architecture:
            self._rebuild(shapes, tuple(entry.classes), show_deltas)
            self._architecture = architecture
        shown = self.show_combo.units(network.weights)
        self.caption.setText(tile_caption(network.weights, shown))
        self.caption.setVisible(bool(self.caption.text()))
        scale = self.scale()
        for panel in self.panels.values():
            if panel.plan.as_tiles:
                panel.show_units(shown)
            matrix, delta = self._matrix(panel.plan), panel.plan.is_delta
            if delta and self._deltas is None:  # the run's first weights, or a later reload
                panel.show(matrix, 1.0, "no change yet")
            elif delta and not matrix.any():  # a step that changed nothing: say so
                panel.show(matrix, panel.limit, NO_CHANGE)
            else:
                panel.show(*scale_values(matrix, scale, "Δw" if delta else "w", panel))
            if delta:
                held = panel.plan.layer < len(self._held) and self._held[panel.plan.layer]
                panel.header.title = (HELD_TITLE if held else panel.plan.title if
                                      self.session.timeline.live else MOMENT_TITLE)  # fmt: skip
                panel.header.update()
        self._show_selection()
        self._refresh_hover()

    def _changes(self, entry: ModelEntry, live: bool) -> list[np.ndarray] | None:
        """The change to show per layer, or None when there is none for this model."""
        change = self.session.timeline.change_of(entry) if live else None
        if change is None:
            self._held = []
            return None
        fresh, stopped = change
        changes, self._held = changes_to_show(fresh, self._deltas, stopped)
        return changes

    def _matrix(self, plan: PanelPlan) -> np.ndarray:
        assert self._entry is not None
        weights = self._entry.network.weights[plan.layer]
        return layer_change(weights, self._deltas, plan.layer) if plan.is_delta else weights

    def _show_empty(self) -> None:
        self._deltas, self._held = None, []
        loading = self.session.models.is_loading()
        self.empty.setText(LOADING_TEXT if loading else EMPTY_TEXT)
        self.pages.setCurrentWidget(self.empty)
        self.hover.hide()
        self.changes_box.setEnabled(False)

    def _rebuild(self, shapes: list, classes: tuple[int, ...], deltas: bool) -> None:
        """Show the panels of another architecture (built now, or kept from before)."""
        panel_set = self._sets.get((tuple(shapes), classes, deltas))
        self.canvas.setCentralItem(panel_set.layout)
        self.canvas.ci = panel_set.layout  # GraphicsLayoutWidget's public handle on it
        self.panels = panel_set.panels
        panel_set.layout.setGeometry(self.canvas.range)  # a swapped-in layout takes the room
        selected = self.session.selection.unit
        if selected is not None and unit_info(self._entry.network, classes, selected) is None:
            self.session.selection.select_unit(None)  # that unit is gone with the old shape

    def _on_model(self, entry: ModelEntry | None) -> None:
        self.schedule_refresh()
        if entry is not None and entry.key != RUN_KEY and not self.on_screen():
            self._prebuild_timer.start()  # (not for the live run: ten versions a second)

    def _prebuild(self) -> None:
        """Draw a new model while the view is hidden, a second after it came (the one
        exception to hidden views doing nothing: its panels and tile titles take ~100 ms to
        build, which the first switch to a workspace showing the weights then does not pay).
        Only for a model that is not the live run, which changes ten times a second."""
        entry = self.session.models.current
        if entry is not None and entry.key != RUN_KEY and not self.on_screen() and self.stale:
            self._run_refresh()

    def _on_run_phase(self, phase: RunPhase) -> None:
        """A run is starting: build its panels now, while the trainer loads the data, rather
        than stall when its first weights arrive."""
        if phase is RunPhase.STARTING and self.on_screen():
            QTimer.singleShot(0, self._build_for_run)

    def _build_for_run(self) -> None:
        settings = self.session.run.settings
        classes = settings.classes or tuple(range(10))
        shapes = tuple(settings.spec().layer_shapes)
        self._sets.get((shapes, classes, self.changes_box.isChecked()))

    # --- selection and the detail ------------------------------------------------------------

    def _show_selection(self) -> None:
        selected = self.session.selection.unit
        info = None
        if selected is not None and self._entry is not None:
            info = unit_info(self._entry.network, tuple(self._entry.classes), selected)
        for panel in self.panels.values():
            match = info is not None and panel.plan.layer == selected.layer
            panel.set_selected(selected.index if match else None)
        if info is None:
            self.detail.hide()
            self.canvas.show()
            return
        self.detail.show_unit(info, robust=self.scale() is Scale.ROBUST)
        self.detail.show()
        self._place_detail()

    def _place_detail(self) -> None:
        """Detail beside the weights when wide, under them when tall, instead of them when the
        dock is too small for both."""
        width, height = self.body.width(), self.body.height()
        beside, under = width >= 520 and width >= 0.9 * height, height >= 400
        side, low = int(min(max(0.34 * width, 200), 300)), int(min(max(0.4 * height, 170), 260))
        limits = (QSize(0, 0), QSize(NO_LIMIT, NO_LIMIT))  # the detail replaces the weights
        if beside:
            limits = (QSize(side, 0), QSize(side, NO_LIMIT))
        elif under:
            limits = (QSize(0, low), QSize(NO_LIMIT, low))
        if (self.detail.minimumSize(), self.detail.maximumSize()) != limits:  # no relayout
            self.detail.setMinimumSize(limits[0])  # on a refresh that changes nothing here
            self.detail.setMaximumSize(limits[1])
        direction = QBoxLayout.Direction
        stacked = under and not beside
        self._body_layout.setDirection(direction.TopToBottom if stacked else direction.LeftToRight)
        self.detail.set_horizontal(not beside and (under or width > height))
        self.canvas.setVisible(beside or under)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self.detail.isHidden():
            self._place_detail()

    # --- mouse ------------------------------------------------------------------------------

    def hit(self, scene_pos: QPointF) -> tuple[WeightPanel, int, int] | None:
        """(panel, unit, input) under a scene point of the canvas, or None."""
        for panel in self.panels.values():
            found = panel.hit(scene_pos)
            if found is not None:
                return panel, *found
        return None

    def unit_at(self, scene_pos: QPointF) -> UnitRef | None:
        found = self.hit(scene_pos)
        return None if found is None else UnitRef(found[0].plan.layer, found[1])

    def describe(self, scene_pos: QPointF) -> str:
        """The hover line for a scene point ('' over nothing)."""
        found = self.hit(scene_pos)
        if found is None or self._entry is None:
            return ""
        panel, unit, column = found
        plan = panel.plan
        bias = self._entry.network.biases[plan.layer][unit]
        return hover_line(plan, unit, column, self._matrix(plan)[unit, column], bias)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        self._mouse = QPointF(scene_pos)
        self._set_hover(self.describe(scene_pos))

    def _set_hover(self, text: str) -> None:
        self.hover.setEnabled(bool(text))
        self.hover.setText(text or HOVER_HINT)

    def _refresh_hover(self) -> None:
        """New weights (or another model): read them again under a pointer still on the
        canvas, else back to the hint (never the last model's numbers)."""
        over = self._mouse is not None and self.canvas.underMouse()
        self._set_hover(self.describe(self._mouse) if over else "")

    def _on_mouse_clicked(self, event: Any) -> None:
        unit = self.unit_at(event.scenePos())
        if unit is None:
            return
        if event.button() == Qt.MouseButton.RightButton:  # the neuron lab's menu
            return offer_unit_actions(self, self.session, unit, event.screenPos().toPoint())
        self.session.selection.select_unit(unit)


if __name__ == "__main__":

    def start_training(session: Session) -> None:
        """`--train`: watch a 784→64→10 net form (needs MNIST, or set DIGITLAB_DATA)."""
        from digitlab.session.run_settings import RunSettings

        session.run.set_settings(RunSettings(hidden=(64,), epochs=3))
        session.run.start()

    prepare = start_training if "--train" in sys.argv else None
    sys.exit(run_alone(WeightsView, prepare, size=(760, 560)))
