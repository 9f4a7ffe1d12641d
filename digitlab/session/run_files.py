"""Saving the run's history as a run file, and opening one to replay it (in the background).

A run file (`core.run_file`) holds the history's moments, the curves and the settings that
trained them. Writing and reading happen in a job thread: a run file of 64 MB must not stall
the window. Opening one replays it through the run (`TrainingRun.replay`).
"""

from __future__ import annotations

from pathlib import Path

from digitlab.core.run_file import load_run, save_run
from digitlab.session.history import as_run_file
from digitlab.session.jobs import JobRunner
from digitlab.session.notices import Notices
from digitlab.session.run import TrainingRun


def save_history(run: TrainingRun, jobs: JobRunner, notices: Notices, path: str | Path) -> bool:
    """Write the run's history, curves and settings to `path`; False (and a notice) when
    there is nothing to save. The result is a notice."""
    history, model = run.history, run.model
    if not len(history) or model is None:
        notices.warning("Nothing to save yet: train a net first (its history is what is saved)")
        return False
    train, test = run.curves.rows()
    file = as_run_file(history, model.network.spec, tuple(model.classes),
                       run.settings.to_dict(), train, test)  # fmt: skip
    jobs.submit(
        lambda context: save_run(path, file),
        key="run-file",
        on_done=lambda written: notices.info(
            f"Saved the run ({len(file.moments)} moments) in {written}", source=str(written)
        ),  # fmt: skip
        on_error=lambda message: notices.error(
            f"Could not save the run: {message}", source=str(path)
        ),  # fmt: skip
    )
    return True


def open_history(run: TrainingRun, jobs: JobRunner, notices: Notices, path: str | Path) -> None:
    """Read a run file in the background, then replay it; a bad file is one notice."""

    def read(context) -> object:
        return load_run(path)

    def opened(file) -> None:
        if run.replay(file):
            notices.info(f"Replaying {Path(path).name}: {len(file.moments)} moments of a "
                         f"{file.spec.describe()}", source=str(path))  # fmt: skip

    jobs.submit(read, key="run-file", on_done=opened,
                on_error=lambda message: notices.error(message, source=str(path)))  # fmt: skip
