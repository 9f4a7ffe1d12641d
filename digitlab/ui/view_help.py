"""Help in place: a "?" on every view's title bar, and F1 for the view one is in.

The texts are `help_texts.HELP`. They show in one small non-modal panel beside the view, so one
can read it and try what it says at the same time; the panel shows without taking the keyboard
focus, so F1 keeps meaning "the view I am in". F1 (Help → Help on this view) picks the view
holding the focused widget, else the view under the mouse, else lists the views.

The "?" is a small button laid over the dock's own title bar, just left of its float and close
buttons, rather than a title-bar widget of our own: a custom title bar must redo the title, the
float and close buttons, double-click to float and dragging, and it turns off the native frame
of a floating dock; laid over, all of that stays Qt's. It is placed again whenever the dock lays
itself out. Where Qt draws no title bar (a floating dock with the system's frame, or a title
bar widget set by someone else) it sits at the top-right corner of the view instead.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QCursor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QStyle,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.ui.help_texts import HELP, help_html
from digitlab.ui.menus import menu_named

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

BUTTON_NAME = "digitlab_help_button"
BUTTON_TIP = "What this view shows and how to read it (F1)"
TITLE_BUTTONS = ("qt_dockwidget_floatbutton", "qt_dockwidget_closebutton")  # Qt's names
GAP = 2  # pixels between the "?" and Qt's title buttons
PANEL_LINES_WIDE = 30  # the panel's width, in lines of text
_PLACE_ON = {QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest,
             QEvent.Type.StyleChange, QEvent.Type.FontChange}  # fmt: skip
NO_VIEW = (
    "<h3>Which view?</h3><p>Click in a view, or point at it, and press <b>F1</b>; or press the "
    "<b>?</b> in its title bar. The views:</p>"
)


class HelpPanel(QDialog):
    """One view's help, beside it; non-modal, and it does not take the keyboard focus."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.view_id = ""  # whose help is on show ("" for the list of views)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def show_text(self, view_id: str, title: str, text: str, near: QWidget | None) -> None:
        self.view_id = view_id
        self.setWindowTitle(f"Help: {title}" if title else "Help")
        self.text.setHtml(text)
        line = self.fontMetrics().height()  # sized in lines: it grows with the window's zoom
        width = PANEL_LINES_WIDE * line
        document = self.text.document()
        document.setTextWidth(width - 3 * line)  # the margins, the frame, a scroll bar
        height = math.ceil(document.size().height()) + 4 * line  # and the Close button
        room = (near or self.parentWidget()).screen().availableGeometry().height()
        self.resize(width, min(height, int(0.8 * room)))
        if near is not None:
            self.move(_beside(near, self.size().width(), self.size().height()))
        self.show()
        self.raise_()


def _beside(anchor: QWidget, width: int, height: int) -> QPoint:
    """Below the anchor, its right edges in line, kept on the anchor's screen."""
    corner = anchor.mapToGlobal(QPoint(anchor.width(), anchor.height()))
    screen = anchor.screen().availableGeometry()
    x = min(max(corner.x() - width, screen.left()), screen.right() - width)
    y = min(max(corner.y() + GAP, screen.top()), screen.bottom() - height)
    return QPoint(x, y)


class ViewHelp(QObject):
    """The "?" buttons, the F1 action and the panel of one window."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel = HelpPanel(window)
        self.buttons: dict[str, QToolButton] = {}
        self._pending: set[QDockWidget] = set()
        self._place_timer = QTimer(self, singleShot=True, interval=0)
        self._place_timer.timeout.connect(self._place_pending)
        for dock in window.findChildren(QDockWidget):
            self._add_button(dock)
        window.installEventFilter(self)  # docks made later get a button too
        self.action = QAction("Help on this &view", window)
        keys = [QKeySequence(Qt.Key.Key_F1)]
        keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.HelpContents)
                 if k not in keys]  # fmt: skip
        self.action.setShortcuts(keys)
        self.action.setStatusTip("What the view you are in shows, and how to read it")
        self.action.triggered.connect(self.show_current)
        menu = menu_named(window, "&Help")
        first = menu.actions()[0] if menu.actions() else None
        menu.insertAction(first, self.action)
        if first is not None:
            menu.insertSeparator(first)

    # --- which view ------------------------------------------------------------------------

    def docks(self) -> dict[str, QDockWidget]:
        """The window's views that have help, by id (floating ones too)."""
        return {d.objectName(): d for d in self.window.findChildren(QDockWidget)
                if d.objectName() in HELP}  # fmt: skip

    def view_of(self, widget: QWidget | None) -> str:
        """The id of the view holding `widget`, or ""."""
        docks = set(self.docks().values())
        while widget is not None:
            if isinstance(widget, QDockWidget) and widget in docks:
                return widget.objectName()
            widget = widget.parentWidget()
        return ""

    def current_view(self) -> str:
        """The view with the keyboard focus, else the one under the mouse, else ""."""
        return self.view_of(QApplication.focusWidget()) or self.view_of(
            QApplication.widgetAt(QCursor.pos())
        )

    # --- showing ---------------------------------------------------------------------------

    def show_current(self) -> None:
        view_id = self.current_view()
        if view_id:
            self.show_help(view_id)
        else:
            self.show_list()

    def show_help(self, view_id: str) -> None:
        """The help of view `view_id` in the panel, beside its "?" (or its dock)."""
        dock = self.docks().get(view_id)
        title = dock.windowTitle() if dock is not None else view_id
        button = self.buttons.get(view_id)
        near = button if button is not None and button.isVisible() else dock
        near = near if near is not None and near.isVisible() else None
        self.panel.show_text(view_id, title, help_html(view_id, title), near)

    def show_list(self) -> None:
        rows = "".join(
            f"<li><b>{html.escape(dock.windowTitle())}</b>: {html.escape(dock.toolTip())}</li>"
            for dock in self.docks().values()
        )
        self.panel.show_text("", "", f"{NO_VIEW}<ul>{rows}</ul>", None)

    # --- the buttons -----------------------------------------------------------------------

    def _add_button(self, dock: QDockWidget) -> None:
        view_id = dock.objectName()
        if view_id not in HELP or view_id in self.buttons:
            return
        button = QToolButton(dock)
        button.setObjectName(BUTTON_NAME)
        button.setText("?")
        bold = QFont()  # bold only: its size follows the dock's font (and the zoom)
        bold.setBold(True)
        button.setFont(bold)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F1 and Space stay where they were
        button.setToolTip(BUTTON_TIP)
        button.setAccessibleName(f"Help on {dock.windowTitle()}")
        button.clicked.connect(lambda: self.show_help(view_id))
        self.buttons[view_id] = button
        dock.installEventFilter(self)
        self._place(dock)
        button.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if watched is self.window:
            if kind == QEvent.Type.ChildAdded and isinstance(event.child(), QDockWidget):
                dock = event.child()  # its name is set after it is made: look next cycle
                QTimer.singleShot(0, self, lambda: self._add_button(dock))
        elif kind in _PLACE_ON and isinstance(watched, QDockWidget):
            self._pending.add(watched)  # the dock lays its title out after this event
            self._place_timer.start()
        return False

    def _place_pending(self) -> None:
        pending, self._pending = self._pending, set()
        for dock in pending:
            self._place(dock)

    def _place(self, dock: QDockWidget) -> None:
        button = self.buttons.get(dock.objectName())
        if button is None:
            return
        button.setGeometry(_button_rect(dock, button))
        button.raise_()  # over a view put into the dock after it


def _button_rect(dock: QDockWidget, button: QToolButton) -> QRect:
    """Left of Qt's float and close buttons, in the title bar; else the view's top-right."""
    line = button.fontMetrics().height() + 4
    content = dock.widget()
    title_bottom = content.geometry().top() if content is not None else 0
    shown = [b for b in dock.findChildren(QAbstractButton)
             if b.objectName() in TITLE_BUTTONS and not b.isHidden()]  # fmt: skip
    if shown and dock.titleBarWidget() is None and title_bottom > 0:
        frame = QStyle.PixelMetric.PM_DockWidgetFrameWidth
        band_top = dock.style().pixelMetric(frame, None, dock) if dock.isFloating() else 0
        band = title_bottom - band_top
        side = min(band, max(line, *(b.height() for b in shown)))
        left = min(b.geometry().left() for b in shown)
        return QRect(left - GAP - side, band_top + (band - side) // 2, side, side)
    side = line
    right = content.geometry().right() if content is not None else dock.width() - 1
    return QRect(right - side - GAP, title_bottom + GAP, side, side)


def install_help(window: QMainWindow) -> ViewHelp:
    """The "?" on every view, F1, and Help → Help on this view, for `window` (once: a second
    call returns the first one's)."""
    found = window.findChild(ViewHelp)
    return found if isinstance(found, ViewHelp) else ViewHelp(window)
