"""FlowLayout: a row of controls that wraps in a narrow dock instead of being cut or scrolled."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from digitlab.ui.widgets.flow_layout import FlowLayout, together


def test_a_row_wraps_keeps_its_order_and_is_as_narrow_as_its_widest_control(qtbot) -> None:
    row = QWidget()
    qtbot.addWidget(row)
    flow = FlowLayout(row, spacing=4)
    buttons = [QPushButton(f"button {i}") for i in range(6)]
    for button in buttons:
        flow.addWidget(button)
    one_line = flow.sizeHint()
    widest = max(b.sizeHint().width() for b in buttons)
    assert flow.minimumSize().width() == widest  # never wider than one control
    assert flow.heightForWidth(one_line.width()) == one_line.height()
    narrow = widest * 2 + 4
    assert flow.heightForWidth(narrow) == 3 * one_line.height() + 2 * 4  # two a line
    row.resize(narrow, flow.heightForWidth(narrow))
    row.show()
    qtbot.waitExposed(row)
    tops = [b.geometry().top() for b in buttons]
    assert tops[0] == tops[1] < tops[2] == tops[3] < tops[4] == tops[5]
    assert all(b.geometry().right() < narrow for b in buttons)  # nothing cut at the right
    buttons[1].hide()  # a hidden control takes no room
    flow.setGeometry(row.rect())
    assert buttons[2].geometry().top() == tops[0]


def test_a_pair_wraps_as_one(qtbot) -> None:
    label, button = QLabel("Show"), QPushButton("Gallery")
    pair = together(label, button)
    qtbot.addWidget(pair)
    assert label.parent() is pair and button.parent() is pair
    assert together(button) is button
