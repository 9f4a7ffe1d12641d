"""Finding one of the window's menus by its title (for the parts that add to them)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu


def menu_named(window: QMainWindow, title: str) -> QMenu:
    """The menu bar's menu titled `title` ("&View"), made at the end if there is none."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text() == title:
            return menu
    return window.menuBar().addMenu(title)
