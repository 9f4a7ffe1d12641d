"""The next run's settings: data, network, optimiser; every hyper-parameter, checked as typed.

The rows and their two-way binding come from the hyper-parameter table (`core.hyperparams`): a new
option there gets its row here without an edit (the pace, which changes while a run goes, is on
the Run view instead: the form keeps whatever value the session has for it).

Each edit goes to the session at once (`run.set_settings`); a field that does not parse is shown
in red and stops Start until it is fixed. While a run goes only the live fields (learning rate,
momentum, weight decay, L1, batch size, augmentation) stay editable: they change the run at its
next step; the others are read-only and apply at the next Start. Pointing at the form is a sign
the user will train, so the trainer process starts warming up then.
"""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
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

from digitlab.core.choices import DEFAULT_LR
from digitlab.core.hyperparams import FORM_OPTIONS, GROUPS, Option
from digitlab.session import Session
from digitlab.session.run import RunPhase
from digitlab.session.run_settings import RunSettings
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.lr_spinbox import LearningRateSpinBox
from digitlab.ui.widgets.wheel_guard import guard

ERROR_STYLE = "color: #d1242f;"
LIVE_TIP = "\n\nChanging it changes the going run at its next step."
NEXT_START_TIP = "\n\nApplies at the next Start: stop the run to change it."


def make_field(option: Option) -> QWidget:
    """The widget of one option: a text field, a list (choices or presets) or a spin box."""
    widget: QWidget
    if option.kind == "text":
        widget = QLineEdit()
        widget.setPlaceholderText(option.placeholder)
        widget.setClearButtonEnabled(True)
    elif option.kind == "choice" or option.labels:
        widget = QComboBox()
        for value in option.choices or option.labels:
            widget.addItem(option.label_of(value), value)
        widget.setMinimumContentsLength(6)
        widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    elif option.kind == "int":
        widget = QSpinBox()
        widget.setRange(*(int(v) for v in option.bounds or (0, 0)))
    else:
        widget = LearningRateSpinBox() if option.log else QDoubleSpinBox()
        if not option.log:
            widget.setDecimals(6)
            widget.setSingleStep(option.step)
        widget.setRange(*(option.bounds or (0.0, 0.0)))
    if not isinstance(widget, QComboBox):
        widget.setMinimumWidth(60)  # fields shrink with a narrow dock; labels stay whole
    widget.setToolTip(option.tooltip)
    return widget


class TrainingFormView(View):
    """One row per form option of the hyper-parameter table, in its group's box; each field is
    also an attribute named after its option (`form.epochs`, `form.refresh_every`)."""

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
        self.fields: dict[str, QWidget] = {}
        for option in FORM_OPTIONS:
            self.fields[option.name] = field = make_field(option)
            setattr(self, option.name, field)
            if option.name == "optimizer":  # the usual rate follows it
                field.currentTextChanged.connect(self._on_optimizer)
            elif isinstance(field, QLineEdit):
                field.textChanged.connect(self._commit)
            elif isinstance(field, QComboBox):
                field.currentIndexChanged.connect(self._commit)
            else:
                field.valueChanged.connect(self._commit)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()

        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(6, 6, 6, 6)
        column_layout.addWidget(self.problem)
        self.groups: list[QGroupBox] = []
        for title in GROUPS:
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: field below
            for option in FORM_OPTIONS:
                if option.group == title:
                    form.addRow(option.label, self.fields[option.name])
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
        guard(list(self.fields.values()), self)  # the wheel scrolls the pane, not the fields

    # --- settings ↔ widgets ------------------------------------------------------------------

    def read(self) -> tuple[RunSettings, str | None]:
        """The settings the widgets show (the rest, the pace, as the session has them), and the
        first problem with them (None if none)."""
        current = self.session.run.settings
        values, problems = {}, []
        for option in FORM_OPTIONS:
            field = self.fields[option.name]
            if isinstance(field, QLineEdit):
                try:
                    values[option.name] = option.parse_for_window(field.text())
                except ValueError as exc:
                    values[option.name] = getattr(current, option.name)
                    problems.append(f"{option.label}: {exc}")
            elif isinstance(field, QComboBox):
                values[option.name] = field.currentData()
            else:
                values[option.name] = field.value()
        return current.replaced(**values), (problems[0] if problems else None)

    def _commit(self) -> None:
        if self._applying:
            return
        settings, problem = self.read()
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        self._enable(settings)
        self.session.run.set_settings(settings, problem)

    def _enable(self, settings: RunSettings) -> None:
        """Fields used only with other options' values (momentum: sgd; augment: digits) are off
        without them; while a run goes, so are those it cannot take (see the module docstring)."""
        busy, values = self.session.run.phase.busy, settings.values()
        for option in FORM_OPTIONS:
            field = self.fields[option.name]
            used = option.used(values)
            field.setEnabled(used and (option.live or not busy))
            tip = (LIVE_TIP if option.live else NEXT_START_TIP) if busy else ""
            field.setToolTip(option.tooltip + tip)

    def _on_optimizer(self, name: str) -> None:
        """Switch to the new optimizer's usual rate unless the user chose a rate of their own."""
        lr = self.fields["lr"]
        if not self._applying and any(math.isclose(lr.value(), v) for v in DEFAULT_LR.values()):
            self._applying = True
            lr.setValue(DEFAULT_LR[name])
            self._applying = False
        self._commit()

    def _on_settings(self, settings: RunSettings) -> None:
        shown, problem = self.read()
        if shown != settings and problem is None:
            self._apply(settings)  # changed elsewhere (restored settings, a script)

    def _apply(self, settings: RunSettings) -> None:
        self._applying = True
        try:
            for option in FORM_OPTIONS:
                field, value = self.fields[option.name], getattr(settings, option.name)
                if isinstance(field, QLineEdit):
                    field.setText(option.format(value))
                elif isinstance(field, QComboBox):
                    index = field.findData(value)
                    if index < 0:  # a stored value the list does not offer ("every 25 steps")
                        field.addItem(option.label_of(value), value)
                        index = field.count() - 1
                    field.setCurrentIndex(index)
                else:
                    field.setValue(value)
            self._enable(settings)
        finally:
            self._applying = False
        self.problem.hide()

    def _on_phase(self, phase: RunPhase) -> None:
        self._enable(self.read()[0])

    # --- intent ------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Enter, QEvent.Type.FocusIn):
            self.intends_to_train()
        return super().event(event)


if __name__ == "__main__":
    sys.exit(run_alone(TrainingFormView, size=(300, 620)))
