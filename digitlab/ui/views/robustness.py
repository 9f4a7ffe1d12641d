"""Robustness: where each model breaks as the test digits are moved, scaled, turned, drawn
thinner or thicker, or made noisy, with the window's preprocessing on and off.

Tick the models to compare (the shipped ones, the training run, opened files) and press Run: the
sweep (`session.robustness`) runs in the background, the curves fill in condition by condition,
and Cancel stops it. Solid lines are with the preprocessing, dashed without; the heatmaps show
one model's accuracy over a grid of shifts.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.jobs import Progress
from digitlab.session.models import ModelKind
from digitlab.session.robustness import SweepRequest
from digitlab.ui.plots.robustness_figure import RobustnessFigure, result_table
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.export import ExportButton, scene_picture

SETTINGS = {"on and off": (True, False), "on": (True,), "off": (False,)}
# Normalise pen within the preprocessing: "on and off" sweeps each model twice.
PEN_SETTINGS = {"on": (True,), "off": (False,), "on and off": (True, False)}


class RobustnessView(View):
    view_id = "robustness"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.models = QListWidget()
        self.models.setToolTip("The models to compare: tick two or more to overlay them")
        self.models.setFlow(QListWidget.Flow.LeftToRight)
        self.models.setWrapping(True)
        self.models.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.models.setSpacing(2)
        self.models.setMaximumHeight(2 * self.fontMetrics().lineSpacing() + 12)
        self.preprocessing = QComboBox()
        self.preprocessing.addItems([f"preprocessing {name}" for name in SETTINGS])
        self.preprocessing.setToolTip(
            "Run the window's MNIST preprocessing (fit to 20 px, centre by mass) on the distorted "
            "digits, skip it, or both (solid and dashed lines)"
        )
        self.pen = QComboBox()
        self.pen.addItems([f"pen normalised {name}" for name in PEN_SETTINGS])
        self.pen.setToolTip(
            "The preprocessing's Normalise pen step (What the net sees): on, off, or both, each "
            "model then swept twice (the second named 'pen off')"
        )
        self.run_button = QPushButton("Run sweep")
        self.run_button.setToolTip(
            "Accuracy on the 10 000 test digits under 84 distortions (seconds, in the background)"
        )
        self.run_button.clicked.connect(self.run_or_cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setValue(0)  # without a value Qt shows no text
        self.progress.setFormat("not run yet")
        self.heatmap_model = QComboBox()
        self.heatmap_model.setToolTip("Whose shift heatmaps to show")
        self.heatmap_model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.heatmap_model.currentIndexChanged.connect(self._show_heatmaps)
        self.figure = RobustnessFigure()
        self.export = ExportButton(
            session, lambda: scene_picture(self.figure), self._numbers, "robustness"
        )
        self.progress.setMinimumWidth(60)
        for combo in (self.preprocessing, self.pen):  # whole when there is room, else elided
            combo.setMinimumWidth(120)
        self.heatmap_model.setMinimumContentsLength(8)
        choices = QHBoxLayout()
        choices.addWidget(self.models, 1)
        choices.addWidget(self.heatmap_model)
        choices.addWidget(self.export)
        switches = QHBoxLayout()  # two rows: in one, a tab behind Confusion widened its column
        switches.addWidget(self.preprocessing)  # past a 1024-px screen beside a lesson
        switches.addWidget(self.pen)
        switches.addStretch(1)
        controls = QHBoxLayout()
        controls.addWidget(self.run_button)
        controls.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(choices)
        layout.addLayout(switches)
        layout.addLayout(controls)
        layout.addWidget(self.figure, 1)
        self._result = None
        sweeps = session.robustness
        self.subscribe(session.models.sources_changed, self._list_models)
        self.subscribe(sweeps.progress, self._on_progress)
        self.subscribe(sweeps.partial, self._on_result)
        self.subscribe(sweeps.finished, self._on_finished)
        self.subscribe(sweeps.failed, self._on_failed)
        self._list_models()

    def sizeHint(self) -> QSize:
        return QSize(620, 560)

    # --- models ------------------------------------------------------------------------------

    def _list_models(self) -> None:
        ticked = set(self.chosen_keys()) or None
        self.models.clear()
        for source in self.session.models.sources():
            item = QListWidgetItem(source.label)
            item.setData(Qt.ItemDataRole.UserRole, source.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            default = source.kind is ModelKind.SHIPPED
            on = source.key in ticked if ticked is not None else default
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.models.addItem(item)

    def chosen_keys(self) -> list[str]:
        items = [self.models.item(i) for i in range(self.models.count())]
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def choose(self, keys: list[str]) -> None:
        for i in range(self.models.count()):
            item = self.models.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in keys
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # --- the sweep ---------------------------------------------------------------------------

    def run_or_cancel(self) -> None:
        sweeps = self.session.robustness
        if sweeps.running:
            sweeps.cancel()
            self.run_button.setText("Run sweep")
            self.progress.setFormat("cancelled")
            return
        preprocessing = SETTINGS[self.preprocessing.currentText().removeprefix("preprocessing ")]
        pen = PEN_SETTINGS[self.pen.currentText().removeprefix("pen normalised ")]
        keys = tuple(self.chosen_keys())
        sweeps.run(SweepRequest(keys, preprocessing=preprocessing, normalise_pen=pen))
        if sweeps.running:
            self.run_button.setText("Cancel")
            self.progress.setValue(0)
            self.progress.setFormat("starting…")

    def _on_progress(self, progress: Progress) -> None:
        self.progress.setValue(int(1000 * progress.fraction))
        self.progress.setFormat(f"%p%  {progress.text}")

    def _on_result(self, result) -> None:
        models_changed = self._result is None or self._result.models != result.models
        self._result = result
        if models_changed:
            self.heatmap_model.blockSignals(True)
            self.heatmap_model.clear()
            self.heatmap_model.addItems(result.models)
            self.heatmap_model.setCurrentIndex(len(result.models) - 1)
            self.heatmap_model.blockSignals(False)
        self.figure.set_result(result, self.heatmap_model.currentIndex())

    def _on_finished(self, result) -> None:
        self._on_result(result)
        self.run_button.setText("Run sweep")
        self.progress.setValue(1000)
        self.progress.setFormat(f"done in {result.seconds:.1f} s")

    def _on_failed(self, failure: AnalysisFailed) -> None:
        self.run_button.setText("Run sweep")
        self.progress.setFormat(failure.message)
        self.session.notices.error(failure.message, source="robustness")

    def _show_heatmaps(self, index: int) -> None:
        if self._result is not None and index >= 0:
            self.figure.set_result(self._result, index)

    def _numbers(self) -> str:
        return result_table(self._result) if self._result is not None else ""

    # --- what it remembers -------------------------------------------------------------------

    def view_settings(self) -> dict[str, Any]:
        return {
            "preprocessing": self.preprocessing.currentText().removeprefix("preprocessing "),
            "normalise_pen": self.pen.currentText().removeprefix("pen normalised "),
        }

    def apply_view_settings(self, values: dict[str, Any]) -> None:
        value = values.get("preprocessing")
        if isinstance(value, str) and value in SETTINGS:
            self.preprocessing.setCurrentText(f"preprocessing {value}")
        pen = values.get("normalise_pen")
        if isinstance(pen, str) and pen in PEN_SETTINGS:
            self.pen.setCurrentText(f"pen normalised {pen}")


if __name__ == "__main__":
    sys.exit(run_alone(RobustnessView, size=(720, 640)))
