"""The run's pace in the session: set (by a view or a lesson), told, remembered, and obeyed by
a going run."""

from __future__ import annotations

import json
import math
import time

import pytest

from digitlab.session.run import RunPhase
from digitlab.session.run_settings import RunSettings
from tests.session.conftest import Recorder, pump

# The tiny dataset has 512 training images: batch 64 is 8 steps an epoch.
EIGHT_STEPS = RunSettings(hidden=(16,), epochs=1, lr=1e-2, batch_size=64)


def test_set_pace_tells_and_keeps_it_with_the_settings(session) -> None:
    paces, settings = Recorder(session.run.pace_changed), Recorder(session.run.settings_changed)
    assert session.run.pace == 0.0  # full speed
    session.run.set_pace(3)
    assert paces.values == [3.0] and session.run.pace == 3.0
    assert settings.last.pace == 3.0 and session.run.settings.pace == 3.0
    session.run.set_pace(3.0)  # no change, no event
    assert paces.values == [3.0] and len(settings) == 1
    stored = json.loads(json.dumps(session.run.settings.to_dict()))
    assert RunSettings.from_dict(stored).pace == 3.0


def test_restored_settings_bring_their_pace(session) -> None:
    paces = Recorder(session.run.pace_changed)
    session.run.set_settings(RunSettings.from_dict({"pace": 0.5, "epochs": 4}))
    assert paces.values == [0.5] and session.run.pace == 0.5
    session.run.set_settings(session.run.settings.replaced(epochs=5))  # the pace unchanged
    assert paces.values == [0.5]


@pytest.mark.parametrize(("stored", "expected"), [(-3, 0.0), (1e9, 1000.0), ("x", 0.0)])
def test_stored_paces_are_clamped_or_dropped(stored, expected) -> None:
    assert RunSettings.from_dict({"pace": stored}).pace == expected


@pytest.mark.parametrize("bad", [-1, math.nan, 5000])
def test_an_impossible_pace_is_refused(session, bad) -> None:
    session.run.set_pace(2)
    with pytest.raises(ValueError, match="pace"):
        session.run.set_pace(bad)
    assert session.run.pace == 2.0


def test_a_setting_problem_survives_a_pace_change(session) -> None:
    session.run.set_settings(RunSettings(), problem="Classes: 12 is not a digit")
    session.run.set_pace(1)
    assert session.run.settings_problem == "Classes: 12 is not a digit"


def test_a_pace_set_before_start_shows_every_step_at_that_pace(session, dispatcher) -> None:
    updates = Recorder(session.run.updated)
    session.run.set_settings(EIGHT_STEPS)
    session.run.set_pace(20)  # as a lesson does before Start
    began = time.perf_counter()
    assert session.run.start()
    pump(dispatcher, lambda: session.run.phase is RunPhase.FINISHED)
    assert [u.snapshot.step for u in updates.values] == list(range(1, 9))
    assert time.perf_counter() - began >= 7 / 20


def test_a_going_run_follows_a_new_pace(session, dispatcher) -> None:
    updates = Recorder(session.run.updated)
    session.run.set_settings(EIGHT_STEPS.replaced(batch_size=16))  # 32 steps
    session.run.set_pace(1)  # half a minute at this pace
    assert session.run.start()
    pump(dispatcher, lambda: len(updates) >= 1)
    dispatcher.drain(0.4, lambda: len(updates) >= 2)
    assert len(updates) == 1 and session.run.phase is RunPhase.RUNNING  # one step a second
    session.run.set_pace(0)
    began = time.perf_counter()
    pump(dispatcher, lambda: session.run.phase is RunPhase.FINISHED, timeout=5)
    assert time.perf_counter() - began < 3.0
    assert updates.last.snapshot.samples_seen == 512
