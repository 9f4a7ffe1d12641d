"""Layer probes from the session: progress while they run, Cancel means silence, errors a line."""

from __future__ import annotations

import threading

from digitlab.core.data import DatasetCache
from digitlab.core.errors import DataError
from digitlab.session import QueueDispatcher, Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.models import ModelEntry, source_for
from digitlab.session.probes import ProbeRequest
from tests.conftest import make_tiny_dataset, random_network
from tests.session.conftest import Recorder, pump


def probe(hidden: tuple[int, ...]) -> ProbeRequest:
    return ProbeRequest(
        ModelEntry(source_for("net.npz"), random_network(hidden), tuple(range(10)), "")
    )


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
        net = probe((12, 8))
        session.probes.run(net)
        assert session.probes.running and asked.wait(5)
        session.probes.cancel()
        assert not session.probes.running
        release.set()  # the cancelled job goes on into the probes, sees the cancel and stops
        dispatcher.drain(1.0)
        assert len(finished) == 0 and session.probes.result is None

        session.probes.run(net)
        pump(dispatcher, lambda: len(finished) > 0)
        report = finished.last
        assert report.ref == net.ref and not session.probes.running
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
        finished, failed = Recorder(session.probes.finished), Recorder(session.probes.failed)
        request = probe((12, 8))
        session.probes.run(request)
        pump(dispatcher, lambda: len(failed) > 0)
        assert isinstance(failed.last, AnalysisFailed) and failed.last.ref == request.ref
        assert failed.last.message.startswith("MNIST is missing") and len(finished) == 0
        assert not session.probes.running
    finally:
        session.close()
