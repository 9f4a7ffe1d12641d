"""Pruning: remove the smallest weights with a slider and see how little of the net it needs.

The slider prunes the answering model (or, while the pruned model answers, its original) per
layer or across the net, and the pruned model answers at once (`session.pruning`); the plot is
the original's test accuracy against the fraction removed (no retraining), with the pruned
model's own accuracy marked. "Retrain survivors" trains the weights left for a few epochs in
the trainer, the removed ones held at zero, as the training run's model (its progress, pause
and stop are the Run view's); its result is the star on the plot.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.pruning import zero_fraction
from digitlab.session import Session
from digitlab.session.analysis import failed_or_none
from digitlab.session.models import RUN_KEY, ModelEntry
from digitlab.session.pruning import PRUNED_KEY, SCOPE_WORDS, ModelAccuracy, PruningCurve
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.view_body import scrolled

MAX_PERCENT = 98
THROTTLE_MS = 50  # a dragged slider prunes at most this often (a prune is ~1 ms, the views more)
NO_MODEL = "No model to prune: choose one under Model, or train one"
SCOPES = (("layer", "per layer"), ("global", "global"))


def _percent(value: float) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.1%}"


class PruningView(View):
    view_id = "pruning"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        background, self._text, self._faint = style.colours(self)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, MAX_PERCENT)
        self.slider.setPageStep(10)
        self.slider.setToolTip("The share of the weights removed, the smallest first")
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.sliderReleased.connect(self._prune_now)
        self.amount = QLabel("0%")
        self.amount.setMinimumWidth(44)
        self.scope = QComboBox()
        for scope, label in SCOPES:
            self.scope.addItem(label, scope)
        self.scope.setToolTip("Per layer: the same share from every layer. Global: the "
                              "smallest weights of the whole net, wherever they are")  # fmt: skip
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self.status = QLabel(NO_MODEL)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 20)
        self.epochs.setValue(1)
        self.epochs.setSuffix(" epoch")
        self.epochs.valueChanged.connect(lambda n: self.epochs.setSuffix(" epoch" + "s"[: n > 1]))
        self.retrain_button = QPushButton("Retrain survivors")
        self.retrain_button.setToolTip(
            "Train the weights left for these epochs, the removed ones held at zero, as the "
            "training run's model"
        )
        self.retrain_button.clicked.connect(self.retrain)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setToolTip("Answer with the original again")
        self.restore_button.clicked.connect(session.pruning.restore)
        self.plot = pg.PlotWidget(background=background)
        self._build_plot()
        self._throttle = QTimer(self, singleShot=True, interval=THROTTLE_MS)
        self._throttle.timeout.connect(self._prune_now)
        self._build_layout()
        self.subscribe(session.models.current_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.pruning.changed, self.schedule_refresh)
        self.subscribe(session.pruning_curve.updated, self.schedule_refresh)
        self.subscribe(session.pruned_accuracy.updated, self.schedule_refresh)
        self.subscribe(session.run.phase_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.run.updated, self._on_run_update)
        self.refresh()

    def _build_plot(self) -> None:
        item = self.plot.getPlotItem()
        style.quiet_plot(item)
        style.style_axes(item, self._text, self._faint)
        item.setLabel("left", "test accuracy, %", color=self._text.name())
        item.setLabel("bottom", "weights removed, %", color=self._text.name())
        item.setRange(xRange=(0, 100), yRange=(0, 100), padding=0.02)
        item.setMouseEnabled(False, False)
        self.plot.setMinimumHeight(140)  # its size hint (640×480) must not stretch the body
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        pen = pg.mkPen(style.TEST, width=2)
        self.curve = pg.PlotDataItem(
            [], [], pen=pen, symbol="o", symbolSize=5, symbolBrush=style.TEST, symbolPen=None
        )
        self.cursor = pg.InfiniteLine(0, 90, pen=pg.mkPen(style.ACCENT, width=1.5))
        self.now = pg.ScatterPlotItem(size=11, brush=style.ACCENT, pen=pg.mkPen(self._text))
        self.star = pg.ScatterPlotItem(size=18, symbol="star", brush=style.TRAIN_ACCURACY,
                                       pen=pg.mkPen(self._text))  # fmt: skip
        for part in (self.curve, self.cursor, self.now, self.star):
            item.addItem(part)

    def _build_layout(self) -> None:
        prune_row = QHBoxLayout()
        prune_row.addWidget(QLabel("Remove"))
        prune_row.addWidget(self.slider, 1)
        prune_row.addWidget(self.amount)
        prune_row.addWidget(self.scope)
        actions = QHBoxLayout()
        actions.addWidget(self.retrain_button)
        actions.addWidget(self.epochs)
        actions.addStretch(1)
        actions.addWidget(self.restore_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(prune_row)
        layout.addWidget(self.status)
        layout.addWidget(self.plot, 1)
        layout.addLayout(actions)
        scrolled(self, body)  # a short dock scrolls

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def awaiting(self) -> bool:
        return super().awaiting() or self._throttle.isActive()

    # --- acting ------------------------------------------------------------------------------

    def _slider_moved(self, value: int) -> None:
        self.amount.setText(f"{value}%")
        self.cursor.setValue(value)
        if not self._throttle.isActive():
            self._throttle.start()

    def _scope_changed(self, _index: int) -> None:
        if self._pruned_answers():
            self._prune_now()
        self.schedule_refresh()

    def _prune_now(self) -> None:
        """Prune at the slider's value (0: the original answers again)."""
        self._throttle.stop()
        pruning, value = self.session.pruning, self.slider.value()
        if value == 0 and self._pruned_answers():
            pruning.restore()
        elif value > 0 and (not self._pruned_answers() or value != round(100 * pruning.fraction)
                            or self.scope.currentData() != pruning.scope):  # fmt: skip
            pruning.prune_current(value / 100, self.scope.currentData())

    def retrain(self) -> None:
        self.session.pruning.retrain(self.epochs.value())

    def _on_run_update(self, _update: object) -> None:
        if self.session.pruning.retraining:
            self.schedule_refresh()

    # --- showing -----------------------------------------------------------------------------

    def _pruned_answers(self) -> bool:
        current = self.session.models.current
        return current is not None and current.key == PRUNED_KEY

    def _retrained_answers(self) -> bool:
        current, pruning = self.session.models.current, self.session.pruning
        retrained = pruning.retraining or pruning.retrained is not None
        return current is not None and current.key == RUN_KEY and retrained

    def _curve_model(self) -> ModelEntry | None:
        """Whose curve to show: the original of the pruned (or retrained) model, else the
        answering model's (not a net in training: its curve would change ten times a second)."""
        pruning = self.session.pruning
        if (self._pruned_answers() or self._retrained_answers()) and pruning.original:
            return pruning.original
        subject = pruning.subject()
        if subject is not None and subject.key == RUN_KEY and self.session.run.phase.busy:
            return None
        return subject

    def refresh(self) -> None:
        session, pruning = self.session, self.session.pruning
        subject = pruning.subject()
        pruned = self._pruned_answers()
        dragging = self.slider.isSliderDown() or self._throttle.isActive()
        if not dragging:
            self._sync_controls(subject, pruned)
        busy = session.run.phase.busy
        self.slider.setEnabled(subject is not None and not pruning.retraining)
        self.scope.setEnabled(subject is not None and not pruning.retraining)
        self.retrain_button.setEnabled(pruned and not busy)
        self.epochs.setEnabled(pruned and not busy)
        self.restore_button.setEnabled(pruning.original is not None)
        curve = self._show_curve()
        self.status.setText(self._status(subject, pruned, curve))

    def _sync_controls(self, subject: ModelEntry | None, pruned: bool) -> None:
        pruning = self.session.pruning
        percent = 0
        if pruned:
            percent = round(100 * pruning.fraction)
        elif subject is not None:
            percent = min(round(100 * zero_fraction(subject.network)), MAX_PERCENT)
        for widget in (self.slider, self.scope):
            widget.blockSignals(True)
        self.slider.setValue(percent)
        if pruned or self._retrained_answers():
            self.scope.setCurrentIndex(self.scope.findData(pruning.scope))
        for widget in (self.slider, self.scope):
            widget.blockSignals(False)
        self.amount.setText(f"{percent}%")
        self.cursor.setValue(percent)

    def _show_curve(self) -> PruningCurve | None:
        pruning, model = self.session.pruning, self._curve_model()
        outcome = None if model is None else self.session.pruning_curve.fetch(
            model, self.scope.currentData())  # fmt: skip
        curve = outcome if isinstance(outcome, PruningCurve) else None
        if curve is None:
            self.curve.setData([], [])
        else:
            self.curve.setData(100 * curve.fractions, 100 * curve.accuracies)
        shown = self._pruned_answers() or self._retrained_answers()  # (the star's reference)
        accuracy = self._pruned_accuracy() if shown else None
        if accuracy is None:
            self.now.setData([], [])
        else:
            self.now.setData([100 * pruning.fraction], [100 * accuracy])
        done = pruning.retrained
        if self._retrained_answers() and done is not None and done.test_accuracy is not None:
            self.star.setData([100 * done.fraction], [100 * done.test_accuracy])
        else:
            self.star.setData([], [])
        return curve

    def _pruned_accuracy(self) -> float | None:
        model = self.session.pruning.model
        outcome = None if model is None else self.session.pruned_accuracy.fetch(model)
        return outcome.accuracy if isinstance(outcome, ModelAccuracy) else None

    def _status(self, subject: ModelEntry | None, pruned: bool, curve: PruningCurve | None) -> str:
        if subject is None:
            return NO_MODEL
        pruning, failed = self.session.pruning, failed_or_none(
            self.session.pruning_curve.latest)  # fmt: skip
        original = f"original {_percent(curve.accuracies[0])}" if curve is not None else ""
        if failed is not None and curve is None:
            original = f"no test accuracy: {failed.message}"
        if pruning.retraining:
            latest = self.session.run.latest
            share = latest.course_epoch / max(latest.course_epochs, 1) if latest else 0.0
            return f"Retraining the survivors… {share:.0%} (pause or stop it in Run)"
        done = pruning.retrained
        if self._retrained_answers() and done is not None:
            plural = "" if round(done.epochs) == 1 else "s"
            return (f"Survivors retrained for {done.epochs:g} epoch{plural}: test accuracy "
                    f"<b>{_percent(done.test_accuracy)}</b>; pruned "
                    f"{_percent(self._pruned_accuracy())}, {original}")  # fmt: skip
        if pruned:
            accuracy = self._pruned_accuracy()
            now = "measuring…" if accuracy is None else f"<b>{_percent(accuracy)}</b>"
            words = SCOPE_WORDS[pruning.scope]
            return (f"<b>{pruning.fraction:.0%}</b> of the weights removed {words}: test "
                    f"accuracy {now}{', ' + original if original else ''}")  # fmt: skip
        measured = f" ({original.replace('original', 'test accuracy')})" if original else ""
        return f"Move the slider to prune {subject.label}{measured}"


if __name__ == "__main__":
    sys.exit(run_alone(PruningView, size=(440, 420)))
