"""The confusion matrix as a heatmap, with per-class accuracy beside it: one ImageItem.

The diagonal (right answers) is blue, by the share of its row; the other cells are red, scaled to
the largest mistake share, so a handful of mistakes still stands out next to a thousand right
answers; empty cells take the background. The counts (or row shares) are written in the cells;
in "top" mode each cell shows its most confident image instead, tinted in the cell's colour.
Used by the confusion view and by `digitlab evaluate --png`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from digitlab.ui.plots import style
from digitlab.ui.plots.cell_labels import CellLabels
from digitlab.ui.plots.picture_cells import class_labels, picture_cell_mosaic

MODES = {"counts": "Counts", "rows": "Share of row", "top": "Top image per cell",
         "difference": "A − B (with a model to compare)"}  # fmt: skip
A_BETTER = (np.array([222, 235, 247]), np.array([8, 81, 156]))  # A's colour: blue
B_BETTER = (np.array([254, 237, 204]), np.array([179, 88, 6]))  # B's colour: orange
RIGHT = (np.array([222, 235, 247]), np.array([8, 81, 156]))  # light → strong blue
WRONG = (np.array([254, 224, 210]), np.array([165, 15, 21]))  # light → strong red
INK = np.array([17, 17, 17])
SIDE = 28


def row_shares(confusion: np.ndarray) -> np.ndarray:
    """Each cell's share of its row (the true class); 0 for empty rows."""
    counts = confusion.sum(axis=1, keepdims=True)
    return np.divide(confusion, counts, out=np.zeros(confusion.shape), where=counts > 0)


def cell_colours(confusion: np.ndarray, background: QColor | None = None) -> np.ndarray:
    """(k, k, 3) uint8: blue diagonal by row share, red mistakes by share of the worst one."""
    k = len(confusion)
    share = row_shares(confusion)
    diagonal = np.eye(k, dtype=bool)
    worst = share[~diagonal].max(initial=0.0)
    strength = np.where(diagonal, share, np.sqrt(share / worst) if worst > 0 else 0.0)
    low = np.where(diagonal[..., None], RIGHT[0], WRONG[0])
    high = np.where(diagonal[..., None], RIGHT[1], WRONG[1])
    colours = low + (high - low) * strength[..., None]
    base = background or QColor("white")
    colours[confusion == 0] = (base.red(), base.green(), base.blue())
    return np.clip(colours, 0, 255).astype(np.uint8)


def difference_colours(difference: np.ndarray, background: QColor | None = None) -> np.ndarray:
    """(k, k, 3) uint8 for a matrix of A's counts minus B's: blue where A does better (more
    right on the diagonal, fewer mistakes off it), orange where B does; no change: background."""
    k = len(difference)
    better_for_a = np.where(np.eye(k, dtype=bool), difference, -difference).astype(float)
    worst = np.abs(better_for_a).max(initial=0.0)
    strength = np.sqrt(np.abs(better_for_a) / worst) if worst > 0 else np.zeros((k, k))
    a_side = (better_for_a > 0)[..., None]
    low = np.where(a_side, A_BETTER[0], B_BETTER[0])
    high = np.where(a_side, A_BETTER[1], B_BETTER[1])
    colours = low + (high - low) * strength[..., None]
    base = background or QColor("white")
    colours[difference == 0] = (base.red(), base.green(), base.blue())
    return np.clip(colours, 0, 255).astype(np.uint8)


def top_image_mosaic(colours: np.ndarray, images: np.ndarray, top: np.ndarray) -> np.ndarray:
    """(k·28, k·28, 3) uint8: each cell's top image as dark ink on a pale version of its colour."""
    k = len(colours)
    pale = colours.astype(np.float32) * 0.45 + 255 * 0.55
    ink = np.zeros((k, k, SIDE, SIDE), np.float32)
    present = top >= 0
    if present.any():
        ink[present] = images[top[present]].astype(np.float32) / 255
    ink = ink[..., None]
    cells = pale[:, :, None, None, :] * (1 - ink) + INK * ink  # (k, k, 28, 28, 3)
    cells[:, :, [0, -1], :, :] = 255  # a white line between cells
    cells[:, :, :, [0, -1], :] = 255
    return cells.transpose(0, 2, 1, 3, 4).reshape(k * SIDE, k * SIDE, 3).astype(np.uint8)


class ConfusionPlot(pg.GraphicsLayoutWidget):
    """Heatmap (rows: true class, columns: prediction) and accuracy bars; click a cell."""

    cell_clicked = Signal(int, int)  # true, predicted (positions 0..k-1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        background, self._text, self._faint = style.colours(self)
        self.setBackground(background)
        self._background = background
        self.heat = self.addPlot(row=0, col=0)
        self.bars_plot = self.addPlot(row=0, col=1)
        self.ci.layout.setColumnStretchFactor(0, 5)
        self.ci.layout.setColumnStretchFactor(1, 2)
        for plot in (self.heat, self.bars_plot):
            style.quiet_plot(plot)
            style.style_axes(plot, self._text, self._faint)
            plot.invertY(True)
        self.heat.setAspectLocked(True)
        for axis in ("left", "bottom"):  # ticks out toward the labels: pointing in, they ran
            self.heat.getAxis(axis).setStyle(tickLength=4)  # into the cells (10 read as −10)
        self.heat.setLabel("left", "true class", color=self._faint)
        self.heat.setLabel("bottom", "predicted class", color=self._faint)
        self.bars_plot.setYLink(self.heat)
        self.bars_plot.getAxis("left").setStyle(showValues=False, tickLength=4)
        self.bars_plot.setLabel("bottom", "accuracy", color=self._faint)
        self.bars_plot.setXRange(0.0, 1.0, padding=0.02)
        self.bars_plot.getAxis("bottom").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")], []])
        self.image = pg.ImageItem(axisOrder="row-major")
        self.heat.addItem(self.image)
        self.bars = pg.BarGraphItem(
            x0=[0], y=[0.5], height=0.7, width=[0], brush=style.ACCENT, pen=None
        )
        self.bars_plot.addItem(self.bars)
        # A pyqtgraph item, not a bare QGraphicsRectItem: Python-made Qt items that a
        # pyqtgraph scene owns are a known source of crashes at garbage collection.
        self.frame = pg.PlotDataItem(pen=pg.mkPen(QColor(self._text), width=2.5))
        self.frame.hide()
        self.heat.addItem(self.frame)
        self._cells: CellLabels | None = None
        self._bar_texts: CellLabels | None = None
        self._k = 0
        self._names: tuple[str, ...] = ()  # the axes' labels when not the digits (CIFAR-10)
        self.scene().sigMouseClicked.connect(self._clicked)

    def _build(self, classes: tuple[int, ...]) -> None:
        """Label items and ticks for k classes (once per class count)."""
        for plot, item in ((self.heat, self._cells), (self.bars_plot, self._bar_texts)):
            if item is not None:
                plot.removeItem(item)
        k = len(classes)
        font = QFont()
        font.setPointSizeF(style.points(7.5 if k > 5 else 9))
        self._cells, self._bar_texts = CellLabels(font), CellLabels(font, align=0.0)
        self.heat.addItem(self._cells)
        self.bars_plot.addItem(self._bar_texts)
        names = self._names if len(self._names) == k else tuple(map(str, classes))
        ticks = [[(i + 0.5, name) for i, name in enumerate(names)]]
        for axis in ("left", "bottom"):
            self.heat.getAxis(axis).setTicks(ticks)
        self.bars_plot.getAxis("left").setTicks(ticks)
        self.heat.setXRange(0, k, padding=0.0)
        self.heat.setYRange(0, k, padding=0.0)
        self._k = k

    def show_matrix(
        self,
        confusion: np.ndarray,
        accuracy: np.ndarray,
        classes: tuple[int, ...],
        mode: str = "counts",
        images: np.ndarray | None = None,
        top: np.ndarray | None = None,
    ) -> None:
        """Draw a confusion matrix in a mode of `MODES` (top needs `images` and `top`)."""
        k, names = len(classes), class_labels(classes, images)
        if k != self._k or names != self._names:
            self._names = names
            self._build(classes)
        colours = cell_colours(confusion, self._background)
        self._draw(colours, confusion, accuracy, mode, images, top)

    def show_difference(
        self, difference: np.ndarray, accuracy_a: np.ndarray, accuracy_b: np.ndarray,
        classes: tuple[int, ...],
    ) -> None:  # fmt: skip
        """Draw A's confusion counts minus B's (signed counts in the cells); the bars show A's
        per-class accuracy, labelled with the change from B in points."""
        if len(classes) != self._k:
            self._build(classes)
        self._draw(difference_colours(difference, self._background), difference, accuracy_a,
                   "difference", None, None, accuracy_b)  # fmt: skip

    def _draw(
        self, colours: np.ndarray, confusion: np.ndarray, accuracy: np.ndarray, mode: str,
        images: np.ndarray | None, top: np.ndarray | None, other: np.ndarray | None = None,
    ) -> None:  # fmt: skip
        k = self._k
        if mode == "top" and images is not None and top is not None:
            mosaic = picture_cell_mosaic if images.ndim == 4 else top_image_mosaic
            self.image.setImage(mosaic(colours, images, top), levels=(0, 255))
        else:
            self.image.setImage(colours, levels=(0, 255))
        self.image.setRect(QRectF(0, 0, k, k))
        shares = row_shares(confusion)
        light = colours.astype(np.float32) @ np.array([0.299, 0.587, 0.114]) > 140
        dark, white = QColor("#111111"), QColor("white")
        cells = []
        for row, col in np.ndindex(k, k):
            count = int(confusion[row, col])
            if mode != "top" and count:
                shown = f"{count}" if mode == "counts" else f"{100 * shares[row, col]:.1f}"
                shown = f"{count:+d}" if mode == "difference" else shown
                cells.append((col + 0.5, row + 0.5, shown, dark if light[row, col] else white))
        self._cells.set_labels(cells, QRectF(0, 0, k, k))
        safe = np.nan_to_num(accuracy, nan=0.0)
        self.bars.setOpts(x0=np.zeros(k), y=np.arange(k) + 0.5, height=0.7, width=safe)
        texts = ["–" if np.isnan(value) else f"{100 * value:.1f} %" for value in accuracy]
        if other is not None:  # A's accuracy, and how far it is from B's
            texts = ["–" if np.isnan(a - b) else f"{100 * a:.1f} ({100 * (a - b):+.1f})"
                     for a, b in zip(accuracy, other)]  # fmt: skip
        self._bar_texts.set_labels(
            [(0.02, row + 0.5, text, QColor(self._text)) for row, text in enumerate(texts)],
            QRectF(0, 0, 1, k),
        )

    def clear_matrix(self) -> None:
        """Show nothing (no model, no data)."""
        self.image.clear()
        for item in (self._cells, self._bar_texts):
            if item is not None:
                item.set_labels([], QRectF())
        if self._k:
            self.bars.setOpts(width=np.zeros(self._k))

    def select(self, cell: tuple[int, int] | None) -> None:
        """Frame the chosen cell (None: no frame)."""
        if cell is None:
            self.frame.hide()
            return
        row, col = cell
        self.frame.setData([col, col + 1, col + 1, col, col], [row, row, row + 1, row + 1, row])
        self.frame.show()

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """The (true, predicted) cell under a scene point, or None."""
        if not self._k or not self.heat.vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.heat.vb.mapSceneToView(scene_pos)
        row, col = int(np.floor(point.y())), int(np.floor(point.x()))
        return (row, col) if 0 <= row < self._k and 0 <= col < self._k else None

    def cell_centre(self, row: int, col: int) -> QPoint:
        """Where a cell's centre is, in this widget's coordinates (for tests)."""
        scene = self.heat.vb.mapViewToScene(QPointF(col + 0.5, row + 0.5))
        return self.mapFromScene(scene)

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cell = self.cell_at(event.scenePos())
        if cell is not None:
            self.cell_clicked.emit(*cell)
