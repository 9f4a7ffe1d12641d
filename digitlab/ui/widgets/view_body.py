"""A view's body that is either its content or one quiet line saying why there is none.

The analysis views show a plot when there is something to plot and, in its place, a dim
centred sentence when there is not ("Draw a digit…", "No layer is two units wide…").
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget


class EmptyState(QStackedWidget):
    """Two pages: `message` (a dim, centred, wrapped line) and `content`."""

    def __init__(self, content: QWidget, text: str = "", margin: int = 16) -> None:
        super().__init__()
        self.message = QLabel(text)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color: palette(placeholder-text);")
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
