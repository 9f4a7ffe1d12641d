"""Lessons are data: each shipped one loads, its settings are valid run settings, every view
and workspace it names exists, and a damaged lesson file is one line that names it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from digitlab.core.experiments import MODULES as EXPERIMENT_MODULES
from digitlab.session import lessons
from digitlab.session.lessons import CHECKS, LessonError, find_lesson, load_lesson, load_lessons
from digitlab.session.run_settings import RunSettings
from digitlab.ui.views import VIEWS
from digitlab.ui.workspaces import WORKSPACES
from tests.session.conftest import pump

WRITE_UPS = ["templates", "break-linear", "mistakes", "hidden-layer", "two-numbers",
             "too-deep", "deeper", "robust", "one-or-two-layers"]  # fmt: skip
OWN = ["your-hand"]  # the lab's own: My digits and fine-tuning


def test_the_lessons_of_the_write_ups_load_and_name_only_what_exists() -> None:
    found = load_lessons()
    assert [lesson.id for lesson in found] == WRITE_UPS + OWN  # in their files' number order
    view_ids = {spec.id for spec in VIEWS}
    workspace_ids = {plan.id for plan in WORKSPACES}
    for lesson in found:
        assert lesson.workspace in workspace_ids, lesson.id
        assert set(lesson.views) <= view_ids, lesson.id
        assert {step.show for step in lesson.steps} - {""} <= view_ids, lesson.id
        assert lesson.experiment in ("", *EXPERIMENT_MODULES), lesson.id
        assert 3 <= len(lesson.steps) <= 6
        assert all(step.do and step.notice for step in lesson.steps)
        settings = lesson.run_settings(RunSettings())
        for name, value in lesson.settings.items():  # applied as written, nothing clamped
            assert settings.to_dict()[name] == value, (lesson.id, name)
        if lesson.trains:
            assert any(step.check for step in lesson.steps), lesson.id  # it ticks as it trains


def test_the_lessons_reproduce_the_write_ups_settings() -> None:
    templates = find_lesson("templates").run_settings(RunSettings())
    assert templates.hidden == () and templates.batch_size == 2
    assert 0 < templates.pace <= 5  # slowed down enough to see each update
    two = find_lesson("two-numbers").run_settings(RunSettings())
    assert two.hidden == (2,) and two.classes == (0, 1)
    assert find_lesson("too-deep").run_settings(RunSettings()).hidden == (2, 2, 2, 2, 2)
    pair = find_lesson("one-or-two-layers")
    assert pair.run_settings(RunSettings()).hidden == () and pair.beside == "100"
    assert find_lesson("deeper").run_settings(RunSettings()).hidden == (100, 100, 100)
    assert find_lesson("break-linear").model == "linear"
    assert not find_lesson("break-linear").fit and not find_lesson("break-linear").centre


def write(tmp_path: Path, data, name: str = "9-bad.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


GOOD = {"title": "T", "summary": "S", "workspace": "draw", "model": "mlp",
        "steps": [{"do": "a", "notice": "b"}] * 3}  # fmt: skip


@pytest.mark.parametrize(
    "change, message",
    [
        ({"colour": "red"}, "unknown keys"),
        ({"settings": {"lr": "fast"}}, "settings.lr"),
        ({"settings": {"epochs": 10**9}}, "settings.epochs"),
        ({"settings": {"wings": 2}}, "unknown settings"),
        ({"model": "/etc/passwd"}, "neither"),
        ({"steps": [{"do": "a", "notice": "b"}] * 2}, "3 to 6 steps"),
        ({"steps": [{"do": "a", "notice": "b", "check": "magic"}] * 3}, "no check 'magic'"),
        ({"drawing": {"pen": 500}}, "pen"),
        ({"title": ""}, "title"),
        ({"title": 7}, "title"),
    ],
)
def test_a_bad_lesson_is_one_line_naming_the_file(tmp_path, change, message) -> None:
    path = write(tmp_path, {**GOOD, **change})
    with pytest.raises(LessonError, match=message) as caught:
        load_lesson(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("text", ["{", "[]", "\x00\xff", "null"])
def test_a_lesson_file_that_is_not_a_lesson_object_is_refused(tmp_path, text) -> None:
    with pytest.raises(LessonError, match="lesson file"):
        load_lesson(write(tmp_path, text))


def test_a_huge_lesson_file_is_refused_unread(tmp_path) -> None:
    path = write(tmp_path, " " * (lessons.MAX_FILE_BYTES + 1))
    with pytest.raises(LessonError, match="larger than"):
        load_lesson(path)


def test_an_unknown_lesson_names_the_lessons(tmp_path) -> None:
    write(tmp_path, GOOD, "1-good.json")
    with pytest.raises(LessonError, match="the lessons are good"):
        find_lesson("nope", tmp_path)


def test_a_lesson_sets_the_session_up_and_its_steps_tick_themselves(session, dispatcher):
    lesson = find_lesson("break-linear")
    lessons.apply(session, lesson)
    assert lesson.done(session) == [False] * len(lesson.steps)
    pump(dispatcher, lambda: session.models.current is not None)
    assert session.models.current.key == "linear"
    assert not session.drawing.options.fit and not session.drawing.options.centre
    image = np.zeros((280, 280), np.uint8)
    image[100:200, 130:150] = 255
    session.drawing.set_canvas(image)
    done = lesson.done(session)
    assert done[0] and not done[-1]  # drawn; the preprocessing is still off
    session.drawing.set_options(True, True)
    assert lesson.done(session)[-1]


def test_a_training_lesson_sets_its_run_and_pace_and_warms_the_trainer(session) -> None:
    session.run.set_settings(RunSettings(hidden=(64,), batch_size=128, pace=0.0))
    lesson = find_lesson("templates")
    lessons.apply(session, lesson)
    settings = session.run.settings
    assert settings.hidden == () and settings.batch_size == 2
    assert session.run.pace == lesson.settings["pace"]
    assert not CHECKS["full_speed"](session)
    session.run.set_pace(0)
    assert CHECKS["full_speed"](session)


def test_a_lesson_with_b_trains_it_beside_the_run_and_the_others_do_not(session) -> None:
    lessons.apply(session, find_lesson("one-or-two-layers"))
    assert session.side_by_side.enabled and session.side_by_side.hidden == (100,)
    lessons.apply(session, find_lesson("templates"))
    assert not session.side_by_side.enabled


def test_a_bad_b_is_refused_with_the_file_named(tmp_path) -> None:
    bad = json.loads((lessons.lessons_folder() / "9-one-or-two-layers.json").read_text())
    bad["beside"] = "a hundred"
    path = tmp_path / "9-bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(LessonError) as refused:
        load_lesson(path)
    assert str(path) in str(refused.value) and "\n" not in str(refused.value)


def test_a_damaged_lesson_file_costs_only_itself(tmp_path) -> None:
    """A lesson naming an unknown check emptied the whole Lessons menu."""
    write(tmp_path, GOOD, "1-good.json")
    write(tmp_path, {**GOOD, "title": ""}, "2-bad.json")
    write(tmp_path, GOOD, "3-also.json")
    found, broken = lessons.read_lessons(tmp_path)
    assert [lesson.id for lesson in found] == ["good", "also"]
    assert len(broken) == 1 and "2-bad.json" in str(broken[0])
    assert find_lesson("also", tmp_path).id == "also"
    with pytest.raises(LessonError, match="2-bad.json"):
        load_lessons(tmp_path)  # all or nothing where that is asked for
    with pytest.raises(LessonError, match=r"the lessons are good, also .*2-bad.json"):
        find_lesson("nope", tmp_path)


def test_a_training_lesson_answers_with_nothing_until_its_net_has_weights(
    session, dispatcher
) -> None:
    """Lesson 4 (784→10→10) showed the shipped 2-layer model's 256 units before Start."""
    from digitlab.session.models import RUN_KEY

    session.models.select("linear")
    pump(dispatcher, lambda: session.models.current is not None)
    lesson = find_lesson("hidden-layer")
    lessons.apply(session, lesson)
    assert session.models.current is None  # not the 1-layer net it replaced
    session.run.set_settings(session.run.settings.replaced(epochs=1))
    assert session.run.start()
    pump(dispatcher, lambda: session.models.current is not None, timeout=60)
    assert session.models.current.key == RUN_KEY
    assert session.models.current.network.spec.hidden == (10,)
    session.run.stop()
