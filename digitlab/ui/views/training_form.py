"""The next run's settings: data, network, optimiser; every hyper-parameter, checked as typed.

Each edit goes to the session at once (`run.set_settings`); a field that does not parse is shown
in red and stops Start until it is fixed. The form is read-only while a run is going. Pointing at
it is a sign the user will train, so the trainer process starts warming up then.
"""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.choices import ACTIVATIONS, DATASET_LABELS, DEFAULT_LR, OPTIMIZERS, SCHEDULES
from digitlab.core.data import parse_classes
from digitlab.session import Session
from digitlab.session.run import RunPhase
from digitlab.session.run_settings import LIMITS, RunSettings, format_hidden, parse_hidden
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.lr_spinbox import LearningRateSpinBox

REFRESH_CHOICES = {
    0: "10× per second",
    1: "every step",
    10: "every 10 steps",
    100: "every 100 steps",
}
ERROR_STYLE = "color: #d1242f;"


class TrainingFormView(View):
    view_id = "training"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._applying = False
        self._build()
        self._apply(session.run.settings)
        self.subscribe(session.run.settings_changed, self._on_settings)
        self.subscribe(session.run.phase_changed, self._on_phase)
        self._on_phase(session.run.phase)

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.dataset = QComboBox()
        for key, label in DATASET_LABELS.items():
            self.dataset.addItem(label, key)
        self.classes = QLineEdit()
        self.classes.setPlaceholderText("all ten, or 0,1 or 0-4")
        self.classes.setClearButtonEnabled(True)
        self.classes.setToolTip("Train on some digits only: '0,1' is the classic 0-vs-1 task")
        self.augment = QCheckBox("Augment")
        self.augment.setToolTip("Randomly shift, scale, rotate and thicken each training digit")
        self.hidden = QLineEdit()
        self.hidden.setPlaceholderText("none: the 1-layer net 784→10")
        self.hidden.setToolTip(
            "Hidden layer sizes, separated by commas: '100' is 784→100→10, '100,100' two hidden\n"
            "layers, '2' a 2-D bottleneck. Empty: no hidden layer (the 1-layer net)."
        )
        self.activation = QComboBox()
        self.activation.addItems(list(ACTIVATIONS))
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(OPTIMIZERS))
        self.lr = LearningRateSpinBox()
        self.lr.setRange(*LIMITS["lr"])
        self.momentum = self._float_box(LIMITS["momentum"], 0.05, "SGD momentum")
        self.weight_decay = self._float_box(
            LIMITS["weight_decay"], 1e-4, "L2 penalty (weight decay)"
        )
        self.l1 = self._float_box(LIMITS["l1"], 1e-5, "L1 penalty on the weights: sparser weights")
        self.schedule = QComboBox()
        self.schedule.addItems(list(SCHEDULES))
        self.schedule.setToolTip("cosine: the learning rate decays to 0 by the last step")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(*(int(v) for v in LIMITS["batch_size"]))
        self.epochs = QSpinBox()
        self.epochs.setRange(*(int(v) for v in LIMITS["epochs"]))
        self.seed = QSpinBox()
        self.seed.setRange(*(int(v) for v in LIMITS["seed"]))
        self.refresh = QComboBox()
        for every, label in REFRESH_CHOICES.items():
            self.refresh.addItem(label, every)
        self.refresh.setToolTip(
            "How often curves and weights redraw. 'every step' with a small batch shows each\n"
            "batch imprinting on the weights; training then waits for the display."
        )
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()

        groups = (
            ("Data", [("Dataset", self.dataset), ("Classes", self.classes), ("", self.augment)]),
            ("Network", [("Hidden layers", self.hidden), ("Activation", self.activation)]),
            ("Optimiser", [("Optimizer", self.optimizer), ("Learning rate", self.lr),
                           ("Momentum", self.momentum), ("Schedule", self.schedule),
                           ("Weight decay", self.weight_decay), ("L1", self.l1)]),
            ("Run", [("Batch size", self.batch_size), ("Epochs", self.epochs),
                     ("Seed", self.seed), ("Refresh", self.refresh)]),
        )  # fmt: skip
        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(6, 6, 6, 6)
        column_layout.addWidget(self.problem)
        self.groups: list[QGroupBox] = []
        for title, rows in groups:
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: field below
            for label, widget in rows:
                form.addRow(label, widget)
            box = QGroupBox(title)
            box.setLayout(form)
            column_layout.addWidget(box)
            self.groups.append(box)
        column_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(column)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        for widget in (self.classes, self.hidden, self.lr, self.momentum, self.weight_decay,
                       self.l1, self.batch_size, self.epochs, self.seed):  # fmt: skip
            widget.setMinimumWidth(60)  # fields shrink with a narrow dock; labels stay whole
        for combo in (self.dataset, self.activation, self.optimizer, self.schedule, self.refresh):
            combo.setMinimumContentsLength(6)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )

        for combo in (self.dataset, self.activation, self.schedule, self.refresh):
            combo.currentIndexChanged.connect(self._commit)
        self.optimizer.currentTextChanged.connect(self._on_optimizer)
        for edit in (self.classes, self.hidden):
            edit.textChanged.connect(self._commit)
        self.augment.toggled.connect(self._commit)
        for box in (self.lr, self.momentum, self.weight_decay, self.l1, self.batch_size,
                    self.epochs, self.seed):  # fmt: skip
            box.valueChanged.connect(self._commit)

    def _float_box(self, limits: tuple[float, float], step: float, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setDecimals(6)
        box.setRange(*limits)
        box.setSingleStep(step)
        box.setToolTip(tip)
        return box

    # --- settings ↔ widgets ------------------------------------------------------------------

    def read(self) -> tuple[RunSettings, str | None]:
        """The settings the widgets show, and the first problem with them (None if none)."""
        current = self.session.run.settings
        problems = []
        try:
            classes = parse_classes(self.classes.text())
        except ValueError as exc:
            classes, problems = current.classes, [f"Classes: {exc}"]
        try:
            hidden = parse_hidden(self.hidden.text())
        except ValueError as exc:
            hidden = current.hidden
            problems.append(f"Hidden layers: {exc}")
        settings = RunSettings(
            dataset=self.dataset.currentData(),
            classes=classes,
            augment=self.augment.isChecked(),
            hidden=hidden,
            activation=self.activation.currentText(),
            optimizer=self.optimizer.currentText(),
            lr=self.lr.value(),
            momentum=self.momentum.value(),
            weight_decay=self.weight_decay.value(),
            l1=self.l1.value(),
            schedule=self.schedule.currentText(),
            batch_size=self.batch_size.value(),
            epochs=self.epochs.value(),
            seed=self.seed.value(),
            refresh_every=int(self.refresh.currentData()),
        )
        return settings, (problems[0] if problems else None)

    def _commit(self) -> None:
        if self._applying:
            return
        settings, problem = self.read()
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        self.momentum.setEnabled(settings.optimizer == "sgd")
        self.session.run.set_settings(settings, problem)

    def _on_optimizer(self, name: str) -> None:
        """Switch to the new optimizer's usual rate unless the user chose a rate of their own."""
        if not self._applying and any(
            math.isclose(self.lr.value(), lr) for lr in DEFAULT_LR.values()
        ):
            self._applying = True
            self.lr.setValue(DEFAULT_LR[name])
            self._applying = False
        self._commit()

    def _on_settings(self, settings: RunSettings) -> None:
        shown, problem = self.read()
        if shown != settings and problem is None:
            self._apply(settings)  # changed elsewhere (restored settings, a script)

    def _apply(self, settings: RunSettings) -> None:
        self._applying = True
        try:
            self.dataset.setCurrentIndex(max(self.dataset.findData(settings.dataset), 0))
            self.classes.setText(",".join(str(c) for c in settings.classes or ()))
            self.augment.setChecked(settings.augment)
            self.hidden.setText(format_hidden(settings.hidden))
            self.activation.setCurrentText(settings.activation)
            self.optimizer.setCurrentText(settings.optimizer)
            self.lr.setValue(settings.lr)
            self.momentum.setValue(settings.momentum)
            self.weight_decay.setValue(settings.weight_decay)
            self.l1.setValue(settings.l1)
            self.schedule.setCurrentText(settings.schedule)
            self.batch_size.setValue(settings.batch_size)
            self.epochs.setValue(settings.epochs)
            self.seed.setValue(settings.seed)
            index = self.refresh.findData(settings.refresh_every)
            if index < 0:
                self.refresh.addItem(
                    f"every {settings.refresh_every} steps", settings.refresh_every
                )
                index = self.refresh.count() - 1
            self.refresh.setCurrentIndex(index)
            self.momentum.setEnabled(settings.optimizer == "sgd")
        finally:
            self._applying = False
        self.problem.hide()

    def _on_phase(self, phase: RunPhase) -> None:
        for box in self.groups:  # the scroll area stays usable
            box.setEnabled(not phase.busy)
            box.setToolTip("Stop the run to change its settings" if phase.busy else "")

    # --- intent ------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Enter, QEvent.Type.FocusIn):
            self.intends_to_train()
        return super().event(event)


if __name__ == "__main__":
    sys.exit(run_alone(TrainingFormView, size=(300, 620)))
