"""Unit statistics of the answering model, computed off the main thread, newest request wins."""

from __future__ import annotations

import numpy as np

from digitlab.core.network import Network
from digitlab.core.units import layer_units
from digitlab.session import QueueDispatcher, Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.models import ModelEntry, source_for
from tests.conftest import make_tiny_dataset, random_network
from tests.session.conftest import Recorder, pump, session_without_test_data


def network(seed: int, hidden=(6,)) -> ModelEntry:
    net: Network = random_network(hidden, seed=seed, bias=0.1)
    return ModelEntry(source_for(f"net{seed}.npz"), net, tuple(range(10)), "")


def test_statistics_arrive_for_the_running_and_the_newest_request() -> None:
    dispatcher = QueueDispatcher()
    loads = []
    test = make_tiny_dataset().test

    def load():
        loads.append(1)
        return test

    session = Session(dispatcher, test_set=load)
    try:
        reports = Recorder(session.units.changed)
        first, second, third = network(0), network(1, (4, 3)), network(2)
        session.units.request(first)
        session.units.request(third)  # waits, then is dropped for a newer one
        session.units.request(second)
        pump(dispatcher, lambda: len(reports) > 1)
        dispatcher.drain(0.2)
        assert [r.ref for r in reports.values] == [first.ref, second.ref]
        report = reports.last
        assert [len(layer.firing) for layer in report.layers] == [4, 3]
        expected = layer_units(second.network, test.images)[1]
        np.testing.assert_array_equal(report.layers[1].dead, expected.dead)
        session.units.request(second)  # known: nothing to do
        session.units.request(third)
        pump(dispatcher, lambda: len(reports) > 2)
        assert reports.last.ref == third.ref and len(loads) == 1  # the test set read once
    finally:
        session.close()


def test_missing_test_data_is_a_failure_with_the_reason() -> None:
    dispatcher, session = session_without_test_data()
    try:
        failures, reports = Recorder(session.units.failed), Recorder(session.units.changed)
        net = network(0)
        session.units.request(net)
        pump(dispatcher, lambda: len(failures) > 0)
        assert failures.last == session.units.get(net) and len(reports) == 0
        assert isinstance(failures.last, AnalysisFailed) and failures.last.ref == net.ref
        assert failures.last.message.startswith("MNIST is missing")
    finally:
        session.close()
