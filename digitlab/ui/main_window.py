"""The window: the drawing pad on the left, the training pane on the right, talking to each other.

The training pane's snapshots feed the drawing pane's "Training run" model, so the confidence for
the user's digit changes as the net learns.
"""

from __future__ import annotations

import platform

import torch
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QSplitter

import digitlab
from digitlab.ui.drawing_pane import DrawingPane
from digitlab.ui.icon import app_icon
from digitlab.ui.settings import open_settings, read_section, write_section
from digitlab.ui.tasks import wait_for_background_jobs
from digitlab.ui.training_pane import TrainingPane

SHORTCUTS = [
    ("Draw", "left mouse button"),
    ("Pan the drawing", "right mouse button, or the arrow keys"),
    ("Undo the last stroke", "Ctrl+Z"),
    ("Clear the pad", "Esc or Delete"),
    ("Start / pause training", "Space"),
    ("Open a model file", "Ctrl+O"),
    ("Save the trained model", "Ctrl+S"),
    ("Quit", "Ctrl+Q"),
]


class MainWindow(QMainWindow):
    """Owns the two panes, the menus, the status bar and the remembered settings."""

    def __init__(self, settings: QSettings | None = None, initial_source: str = "mlp") -> None:
        super().__init__()
        self.settings = settings if settings is not None else open_settings()
        self.setWindowTitle("digitlab")
        self.setWindowIcon(app_icon())

        self.drawing = DrawingPane(initial_source=initial_source)
        self.training = TrainingPane()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.drawing)
        self.splitter.addWidget(self.training)
        # Both sides grow with the window, in proportion to their size hints (QSplitter's rule):
        # at 1400 px the drawing side sits at its minimum and the weights get the rest.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.model_label = QLabel()
        self.statusBar().addPermanentWidget(self.model_label)
        self._build_menus()
        self._connect()
        self._restore()
        # Start the trainer process now (it imports torch on the other core, ~2 s), so the
        # first Start trains at once.
        self.training.worker().warm_up()
        self.statusBar().showMessage("Draw a digit on the pad; train a net on the right.", 8000)

    # --- set-up ------------------------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(
            file,
            "&Open model…",
            self.drawing.open_model_dialog,
            "Ctrl+O",
            "Load a model file to draw against",
        )
        self._action(
            file,
            "&Save trained model…",
            self.training.save_dialog,
            "Ctrl+S",
            "Save the model being trained",
        )
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")

        train = bar.addMenu("&Training")
        self.start_action = self._action(
            train,
            "Start / &pause",
            self.start_or_pause,
            "Space",
            "Start training, or pause and resume a run",
        )
        self._action(train, "S&top", self.training.stop, tip="Stop the run, keep the weights")
        self._action(train, "&Reset", self.training.reset, tip="New random weights")

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts)
        self._action(help_menu, "&About digitlab", self.show_about)

    def start_or_pause(self) -> None:
        """Space: start a run when none is going, else pause or resume it."""
        state = self.training.run_state()
        if state in ("running", "paused"):
            self.training.toggle_pause()
        elif state != "loading":
            self.training.start()

    def _connect(self) -> None:
        self.training.modelUpdated.connect(self.drawing.update_training_model)
        self.training.status.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.drawing.status.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.drawing.modelChanged.connect(self._show_model)

    def _show_model(self, source: str) -> None:
        names = {"mlp": "shipped 2-layer", "linear": "shipped 1-layer", "training": "training run"}
        self.model_label.setText(f"Predicting with: {names.get(source, source)}")

    # --- settings ----------------------------------------------------------------------------

    def _restore(self) -> None:
        window = read_section(self.settings, "window")
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("state", self.restoreState),
            ("splitter", self.splitter.restoreState),
        ):
            if isinstance(window.get(key), str):
                restore(QByteArray.fromBase64(window[key].encode()))
        if not window.get("geometry"):  # first start: 1400×860, or less on a small screen
            screen = self.screen().availableGeometry()
            self.resize(min(1400, int(screen.width() * 0.95)), min(860, int(screen.height() * 0.9)))
        self.drawing.apply_settings(read_section(self.settings, "drawing"))
        self.training.set_hyperparameters(read_section(self.settings, "training"))

    def save_settings(self) -> None:
        def encoded(data: QByteArray) -> str:
            return bytes(data.toBase64()).decode()

        write_section(
            self.settings,
            "window",
            {
                "geometry": encoded(self.saveGeometry()),
                "state": encoded(self.saveState()),
                "splitter": encoded(self.splitter.saveState()),
            },
        )
        write_section(self.settings, "drawing", self.drawing.settings())
        write_section(self.settings, "training", self.training.hyperparameters())
        self.settings.sync()

    # --- dialogs -----------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{what}</td><td><b>{keys}</b></td></tr>" for what, keys in SHORTCUTS
        )
        QMessageBox.information(self, "Keyboard shortcuts", f"<table cellspacing=6>{rows}</table>")

    def show_about(self) -> None:
        from PySide6 import __version__ as pyside_version

        QMessageBox.about(
            self,
            "About digitlab",
            f"<h3>digitlab {digitlab.__version__}</h3>"
            "<p>A desktop lab for looking inside small neural networks on handwritten digits: "
            "draw a digit and watch the net's confidence, shift or thicken it to see where it "
            "breaks, and train 1- and 2-layer nets while their weights form.</p>"
            f"<p>Python {platform.python_version()} · torch {torch.__version__} · "
            f"PySide6 {pyside_version} · {torch.get_num_threads()} torch thread(s)</p>",
        )

    # --- shutdown ----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.save_settings()
        self.training.shutdown()
        wait_for_background_jobs(1000)
        super().closeEvent(event)
