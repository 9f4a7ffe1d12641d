"""The classic experiments in the window: the catalogue, a run in the background with progress
and Cancel, and the results kept on disk to reopen later.

The experiments import torch, so the catalogue is loaded in a job the first time the view asks
for it; the window starts without torch. Each finished run is saved under the results folder
(`<user data>/digitlab/experiments/NAME/…json`, never over an older file); reading them back,
like opening any result.json (`digitlab experiment run --out`), is done in a job too, with every
bad file reported in one line.
"""

from __future__ import annotations

import os
from pathlib import Path

from psygnal import Signal

from digitlab.core.experiments import ExperimentCancelled, ExperimentResult, Settings
from digitlab.core.experiments.storage import (
    StoredResult,
    read_result,
    save_result,
    stored_results,
)
from digitlab.session.jobs import JobCancelled, JobRunner
from digitlab.session.notices import Notices


def default_results_folder() -> Path:
    from platformdirs import user_data_path

    return user_data_path("digitlab", appauthor=False) / "experiments"


class ExperimentRuns:
    catalogue_loaded = Signal(object)  # list[Experiment], in catalogue order
    progress = Signal(object)  # Progress
    finished = Signal(object)  # ExperimentResult of a run just made
    failed = Signal(str)  # a run, a catalogue or a file that failed, in one line
    stored = Signal(str, object)  # experiment name, list[StoredResult] newest first
    opened = Signal(object)  # ExperimentResult read from a file
    opened_stored = Signal(str, object)  # a kept result read back: its path, ExperimentResult
    damaged = Signal(str, str)  # a kept result that cannot be read: its path, one line

    def __init__(self, jobs: JobRunner, notices: Notices, folder: Path | None = None) -> None:
        self._jobs, self._notices = jobs, notices
        self.folder = Path(folder) if folder is not None else default_results_folder()
        self.catalogue: list | None = None
        self._running: str | None = None

    @property
    def running(self) -> str | None:
        """The name of the experiment being run, if one is."""
        return self._running

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
                          on_error=self.failed.emit, name="digitlab-experiments")  # fmt: skip

    def run(self, name: str, settings: Settings) -> None:
        """Run one experiment (one under way is cancelled); the result is shown and kept."""
        folder = self.folder

        def work(context):
            from digitlab.core.experiments import run_experiment

            try:  # on one torch thread: a trainer keeps the other core
                result = run_experiment(name, settings, context.progress, lambda: context.cancelled)
            except ExperimentCancelled:
                raise JobCancelled from None
            try:
                save_result(result, folder)
            except OSError as error:
                context.partial(f"The result is shown but could not be kept in {folder}: "
                                f"{error.strerror or error}")  # fmt: skip
            return result

        self._running = name
        self._jobs.submit(
            work, key="experiment", on_done=self._deliver, on_error=self._fail,
            on_progress=self.progress.emit, on_partial=self._notices.warning,
            name="digitlab-experiment",
        )  # fmt: skip

    def cancel(self) -> None:
        self._jobs.cancel("experiment")
        self._running = None

    def list_stored(self, name: str) -> None:
        """Look up the kept results of experiment `name` (newest first): `stored`."""
        folder = self.folder
        self._jobs.submit(lambda context: stored_results(folder, name), key=f"stored-{name}",
                          on_done=lambda found: self.stored.emit(name, found),
                          on_error=self.failed.emit, name="digitlab-stored")  # fmt: skip

    def open(self, path: str | os.PathLike[str]) -> None:
        """Read a result file in the background: `opened`, or `failed` with one line."""
        self._jobs.submit(lambda context: read_result(path), key="open-result",
                          on_done=self.opened.emit, on_error=self.failed.emit,
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

    def _deliver(self, result: ExperimentResult) -> None:
        self._running = None
        self.finished.emit(result)
        self.list_stored(result.name)

    def _fail(self, message: str) -> None:
        self._running = None
        self.failed.emit(message)
