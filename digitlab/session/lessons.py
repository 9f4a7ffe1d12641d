"""Lessons: the write-ups' demonstrations ("draw this, watch that, now break it") as data.

A lesson is one small JSON file in `digitlab/lessons/`: the run's settings (any option of the
hyper-parameter table, pace included), the model that reads the drawing, the preprocessing
switches and pen, the workspace and the views to bring to the front, and 3–6 steps, each what to
do and what to notice. A step may name a `check`, something the session can observe (an epoch
has run, a digit is drawn, the preprocessing is off), and then ticks itself.

Loading validates everything that does not need a window (settings, model names, checks, step
counts) and says what is wrong in one line naming the file; the names of views and workspaces
are the window's, and a test holds every lesson to them. `apply` sets a session up for a lesson.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from digitlab.core.errors import DigitlabError
from digitlab.core.hyperparams import HYPERPARAMS, WINDOW_OPTIONS
from digitlab.core.resources import SHIPPED_MODELS
from digitlab.session.run import RunPhase
from digitlab.session.run_settings import RunSettings

RUN_MODEL = "run"  # the lesson's own run reads the drawing once it has weights
MIN_STEPS, MAX_STEPS = 3, 6
MAX_FILE_BYTES = 64 * 1024


def _drawn(session: Any) -> bool:
    return not session.drawing.input.empty


def _preprocessing_off(session: Any) -> bool:
    options = session.drawing.options
    return not options.fit and not options.centre


def _preprocessing_on(session: Any) -> bool:
    options = session.drawing.options
    return options.fit and options.centre


# What a step can wait for: each a question the session answers at any moment.
CHECKS: dict[str, Callable[[Any], bool]] = {
    "drawn": _drawn,
    "training": lambda s: s.run.phase.busy or s.run.epochs_trained > 0,
    "full_speed": lambda s: s.run.pace == 0,
    "epoch": lambda s: s.run.epochs_trained >= 1,
    "run_finished": lambda s: s.run.phase is RunPhase.FINISHED and s.run.epochs_trained > 0,
    "preprocessing_off": _preprocessing_off,
    "preprocessing_on": _preprocessing_on,
    "unit_chosen": lambda s: s.selection.unit is not None,
    "image_chosen": lambda s: s.selection.image is not None,
    "robustness_done": lambda s: s.robustness.result is not None,
    "probes_done": lambda s: s.probes.result is not None,
    "timeline_moved": lambda s: not s.timeline.live,
    "both_finished": lambda s: all(
        run.phase is RunPhase.FINISHED and run.epochs_trained > 0 for run in (s.run, s.partner_run)
    ),
    "ten_digits_kept": lambda s: s.my_digits.loaded and len(s.my_digits.digits) >= 10,
    "every_model_scored": lambda s: s.my_digits_scores.result is not None,
    "fine_tuned": lambda s: s.fine_tuning.finished,
}


class LessonError(DigitlabError):
    """A lesson file that cannot be used: one line naming the file and what is wrong."""


@dataclass(frozen=True)
class Step:
    do: str  # what to do
    notice: str  # what to notice
    check: str = ""  # a name in CHECKS: the step ticks itself when it holds
    show: str = ""  # a view to bring to the front when the step is shown


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    workspace: str
    views: tuple[str, ...]  # brought to the front, in this order
    settings: dict[str, Any]  # the run's settings the lesson sets (the others stay)
    model: str  # RUN_MODEL or a shipped model's name
    fit: bool
    centre: bool
    pen: int | None  # the pad's pen width, or None to keep the user's
    digit: str  # a sample drawn on the pad when the lesson opens ("" for none)
    steps: tuple[Step, ...]
    experiment: str = ""  # an experiment to choose in the Experiments view
    beside: str = ""  # B's hidden layers, trained beside the run ("" for no B)

    def run_settings(self, current: RunSettings) -> RunSettings:
        return RunSettings.from_dict({**current.to_dict(), **self.settings})

    @property
    def trains(self) -> bool:
        return self.model == RUN_MODEL

    def done(self, session: Any) -> list[bool]:
        """Which steps' checks hold now (a step without a check: False)."""
        return [bool(step.check) and CHECKS[step.check](session) for step in self.steps]


def lessons_folder() -> Path:
    return Path(str(resources.files("digitlab") / "lessons"))


def _in_order(path: Path) -> tuple[int, str]:
    """The files start with their number: 10-… comes after 9-…, not after 1-…."""
    number, _, _ = path.stem.partition("-")
    return (int(number) if number.isdigit() else 10**9, path.name)


def read_lessons(folder: Path | None = None) -> tuple[list[Lesson], list[LessonError]]:
    """Every lesson that can be used, in the order of the numbers that start their files, and
    the error of each file that cannot: a damaged file costs only itself (one emptied the
    whole Lessons menu)."""
    folder = folder or lessons_folder()
    found, broken = [], []
    for path in sorted(folder.glob("*.json"), key=_in_order):
        try:
            found.append(load_lesson(path))
        except LessonError as exc:
            broken.append(exc)
    return found, broken


def load_lessons(folder: Path | None = None) -> list[Lesson]:
    """Every lesson in the folder, in order; LessonError for the first that cannot be used."""
    found, broken = read_lessons(folder)
    if broken:
        raise broken[0]
    return found


def find_lesson(name: str, folder: Path | None = None) -> Lesson:
    """The lesson `name`, even when another lesson file is damaged (that one is said then)."""
    lessons, broken = read_lessons(folder)
    for lesson in lessons:
        if lesson.id == name:
            return lesson
    known = ", ".join(lesson.id for lesson in lessons)
    damaged = f"; and {broken[0]}" if broken else ""
    raise LessonError(
        f"no lesson {name[:40]!r}; the lessons are {known} (digitlab lessons){damaged}"
    )


def load_lesson(path: Path) -> Lesson:
    """One lesson file, checked; LessonError names the file and the problem."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"it is larger than {MAX_FILE_BYTES // 1024} KB")
        data = json.loads(path.read_text(encoding="utf-8"))
        return _lesson(path.stem.split("-", 1)[-1], data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, TypeError) as exc:
        raise LessonError(f"lesson file {path}: {exc}") from None


def _lesson(lesson_id: str, data: Any) -> Lesson:
    if not isinstance(data, dict):
        raise ValueError("a lesson is a JSON object")
    known = {"title", "summary", "workspace", "views", "settings", "model", "drawing", "steps",
             "experiment", "beside"}  # fmt: skip
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown keys {unknown}")
    settings = _settings(data.get("settings", {}))
    model = _text(data, "model", RUN_MODEL)
    if model != RUN_MODEL and model not in SHIPPED_MODELS:
        raise ValueError(f"model {model!r} is neither {RUN_MODEL!r} nor a shipped model")
    drawing = data.get("drawing", {})
    if not isinstance(drawing, dict) or set(drawing) - {"fit", "centre", "pen", "digit"}:
        raise ValueError("drawing takes fit, centre, pen and digit")
    pen = drawing.get("pen")
    if pen is not None and not (isinstance(pen, int) and 1 <= pen <= 48):
        raise ValueError("drawing.pen is a width from 1 to 48 pixels")
    digit = drawing.get("digit", "")
    if digit not in ("", "1", "3"):
        raise ValueError("drawing.digit is a sample the pad has: '1', '3' or ''")
    steps = data.get("steps")
    if not isinstance(steps, list) or not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise ValueError(f"a lesson has {MIN_STEPS} to {MAX_STEPS} steps")
    views = data.get("views", [])
    if not isinstance(views, list) or not all(isinstance(v, str) for v in views):
        raise ValueError("views is a list of view ids")
    return Lesson(
        id=lesson_id,
        title=_text(data, "title"),
        summary=_text(data, "summary"),
        workspace=_text(data, "workspace"),
        views=tuple(views),
        settings=settings,
        model=model,
        fit=_flag(drawing, "fit", True),
        centre=_flag(drawing, "centre", True),
        pen=pen,
        digit=digit,
        steps=tuple(_step(number, step) for number, step in enumerate(steps, start=1)),
        experiment=_text(data, "experiment", ""),
        beside=_beside(data),
    )


def _beside(data: dict) -> str:
    """B's hidden layers as the A vs B view takes them, checked as strictly."""
    text = _text(data, "beside", "")
    if text:
        HYPERPARAMS["hidden"].parse_for_window(text)
    return text


def _settings(values: Any) -> dict[str, Any]:
    """The lesson's run settings, each checked as strictly as the form checks what is typed:
    a value the window would drop or clamp is an error here, not a silent default."""
    if not isinstance(values, dict):
        raise ValueError("settings is an object of run settings")
    names = {option.name for option in WINDOW_OPTIONS}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"unknown settings {unknown}; the settings are {sorted(names)}")
    kept = RunSettings.from_dict(values).to_dict()
    for name, value in values.items():
        if kept[name] != value:
            raise ValueError(f"settings.{name} = {value!r} is not a valid value")
    return dict(values)


def _step(number: int, data: Any) -> Step:
    if not isinstance(data, dict) or set(data) - {"do", "notice", "check", "show"}:
        raise ValueError(f"step {number} takes do, notice, check and show")
    check = _text(data, "check", "")
    if check and check not in CHECKS:
        raise ValueError(f"step {number}: no check {check!r}; the checks are {sorted(CHECKS)}")
    return Step(_text(data, "do"), _text(data, "notice"), check, _text(data, "show", ""))


_MISSING = object()


def _text(data: dict, key: str, default: Any = _MISSING) -> str:
    value = data.get(key, default)
    if value is _MISSING:
        raise ValueError(f"{key} is missing")
    if not isinstance(value, str) or (default is _MISSING and not value.strip()):
        raise ValueError(f"{key} is not a text")
    return value


def _flag(data: dict, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"drawing.{key} is true or false")
    return value


def apply(session: Any, lesson: Lesson) -> None:
    """Set the session up for the lesson: stop a run, the lesson's settings and pace, the
    preprocessing, the model that reads the drawing, and the trainer warmed up with the data
    loaded, so that Start shows a first snapshot within a second."""
    run = session.run
    if run.phase.busy:
        run.stop()
    run.set_settings(lesson.run_settings(run.settings))
    if "pace" in lesson.settings:
        run.set_pace(lesson.settings["pace"])
    session.drawing.set_options(lesson.fit, lesson.centre)
    if lesson.beside:
        session.side_by_side.set_hidden(lesson.beside)
    session.side_by_side.set_enabled(bool(lesson.beside))
    if lesson.trains:
        run.reset()  # the lesson's run starts afresh, with its own architecture
        if lesson.model == RUN_MODEL:  # its views wait for it, not show another net
            session.models.await_run()
        run.prepare()
        if lesson.beside:
            session.partner_run.prepare()
    else:
        session.models.select(lesson.model)
