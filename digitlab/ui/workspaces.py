"""The workspaces: each task's arrangement of the views, as data.

A teacher does not want nineteen views at once but the few a task needs, large enough to read
from the back of a room: *Draw* (the pad and how the net reads it), *Train* (settings, run,
curves and weights), *Inside* (hidden units, activations, evidence, bottleneck, probes),
*Breaks* (confusion, mistakes, dataset, robustness, offsets), *Experiments* and *Intervene*
(the neuron lab beside the units and the confusion matrix). The pad and the
prediction stay at hand wherever drawing matters.

A workspace is columns side by side, each a stack of cells; a cell holds one view, or several
as tabs (the first in front). Widths and heights are shares of the window, so one plan fits
1024×640 and 1920×1080 alike. This module imports no Qt: lessons name workspaces and are
checked without a window.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    views: tuple[str, ...]  # the first in front, the others as tabs behind it
    height: float = 1.0  # share of its column's height


@dataclass(frozen=True)
class Column:
    width: float  # share of the window's width
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Workspace:
    id: str
    title: str
    tip: str
    columns: tuple[Column, ...]

    @property
    def view_ids(self) -> list[str]:
        return [view for column in self.columns for cell in column.cells for view in cell.views]

    @property
    def main_view(self) -> str:
        """The view in front of the largest cell: where a view called up from the menu goes."""
        sizes = [
            (column.width * cell.height, cell.views[0])
            for column in self.columns
            for cell in column.cells
        ]
        return max(sizes)[1]


def _cell(*views: str, height: float = 1.0) -> Cell:
    return Cell(views, height)


# The pad, the answer and the model that gives it (a tab behind the answer).
_AT_HAND = Column(0.24, (_cell("pad", height=0.62), _cell("prediction", "model", height=0.38)))

WORKSPACES: tuple[Workspace, ...] = (
    Workspace(
        "draw", "Draw", "Draw a digit: how the net reads it, and which pixels decide",
        (
            Column(0.30, (_cell("pad", height=0.78), _cell("model", height=0.22))),
            Column(0.30, (_cell("prediction", height=0.45), _cell("preview", height=0.55))),
            Column(0.40, (_cell("evidence", "mydigits", height=0.55),
                          _cell("activations", "offsets", height=0.45))),
        ),
    ),
    Workspace(
        "train", "Train", "Train a net and watch its weights form",
        (
            Column(0.25, (_cell("training", height=0.64), _cell("run", height=0.36))),
            Column(0.51, (_cell("weights", height=0.66), _cell("curves", height=0.34))),
            _AT_HAND,
        ),
    ),
    Workspace(
        "inside", "Inside", "Look inside: hidden units, activations, evidence, layers",
        (
            _AT_HAND,
            Column(0.40, (_cell("units", height=0.62), _cell("activations", height=0.38))),
            Column(0.36, (_cell("evidence", "bottleneck", "probes"),)),
        ),
    ),
    Workspace(
        "breaks", "Breaks", "Where it breaks: confusion, mistakes, robustness",
        (
            _AT_HAND,
            Column(0.40, (_cell("confusion", "robustness"),)),  # the two large figures
            Column(0.36, (_cell("mistakes", "dataset", height=0.55),
                          _cell("offsets", height=0.45))),
        ),
    ),
    Workspace(
        "experiments", "Experiments", "The classic small-net experiments: does the folklore hold?",
        (Column(1.0, (_cell("experiments"),)),),
    ),
    Workspace(
        "intervene", "Intervene", "Act on a net: switch units off, see what breaks",
        (
            _AT_HAND,
            Column(0.40, (_cell("units", height=0.42), _cell("lab", height=0.58))),
            Column(0.36, (_cell("confusion", "pruning", "flip", "patching", "activations",
                                "weights"),)),
        ),
    ),
    Workspace(
        "compare", "Compare", "Two nets side by side: where they disagree",
        (
            Column(0.24, (_cell("training", height=0.6), _cell("run", height=0.4))),
            Column(0.38, (_cell("compare", height=0.64), _cell("curves", height=0.36))),
            Column(0.38, (_cell("confusion", "mistakes", "evidence", "pad", "prediction"),)),
        ),
    ),
)  # fmt: skip

DEFAULT_WORKSPACE = "draw"


def workspace(workspace_id: str) -> Workspace:
    for candidate in WORKSPACES:
        if candidate.id == workspace_id:
            return candidate
    known = ", ".join(w.id for w in WORKSPACES)
    raise KeyError(f"no workspace {workspace_id!r}; the workspaces are {known}")
