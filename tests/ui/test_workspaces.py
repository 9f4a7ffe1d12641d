"""The workspaces: each names registered views once, arranges them readably, switches fast
enough to feel instant, and remembers what the user made of it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QScrollArea, QTabBar

from digitlab.ui.main_window import MainWindow
from digitlab.ui.views import VIEWS
from digitlab.ui.workspaces import WORKSPACES, workspace
from tests.ui.conftest import open_main_window, settings_file

SIZES = [(1024, 640), (1366, 740), (1920, 1050)]


ini = settings_file


def open_window(qtbot, session, settings, size=(1366, 740)) -> MainWindow:
    return open_main_window(qtbot, session, settings, size)


def in_front(window: MainWindow) -> list[str]:
    return [i for i, d in window.docks.items() if d.isVisible() and not d.visibleRegion().isEmpty()]


def test_each_workspace_names_registered_views_once_and_every_view_has_a_home() -> None:
    ids = {spec.id for spec in VIEWS}
    homes: set[str] = set()
    for plan in WORKSPACES:
        assert len(plan.view_ids) == len(set(plan.view_ids)), plan.id
        assert set(plan.view_ids) <= ids, plan.id
        assert abs(sum(c.width for c in plan.columns) - 1) < 1e-9, plan.id
        homes |= set(plan.view_ids)
    assert homes == ids  # no view is reachable only through the menu
    with pytest.raises(KeyError, match="the workspaces are draw, train"):
        workspace("nope")


def test_every_workspace_fits_with_readable_views_and_whole_tab_titles(
    qtbot, session, tmp_path
) -> None:
    window = open_window(qtbot, session, ini(tmp_path), SIZES[0])
    for size in SIZES:  # one window, resized: each size laid out afresh
        window.resize(*size)
        qtbot.waitUntil(lambda s=size: (window.width(), window.height()) == s)
        for plan in WORKSPACES:
            window.workspaces.switch(plan.id)
            window.reset_layout()  # the plan at this size, not the last size's arrangement
            qtbot.wait(20)
            check_workspace(window, plan, size)


def test_a_view_that_scrolls_down_keeps_its_width_in_every_workspace_and_tab(
    qtbot, session, tmp_path
) -> None:
    """A short dock shows a vertical scroll bar; the view's widest row must still fit beside it,
    or a second, horizontal bar appears (My digits' buttons and the Neuron lab's actions did at
    1024×640 once its confusion matrix or ablation table made them scroll)."""
    window = open_window(qtbot, session, ini(tmp_path), SIZES[0])
    for size in SIZES[:2]:
        window.resize(*size)
        qtbot.waitUntil(lambda s=size: (window.width(), window.height()) == s)
        for plan in WORKSPACES:
            window.workspaces.switch(plan.id)
            window.reset_layout()
            for view_id, dock in window.docks.items():
                if not dock.isVisible():
                    continue
                dock.raise_()  # the tabs behind the front one too
                qtbot.wait(5)
                for area in dock.widget().findChildren(QScrollArea):
                    if area.widget() is None or not area.isVisible():
                        continue
                    needed = area.widget().minimumSizeHint().width()
                    beside_bar = area.width() - area.verticalScrollBar().sizeHint().width()
                    assert needed <= beside_bar, (size, plan.id, view_id, needed, beside_bar)


def check_workspace(window: MainWindow, plan, size) -> None:
    """The plan's views in front, readable, inside the window, apart, titles whole."""
    assert (window.width(), window.height()) == size  # no view forced the window larger
    fronts = [cell.views[0] for column in plan.columns for cell in column.cells]
    assert sorted(in_front(window)) == sorted(fronts), plan.id
    inside = window.rect()
    boxes = {}
    for view_id in fronts:
        dock = window.docks[view_id]
        view, hint = dock.widget(), dock.widget().minimumSizeHint()
        assert view.width() >= hint.width() and view.height() >= hint.height(), view_id
        assert view.width() >= 200 and view.height() >= 90, (plan.id, view_id, view.size())
        boxes[view_id] = QRect(dock.mapTo(window, dock.rect().topLeft()), dock.size())
        assert inside.contains(boxes[view_id]), (plan.id, view_id)
    if plan.id == "draw":  # the 28×28 input gets room, square
        preview = window.view("preview").input
        assert min(preview.width(), preview.height()) >= 100
    for a in boxes:
        for b in boxes:
            assert a == b or not boxes[a].intersects(boxes[b]), (plan.id, a, b)
    for bar in window.findChildren(QTabBar):
        if bar.isVisible():
            assert bar.elideMode() == Qt.TextElideMode.ElideNone
            for index in range(bar.count()):  # the whole title fits its tab
                text = bar.tabText(index)
                needed = bar.fontMetrics().horizontalAdvance(text)
                assert bar.tabRect(index).width() >= needed, text


def test_ctrl_number_switches_and_each_workspace_keeps_its_arrangement(
    qtbot, session, tmp_path
) -> None:
    settings = ini(tmp_path)
    window = open_window(qtbot, session, settings)
    assert window.workspaces.current == "draw"
    window.workspaces.actions["inside"].trigger()  # Ctrl+3
    assert window.workspaces.current == "inside"
    assert window.workspaces.actions["inside"].shortcut().toString() == "Ctrl+3"
    window.docks["activations"].close()  # the user's change to Inside
    window.workspaces.switch("draw")
    assert window.view("activations").isVisible()  # Draw has its own arrangement
    window.workspaces.switch("inside")
    assert not window.docks["activations"].isVisible()
    window.close()

    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher

    again = Session(QtDispatcher())
    try:
        second = open_window(qtbot, again, ini(tmp_path))
        assert second.workspaces.current == "inside"  # where the user left
        assert second.workspaces.actions["inside"].isChecked()
        assert not second.docks["activations"].isVisible()
        second.reset_layout()  # View → Reset this workspace
        assert second.view("activations").isVisible()
    finally:
        again.close()


def test_the_view_menu_shows_and_raises_and_never_hides(qtbot, session, tmp_path) -> None:
    window = open_window(qtbot, session, ini(tmp_path))
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    entries = {a.text(): a for a in menu.actions()}
    assert [spec.title for spec in VIEWS] == [a.text() for a in menu.actions()][: len(VIEWS)]
    assert not window.docks["confusion"].isVisible()  # not in Draw
    for _ in range(2):  # choosing it twice leaves it shown
        entries["Confusion"].trigger()
        qtbot.wait(20)
        assert "confusion" in in_front(window)
    entries["Offsets" if "Offsets" in entries else "Drawing offsets"].trigger()
    qtbot.wait(20)
    assert "offsets" in in_front(window)  # raised from behind the Activations tab
    assert window.docks["pad"].isVisible()


def test_a_stored_arrangement_that_is_damaged_gives_the_default_plan(
    qtbot, session, tmp_path
) -> None:
    settings = ini(tmp_path)
    settings.setValue("window/workspace", "train")
    settings.setValue("workspaces/train", "bm90IGEgc3RhdGU=")  # base64 of "not a state"
    settings.setValue("workspaces/draw", 12)
    window = open_window(qtbot, session, settings)
    assert window.workspaces.current == "train"
    assert sorted(in_front(window)) == sorted(["training", "run", "weights", "curves", "pad",
                                               "prediction"])  # fmt: skip
    settings.setValue("window/workspace", "../../etc")
    assert MainWindow(session, settings).workspaces.current == "draw"


def test_going_round_the_workspaces_never_grows_the_window(qtbot, session, tmp_path) -> None:
    """Restoring a workspace over docks placed by another once stacked them, and the window
    grew by a dock's height with every visit."""
    window = open_window(qtbot, session, ini(tmp_path), (1366, 740))
    route = ["inside", "draw", "train", "draw", "breaks", "draw", "inside", "experiments",
             "inside", "train", "inside", "breaks", "train"]  # fmt: skip
    for workspace_id in route:
        window.workspaces.switch(workspace_id)
        qtbot.wait(10)
        assert (window.width(), window.height()) == (1366, 740), workspace_id
        assert window.minimumSizeHint().height() <= 740, workspace_id
