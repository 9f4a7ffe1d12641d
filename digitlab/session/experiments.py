"""The classic experiments in the window: the catalogue, a run in the background with progress
and Cancel, and the results kept on disk to reopen later.

The experiments import torch, so the catalogue is loaded in a job the first time the view asks
for it; the window starts without torch. Each finished run is saved under the results folder
(`<user data>/digitlab/experiments/NAME/…json`, never over an older file); reading them back,
like opening any result.json (`digitlab experiment run --out`), is done in a job too, with every
bad file reported in one line. A run is a `Task` (see `analysis.py`); every failure — a run, the
catalogue, a file — is an `AnalysisFailed` on `failed`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from psygnal import Signal

from digitlab.core.experiments import ExperimentCancelled, ExperimentResult, Settings
from digitlab.core.experiments.storage import (
    StoredResult,
    read_result,
    save_result,
    stored_results,
)
from digitlab.session.analysis import AnalysisFailed, Task
from digitlab.session.jobs import JobCancelled, JobContext, JobRunner
from digitlab.session.notices import Notices


def default_results_folder() -> Path:
    from platformdirs import user_data_path

    return user_data_path("digitlab", appauthor=False) / "experiments"


@dataclass(frozen=True)
class ExperimentRequest:
    name: str
    settings: Settings
    folder: Path  # where the result is kept


def run_and_keep(request: ExperimentRequest, context: JobContext) -> ExperimentResult:
    """Run one experiment (torch, on one thread: a trainer keeps the other core) and keep its
    result; a result that cannot be kept is still shown, with a warning as a partial result."""
    from digitlab.core.experiments import run_experiment

    try:
        result = run_experiment(
            request.name, request.settings, context.progress, lambda: context.cancelled
        )
    except ExperimentCancelled:
        raise JobCancelled from None
    try:
        save_result(result, request.folder)
    except OSError as error:
        context.partial(f"The result is shown but could not be kept in {request.folder}: "
                        f"{error.strerror or error}")  # fmt: skip
    return result


class ExperimentRuns:
    catalogue_loaded = Signal(list)  # list[Experiment], in catalogue order
    stored = Signal(str, list)  # experiment name, list[StoredResult] newest first
    opened = Signal(ExperimentResult)  # read from a file
    opened_stored = Signal(str, ExperimentResult)  # a kept result read back: its path, result
    damaged = Signal(str, str)  # a kept result that cannot be read: its path, one line

    def __init__(self, jobs: JobRunner, notices: Notices, folder: Path | None = None) -> None:
        self._jobs, self._notices = jobs, notices
        self.folder = Path(folder) if folder is not None else default_results_folder()
        self.catalogue: list | None = None
        self.task: Task[ExperimentRequest, ExperimentResult] = Task(
            jobs, "experiment", run_and_keep, ExperimentResult, str
        )
        self.progress, self.finished = self.task.progress, self.task.finished
        self.failed = self.task.failed  # a run, a catalogue or a file that failed
        self.task.partial.connect(notices.warning)
        self.task.finished.connect(lambda result: self.list_stored(result.name))

    @property
    def running(self) -> str | None:
        """The name of the experiment being run, if one is."""
        request = self.task.request
        return request.name if request is not None else None

    def load_catalogue(self) -> None:
        """Import the experiments (torch) in the background; `catalogue_loaded` when done."""
        if self.catalogue is not None:
            self.catalogue_loaded.emit(self.catalogue)
            return

        def work(context):
            from digitlab.core.experiments import EXPERIMENTS

            return list(EXPERIMENTS.values())

        def done(catalogue: list) -> None:
            self.catalogue = catalogue
            self.catalogue_loaded.emit(catalogue)

        self._jobs.submit(work, key="experiment-catalogue", on_done=done,
                          on_error=self._fail, name="digitlab-experiments")  # fmt: skip

    def run(self, name: str, settings: Settings) -> None:
        """Run one experiment (one under way is cancelled); the result is shown and kept."""
        self.task.run(ExperimentRequest(name, settings, self.folder))

    def cancel(self) -> None:
        self.task.cancel()

    def list_stored(self, name: str) -> None:
        """Look up the kept results of experiment `name` (newest first): `stored`."""
        folder = self.folder
        self._jobs.submit(lambda context: stored_results(folder, name), key=f"stored-{name}",
                          on_done=lambda found: self.stored.emit(name, found),
                          on_error=self._fail, name="digitlab-stored")  # fmt: skip

    def open(self, path: str | os.PathLike[str]) -> None:
        """Read a result file in the background: `opened`, or `failed` with one line."""
        self._jobs.submit(lambda context: read_result(path), key="open-result",
                          on_done=self.opened.emit, on_error=self._fail,
                          name="digitlab-open-result")  # fmt: skip

    def open_stored(self, stored: StoredResult) -> None:
        """Read a kept result: `opened_stored`, or `damaged` with its path and one line. Its own
        job key: a file the user opens meanwhile is neither cancelled by it nor cancels it."""
        path = str(stored.path)
        if stored.problem:  # a folder or a pipe: never opened
            self.damaged.emit(path, stored.label)
            return
        self._jobs.submit(lambda context: read_result(path), key="open-stored",
                          on_done=lambda result: self.opened_stored.emit(path, result),
                          on_error=lambda message: self.damaged.emit(path, message),
                          name="digitlab-open-stored")  # fmt: skip

    def _fail(self, message: str) -> None:
        self.failed.emit(AnalysisFailed(None, message))
