"""What a real-window check needs to know that pixels do not say: the window's place against
the screen, which titles are cut short, where the pad, a settings field and the timeline's slider
are, which moment the timeline shows and which version the weights view draws.

Only when `DIGITLAB_WINDOW_REPORT` names a file (`.ci/real_window.py` sets it): twice a second
the window writes one JSON object there (replaced whole), and the check reads it between the
mouse and keyboard events it sends through the X server.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QToolButton, QWidget

ENVIRONMENT = "DIGITLAB_WINDOW_REPORT"
INTERVAL_MS = 500
TITLE_ROOM = 44  # a dock's title bar: its float and close buttons and margins


def install_report(window: QMainWindow) -> None:
    """Write the report while the window lives, if the environment asks for one."""
    path = os.environ.get(ENVIRONMENT)
    if not path:
        return
    timer = QTimer(window, interval=INTERVAL_MS)
    timer.timeout.connect(lambda: _write(Path(path), report(window)))
    timer.start()


def report(window: QMainWindow) -> dict[str, Any]:
    screen = window.screen().availableGeometry()
    views = getattr(window, "views", {})
    pad, form = views.get("pad"), views.get("training")
    lessons = getattr(window, "lessons", None)
    session = getattr(window, "session", None)
    return {
        "screen": _rect(screen),
        "frame": _rect(window.frameGeometry()),
        "window": _rect(window.geometry()),
        "workspace": getattr(getattr(window, "workspaces", None), "current", None),
        "lesson": lessons.current.title if lessons and lessons.current else None,
        "shown": sorted(
            d.objectName()
            for d in window.findChildren(QDockWidget)
            if d.isVisible() and not d.visibleRegion().isEmpty()
        ),  # fmt: skip
        "cut_titles": cut_titles(window),
        "pad": _on_screen(pad.canvas) if pad is not None else None,
        "lr_field": _on_screen(form.fields["lr"]) if form is not None else None,
        "lr": session.run.settings.lr if session is not None else None,
        "drawn": bool(session is not None and not session.drawing.input.empty),
        "timeline": _timeline(window),
        "recording": _recording(window),
        "compare": _compare(window),
    }


def _compare(window: QMainWindow) -> dict[str, Any] | None:
    """The A vs B view's controls on screen, B's run, and the view's summary of the pair."""
    views, session = getattr(window, "views", {}), getattr(window, "session", None)
    view, run = views.get("compare"), views.get("run")
    if view is None or session is None:
        return None
    return {
        "beside": _on_screen(view.beside),
        "hidden": _on_screen(view.hidden),
        "start": _on_screen(run.start_button) if run is not None else None,
        "b_hidden": list(session.side_by_side.hidden),
        "b_phase": session.partner_run.phase.value,
        "summary": view.summary.text(),
    }


def _timeline(window: QMainWindow) -> dict[str, Any] | None:
    """Where the timeline stands, its slider on screen, and the version the weights show."""
    bar, session = getattr(window, "timeline", None), getattr(window, "session", None)
    if bar is None or session is None:
        return None
    timeline = session.timeline
    weights = getattr(window, "views", {}).get("weights")
    shown = getattr(weights, "_entry", None)
    answering = session.models.current
    return {
        "moments": len(timeline.moments),
        "position": timeline.position,
        "live": timeline.live,
        "slider": _on_screen(bar.slider),
        "weights_version": shown.ref.version if shown is not None else None,
        "answering_version": answering.ref.version if answering is not None else None,
    }


def _recording(window: QMainWindow) -> dict[str, Any] | None:
    control = getattr(window, "recording", None)
    recording = getattr(control, "recording", None)
    if recording is None:
        return None
    return {"frames": recording.frames, "busy": recording.busy}


def cut_titles(window: QMainWindow) -> list[str]:
    """Titles shown shorter than their text: tabs, shown docks' title bars, toolbar buttons."""
    cut = []
    for bar in window.findChildren(QTabBar):
        if bar.isVisible():
            metrics = bar.fontMetrics()
            for index in range(bar.count()):
                text = bar.tabText(index)
                if bar.tabRect(index).width() < metrics.horizontalAdvance(text):
                    cut.append(text)
    for dock in window.findChildren(QDockWidget):
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            needed = dock.fontMetrics().horizontalAdvance(dock.windowTitle()) + TITLE_ROOM
            if dock.width() < needed:
                cut.append(dock.windowTitle())
    for button in window.findChildren(QToolButton):
        if (
            button.isVisible()
            and _shows_text(button)
            and button.width() < (button.fontMetrics().horizontalAdvance(button.text()))
        ):
            cut.append(button.text())
    return cut


def _shows_text(button: QToolButton) -> bool:
    """Its text is drawn (an icon-only button's text is its name, for tooltips and readers)."""
    icon_only = button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    return bool(button.text()) and (button.icon().isNull() or not icon_only)


def _on_screen(widget: QWidget) -> list[int] | None:
    if not widget.isVisible() or widget.visibleRegion().isEmpty():
        return None
    return _rect(QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size()))


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _write(path: Path, data: dict[str, Any]) -> None:
    try:
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(data))
        temporary.replace(path)
    except OSError:
        pass  # a check that cannot read the report fails on its own
