"""How an analysis view is laid out: a row of controls above a body, and a body that is its
content or one quiet line saying why there is none.

`controls_above` builds the usual view: choices on the left, a dim status line taking the spare
width, an export button at the end, the body below taking the spare height. `EmptyState` shows a
plot when there is something to plot and, in its place, a dim centred sentence when there is not
("Draw a digit…", "No layer is two units wide…"). `scrolled` puts a tall body in a scroll area.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
)

from digitlab.ui.widgets.wheel_guard import guard

if TYPE_CHECKING:  # only in annotations
    from PySide6.QtWidgets import QWidget

QUIET = "color: palette(placeholder-text);"


class StatusLine(QLabel):
    """A line of plain text that ends in "…" where it does not fit (the whole of it in its
    tooltip), instead of being cut mid-number ('756 mistakes of 1'). With word wrap on it
    wraps instead. `text()` is the whole text."""

    def __init__(self) -> None:
        super().__init__()
        self._whole = ""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._whole = text
        self._fit()

    def text(self) -> str:
        return self._whole

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        shown = self._whole
        if not self.wordWrap():
            shown = self.fontMetrics().elidedText(shown, Qt.TextElideMode.ElideRight, self.width())
        super().setText(shown)
        self.setToolTip(self._whole if shown != self._whole else "")


def status_label() -> QLabel:
    """A dim line of status beside the controls: it never widens the window (see StatusLine)."""
    label = StatusLine()
    label.setStyleSheet(QUIET)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def controls_above(
    view: QWidget,
    controls: Sequence[QWidget],
    status: QWidget,
    body: QWidget,
    end: QWidget | None = None,
) -> QVBoxLayout:
    """Lay `view` out: `controls`, then `status` (the spare width) and `end`, above `body`."""
    row = QHBoxLayout()
    for widget in controls:
        row.addWidget(widget)
    row.addWidget(status, 1)
    if end is not None:
        row.addWidget(end)
    layout = QVBoxLayout(view)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addLayout(row)
    layout.addWidget(body, 1)
    return layout


class EmptyState(QStackedWidget):
    """Two pages: `message` (a dim, centred, wrapped line) and `content`."""

    def __init__(self, content: QWidget, text: str = "", margin: int = 16) -> None:
        super().__init__()
        self.message = QLabel(text)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet(QUIET)
        self.message.setMargin(margin)
        self.content = content
        self.addWidget(self.message)
        self.addWidget(content)

    def show_message(self, text: str) -> None:
        """Say why there is nothing to show, in place of the content."""
        self.message.setText(text)
        self.setCurrentWidget(self.message)

    def show_content(self) -> None:
        self.setCurrentWidget(self.content)

    @property
    def showing_content(self) -> bool:
        return self.currentWidget() is self.content


def scrolled(view: QWidget, body: QWidget) -> QScrollArea:
    """`body` in a frameless scrolling area that fills `view`: a short (or very narrow) dock
    scrolls rather than growing the window or cutting a control. The view then asks the body
    whether it is on screen."""
    area = QScrollArea(widgetResizable=True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # never cut a button
    area.setWidget(body)
    # Its fields take the wheel only when focused: scrolling the pane changed a Clamp value
    # that passed under the pointer (Neuron lab).
    guard([*body.findChildren(QAbstractSpinBox), *body.findChildren(QComboBox)], view)
    outer = QVBoxLayout(view)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(area)
    view.region_widget = body  # see View.on_screen
    view.setMinimumSize(240, 120)
    return area
