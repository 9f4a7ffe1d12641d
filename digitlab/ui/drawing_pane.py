"""Draw a digit and watch the net answer: canvas, pen/offset controls, model chooser, the input the
net sees and its confidence per class.

Every stroke segment runs preprocess → forward → bars on the GUI thread (a few milliseconds), but
changes are coalesced through a zero-delay timer, so a burst of mouse events costs one prediction.
Model files are read off the GUI thread (`run_in_background`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from digitlab.core.model import (
    MLP,
    Checkpoint,
    ModelSpec,
    load_arrays,
    load_checkpoint,
    model_from_arrays,
)
from digitlab.core.preprocess import PreprocessOptions, to_mnist
from digitlab.core.resources import SHIPPED_MODELS, shipped_model_path
from digitlab.ui.canvas import (
    CANVAS_SIZE,
    DEFAULT_PEN_WIDTH,
    PIXELS_PER_MNIST_PIXEL,
    DrawingCanvas,
)
from digitlab.ui.prediction import ConfidenceBars, InputPreview
from digitlab.ui.settings import as_bool
from digitlab.ui.tasks import run_in_background

SHIPPED_SOURCES = {"mlp": "Shipped 2-layer", "linear": "Shipped 1-layer"}
TRAINING_SOURCE = "training"
_OPEN_FILE = "open-file…"  # combo entry that opens the file dialog rather than a source
PEN_RANGE = (4, 48)
MODEL_FILE_FILTER = "digitlab models (*.pt *.pth);;All files (*)"
SIDE_WIDTH = 280  # model chooser and the net's input beside the pad
PREVIEW_SIZE = 196  # 7 screen px per MNIST pixel
BARS_HEIGHT = 250  # the confidence plot

# A "7" for the demo and screenshots, in canvas px.
SAMPLE_SEVEN = [
    [(80.0, 70.0), (200.0, 66.0), (170.0, 130.0), (135.0, 215.0)],
    [(120.0, 140.0), (195.0, 138.0)],
]


@dataclass
class _Source:
    """A model ready to predict, with what the chooser says about it."""

    model: MLP
    classes: tuple[int, ...]
    label: str
    description: str


def _describe(checkpoint: Checkpoint) -> str:
    """'784→100→10 relu · test 97.9 %' (plus the classes when the model has a subset)."""
    spec = checkpoint.model.spec
    parts = [spec.describe()]
    if checkpoint.classes != tuple(range(spec.num_classes)):
        parts.append("classes " + " ".join(str(c) for c in checkpoint.classes))
    accuracy = checkpoint.meta.get("test_accuracy", checkpoint.meta.get("accuracy"))
    if isinstance(accuracy, (int, float)):
        percent = 100 * accuracy if accuracy <= 1 else accuracy
        parts.append(f"test {percent:.1f} %")
    return " · ".join(parts)


def _classes_for(model: MLP, classes: Any) -> tuple[int, ...]:
    """The digits the outputs stand for; all of 0..k-1 when the list does not fit the model."""
    classes = tuple(int(c) for c in classes)
    return (
        classes if len(classes) == model.spec.num_classes else tuple(range(model.spec.num_classes))
    )


class DrawingPane(QWidget):
    """The drawing side of the window. It owns the keyboard shortcuts for its canvas:
    Esc/Delete clear, Ctrl+Z undoes, arrow keys (canvas focused) move the drawing."""

    error = Signal(str)
    status = Signal(str)
    modelChanged = Signal(str)  # the source key

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        initial_source: str | None = "mlp",
        error_dialogs: bool = True,
    ) -> None:
        super().__init__(parent)
        self.error_dialogs = error_dialogs
        self._sources: dict[str, _Source] = {}  # loaded models by source key
        self._live: _Source | None = None
        self._source_key: str | None = None  # the source now predicting
        self._wanted_key: str | None = None  # the source last asked for (may still be loading)
        self._request = 0  # only the newest load may take effect
        self._probabilities: np.ndarray | None = None
        self._last_dir = ""
        self.last_error_box: QMessageBox | None = None

        self.canvas = DrawingCanvas()
        self.preview = InputPreview()
        self.bars = ConfidenceBars()
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._build_ui()
        self._connect()
        self._show_offset()
        self.refresh()
        if initial_source is not None:
            self.select_source(initial_source)
        else:
            self._show_no_model()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Erase the drawing (Esc or Delete)")
        for button in (self.undo_button, self.clear_button):
            button.setMaximumWidth(64)  # leave the row's width to the pad
        self.pen_slider = QSlider(Qt.Orientation.Horizontal)
        self.pen_slider.setRange(*PEN_RANGE)
        self.pen_slider.setToolTip("Pen width for the whole drawing: thicken it and watch the net")
        self.pen_spin = QSpinBox()
        self.pen_spin.setRange(*PEN_RANGE)
        self.pen_spin.setSuffix(" px")
        self.pen_spin.setToolTip(self.pen_slider.toolTip())
        for control in (self.pen_slider, self.pen_spin):
            control.setValue(round(DEFAULT_PEN_WIDTH))
        self.dark_on_light_box = QCheckBox("Black ink on white")
        self.dark_on_light_box.setToolTip("Display only: the net always gets light ink on dark")

        self.model_combo = QComboBox()
        self.model_combo.setToolTip("Which net answers")
        self.model_combo.setPlaceholderText("Choose a model…")
        for key, text in SHIPPED_SOURCES.items():
            self.model_combo.addItem(text, key)
            self.model_combo.setItemData(
                self.model_combo.count() - 1,
                f"models/{SHIPPED_MODELS[key]}",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.model_combo.addItem("Training run (live)", TRAINING_SOURCE)
        self._set_training_enabled(False)
        self.model_combo.insertSeparator(self.model_combo.count())
        self.model_combo.addItem("Open model file…", _OPEN_FILE)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.model_label.setEnabled(False)  # the muted palette colour: secondary information
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.model_combo)
        model_layout.addWidget(self.model_label)

        self.fit_box = QCheckBox("Fit to 20 px box")
        self.fit_box.setToolTip("Crop to the ink and scale its longer side to 20 px, as MNIST did")
        self.centre_box = QCheckBox("Centre by mass")
        self.centre_box.setToolTip("Move the ink's centre of mass to the middle, as MNIST did")
        for box in (self.fit_box, self.centre_box):
            box.setChecked(True)
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setToolTip(
            "The 28 × 28 input the net gets. Dashed square: the 20 px box MNIST digits are\n"
            "fitted into; +: the centre their centre of mass is moved to; •: this input's"
        )
        hint = QLabel("┅ 20 px box    + target centre    • centre of mass")
        hint.setEnabled(False)  # the muted palette colour: a legend, not a control
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = hint.font()
        font.setPointSizeF(font.pointSizeF() - 1)
        hint.setFont(font)
        toggles = QHBoxLayout()
        toggles.addStretch(1)
        toggles.addWidget(self.fit_box)
        toggles.addSpacing(8)
        toggles.addWidget(self.centre_box)
        toggles.addStretch(1)
        sees_box = QGroupBox("What the net sees (28 × 28)")
        sees_layout = QVBoxLayout(sees_box)
        sees_layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        sees_layout.addWidget(hint)
        sees_layout.addLayout(toggles)

        prediction_box = QGroupBox("Prediction")
        prediction_layout = QVBoxLayout(prediction_box)
        prediction_layout.addWidget(self.bars)
        self.bars.setFixedHeight(BARS_HEIGHT)  # ten bars read well; taller only looks empty

        # The pad with its controls right under it.
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.undo_button)
        edit_row.addWidget(self.clear_button)
        edit_row.addStretch(1)
        edit_row.addWidget(self.dark_on_light_box)
        pen_row = QHBoxLayout()
        pen_row.addWidget(QLabel("Pen width"))
        pen_row.addWidget(self.pen_slider, 1)
        pen_row.addWidget(self.pen_spin)
        draw_column = QVBoxLayout()
        draw_column.setSpacing(6)
        draw_column.addWidget(self.canvas)
        draw_column.addSpacing(2)
        draw_column.addLayout(edit_row)
        draw_column.addLayout(pen_row)
        draw_column.addLayout(self._build_offset_row())

        # Beside the pad: which net answers and what it gets to see.
        side_column = QVBoxLayout()
        side_column.addWidget(model_box)
        side_column.addWidget(sees_box)
        side_column.addStretch(1)

        # Top: pad | model and input. Below, across the pane: the answer. Spare height goes
        # under everything, so nothing floats.
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)  # as the training pane
        layout.setHorizontalSpacing(10)
        layout.addLayout(draw_column, 0, 0)
        layout.addLayout(side_column, 0, 1)
        layout.addWidget(prediction_box, 1, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        layout.setColumnMinimumWidth(0, CANVAS_SIZE)  # the pad at 1:1 at least
        layout.setColumnMinimumWidth(1, SIDE_WIDTH)
        layout.setRowStretch(2, 1)  # spare height stays below

    def _build_offset_row(self) -> QHBoxLayout:
        arrows = QGridLayout()
        arrows.setSpacing(2)
        self.offset_buttons: dict[str, QToolButton] = {}
        step = PIXELS_PER_MNIST_PIXEL
        for name, text, cell, move in (
            ("up", "↑", (0, 1), (0, -step)),
            ("left", "←", (1, 0), (-step, 0)),
            ("right", "→", (1, 2), (step, 0)),
            ("down", "↓", (2, 1), (0, step)),
        ):
            button = QToolButton(text=text, autoRepeat=True)
            button.setToolTip(f"Move the drawing {name} by one MNIST pixel (arrow keys)")
            button.clicked.connect(lambda _=False, m=move: self.canvas.shift(*m))
            arrows.addWidget(button, *cell)
            self.offset_buttons[name] = button
        reset = QToolButton(text="⟲")
        reset.setToolTip("Put the drawing back where it was drawn")
        reset.clicked.connect(lambda: self.canvas.set_offset(0, 0))
        arrows.addWidget(reset, 1, 1)
        self.offset_buttons["reset"] = reset
        for button in self.offset_buttons.values():
            button.setFixedSize(26, 22)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrow keys stay with the canvas
        self.offset_label = QLabel()
        self.offset_label.setToolTip("Right-drag on the pad pans the drawing too")
        row = QHBoxLayout()
        row.addLayout(arrows)
        row.addSpacing(10)
        row.addWidget(self.offset_label)
        row.addStretch(1)
        return row

    def _connect(self) -> None:
        self.canvas.changed.connect(self._schedule_refresh)
        self.canvas.changed.connect(self._show_offset)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.pen_slider.valueChanged.connect(self.pen_spin.setValue)
        self.pen_spin.valueChanged.connect(self.pen_slider.setValue)
        self.pen_spin.valueChanged.connect(self.canvas.set_pen_width)
        self.dark_on_light_box.toggled.connect(self.canvas.set_dark_on_light)
        self.fit_box.toggled.connect(self._schedule_refresh)
        self.centre_box.toggled.connect(self._schedule_refresh)
        self.model_combo.activated.connect(self._on_combo_activated)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_Escape), self.canvas.clear),
            (QKeySequence(Qt.Key.Key_Delete), self.canvas.clear),
            (QKeySequence(QKeySequence.StandardKey.Undo), self.canvas.undo),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    # --- prediction -------------------------------------------------------------------------

    def preprocess_options(self) -> PreprocessOptions:
        return PreprocessOptions(
            fit=self.fit_box.isChecked(), centre=self.centre_box.isChecked(), invert=False
        )

    def _schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Preprocess the drawing, run the current model and update the preview and the bars."""
        self._refresh_timer.stop()
        source = self._current_source()
        if self.canvas.is_empty():
            self._probabilities = None
            self.preview.set_image(np.zeros((28, 28), np.float32))
            self.bars.set_probabilities(None, "draw a digit" if source else "no model loaded")
            return
        net_input = to_mnist(self.canvas.image(), self.preprocess_options())
        self.preview.set_image(net_input)
        if source is None:
            self._probabilities = None
            self.bars.set_probabilities(None, "no model loaded")
            return
        batch = torch.from_numpy(net_input).unsqueeze(0)
        self._probabilities = source.model.probabilities(batch)[0].numpy()
        self.bars.set_probabilities(self._probabilities)

    def probabilities(self) -> np.ndarray | None:
        """The current model's answer for the current drawing (None: no ink or no model)."""
        return None if self._probabilities is None else self._probabilities.copy()

    def _current_source(self) -> _Source | None:
        if self._source_key == TRAINING_SOURCE:
            return self._live
        return self._sources.get(self._source_key) if self._source_key else None

    # --- model sources ----------------------------------------------------------------------

    def source(self) -> str | None:
        """The source now predicting: 'mlp', 'linear', 'training', a file path, or None."""
        return self._source_key

    def select_source(self, name: str) -> None:
        """Predict with 'mlp', 'linear', 'training' or a model file path (loaded off-thread)."""
        if name == TRAINING_SOURCE:
            if self._live is None:
                self.status.emit("No training run yet: start one to predict with it")
                self._sync_combo()
                return
            self._activate(TRAINING_SOURCE)
        elif name in self._sources:
            self._activate(name)
        else:
            self._load(name)

    def open_model_file(self, path: str) -> None:
        """Load a model file off the GUI thread and predict with it; on failure keep the old one."""
        self._load(str(Path(path)))  # always re-read: the file may have changed

    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open model file", self._last_dir, MODEL_FILE_FILTER
        )
        if path:
            self._last_dir = str(Path(path).parent)
            self.open_model_file(path)

    def update_training_model(
        self,
        spec: ModelSpec,
        classes: Any,
        weights: list[np.ndarray],
        biases: list[np.ndarray],
    ) -> None:
        """Take a training snapshot's weights; one live model is updated in place while the
        spec stays the same. Predictions follow if "Training run" is the source, or if there was
        no model at all (then the run becomes the source)."""
        if self._live is None or self._live.model.spec != spec:
            model = model_from_arrays(spec, weights, biases)
            self._live = _Source(model, (), "training run", f"{spec.describe()} · live weights")
        else:
            load_arrays(self._live.model, weights, biases)
        self._live.classes = _classes_for(self._live.model, classes)
        self._set_training_enabled(True)
        if self._source_key is None and self._wanted_key is None:
            self._activate(TRAINING_SOURCE)
        elif self._source_key == TRAINING_SOURCE:
            self.bars.set_classes(self._live.classes)
            self.model_label.setText(self._live.description)
            self._schedule_refresh()

    def _load(self, key: str) -> None:
        """Read a shipped model ('mlp', 'linear') or a model file in the background."""
        self._request += 1
        request = self._request
        self._wanted_key = key
        self._sync_combo()
        shipped = key in SHIPPED_SOURCES
        self.model_label.setText(f"Loading {SHIPPED_MODELS[key] if shipped else Path(key).name} …")

        def read() -> tuple[Path, Checkpoint | None]:
            path = shipped_model_path(key) if shipped else Path(key)
            if shipped and not path.is_file():
                return path, None  # not trained yet: not an error worth a dialog
            return path, load_checkpoint(path)

        def done(result: tuple[Path, Checkpoint | None]) -> None:
            if isValid(self):
                self._loaded(request, key, *result)

        def failed(message: str) -> None:
            if isValid(self):
                self._load_failed(request, message)

        run_in_background(read, done, failed)

    def _loaded(self, request: int, key: str, path: Path, checkpoint: Checkpoint | None) -> None:
        if checkpoint is None:
            if request == self._request:
                self.status.emit(f"No shipped model at {path}")
                self._fall_back()
            return
        model = checkpoint.model.eval()
        self._sources[key] = _Source(
            model, _classes_for(model, checkpoint.classes), path.name, _describe(checkpoint)
        )
        if key not in SHIPPED_SOURCES:
            self._add_file_entry(key)
        if request == self._request:
            self._activate(key)

    def _fall_back(self) -> None:
        """A load did not work out: keep predicting with what was there before (if anything)."""
        self._wanted_key = self._source_key
        if self._source_key is None:
            self._show_no_model()
        else:
            self._activate(self._source_key, announce=False)

    def _load_failed(self, request: int, message: str) -> None:
        if request != self._request:
            return
        self._fall_back()
        self.error.emit(message)
        self.status.emit("Could not open the model file; the previous model stays")
        if self.error_dialogs:
            box = QMessageBox(
                QMessageBox.Icon.Warning, "Could not open model", message, parent=self
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # window-modal, returns at once
            self.last_error_box = box

    def _activate(self, key: str, announce: bool = True) -> None:
        self._source_key = self._wanted_key = key
        source = self._current_source()
        assert source is not None
        self.bars.set_classes(source.classes)
        self.model_label.setText(source.description)
        self._sync_combo()
        self.refresh()
        if announce:
            self.status.emit(f"Loaded {source.label} — {source.description}")
            self.modelChanged.emit(key)

    def _show_no_model(self) -> None:
        self.model_label.setText("No model loaded — train one, or open a model file")
        self._sync_combo()
        self.refresh()

    # --- the chooser ------------------------------------------------------------------------

    def _on_combo_activated(self, index: int) -> None:
        key = self.model_combo.itemData(index)
        if key == _OPEN_FILE:
            self._sync_combo()  # the dialog is not a source; show the current one meanwhile
            self.open_model_dialog()
        elif key:
            self.select_source(key)

    def _sync_combo(self) -> None:
        key = self._wanted_key or self._source_key
        self.model_combo.setCurrentIndex(self.model_combo.findData(key) if key else -1)

    def _set_training_enabled(self, enabled: bool) -> None:
        item = self.model_combo.model().item(self.model_combo.findData(TRAINING_SOURCE))
        item.setEnabled(enabled)
        item.setToolTip("" if enabled else "Appears when a training run sends its first weights")

    def _add_file_entry(self, path: str) -> None:
        if self.model_combo.findData(path) >= 0:
            return
        separator = self.model_combo.findData(_OPEN_FILE) - 1
        self.model_combo.insertItem(separator, Path(path).name, path)
        self.model_combo.setItemData(separator, path, Qt.ItemDataRole.ToolTipRole)

    # --- offset display ---------------------------------------------------------------------

    def _show_offset(self) -> None:
        dx, dy = (v / PIXELS_PER_MNIST_PIXEL for v in self.canvas.offset())
        self.offset_label.setText(f"Offset  x {dx:+g}  y {dy:+g}\nin MNIST pixels")

    # --- settings ---------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """What QSettings should remember (the main window adds the version)."""
        return {
            "pen_width": self.pen_spin.value(),
            "dark_on_light": self.dark_on_light_box.isChecked(),
            "fit": self.fit_box.isChecked(),
            "centre": self.centre_box.isChecked(),
            "source": self._source_key or self._wanted_key or "mlp",
        }

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Restore `settings()`; missing or odd values keep the defaults. A training source
        falls back to the shipped 2-layer net (no run exists at start-up)."""
        try:
            self.pen_spin.setValue(round(float(settings.get("pen_width", self.pen_spin.value()))))
        except (TypeError, ValueError):
            pass
        self.dark_on_light_box.setChecked(as_bool(settings.get("dark_on_light"), False))
        self.fit_box.setChecked(as_bool(settings.get("fit"), True))
        self.centre_box.setChecked(as_bool(settings.get("centre"), True))
        source = settings.get("source")
        if isinstance(source, str) and source and source != TRAINING_SOURCE:
            if source != self._source_key:
                self.select_source(source)


def main(argv: list[str] | None = None) -> int:
    """Open the pane alone: `python -m digitlab.ui.drawing_pane [model.pt]`."""
    argv = sys.argv[1:] if argv is None else argv
    app = QApplication.instance() or QApplication(sys.argv[:1])
    pane = DrawingPane(initial_source=None if argv else "mlp")
    pane.status.connect(lambda text: print(text, file=sys.stderr))
    if argv:
        pane.open_model_file(argv[0])
    for stroke in SAMPLE_SEVEN:
        pane.canvas.add_stroke(stroke)
    pane.setWindowTitle("digitlab — drawing pane")
    pane.resize(900, 560)
    pane.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
