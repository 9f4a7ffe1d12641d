"""The classic small-net experiments: each a question, a method, a measured result and whether
the folklore held, deterministic for a seed.

An experiment is a plain function `run(settings, progress, cancelled) -> ExperimentResult`
(torch, no Qt), registered in `EXPERIMENTS`. Its result holds the numbers (tables), the data of
its figure (panels of lines) and a conclusion; `digitlab experiment run` writes it as JSON and
draws the figure, and the window's Experiments view shows the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Settings:
    """How big a run is: `quick` is a smaller version for a first look and for the tests."""

    quick: bool = False
    seed: int = 0


@dataclass
class Line:
    name: str
    x: list[float]
    y: list[float]
    dashed: bool = False
    points: bool = False  # markers only (data points), no line
    colour: int | None = None  # index into the figure's palette; None: the next one (points: ink)


@dataclass
class Heatmap:
    """Values on a regular grid drawn under a panel's lines, e.g. a classifier's decision
    regions: `values[row][column]`, rows along y from `y_range[0]`, columns along x."""

    values: list[list[float]]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    levels: tuple[float, float] = (0.0, 1.0)


@dataclass
class Panel:
    title: str
    x_label: str
    y_label: str
    lines: list[Line] = field(default_factory=list)
    log_y: bool = False
    heatmap: Heatmap | None = None


@dataclass
class Table:
    header: list[str]
    rows: list[list[Any]]


def table_lines(table: Table, gap: int = 2) -> list[str]:
    """The table as text, header first: the first column (names) left-aligned, the others
    right-aligned, each as wide as its widest cell, so a long name ("sign (straight-through)")
    or header does not push the rest out of line."""
    cells = [[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row] for row in table.rows]
    rows = [list(table.header), *cells]
    count = max(len(row) for row in rows)
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(count)]
    lines = []
    for row in rows:
        parts = [
            text.ljust(widths[i]) if i == 0 else text.rjust(widths[i]) for i, text in enumerate(row)
        ]
        lines.append((" " * gap).join(parts).rstrip())
    return lines


@dataclass
class ExperimentResult:
    name: str
    settings: Settings
    tables: list[Table]
    panels: list[Panel]
    conclusion: str  # one or two sentences: what was measured, and whether the folklore held
    agrees: bool | None  # None: the result is mixed
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Experiment:
    number: int  # its place in the write-up's catalogue (issue 10)
    name: str
    title: str
    question: str  # the hypothesis, as the write-up states it
    method: str
    run: Callable[[Settings, Progress, Callable[[], bool]], ExperimentResult]


class ExperimentCancelled(Exception):
    """The run was cancelled between steps."""


# The catalogue, module by module (each defines EXPERIMENT), in the write-up's order.
MODULES = (
    "approximation", "depth", "dataset_size", "imbalance", "memorisation", "pca",
    "activations", "batch_size", "losses", "initialisers", "convergence", "regularisation",
    "bottleneck", "probes", "depth_shared", "shuffle", "lottery", "double_descent",
)  # fmt: skip


def _registry() -> dict[str, Experiment]:
    from importlib import import_module

    found = [import_module(f"digitlab.core.experiments.{m}").EXPERIMENT for m in MODULES]
    return {e.name: e for e in sorted(found, key=lambda e: e.number)}


def __getattr__(name: str) -> Any:
    """`EXPERIMENTS`, the catalogue by name, is built on first use: the experiments import
    torch, and the data model above (what a result file holds) must not, so the window can read
    results without it."""
    if name == "EXPERIMENTS":
        globals()[name] = _registry()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_experiment(
    name: str,
    settings: Settings = Settings(),
    progress: Progress = lambda fraction, text: None,
    cancelled: Callable[[], bool] = lambda: False,
    threads: int = 1,
) -> ExperimentResult:
    """Run the experiment called `name` (KeyError with the known names if there is none) with
    torch on `threads` threads. One is the default: the nets are tiny, two threads are hardly
    faster on an idle machine, and on a busy 2-core one threads fighting over small matrices
    made a quick run take 250 s instead of 15 s."""
    import time

    import torch

    from digitlab.core.experiments import EXPERIMENTS

    if name not in EXPERIMENTS:
        raise KeyError(f"no experiment {name!r}; the experiments are {', '.join(EXPERIMENTS)}")
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, threads))
    try:
        started = time.perf_counter()
        result = EXPERIMENTS[name].run(settings, progress, cancelled)
        result.seconds = time.perf_counter() - started
    finally:
        torch.set_num_threads(before)
    progress(1.0, "done")
    return result
