"""The report a real-window check reads: where the window and pad are, and titles cut short."""

from __future__ import annotations

import json

from digitlab.ui.window_report import cut_titles, install_report, report
from tests.ui.conftest import open_main_window, settings_file


def test_the_report_says_where_things_are_and_what_is_cut(qtbot, session, tmp_path, monkeypatch):
    window = open_main_window(qtbot, session, settings_file(tmp_path), (1366, 740))
    state = report(window)
    assert state["workspace"] == "draw" and state["lesson"] is None
    assert state["pad"] is not None and state["pad"][2] > 100
    assert state["lr_field"] is None  # the form is not in Draw
    assert state["cut_titles"] == [] and not state["drawn"]
    long_title = "A title far longer than its dock is wide " * 3
    window.docks["prediction"].setWindowTitle(long_title)
    assert cut_titles(window) == [long_title]
    path = tmp_path / "report.json"
    monkeypatch.setenv("DIGITLAB_WINDOW_REPORT", str(path))
    install_report(window)
    qtbot.waitUntil(path.exists, timeout=3000)
    assert json.loads(path.read_text())["workspace"] == "draw"


def test_an_icon_only_button_is_not_a_cut_title(qtbot, session, tmp_path) -> None:
    """The timeline's media buttons show the style's icons; their text is only their name."""
    from PySide6.QtWidgets import QStyle, QToolButton

    window = open_main_window(qtbot, session, settings_file(tmp_path), (1366, 740))
    button = QToolButton(window)
    button.setText("Play the run")
    button.setFixedWidth(24)
    button.show()
    assert "Play the run" in cut_titles(window)  # text alone, too narrow: cut
    button.setIcon(button.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
    assert "Play the run" not in cut_titles(window)
