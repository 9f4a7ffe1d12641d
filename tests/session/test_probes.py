"""Layer probes from the session: progress while they run, Cancel means silence, errors a line."""

from __future__ import annotations

import threading

from digitlab.core.data import DatasetCache
from digitlab.core.errors import DataError
from digitlab.session import QueueDispatcher, Session
from tests.conftest import make_tiny_dataset, random_network
from tests.session.conftest import Recorder, pump


def session_with(load) -> tuple[QueueDispatcher, Session]:
    dispatcher = QueueDispatcher()
    return dispatcher, Session(dispatcher, probe_datasets=DatasetCache(load))


def test_a_cancelled_probe_says_nothing_and_the_next_one_reports_every_layer() -> None:
    tiny = make_tiny_dataset()
    release, asked = threading.Event(), threading.Event()

    def slow_load(name, root=None, classes=None, **_):
        asked.set()
        release.wait(10)
        return tiny

    dispatcher, session = session_with(slow_load)
    try:
        finished, progress = Recorder(session.probes.finished), Recorder(session.probes.progress)
        net = random_network((12, 8))
        session.probes.run(net, tuple(range(10)))
        assert session.probes.running and asked.wait(5)
        session.probes.cancel()
        assert not session.probes.running
        release.set()  # the cancelled job goes on into the probes, sees the cancel and stops
        dispatcher.drain(1.0)
        assert len(finished) == 0 and session.probes.report is None

        session.probes.run(net, tuple(range(10)))
        pump(dispatcher, lambda: len(finished) > 0)
        report = finished.last
        assert report.error == "" and report.network is net and not session.probes.running
        assert [r.layer for r in report.results] == ["pixels", "hidden 1", "hidden 2", "output"]
        assert report.results[0].test_accuracy > 0.9  # the tiny classes are bands of pixels
        assert set(report.projections) == {"pixels", "hidden 1", "hidden 2", "output"}
        assert all(p.shape == (len(tiny.test.labels), 3) for p in report.projections.values())
        fractions = [p.fraction for p in progress.values]
        assert fractions == sorted(fractions) and len(fractions) >= 2
    finally:
        session.close()


def test_missing_training_data_is_one_line() -> None:
    def missing(name, root=None, classes=None, **_):
        raise DataError("MNIST is missing: put the files in /nowhere")

    dispatcher, session = session_with(missing)
    try:
        finished = Recorder(session.probes.finished)
        session.probes.run(random_network((12, 8)), tuple(range(10)))
        pump(dispatcher, lambda: len(finished) > 0)
        assert finished.last.results == [] and finished.last.error.startswith("MNIST is missing")
        assert not session.probes.running
    finally:
        session.close()
