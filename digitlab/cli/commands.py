"""The commands of `digitlab`, like the views' `VIEWS`: a command is one module and one line here.

Each module exposes `add_arguments(parser)` and `run(args) -> int` (the exit code). `main` builds
the parser from this list and imports a command's module only to build its parser or run it, so a
module imports nothing heavy at its top (`digitlab --help` must not load numpy or torch).
"""

from __future__ import annotations

import importlib
from types import ModuleType


class Command:
    """A command: its name, the module that holds `add_arguments(parser)` and `run(args)`, its
    line in `digitlab --help`, and whether it takes --data-dir after its name too (`evaluate M
    --data-dir D`). A plain class: a NamedTuple or dataclass would import `typing` or `inspect`
    for `digitlab --help`, which needs neither."""

    __slots__ = ("name", "module", "help", "data_dir")

    def __init__(self, name: str, module: str, help: str, data_dir: bool = True) -> None:
        self.name, self.module, self.help, self.data_dir = name, module, help, data_dir

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


COMMANDS: tuple[Command, ...] = (
    Command("train", "digitlab.cli.train", "train a model and save it"),
    Command("evaluate", "digitlab.cli.evaluate", "test accuracy, per class, confusion matrix"),
    Command("probe", "digitlab.cli.probe",
            "a linear probe per layer: how readable the digit is at each depth"),
    Command("ablate", "digitlab.cli.ablate", "each hidden unit off alone: what the net loses"),
    Command("compare", "digitlab.cli.compare",
            "two models on the same digits: per class, flips each way, McNemar's test"),
    Command("prune", "digitlab.cli.prune", "zero the smallest weights, retrain the rest, save"),
    Command("robustness", "digitlab.cli.robustness",
            "accuracy under shift, scale, rotation, pen and noise (tables; figures with --png)"),
    Command("experiment", "digitlab.cli.experiment",
            "the classic small-net experiments: list, or run one"),
    Command("predict", "digitlab.cli.predict", "classify image files (one JSON line each)",
            data_dir=False),
    Command("record", "digitlab.cli.record",
            "a view across a saved run (train --history), as GIF, WebP, APNG or MP4",
            data_dir=False),
    Command("lessons", "digitlab.cli.lessons",
            "the lessons: the write-ups' demonstrations, step by step (digitlab --lesson NAME)",
            data_dir=False),
    Command("screenshot", "digitlab.cli.screenshot",
            "render the window (or one view) in a demo state to a PNG"),
)  # fmt: skip

# No command: the window.
WINDOW = Command("", "digitlab.cli.window", "open the window")


def command(name: str | None) -> Command:
    """The command called `name`; the window for None."""
    return next((c for c in COMMANDS if c.name == name), WINDOW)
