"""The training run's lifecycle: start, pause, stop, continue, reset, fail, save."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.checkpoint import load_checkpoint
from digitlab.core.data import DatasetCache
from digitlab.core.errors import DataError
from digitlab.core.network import ModelSpec, Network
from digitlab.core.protocol import SnapshotStatus, Stage
from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.session.models import DEFAULT_KEY, RUN_KEY
from digitlab.session.run import RunEnd, RunPhase
from digitlab.session.run_save import describe
from digitlab.session.run_settings import RunSettings
from tests.session.conftest import Recorder, pump, tiny_cache

FAST = RunSettings(hidden=(16,), epochs=1, lr=1e-2, batch_size=32)


def finished(session: Session):
    return lambda: session.run.phase is RunPhase.FINISHED


def run_once(session: Session, dispatcher, settings: RunSettings = FAST):
    outcomes = Recorder(session.run.finished)
    session.run.set_settings(settings)
    assert session.run.start()
    pump(dispatcher, lambda: len(outcomes) > 0)
    return outcomes.last


def test_a_run_goes_through_its_phases_and_learns(session, dispatcher) -> None:
    phases, stages = Recorder(session.run.phase_changed), Recorder(session.run.stage_changed)
    updates = Recorder(session.run.updated)
    outcome = run_once(session, dispatcher, FAST.replaced(epochs=2))
    assert phases.values == [RunPhase.STARTING, RunPhase.RUNNING, RunPhase.FINISHED]
    assert stages.values[-1] is Stage.TRAINING
    assert outcome.end is RunEnd.DONE and outcome.test_accuracy > 0.9
    assert outcome.message == f"Finished: test accuracy {outcome.test_accuracy:.2%} after 2 epochs"
    assert session.run.epochs_trained == pytest.approx(2.0)
    last = updates.last
    assert last.snapshot.status is SnapshotStatus.DONE and last.epoch == pytest.approx(2.0)
    assert last.network.spec.hidden == (16,)
    assert np.array_equal(session.run.network.weights[0], last.snapshot.weights[0])
    x, _ = session.run.curves.loss()
    assert len(x) == len(updates) and np.all(np.diff(x) >= 0)
    assert len(session.run.curves.test_accuracy()[0]) == 2  # one test point per epoch
    assert len(session.run.history) == len(updates)


def test_the_run_answers_the_drawing_once_it_has_weights(session, dispatcher) -> None:
    session.start()
    pump(dispatcher, lambda: session.models.current is not None)
    assert session.models.current.key == DEFAULT_KEY
    run_once(session, dispatcher)
    assert session.models.current.key == RUN_KEY
    assert session.models.current.network is session.run.network
    assert RUN_KEY in [s.key for s in session.models.sources()]


def test_start_again_continues_the_same_model(session, dispatcher) -> None:
    run_once(session, dispatcher)
    first = session.run.network
    assert session.run.would_continue()
    cleared = Recorder(session.run.cleared)
    updates = Recorder(session.run.updated)
    outcome = run_once(session, dispatcher)
    assert len(cleared) == 0
    assert outcome.message.endswith("after 2 epochs")
    assert updates.values[0].epoch > 1.0  # the curves go on where they were
    assert not np.array_equal(session.run.network.weights[0], first.weights[0])


def test_a_new_architecture_starts_a_new_model(session, dispatcher) -> None:
    run_once(session, dispatcher)
    session.run.set_settings(FAST.replaced(hidden=(4,)))
    assert not session.run.would_continue()
    cleared = Recorder(session.run.cleared)
    run_once(session, dispatcher, FAST.replaced(hidden=(4,)))
    assert len(cleared) == 1 and session.run.epochs_trained == pytest.approx(1.0)
    assert session.run.network.spec.hidden == (4,)


def test_class_subsets_train_a_smaller_head(session, dispatcher) -> None:
    outcome = run_once(session, dispatcher, FAST.replaced(classes=(3, 5, 8)))
    assert outcome.end is RunEnd.DONE
    assert session.run.classes == (3, 5, 8) and session.run.network.spec.num_classes == 3
    assert session.models.entry(RUN_KEY).classes == (3, 5, 8)


def test_stop_keeps_the_weights_so_far(session, dispatcher) -> None:
    updates = Recorder(session.run.updated)
    session.run.set_settings(FAST.replaced(epochs=500))
    session.run.start()
    pump(dispatcher, lambda: len(updates) >= 2)
    session.run.stop()
    outcomes = Recorder(session.run.finished)
    pump(dispatcher, lambda: len(outcomes) > 0)
    assert outcomes.last.end is RunEnd.STOPPED and outcomes.last.message.startswith("Stopped after")
    assert session.run.network is not None and 0 < session.run.epochs_trained < 500


def test_continue_after_stop_trains_on_to_the_epochs_set(session, dispatcher) -> None:
    updates = Recorder(session.run.updated)
    session.run.set_settings(FAST.replaced(epochs=3, refresh_every=1))
    session.run.start()
    pump(dispatcher, lambda: len(updates) >= 10)  # within the first of 16 steps an epoch
    session.run.stop()
    outcomes = Recorder(session.run.finished)
    pump(dispatcher, lambda: len(outcomes) > 0)
    stopped_at = session.run.epochs_trained
    assert 0 < stopped_at < 1 and session.run.would_finish_course()
    outcome = run_once(session, dispatcher, FAST.replaced(epochs=3))
    assert outcome.message.endswith("after 3 epochs")
    assert session.run.epochs_trained == 3.0
    last = updates.last
    assert last.course_epochs == 3 and last.course_epoch == 3.0
    assert not session.run.would_finish_course()  # the epochs set were reached:
    outcome = run_once(session, dispatcher, FAST.replaced(epochs=3))  # 3 more
    assert outcome.message.endswith("after 6 epochs") and updates.last.course_epoch == 3.0


def test_pause_holds_the_run_until_resumed(session, dispatcher) -> None:
    updates = Recorder(session.run.updated)
    session.run.set_settings(FAST.replaced(epochs=500))
    session.run.start()
    pump(dispatcher, lambda: len(updates) >= 1)
    session.run.pause()
    assert session.run.phase is RunPhase.PAUSED
    dispatcher.drain(0.5)
    count = len(updates)
    dispatcher.drain(0.5)
    assert len(updates) <= count + 1  # one may have been on its way
    session.run.resume()
    assert session.run.phase is RunPhase.RUNNING
    pump(dispatcher, lambda: len(updates) > count + 2)
    session.run.stop()
    pump(dispatcher, finished(session))


def test_reset_forgets_the_model_and_the_run_stops_answering(session, dispatcher) -> None:
    session.start()
    run_once(session, dispatcher)
    session.run.reset()
    assert session.run.network is None and len(session.run.curves) == 0
    assert len(session.run.history) == 0 and session.run.phase is RunPhase.IDLE
    assert RUN_KEY not in [s.key for s in session.models.sources()]
    pump(dispatcher, lambda: session.models.current is not None)
    assert session.models.current.key == DEFAULT_KEY


def test_reset_during_a_run_drops_its_late_snapshots(session, dispatcher) -> None:
    updates = Recorder(session.run.updated)
    session.run.set_settings(FAST.replaced(epochs=500))
    session.run.start()
    pump(dispatcher, lambda: len(updates) >= 1)
    session.run.reset()
    count = len(updates)
    dispatcher.drain(0.5)
    assert len(updates) == count and session.run.network is None
    assert session.run.phase is RunPhase.IDLE


def test_a_diverging_run_says_so(session, dispatcher) -> None:
    outcome = run_once(session, dispatcher, FAST.replaced(optimizer="sgd", lr=10.0, hidden=(64,)))
    assert outcome.end is RunEnd.DIVERGED and "learning rate" in outcome.message
    assert outcome.message.endswith("the weights of the last good snapshot are kept")
    assert session.run.network.is_finite()


def test_missing_data_fails_the_run_with_one_line(dispatcher) -> None:
    def missing(name, root=None, classes=None, **_):
        raise DataError("MNIST is not available (the files are missing) in /nowhere")

    session = Session(dispatcher, trainer_factory=lambda: LocalTrainer(DatasetCache(missing)))
    try:
        notices = Recorder(session.notices.posted)
        outcome = run_once(session, dispatcher)
        assert outcome.end is RunEnd.FAILED
        assert (
            outcome.message
            == "Training failed: MNIST is not available (the files are missing) in /nowhere"
        )
        assert notices.last.text == outcome.message and session.run.network is None
        assert session.run.start()  # a failed run can be started again
        pump(dispatcher, finished(session))
    finally:
        session.close()


def test_save_writes_a_model_file_with_its_story(session, dispatcher, tmp_path) -> None:
    run_once(session, dispatcher, FAST.replaced(classes=(0, 1), seed=4))
    saved = Recorder(session.run.saved)
    session.run.save(tmp_path / "run.safetensors")
    pump(dispatcher, lambda: len(saved) > 0)
    checkpoint = load_checkpoint(saved.last)
    assert checkpoint.classes == (0, 1)
    assert checkpoint.meta["train"]["seed"] == 4 and checkpoint.meta["epochs"] == pytest.approx(1)
    assert checkpoint.test_accuracy == pytest.approx(session.run.test_accuracy)
    np.testing.assert_array_equal(checkpoint.network.weights[1], session.run.network.weights[1])


def test_saving_nothing_or_somewhere_impossible_says_so(
    session, dispatcher, tmp_path, capsys
) -> None:
    notices = Recorder(session.notices.posted)
    session.run.save(tmp_path / "x.safetensors")
    assert "Nothing to save" in notices.last.text
    run_once(session, dispatcher)
    session.run.save(tmp_path)  # a folder
    pump(dispatcher, lambda: "Could not save" in notices.last.text)
    assert "is a folder" in notices.last.text
    assert capsys.readouterr().err == ""  # the notice says it all; no traceback besides


def test_paced_runs_wait_for_the_main_thread(session, dispatcher) -> None:
    """With a refresh every step, the trainer never runs ahead of what was shown: while the main
    thread is busy (not draining), at most the one snapshot in flight is waiting for it."""
    import time

    updates = Recorder(session.run.updated)
    session.run.set_settings(FAST.replaced(refresh_every=1, batch_size=8, epochs=50))
    session.run.start()
    pump(dispatcher, lambda: len(updates) >= 1)
    time.sleep(0.5)  # a free-running trainer would do hundreds of steps meanwhile
    dispatcher.drain()  # what was queued while the main thread was busy
    assert len(updates) <= 2
    steps = [u.snapshot.step for u in updates.values]
    assert steps == list(range(steps[0], steps[0] + len(steps)))
    session.run.stop()
    pump(dispatcher, finished(session))


def test_the_history_stays_within_its_cap(dispatcher) -> None:
    from digitlab.session.history import SnapshotHistory

    history = SnapshotHistory(max_bytes=20 * (16 * 784 + 16 + 10 * 16 + 10) * 4)
    session = Session(
        dispatcher, trainer_factory=lambda: LocalTrainer(tiny_cache()), history=history
    )
    try:
        run_once(session, dispatcher, FAST.replaced(epochs=6, refresh_every=1))
        assert history.nbytes <= history.max_bytes and 2 < len(history) <= 20
        samples = [e.samples for e in history.entries]
        assert samples == sorted(samples) and history.entries[-1].samples == 6 * 512
    finally:
        session.close()


def test_start_refuses_while_a_setting_is_invalid(session, dispatcher) -> None:
    notices = Recorder(session.notices.posted)
    session.run.set_settings(FAST, problem="classes must be digits 0–9, got '3,12'")
    assert not session.run.start() and session.run.phase is RunPhase.IDLE
    assert notices.last.text == "Cannot start: classes must be digits 0–9, got '3,12'"
    session.run.set_settings(FAST)
    assert session.run.start()
    pump(dispatcher, finished(session))


def test_reset_returns_to_the_model_that_answered_before_the_run(session, dispatcher) -> None:
    session.start("linear")
    pump(dispatcher, lambda: session.models.current is not None)
    run_once(session, dispatcher)
    assert session.models.current.key == RUN_KEY
    session.run.reset()
    pump(dispatcher, lambda: session.models.current is not None)
    assert session.models.current.key == "linear"


def test_warming_up_is_asked_once_per_dataset(dispatcher) -> None:
    prepared = []

    class CountingTrainer(LocalTrainer):
        def prepare(self, data) -> None:
            prepared.append(data)

    trainer = CountingTrainer(tiny_cache())
    session = Session(dispatcher, trainer_factory=lambda: trainer)
    try:
        for _ in range(5):  # the user moving the mouse over the training views
            session.run.prepare()
        session.run.set_settings(FAST.replaced(classes=(0, 1)))
        session.run.prepare()
        dispatcher.drain(1, until=lambda: len(prepared) == 2)
        dispatcher.drain(0.2)
        assert [p.classes for p in prepared] == [None, (0, 1)]
    finally:
        session.close()


def test_each_snapshot_is_a_new_version_of_one_live_model(session, dispatcher) -> None:
    """The run's model is one object: the library answers with the run's own entry, each
    snapshot is a new version with read-only weights, and history entries name their version."""
    updates, changed = Recorder(session.run.updated), Recorder(session.models.current_changed)
    run_once(session, dispatcher, FAST.replaced(epochs=2))
    versions = [u.model.ref for u in updates.values]
    assert len(set(versions)) == len(versions) and versions == sorted(versions)
    assert all(ref.key == RUN_KEY for ref in versions)
    assert session.models.current is session.run.model is updates.last.model
    assert session.models.entry(RUN_KEY).ref == session.run.model.ref == changed.last.ref
    assert [e.ref for e in session.run.history.entries] == versions
    assert not session.run.network.weights[0].flags.writeable
    assert session.models.current.description == session.run.description()
    session.run.reset()
    pump(dispatcher, lambda: session.models.current is not None)
    assert session.run.model is None and session.models.entry(RUN_KEY) is None
    assert not session.models.follows_run and session.models.current.key == DEFAULT_KEY


def test_the_run_description_never_rounds_a_test_accuracy_up_to_100_percent() -> None:
    network = Network.from_arrays(
        ModelSpec(hidden=(), num_classes=2), [np.zeros((2, 784))], [np.zeros(2)]
    )
    settings = RunSettings(hidden=(), classes=(0, 1))
    assert describe(network, settings, 0.9995).endswith("test 99.9\u00a0%")
    assert describe(network, settings, 1.0).endswith("test 100.0\u00a0%")
