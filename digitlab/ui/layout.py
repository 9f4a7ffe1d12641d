"""The default arrangement of the views: columns side by side, each a stack of views.

Columns and rows come from the registry (`ViewSpec.column`, `.row`); sizes are its pixel sizes at
a 1400×860 window, scaled to the window actually shown. On a small screen the two plots of the
last column share one place as tabs, so the weights keep a useful size at 1024×640. A view that
should be a tab behind an unregistered one (a trimmed registry) goes at the foot of the last
column.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from digitlab.ui.views import VIEWS, ViewSpec

REFERENCE_SIZE = (1400, 860)
COMPACT_HEIGHT = 760  # below this, the last column's plots become tabs


def tabbed(spec: ViewSpec) -> bool:
    """Does the view start as a tab behind another (one that is registered)?"""
    return bool(spec.tab_with) and any(other.id == spec.tab_with for other in VIEWS)


def columns() -> list[list[ViewSpec]]:
    """The views placed in columns (not those that start as a tab behind another)."""
    grouped: dict[int, list[ViewSpec]] = defaultdict(list)
    last = max((spec.column for spec in VIEWS if spec.column is not None), default=0)
    for spec in VIEWS:
        if not tabbed(spec):
            column = last if spec.column is None else spec.column
            grouped[column].append(spec)
    return [sorted(grouped[c], key=lambda s: (s.column is None, s.row)) for c in sorted(grouped)]


def arrange(window: QMainWindow, docks: dict[str, QDockWidget], width: int, height: int) -> None:
    """Place every dock where the registry says, sized for a width × height window."""
    for dock in docks.values():
        window.removeDockWidget(dock)
    stacks = columns()
    heads = [docks[stack[0].id] for stack in stacks]
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, heads[0])
    for before, head in zip(heads, heads[1:]):
        window.splitDockWidget(before, head, Qt.Orientation.Horizontal)
    compact = height < COMPACT_HEIGHT
    for index, stack in enumerate(stacks):
        last = index == len(stacks) - 1
        for above, below in zip(stack, stack[1:]):
            if compact and last:
                window.tabifyDockWidget(docks[above.id], docks[below.id])
            else:
                window.splitDockWidget(docks[above.id], docks[below.id], Qt.Orientation.Vertical)
        for spec in stack:
            docks[spec.id].show()
    for spec in VIEWS:
        if tabbed(spec):
            window.tabifyDockWidget(docks[spec.tab_with], docks[spec.id])
            docks[spec.id].show()
            docks[spec.tab_with].raise_()  # the tab behind stays behind
    if compact:
        docks[stacks[-1][-1].id].raise_()  # the weights in front of the curves
    scale = min(width / REFERENCE_SIZE[0], height / REFERENCE_SIZE[1])
    widths = [max(spec.width for spec in stack) for stack in stacks]
    window.resizeDocks(heads, _filling(widths, width, scale), Qt.Orientation.Horizontal)
    room = height - window.menuBar().sizeHint().height() - window.statusBar().sizeHint().height()
    for stack in stacks:
        if len(stack) > 1 and not (compact and stack is stacks[-1]):
            heights = _filling([spec.height for spec in stack], room, scale)
            window.resizeDocks([docks[s.id] for s in stack], heights, Qt.Orientation.Vertical)


def _filling(sizes: list[int], room: int, scale: float) -> list[int]:
    """Scaled sizes whose sum is `room`: the largest takes what the others leave (Qt shares out
    any difference in proportion, which would make small views such as the model chooser grow)."""
    scaled = [max(int(size * scale), 1) for size in sizes]
    largest = scaled.index(max(scaled))
    scaled[largest] = max(room - (sum(scaled) - scaled[largest]), scaled[largest] // 2)
    return scaled


def place_missing(window: QMainWindow, docks: dict[str, QDockWidget]) -> list[str]:
    """After restoring a saved arrangement: give views it did not know (new in the registry)
    a place beside the views of their registry column. Returns the ids it placed."""
    placed = []
    for stack in [*columns(), [s for s in VIEWS if tabbed(s)]]:
        for spec in stack:
            dock = docks[spec.id]
            if _placed(window, dock):
                continue
            if tabbed(spec) and _placed(window, docks[spec.tab_with]):
                window.tabifyDockWidget(docks[spec.tab_with], dock)
                dock.show()
                docks[spec.tab_with].raise_()
                placed.append(spec.id)
                continue
            neighbours = [docks[s.id] for s in stack if s.id != spec.id]
            anchor = next((d for d in neighbours if _placed(window, d)), None)
            if anchor is not None:
                window.splitDockWidget(anchor, dock, Qt.Orientation.Vertical)
            else:
                window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            dock.show()
            placed.append(spec.id)
    return placed


def _placed(window: QMainWindow, dock: QDockWidget) -> bool:
    return dock.isFloating() or window.dockWidgetArea(dock) != Qt.DockWidgetArea.NoDockWidgetArea
