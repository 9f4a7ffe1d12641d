"""Training in a child process: the same stages and snapshots, without sharing a GIL with a GUI.

On a 2-core machine a training thread beside the window loses a third or more of its speed to the
GUI thread's Python work (pyqtgraph painting, snapshot handling) through the GIL; measured in
benchmarks/ui_responsiveness.py. A child process trains on the other core at full speed and the
parent only receives the pickled snapshots.

The child is the only process of the window that imports torch (2 s and ~500 MB), so it is
started when training is first wanted (`start`, or `prepare` to also load the data ahead of
Start), and it loads its data itself: nothing big crosses the pipe but the snapshots. It dies
with its parent, however the parent ends, and ignores Ctrl+C (the parent decides).

This module imports no torch: the parent side runs in the window's process.
`TrainerProcess.train(job, state)` yields `Stage`s, then `Snapshot`s. Pause, cancel, the pace and
the live settings on the caller's RunState reach the child (copied onto shared Events, a shared
double and a shared array while the caller waits for the next item, at least every `POLL_S`).
With `snapshot_every` set, or a pace slow enough to show every step, the child waits after each
snapshot until the caller asks for the next one, so a run whose every step is shown never runs
ahead of whoever draws it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_module
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from digitlab.core.errors import DigitlabError
from digitlab.core.live import SLOTS as LIVE_SLOTS
from digitlab.core.live import LiveBox
from digitlab.core.protocol import DataRequest, RunState, Snapshot, Stage, TrainJob

POLL_S = 0.05
# One torch thread in the child: the other core stays free for the window.
CHILD_THREADS = 1


def share_cores_with_trainer() -> int:
    """Cap numpy's BLAS threads in this (the window's) process to the cores the trainer child
    leaves free, so a big matrix product here (the bottleneck plane of 10 000 test digits) does
    not take the trainer's core. Returns the cap."""
    from threadpoolctl import threadpool_limits

    threads = max(1, (os.cpu_count() or 2) - CHILD_THREADS)
    threadpool_limits(threads, user_api="blas")
    return threads


# How long an abandoned run may take to notice its cancel before the child is killed.
ABANDON_TIMEOUT_S = 2.0


class TrainingProcessError(DigitlabError):
    """Training failed in the child process (an exception there, or the process died)."""


class _Outbox:
    """The child's end of its messages to the parent. `put` never blocks (a thread sends, as a
    multiprocessing Queue's does), over a pipe whose only writer is the child: a child that dies
    mid-message (killed while sending a megabyte snapshot) leaves the parent an end of file, not
    a read that never returns, as a Queue's pipe did, the parent holding a writer of it too."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._items: queue_module.SimpleQueue = queue_module.SimpleQueue()
        threading.Thread(target=self._send_all, name="digitlab-outbox", daemon=True).start()

    def put(self, item: tuple[int, str, Any]) -> None:
        self._items.put(item)

    def _send_all(self) -> None:
        while True:
            self._connection.send(self._items.get())


def _die_with_parent() -> None:
    """End this process as soon as the parent is gone (killed, crashed, or closed)."""
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent's sentinel closes: it has exited
        os._exit(0)

    threading.Thread(target=watch, name="digitlab-parent-watch", daemon=True).start()


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, DigitlabError):
        return str(exc)
    if isinstance(exc, MemoryError) or "alloc" in str(exc).lower():
        return f"not enough memory for this net ({' '.join(str(exc).split())[:160]})"
    return f"{exc.__class__.__name__}: {' '.join(str(exc).split())[:300]}"


def _serve(
    inbox: Any,
    outbox: Any,
    cancelled: Any,
    running: Any,
    wanted: Any,
    ready: Any,
    pace: Any,
    live: Any,
) -> None:
    """The child: take messages until None; post (run, 'stage' | 'snapshot' | 'error', payload)
    to `outbox`, the writing end of a pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    outbox = _Outbox(outbox)
    import torch

    from digitlab.core.data import DatasetCache, is_downloaded
    from digitlab.core.training import run_job, warm_up

    torch.set_num_threads(CHILD_THREADS)
    warm_up()
    datasets = DatasetCache()
    state = RunState(cancelled=cancelled, running=running, pace=pace, live=live)
    ready.set()
    while (message := inbox.get()) is not None:
        kind, run, payload = message
        if kind == "prepare":  # load data that is on disk; a download waits for Start
            try:
                if is_downloaded(payload.name, payload.root):
                    datasets.get(payload.name, payload.root, payload.classes)
            except Exception:  # noqa: BLE001 - the run that needs the data reports it
                pass
            continue
        job: TrainJob = payload
        try:
            for item in run_job(job, state, datasets):
                if isinstance(item, Stage):
                    outbox.put((run, "stage", item))
                    continue
                wanted.clear()
                outbox.put((run, "snapshot", item))
                shown_each = job.config.snapshot_every or state.shows_every_step
                if shown_each and not item.finished:
                    while not wanted.wait(POLL_S) and not cancelled.is_set():
                        pass
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which shows it
            outbox.put((run, "error", _error_text(exc)))


@dataclass
class _Channel:
    """A child and everything used to talk to it. A run keeps its own reference, so `close()`
    from another thread cannot pull it out from under the run."""

    child: Any
    inbox: Any  # a multiprocessing Queue to the child
    outbox: Any  # the reading end of the child's pipe (`_Outbox`)
    cancelled: Any
    running: Any
    wanted: Any
    ready: Any
    pace: Any  # a RawValue('d'): steps a second, 0 for full speed
    live: Any  # an Array('d', LIVE_SLOTS): the live settings (`core.live.LiveBox`)
    live_sent: int = 0  # the version of the caller's live settings copied to the child
    ending: bool = False  # `end` was called: an end of file is ours, not a crash

    def stop_signals(self) -> None:
        """Cancel, unpause and release a paced child: whatever it is doing, it moves on."""
        self.cancelled.set()
        self.running.set()
        self.wanted.set()

    def receive(self) -> tuple[int, str, Any] | None:
        """The child's next message, or None if none began within `POLL_S`; a child gone,
        even mid-message, raises `TrainingProcessError`."""
        try:
            if not self.outbox.poll(POLL_S):
                if self.child.is_alive():
                    return None
                raise EOFError
            return self.outbox.recv()
        except (OSError, ValueError, EOFError):  # closed here by `end`, or the child is gone
            if self.ending:
                raise TrainingProcessError("the training process was shut down") from None
            self.child.join(1.0)  # its exit code
            raise TrainingProcessError(
                f"the training process stopped unexpectedly (exit code {self.child.exitcode})"
            ) from None

    def end(self, timeout_s: float) -> None:
        self.ending = True
        self.stop_signals()
        self.child.terminate()
        self.child.join(timeout_s)
        if self.child.is_alive():
            self.child.kill()
            self.child.join(timeout_s)
        self.inbox.close()
        self.inbox.cancel_join_thread()
        self.outbox.close()


class TrainerProcess:
    """One child process that trains on request, one run at a time."""

    def __init__(self) -> None:
        self._context = mp.get_context("spawn")  # fork is unsafe beside Qt's and torch's threads
        self._channel: _Channel | None = None
        self._runs = 0
        self._lock = threading.Lock()

    def start(self, wait_s: float = 0.0) -> bool:
        """Spawn the child now (it imports torch, seconds) if it is not running; with wait_s,
        block up to that long until it is ready. True if it is known to be ready."""
        with self._lock:
            channel = self._channel
            if channel is None or not channel.child.is_alive():
                channel = self._spawn(channel)
        return channel.ready.wait(wait_s) if wait_s > 0 else channel.ready.is_set()

    def _spawn(self, old: _Channel | None) -> _Channel:
        if old is not None:
            old.end(0.1)  # it died: release its queues
        ctx = self._context
        inbox, (outbox, writer) = ctx.Queue(), ctx.Pipe(duplex=False)
        events = tuple(ctx.Event() for _ in range(4))
        pace = ctx.RawValue("d", 0.0)  # one aligned double: read every step, no lock needed
        live = ctx.Array("d", LIVE_SLOTS)  # its version is read every step, the rest on change
        child = ctx.Process(
            target=_serve, args=(inbox, writer, *events, pace, live), name="digitlab-trainer",
            daemon=True,
        )  # fmt: skip
        child.start()
        writer.close()  # the child's is the pipe's only writer: its end is an end of file here
        self._channel = _Channel(child, inbox, outbox, *events, pace, live)
        return self._channel

    def is_ready(self) -> bool:
        """True once the child has imported torch and waits for work."""
        channel = self._channel
        return channel is not None and channel.child.is_alive() and channel.ready.is_set()

    def prepare(self, data: DataRequest) -> None:
        """Start the child if needed and have it load `data` now, so Start trains at once."""
        self.start()
        channel = self._channel
        if channel is not None:
            channel.inbox.put(("prepare", 0, data))

    def close(self, timeout_s: float = 1.0) -> None:
        """End the child at once: it holds nothing worth saving (snapshots carry the weights),
        and a graceful exit of a torch process takes about a second."""
        with self._lock:
            channel, self._channel = self._channel, None
        if channel is not None:
            channel.end(timeout_s)

    def train(self, job: TrainJob, state: RunState | None = None) -> Iterator[Stage | Snapshot]:
        """Run `job` in the child: its stages, then its snapshots; the last one is finished."""
        state = state or RunState()
        warm = self.is_ready()
        self.start()
        channel = self._channel
        assert channel is not None
        self._runs += 1
        run = self._runs
        channel.cancelled.clear()
        channel.wanted.clear()
        channel.running.set()
        channel.pace.value = state.pace
        LiveBox(channel.live).clear()  # the job's config holds the settings it begins with
        channel.live_sent = 0
        _mirror(state, channel)  # settings posted before this call: the first step takes them
        channel.inbox.put(("train", run, job))
        if not warm:
            yield Stage.STARTING_TRAINER
        ended = False  # the child has said its last word about this run
        try:
            while True:
                kind, payload = self._next(channel, run, state)
                if kind == "error":
                    ended = True
                    raise TrainingProcessError(payload)
                if kind == "stage":
                    yield payload
                    continue
                snap: Snapshot = payload
                ended = snap.finished
                yield snap
                if ended:
                    return
                _mirror(state, channel)  # before the child's next step, not after it
                channel.wanted.set()  # the caller wants the next one
        finally:
            if not ended:
                self._abandon(channel, run)

    def _next(self, channel: _Channel, run: int, state: RunState) -> tuple[str, Any]:
        while True:
            _mirror(state, channel)
            message = channel.receive()
            if message is not None and message[0] == run:  # else: from an abandoned run
                return message[1], message[2]

    def _abandon(self, channel: _Channel, run: int) -> None:
        """The caller stopped iterating early: cancel, and wait for the child to go idle."""
        if self._channel is not channel or not channel.child.is_alive():
            return
        channel.stop_signals()
        for _ in range(int(ABANDON_TIMEOUT_S / POLL_S)):
            try:
                message = channel.receive()
            except TrainingProcessError:
                return
            if message is None or message[0] != run:
                continue
            _, kind, payload = message
            if kind == "error" or (kind == "snapshot" and payload.finished):
                return
        self.close()  # it did not stop in time: a fresh child next time


def _mirror(state: RunState, channel: _Channel) -> None:
    """Copy the caller's pause/cancel onto the child's events, its pace and new live settings."""
    channel.pace.value = state.pace
    version, live = state.live.take(channel.live_sent)
    if live is not None:
        LiveBox(channel.live).put(live)
    channel.live_sent = version
    if state.cancelled:
        channel.stop_signals()
    elif state.paused:
        channel.running.clear()
    else:
        channel.running.set()
