"""Experiment results on disk: the JSON that `digitlab experiment run --out` writes and the window
keeps, read back with every field checked (a result file is untrusted input).

No torch here: the window lists and reopens results without importing the experiments.
"""

from __future__ import annotations

import json
import math
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digitlab.core.errors import DataError
from digitlab.core.experiments import ExperimentResult, Heatmap, Line, Panel, Settings, Table
from digitlab.core.files import write_atomically

RESULT_FILE = "result.json"
MAX_BYTES = 50_000_000
# What a result may hold: ten times the largest the catalogue makes (a file beyond is damaged or
# hostile, and drawing it would stall the window).
MAX_PANELS, MAX_LINES, MAX_POINTS, MAX_ALL_POINTS = 32, 64, 100_000, 500_000
MAX_TABLES, MAX_ROWS, MAX_COLUMNS, MAX_HEATMAP_SIDE = 16, 1_000, 64, 500
MAX_TEXT, MAX_SEED, MAX_STORED = 10_000, 2**63 - 1, 500
ADVICE = "choose a result.json written by 'digitlab experiment run --out' or by the window"


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
    problem: str = ""  # why it cannot be a result (not a regular file), found when listing

    @property
    def label(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.saved))
        text = f"{when} · seed {self.seed} · {'quick' if self.quick else 'full'}"
        return f"damaged result, {self.path.name}: {self.problem}" if self.problem else text


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
    """The results kept for experiment `name`, newest first, at most MAX_STORED (names the window
    wrote; other names are skipped). An entry that is not a regular file (a folder, a pipe) is
    listed with its problem, never opened; the files themselves are left alone."""
    found = []
    try:
        paths = sorted((Path(folder) / name).glob("*-seed*.json"))
    except (OSError, ValueError):
        return []
    for path in paths:
        parts = path.stem.split("-")
        try:
            seed = int(parts[2].removeprefix("seed"))
            info = path.stat()
        except (IndexError, ValueError, OSError):
            continue
        problem = "" if stat.S_ISREG(info.st_mode) else f"{_kind(info.st_mode)}, not a file"
        found.append(StoredResult(path, name, info.st_mtime, seed, "quick" in parts[3:], problem))
    return sorted(found, key=lambda stored: stored.saved, reverse=True)[:MAX_STORED]


def read_result(path: str | os.PathLike[str]) -> ExperimentResult:
    """Read a result file; DataError with the file's name and what to do if it is not one.

    Only a regular file is opened, and without blocking (a pipe would stall the reader for
    ever); every field is checked and every count bounded, so a file that reads is one the
    window can draw.
    """
    path = Path(path)
    try:
        data = json.loads(_read_regular(path).decode("utf-8"))
    except DataError:
        raise
    except OSError as error:
        raise DataError(f"cannot read the result file {path}: {error.strerror or error}") from None
    except RecursionError:
        raise DataError(f"{path} is not an experiment result (nested too deep); {ADVICE}") from None
    except ValueError:  # not UTF-8, not JSON, or a number too long to read
        raise DataError(f"{path} is not an experiment result (not JSON); {ADVICE}") from None
    try:
        return _result(data)
    except KeyError as error:
        raise DataError(f"{path} is not an experiment result (no {error}); {ADVICE}") from None
    except (TypeError, ValueError, OverflowError, RecursionError) as error:
        reason = " ".join(str(error).split())[:200]
        raise DataError(f"{path} is not an experiment result ({reason}); {ADVICE}") from None


def _read_regular(path: Path) -> bytes:
    """The bytes of `path` if it is a regular file of at most MAX_BYTES; DataError if not."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"{path} is {_kind(info.st_mode)}, not a result file; {ADVICE}")
        if info.st_size > MAX_BYTES:
            raise DataError(f"{path} is too large to be an experiment result; {ADVICE}")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise DataError(f"{path} is too large to be an experiment result; {ADVICE}")
        return data
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    return "a device or socket"


def _result(data: Any) -> ExperimentResult:
    data = _object(data, "the result")
    settings = _object(data["settings"], "settings")
    agrees = data["agrees"]
    if agrees not in (True, False, None):
        raise ValueError("'agrees' must be true, false or null")
    seed = settings["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"the seed must be a whole number from 0 to {MAX_SEED}")
    seconds = _number(data.get("seconds", 0.0))
    if not 0 <= seconds < 1e9:
        raise ValueError("the run's seconds are out of range")
    panels = _list(data["panels"], MAX_PANELS, "panels")
    lines = [_list(_object(p, "a panel")["lines"], MAX_LINES, "lines") for p in panels]
    points = sum(len(_list(_object(line, "a line")["x"])) for group in lines for line in group)
    if points > MAX_ALL_POINTS:
        raise ValueError(f"more than {MAX_ALL_POINTS} points in all")
    return ExperimentResult(
        name=_text(data["name"]),
        settings=Settings(quick=_flag(settings["quick"]), seed=seed),
        tables=[_table(t) for t in _list(data["tables"], MAX_TABLES, "tables")],
        panels=[_panel(p) for p in panels],
        conclusion=_text(data["conclusion"]),
        agrees=agrees,
        seconds=seconds,
    )


def _table(data: Any) -> Table:
    data = _object(data, "a table")
    header = [_text(h) for h in _list(data["header"], MAX_COLUMNS, "columns")]
    rows = [_list(row) for row in _list(data["rows"], MAX_ROWS, "table rows")]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a table row has {len(row)} cells for {len(header)} columns")
        for cell in row:
            if isinstance(cell, str):
                _text(cell)
            elif not (cell is None or isinstance(cell, (int, float))):
                raise ValueError("a table cell is not a number or text")
            elif isinstance(cell, int) and abs(cell) > 2**63:
                raise ValueError("a table cell holds a number too large")
    return Table(header, rows)


def _panel(data: dict[str, Any]) -> Panel:
    heatmap = data.get("heatmap")
    return Panel(
        title=_text(data["title"]),
        x_label=_text(data["x_label"]),
        y_label=_text(data["y_label"]),
        lines=[_line(line) for line in data["lines"]],
        log_y=_flag(data.get("log_y", False)),
        heatmap=None if heatmap is None else _heatmap(heatmap),
    )


def _line(data: dict[str, Any]) -> Line:
    x, y = _numbers(data["x"], MAX_POINTS), _numbers(data["y"], MAX_POINTS)
    name = _text(data["name"])
    if len(x) != len(y):
        raise ValueError(f"line {name[:40]!r} has {len(x)} x values and {len(y)} y values")
    colour = data.get("colour")
    if colour is not None and (
        isinstance(colour, bool) or not isinstance(colour, int) or not 0 <= colour < 1000
    ):
        raise ValueError("a line's colour must be a whole number from 0 to 999")
    return Line(name, x, y, _flag(data.get("dashed", False)), _flag(data.get("points", False)),
                colour)  # fmt: skip


def _heatmap(data: Any) -> Heatmap:
    data = _object(data, "a heatmap")
    side = MAX_HEATMAP_SIDE
    values = [_numbers(row, side) for row in _list(data["values"], side, "heatmap rows")]
    if not values or not values[0] or any(len(row) != len(values[0]) for row in values):
        raise ValueError("a heatmap's rows must all have the same length, at least one value")
    pairs = [_numbers(data[key], 2) for key in ("x_range", "y_range", "levels")]
    if any(len(pair) != 2 or not all(map(math.isfinite, pair)) for pair in pairs):
        raise ValueError("a heatmap's ranges and levels are pairs of finite numbers")
    (x0, x1), (y0, y1), (low, high) = pairs
    if x0 == x1 or y0 == y1 or not low < high:
        raise ValueError("a heatmap's ranges must not be empty and its levels must rise")
    return Heatmap(values, (x0, x1), (y0, y1), (low, high))


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be an object, found {type(value).__name__}")
    return value


def _list(value: Any, most: int | None = None, what: str = "items") -> list:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    if most is not None and len(value) > most:
        raise ValueError(f"{len(value)} {what}, more than the {most} a result may hold")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"a text of {len(value)} characters, more than {MAX_TEXT}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, found {type(value).__name__}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, found {type(value).__name__}")
    return float(value)  # OverflowError for a whole number beyond a float: caught above


def _numbers(value: Any, most: int) -> list[float]:
    numbers = [_number(v) for v in _list(value, most, "values")]
    return [v if math.isfinite(v) else math.nan for v in numbers]
