"""Work off the main thread, results back on it: the one mechanism for analysis jobs and runs.

A job is a plain function `fn(context) -> result` run in a daemon thread. It checks
`context.cancelled`, reports `context.progress(...)` and `context.partial(...)`; its result or
its error comes back through a `Dispatcher`, which calls the callbacks on the main thread. Qt-free:
the window's dispatcher posts through Qt's event loop (`ui/dispatch.py`); tests and the command
line use `QueueDispatcher` and drain it. A newer job with the same key cancels the older one, and
a cancelled job's callbacks are never called (the code that asked has moved on) — the Orange3
pattern, without Qt.
"""

from __future__ import annotations

import itertools
import os
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from digitlab.core.errors import DigitlabError

PROGRESS_INTERVAL_S = 0.1  # at most ~10 progress reports a second reach the main thread


class Dispatcher(Protocol):
    """Calls functions on the main thread, in the order they were posted."""

    def post(self, fn: Callable[[], None]) -> None: ...


class QueueDispatcher:
    """A dispatcher whose queue the owner drains in its own thread (tests, command line)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def post(self, fn: Callable[[], None]) -> None:
        self._queue.put(fn)

    def drain(self, timeout: float = 0.0, until: Callable[[], bool] | None = None) -> bool:
        """Run posted calls here. Without `until`: what is queued (waiting up to `timeout` for
        the first). With it: until it returns True or `timeout` passes. True if satisfied."""
        deadline = time.monotonic() + timeout
        while True:
            if until is not None and until():
                return True
            remaining = deadline - time.monotonic()
            try:
                fn = (
                    self._queue.get(timeout=max(remaining, 0.0))
                    if remaining > 0
                    else (self._queue.get_nowait())
                )
            except queue.Empty:
                return until() if until is not None else True
            fn()
            if until is None and self._queue.empty():
                return True


@dataclass(frozen=True)
class Progress:
    """How far a job is: a fraction in [0, 1] and what it is doing."""

    fraction: float
    text: str = ""


class JobContext:
    """What a running job gets: cancel checks, progress and partial results."""

    def __init__(self, job: Job) -> None:
        self._job = job
        self._last_progress = (-1.0, "", 0.0)

    @property
    def cancelled(self) -> bool:
        return self._job.cancelled

    def check(self) -> None:
        """Raise JobCancelled if the job was cancelled (call it between chunks of work)."""
        if self._job.cancelled:
            raise JobCancelled

    def progress(self, fraction: float, text: str = "") -> None:
        """Report progress; only changes, at most ~10 a second, reach the main thread."""
        shown = round(min(max(fraction, 0.0), 1.0), 3)
        last_fraction, last_text, last_time = self._last_progress
        now = time.monotonic()
        changed = shown != last_fraction or text != last_text
        if not changed or (now - last_time < PROGRESS_INTERVAL_S and shown < 1.0):
            return
        self._last_progress = (shown, text, now)
        self._job._deliver("progress", Progress(shown, text))

    def partial(self, value: Any) -> None:
        """Hand a partial result to the main thread (a snapshot, a finished row, …)."""
        self._job._deliver("partial", value)


class JobCancelled(Exception):
    """Raised by `JobContext.check` inside a cancelled job; the runner swallows it."""


@dataclass
class _Callbacks:
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[str], None] | None = None
    on_progress: Callable[[Progress], None] | None = None
    on_partial: Callable[[Any], None] | None = None


class Job:
    """A submitted job: cancel it, or ask whether it has finished."""

    _ids = itertools.count(1)

    def __init__(self, runner: JobRunner, key: str | None, callbacks: _Callbacks) -> None:
        self.id = next(Job._ids)
        self.key = key
        self._runner = runner
        self._callbacks = callbacks
        self._cancelled = threading.Event()
        self._finished = threading.Event()
        self.thread: threading.Thread | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @property
    def finished(self) -> bool:
        """The function has returned or raised (its callbacks may still be on their way)."""
        return self._finished.is_set()

    def cancel(self) -> None:
        """Ask the job to stop; none of its callbacks will be called from now on."""
        self._cancelled.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    def _deliver(self, kind: str, value: Any) -> None:
        def call() -> None:
            if self.cancelled:
                return
            callback = getattr(self._callbacks, f"on_{kind}")
            if kind in ("done", "error"):
                self._runner._forget(self)
            if callback is not None:
                callback(value)

        self._runner.dispatcher.post(call)


def describe_error(exc: BaseException) -> str:
    """One line for the user: our own errors as they are, others with their type."""
    if isinstance(exc, DigitlabError):
        return str(exc)
    text = " ".join(str(exc).split())
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


class JobRunner:
    """Starts jobs in daemon threads and routes what they report through the dispatcher."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._active: dict[int, Job] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        fn: Callable[[JobContext], Any],
        *,
        key: str | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_partial: Callable[[Any], None] | None = None,
        name: str = "digitlab-job",
        idle_priority: bool = False,
    ) -> Job:
        """Run `fn(context)` in the background; a job with the same key is cancelled first.
        `idle_priority`: the thread runs at the lowest CPU priority, so it takes only the time
        nothing else wants (analyses that follow a net in training must not slow the trainer)."""
        if key is not None:
            self.cancel(key)
        job = Job(self, key, _Callbacks(on_done, on_error, on_progress, on_partial))
        with self._lock:
            self._active[job.id] = job
        target = _at_idle_priority(fn) if idle_priority else fn
        job.thread = threading.Thread(target=self._run, args=(job, target), name=name, daemon=True)
        job.thread.start()
        return job

    def _run(self, job: Job, fn: Callable[[JobContext], Any]) -> None:
        try:
            result = fn(JobContext(job))
        except JobCancelled:
            self._forget(job)
        except Exception as exc:  # noqa: BLE001 - every failure reaches the user as one line
            if not isinstance(exc, DigitlabError):
                traceback.print_exc(file=sys.stderr)
            job._deliver("error", describe_error(exc))
        else:
            job._deliver("done", result)
        finally:
            job._finished.set()

    def _forget(self, job: Job) -> None:
        with self._lock:
            self._active.pop(job.id, None)

    def cancel(self, key: str) -> None:
        """Cancel every job submitted under `key`."""
        with self._lock:
            jobs = [job for job in self._active.values() if job.key == key]
        for job in jobs:
            job.cancel()
            self._forget(job)

    def running(self, key: str | None = None) -> list[Job]:
        """Jobs not yet finished (under `key`, or all)."""
        with self._lock:
            jobs = list(self._active.values())
        return [j for j in jobs if not j.finished and (key is None or j.key == key)]

    def outstanding(self) -> list[Job]:
        """Jobs whose result has not been handed over yet (running, or finished with their
        callbacks still on the way to the main thread)."""
        with self._lock:
            return list(self._active.values())

    def shutdown(self, timeout: float = 1.0) -> bool:
        """Cancel everything and wait up to `timeout` for the threads; True if all ended."""
        with self._lock:
            jobs = list(self._active.values())
            self._active.clear()
        for job in jobs:
            job.cancel()
        deadline = time.monotonic() + timeout
        return all(job.wait(max(deadline - time.monotonic(), 0.0)) for job in jobs)


def _at_idle_priority(fn: Callable[[JobContext], Any]) -> Callable[[JobContext], Any]:
    def run(context: JobContext) -> Any:
        lower_this_threads_priority()
        return fn(context)

    return run


def lower_this_threads_priority() -> bool:
    """Nice the calling thread to 19 (Linux, where a thread has its own nice value; elsewhere
    nothing happens). Returns whether it was done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except OSError:
        return False
    return True


class NewestOnly:
    """One background computation at a time under one key; while it runs, only the newest
    request waits (older waiting ones are dropped). For analyses that follow a net in training:
    each result is about as fresh as the computation is quick, requests never pile up, and the
    work runs at idle priority so the trainer keeps its speed."""

    def __init__(self, jobs: JobRunner, key: str, name: str = "digitlab-job") -> None:
        self._jobs, self._key, self._name = jobs, key, name
        self._running: Any = None
        self._waiting: tuple | None = None

    @property
    def running(self) -> Any:
        """What the computation under way is for (None when idle)."""
        return self._running

    def request(
        self,
        subject: Any,
        compute: Callable[[JobContext], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None],
    ) -> None:
        """Compute for `subject` now, or once the running computation ends (unless it is the
        one running, or a newer request comes first)."""
        if subject is self._running:
            return
        if self._running is not None:
            self._waiting = (subject, compute, on_done, on_error)
            return
        self._running = subject

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._running = None
            callback(value)
            waiting, self._waiting = self._waiting, None
            if waiting is not None:
                self.request(*waiting)

        self._jobs.submit(
            compute,
            key=self._key,
            on_done=lambda result: finish(on_done, result),
            on_error=lambda message: finish(on_error, message),
            name=self._name,
            idle_priority=True,
        )
