"""View → Zoom: the whole window's text larger or smaller, for a projector; remembered.

A zoom factor (80 % … 200 %) scales the application font, which every widget without a size of
its own follows; the widgets that set a point size of their own (a headline) and the text inside
the plots (ticks, axis labels, titles, legends, text items: `plots.text_zoom`) are scaled from
the size their owner gave them. Views built later, and plot text made or reset later, get the
zoom too: a pass runs when a view is put into a dock, and while the zoom is not 100 %, shortly
after a plot's scene changes (a pass changes only what differs, so the next one finds nothing).

pyqtgraph is never imported here: the window paints before it is loaded, and until it is there
are no plots to scale. The factor is stored under `window/zoom`; a stored value is untrusted,
and anything but a number in range reads as 100 %.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QGraphicsScene, QWidget

from digitlab.ui.menus import menu_named

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

STEPS = (0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0)
KEY = "window/zoom"
ZOOM_PROPERTY = "digitlab_zoom"  # = plots.style.ZOOM_PROPERTY (not imported: no pyqtgraph here)
SCENE_PASS_MS = 150  # plot text made or reset by a view is zoomed this long after
STATUS_MS = 2000
_BASE, _APPLIED = "digitlab_zoom_base_font", "digitlab_zoom_applied_font"
_DOCK_FONT = "digitlab_zoom_dock_font"
_FOLLOWED = "digitlab_zoom_followed"  # a scene whose changes a Zoom hears of
_base_font: QFont | None = None  # the application font at 100 %, taken once per process


def read_factor(settings: QSettings) -> float:
    """The stored zoom, or 1.0 for anything but a number within STEPS' range (then the nearest
    step)."""
    value = settings.value(KEY)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return 1.0
    try:
        factor = float(value)
    except (ValueError, OverflowError):
        return 1.0
    if not (math.isfinite(factor) and STEPS[0] - 1e-6 <= factor <= STEPS[-1] + 1e-6):
        return 1.0
    return min(STEPS, key=lambda step: abs(step - factor))


def base_font() -> QFont:
    """The application font at 100 %: the font the first zoom found (it is the same for every
    window of the process, whatever zoom an earlier one left)."""
    global _base_font
    if _base_font is None:
        _base_font = QFont(QApplication.font())
    return QFont(_base_font)


def base_points() -> float:
    size = base_font().pointSizeF()
    return size if size > 0 else 9.0


def scaled_font(factor: float) -> QFont:
    font = base_font()
    if font.pointSizeF() > 0:
        font.setPointSizeF(round(font.pointSizeF() * factor, 2))
    else:
        font.setPixelSize(max(1, round(font.pixelSize() * factor)))
    return font


class Zoom(QObject):
    """The window's text zoom: `zoom_in`, `zoom_out`, `reset`, or `set_factor`."""

    changed = Signal(float)

    def __init__(self, window: QMainWindow, settings: QSettings) -> None:
        super().__init__(window)
        self.window, self.settings = window, settings
        self._factor = read_factor(settings)
        self._zoomed = False  # nothing here was ever scaled: at 100 % there is nothing to do
        self.actions: list[QAction] = []  # Zoom in, Zoom out, Reset zoom (install_zoom)
        self._dirty: set[QGraphicsScene] = set()  # scenes changed since the last pass
        self._full_pass = QTimer(self, singleShot=True, interval=0)
        self._full_pass.timeout.connect(self.apply)
        self._scene_pass = QTimer(self, singleShot=True, interval=SCENE_PASS_MS)
        self._scene_pass.timeout.connect(self._restyle_dirty)
        window.installEventFilter(self)
        for dock in window.findChildren(QDockWidget):
            dock.installEventFilter(self)
        self.apply()

    @property
    def factor(self) -> float:
        return self._factor

    def zoom_in(self) -> None:
        self.set_factor(next((s for s in STEPS if s > self._factor + 1e-6), STEPS[-1]))

    def zoom_out(self) -> None:
        self.set_factor(next((s for s in reversed(STEPS) if s < self._factor - 1e-6), STEPS[0]))

    def reset(self) -> None:
        self.set_factor(1.0)

    def set_factor(self, factor: float) -> None:
        """Zoom to `factor` (clamped to STEPS' range), apply it at once and remember it."""
        factor = float(factor) if math.isfinite(factor) else 1.0
        factor = min(max(factor, STEPS[0]), STEPS[-1])
        if factor == self._factor:
            return
        self._factor = factor
        self.settings.setValue(KEY, factor)
        self.apply()
        self.changed.emit(factor)

    # --- applying ------------------------------------------------------------------------------

    def apply(self) -> None:
        """Scale the application font, the widgets with sizes of their own and every plot's
        text to the current factor."""
        app = QApplication.instance()
        app.setProperty(ZOOM_PROPERTY, self._factor)
        font = scaled_font(self._factor)
        if QApplication.font() != font:
            QApplication.setFont(font)
            # Qt posts the change to the widgets: let them have it before measuring them
            QApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)
        self._zoomed = self._zoomed or self._factor != 1.0
        if not self._zoomed:
            return
        _dock_title_fonts(self.window, self._factor)
        _scale_widget_fonts(self.window, self._factor)
        _repolish_style_sheets(self.window)
        if "pyqtgraph" not in sys.modules:  # no plots yet
            return
        from digitlab.ui.plots import text_zoom

        for view in text_zoom.graphics_views(self.window):
            scene = view.scene()
            self._follow(scene)
            text_zoom.restyle_scene(scene, self._factor, base_points())
        self._dirty.clear()

    def _follow(self, scene: QGraphicsScene | None) -> None:
        """Hear of each change of `scene` (a bound slot: gone with this object)."""
        if scene is not None and not scene.property(_FOLLOWED):
            scene.setProperty(_FOLLOWED, True)
            scene.changed.connect(self._scene_changed)

    def _scene_changed(self, *_: object) -> None:
        """A view drew: new text may have come at its owner's size (none to fix at 100 %)."""
        scene = self.sender()
        if isinstance(scene, QGraphicsScene):
            self._mark(scene)

    def _mark(self, scene: QGraphicsScene) -> None:
        if self._factor != 1.0:
            self._dirty.add(scene)
            if not self._scene_pass.isActive():
                self._scene_pass.start()

    def _restyle_dirty(self) -> None:
        from digitlab.ui.plots import text_zoom

        dirty, self._dirty = self._dirty, set()
        for scene in dirty:
            if shiboken6.isValid(scene):  # not deleted since it changed
                text_zoom.restyle_scene(scene, self._factor, base_points())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """A dock new in the window or a view new in a dock: zoom it once it is in. A dock
        shown: its plots may have made or reset text while hidden (a hidden scene is quiet)."""
        kind = event.type()
        if kind == QEvent.Type.ChildAdded:
            child = event.child()
            if isinstance(child, QDockWidget) and watched is self.window:
                child.installEventFilter(self)
                self._full_pass.start()
            elif isinstance(child, QWidget) and isinstance(watched, QDockWidget):
                self._full_pass.start()
        elif kind == QEvent.Type.Show and isinstance(watched, QDockWidget):
            if self._factor != 1.0 and "pyqtgraph" in sys.modules:
                from digitlab.ui.plots import text_zoom

                for view in text_zoom.graphics_views(watched):
                    self._mark(view.scene())
        return False


def _scale_widget_fonts(root: QWidget, factor: float) -> None:
    """Widgets that set a point size of their own (not only bold, say: those follow the
    application font) get that size × factor; the size applied is remembered on the widget,
    so a size its owner sets later becomes its new base."""
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QDockWidget) or not widget.testAttribute(
            Qt.WidgetAttribute.WA_SetFont
        ):
            continue
        font = widget.font()
        size = font.pointSizeF()
        if size <= 0:
            continue
        applied = widget.property(_APPLIED)
        if isinstance(applied, float) and abs(size - applied) < 0.01:
            base = widget.property(_BASE)
        else:
            parent = widget.parentWidget()
            window = widget.isWindow() or parent is None  # a window takes the application font
            inherited = QApplication.font(widget) if window else parent.font()
            if applied is None and abs(size - inherited.pointSizeF()) < 0.01:
                continue  # its size is the inherited one: it follows by itself
            base = size
            widget.setProperty(_BASE, float(base))
        target = round(float(base) * factor, 2)
        widget.setProperty(_APPLIED, target)
        if abs(size - target) >= 0.01:
            font.setPointSizeF(target)
            widget.setFont(font)


def _dock_title_fonts(root: QWidget, factor: float) -> None:
    """A dock draws its title in the font it took when it was made, unless its own font differs
    from the application's (QDockWidget::paintEvent): at a zoom, each dock gets the zoomed font
    a hundredth of a point larger, which Qt then uses, and which looks the same. At 100 % the
    docks follow the application font again."""
    for dock in root.findChildren(QDockWidget):
        if factor == 1.0:
            if dock.property(_DOCK_FONT):
                dock.setFont(QFont())  # nothing of its own: inherited again
                dock.setProperty(_DOCK_FONT, False)
            continue
        font = scaled_font(factor)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() + 0.01)
            dock.setFont(font)
            dock.setProperty(_DOCK_FONT, True)


def _repolish_style_sheets(root: QWidget) -> None:
    """A widget under a style sheet (the workspace bar's buttons, the status bar once a notice
    coloured it) is left out when the application font changes; polishing it again takes its
    parent's font (parents first: `findChildren` lists them before their children)."""
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.testAttribute(Qt.WidgetAttribute.WA_StyleSheet):
            widget.style().polish(widget)


def _step_text(factor: float) -> str:
    return f"{round(factor * 100)} %"


def install_zoom(window: QMainWindow, settings: QSettings) -> Zoom:
    """Zoom in, Zoom out and Reset zoom in the window's View menu (Ctrl+=, Ctrl+−, Ctrl+0),
    and the stored zoom applied now (once: a second call returns the first one's)."""
    found = window.findChild(Zoom)
    if isinstance(found, Zoom):
        return found
    zoom = Zoom(window, settings)
    menu = menu_named(window, "&View")
    menu.addSeparator()
    actions: list[QAction] = []
    for text, slot, keys in (
        ("Zoom &in", zoom.zoom_in, ("Ctrl+=", "Ctrl++", QKeySequence.StandardKey.ZoomIn)),
        ("Zoom &out", zoom.zoom_out, ("Ctrl+-", QKeySequence.StandardKey.ZoomOut)),
        ("&Reset zoom", zoom.reset, ("Ctrl+0",)),
    ):
        action = QAction(text, window)
        sequences: list[QKeySequence] = []
        for key in keys:
            found = [QKeySequence(key)] if isinstance(key, str) else QKeySequence.keyBindings(key)
            sequences += [s for s in found if not s.isEmpty() and s not in sequences]
        action.setShortcuts(sequences)
        action.triggered.connect(slot)
        menu.addAction(action)
        actions.append(action)
    zoom_in, zoom_out, reset = actions

    def show(factor: float) -> None:
        zoom_in.setEnabled(factor < STEPS[-1])
        zoom_out.setEnabled(factor > STEPS[0])
        reset.setText(f"&Reset zoom ({_step_text(factor)})")
        reset.setStatusTip("Back to 100 %")

    show(zoom.factor)
    zoom.changed.connect(show)
    zoom.changed.connect(
        lambda factor: window.statusBar().showMessage(f"Zoom {_step_text(factor)}", STATUS_MS)
    )
    zoom.actions = actions
    return zoom
