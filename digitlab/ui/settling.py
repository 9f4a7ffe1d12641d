"""When a picture of a moment may be taken: the views in it have drawn what they show.

A recording (and `digitlab record`) chooses a moment, then waits until no analysis of it is
outstanding and no view in the picture has a redraw due or a request held back (the bottleneck
asks at most ten times a second), for QUIET_S, polled: an idle moment is not yet a drawn one
until the results have arrived and been painted.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from digitlab.session import Session
from digitlab.ui.view import View

QUIET_S = 0.03  # two polls with nothing outstanding


def drawing(session: Session, widget: QWidget) -> bool:
    """Is something the picture of `widget` must wait for still on its way?"""
    if session.analysing:
        return True
    views = [widget] if isinstance(widget, View) else []
    return any(view.awaiting() for view in [*views, *widget.findChildren(View)])
