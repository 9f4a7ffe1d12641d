"""Placing docks: a workspace's default arrangement, a view called up from the menu, and tab
titles shown in full.

Sizes come from the workspace's shares of the window actually shown. Docks a workspace does
not name are hidden (the user can call any of them up from the View menu).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QToolBar

from digitlab.ui.workspaces import Workspace

ARRANGE_AREA = Qt.DockWidgetArea.LeftDockWidgetArea


def arrange(
    window: QMainWindow, docks: dict[str, QDockWidget], plan: Workspace, width: int, height: int
) -> None:
    """Place the workspace's views as its plan says, sized for a width × height window."""
    wanted = set(plan.view_ids)
    for dock in docks.values():
        window.removeDockWidget(dock)  # (also hides it)
        dock.setFloating(False)
    heads = [docks[column.cells[0].views[0]] for column in plan.columns]
    window.addDockWidget(ARRANGE_AREA, heads[0])
    for before, head in zip(heads, heads[1:]):
        window.splitDockWidget(before, head, Qt.Orientation.Horizontal)
    for column in plan.columns:
        fronts = [docks[cell.views[0]] for cell in column.cells]
        for above, below in zip(fronts, fronts[1:]):
            window.splitDockWidget(above, below, Qt.Orientation.Vertical)
        for cell in column.cells:
            front = docks[cell.views[0]]
            for view_id in cell.views[1:]:
                window.tabifyDockWidget(front, docks[view_id])
            for view_id in cell.views:
                docks[view_id].show()
            front.raise_()
    for view_id, dock in docks.items():
        if view_id not in wanted:  # in the layout, hidden: so that a saved arrangement
            window.addDockWidget(ARRANGE_AREA, dock)  # names every view, and restoring it
            dock.hide()  # hides those (Qt shows again the docks a state does not name)
    window.resizeDocks(
        heads, _shares([c.width for c in plan.columns], width), Qt.Orientation.Horizontal
    )
    room = height - window.menuBar().sizeHint().height() - window.statusBar().sizeHint().height()
    for toolbar in window.findChildren(QToolBar):
        if toolbar.isVisible() and toolbar.orientation() == Qt.Orientation.Horizontal:
            room -= toolbar.sizeHint().height()
    for column in plan.columns:
        if len(column.cells) > 1:
            fronts = [docks[cell.views[0]] for cell in column.cells]
            heights = _shares([cell.height for cell in column.cells], room)
            window.resizeDocks(fronts, heights, Qt.Orientation.Vertical)
    show_full_tab_titles(window)


def _shares(shares: list[float], room: int) -> list[int]:
    """Pixel sizes in the given proportions whose sum is `room`."""
    total = sum(shares) or 1.0
    sizes = [max(int(room * share / total), 1) for share in shares]
    sizes[sizes.index(max(sizes))] += room - sum(sizes)
    return sizes


def show_view(
    window: QMainWindow, docks: dict[str, QDockWidget], view_id: str, plan: Workspace
) -> None:
    """Show a view and bring it to the front, in the current workspace. One that is not shown
    goes as a tab behind the workspace's main view (where there is the most room); one already
    shown is only raised: choosing a view never hides it."""
    dock = docks[view_id]
    if dock.isHidden():
        anchor = docks[plan.main_view]
        if dock is not anchor and placed(window, anchor) and not anchor.isHidden():
            window.tabifyDockWidget(anchor, dock)
        elif not placed(window, dock):
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.show()
    dock.raise_()
    show_full_tab_titles(window)


def show_full_tab_titles(window: QMainWindow) -> None:
    """The tab bars of tabbed docks show whole titles ("2-D bottleneck", not "2-D b…"): Qt
    elides them to fit by default; a bar too narrow scrolls instead."""
    for bar in window.findChildren(QTabBar):
        if bar.elideMode() != Qt.TextElideMode.ElideNone:
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)
            bar.setExpanding(False)


def placed(window: QMainWindow, dock: QDockWidget) -> bool:
    return dock.isFloating() or window.dockWidgetArea(dock) != Qt.DockWidgetArea.NoDockWidgetArea
