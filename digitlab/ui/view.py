"""What every view is: a widget on the session that subscribes, refreshes lazily, and remembers.

A view takes the session in its constructor and subscribes to the events it needs with
`subscribe` (unsubscribed when the widget goes; an exception in a handler becomes a notice, not a
broken session). Handlers that redraw call `schedule_refresh`: while the view is hidden (a closed
dock, a tab behind another, a minimised window) that only marks it stale, and `refresh` runs when
it is shown again, so a hidden view costs nothing. (Qt keeps a dock tabbed behind another
`isVisible()`: `on_screen` asks for its visible region instead, and the window passes on each
dock's `visibilityChanged` and `topLevelChanged`, `recheck_on_screen`, as the moments to look.)
`view_settings` / `apply_view_settings` carry what the view remembers between runs. `run_alone`
opens one view in its own window with a live session.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from digitlab.session import Session
from digitlab.ui.picture_models import DIGITS_ONLY, is_picture_model

# Views that read the drawing or MNIST's digits: with a model of colour pictures (CIFAR-10) they
# say they are for digit models, in one line over the view, instead of refreshing.
DIGITS_ONLY_VIEWS = frozenset({
    "evidence", "activations", "offsets", "flip", "patching", "bottleneck", "units", "probes",
    "robustness", "mydigits", "lab", "pruning", "preview",
})  # fmt: skip


class View(QWidget):
    """Base class of the views in `digitlab.ui.views`."""

    view_id: ClassVar[str] = ""
    region_widget: QWidget | None = None  # what covers the view whole, if anything (`scrolled`)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._subscriptions: list[tuple[Any, Callable[..., None]]] = []
        self._stale = False
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self._run_refresh)
        subscriptions = self._subscriptions  # the lambda must not keep `self` alive
        self.destroyed.connect(lambda *_: _disconnect_all(subscriptions))

    # --- events ------------------------------------------------------------------------------

    def subscribe(self, signal: Any, handler: Callable[..., None]) -> None:
        """Call `handler` on `signal` (a session event) until this view is destroyed."""
        notices = self.session.notices
        name = f"{type(self).__name__}.{getattr(handler, '__name__', 'handler')}"

        def guarded(*args: Any) -> None:
            try:
                handler(*args)
            except RuntimeError as exc:
                if "already deleted" not in str(exc):  # a view torn down mid-emit: ignore
                    _report(notices, name)
            except Exception:  # noqa: BLE001 - a failing view must not break the session
                _report(notices, name)

        signal.connect(guarded)
        self._subscriptions.append((signal, guarded))

    # --- lazy refresh -------------------------------------------------------------------------

    def on_screen(self) -> bool:
        """Is the view where the user can see it (shown, and not a tab behind another)? A view
        wholly covered by a scroll area asks the scrolled body (`region_widget`): Qt leaves the
        view itself no visible region under an opaque child."""
        widget = self.region_widget or self
        return self.isVisible() and not widget.visibleRegion().isEmpty()

    def recheck_on_screen(self, *_: Any) -> None:
        """Its dock's tab came to the front or went behind, or the dock floated or docked: if
        that brought a stale view on screen, refresh it (once Qt has laid the change out)."""
        QTimer.singleShot(0, self, self._refresh_if_uncovered)

    def _refresh_if_uncovered(self) -> None:
        if self._stale and self.on_screen():
            self._stale = False
            self._refresh_timer.start()

    def schedule_refresh(self) -> None:
        """Redraw from the session soon (coalesced); only marks the view stale while hidden."""
        if self.on_screen():
            self._refresh_timer.start()
        else:
            self._stale = True

    def awaiting(self) -> bool:
        """A redraw is due or the view holds back a request it will make (a throttle): what a
        recording waits out before it takes the picture of a moment."""
        return self._refresh_timer.isActive()

    def refresh_at_once(self, *_: Any) -> None:
        """For views that follow the pen: redraw now when visible (a stroke must not wait a
        cycle of the event loop), else only mark the view stale."""
        if self.on_screen():
            if self._digits_only_note():
                return
            self.refresh()
        else:
            self.schedule_refresh()

    def refresh(self) -> None:
        """Pull the current state from the session and show it (override)."""

    def _run_refresh(self) -> None:
        self._stale = False
        if not self._digits_only_note():
            self.refresh()

    def _digits_only_note(self) -> bool:
        """Cover a digits-only view with its one line while a colour-picture model answers
        (True: do not refresh); uncover it otherwise."""
        covered = self.view_id in DIGITS_ONLY_VIEWS and is_picture_model(
            self.session.models.current
        )
        note: QLabel | None = getattr(self, "_picture_note", None)
        if covered and note is None:
            note = self._picture_note = QLabel(DIGITS_ONLY, self)
            note.setWordWrap(True)
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note.setAutoFillBackground(True)
        if note is not None:
            note.setVisible(covered)
            if covered:
                note.setGeometry(self.rect())
                note.raise_()
        return covered

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        note: QLabel | None = getattr(self, "_picture_note", None)
        if note is not None and note.isVisible():
            note.setGeometry(self.rect())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.recheck_on_screen()

    @property
    def stale(self) -> bool:
        """True while hidden changes wait for the next show."""
        return self._stale

    # --- what a view remembers ------------------------------------------------------------

    def view_settings(self) -> dict[str, Any]:
        """What to remember between runs (plain JSON values)."""
        return {}

    def apply_view_settings(self, values: dict[str, Any]) -> None:
        """Restore `view_settings()`; values are untrusted (validate, never raise)."""

    # --- user intent -----------------------------------------------------------------------------

    def intends_to_train(self) -> None:
        """The user is reaching for training: warm the trainer up behind the scenes."""
        run = self.session.run
        if not run.phase.busy:
            run.prepare()


def _disconnect_all(subscriptions: list[tuple[Any, Callable[..., None]]]) -> None:
    for signal, handler in subscriptions:
        try:
            signal.disconnect(handler)
        except (ValueError, RuntimeError):
            pass
    subscriptions.clear()


def _report(notices: Any, name: str) -> None:
    traceback.print_exc(file=sys.stderr)
    kind, value = sys.exc_info()[:2]
    notices.error(f"{name} failed: {kind.__name__ if kind else 'error'}: {value}")


def demo_session(model: str | None = "mlp", drawing: bool = True) -> Session:
    """A live session for a view shown alone: the shipped model and a drawn 7."""
    import numpy as np

    from digitlab.core.drawing_grid import PAD_SIZE
    from digitlab.ui.dispatch import QtDispatcher

    session = Session(QtDispatcher())
    if model:
        session.start(model)
    if drawing:
        pad = np.zeros((PAD_SIZE, PAD_SIZE), np.uint8)  # strokes in pad pixels
        pad[60:80, 70:210] = 255
        for row in range(80, 230):
            col = 200 - (row - 80) * 80 // 150
            pad[row, col - 10 : col + 10] = 255
        session.drawing.set_canvas(pad)
    return session


def run_alone(
    factory: Callable[[Session], QWidget],
    prepare: Callable[[Session], None] | None = None,
    size: tuple[int, int] = (640, 480),
) -> int:
    """Open one view in its own window on a demo session (`python -m digitlab.ui.views.X`)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    session = demo_session()
    if prepare is not None:
        prepare(session)
    view = factory(session)
    view.setWindowTitle(f"digitlab — {getattr(view, 'view_id', '') or type(view).__name__}")
    view.resize(*size)
    view.show()
    session.notices.posted.connect(lambda notice: print(notice.text, file=sys.stderr))
    code = app.exec()
    session.close()
    return code
