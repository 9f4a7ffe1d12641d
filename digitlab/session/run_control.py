"""The run's state machine, what reaches the going run, and its display gate.

A run is IDLE, STARTING (trainer starting, data loading), RUNNING, PAUSED or FINISHED. The pause
and cancel flags, the pace and the live settings are shared with the trainer (`RunState`); the
pace outlives a run (each new run's state starts with it). An edit of a live setting (learning
rate, batch size, …: `core.live`) and each "+1 epoch" reach a going run at its next step; other
edits wait for the next Start. Each run gets an id, so the reports of an abandoned run
are ignored. A run whose every snapshot is shown (a snapshot every N steps, or a pace slow enough
to show every step) waits at the gate after each snapshot until the views have drawn it, never
longer than `ACK_TIMEOUT_S`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from digitlab.core.hyperparams import LIVE_FIELDS
from digitlab.core.live import LiveSettings
from digitlab.core.protocol import RunState, Snapshot, Stage
from digitlab.session.jobs import JobContext
from digitlab.session.run_events import RunPhase

ACK_TIMEOUT_S = 2.0  # a paced run never waits longer than this for the display


class RunControl:
    def __init__(self) -> None:
        self.phase = RunPhase.IDLE
        self.stage: Stage | None = None  # what the run does before its first snapshot
        self.state = RunState()
        self.gate = threading.Event()
        self.run_id = 0
        self.live = False  # the going run takes live settings (a replay trains nothing)
        self.extra_epochs = 0  # epochs added to the going run ("+1 epoch")

    @property
    def pace(self) -> float:
        return self.state.pace

    def set_pace(self, steps_per_second: float) -> None:
        """The pace of the going run from its next step, and of the runs after it."""
        self.state.set_pace(steps_per_second)

    def begin(self, live: bool = True) -> int:
        """A new run (`live`: one that takes live settings): fresh flags and gate (the pace kept),
        nothing added; returns its id."""
        self.run_id += 1
        pace = self.state.pace
        self.state, self.gate = RunState(), threading.Event()
        self.state.set_pace(pace)
        self.stage = None
        self.live, self.extra_epochs = live, 0
        return self.run_id

    @property
    def takes_live(self) -> bool:
        """Would an edit of a live setting, or "+1 epoch", reach a run now?"""
        return self.live and self.phase.busy

    def follow(self, before: Any, after: Any) -> bool:
        """Post the live fields of `after` (RunSettings) to the going run if they differ from
        `before`'s; True if posted. ValueError (nothing posted) if they are impossible."""
        if not self.takes_live or all(getattr(before, n) == getattr(after, n) for n in LIVE_FIELDS):
            return False
        self.state.set_live(LiveSettings.of(after, self.extra_epochs))
        return True

    def add_epoch(self, settings: Any) -> bool:
        """Move the going run's end one epoch later (`settings`: the live fields in force);
        False when there is no such run."""
        if not self.takes_live:
            return False
        self.extra_epochs += 1
        self.state.set_live(LiveSettings.of(settings, self.extra_epochs))
        return True

    def epochs_missed(self, last: Snapshot | None) -> int:
        """Epochs added too late for the run that ended with `last` (asked during its last
        moments, after the trainer's final check)."""
        taken = last.live.extra_epochs if last is not None and last.live is not None else 0
        return max(self.extra_epochs - taken, 0) if self.live else 0

    def is_current(self, run_id: int) -> bool:
        return run_id == self.run_id

    def cancel(self) -> None:
        """Ask the trainer to stop (its last snapshot still arrives)."""
        self.state.cancel()
        self.gate.set()

    def abandon(self) -> None:
        """Cancel, and ignore whatever the run still reports."""
        self.cancel()
        self.run_id += 1

    def set_phase(self, phase: RunPhase) -> bool:
        """Move to `phase`; False when already there."""
        if phase is self.phase:
            return False
        self.phase = phase
        return True

    def pause(self) -> RunPhase | None:
        """The phase pausing leads to, or None when there is nothing to pause."""
        if self.phase in (RunPhase.RUNNING, RunPhase.STARTING):
            self.state.pause()
            return RunPhase.PAUSED
        return None

    def resume(self) -> RunPhase | None:
        """The phase resuming leads to, or None when the run is not paused."""
        if self.phase is not RunPhase.PAUSED:
            return None
        self.state.resume()
        return RunPhase.RUNNING if self.stage is Stage.TRAINING else RunPhase.STARTING


def relay(
    items: Iterable[Stage | Snapshot],
    context: JobContext,
    state: RunState,
    gate: threading.Event,
    paced: bool,
) -> None:
    """Pass the trainer's stages and snapshots to the main thread (a job thread's work); a run
    whose every snapshot is shown (`paced`: every N steps; or a slow pace, read at each snapshot)
    waits at the gate after each snapshot until the views have drawn it."""
    for item in items:
        if context.cancelled:
            state.cancel()
        shown_each = paced or state.shows_every_step
        if shown_each and isinstance(item, Snapshot) and not item.finished:
            gate.clear()
            context.partial(item)
            gate.wait(ACK_TIMEOUT_S)
        else:
            context.partial(item)
