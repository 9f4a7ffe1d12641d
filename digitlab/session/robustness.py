"""Robustness sweeps of several models at once, and the drawing's offset grid, in the background.

A sweep (`core.robustness`) takes seconds, so it runs when the user asks, with progress, partial
results as each condition is measured, and Cancel. Its models are the shipped ones, the training
run and opened files: loaded ones are taken as they are, the others are read in the job. The sweep
needs torch (the batched distortions), imported in the job on first use: the window starts
without it.

The sweep is a `Task`, the offset grid a `Followed` analysis (see `analysis.py`): it follows the
drawing, each new drawing, model or pen asks for it, one computation at a time with the newest
waiting.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import numpy as np

from digitlab.core.errors import DigitlabError
from digitlab.core.network import Network
from digitlab.core.preprocess import PreprocessOptions
from digitlab.session.jobs import JobContext
from digitlab.session.models import ModelEntry, ModelLibrary, source_for
from digitlab.session.shared_split import SharedSplit


@dataclass(frozen=True)
class SweepRequest:
    """What to sweep: model keys (see `ModelLibrary.sources`), perturbations, preprocessing."""

    keys: tuple[str, ...]
    kinds: tuple[str, ...] = ("shift", "scale", "rotation", "pen", "noise")
    preprocessing: tuple[bool, ...] = (True, False)
    limit: int = 0  # the first `limit` test digits (0: all 10 000)
    # The recipe's Normalise pen step: on, off, or both (each model twice, "NAME pen off")
    normalise_pen: tuple[bool, ...] = (True,)


Loaded = tuple[str, Network, tuple[int, ...]]  # label, network, classes


def sweep_subjects(models: ModelLibrary, request: SweepRequest) -> tuple[SweepRequest, list]:
    """On the main thread: the models already in memory, as they are when the sweep starts
    (the run's weights now); None for those to read in the job. No model: refused."""
    if not request.keys:
        raise DigitlabError("Choose at least one model to sweep")
    loaded: list[Loaded | None] = []
    for key in request.keys:
        entry = models.entry(key)
        loaded.append(None if entry is None else (entry.label, entry.network, entry.classes))
    return request, loaded


def run_sweep(test_split: SharedSplit, prepared: tuple, context: JobContext):
    """The sweep itself (torch, imported here on first use), a copy of each condition's result
    as a partial result."""
    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.conditions import pen_subjects
    from digitlab.core.robustness import default_conditions, sweep

    request, in_memory = prepared
    subjects = []
    for key, loaded in zip(request.keys, in_memory):
        if loaded is None:
            source = source_for(key)
            if source.path is None:
                raise DigitlabError(f"{source.label} has no weights yet")
            checkpoint = load_checkpoint(source.path)
            loaded = (source.label, checkpoint.network, checkpoint.classes)
        subjects += pen_subjects(*loaded, request.normalise_pen)
    context.check()
    test = test_split.get()
    count = request.limit or len(test)
    return sweep(
        subjects, test.images[:count], test.labels[:count],
        default_conditions(request.kinds), request.preprocessing,
        progress=context.progress, cancelled=lambda: context.cancelled,
        threads=max(1, (os.cpu_count() or 2) - 1),  # a running trainer keeps a core
        on_condition=lambda result: context.partial(copy.deepcopy(result)),
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class DrawingInput:
    """What the offset grid depends on besides the model: the drawing, preprocessing, pen.
    Compared by identity: each new drawing is a new request."""

    canvas: np.ndarray
    options: PreprocessOptions
    pen: int = 0


def drawing_offsets(entry: ModelEntry, drawing: DrawingInput, _context: JobContext):
    """The drawing's offset grid for one model version (`core.drawing_grid`)."""
    from digitlab.core.drawing_grid import offset_grid

    return offset_grid(entry.network, drawing.canvas, drawing.options, entry.classes, drawing.pen)
