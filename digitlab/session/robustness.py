"""Robustness sweeps of several models at once, and the drawing's offset grid, in the background.

A sweep (`core.robustness`) takes seconds, so it runs when the user asks, with progress, partial
results as each condition is measured, and Cancel. Its models are the shipped ones, the training
run and opened files: loaded ones are taken as they are, the others are read in the job. The sweep
needs torch (the batched distortions), imported in the job on first use: the window starts
without it.

The offset grid follows the drawing: each new drawing, model or pen asks for it, one
computation at a time with the newest waiting (`NewestOnly`).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from digitlab.core.errors import DigitlabError
from digitlab.core.network import Network
from digitlab.core.preprocess import PreprocessOptions
from digitlab.session.jobs import JobRunner, NewestOnly
from digitlab.session.models import ModelLibrary, source_for
from digitlab.session.test_split import SharedTestSplit


@dataclass(frozen=True)
class SweepRequest:
    """What to sweep: model keys (see `ModelLibrary.sources`), perturbations, preprocessing."""

    keys: tuple[str, ...]
    kinds: tuple[str, ...] = ("shift", "scale", "rotation", "pen", "noise")
    preprocessing: tuple[bool, ...] = (True, False)
    limit: int = 0  # the first `limit` test digits (0: all 10 000)


class RobustnessSweeps:
    progress = Signal(object)  # Progress
    partial = Signal(object)  # SweepResult so far (a copy)
    finished = Signal(object)  # SweepResult
    failed = Signal(str)

    def __init__(self, jobs: JobRunner, models: ModelLibrary, test_split: SharedTestSplit) -> None:
        self._jobs, self._models, self._test_split = jobs, models, test_split
        self._running = False
        self.result = None

    @property
    def running(self) -> bool:
        return self._running

    def run(self, request: SweepRequest) -> None:
        """Start a sweep (one under way is cancelled: only the newest reports)."""
        if not request.keys:
            self.failed.emit("Choose at least one model to sweep")
            return
        in_memory = [self._loaded(key) for key in request.keys]

        def work(context):
            from digitlab.core.checkpoint import load_checkpoint
            from digitlab.core.robustness import Subject, default_conditions, sweep

            subjects = []
            for key, loaded in zip(request.keys, in_memory):
                if loaded is None:
                    source = source_for(key)
                    if source.path is None:
                        raise DigitlabError(f"{source.label} has no weights yet")
                    checkpoint = load_checkpoint(source.path)
                    loaded = (source.label, checkpoint.network, checkpoint.classes)
                subjects.append(Subject(*loaded))
            context.check()
            test = self._test_split.get()
            count = request.limit or len(test)
            return sweep(
                subjects, test.images[:count], test.labels[:count],
                default_conditions(request.kinds), request.preprocessing,
                progress=context.progress, cancelled=lambda: context.cancelled,
                threads=max(1, (os.cpu_count() or 2) - 1),  # a running trainer keeps a core
                on_condition=lambda result: context.partial(copy.deepcopy(result)),
            )  # fmt: skip

        self._running = True
        self._jobs.submit(
            work,
            key="robustness",
            on_done=self._deliver,
            on_error=self._fail,
            on_progress=self.progress.emit,
            on_partial=self.partial.emit,
            name="digitlab-robustness",
        )

    def cancel(self) -> None:
        self._jobs.cancel("robustness")
        self._running = False

    def _loaded(self, key: str) -> tuple[str, Network, tuple[int, ...]] | None:
        """(label, network, classes) of a model already in memory; None: read it in the job.
        The run's weights are taken now, as they are when the sweep starts."""
        entry = self._models.entry(key)
        return None if entry is None else (entry.label, entry.network, entry.classes)

    def _deliver(self, result) -> None:
        self._running = False
        self.result = result
        self.finished.emit(result)

    def _fail(self, message: str) -> None:
        self._running = False
        self.failed.emit(message)


@dataclass(frozen=True, eq=False)
class GridRequest:
    network: Network
    classes: tuple[int, ...]
    canvas: np.ndarray
    options: PreprocessOptions
    pen: int


class DrawingOffsets:
    """The drawing's offset grid for the answering model, computed off the GUI thread."""

    changed = Signal(object)  # OffsetGrid, or a str saying why there is none

    def __init__(self, jobs: JobRunner) -> None:
        self._newest = NewestOnly(jobs, "offset-grid", "digitlab-offset-grid")
        self.grid = None

    def request(
        self,
        network: Network,
        classes: tuple[int, ...],
        canvas: np.ndarray,
        options: PreprocessOptions,
        pen: int = 0,
    ) -> None:
        request = GridRequest(network, classes, canvas, options, pen)

        def compute(context):
            from digitlab.core.drawing_grid import offset_grid

            return offset_grid(network, canvas, options, classes, pen)

        self._newest.request(request, compute, self._deliver, self._deliver)

    def _deliver(self, grid) -> None:
        self.grid = grid
        self.changed.emit(grid)
