"""The neuron lab: switch hidden units off or clamp them, and see what that costs, per class.

The unit acted on is the one selected (click a unit in Hidden units, Activations or Weights; a
right-click there offers the same actions). The edits make an edited model that answers at once
(`session.edits`); below them, what the edits cost on the 10 000 test digits, overall and per
class against the original, recomputed in the background after every change; and at the
bottom, which units matter for a digit (`AblationPanel`), to switch off together.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from digitlab.session import Session
from digitlab.session.analysis import failed_or_none
from digitlab.session.edits import EditEffect
from digitlab.ui.dialogs import ask_save_path
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.ablation_panel import AblationPanel
from digitlab.ui.widgets.view_body import scrolled

NO_UNIT = "Click a hidden unit in Hidden units, Activations or Weights to act on it"
NO_EDITS = "No unit edited: the model answers as trained"


def hidden_unit(session: Session) -> tuple[int, int] | None:
    """(layer, unit) of the selected unit if it is a hidden unit of the answering model."""
    unit, entry = session.selection.unit, session.models.current
    if unit is None or entry is None:
        return None
    hidden = entry.network.spec.hidden  # an edited model keeps its original's shape
    if 0 <= unit.layer < len(hidden) and 0 <= unit.index < hidden[unit.layer]:
        return unit.layer, unit.index
    return None


class NeuronLabView(View):
    view_id = "lab"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        background, self._text, self._faint = style.colours(self)
        self.unit_label = QLabel(NO_UNIT)
        self.unit_label.setWordWrap(True)
        self.off_button = QPushButton("Switch off")
        self.off_button.setToolTip("The unit's output becomes 0 for every input")
        self.off_button.clicked.connect(self.switch_off)
        self.value = QDoubleSpinBox()
        self.value.setRange(-100.0, 100.0)
        self.value.setDecimals(2)
        self.value.setSingleStep(0.5)
        self.value.setValue(5.0)
        self.value.setToolTip("The output the unit is clamped to, for every input")
        self.clamp_button = QPushButton("Clamp to")
        self.clamp_button.clicked.connect(self.clamp)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setToolTip("Take this unit's edits back")
        self.restore_button.clicked.connect(self.restore)
        self.edits_list = QListWidget()
        self.edits_list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.edits_list.setFixedHeight(88)
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(session.edits.undo)
        self.clear_button = QPushButton("Clear all")
        self.clear_button.clicked.connect(session.edits.clear)
        self.save_button = QPushButton("Save edited model…")
        self.save_button.clicked.connect(self.save)
        self.effect_label = QLabel(NO_EDITS)
        self.effect_label.setWordWrap(True)
        self.plot = pg.PlotWidget(background=background)
        item = self.plot.getPlotItem()
        style.quiet_plot(item)
        style.style_axes(item, self._text, self._faint)
        item.setLabel("left", "change, points", color=self._text.name())
        item.setLabel("bottom", "class", color=self._text.name())
        self.plot.setMinimumHeight(120)  # its size hint (640×480) must not stretch the body
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.plot.addItem(self.bars)
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(self._faint)))
        self.ablation = AblationPanel(session)
        self._build_layout()
        edits = session.edits
        self.subscribe(session.selection.unit_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.models.current_changed, lambda _: self.schedule_refresh())
        self.subscribe(edits.changed, self.schedule_refresh)
        self.subscribe(session.edit_effect.updated, self.schedule_refresh)
        self.subscribe(session.ablation.updated, self.ablation.show_table)
        self.refresh()

    def _build_layout(self) -> None:
        actions = QHBoxLayout()  # no extra spacing: the row fits a 1024-px screen's dock
        for widget in (self.off_button, self.clamp_button, self.value, self.restore_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        list_buttons = QHBoxLayout()  # under the list: a narrow dock keeps every button whole
        for button in (self.undo_button, self.clear_button, self.save_button):
            list_buttons.addWidget(button)
        list_buttons.addStretch(1)
        listing = QVBoxLayout()
        listing.addWidget(self.edits_list)
        listing.addLayout(list_buttons)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.unit_label)
        layout.addLayout(actions)
        layout.addLayout(listing)
        layout.addWidget(self.effect_label)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.ablation)
        scrolled(self, body)  # a short dock scrolls

    def sizeHint(self) -> QSize:
        return QSize(420, 600)

    # --- acting ------------------------------------------------------------------------------

    def switch_off(self) -> None:
        unit = hidden_unit(self.session)
        if unit is not None:
            self.session.edits.switch_off(*unit)

    def clamp(self) -> None:
        unit = hidden_unit(self.session)
        if unit is not None:
            self.session.edits.clamp(*unit, self.value.value())

    def restore(self) -> None:
        unit = hidden_unit(self.session)
        if unit is not None:
            self.session.edits.restore(*unit)

    def save(self) -> None:
        path = ask_save_path(self, "edited.safetensors")
        if path:
            self.session.edits.save(path)

    # --- showing -----------------------------------------------------------------------------

    def refresh(self) -> None:
        edits, unit = self.session.edits, hidden_unit(self.session)
        if unit is None:
            self.unit_label.setText(NO_UNIT)
        else:
            edit = edits.edit_of(*unit)
            state = "as trained" if edit is None else (
                "switched off" if edit.value is None else f"clamped to {edit.value:g}")  # fmt: skip
            self.unit_label.setText(f"<b>Hidden layer {unit[0] + 1}, unit {unit[1]}</b>: {state}")
        for button in (self.off_button, self.clamp_button, self.value):
            button.setEnabled(unit is not None)
        self.restore_button.setEnabled(unit is not None and edits.edit_of(*unit) is not None)
        self.edits_list.clear()
        self.edits_list.addItems([edit.describe() for edit in edits.edits])
        for button in (self.undo_button, self.clear_button, self.save_button):
            button.setEnabled(bool(edits.edits))
        self._show_effect()
        self.ablation.sync()

    def _show_effect(self) -> None:
        model, original = self.session.edits.model, self.session.edits.original
        self.plot.setVisible(model is not None)
        if model is None or original is None:
            self.effect_label.setText(NO_EDITS)
            self.bars.setOpts(x=[], height=[])
            return
        outcome = self.session.edit_effect.fetch(model, original)
        failed = failed_or_none(outcome)
        if failed is not None:
            self.effect_label.setText(f"No test accuracy: {failed.message}")
            return
        if not isinstance(outcome, EditEffect):
            self.effect_label.setText("Measuring the edited model on the test digits…")
            return
        change = 100 * outcome.change
        self.effect_label.setText(
            f"Test accuracy <b>{outcome.edited_overall:.1%}</b>, was {outcome.original_overall:.1%}"
            f" ({100 * (outcome.edited_overall - outcome.original_overall):+.1f} points); "
            "per class below"
        )
        brushes = [pg.mkBrush(style.ERROR if c < 0 else style.TEST) for c in change]
        self.bars.setOpts(x=np.asarray(outcome.classes, float), height=change, brushes=brushes)
        item = self.plot.getPlotItem()
        low = min(float(np.nanmin(change)), -1.0)
        high = max(float(np.nanmax(change)), 1.0)
        item.setRange(xRange=(-0.6, max(outcome.classes) + 0.6), yRange=(low * 1.1, high * 1.1),
                      padding=0)  # fmt: skip
        item.getAxis("bottom").setTicks([[(c, str(c)) for c in outcome.classes]])


if __name__ == "__main__":

    def pick(session: Session) -> None:
        from digitlab.session.selection import UnitRef

        session.selection.select_unit(UnitRef(0, 0))

    sys.exit(run_alone(NeuronLabView, pick, size=(440, 480)))
