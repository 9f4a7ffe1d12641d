"""A row of controls that wraps to the next line when its dock is narrow, as text does.

Qt has no such layout; this is its FlowLayout example, kept small. A row of buttons in a
QHBoxLayout is as wide as all its buttons: in a narrow dock (a lesson beside the Draw workspace
at 1024×640) it was cut or scrolled sideways. Here the row is as narrow as its widest control
and as tall as the lines it wraps to (`heightForWidth`, which the scrolling view bodies honour).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new line where the next would not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """All on one line: as wide as every item side by side."""
        visible = [item.sizeHint() for item in self._items if not item.isEmpty()]
        width = sum(size.width() for size in visible) + self._spacing * max(len(visible) - 1, 0)
        height = max((size.height() for size in visible), default=0)
        return QSize(width, height) + self._margins()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """As narrow as the widest item: the rest wraps."""
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize().expandedTo(item.sizeHint()))
        return size + self._margins()

    def _margins(self) -> QSize:
        margins = self.contentsMargins()
        return QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items in `rect` (or only measure, `move=False`), each centred on its line;
        the height they take."""
        area = rect.marginsRemoved(self.contentsMargins())
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = area.x()
        for item in self._items:
            if item.isEmpty():  # a hidden widget takes no room
                continue
            size = item.sizeHint()
            if lines[-1] and x + size.width() > area.right() + 1:  # wrap
                lines.append([])
                x = area.x()
            lines[-1].append((item, size))
            x += size.width() + self._spacing
        y = area.y()
        for line in lines:
            height = max((size.height() for _, size in line), default=0)
            if move:
                x = area.x()
                for item, size in line:
                    item.setGeometry(QRect(QPoint(x, y + (height - size.height()) // 2), size))
                    x += size.width() + self._spacing
            y += height + self._spacing
        return y - self._spacing - rect.y() + self.contentsMargins().bottom()


def together(*widgets: QWidget) -> QWidget:
    """`widgets` side by side as one item of a flow ("Show" and its chooser wrap as one)."""
    if len(widgets) == 1:
        return widgets[0]
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    return pair
