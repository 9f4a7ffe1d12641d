"""Fields in a scrolling pane take the mouse wheel only when they have the focus.

Otherwise a user scrolling the pane changes whatever spin box or list passes under the pointer
(a learning rate 0.001 → 0.0005 while reading the form). Unfocused, the wheel scrolls the pane
instead; a click (or Tab) gives the field the focus, and then the wheel changes it as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget


class WheelGuard(QObject):
    """An event filter for the fields of one pane (install it with `guard`)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus():
            return False
        area = _scroll_area_of(watched)
        if area is not None:
            QCoreApplication.sendEvent(area.verticalScrollBar(), event)
        return True  # the field itself never sees it


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def guard(fields: list[QWidget], owner: QObject) -> WheelGuard:
    """Make `fields` take the wheel only when focused (and not take the focus from the wheel)."""
    wheel_guard = WheelGuard(owner)
    for field in fields:
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        field.installEventFilter(wheel_guard)
    return wheel_guard
