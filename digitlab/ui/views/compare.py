"""A against B: train a second net beside the run, and see where two nets disagree.

A is the model that reads the drawing; B is chosen here (any listed model), or is the second
net of a side-by-side run: tick *Train B beside the run*, give B's hidden layers, press Start as
usual, and both nets train on the same batches in the same order, each in its own process. The
view shows B's progress and first-layer weights, and on the test digits how often each is
right where the other is wrong, per class, with McNemar's test of "equally accurate". The
Confusion, Mistakes and Evidence views switch to A-vs-B modes while a B is chosen.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from digitlab.session import Session
from digitlab.session.analysis import failed_or_none
from digitlab.session.comparison import PairSummary, why_not_comparable
from digitlab.session.models import ModelKind
from digitlab.session.side_by_side import PARTNER
from digitlab.ui.dialogs import ask_save_path
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.first_layer_tiles import FirstLayerTiles
from digitlab.ui.widgets.view_body import scrolled

NOTHING = ""  # the "Compare with" entry for no B
REDRAW_MS = 250  # B's progress and weights: 4 frames a second are plenty
A_COLOUR, B_COLOUR = style.TRAIN, style.TRAIN_ACCURACY


def summary_text(summary: PairSummary) -> str:
    """The pair in one sentence: accuracies, flips each way, agreement, McNemar."""
    p = summary.test.p_value
    verdict = "a real difference" if p < 0.05 else "no clear difference"
    return (
        f"On {summary.samples:,} test digits: A {summary.accuracy_a:.1%}, B "
        f"{summary.accuracy_b:.1%}. <b>{summary.a_only}</b> right only in A, "
        f"<b>{summary.b_only}</b> right only in B; same answer on {summary.agreement:.1%}. "
        f"McNemar p = {p:.2g} ({verdict})."
    )


class CompareView(View):
    view_id = "compare"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        background, self._text, self._faint = style.colours(self)
        pair = session.side_by_side
        self.beside = QCheckBox("Train B beside the run")
        self.beside.setToolTip("Start trains B too: the same data, batches and settings, in its "
                               "own process, with the hidden layers given here")  # fmt: skip
        self.beside.toggled.connect(self._set_beside)
        self.hidden = QLineEdit(",".join(map(str, pair.hidden)))
        self.hidden.setPlaceholderText("none: the 1-layer net")
        self.hidden.setToolTip("B's hidden layer sizes, as in Training settings (0 or empty: none)")
        self.hidden.setMaximumWidth(110)
        self.hidden.editingFinished.connect(self._set_hidden)
        self.b_status = QLabel()
        self.b_status.setWordWrap(True)
        self.save_b = QPushButton("Save B…")
        self.save_b.setToolTip("Write B, the second net, to a model file")
        self.save_b.clicked.connect(self._save_b)
        self.with_combo = QComboBox()
        self.with_combo.setToolTip("B: the model A (the one reading the drawing) is compared with")
        self.with_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.with_combo.setMinimumContentsLength(14)
        self.with_combo.activated.connect(self._on_chosen)
        self.a_label = QLabel()
        self.a_label.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.plot = self._flips_plot(background)
        self.tiles = FirstLayerTiles()
        self._build_layout()
        self._throttle = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._throttle.timeout.connect(self.schedule_refresh)
        models, comparison = session.models, session.comparison
        self.subscribe(models.sources_changed, self._fill)
        self.subscribe(models.current_changed, lambda _: self._throttle.start())
        self.subscribe(comparison.changed, self._on_comparison)
        self.subscribe(comparison.disagreement.updated, self.schedule_refresh)
        self.subscribe(session.partner_run.updated, lambda _: self._throttle.start())
        self.subscribe(session.partner_run.phase_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.test_predictions.target_changed, self.schedule_refresh)
        self.subscribe(pair.changed, self.schedule_refresh)
        self._fill()
        self.refresh()

    def _flips_plot(self, background) -> pg.PlotWidget:
        plot = pg.PlotWidget(background=background)
        item = plot.getPlotItem()
        style.quiet_plot(item)
        style.style_axes(item, self._text, self._faint)
        item.setLabel("left", "digits", color=self._text.name())
        item.setTitle("Per class: right only in A ↑, only in B ↓",
                      color=self._text.name(), size=f"{style.points(9):g}pt")  # fmt: skip
        plot.setMinimumHeight(130)
        plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.a_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=A_COLOUR)
        self.b_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=B_COLOUR)
        item.addItem(self.a_bars)
        item.addItem(self.b_bars)
        item.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(self._faint)))
        return plot

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.beside)
        row.addSpacing(6)
        row.addWidget(QLabel("B's hidden layers"))
        row.addWidget(self.hidden)
        row.addStretch(1)
        choose = QFormLayout()
        choose.addRow("A", self.a_label)
        choose.addRow("Compare with", self.with_combo)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        status = QHBoxLayout()
        status.addWidget(self.b_status, 1)
        status.addWidget(self.save_b)
        layout.addLayout(status)
        layout.addLayout(choose)
        layout.addWidget(self.summary)
        layout.addWidget(self.plot, 3)
        self.tiles_title = QLabel("<b>B's first layer</b> (red: ink there speaks for the unit)")
        layout.addWidget(self.tiles_title)
        layout.addWidget(self.tiles, 2)
        self.tiles.setMinimumHeight(110)
        scrolled(self, body)

    def sizeHint(self) -> QSize:
        return QSize(440, 560)

    # --- acting ------------------------------------------------------------------------------

    def _set_beside(self, on: bool) -> None:
        if on and self.hidden.isModified():  # typed, not yet confirmed with Return
            self._set_hidden()
        self.session.side_by_side.set_enabled(on)
        if on:
            self.session.partner_run.prepare()

    def _set_hidden(self) -> None:
        try:
            self.session.side_by_side.set_hidden(self.hidden.text())
        except ValueError as exc:
            self.session.notices.warning(f"B's hidden layers: {exc}")
        self.hidden.setText(",".join(map(str, self.session.side_by_side.hidden)))  # as taken

    def _save_b(self) -> None:
        path = ask_save_path(self, "b.safetensors")
        if path:
            self.session.partner_run.save(path)

    def _on_chosen(self, index: int) -> None:
        key = self.with_combo.itemData(index)
        self.session.comparison.choose(key or None)

    # --- showing -----------------------------------------------------------------------------

    def _fill(self) -> None:
        combo = self.with_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("nothing", NOTHING)
        for source in self.session.models.sources():
            if source.kind is not ModelKind.RUN or source.key == PARTNER.key:
                combo.addItem(source.label, source.key)
            else:
                combo.addItem("Training run (A's run)", source.key)
        combo.blockSignals(False)
        self._sync_choice()

    def _sync_choice(self) -> None:
        index = self.with_combo.findData(self.session.comparison.key or NOTHING)
        self.with_combo.setCurrentIndex(max(index, 0))

    def _on_comparison(self) -> None:
        self._sync_choice()
        self.schedule_refresh()

    def refresh(self) -> None:
        session, pair = self.session, self.session.side_by_side
        self.beside.blockSignals(True)
        self.beside.setChecked(pair.enabled)
        self.beside.blockSignals(False)
        if not self.hidden.hasFocus():
            self.hidden.setText(",".join(map(str, pair.hidden)))
        self.b_status.setText(self._partner_status())
        self.b_status.setVisible(bool(self.b_status.text()))
        self.save_b.setVisible(self.session.partner_run.network is not None)
        a = session.test_predictions.target or session.models.current
        self.a_label.setText(a.description if a is not None else "no model reads the drawing")
        other = session.comparison.other
        shown = other.network if other is not None else session.partner_run.network
        self.tiles.show_network(shown, "No B yet: tick Train B beside the run and press Start, "
                                       "or choose a model to compare with")  # fmt: skip
        self.tiles_title.setVisible(self.tiles.shown > 0)
        self._show_summary(a, other)

    def _partner_status(self) -> str:
        partner = self.session.partner_run
        latest = partner.latest
        if latest is None:
            shape = self.session.side_by_side.describe()
            return f"B: {shape}, not trained yet" if self.session.side_by_side.enabled else ""
        test = partner.test_accuracy
        tested = f" · test {test:.1%}" if test is not None else ""
        return (f"B: {partner.network.spec.describe()} · {partner.phase.value} · epoch "
                f"{latest.epoch:.2f}{tested}")  # fmt: skip

    def _show_summary(self, a, other) -> None:
        if a is None or other is None:
            self.summary.setText("Choose a model to compare A with (or train B beside the run).")
            self._bars(None)
            return
        problem = why_not_comparable(a, other)
        if problem:
            self.summary.setText(f"Cannot compare: {problem}.")
            self._bars(None)
            return
        outcome = self.session.comparison.disagreement.fetch(a, other)
        failed = failed_or_none(outcome)
        if failed is not None:
            self.summary.setText(f"No comparison: {failed.message}")
        elif isinstance(outcome, PairSummary):
            self.summary.setText(summary_text(outcome))
            self._bars(outcome)
        else:
            self.summary.setText("Comparing the two on the test digits…")

    def _bars(self, summary: PairSummary | None) -> None:
        self.plot.setVisible(summary is not None)  # empty axes say nothing
        if summary is None:
            self.a_bars.setOpts(x=[], height=[])
            self.b_bars.setOpts(x=[], height=[])
            return
        x = np.arange(len(summary.classes), dtype=float)
        self.a_bars.setOpts(x=x, height=summary.a_only_per_class.astype(float))
        self.b_bars.setOpts(x=x, height=-summary.b_only_per_class.astype(float))
        item = self.plot.getPlotItem()
        high = max(float(summary.a_only_per_class.max(initial=0)), 1.0)
        low = max(float(summary.b_only_per_class.max(initial=0)), 1.0)
        item.setRange(xRange=(-0.6, len(x) - 0.4), yRange=(-low * 1.1, high * 1.1), padding=0)
        item.getAxis("bottom").setTicks([[(i, str(c)) for i, c in enumerate(summary.classes)]])


if __name__ == "__main__":

    def compare_with_linear(session: Session) -> None:
        session.comparison.choose("linear")

    sys.exit(run_alone(CompareView, compare_with_linear, size=(460, 620)))
