"""A view's status line: a long one ends in "…" with the whole in its tooltip, never cut."""

from __future__ import annotations

from digitlab.ui.widgets.view_body import status_label


def test_a_long_status_ends_in_an_ellipsis_and_keeps_the_whole_text(qtbot) -> None:
    line = status_label()
    qtbot.addWidget(line)
    whole = "accuracy 92.44% · 756 mistakes of 10,000 test images"
    line.resize(120, 20)
    line.show()
    qtbot.waitExposed(line)
    line.setText(whole)
    shown = super(type(line), line).text()  # what is drawn
    assert shown.endswith("…") and whole.startswith(shown[:-1])
    assert line.text() == whole and line.toolTip() == whole
    line.resize(600, 20)  # room for it all: no ellipsis, no tooltip
    assert super(type(line), line).text() == whole and line.toolTip() == ""
    line.setWordWrap(True)
    line.resize(120, 60)
    assert super(type(line), line).text() == whole  # wrapped instead
