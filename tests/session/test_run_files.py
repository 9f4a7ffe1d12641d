"""The window's run files: the session saves its run's history and replays a saved one through
the live-run path (curves, model, pause and stop as for training)."""

from __future__ import annotations

import numpy as np

from digitlab.core.run_file import load_run
from digitlab.session import Session
from digitlab.session.jobs import QueueDispatcher
from digitlab.session.run import RunPhase
from digitlab.session.run_files import open_history, save_history
from digitlab.session.run_settings import RunSettings
from tests.session.conftest import pump

SETTINGS = RunSettings(hidden=(8,), classes=(0, 1, 2), epochs=2, lr=1e-2, batch_size=16)


def test_a_saved_run_replays_into_a_fresh_session(session, dispatcher, tmp_path) -> None:
    session.run.set_settings(SETTINGS)
    assert session.run.start()
    pump(dispatcher, lambda: session.run.phase is RunPhase.FINISHED)
    path = tmp_path / "run.safetensors"
    assert save_history(session.run, session.jobs, session.notices, path)
    pump(dispatcher, path.exists)
    saved = load_run(path)
    assert saved.spec == session.run.model.network.spec and saved.classes == (0, 1, 2)
    assert len(saved.moments) == len(session.run.history)
    assert len(saved.train_curve) == len(session.run.curves) and len(saved.test_curve) == 2

    again_dispatcher = QueueDispatcher()
    again = Session(again_dispatcher)  # its own trainer is never started: a replay trains nothing
    try:
        updates = []
        again.run.updated.connect(updates.append)
        open_history(again.run, again.jobs, again.notices, path)
        pump(again_dispatcher, lambda: again.run.phase is RunPhase.FINISHED and updates)
        assert again.run.settings.hidden == (8,) and again.run.settings.classes == (0, 1, 2)
        assert len(updates) == len(saved.moments)  # every moment, in order
        for a, b in zip(again.run.model.network.weights, saved.moments[-1].network.weights):
            np.testing.assert_array_equal(a, b)
        assert again.run.test_accuracy == saved.moments[-1].test_accuracy
        assert not again.run.trainer_ready  # no trainer process was started for it
    finally:
        again.close()


def test_nothing_to_save_and_a_bad_file_are_one_notice_each(session, dispatcher, tmp_path):
    said = []
    session.notices.posted.connect(lambda notice: said.append(notice.text))
    assert not save_history(session.run, session.jobs, session.notices, tmp_path / "r.st")
    assert "Nothing to save yet" in said[-1]
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a run")
    open_history(session.run, session.jobs, session.notices, bad)
    pump(dispatcher, lambda: len(said) == 2)
    assert str(bad) in said[-1] and "not a digitlab run" in said[-1]
    assert session.run.phase is RunPhase.IDLE
