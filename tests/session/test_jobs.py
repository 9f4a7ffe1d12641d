"""Background jobs: results on the main thread, newest wins, cancel means silence."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from digitlab.core.errors import DataError
from digitlab.session.jobs import JobRunner, NewestOnly, QueueDispatcher


def test_results_arrive_only_when_the_main_thread_drains(dispatcher: QueueDispatcher) -> None:
    runner = JobRunner(dispatcher)
    results, threads = [], []
    job = runner.submit(
        lambda context: 6 * 7,
        on_done=lambda r: (results.append(r), threads.append(threading.current_thread())),
    )
    assert job.wait(5)
    assert results == []  # not delivered from the worker thread
    dispatcher.drain(2, until=lambda: bool(results))
    assert results == [42] and threads == [threading.main_thread()]


def test_errors_are_one_line(dispatcher: QueueDispatcher) -> None:
    runner = JobRunner(dispatcher)
    errors = []

    def fails(context):
        raise DataError("MNIST is missing in /x")

    def crashes(context):
        raise ZeroDivisionError("division by zero")

    runner.submit(fails, on_error=errors.append)
    runner.submit(crashes, on_error=errors.append)
    dispatcher.drain(5, until=lambda: len(errors) == 2)
    assert sorted(errors) == ["MNIST is missing in /x", "ZeroDivisionError: division by zero"]


def test_a_newer_job_with_the_same_key_wins(dispatcher: QueueDispatcher) -> None:
    runner = JobRunner(dispatcher)
    release = threading.Event()
    results = []

    def slow(context):
        release.wait(5)
        return "old"

    old = runner.submit(slow, key="load", on_done=results.append)
    runner.submit(lambda context: "new", key="load", on_done=results.append)
    assert old.cancelled
    release.set()
    old.wait(5)
    dispatcher.drain(2, until=lambda: bool(results))
    dispatcher.drain(0.2)
    assert results == ["new"]


def test_cancelled_jobs_stay_silent_and_can_stop_early(dispatcher: QueueDispatcher) -> None:
    runner = JobRunner(dispatcher)
    steps, results = [], []

    def long(context):
        for i in range(1000):
            context.check()
            steps.append(i)
            time.sleep(0.001)
        return "finished"

    job = runner.submit(long, key="long", on_done=results.append, on_error=results.append)
    deadline = time.monotonic() + 30
    while len(steps) < 5 and time.monotonic() < deadline:  # it has started
        time.sleep(0.001)
    runner.cancel("long")
    assert job.wait(5)
    dispatcher.drain(0.2)
    assert results == [] and len(steps) < 1000


def test_progress_and_partials_arrive_in_order_and_throttled(dispatcher: QueueDispatcher) -> None:
    runner = JobRunner(dispatcher)
    progress, partials, done = [], [], []

    def work(context):
        for i in range(1000):
            context.progress(i / 999, "working")
            if i % 100 == 0:
                context.partial(i)
        return "ok"

    runner.submit(
        work, on_progress=progress.append, on_partial=partials.append, on_done=done.append
    )
    dispatcher.drain(5, until=lambda: bool(done))
    assert partials == list(range(0, 1000, 100))
    assert progress[-1].fraction == 1.0 and len(progress) < 100  # not one per call
    assert [p.fraction for p in progress] == sorted(p.fraction for p in progress)


def test_shutdown_cancels_and_joins(dispatcher: QueueDispatcher) -> None:
    runner = JobRunner(dispatcher)

    def polite(context):
        while not context.cancelled:
            time.sleep(0.01)

    runner.submit(polite)
    runner.submit(polite)
    assert runner.shutdown(timeout=2)
    assert runner.running() == []


@pytest.mark.parametrize("timeout", [0.0, 0.05])
def test_draining_an_empty_queue_returns(dispatcher: QueueDispatcher, timeout: float) -> None:
    returned: list[bool] = []
    waiter = threading.Thread(target=lambda: returned.append(dispatcher.drain(timeout)))
    waiter.start()
    waiter.join(30)  # a guard against a hang, not a timing: drain waits at most `timeout`
    assert returned == [True]


def test_newest_only_runs_one_at_a_time_and_keeps_only_the_newest_waiting(
    dispatcher: QueueDispatcher,
) -> None:
    newest = NewestOnly(JobRunner(dispatcher), "planes")
    release = threading.Event()
    started, results = [], []

    def compute_for(subject, wait=False):
        def compute(context):
            started.append(subject)
            if wait:
                release.wait(5)
            return subject * 10

        return compute

    newest.request(1, compute_for(1, wait=True), results.append, results.append)
    assert newest.running == 1
    newest.request(1, compute_for(1), results.append, results.append)  # under way: ignored
    newest.request(2, compute_for(2), results.append, results.append)  # waits…
    newest.request(3, compute_for(3), results.append, results.append)  # …and is replaced
    release.set()
    dispatcher.drain(5, until=lambda: len(results) == 2)
    dispatcher.drain(0.2)
    assert started == [1, 3] and results == [10, 30] and newest.running is None


def test_newest_only_goes_on_after_an_error(dispatcher: QueueDispatcher) -> None:
    newest = NewestOnly(JobRunner(dispatcher), "planes")
    done, errors = [], []

    def fails(context):
        raise DataError("no test digits")

    newest.request("a", fails, done.append, errors.append)
    newest.request("b", lambda context: "b!", done.append, errors.append)
    dispatcher.drain(5, until=lambda: bool(done))
    assert errors == ["no test digits"] and done == ["b!"] and newest.running is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice is Linux's")
def test_newest_only_work_runs_at_idle_priority_and_leaves_the_main_thread_alone(
    dispatcher: QueueDispatcher,
) -> None:
    def own_nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = own_nice()
    seen = []
    NewestOnly(JobRunner(dispatcher), "planes").request(
        "a", lambda context: own_nice(), seen.append, seen.append
    )
    dispatcher.drain(5, until=lambda: bool(seen))
    assert seen == [19] and own_nice() == before
