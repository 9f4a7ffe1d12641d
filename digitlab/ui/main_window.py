"""The window: one dock per registered view, the workspace bar, menus, the status bar, and what
it remembers.

The docks are made from `views.VIEWS` and arranged by workspace (`workspaces.WORKSPACES`); the
user shows, moves, tabs, floats and closes them, and each workspace's arrangement is restored
next time. The window paints first with the pure-Qt views; the plot
views (pyqtgraph's import alone takes most of a second) are built just after, in
`build_plot_views`. The window owns no state of its own: that is the session's.
"""

from __future__ import annotations

import platform
import sys

from PySide6.QtCore import QByteArray, QEvent, QMargins, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSlider,
    QWidget,
)

import digitlab
from digitlab.session import Session
from digitlab.session.models import DEFAULT_KEY, RUN_KEY, LoadFailure, ModelEntry
from digitlab.session.notices import Level, Notice
from digitlab.session.run import RunEnd, RunOutcome
from digitlab.session.run_files import open_history, save_history
from digitlab.session.run_settings import RunSettings
from digitlab.ui import settings as stored
from digitlab.ui.dialogs import (
    ask_model_file,
    ask_run_file,
    ask_save_path,
    confirm_reset,
    save_trained_model,
)
from digitlab.ui.icon import app_icon
from digitlab.ui.lesson_panel import Lessons
from digitlab.ui.record_dialog import install_recording
from digitlab.ui.timeline_bar import install_timeline
from digitlab.ui.view import View
from digitlab.ui.view_help import install_help
from digitlab.ui.views import VIEWS, ViewSpec
from digitlab.ui.workspace_bar import WorkspaceBar
from digitlab.ui.workspaces import WORKSPACES
from digitlab.ui.zoom import install_zoom

NOTICE_MS = {Level.INFO: 6000, Level.WARNING: 12000, Level.ERROR: 15000}
SHORTCUTS = [
    ("Draw", "left mouse button"),
    ("Move the drawing", "right mouse button, or the arrow keys"),
    ("Undo the last stroke", "Ctrl+Z (pad focused: click it)"),
    ("Clear the pad", "Esc or Delete (pad focused)"),
    ("Start / pause training", "Space (when no button or field has the focus)"),
    (  # from the plans themselves: a new workspace is listed with its key
        "Workspaces: " + ", ".join(plan.title for plan in WORKSPACES),
        f"Ctrl+1 … Ctrl+{len(WORKSPACES)}",
    ),
    ("Help on the view with the focus", "F1 (or its ? button)"),
    ("Zoom in / out / reset", "Ctrl+= / Ctrl+- / Ctrl+0"),
    ("Open a model file", "Ctrl+O"),
    ("Put an image of a digit on the pad (or drop the file on it)", "Ctrl+I"),
    ("Open a run (replay it) / save the run", "Ctrl+Shift+O / Ctrl+Shift+S"),
    ("Record a view or the window", "Ctrl+R"),
    ("Save the trained model", "Ctrl+S"),
    ("Quit", "Ctrl+Q"),
]
# Widgets that use Space themselves: the window's Space shortcut must not take it from them.
_SPACE_USERS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QSlider)


# Room for a title bar and borders before the window manager says how large they are.
FRAME_ALLOWANCE = (16, 48)
FRAME_SETTLE_MS = 250  # the frame's size arrives from the window manager after the first show


class MainWindow(QMainWindow):
    def __init__(self, session: Session, settings: QSettings | None = None) -> None:
        super().__init__()
        self.session = session
        self.settings = settings if settings is not None else stored.open_settings()
        stored.migrate(self.settings)
        self.setWindowTitle("digitlab")
        self.setWindowIcon(app_icon())
        self.setDockNestingEnabled(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
        )
        centre = QWidget()
        centre.hide()  # every view is a dock; there is no fixed centre
        self.setCentralWidget(centre)
        self.docks: dict[str, QDockWidget] = {}
        self.views: dict[str, QWidget] = {}
        self._model_label = QLabel()
        self.statusBar().addPermanentWidget(self._model_label)
        self._space = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        self._space.activated.connect(self.space_pressed)
        for spec in VIEWS:
            self._make_dock(spec)
        self.workspaces = WorkspaceBar(self, self.docks, self.settings)
        self.timeline = install_timeline(self, session)
        self._build_menus()
        self.recording = install_recording(self)  # File → Record…, the timeline's Record button
        self.zoom = install_zoom(self, self.settings)  # before the views: they start zoomed
        self.help = install_help(self)
        self._restore_window()
        self.lessons.keep_panel()  # a stored arrangement may hold the panel of a past lesson
        self._restore_session()
        for spec in VIEWS:
            if not spec.plots:
                self._build_view(spec)
        session.notices.posted.connect(self._show_notice)
        session.models.current_changed.connect(self._show_model)
        session.models.load_failed.connect(self._load_failed)
        session.run.finished.connect(self._run_finished)
        self._settings_problem = stored.save_problem(self.settings)
        if self._settings_problem:  # said once, now: at exit it would be too late to act
            session.notices.warning(self._settings_problem, source="settings")

    # --- views -------------------------------------------------------------------------------

    def _make_dock(self, spec: ViewSpec) -> None:
        dock = QDockWidget(spec.title, self)
        dock.setObjectName(spec.id)  # saveState/restoreState know docks by name
        dock.setToolTip(spec.tip)
        placeholder = QLabel("…")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setEnabled(False)
        dock.setWidget(placeholder)
        self.docks[spec.id] = dock

    def _build_view(self, spec: ViewSpec) -> None:
        view = spec.create(self.session)
        values = stored.read_section(self.settings, f"views/{spec.id}")
        if values and hasattr(view, "apply_view_settings"):
            view.apply_view_settings(values)
        dock = self.docks[spec.id]
        dock.setWidget(view)
        if isinstance(view, View):
            dock.visibilityChanged.connect(view.recheck_on_screen)
            dock.topLevelChanged.connect(view.recheck_on_screen)
        self.views[spec.id] = view

    def build_plot_views(self) -> None:
        """Build the pyqtgraph views (after the first paint: importing pyqtgraph takes time)."""
        for spec in VIEWS:
            if spec.id not in self.views:
                self._build_view(spec)

    def view(self, view_id: str) -> QWidget:
        return self.views[view_id]

    def reset_layout(self) -> None:
        """Lay the current workspace's default arrangement out again."""
        self.workspaces.reset()

    def show_view(self, view_id: str) -> None:
        """Show the view and bring it to the front in the current workspace."""
        self.workspaces.show_view(view_id)

    # --- menus -------------------------------------------------------------------------------

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
        self._action(file, "&Open model…", self.open_model, "Ctrl+O", "Load a model file")
        self._action(file, "&Save trained model…", self.save_model, "Ctrl+S",
                     "Save the model being trained")  # fmt: skip
        self._action(
            file, "Open &image…", lambda: self.view("pad").choose_image(), "Ctrl+I",
            "Put a scanned or photographed digit on the pad (or drop the file on the pad)",
        )  # fmt: skip
        file.addSeparator()
        self._action(file, "Open &run…", self.open_run, "Ctrl+Shift+O",
                     "Replay a saved run (digitlab train --history) through the lab")  # fmt: skip
        self._action(file, "Save r&un…", self.save_run, "Ctrl+Shift+S",
                     "Save the run's history: its moments, curves and settings")  # fmt: skip
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")
        run = self.session.run
        train = bar.addMenu("&Training")
        self._action(train, "Start / &pause\tSpace", self.start_or_pause,
                     tip="Start training, or pause and resume a run")  # fmt: skip
        self._action(train, "S&top", run.stop, tip="Stop the run, keep the weights")
        self._action(
            train, "&Reset", self.reset_run, tip="Forget the weights: the next run starts afresh"
        )
        views = bar.addMenu("&View")
        for spec in VIEWS:  # shows and raises; closing a view is its dock's ×
            self._action(views, spec.title, lambda _=False, i=spec.id: self.show_view(i),
                         tip=spec.tip)  # fmt: skip
        views.addSeparator()
        spaces = views.addMenu("&Workspace")
        for action in self.workspaces.actions.values():
            spaces.addAction(action)
        self._action(views, "&Reset this workspace", self.reset_layout,
                     tip="Put this workspace's views back where they started")  # fmt: skip
        self.lessons = Lessons(self, bar.addMenu("&Lessons"))
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts)
        self._action(help_menu, "&About digitlab", self.show_about)

    def start_or_pause(self) -> None:
        run = self.session.run
        run.toggle_pause() if run.phase.busy else run.start()

    def space_pressed(self) -> None:
        """Space starts or pauses training, unless a button, box or field has the focus: Qt
        gives the shortcut priority, so the key is handed on to it as if typed."""
        focus = QApplication.focusWidget()
        if isinstance(focus, _SPACE_USERS) and self.isAncestorOf(focus):
            self._space.setEnabled(False)  # a sent key goes through the shortcuts again
            try:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    event = QKeyEvent(kind, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ")
                    QApplication.sendEvent(focus, event)
            finally:
                self._space.setEnabled(True)
            return
        self.start_or_pause()

    def reset_run(self) -> None:
        if confirm_reset(self, self.session.run.epochs_trained):
            self.session.run.reset()

    def open_model(self) -> None:
        path = ask_model_file(self)
        if path:
            self.session.models.open_file(path)

    def save_model(self) -> None:
        save_trained_model(self, self.session)

    def open_run(self) -> None:
        path = ask_run_file(self)
        if path:
            open_history(self.session.run, self.session.jobs, self.session.notices, path)

    def save_run(self) -> None:
        run = self.session.run
        if run.model is None:
            self.session.notices.warning("Nothing to save yet: train a net first")
            return
        sizes = "-".join(str(s) for s in run.model.network.spec.sizes)
        path = ask_save_path(self, f"run-{sizes}.safetensors", "Save run", "digitlab runs")
        if path:
            save_history(run, self.session.jobs, self.session.notices, path)

    # --- status ------------------------------------------------------------------------------

    def _show_notice(self, notice: Notice) -> None:
        colour = {Level.ERROR: "#d1242f", Level.WARNING: "#9a6700"}.get(notice.level, "")
        self.statusBar().setStyleSheet(f"QStatusBar {{ color: {colour}; }}" if colour else "")
        self.statusBar().showMessage(notice.text, NOTICE_MS[notice.level])

    def _show_model(self, entry: ModelEntry | None) -> None:
        self._model_label.setText(f"Reading the drawing: {entry.label}" if entry else "No model")

    def _load_failed(self, failure: LoadFailure) -> None:
        if failure.replaced:  # a remembered model, replaced by the shipped one: a notice is enough
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Could not open model", failure.message,
                          parent=self)  # fmt: skip
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal; returns at once
        self.last_error_box = box

    def _run_finished(self, outcome: RunOutcome) -> None:
        """A run that failed (no data, no memory, …) says why in full: a dock is too narrow."""
        if outcome.end is RunEnd.FAILED:
            box = QMessageBox(QMessageBox.Icon.Warning, "Training failed", outcome.message,
                              parent=self)  # fmt: skip
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.last_error_box = box

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
            "breaks, and train nets while their weights form.</p>"
            f"<p>Python {platform.python_version()} · PySide6 {pyside_version} · "
            f"{platform.system()} {platform.machine()}</p>",
        )

    # --- settings ----------------------------------------------------------------------------

    def _restore_window(self) -> None:
        screen = self.screen().availableGeometry()
        geometry = stored.read_text(self.settings, "window/geometry")
        restored = geometry is not None and self.restoreGeometry(
            QByteArray.fromBase64(geometry.encode())
        )
        # No window manager offscreen (`digitlab screenshot`): its 800×800 screen is a fiction.
        self._fit_frame = not restored and QApplication.platformName() != "offscreen"
        if not restored:  # first start: 1400×860, or less on a small screen, frame included
            room = screen.size().shrunkBy(QMargins(0, 0, *FRAME_ALLOWANCE))
            self.resize(min(1400, room.width()), min(860, room.height()))
            self.move(screen.topLeft())
        self._arranged = self.workspaces.restore()
        if not self._arranged:
            self.workspaces.arrange_default()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._fit_frame:  # the window manager's frame is known only once it is shown
            self._fit_frame = False
            QTimer.singleShot(FRAME_SETTLE_MS, self._fit_frame_into_screen)
        if not self._arranged:  # dock sizes only take once the window has its real size
            self._arranged = True
            QTimer.singleShot(0, self.workspaces.arrange_default)

    def _fit_frame_into_screen(self) -> None:
        """Size and move the window so that its frame (title bar, borders) fits the screen's
        free area, and uses it: the status bar must not sit below the screen's edge on
        1366×768, nor the window lose more height than its title bar takes."""
        screen, frame = self.screen().availableGeometry(), self.frameGeometry()
        extra_width, extra_height = frame.width() - self.width(), frame.height() - self.height()
        width = min(1400, screen.width() - extra_width)
        height = min(860, screen.height() - extra_height)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        if not screen.contains(self.frameGeometry()):
            self.move(screen.topLeft())

    def _restore_session(self) -> None:
        values = stored.read_section(self.settings, "session/run")
        self.session.run.set_settings(RunSettings.from_dict(values))

    def remembered_model(self) -> str:
        key = stored.read_text(self.settings, "session/model")
        return key if key and key != RUN_KEY else DEFAULT_KEY

    def save_settings(self) -> str | None:
        """Write what the window remembers; one line if it could not be saved."""

        def encoded(data: QByteArray) -> str:
            return bytes(data.toBase64()).decode()

        settings = self.settings
        settings.setValue("version", stored.SETTINGS_VERSION)
        settings.setValue("window/geometry", encoded(self.saveGeometry()))
        self.workspaces.save()
        for view_id, view in self.views.items():
            if hasattr(view, "view_settings"):
                stored.write_section(settings, f"views/{view_id}", view.view_settings())
        model = self.session.models.wanted
        if model and model != RUN_KEY:
            settings.setValue("session/model", model)
        stored.write_section(settings, "session/run", self.session.run.settings.to_dict())
        return stored.sync_problem(settings)

    # --- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        try:
            problem = self.save_settings()
        except Exception as exc:  # noqa: BLE001 - a settings problem must never block quitting
            problem = f"could not save the settings: {exc}"
        if problem and not self._settings_problem:  # not said yet: the status bar is going
            print(f"digitlab: {problem}", file=sys.stderr)
        self.session.close()
        super().closeEvent(event)
