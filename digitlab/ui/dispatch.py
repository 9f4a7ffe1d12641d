"""The session's dispatcher for the window: calls posted from any thread run on the GUI thread.

Background jobs and the training relay are plain Python threads (`session.jobs`); what they
report reaches the session through here, via a queued Qt signal, so widgets are only ever
touched on the GUI thread.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal


class QtDispatcher(QObject):
    """Create it on the GUI thread; `post` may be called from any thread."""

    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._call, Qt.ConnectionType.QueuedConnection)

    def post(self, fn: Callable[[], None]) -> None:
        try:
            self._posted.emit(fn)
        except RuntimeError:  # the window is gone (shutting down): nobody is listening
            pass

    def _call(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 - one failing callback must not break the event loop
            traceback.print_exc(file=sys.stderr)
