"""Run a short blocking job (load a file, a dataset, save a model) off the GUI thread.

The result comes back as a Qt signal, delivered on the GUI thread, so callbacks may touch widgets.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from digitlab.core.errors import DigitlabError


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            result = self.fn()
        except DigitlabError as exc:
            self.relay.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - an unexpected error still reaches the user
            traceback.print_exc()
            self.relay.failed.emit(f"{exc.__class__.__name__}: {exc}")
        else:
            self.relay.done.emit(result)


_live: set[_Relay] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
) -> None:
    """Call fn() in Qt's thread pool; on_done(result) or on_error(message) on the GUI thread."""
    relay = _Relay()
    _live.add(relay)  # keep the relay alive until the job reports

    def finish_ok(result: Any) -> None:
        _live.discard(relay)
        on_done(result)

    def finish_error(message: str) -> None:
        _live.discard(relay)
        on_error(message)

    relay.done.connect(finish_ok)
    relay.failed.connect(finish_error)
    QThreadPool.globalInstance().start(_Job(fn, relay))


def wait_for_background_jobs(timeout_ms: int = 5000) -> bool:
    """Block until queued jobs have finished (on exit, and in tests)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
