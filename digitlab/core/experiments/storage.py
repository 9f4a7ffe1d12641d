"""Experiment results on disk: the JSON that `digitlab experiment run --out` writes and the window
keeps, read back with every field checked (a result file is untrusted input).

No torch here: the window lists and reopens results without importing the experiments.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digitlab.core.errors import DataError
from digitlab.core.experiments import (
    ExperimentResult,
    Heatmap,
    Line,
    Panel,
    Settings,
    Table,
)
from digitlab.core.files import write_atomically

RESULT_FILE = "result.json"
MAX_BYTES = 50_000_000


def result_json(result: ExperimentResult) -> bytes:
    return json.dumps(result.as_dict(), indent=1).encode()


@dataclass(frozen=True)
class StoredResult:
    """A result file in the results folder: which experiment, when, how big a run."""

    path: Path
    name: str
    saved: float  # seconds since the epoch
    seed: int
    quick: bool

    @property
    def label(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.saved))
        return f"{when} · seed {self.seed} · {'quick' if self.quick else 'full'}"


def save_result(result: ExperimentResult, folder: Path) -> Path:
    """Write `result` as `folder/NAME/<time>-seed<N>[-quick].json`, never over an older one."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-seed{result.settings.seed}{'-quick' if result.settings.quick else ''}"
    target = Path(folder) / result.name
    target.mkdir(parents=True, exist_ok=True)
    path, count = target / f"{base}.json", 1
    while path.exists():
        count += 1
        path = target / f"{base}-{count}.json"
    return write_atomically(path, result_json(result))


def stored_results(folder: Path, name: str) -> list[StoredResult]:
    """The results kept for experiment `name`, newest first (names the window wrote; others
    and unreadable entries are skipped, the files themselves are left alone)."""
    found = []
    for path in sorted((Path(folder) / name).glob("*-seed*.json")):
        parts = path.stem.split("-")
        try:
            seed = int(parts[2].removeprefix("seed"))
            saved = path.stat().st_mtime
        except (IndexError, ValueError, OSError):
            continue
        found.append(StoredResult(path, name, saved, seed, "quick" in parts[3:]))
    return sorted(found, key=lambda stored: stored.saved, reverse=True)


def read_result(path: str | os.PathLike[str]) -> ExperimentResult:
    """Read a result file; DataError with the file's name and what to do if it is not one."""
    path = Path(path)
    advice = "choose a result.json written by 'digitlab experiment run --out' or by the window"
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataError(f"{path} is too large to be an experiment result; {advice}")
        data = json.loads(path.read_text(encoding="utf-8"))
    except DataError:
        raise
    except OSError as error:
        raise DataError(f"cannot read the result file {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DataError(f"{path} is not an experiment result (not JSON); {advice}") from None
    try:
        return _result(data)
    except KeyError as error:
        raise DataError(f"{path} is not an experiment result (no {error}); {advice}") from None
    except (TypeError, ValueError, AttributeError) as error:
        raise DataError(f"{path} is not an experiment result ({error}); {advice}") from None


def _result(data: dict[str, Any]) -> ExperimentResult:
    settings = data["settings"]
    agrees = data["agrees"]
    if agrees not in (True, False, None):
        raise ValueError("'agrees' must be true, false or null")
    return ExperimentResult(
        name=_text(data["name"]),
        settings=Settings(quick=bool(settings["quick"]), seed=int(settings["seed"])),
        tables=[_table(t) for t in _list(data["tables"])],
        panels=[_panel(p) for p in _list(data["panels"])],
        conclusion=_text(data["conclusion"]),
        agrees=agrees,
        seconds=_number(data.get("seconds", 0.0)),
    )


def _table(data: dict[str, Any]) -> Table:
    header = [_text(h) for h in _list(data["header"])]
    rows = [_list(row) for row in _list(data["rows"])]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a table row has {len(row)} cells for {len(header)} columns")
        for cell in row:
            if not (cell is None or isinstance(cell, (str, int, float))):
                raise ValueError("a table cell is not a number or text")
    return Table(header, rows)


def _panel(data: dict[str, Any]) -> Panel:
    heatmap = data.get("heatmap")
    return Panel(
        title=_text(data["title"]),
        x_label=_text(data["x_label"]),
        y_label=_text(data["y_label"]),
        lines=[_line(line) for line in _list(data["lines"])],
        log_y=bool(data.get("log_y", False)),
        heatmap=None if heatmap is None else _heatmap(heatmap),
    )


def _line(data: dict[str, Any]) -> Line:
    x, y = _numbers(data["x"]), _numbers(data["y"])
    if len(x) != len(y):
        raise ValueError(f"line {data['name']!r} has {len(x)} x values and {len(y)} y values")
    colour = data.get("colour")
    return Line(
        _text(data["name"]), x, y, bool(data.get("dashed", False)),
        bool(data.get("points", False)), None if colour is None else int(colour),
    )  # fmt: skip


def _heatmap(data: dict[str, Any]) -> Heatmap:
    values = [_numbers(row) for row in _list(data["values"])]
    if not values or any(len(row) != len(values[0]) for row in values):
        raise ValueError("a heatmap's rows must all have the same length")
    x_range, y_range, levels = (tuple(_numbers(data[k])) for k in ("x_range", "y_range", "levels"))
    if not len(x_range) == len(y_range) == len(levels) == 2:
        raise ValueError("a heatmap's ranges and levels are pairs")
    return Heatmap(values, x_range, y_range, levels)  # type: ignore[arg-type]


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, found {type(value).__name__}")
    return float(value)


def _numbers(value: Any) -> list[float]:
    numbers = [_number(v) for v in _list(value)]
    return [v if math.isfinite(v) else math.nan for v in numbers]
