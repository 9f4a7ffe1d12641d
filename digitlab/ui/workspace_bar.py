"""The workspace bar: switch between the task workspaces, each remembering its arrangement.

Switching keeps the arrangement the user made of the workspace left (Qt's `saveState`) and
restores the one of the workspace chosen, or lays out its default plan the first time. The
arrangements and the current workspace are stored with the window's settings; *Reset this
workspace* lays the default plan out again. Every view is one dock, shared by the workspaces:
a view shown in two workspaces is built once, and refreshes only when shown.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar

from digitlab.ui import layout
from digitlab.ui import settings as stored
from digitlab.ui.workspaces import DEFAULT_WORKSPACE, WORKSPACES, Workspace, workspace

STATE_VERSION = 4  # bump when the views change in a way stored arrangements cannot follow
CURRENT_KEY = "window/workspace"


def _state_key(workspace_id: str) -> str:
    return f"workspaces/{workspace_id}"


def _fits(window: QMainWindow, size) -> bool:
    needed = window.minimumSizeHint()
    return needed.width() <= size.width() and needed.height() <= size.height()


class WorkspaceBar(QObject):
    """The bar, its Ctrl+1…7 actions, and each workspace's arrangement."""

    changed = Signal(str)  # the id of the workspace now shown

    def __init__(
        self, window: QMainWindow, docks: dict[str, QDockWidget], settings: QSettings
    ) -> None:
        super().__init__(window)
        self.window, self.docks, self.settings = window, docks, settings
        self.states: dict[str, QByteArray] = {}
        for plan in WORKSPACES:
            text = stored.read_text(settings, _state_key(plan.id))
            if text:
                self.states[plan.id] = QByteArray.fromBase64(text.encode())
        current = stored.read_text(settings, CURRENT_KEY)
        self.current = current if current in {w.id for w in WORKSPACES} else DEFAULT_WORKSPACE
        self.toolbar = QToolBar("Workspaces", window)
        self.toolbar.setObjectName("workspaces")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.toggleViewAction().setEnabled(False)  # the bar is how one gets back
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setStyleSheet("QToolButton { padding: 3px 12px; }")
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for number, plan in enumerate(WORKSPACES, start=1):
            action = QAction(plan.title, self.toolbar, checkable=True)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setToolTip(f"{plan.tip} (Ctrl+{number})")
            action.setStatusTip(plan.tip)
            action.triggered.connect(lambda _=False, key=plan.id: self.switch(key))
            group.addAction(action)
            self.toolbar.addAction(action)
            self.actions[plan.id] = action
        self.actions[self.current].setChecked(True)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    @property
    def plan(self) -> Workspace:
        return workspace(self.current)

    def restore(self) -> bool:
        """Put the current workspace's stored arrangement back; False when there is none (or
        it is unreadable), and the default plan must be laid out once the window has its size."""
        state = self.states.get(self.current)
        restored = bool(state) and self.window.restoreState(state, STATE_VERSION)
        if restored:
            self._keep_hidden_outside_plan()
            layout.show_full_tab_titles(self.window)
        return restored

    def arrange_default(self) -> None:
        layout.arrange(self.window, self.docks, self.plan, self.window.width(),
                       self.window.height())  # fmt: skip

    def switch(self, workspace_id: str) -> None:
        """Show another workspace: keep this one's arrangement, bring that one's back."""
        workspace(workspace_id)  # KeyError for an unknown id, before anything changes
        self.actions[workspace_id].setChecked(True)
        if workspace_id == self.current:
            return
        window = self.window
        self.states[self.current] = window.saveState(STATE_VERSION)
        self.current = workspace_id
        size = window.size()
        window.setUpdatesEnabled(False)  # one repaint, not one per dock moved
        try:
            # From an empty layout, as at start: restoring over docks placed elsewhere (a view
            # tabbed here, split there) piles them up, and the window grows with every switch.
            for dock in window.findChildren(QDockWidget):  # a lesson's panel too
                window.removeDockWidget(dock)
            if not self.restore() or not _fits(window, size):
                self.arrange_default()  # (Qt's restore sometimes stacks more than it should)
            if window.size() != size and not window.isMaximized():
                window.resize(size)  # a passing arrangement must not leave the window larger
        finally:
            window.setUpdatesEnabled(True)
        self.changed.emit(workspace_id)

    def reset(self) -> None:
        """Lay the current workspace's default plan out again."""
        self.states.pop(self.current, None)
        self.arrange_default()

    def show_view(self, view_id: str) -> None:
        layout.show_view(self.window, self.docks, view_id, self.plan)

    def save(self) -> None:
        """Store every workspace's arrangement (the current one as it is now)."""
        self.states[self.current] = self.window.saveState(STATE_VERSION)
        self.settings.setValue(CURRENT_KEY, self.current)
        for workspace_id, state in self.states.items():
            self.settings.setValue(_state_key(workspace_id), bytes(state.toBase64()).decode())

    def _keep_hidden_outside_plan(self) -> None:
        """A view the stored arrangement never placed (one new since it was saved) would stay
        where the last workspace had it: the plan's views get a place, the others are hidden."""
        for view_id, dock in self.docks.items():
            if layout.placed(self.window, dock):
                continue
            if view_id in self.plan.view_ids:
                layout.show_view(self.window, self.docks, view_id, self.plan)
            else:
                dock.hide()
