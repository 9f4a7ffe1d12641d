"""The current model's answers on the test split: confusion matrix, galleries, error reports."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.data import Split
from digitlab.core.metrics import evaluate
from digitlab.core.mistakes import cell_indices
from digitlab.core.training import LocalTrainer
from digitlab.session import QueueDispatcher, Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.models import RUN_KEY
from digitlab.session.run_settings import RunSettings
from digitlab.session.split_predictions import class_subset
from tests.conftest import make_tiny_dataset
from tests.session.conftest import Recorder, pump, session_without_test_data, tiny_cache


@pytest.fixture
def tiny_session():
    dispatcher = QueueDispatcher()
    test = make_tiny_dataset().test
    session = Session(
        dispatcher,
        trainer_factory=lambda: LocalTrainer(tiny_cache()),
        test_set=lambda: test,
    )
    yield dispatcher, session, test
    session.close()


def test_the_confusion_matrix_is_evaluates_and_sums_to_the_test_set(tiny_session) -> None:
    dispatcher, session, test = tiny_session
    targets = Recorder(session.test_predictions.target_changed)
    session.start("mlp")
    pump(dispatcher, lambda: session.models.current is not None)
    assert len(targets) == 1
    reports = Recorder(session.test_predictions.changed)
    session.test_predictions.request()
    session.test_predictions.request()  # under way: not asked twice
    pump(dispatcher, lambda: len(reports) > 0)
    dispatcher.drain(0.1)
    assert len(reports) == 1
    report = session.test_predictions.current()
    assert report is reports.last and report.ref == session.models.current.ref
    network = session.models.current.network
    expected = evaluate(network, test)
    assert report.confusion.sum() == len(test) == len(report.labels)
    np.testing.assert_array_equal(report.confusion, expected.confusion)
    np.testing.assert_allclose(report.per_class_accuracy, expected.per_class_accuracy)
    probabilities = network.probabilities(test.images)
    np.testing.assert_array_equal(report.predicted, probabilities.argmax(1))
    np.testing.assert_allclose(report.confidence, probabilities.max(1), rtol=1e-5)
    rows = np.arange(len(test))
    np.testing.assert_allclose(report.true_probability, probabilities[rows, test.labels], 1e-5)
    for true, guess in np.argwhere(report.top_cells >= 0):
        cell = cell_indices(report.labels, report.predicted, report.confidence, true, guess)
        assert report.top_cells[true, guess] == cell[0]


def test_updated_is_one_event_for_a_new_target_a_report_or_a_failure(tiny_session) -> None:
    dispatcher, session, _ = tiny_session
    updates = Recorder(session.test_predictions.updated)
    session.start("mlp")
    pump(dispatcher, lambda: session.models.current is not None)
    assert len(updates) == 1  # the target changed
    reports = Recorder(session.test_predictions.changed)
    session.test_predictions.request()
    pump(dispatcher, lambda: len(reports) > 0)
    dispatcher.drain(0.1)
    assert len(updates) == 2  # and its report arrived
    report = reports.last
    true, guess = report.classes[report.labels[0]], report.classes[report.predicted[0]]
    assert report.caption(0) == f"{true}→{guess} {report.confidence[0]:.0%}"
    assert report.tip(0).startswith(f"test image 0: a {true}; the net says {guess} (")
    session.test_predictions.request()  # known: nothing new
    dispatcher.drain(0.1)
    assert len(reports) == 1


def test_missing_test_data_is_a_failure_with_the_reason() -> None:
    dispatcher, session = session_without_test_data()
    try:
        assert session.test_predictions.fetch() == AnalysisFailed(None, "No model")
        session.start("mlp")
        pump(dispatcher, lambda: session.models.current is not None)
        failures = Recorder(session.test_predictions.failed)
        reports = Recorder(session.test_predictions.changed)
        session.test_predictions.request()
        pump(dispatcher, lambda: len(failures) > 0)
        failure = session.test_predictions.fetch()
        assert failure is failures.last and failure.ref == session.models.current.ref
        assert failure.message.startswith("MNIST is missing") and len(reports) == 0
    finally:
        session.close()


def test_a_class_subset_uses_only_its_digits_with_labels_0_to_k() -> None:
    split = Split(np.zeros((6, 28, 28), np.uint8), np.array([2, 7, 3, 7, 2, 0]))
    images, labels = class_subset(split, (2, 7))
    assert labels.tolist() == [0, 1, 1, 0] and len(images) == 4


def test_a_run_is_followed_at_its_test_evaluations(tiny_session) -> None:
    dispatcher, session, test = tiny_session
    targets = Recorder(session.test_predictions.target_changed)
    updates = Recorder(session.run.updated)
    outcomes = Recorder(session.run.finished)
    settings = RunSettings(hidden=(8,), epochs=2, lr=1e-2, batch_size=16, classes=(2, 7))
    session.run.set_settings(settings)
    assert session.run.start()
    pump(dispatcher, lambda: len(outcomes) > 0)
    assert session.models.current.key == RUN_KEY
    evaluations = sum(u.snapshot.status in ("epoch", "done") for u in updates.values)
    assert 1 <= len(targets) <= 1 + evaluations  # not one per snapshot
    target = session.test_predictions.target
    assert target.ref == session.models.current.ref and target.classes == (2, 7)
    reports = Recorder(session.test_predictions.changed)
    session.test_predictions.request()
    pump(dispatcher, lambda: len(reports) > 0)
    report = reports.last
    assert report.confusion.shape == (2, 2)
    assert report.confusion.sum() == np.isin(test.labels, (2, 7)).sum()


def test_dataset_summaries_count_and_average_each_class() -> None:
    dispatcher = QueueDispatcher()
    tiny = make_tiny_dataset()
    session = Session(dispatcher, test_set=lambda: tiny.test, train_set=lambda: tiny.train)
    try:
        summaries = Recorder(session.datasets.changed)
        session.datasets.request("train")
        session.datasets.request("train")  # under way: asked once
        session.datasets.request("test")
        pump(dispatcher, lambda: len(summaries) >= 2)
        dispatcher.drain(0.1)
        assert sorted(s.split for s in summaries.values) == ["test", "train"]
        train = session.datasets.summary("train")
        assert train.counts.sum() == len(tiny.train) and not train.error
        np.testing.assert_array_equal(train.counts, np.bincount(tiny.train.labels, minlength=10))
        sevens = train.of_class(7)
        assert np.all(tiny.train.labels[sevens] == 7) and len(sevens) == train.counts[7]
        np.testing.assert_allclose(
            train.averages[7], tiny.train.images[sevens].mean(0) / 255, atol=1e-5
        )
        with pytest.raises(ValueError):
            session.datasets.request("validation")
    finally:
        session.close()


def test_a_missing_dataset_is_a_summary_with_the_reason() -> None:
    dispatcher, session = session_without_test_data()
    try:
        summaries = Recorder(session.datasets.changed)
        session.datasets.request("test")
        pump(dispatcher, lambda: len(summaries) > 0)
        assert summaries.last.error.startswith("MNIST is missing")
        assert summaries.last.counts.sum() == 0
    finally:
        session.close()
