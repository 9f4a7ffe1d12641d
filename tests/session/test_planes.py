"""The bottleneck planes: test digits placed in every 2-wide layer, off the main thread."""

from __future__ import annotations

import numpy as np

from digitlab.core.bottleneck import plane_points
from digitlab.core.data import Split
from digitlab.core.network import Network
from digitlab.session import QueueDispatcher, Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.models import ModelEntry, source_for
from digitlab.session.shared_split import SharedSplit
from tests.conftest import make_tiny_dataset, random_network
from tests.session.conftest import Recorder, pump, session_without_test_data


def network(seed: int, hidden=(2,), classes: tuple[int, ...] = tuple(range(10))) -> ModelEntry:
    net: Network = random_network(hidden, len(classes), seed=seed, bias=0.1)
    return ModelEntry(source_for(f"net{seed}.npz"), net, classes, "")


def test_the_test_digits_of_the_models_classes_land_where_the_layer_puts_them() -> None:
    dispatcher = QueueDispatcher()
    test = make_tiny_dataset().test
    session = Session(dispatcher, test_set=lambda: test)
    try:
        reports = Recorder(session.planes.changed)
        net = network(0, hidden=(2, 5), classes=(3, 7))  # planes: hidden layer 0 and the output
        session.planes.request(net)
        pump(dispatcher, lambda: len(reports) > 0)
        report = reports.last
        wanted = np.flatnonzero(np.isin(test.labels, (3, 7)))
        wanted = wanted[np.argsort(test.labels[wanted], kind="stable")]  # the 3s, then the 7s
        assert report.ref == net.ref and report.classes == (3, 7) and len(wanted) > 2
        np.testing.assert_array_equal(report.labels, test.labels[wanted])
        expected = plane_points(net.network, test.images[wanted])
        assert sorted(report.points) == [0, 2]
        for layer, (before, after) in expected.items():
            np.testing.assert_allclose(report.points[layer][0], before, atol=1e-5)
            np.testing.assert_allclose(report.points[layer][1], after, atol=1e-5)
        assert session.planes.get(net) is report and session.planes.latest is report
        session.planes.request(net)  # done already: no new report
        session.planes.request(network(1, hidden=(9,)))  # no plane: nothing to do
        dispatcher.drain(0.3)
        assert len(reports) == 1
    finally:
        session.close()


def test_missing_test_data_is_a_failure_with_the_reason() -> None:
    dispatcher, session = session_without_test_data()
    try:
        failures = Recorder(session.planes.failed)
        session.planes.request(network(0))
        pump(dispatcher, lambda: len(failures) > 0)
        assert isinstance(failures.last, AnalysisFailed)
        assert failures.last.message.startswith("MNIST is missing")
    finally:
        session.close()


def test_the_inputs_are_sorted_by_class_and_sparse() -> None:
    tiny = make_tiny_dataset().test
    images = tiny.images.copy()
    images[:, :, :4] = 0  # a blank margin
    test = Split(images, tiny.labels)
    split = SharedSplit(lambda: test)
    digits = split.inputs((7, 3, 5), limit=12)
    chosen = np.flatnonzero(np.isin(test.labels, (3, 5, 7)))[:12]
    assert sorted(test.labels[chosen].tolist()) == digits.labels.tolist()
    assert digits.inputs.shape == (12, 784) and digits.inputs.nnz < 12 * (784 - 28 * 4) + 1
    order = chosen[np.argsort(test.labels[chosen], kind="stable")]
    np.testing.assert_allclose(
        digits.inputs.toarray(), test.images[order].reshape(12, -1) / 255, atol=1e-7
    )
    assert split.inputs((7, 3, 5), limit=12) is digits  # made once
