"""The session's experiment runs: catalogue, a run kept on disk, reopening, cancel, bad files."""

from __future__ import annotations

import threading

import pytest

from digitlab.core.experiments import Experiment, Settings
from digitlab.session import Session
from tests.conftest import count_to
from tests.session.conftest import Recorder, pump


@pytest.fixture
def session(dispatcher, tmp_path):
    session = Session(dispatcher, experiment_results=tmp_path / "results")
    yield session
    session.close()


def test_the_catalogue_loads_in_catalogue_order(session, dispatcher) -> None:
    loaded = Recorder(session.experiments.catalogue_loaded)
    session.experiments.load_catalogue()
    pump(dispatcher, lambda: len(loaded) > 0)
    numbers = [e.number for e in loaded.last]
    assert numbers == sorted(numbers) and "approximation" in [e.name for e in loaded.last]


def test_a_run_is_shown_kept_on_disk_and_reopened(session, dispatcher, with_counting) -> None:
    runs = session.experiments
    finished, stored, opened = Recorder(runs.finished), Recorder(runs.stored), Recorder(runs.opened)
    progress = Recorder(runs.progress)
    runs.run("counting", Settings(quick=True, seed=2))
    assert runs.running == "counting"
    pump(dispatcher, lambda: len(stored) > 0)
    result = finished.last
    assert result.tables[0].rows == [[12, 78]] and result.agrees is True and runs.running is None
    assert len(progress) >= 1 and progress.last.fraction == 1.0
    name, found = stored.last
    assert name == "counting" and len(found) == 1
    assert found[0].seed == 2 and found[0].quick and found[0].path.parent.name == "counting"
    runs.run("counting", Settings(quick=True, seed=2))  # the same settings again: a second file
    pump(dispatcher, lambda: len(stored) > 1)
    assert len({entry.path for entry in stored.last[1]}) == 2
    runs.open(found[0].path)
    pump(dispatcher, lambda: len(opened) > 0)
    assert opened.last == result


def test_a_cancelled_run_reports_nothing_and_keeps_nothing(session, dispatcher, with_counting):
    gate = threading.Event()

    def slow(settings, progress, cancelled):
        gate.wait(10)
        return count_to(settings, progress, cancelled)

    with_counting["slow"] = Experiment(98, "slow", "Slow", "?", "Wait, then count.", slow)
    finished, failed = Recorder(session.experiments.finished), Recorder(session.experiments.failed)
    session.experiments.run("slow", Settings())
    session.experiments.cancel()
    gate.set()
    assert session.experiments.running is None
    session.jobs.shutdown(5.0)
    dispatcher.drain(0.2)
    assert len(finished) == 0 and len(failed) == 0
    assert not (session.experiments.folder / "slow").exists()


def test_a_failing_run_and_bad_files_give_one_line(session, dispatcher, tmp_path, with_counting):
    def broken(settings, progress, cancelled):
        raise ValueError("the loss became nan")

    with_counting["broken"] = Experiment(97, "broken", "Broken", "?", "Fail.", broken)
    failed = Recorder(session.experiments.failed)
    session.experiments.run("broken", Settings())
    pump(dispatcher, lambda: len(failed) > 0)
    assert "the loss became nan" in failed.last.message and session.experiments.running is None
    cases = {"garbage.json": b"\x00\xff not json", "list.json": b"[1, 2]",
             "partial.json": b'{"name": "x", "settings": {"quick": true, "seed": 0}}'}  # fmt: skip
    for file_name, content in cases.items():
        path = tmp_path / file_name
        path.write_bytes(content)
        count = len(failed)
        session.experiments.open(path)
        pump(dispatcher, lambda count=count: len(failed) > count)
        assert str(path) in failed.last.message and "\n" not in failed.last.message
        assert path.read_bytes() == content  # left as it was
    count = len(failed)
    session.experiments.open(tmp_path / "missing.json")
    pump(dispatcher, lambda: len(failed) > count)
    assert "cannot read" in failed.last.message and failed.last.ref is None


def test_a_kept_result_is_read_on_its_own_and_a_damaged_one_names_its_path(
    session, dispatcher, tmp_path, with_counting
) -> None:
    """A kept result read on its own neither cancels a file the user opens nor is cancelled by
    it; one that cannot be read is `damaged` with its path, and a folder is never opened."""
    import json
    import os

    from digitlab.core.experiments.storage import stored_results

    runs = session.experiments
    kept = count_to(Settings(seed=1), lambda fraction, text: None, lambda: False)
    folder = runs.folder / "counting"
    folder.mkdir(parents=True)
    (folder / "20240101-000000-seed1.json").write_text(json.dumps(kept.as_dict()))
    (folder / "20240101-000100-seed1.json").write_text('{"settings": {"seed": 1e999}}')
    (folder / "20240101-000200-seed1.json").mkdir()
    os.mkfifo(folder / "20240101-000300-seed1.json")
    user_file = tmp_path / "mine.json"
    user_file.write_text(json.dumps(kept.as_dict()))
    opened, read, damaged = (
        Recorder(runs.opened),
        Recorder(runs.opened_stored),
        Recorder(runs.damaged),
    )
    found = {stored.path.name: stored for stored in stored_results(runs.folder, "counting")}
    runs.open(user_file)
    for stored in found.values():
        runs.open_stored(stored)  # one after another: only the last of these may be cancelled
    pump(dispatcher, lambda: len(opened) == 1 and len(read) + len(damaged) >= 1)
    assert opened.last == kept
    for name, stored in found.items():
        count = len(read) + len(damaged)
        runs.open_stored(stored)
        pump(dispatcher, lambda count=count: len(read) + len(damaged) > count)
        if name == "20240101-000000-seed1.json":
            assert read.last == (str(stored.path), kept)
        else:
            path, line = damaged.last
            assert path == str(stored.path) and "\n" not in line
            assert ("seed" if name.endswith("0100-seed1.json") else "not a file") in line
