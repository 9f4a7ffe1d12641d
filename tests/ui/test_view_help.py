"""Help in place: every view has a text (and nothing else has one), a "?" in its title bar that
opens it beside the view, and F1 opens the help of the view the keyboard is in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QTextDocument
from PySide6.QtWidgets import QAbstractButton, QToolButton

from digitlab.ui.help_texts import HELP, help_html
from digitlab.ui.main_window import MainWindow
from digitlab.ui.view_help import BUTTON_NAME, ViewHelp, install_help
from digitlab.ui.views import VIEWS


def open_window(qtbot, session, tmp_path: Path, size=(1400, 860)) -> tuple[MainWindow, ViewHelp]:
    window = MainWindow(session, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    helper = install_help(window)
    window.resize(*size)
    window.build_plot_views()
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    return window, helper


def plain(html: str) -> str:
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def first_words(fragment: str, count: int = 6) -> str:
    """The first words of a help part as the panel shows them (no tags)."""
    return " ".join(plain(fragment).split()[:count])


def test_every_registered_view_has_help_and_nothing_else_does(qapp) -> None:
    assert set(HELP) == {spec.id for spec in VIEWS}
    for view_id, text in HELP.items():
        shown = plain(help_html(view_id, "Title"))
        assert shown.startswith("Title")
        for heading, part in zip(("What it shows.", "Reading it.", "Try."), text):
            assert 40 < len(plain(part)) < 700, (view_id, heading)  # a few sentences
            assert f"{heading} {first_words(part)}" in " ".join(shown.split()), view_id
        assert not re.search(r"<[a-z/]", shown), view_id  # every tag was a tag
    with pytest.raises(KeyError):
        help_html("no-such-view")


def test_every_view_has_a_question_mark_that_opens_its_help(qtbot, session, tmp_path) -> None:
    window, helper = open_window(qtbot, session, tmp_path)
    for spec in VIEWS:
        button = window.docks[spec.id].findChild(QToolButton, BUTTON_NAME)
        assert button is helper.buttons[spec.id]
        assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
        button.click()
        assert helper.panel.isVisible() and helper.panel.view_id == spec.id
        shown = " ".join(helper.panel.text.toPlainText().split())
        assert shown.startswith(spec.title)
        assert first_words(HELP[spec.id].what) in shown
        assert first_words(HELP[spec.id].try_) in shown


@pytest.mark.parametrize("size", [(1400, 860), (1024, 640)], ids=["1400x860", "1024x640"])
def test_the_question_mark_sits_in_the_title_bar_beside_qts_buttons(qtbot, session, tmp_path,
                                                                     size) -> None:  # fmt: skip
    window, helper = open_window(qtbot, session, tmp_path, size)
    shown = [d for d in window.docks.values() if d.isVisible() and not d.visibleRegion().isEmpty()]
    assert len(shown) >= 3
    for dock in shown:
        button = helper.buttons[dock.objectName()]
        qt_buttons = [b for b in dock.findChildren(QAbstractButton)
                      if b.objectName().startswith("qt_dockwidget_") and b.isVisible()]  # fmt: skip
        assert button.isVisible() and qt_buttons, dock.objectName()
        box = button.geometry()
        assert box.bottom() < dock.widget().geometry().top(), dock.objectName()  # the title bar
        assert box.right() < min(b.geometry().left() for b in qt_buttons), dock.objectName()
        assert box.width() >= 12 and box.left() > dock.width() // 3, dock.objectName()
    dock = shown[0]
    qtbot.mouseClick(helper.buttons[dock.objectName()], Qt.MouseButton.LeftButton)
    assert helper.panel.view_id == dock.objectName() and helper.panel.isVisible()


def test_f1_shows_the_help_of_the_view_with_the_keyboard_focus(qtbot, session, tmp_path) -> None:
    window, helper = open_window(qtbot, session, tmp_path)
    canvas = window.view("pad").canvas
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus)
    qtbot.keyClick(canvas, Qt.Key.Key_F1)
    qtbot.waitUntil(helper.panel.isVisible)
    assert helper.panel.view_id == "pad"
    assert "Drawing pad" in helper.panel.windowTitle()
    assert first_words(HELP["pad"].reading) in " ".join(helper.panel.text.toPlainText().split())
    assert canvas.hasFocus()  # the panel did not take the keyboard: F1 still means this view
    fit = window.view("preview").fit_box
    fit.setFocus()
    qtbot.waitUntil(fit.hasFocus)
    checked = fit.isChecked()
    qtbot.keyClick(fit, Qt.Key.Key_F1)
    assert helper.panel.view_id == "preview" and fit.isChecked() == checked
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    entry = menu.actions()[0]
    assert entry is helper.action and "this &view" in entry.text()
    assert install_help(window) is helper and menu.actions().count(entry) == 1  # once
    assert QKeySequence(Qt.Key.Key_F1) in entry.shortcuts()


def test_f1_outside_any_view_lists_the_views(qtbot, session, tmp_path) -> None:
    window, helper = open_window(qtbot, session, tmp_path)
    assert helper.view_of(None) == "" and helper.view_of(window.menuBar()) == ""
    assert helper.view_of(window.view("weights")) == "weights"
    helper.show_list()
    assert helper.panel.view_id == "" and helper.panel.isVisible()
    shown = helper.panel.text.toPlainText()
    assert all(spec.title in shown for spec in VIEWS)
