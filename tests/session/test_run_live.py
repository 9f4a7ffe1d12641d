"""Changing a going run from the session: live settings reach it at its next step, the curves
mark each change, "+1 epoch" moves its end; other edits wait for the next Start."""

from __future__ import annotations

import pytest

from digitlab.core.protocol import RunState
from digitlab.core.training import LocalTrainer
from digitlab.session import QueueDispatcher, Session
from digitlab.session.run import RunEnd, RunPhase
from digitlab.session.run_settings import RunSettings
from tests.session.conftest import Recorder, pump, tiny_cache

# The tiny dataset has 512 training images. Refreshed every step, the run waits after each
# snapshot until the session has taken it: a test changes it between two known steps.
STEPWISE = RunSettings(hidden=(16,), epochs=1, lr=1e-2, batch_size=16, refresh_every=1)


def start_and_take_one(session, dispatcher, settings: RunSettings = STEPWISE) -> Recorder:
    updates = Recorder(session.run.updated)
    session.run.set_settings(settings)
    assert session.run.start()
    pump(dispatcher, lambda: len(updates) >= 1)
    return updates


def finish(session, dispatcher) -> None:
    pump(dispatcher, lambda: session.run.phase is RunPhase.FINISHED)


def test_a_new_learning_rate_and_batch_size_reach_the_going_run(session, dispatcher) -> None:
    updates = start_and_take_one(session, dispatcher)
    session.run.set_settings(session.run.settings.replaced(lr=0.05, batch_size=64))
    finish(session, dispatcher)
    snaps = [u.snapshot for u in updates.values]
    assert snaps[1].live.lr == 0.05 and snaps[1].live.batch_size == 64
    assert [s.samples_seen for s in snaps] == [16, *range(80, 512, 64), 512]
    assert session.run.epochs_trained == pytest.approx(1.0)
    (mark,) = session.run.curves.marks()
    assert mark.text == "lr 0.01 → 0.05, batch 16 → 64"
    assert mark.epoch == pytest.approx(16 / 512)
    assert session.run.checkpoint_meta()["train"]["lr"] == 0.05  # what it trained with last


def test_other_edits_wait_for_the_next_start(session, dispatcher) -> None:
    updates = start_and_take_one(session, dispatcher)
    session.run.set_settings(session.run.settings.replaced(seed=7, epochs=3, schedule="cosine"))
    finish(session, dispatcher)
    assert updates.last.snapshot.total_samples == 512 and not session.run.curves.marks()
    assert session.run.settings.epochs == 3  # kept for the next Start


def test_one_more_epoch_moves_the_going_runs_end(session, dispatcher) -> None:
    updates = start_and_take_one(session, dispatcher)
    outcomes = Recorder(session.run.finished)
    assert session.run.can_add_epoch() and session.run.add_epoch()
    assert session.run.settings.epochs == 2
    finish(session, dispatcher)
    assert session.run.epochs_trained == pytest.approx(2.0)
    assert updates.last.course_epochs == 2 and updates.last.course_epoch == pytest.approx(2.0)
    assert outcomes.last.end is RunEnd.DONE and "after 2 epochs" in outcomes.last.message
    assert [m.text for m in session.run.curves.marks()] == ["+1 epoch"]


def test_a_run_stopped_after_one_more_epoch_continues_to_its_new_end(session, dispatcher):
    updates = start_and_take_one(session, dispatcher)
    session.run.add_epoch()
    pump(dispatcher, lambda: len(updates) >= 3)
    session.run.stop()
    finish(session, dispatcher)
    assert session.run.would_finish_course()
    assert session.run.start()  # Continue: on to the 2 epochs the run had become
    finish(session, dispatcher)
    assert session.run.epochs_trained == pytest.approx(2.0)
    assert updates.last.course_epoch == pytest.approx(2.0) and updates.last.course_epochs == 2


def test_after_a_run_one_more_epoch_trains_one_more(session, dispatcher) -> None:
    assert not session.run.can_add_epoch()  # no model yet
    start_and_take_one(session, dispatcher, STEPWISE.replaced(refresh_every=0, epochs=2))
    finish(session, dispatcher)
    assert session.run.add_epoch()
    assert session.run.phase.busy
    finish(session, dispatcher)
    assert session.run.epochs_trained == pytest.approx(3.0)
    assert session.run.settings.epochs == 2  # the form's epochs stay for the next Continue
    assert session.run.latest.course_epochs == 1
    session.run.set_settings(session.run.settings.replaced(hidden=(8,)))
    assert not session.run.can_add_epoch()  # Start would train a new net: nothing to extend


def test_reset_forgets_the_marks(session, dispatcher) -> None:
    start_and_take_one(session, dispatcher)
    session.run.set_settings(session.run.settings.replaced(l1=1e-4))
    finish(session, dispatcher)
    assert len(session.run.curves.marks()) == 1
    session.run.reset()
    assert session.run.curves.marks() == ()


class DeafTrainer(LocalTrainer):
    """Trains without hearing the session's live settings: as if every change came too late."""

    def train(self, job, state):
        return super().train(job, RunState())


def test_an_epoch_added_too_late_for_the_run_is_trained_after_it() -> None:
    dispatcher = QueueDispatcher()
    session = Session(dispatcher, trainer_factory=lambda: DeafTrainer(tiny_cache()))
    try:
        start_and_take_one(session, dispatcher)
        phases = Recorder(session.run.phase_changed)
        assert session.run.add_epoch()
        pump(dispatcher, lambda: RunPhase.FINISHED in phases.values and not session.run.phase.busy)
        assert session.run.epochs_trained == pytest.approx(2.0)
        assert phases.values.count(RunPhase.STARTING) == 1  # one more run, after the first
    finally:
        session.close()
