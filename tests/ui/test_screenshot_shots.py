"""`digitlab screenshot` of a workspace, a lesson, or a view read by a given model; and the
commands that list workspaces and lessons."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.core.errors import DigitlabError
from digitlab.ui.screenshot import save_screenshot
from digitlab.ui.workspaces import WORKSPACES


def picture(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.fixture(scope="module")
def draw_picture(qapp, tmp_path_factory) -> np.ndarray:
    """The Draw workspace at 1024×640 with the shipped model (one render for two tests)."""
    folder = tmp_path_factory.mktemp("shots")
    return picture(save_screenshot(folder / "draw.png", (1024, 640), workspace="draw",
                                   train=False))  # fmt: skip


def test_a_workspace_is_rendered_at_the_size_asked(draw_picture) -> None:
    assert draw_picture.shape == (640, 1024, 3)
    colours = len(np.unique(draw_picture.reshape(-1, 3), axis=0))
    assert colours > 50  # views drawn, not a blank frame


def test_a_lesson_is_rendered_with_its_panel(qtbot, tmp_path, draw_picture) -> None:
    lesson = picture(save_screenshot(tmp_path / "lesson.png", (1024, 640), lesson="break-linear",
                                     train=False))  # fmt: skip
    assert lesson.shape == draw_picture.shape
    right = (slice(60, 600), slice(800, 1024))  # the lesson's panel takes the right-hand side
    assert not np.array_equal(lesson[right], draw_picture[right])


def test_a_view_is_rendered_with_the_model_given(qtbot, tmp_path) -> None:
    one = picture(save_screenshot(tmp_path / "a.png", (500, 400), view="weights", model="linear",
                                  train=False))  # fmt: skip
    two = picture(save_screenshot(tmp_path / "b.png", (500, 400), view="weights", model="mlp",
                                  train=False))  # fmt: skip
    assert one.shape == two.shape == (400, 500, 3) and not np.array_equal(one, two)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"lesson": "nope"}, "no lesson 'nope'"),
        ({"workspace": "nope"}, "no workspace 'nope'"),
        ({"model": "missing.safetensors"}, "no such model file"),
    ],
)
def test_unknown_names_are_refused_before_anything_is_drawn(tmp_path, options, message) -> None:
    with pytest.raises(DigitlabError, match=message):
        save_screenshot(tmp_path / "x.png", **options)
    assert not (tmp_path / "x.png").exists()


def test_the_workspaces_and_lessons_are_listed(capsys) -> None:
    assert main(["screenshot", "--list-workspaces"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [plan.id for plan in WORKSPACES]
    assert main(["lessons", "--json"]) == 0
    lessons = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lessons) == 10 and lessons[0]["name"] == "templates"
    assert lessons[-1]["name"] == "your-hand"  # by number: 10 after 9
    assert main(["lessons"]) == 0
    assert "digitlab --lesson NAME" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["screenshot", "x.png", "--view", "weights", "--workspace", "draw"], "not --view and"),
        (["screenshot", "x.png", "--lesson", "nope"], "no lesson 'nope'"),
        (["--lesson", "nope"], "no lesson 'nope'"),
    ],
)
def test_bad_choices_are_usage_errors(capsys, argv, message) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_lesson_with_a_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--lesson", "templates", "lessons"])
    assert exited.value.code == 2 and "without a command" in capsys.readouterr().err
