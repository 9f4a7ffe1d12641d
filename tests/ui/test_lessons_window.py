"""Following a lesson in the window: the menu lists the lessons, opening one arranges its
workspace and shows its steps with Back and Next, observable steps tick themselves, and the
panel stays through workspace switches until its × is pressed."""

from __future__ import annotations

from pathlib import Path

import pytest

from digitlab.session.lessons import find_lesson, load_lessons
from digitlab.ui.main_window import MainWindow
from digitlab.ui.views.pad import draw_sample
from tests.ui.conftest import open_main_window, settings_file


def open_window(qtbot, session, tmp_path: Path) -> MainWindow:
    return open_main_window(qtbot, session, settings_file(tmp_path), (1366, 740))


def test_the_lessons_menu_lists_every_lesson_and_opens_one(qtbot, session, tmp_path) -> None:
    window = open_window(qtbot, session, tmp_path)
    menu = window.lessons.menu
    menu.aboutToShow.emit()
    titles = [action.text() for action in menu.actions()]
    assert len(titles) == len(load_lessons()) == 10
    assert titles[0] == "&1 Templates" and titles[-1] == "10 Your own hand"  # no Alt+1 twice
    next(a for a in menu.actions() if "Two numbers" in a.text() or "two numbers" in a.text()
         ).trigger()  # fmt: skip
    assert window.workspaces.current == "inside"
    assert window.lessons.dock.isVisible()
    assert "Zero or one" in window.lessons.panel.title.text()
    assert session.run.settings.hidden == (2,) and session.run.settings.classes == (0, 1)
    assert window.docks["bottleneck"].visibleRegion().isEmpty() is False  # in front


def test_steps_go_back_and_forth_and_tick_when_done(qtbot, session, tmp_path) -> None:
    window = open_window(qtbot, session, tmp_path)
    window.lessons.open(find_lesson("break-linear"))
    panel = window.lessons.panel
    assert panel.index == 0 and not panel.back.isEnabled() and panel.next.isEnabled()
    assert "Step 1 of 4" in panel.position.text() and "Draw a large 3" in panel.step.text()
    assert window.view("pad").canvas.is_empty()
    draw_sample(window.view("pad"), "3")
    qtbot.waitUntil(lambda: panel.ticked[0], timeout=3000)  # drawn: the step ticks itself
    assert "✓" in panel.position.text()
    panel.next.click()
    panel.next.click()
    panel.next.click()
    assert panel.index == 3 and not panel.next.isEnabled()
    assert window.docks["preview"].isVisible()  # the step's view came to the front
    window.view("preview").fit_box.setChecked(True)
    window.view("preview").centre_box.setChecked(True)
    qtbot.waitUntil(lambda: panel.ticked[3], timeout=3000)
    panel.back.click()
    assert panel.index == 2


def test_the_panel_stays_across_workspaces_and_goes_with_its_close_button(
    qtbot, session, tmp_path
) -> None:
    window = open_window(qtbot, session, tmp_path)
    window.lessons.open(find_lesson("hidden-layer"))
    assert window.workspaces.current == "train"
    window.workspaces.switch("inside")  # "Open Inside (Ctrl+3)"
    qtbot.wait(20)
    assert window.lessons.dock.isVisible() and window.lessons.current is not None
    assert (window.width(), window.height()) == (1366, 740)
    window.lessons.dock.close()
    assert window.lessons.current is None and not window.lessons.panel.timer.isActive()
    window.workspaces.switch("train")
    assert not window.lessons.dock.isVisible()
    assert session.run.settings.hidden == (10,)  # the settings it made stay…
    window.lessons.open(find_lesson("one-or-two-layers"))
    assert session.side_by_side.enabled
    window.lessons.dock.close()  # …but B, unseen outside Compare, no longer trains beside runs
    assert not session.side_by_side.enabled


@pytest.mark.parametrize("lesson", load_lessons(), ids=lambda lesson: lesson.id)
def test_every_lesson_fits_a_1024x640_screen_with_its_panel(qtbot, session, tmp_path, lesson):
    """Four lessons made the window 1201 px wide, their panel past the screen's edge: a tab
    behind Confusion (Robustness, 533 px at least) widened its column."""
    window = open_main_window(qtbot, session, settings_file(tmp_path), (1024, 640))
    window.lessons.open(lesson)
    qtbot.wait(50)
    assert (window.width(), window.height()) == (1024, 640)
    assert window.minimumSizeHint().width() <= 1024
    panel = window.lessons.dock
    assert window.rect().contains(panel.geometry()) and panel.width() >= 180


def test_a_damaged_lesson_file_is_said_and_the_others_stay_in_the_menu(
    qtbot, session, tmp_path, monkeypatch
) -> None:
    from digitlab.session import lessons

    folder = tmp_path / "lessons"
    folder.mkdir()
    for name in ("1-templates.json", "2-break-linear.json"):
        (folder / name).write_text((lessons.lessons_folder() / name).read_text())
    (folder / "3-broken.json").write_text('{"title": "half a lesson"')
    monkeypatch.setattr(lessons, "lessons_folder", lambda: folder)
    window = open_window(qtbot, session, tmp_path)
    said = []
    session.notices.posted.connect(said.append)
    window.lessons.menu.aboutToShow.emit()
    titles = [action.text() for action in window.lessons.menu.actions()]
    assert titles == ["&1 Templates", "&2 Break the 1-layer net"]
    assert len(said) == 1 and "3-broken.json" in said[0].text
