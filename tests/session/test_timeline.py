"""The run's timeline: choosing a moment makes it the answering model version, its change is the
step from the moment before, Reset goes live, and per-class markers say when a class was learned."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.training import LocalTrainer
from digitlab.session import Answer, QueueDispatcher, Session
from digitlab.session.models import RUN_KEY
from digitlab.session.run import RunPhase
from digitlab.session.run_settings import RunSettings
from tests.conftest import make_tiny_dataset
from tests.session.conftest import Recorder, pump, tiny_cache

SETTINGS = RunSettings(hidden=(8,), epochs=3, lr=1e-2, batch_size=16, refresh_every=1)


@pytest.fixture
def trained():
    """A session whose 3-epoch run on the tiny dataset has finished, and a 3 drawn."""
    dispatcher = QueueDispatcher()
    test = make_tiny_dataset().test
    session = Session(dispatcher, trainer_factory=lambda: LocalTrainer(tiny_cache()),
                      test_set=lambda: test)  # fmt: skip
    session.run.set_settings(SETTINGS)
    assert session.run.start()
    pump(dispatcher, lambda: session.run.phase is RunPhase.FINISHED)
    session.drawing.set_canvas(test.images[3])
    yield dispatcher, session, test
    session.close()


def test_a_chosen_moment_answers_as_that_version_of_the_run(trained) -> None:
    dispatcher, session, _ = trained
    timeline, moments = session.timeline, session.timeline.moments
    assert len(moments) >= 6 and timeline.live and timeline.position == len(moments) - 1
    changes = Recorder(session.models.current_changed)
    moved = Recorder(timeline.moved)
    timeline.seek(1)
    assert moved.last is moments[1] and not timeline.live and timeline.position == 1
    current = session.models.current
    assert current.key == RUN_KEY and current.ref == moments[1].ref
    assert current.network is moments[1].network and "epoch" in current.description
    assert changes.last is current and len(changes) == 1
    expected = moments[1].network.probabilities(session.drawing.input.image[None])[0]
    assert session.prediction.state is Answer.READY
    np.testing.assert_allclose(session.prediction.probabilities, expected)
    session.models.run_changed()  # the live run moving on (pinned: nothing for the views)
    assert len(changes) == 1
    assert session.timeline.model() is current  # one entry per moment: analyses find their cache
    timeline.step(-5)
    assert timeline.position == 0
    timeline.seek(len(moments) - 1)  # the newest moment is live
    assert timeline.live and moved.last is None
    assert session.models.current.ref == session.run.model.ref


def test_a_moments_change_is_its_step_from_the_one_before(trained) -> None:
    _, session, _ = trained
    timeline, moments = session.timeline, session.timeline.moments
    timeline.seek(2)
    change, stopped = timeline.change_of(session.models.current)
    assert not stopped
    for delta, now, before in zip(change, moments[2].network.weights,
                                  moments[1].network.weights):  # fmt: skip
        np.testing.assert_allclose(delta, now - before)
    timeline.seek(0)
    assert timeline.change_of(session.models.current) is None  # nothing before the first
    timeline.go_live()
    live_change, _ = timeline.change_of(session.models.current)
    for delta, sent in zip(live_change, session.run.latest.snapshot.deltas):
        np.testing.assert_array_equal(delta, sent)


def test_the_confusion_follows_a_chosen_moment(trained) -> None:
    dispatcher, session, _ = trained
    session.models.select(RUN_KEY)
    session.timeline.seek(1)
    assert session.test_predictions.target.ref == session.timeline.moments[1].ref
    session.timeline.go_live()
    assert session.test_predictions.target.ref == session.run.model.ref


def test_choosing_a_moment_makes_the_run_answer(trained) -> None:
    dispatcher, session, _ = trained
    session.models.select("linear")
    pump(dispatcher, lambda: session.models.current is not None
         and session.models.current.key == "linear")  # fmt: skip
    session.timeline.seek(2)
    assert session.models.follows_run
    assert session.models.current.ref == session.timeline.moments[2].ref


def test_start_goes_live(trained) -> None:
    dispatcher, session, _ = trained
    session.timeline.seek(1)
    assert session.run.start()  # Continue: one more epoch, watched live
    assert session.timeline.live
    pump(dispatcher, lambda: session.run.phase is RunPhase.FINISHED)


def test_reset_goes_live_and_forgets_the_moments(trained) -> None:
    _, session, _ = trained
    moved = Recorder(session.timeline.moved)
    session.timeline.seek(1)
    session.run.reset()
    assert session.timeline.live and moved.last is None and session.timeline.position == -1
    session.timeline.seek(3)  # no moments: nothing happens
    assert session.timeline.live


def test_markers_say_when_each_class_first_passed_the_threshold(trained) -> None:
    dispatcher, session, test = trained
    timeline = session.timeline
    measured = Recorder(timeline.measured)
    timeline.measure()
    pump(dispatcher, lambda: len(measured) > 0)
    moments = timeline.moments
    accuracies = [timeline.class_accuracy(m) for m in moments]
    assert all(a is not None and a.shape == (10,) for a in accuracies)
    last = moments[-1].network.predict(test.images)[0]
    np.testing.assert_allclose(accuracies[-1][3], np.mean(last[test.labels == 3] == 3))
    learned = timeline.learned_at(0.9)
    assert learned, "the tiny classes are learned within three epochs"
    for digit, index in learned.items():
        assert accuracies[index][digit] >= 0.9
        assert all(a[digit] < 0.9 for a in accuracies[:index])
    assert timeline.learned_at(1.01) == {}
    timeline.measure()  # all measured: nothing to do
    dispatcher.drain(0.2)
    assert len(measured) == 1
