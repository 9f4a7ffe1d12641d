"""The two analysis shapes, headless: Followed (newest wins, cached per version) and Task
(progress, partial results, cancel), and their one failure type."""

from __future__ import annotations

import threading

from digitlab.core.errors import DigitlabError
from digitlab.session import QueueDispatcher
from digitlab.session.analysis import AnalysisFailed, Followed, Task
from digitlab.session.jobs import JobRunner
from digitlab.session.models import ModelEntry, source_for
from tests.conftest import random_network
from tests.session.conftest import Recorder, pump


def entry(seed: int) -> ModelEntry:
    return ModelEntry(source_for("net.npz"), random_network((4,), seed=seed), tuple(range(10)), "")


def test_followed_newest_request_wins_and_each_version_is_computed_once() -> None:
    dispatcher, gate, computed = QueueDispatcher(), threading.Event(), []

    def compute(model, params, context):
        gate.wait(5)
        computed.append(model.ref)
        return model.ref

    analysis = Followed(JobRunner(dispatcher), "test", compute, object)
    results = Recorder(analysis.changed)
    first, second, third = entry(0), entry(1), entry(2)
    analysis.request(first)
    analysis.request(second)  # waits, then is dropped for the newer one
    analysis.request(third)
    analysis.request(first)  # under way: not asked twice
    gate.set()
    pump(dispatcher, lambda: len(results) == 2)
    dispatcher.drain(0.2)
    assert results.values == [first.ref, third.ref] == computed
    analysis.request(first)  # cached per version: nothing computed
    dispatcher.drain(0.2)
    assert len(computed) == 2 and analysis.get(first) == first.ref
    assert analysis.latest == third.ref and analysis.get(second) is None


def test_followed_failure_is_typed_and_cached_for_its_version() -> None:
    dispatcher = QueueDispatcher()

    def compute(model, params, context):
        raise DigitlabError("no test digits")

    analysis = Followed(JobRunner(dispatcher), "test", compute, object)
    failures, results = Recorder(analysis.failed), Recorder(analysis.changed)
    model = entry(0)
    analysis.request(model)
    pump(dispatcher, lambda: len(failures) > 0)
    assert failures.last == AnalysisFailed(model.ref, "no test digits") == analysis.get(model)
    analysis.request(model)
    dispatcher.drain(0.2)
    assert len(failures) == 1 and len(results) == 0


def test_a_task_reports_progress_and_partials_and_a_new_run_cancels_the_old() -> None:
    dispatcher, started, gate = QueueDispatcher(), threading.Event(), threading.Event()

    def work(request, context):
        if request == "slow":
            started.set()
            gate.wait(5)
            context.check()
        context.progress(0.5, "half")
        context.partial(f"{request} half")
        return f"{request} done"

    task = Task(JobRunner(dispatcher), "test", work, str, str)
    finished, partial = Recorder(task.finished), Recorder(task.partial)
    progress = Recorder(task.progress)
    task.run("slow")
    assert task.running and started.wait(5)
    task.run("quick")  # the slow one is cancelled: it never reports
    gate.set()
    pump(dispatcher, lambda: len(finished) > 0)
    dispatcher.drain(0.2)
    assert finished.values == ["quick done"] and partial.values == ["quick half"]
    assert progress.last.fraction == 0.5 and not task.running and task.result == "quick done"
    task.run("slow")
    task.cancel()
    dispatcher.drain(0.3)
    assert not task.running and len(finished) == 1


def test_a_task_fails_one_way_whether_refused_or_broken() -> None:
    dispatcher = QueueDispatcher()

    def prepare(request):
        if not request:
            raise DigitlabError("nothing to do")
        return request

    def work(request, context):
        raise ValueError("broke")

    task = Task(JobRunner(dispatcher), "test", work, str, prepare=prepare)
    failures = Recorder(task.failed)
    task.run("")
    assert failures.last == AnalysisFailed(None, "nothing to do") and not task.running
    task.run("go")
    pump(dispatcher, lambda: len(failures) > 1)
    assert failures.last == AnalysisFailed(None, "ValueError: broke") == task.outcome
