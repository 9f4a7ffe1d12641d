"""Train a net from the window: hyper-parameters, start/pause/stop, live curves and weights.

Training runs in a `TrainingWorker` thread; this pane only draws the snapshots it receives (curves
with `setData`, weights through `WeightView`) and re-emits the live weights for the drawing pane.
Datasets load off the GUI thread and stay cached per (name, classes), so a second run starts at
once. Start continues the current model when dataset, classes and architecture are unchanged;
Reset draws new random weights.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

import digitlab.ui  # noqa: F401  (pyqtgraph options)
from digitlab.core.data import Dataset, is_downloaded, load_dataset, parse_classes
from digitlab.core.model import (
    MLP,
    ModelSpec,
    model_arrays,
    model_from_arrays,
    new_model,
    save_checkpoint,
)
from digitlab.core.training import DEFAULT_LR, Snapshot, TrainConfig
from digitlab.ui.settings import as_bool
from digitlab.ui.tasks import run_in_background
from digitlab.ui.weights import WeightView
from digitlab.ui.worker import TrainingWorker

DatasetLoader = Callable[[str, "tuple[int, ...] | None"], Dataset]

DATASET_LABELS = {"mnist": "MNIST", "fashion": "Fashion-MNIST", "kmnist": "KMNIST"}
ACTIVATION_NAMES = ("relu", "tanh", "sigmoid")
# Refresh choices: key → (label, snapshot_every). 0 = time-based, SNAPSHOT_SECONDS apart.
REFRESH_RATES = {
    "time": ("10× per second", 0),
    "1": ("every step", 1),
    "10": ("every 10 steps", 10),
    "100": ("every 100 steps", 100),
}
SNAPSHOT_SECONDS = 0.1
RATE_SMOOTHING = 0.3  # weight of the newest samples/s reading in the displayed average

TRAIN_COLOUR = QColor("#2f81f7")
TRAIN_ACC_COLOUR = QColor("#d29922")
TEST_COLOUR = QColor("#3fb950")
ERROR_COLOUR = QColor("#d1242f")
FORM_WIDTH = 290  # the settings column; the rest of the pane shows the run
CURVES_HEIGHT = 190  # loss and accuracy: short, so the weights below get the height

DEFAULTS: dict[str, Any] = {
    "dataset": "mnist",
    "classes": "",
    "augment": False,
    "layers": 2,
    "hidden": 100,
    "activation": "relu",
    "optimizer": "adam",
    "lr": DEFAULT_LR["adam"],
    "batch_size": 64,
    "epochs": 3,
    "seed": 0,
    "refresh": "time",
}


def default_loader(name: str, classes: tuple[int, ...] | None) -> Dataset:
    """Load from the data root ($DIGITLAB_DATA or the user cache), downloading if needed."""
    return load_dataset(name, classes=classes)


def needs_download(name: str) -> bool:
    """True when the dataset's files are not in the data root yet (the first run downloads)."""
    return not is_downloaded(name)


def format_duration(seconds: float) -> str:
    """'0:07', '12:30', '1:02:03' — a countdown, not a precise time."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# --- widgets ---------------------------------------------------------------------------------


class LearningRateSpinBox(QDoubleSpinBox):
    """A learning rate: typed freely ('3e-4'), stepped along 1, 2, 5 × 10^k with the arrows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(8)
        self.setRange(1e-6, 1000.0)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        from PySide6.QtGui import QValidator

        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            partial = stripped == "" or stripped[-1] in "eE.-+"
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            value = self._next(value, up=steps > 0)
        self.setValue(value)

    @staticmethod
    def _next(value: float, up: bool) -> float:
        exponent = math.floor(math.log10(value))
        ladder = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
        if up:
            return next(v for v in ladder if v > value * (1 + 1e-9))
        return next(v for v in reversed(ladder) if v < value * (1 - 1e-9))


class _Series:
    """A growing (x, y) curve bound to one PlotDataItem, redrawn in place with setData."""

    def __init__(self, item: pg.PlotDataItem) -> None:
        self.item = item
        self._x = np.empty(256)
        self._y = np.empty(256)
        self._n = 0

    def append(self, x: float, y: float) -> None:
        if self._n == len(self._x):
            self._x = np.concatenate([self._x, np.empty_like(self._x)])
            self._y = np.concatenate([self._y, np.empty_like(self._y)])
        self._x[self._n], self._y[self._n] = x, y
        self._n += 1
        self.item.setData(self._x[: self._n], self._y[: self._n])

    def clear(self) -> None:
        self._n = 0
        self.item.setData(np.empty(0), np.empty(0))

    def __len__(self) -> int:
        return self._n

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x[: self._n].copy(), self._y[: self._n].copy()


class TrainingCurves(QWidget):
    """Loss and accuracy against epochs: train as lines, test accuracy as markers per epoch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        self._text = palette.color(QPalette.ColorRole.Text)
        self._faint = palette.color(QPalette.ColorRole.PlaceholderText)
        self.loss_plot = self._plot("Training loss", "cross-entropy", background)
        self.accuracy_plot = self._plot("Accuracy", "%", background)
        self.accuracy_plot.getPlotItem().setLimits(yMin=0, yMax=100.5)
        legend = self.accuracy_plot.getPlotItem().addLegend(offset=(-8, -8), labelTextSize="8pt")
        legend.setLabelTextColor(self._text)
        legend.setBrush(pg.mkBrush(background))

        self.loss = _Series(self.loss_plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=1.5)))
        self.train_accuracy = _Series(
            self.accuracy_plot.plot(pen=pg.mkPen(TRAIN_ACC_COLOUR, width=1.5), name="train")
        )
        self.test_accuracy = _Series(
            self.accuracy_plot.plot(
                pen=None,
                symbol="o",
                symbolSize=8,
                symbolBrush=pg.mkBrush(TEST_COLOUR),
                symbolPen=pg.mkPen(background, width=1.5),
                name="test (epoch end)",
            )
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)
        self._show_empty_ranges()

    def _plot(self, title: str, unit: str, background: QColor) -> pg.PlotWidget:
        widget = pg.PlotWidget(background=background)
        plot = widget.getPlotItem()
        plot.setTitle(title, color=self._text.name(), size="9pt", bold=True)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        # No grid: pyqtgraph redraws grid lines with the axes on every refresh, which tripled the
        # cost of a curve repaint (~8 ms → ~2.7 ms) and slowed training through the GIL.
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(self._faint))
            axis.setTextPen(pg.mkPen(self._text))
            axis.enableAutoSIPrefix(False)  # no "(x0.001)" on a loss axis
        plot.setLabel("bottom", "epoch", color=self._text.name())
        plot.setLabel("left", unit, color=self._text.name())
        widget.setMinimumSize(120, 140)
        return widget

    def sizeHint(self) -> QSize:
        return QSize(480, CURVES_HEIGHT)

    def add_train(self, epoch: float, loss: float, accuracy: float) -> None:
        if math.isfinite(loss) and loss > 0:
            self.loss.append(epoch, loss)
        if math.isfinite(accuracy):
            self.train_accuracy.append(epoch, 100.0 * accuracy)

    def add_test(self, epoch: float, accuracy: float) -> None:
        self.test_accuracy.append(epoch, 100.0 * accuracy)

    def clear(self) -> None:
        for series in (self.loss, self.train_accuracy, self.test_accuracy):
            series.clear()
        self._show_empty_ranges()

    def _show_empty_ranges(self) -> None:
        """Sensible axes before the first point; auto-range takes over once data arrives."""
        for widget, top in ((self.loss_plot, math.log(10)), (self.accuracy_plot, 100.0)):
            plot = widget.getPlotItem()
            plot.setRange(xRange=(0, 1), yRange=(0, top), padding=0.02)
            plot.enableAutoRange()


class HyperParameterForm(QWidget):
    """The run's settings, grouped; `values()` is a plain dict (QSettings, checkpoint meta)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset = QComboBox()
        for key, label in DATASET_LABELS.items():
            self.dataset.addItem(label, key)
        self.classes = QLineEdit()
        self.classes.setPlaceholderText("all ten, or e.g. 0,1 or 3,5,8")
        self.classes.setClearButtonEnabled(True)
        self.classes_error = QLabel()
        self.classes_error.setWordWrap(True)
        self.classes_error.setStyleSheet(f"color: {ERROR_COLOUR.name()};")
        self.classes_error.hide()
        self.augment = QCheckBox("Augment training images")
        self.augment.setToolTip("Randomly shift, scale, rotate and thicken the training digits")

        self.architecture = QComboBox()
        self.architecture.addItem("1 layer: 784 → 10", 1)
        self.architecture.addItem("2 layers: 784 → h → 10", 2)
        self.hidden = QSpinBox()
        self.hidden.setRange(1, 512)
        self.activation = QComboBox()
        self.activation.addItems(ACTIVATION_NAMES)

        self.optimizer = QComboBox()
        self.optimizer.addItems(["adam", "sgd"])
        self.lr = LearningRateSpinBox()
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 1024)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 50)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.refresh = QComboBox()
        for key, (label, _every) in REFRESH_RATES.items():
            self.refresh.addItem(label, key)
        self.refresh.setToolTip(
            "How often the curves and weights redraw. 'every step' with a small batch shows each\n"
            "batch imprinting on the weights; training then waits for the display."
        )

        data = QFormLayout()
        data.addRow("Dataset", self.dataset)
        data.addRow("Classes", self.classes)
        data.addRow("", self.classes_error)
        data.addRow("", self.augment)
        network = QFormLayout()
        network.addRow("Architecture", self.architecture)
        network.addRow("Hidden units", self.hidden)
        network.addRow("Activation", self.activation)
        optimisation = QFormLayout()
        optimisation.addRow("Optimizer", self.optimizer)
        optimisation.addRow("Learning rate", self.lr)
        optimisation.addRow("Batch size", self.batch_size)
        optimisation.addRow("Epochs", self.epochs)
        optimisation.addRow("Seed", self.seed)
        optimisation.addRow("Refresh", self.refresh)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, form in (("Data", data), ("Network", network), ("Training", optimisation)):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            box = QGroupBox(title)
            box.setLayout(form)
            layout.addWidget(box)

        self.set_values(DEFAULTS)
        self.architecture.currentIndexChanged.connect(self._update_enabled)
        self.optimizer.currentTextChanged.connect(self._on_optimizer_changed)
        self.classes.textChanged.connect(self._validate_classes)
        for signal in (
            self.dataset.currentIndexChanged,
            self.classes.textChanged,
            self.architecture.currentIndexChanged,
            self.hidden.valueChanged,
            self.activation.currentIndexChanged,
        ):
            signal.connect(self.changed)
        self._previous_optimizer = self.optimizer.currentText()

    def _update_enabled(self) -> None:
        two_layers = self.architecture.currentData() == 2
        self.hidden.setEnabled(two_layers)
        self.activation.setEnabled(two_layers)

    def _on_optimizer_changed(self, name: str) -> None:
        """Switch to the new optimizer's usual rate unless the user chose a rate of their own."""
        if math.isclose(self.lr.value(), DEFAULT_LR[self._previous_optimizer]):
            self.lr.setValue(DEFAULT_LR[name])
        self._previous_optimizer = name

    def _validate_classes(self) -> bool:
        try:
            parse_classes(self.classes.text().strip())
        except ValueError as exc:
            self.classes_error.setText(str(exc))
            self.classes_error.show()
            return False
        self.classes_error.hide()
        return True

    # --- reading and writing --------------------------------------------------------------

    def parsed_classes(self) -> tuple[int, ...] | None:
        """The class subset, None for all; raises ValueError (and shows it) if malformed."""
        if not self._validate_classes():
            raise ValueError(self.classes_error.text())
        return parse_classes(self.classes.text().strip())

    def spec(self, num_classes: int) -> ModelSpec:
        hidden = (self.hidden.value(),) if self.architecture.currentData() == 2 else ()
        return ModelSpec(
            hidden=hidden, activation=self.activation.currentText(), num_classes=num_classes
        )

    def train_config(self) -> TrainConfig:
        snapshot_every = REFRESH_RATES[self.refresh.currentData()][1]
        return TrainConfig(
            epochs=self.epochs.value(),
            batch_size=self.batch_size.value(),
            lr=self.lr.value(),
            optimizer=self.optimizer.currentText(),
            seed=self.seed.value(),
            augment=self.augment.isChecked(),
            snapshot_every=snapshot_every,
            snapshot_seconds=SNAPSHOT_SECONDS,
        )

    def values(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset.currentData(),
            "classes": self.classes.text().strip(),
            "augment": self.augment.isChecked(),
            "layers": self.architecture.currentData(),
            "hidden": self.hidden.value(),
            "activation": self.activation.currentText(),
            "optimizer": self.optimizer.currentText(),
            "lr": self.lr.value(),
            "batch_size": self.batch_size.value(),
            "epochs": self.epochs.value(),
            "seed": self.seed.value(),
            "refresh": self.refresh.currentData(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        """Apply what is valid in `values` (e.g. from QSettings, where all may be strings)."""

        def pick(combo: QComboBox, value: Any, by_data: bool = True) -> None:
            index = combo.findData(value) if by_data else combo.findText(str(value))
            if index >= 0:
                combo.setCurrentIndex(index)

        def number(key: str, kind: type) -> Any:
            try:
                return kind(values[key])
            except (KeyError, TypeError, ValueError):
                return None

        if "dataset" in values:
            pick(self.dataset, str(values["dataset"]))
        if "classes" in values:
            self.classes.setText(str(values["classes"] or ""))
        if "augment" in values:
            self.augment.setChecked(as_bool(values["augment"]))
        if (layers := number("layers", int)) is not None:
            pick(self.architecture, layers)
        if (hidden := number("hidden", int)) is not None:
            self.hidden.setValue(hidden)
        if "activation" in values:
            pick(self.activation, values["activation"], by_data=False)
        if "optimizer" in values:
            pick(self.optimizer, values["optimizer"], by_data=False)
            self._previous_optimizer = self.optimizer.currentText()
        if (lr := number("lr", float)) is not None and lr > 0:
            self.lr.setValue(lr)
        for key, box in (("batch_size", self.batch_size), ("epochs", self.epochs)):
            if (value := number(key, int)) is not None:
                box.setValue(value)
        if (seed := number("seed", int)) is not None:
            self.seed.setValue(seed)
        if "refresh" in values:
            pick(self.refresh, str(values["refresh"]))
        self._update_enabled()


# --- the pane --------------------------------------------------------------------------------


class TrainingPane(QWidget):
    """Hyper-parameters, run controls, progress, curves and the live weights of one model."""

    modelUpdated = Signal(object, object, object, object)  # spec, classes, weights, biases
    status = Signal(str)
    runStateChanged = Signal(str)  # 'idle', 'loading', 'running', 'paused', 'finished'
    saved = Signal(str)  # the path a model was written to

    def __init__(
        self, parent: QWidget | None = None, dataset_loader: DatasetLoader | None = None
    ) -> None:
        super().__init__(parent)
        self._loader = dataset_loader
        self._datasets: dict[tuple[str, tuple[int, ...] | None], Dataset] = {}
        self._worker = TrainingWorker()
        self._worker.snapshot.connect(self._on_snapshot)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        # A pane deleted mid-run (not closed) still stops its thread; the lambda keeps no `self`.
        worker = self._worker
        self.destroyed.connect(lambda *_: worker.stop(wait_ms=1000))

        self._model: MLP | None = None
        self._model_key: tuple | None = None  # (dataset, classes, spec) the model was made for
        self._classes: tuple[int, ...] = tuple(range(10))
        self._last: Snapshot | None = None
        self._run_config: TrainConfig | None = None
        self._run_dataset: Dataset | None = None
        self._samples_before_run = 0  # samples trained on by earlier runs of this model
        self._epochs_trained = 0
        # The weights as last reported: what the GUI may read while the thread trains the model.
        self._live: tuple[list[np.ndarray], list[np.ndarray]] | None = None
        self._test_accuracy: float | None = None
        self._rate = 0.0
        self._load_ticket = 0  # bumped to forget a dataset load the user no longer waits for
        self._state = "idle"

        self.form = HyperParameterForm()
        self.form.changed.connect(self._update_buttons)
        self.curves = TrainingCurves()
        self.weights = WeightView()
        self._build_controls()
        self._build_layout()
        self._set_state("idle")

    # --- layout ---------------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("New random weights; the curves are cleared")
        self.reset_button.clicked.connect(self.reset)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the model (Ctrl+S)")
        self.save_button.clicked.connect(self.save_dialog)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.loss_value = QLabel("–")
        self.train_acc_value = QLabel("–")
        self.test_acc_value = QLabel("–")
        self.rate_value = QLabel("–")
        self.eta_value = QLabel("–")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def _build_layout(self) -> None:
        buttons = QGridLayout()
        buttons.addWidget(self.start_button, 0, 0)
        buttons.addWidget(self.pause_button, 0, 1)
        buttons.addWidget(self.stop_button, 0, 2)
        buttons.addWidget(self.reset_button, 1, 0)
        buttons.addWidget(self.save_button, 1, 1, 1, 2)

        stats = QGridLayout()
        stats.setHorizontalSpacing(10)
        for row, (name, value) in enumerate(
            (
                ("Loss", self.loss_value),
                ("Train accuracy", self.train_acc_value),
                ("Test accuracy", self.test_acc_value),
                ("Speed", self.rate_value),
                ("Time left", self.eta_value),
            )
        ):
            label = QLabel(name)
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            stats.addWidget(label, row, 0)
            stats.addWidget(value, row, 1)
        run_box = QGroupBox("Run")
        run_layout = QVBoxLayout(run_box)
        run_layout.addLayout(buttons)
        run_layout.addWidget(self.progress)
        run_layout.addLayout(stats)
        run_layout.addWidget(self.message)

        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 6, 0)
        column_layout.addWidget(self.form)
        column_layout.addWidget(run_box)
        column_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(column)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(FORM_WIDTH)

        # The weights are the point of the pane: short curves on top, the weights below take
        # every spare pixel (the splitter still lets the user trade one for the other).
        views = QSplitter(Qt.Orientation.Vertical)
        views.addWidget(self.curves)
        views.addWidget(self.weights)
        views.setStretchFactor(0, 0)
        views.setStretchFactor(1, 1)
        views.setChildrenCollapsible(False)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(scroll)
        layout.addWidget(views, 1)

    def sizeHint(self) -> QSize:
        return QSize(1000, 760)

    # --- state ----------------------------------------------------------------------------

    def run_state(self) -> str:
        return self._state

    def _set_state(self, state: str) -> None:
        changed = state != self._state
        self._state = state
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self._update_buttons()
        if changed:
            self.runStateChanged.emit(state)

    def _update_buttons(self) -> None:
        state = self._state
        busy = state in ("loading", "running", "paused")
        self.start_button.setEnabled(not busy)
        continuing = self._would_continue()
        self.start_button.setText("Continue" if continuing else "Start")
        self.start_button.setToolTip(
            "Train the current weights further (fresh shuffle; the optimizer starts afresh)"
            if continuing
            else "Train a new net with these settings (Space)"
        )
        self.pause_button.setEnabled(state in ("running", "paused"))
        self.stop_button.setEnabled(busy)
        self.reset_button.setEnabled(state != "loading")
        self.save_button.setEnabled(self._model is not None and state != "loading")
        self.form.setEnabled(not busy)

    def _would_continue(self) -> bool:
        """Would Start keep training the current model (same data, classes and architecture)?"""
        if self._model is None or self._model_key is None or self._last is None:
            return False
        try:
            classes = self.form.parsed_classes()
        except ValueError:
            return False
        chosen = classes or tuple(range(10))
        return self._model_key == self._key_for(self.form.values()["dataset"], chosen)

    def _key_for(self, dataset: str, classes: tuple[int, ...]) -> tuple:
        return (dataset, tuple(classes), self.form.spec(len(classes)))

    def _show_message(self, text: str, error: bool = False) -> None:
        colour = ERROR_COLOUR if error else self.palette().color(QPalette.ColorRole.Text)
        self.message.setStyleSheet(f"color: {colour.name()};")
        self.message.setText(text)
        self.status.emit(text)

    # --- public API -----------------------------------------------------------------------

    def start(self) -> None:
        """Start (or continue) training with the form's settings; loads the dataset if needed."""
        if self._state in ("loading", "running", "paused") or self._worker.is_running():
            return
        try:
            classes = self.form.parsed_classes()
        except ValueError as exc:
            self._show_message(f"Cannot start: {exc}", error=True)
            return
        name = self.form.values()["dataset"]
        cached = self._datasets.get((name, classes))
        if cached is not None:
            self._begin(cached)
            return
        self._load_ticket += 1
        ticket = self._load_ticket
        label = DATASET_LABELS.get(name, name)
        if self._loader is None and needs_download(name):
            self._show_message(f"Downloading {label} (first run only)…")
        else:
            self._show_message(f"Loading {label}…")
        self._set_state("loading")
        loader = self._loader or default_loader

        def loaded(dataset: Dataset) -> None:
            if ticket != self._load_ticket:
                return
            self._datasets[(name, classes)] = dataset
            self._begin(dataset)

        def failed(message: str) -> None:
            if ticket != self._load_ticket:
                return
            self._set_state("idle")
            self._show_message(message, error=True)

        run_in_background(lambda: loader(name, classes), loaded, failed)

    def toggle_pause(self) -> None:
        if self._state == "running":
            self._worker.pause()
            self._set_state("paused")
            self._show_message("Paused")
        elif self._state == "paused":
            self._worker.resume()
            self._set_state("running")
            self._show_message("Training…")

    def stop(self) -> None:
        """Stop the run (its last snapshot still arrives) or forget a dataset being loaded."""
        if self._state == "loading":
            self._load_ticket += 1
            self._set_state("idle")
            self._show_message("Loading cancelled")
            return
        self._worker.stop(wait_ms=1000)

    def reset(self) -> None:
        """Throw the model away: new random weights (seeded), curves and progress cleared."""
        self._worker.stop(wait_ms=1000)
        self._load_ticket += 1
        self._last, self._run_config, self._run_dataset = None, None, None
        self._samples_before_run, self._epochs_trained, self._test_accuracy = 0, 0, None
        self.curves.clear()
        self._reset_progress()
        try:
            classes = self.form.parsed_classes() or tuple(range(10))
        except ValueError:
            self._model, self._model_key = None, None
            self.weights.clear()
        else:
            spec = self.form.spec(len(classes))
            self._model = new_model(spec, seed=self.form.seed.value())
            self._model_key = self._key_for(self.form.values()["dataset"], classes)
            self._classes = classes
            weights, biases = model_arrays(self._model)
            self.weights.show_weights(weights, biases, None, classes)
            self.modelUpdated.emit(spec, classes, weights, biases)
        self._set_state("idle")
        self._show_message("New random weights" if self._model is not None else "")

    def current_model(self) -> tuple[MLP, tuple[int, ...]] | None:
        """A copy of the model as last reported (safe to use while training goes on)."""
        if self._model is None:
            return None
        if self._worker.is_running() and self._live is not None:
            model = model_from_arrays(self._model.spec, *self._live)
        else:
            model = copy.deepcopy(self._model).eval()
        return model, self._classes

    def save_model(self, path: str | Path) -> None:
        """Write the model with its metadata, off the GUI thread; `saved` reports the path."""
        current = self.current_model()
        if current is None:
            self._show_message("Nothing to save yet: train a model first", error=True)
            return
        model, classes = current
        meta = self._checkpoint_meta(classes)
        target = Path(path)

        def done(written: Path) -> None:
            self._show_message(f"Saved {written}")
            self.saved.emit(str(written))

        run_in_background(
            lambda: save_checkpoint(target, model, meta),
            done,
            lambda message: self._show_message(f"Could not save: {message}", error=True),
        )

    def save_dialog(self) -> None:
        """Ask where to save (Ctrl+S), then save_model."""
        if self._model is None:
            self._show_message("Nothing to save yet: train a model first", error=True)
            return
        dataset = self._model_key[0] if self._model_key else "mnist"
        name = f"{dataset}-{'-'.join(str(s) for s in self._model.spec.sizes)}.pt"
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save model", str(Path.home() / name), "digitlab models (*.pt)"
        )
        if path:
            self.save_model(path if Path(path).suffix else f"{path}.pt")

    def hyperparameters(self) -> dict[str, Any]:
        return self.form.values()

    def set_hyperparameters(self, values: dict[str, Any]) -> None:
        self.form.set_values(values)
        self._update_buttons()

    def shutdown(self) -> None:
        """Stop training and forget pending loads (the window is closing)."""
        self._load_ticket += 1
        self._worker.close(wait_ms=1000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def worker(self) -> TrainingWorker:
        return self._worker

    # --- running --------------------------------------------------------------------------

    def _begin(self, dataset: Dataset) -> None:
        classes = dataset.classes
        key = self._key_for(dataset.name, classes)
        if self._model is None or self._model_key != key:
            self._model = new_model(self.form.spec(len(classes)), seed=self.form.seed.value())
            self._model_key = key
            self._samples_before_run, self._epochs_trained = 0, 0
            self._test_accuracy = None
            self.curves.clear()
        self._classes = classes
        config = self.form.train_config()
        if self._samples_before_run:
            # Continuing: a fresh shuffle and fresh augmentation draws, not a replay of run one.
            config = dataclasses.replace(config, seed=config.seed + self._samples_before_run)
        self._run_config = config
        self._run_dataset = dataset
        self._last, self._rate = None, 0.0
        self._live = model_arrays(self._model)
        self._reset_progress()
        self._worker.start(self._model, dataset, self._run_config)
        self._set_state("running")
        label = DATASET_LABELS.get(dataset.name, dataset.name)
        self._show_message(
            f"Training {self._model.spec.describe()} on {label} ({len(dataset.train):,} images)…"
        )

    def _on_snapshot(self, snap: Snapshot) -> None:
        if self._model is None or self._run_dataset is None:
            return
        self._last = snap
        self._live = (snap.weights, snap.biases)
        epoch_x = (self._samples_before_run + snap.samples_seen) / len(self._run_dataset.train)
        if snap.status != "diverged":
            self.curves.add_train(epoch_x, snap.loss, snap.accuracy)
        if snap.status in ("epoch", "done") and snap.test_accuracy is not None:
            self._test_accuracy = snap.test_accuracy
            self.curves.add_test(epoch_x, snap.test_accuracy)
        self.weights.show_weights(snap.weights, snap.biases, snap.deltas, self._classes)
        self._show_progress(snap)
        self.modelUpdated.emit(self._model.spec, self._classes, snap.weights, snap.biases)
        if snap.status == "diverged":
            self._show_message(f"Diverged: {snap.message}", error=True)
        if self._run_config is not None and self._run_config.snapshot_every:
            QTimer.singleShot(0, self._worker.acknowledge)  # after this snapshot is painted

    def _on_finished(self, last: Snapshot) -> None:
        if self._run_dataset is None:
            return
        self._samples_before_run += last.samples_seen
        n = len(self._run_dataset.train)
        self._epochs_trained = self._samples_before_run // n
        self.eta_value.setText("–")
        if last.status == "done":
            accuracy = f"{last.test_accuracy:.2%}" if last.test_accuracy is not None else "–"
            epochs = self._epochs_trained
            self._show_message(
                f"Finished: test accuracy {accuracy} after {epochs} epoch{'s' * (epochs != 1)}"
            )
        elif last.status == "cancelled":
            self._show_message(f"Stopped at step {last.step} (epoch {last.epoch + 1})")
        self._set_state("finished")

    def _on_failed(self, message: str) -> None:
        self._show_message(f"Training failed: {message}", error=True)
        self._set_state("finished")

    # --- progress -------------------------------------------------------------------------

    def _reset_progress(self) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("not started")
        for label in (self.loss_value, self.train_acc_value, self.rate_value, self.eta_value):
            label.setText("–")
        accuracy = self._test_accuracy
        self.test_acc_value.setText("–" if accuracy is None else f"{accuracy:.2%}")

    def _show_progress(self, snap: Snapshot) -> None:
        self.progress.setValue(int(round(1000 * snap.progress)))
        epoch = min(snap.epoch + 1, snap.epochs)
        self.progress.setFormat(
            f"epoch {epoch}/{snap.epochs} · {snap.samples_seen:,} / {snap.total_samples:,} samples"
        )
        if math.isfinite(snap.loss):
            self.loss_value.setText(f"{snap.loss:.4g}")
        if math.isfinite(snap.accuracy):
            self.train_acc_value.setText(f"{snap.accuracy:.2%}")
        if snap.test_accuracy is not None:
            self.test_acc_value.setText(f"{snap.test_accuracy:.2%}")
        if snap.samples_per_s > 0:
            weight = RATE_SMOOTHING if self._rate else 1.0
            self._rate += weight * (snap.samples_per_s - self._rate)
            self.rate_value.setText(f"{self._rate:,.0f} samples/s")
            remaining = (snap.total_samples - snap.samples_seen) / self._rate
            self.eta_value.setText(format_duration(remaining) if not snap.finished else "–")

    def _checkpoint_meta(self, classes: tuple[int, ...]) -> dict[str, Any]:
        values = self.form.values()
        config = self._run_config or self.form.train_config()
        samples = self._samples_before_run
        if self._worker.is_running() and self._last is not None:
            samples += self._last.samples_seen
        return {
            "dataset": self._model_key[0] if self._model_key else values["dataset"],
            "classes": list(classes),
            "preprocessing": "mnist",
            "epochs": samples // len(self._run_dataset.train) if self._run_dataset else 0,
            "samples_seen": samples,
            "test_accuracy": self._test_accuracy,
            "train": {
                "optimizer": config.optimizer,
                "lr": config.lr,
                "batch_size": config.batch_size,
                "momentum": config.momentum,
                "weight_decay": config.weight_decay,
                "l1": config.l1,
                "augment": config.augment,
                "seed": config.seed,
            },
            "hyperparameters": values,
            "seed": config.seed,
            "source": "digitlab window",
        }


# --- on its own: python -m digitlab.ui.training_pane -----------------------------------------


def main() -> None:
    """Open the pane alone, training on the data in $DIGITLAB_DATA (or the user cache)."""
    import torch
    from PySide6.QtWidgets import QApplication

    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication([])
    pane = TrainingPane()
    pane.setWindowTitle("digitlab — training")
    pane.status.connect(lambda text: print(text.splitlines()[0] if text else ""))
    pane.resize(pane.sizeHint())
    pane.show()
    app.aboutToQuit.connect(pane.shutdown)
    app.exec()


if __name__ == "__main__":
    main()
