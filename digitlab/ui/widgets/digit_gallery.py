"""A scrollable gallery of 28×28 digits with a caption each, from one numpy array.

A `QListView` in icon mode over a list model that makes each tile's pixmap only when Qt asks
for it (the visible tiles), so a gallery of 6 000 training images costs what a screenful does.
A double-click hands the digit on (`digit_chosen`); a drag carries it as `DIGIT_MIME`: the
28×28 uint8 pixels, row by row, which the drawing pad accepts as a drop.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QSplitter,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

DIGIT_MIME = "application/x-digitlab-digit"
SIDE = 28
TILE = 56  # a digit shown at 2× its pixels
WIDEST_CAPTION = "8→7 100%"
CACHE = 600  # pixmaps kept (a few screenfuls)

Caption = Callable[[int], str]  # position in the gallery → its caption (or tool tip)


def digit_mime(pixels: np.ndarray) -> QMimeData:
    """A drag's payload for one digit: its 28×28 uint8 pixels under `DIGIT_MIME`."""
    mime = QMimeData()
    data = np.ascontiguousarray(pixels, dtype=np.uint8).reshape(SIDE, SIDE)
    mime.setData(DIGIT_MIME, data.tobytes())
    return mime


def digit_from_mime(mime: QMimeData) -> np.ndarray | None:
    """The digit a drag carries, (28, 28) uint8, or None if it carries none (or a broken one)."""
    if mime is None or not mime.hasFormat(DIGIT_MIME):
        return None
    raw = bytes(mime.data(DIGIT_MIME).data())
    if len(raw) != SIDE * SIDE:
        return None
    return np.frombuffer(raw, np.uint8).reshape(SIDE, SIDE).copy()


def digit_pixmap(pixels: np.ndarray, side: int = TILE) -> QPixmap:
    """A digit as a pixmap of side×side (nearest neighbour: the pixels stay visible)."""
    data = np.ascontiguousarray(pixels, dtype=np.uint8)
    if data.ndim == 3:  # a colour picture (CIFAR-10's 32×32 RGB)
        h, w = data.shape[:2]
        image = QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        return QPixmap.fromImage(image.scaled(side, side))
    image = QImage(data.data, SIDE, SIDE, SIDE, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.scaled(side, side))  # scaled copies: `data` may go


class DigitModel(QAbstractListModel):
    """Positions 0..n-1 of a gallery: `images[indices[i]]` with `caption(i)`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images = np.zeros((0, SIDE, SIDE), np.uint8)
        self._indices = np.zeros(0, np.int64)
        self._caption: Caption = lambda _: ""
        self._tip: Caption | None = None
        self._pixmaps: dict[int, QPixmap] = {}

    def set_items(
        self, images: np.ndarray, indices: np.ndarray, caption: Caption, tip: Caption | None
    ) -> None:
        self.beginResetModel()
        self._images, self._indices = images, np.asarray(indices, np.int64)
        self._caption, self._tip = caption, tip
        self._pixmaps.clear()
        self.endResetModel()

    def indices(self) -> np.ndarray:
        return self._indices

    def pixels(self, row: int) -> np.ndarray:
        return self._images[self._indices[row]]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._indices)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0):  # type: ignore[override]
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._indices):
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self._pixmaps.get(row)
            if pixmap is None:
                if len(self._pixmaps) >= CACHE:
                    self._pixmaps.clear()
                pixmap = self._pixmaps[row] = digit_pixmap(self.pixels(row))
            return pixmap
        if role == Qt.ItemDataRole.DisplayRole:
            return self._caption(row)
        if role == Qt.ItemDataRole.ToolTipRole and self._tip is not None:
            return self._tip(row)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [DIGIT_MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        rows = [index.row() for index in indexes if index.isValid()]
        if not rows or self.pixels(rows[0]).ndim != 2:  # a colour picture is no digit to drag
            return QMimeData()
        return digit_mime(self.pixels(rows[0]))

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.CopyAction


class _CellWideItems(QStyledItemDelegate):
    """Items as wide as their cell: in icon mode Qt sizes an item by its icon, so a caption
    wider than the 56 px digit ('8→7 100%') was cut to '8→7 1…' whatever the cell's width."""

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt's name
        size = super().sizeHint(option, index)
        view = self.parent()
        return QSize(max(size.width(), view.gridSize().width() - 2 * view.spacing()), size.height())


class DigitGallery(QListView):
    """Tiles of digits, wrapped to the width, scrolled vertically."""

    digit_chosen = Signal(object)  # (28, 28) uint8: double-clicked
    image_clicked = Signal(int)  # the index (in its split) of the image clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.digits = DigitModel(self)
        self.setModel(self.digits)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)  # long lists lay out in steps
        self.setBatchSize(400)
        self.setIconSize(QSize(TILE, TILE))
        self.setItemDelegate(_CellWideItems(self))
        self._fit_grid()
        self.setSpacing(2)
        self.setWordWrap(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.doubleClicked.connect(self._chosen)
        self.clicked.connect(self._clicked)
        self._message = ""
        self.setToolTip("Double-click a digit (or drag it) to put it on the drawing pad")

    def _fit_grid(self) -> None:
        """Cells wide enough for the longest caption in this font: '8→7 100%' was cut to
        '8→7 1…', the very mistakes a lesson asks to look at (the most confident)."""
        caption = self.fontMetrics().horizontalAdvance(WIDEST_CAPTION) + 8
        self.setGridSize(QSize(max(TILE + 24, caption), TILE + 22))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # View → Zoom
            self._fit_grid()

    def set_digits(
        self,
        images: np.ndarray,
        indices: np.ndarray,
        caption: Caption,
        tip: Caption | None = None,
        message: str = "",
    ) -> None:
        """Show `images[indices]` in that order; `message` is shown when there are none."""
        self._message = message
        self.digits.set_items(images, indices, caption, tip)
        self.scrollToTop()
        self.viewport().update()

    def clear_digits(self, message: str = "") -> None:
        self.set_digits(
            np.zeros((0, SIDE, SIDE), np.uint8), np.zeros(0, np.int64), str, None, message
        )

    def shown_indices(self) -> np.ndarray:
        """The image indices on show, in order (for tests and the numbers copied)."""
        return self.digits.indices()

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.image_clicked.emit(int(self.digits.indices()[index.row()]))

    def _chosen(self, index: QModelIndex) -> None:
        if index.isValid() and self.digits.pixels(index.row()).ndim == 2:  # digits go to the pad
            self.digit_chosen.emit(self.digits.pixels(index.row()).copy())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self.digits.rowCount() == 0 and self._message:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(
                self.viewport().rect().adjusted(12, 12, -12, -12), flags, self._message
            )
            painter.end()


def above_gallery(
    top: QWidget, caption: QWidget, gallery: DigitGallery, stretch: tuple[int, int]
) -> QSplitter:
    """`top` (a plot) over a captioned gallery, the split between them movable."""
    lower = QVBoxLayout()
    lower.setContentsMargins(0, 0, 0, 0)
    lower.addWidget(caption)
    lower.addWidget(gallery, 1)
    bottom = QWidget()
    bottom.setLayout(lower)
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(top)
    split.addWidget(bottom)
    split.setStretchFactor(0, stretch[0])
    split.setStretchFactor(1, stretch[1])
    return split
