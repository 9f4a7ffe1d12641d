"""The panels of the Weights view: what to draw for each layer, and one panel that draws it.

A panel is a header, a plot holding ONE ImageItem, and a colour bar that says which scale it
shows. A layer fed by the 784 pixels is a mosaic of 28×28 tiles (fed by CIFAR-10's 3072, of
32×32 colour tiles: `colour_tiles`), reflowed to the room on every resize
(`mosaic.grid_for_room`); every later layer is an (out × in) heatmap whose cells fill the plot.
Items are built once per architecture: a refresh only swaps the image and sets levels. A mosaic
may show a chosen subset of its units (`show_units`; `tile_choice` says which): hover, click and
the selection still name the real unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFontMetricsF, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem

from digitlab.core.choices import CLASS_NAMES, DATASET_SHAPES, dataset_of_input_size
from digitlab.ui.plots import mosaic, style
from digitlab.ui.plots.cell_labels import CellLabels
from digitlab.ui.plots.colour_tiles import colour_mosaic
from digitlab.ui.plots.panel_header import PanelHeader
from digitlab.ui.plots.panel_header import small_font as _font

IMAGE_SIDE = 28
PIXELS = IMAGE_SIDE * IMAGE_SIDE
TILE = (IMAGE_SIDE, IMAGE_SIDE)
TITLE_ROWS = 8  # most blank mosaic rows above each tile for its title, when tiles are titled
TITLE_BAND_PX = 17  # the title band's height on screen, when tiles are large
MAX_TITLED_TILES = 64  # more tiles than this: titles become clutter (hover names the unit)
MIN_TITLED_TILE_PX = 36  # tiles drawn smaller than this get no title either
ROW_PX = (17, 24)  # preferred and largest height of a heatmap row on screen


@dataclass(frozen=True)
class PanelPlan:
    """What one panel draws: layer `layer`'s weights (or their change) as tiles or a heatmap."""

    name: str  # 'weights0', 'deltas1', …
    layer: int
    title: str
    note: str
    units: int  # rows of the (out, in) matrix
    inputs: int
    as_tiles: bool
    row_labels: tuple[str, ...] = ()  # class digits (or CIFAR-10's names) for the output layer
    is_delta: bool = False
    tile_shape: tuple[int, ...] = TILE  # (32, 32, 3): colour tiles

    @property
    def colour(self) -> bool:
        return self.as_tiles and len(self.tile_shape) == 3

    def unit_name(self, index: int) -> str:
        return f"class {self.row_labels[index]}" if self.row_labels else f"unit {index}"


def plan_panels(
    shapes: list[tuple[int, int]], classes: tuple[int, ...], deltas: bool
) -> list[PanelPlan]:
    """One panel per layer, each followed by its change panel when the model is being trained."""
    last = len(shapes) - 1
    plans = []
    dataset = dataset_of_input_size(shapes[0][1]) if shapes else None
    shape = DATASET_SHAPES.get(dataset or "", ())  # 784 → (28, 28), 3072 → (32, 32, 3)
    names = CLASS_NAMES.get(dataset or "mnist", CLASS_NAMES["mnist"])
    for layer, (units, inputs) in enumerate(shapes):
        labels = tuple(names[c] for c in classes) if layer == last and len(classes) == units else ()
        if layer == last and not labels:
            labels = tuple(str(i) for i in range(units))
        title = ("Class templates" if last == 0 else "Hidden units" if layer == 0
                 else "Output weights" if layer == last
                 else f"Layer {layer + 1} weights")  # fmt: skip
        common = dict(layer=layer, units=units, inputs=inputs, row_labels=labels,
                      as_tiles=layer == 0 and bool(shape), tile_shape=shape or TILE)  # fmt: skip
        note = f"{inputs} → {units}"
        plans.append(PanelPlan(f"weights{layer}", title=title, note=note, **common))
        if deltas:
            plans.append(PanelPlan(f"deltas{layer}", title="Change since last refresh",
                                   note=title.lower(), is_delta=True, **common))  # fmt: skip
    return plans


def short_labels(label: str) -> list[str]:
    """The bar label, then shorter forms for a short bar ('±0.37 · p99 |w|', '±0.37')."""
    value, _, rest = label.partition(" · ")
    return [label, f"{value} · {rest.replace('99th percentile of', 'p99')}", value]


def weight_bar(colormap: pg.ColorMap, text: QColor, faint: QColor) -> pg.ColorBarItem:
    """`style.colour_bar` (no SI prefixes) with small ticks and no colour-map menu (the
    diverging map is not a choice: zero must stay neutral)."""
    bar = style.colour_bar(colormap)
    bar.colorMapMenu = False
    axis = bar.getAxis("right")
    axis.setStyle(tickFont=_font(), tickTextOffset=3)
    axis.setWidth(None)  # as wide as its ticks and label need ('-0.005' and a label overlap)
    axis.setLabel("", **{"font-size": "8pt"})  # the style every later label keeps
    axis.setTextPen(pg.mkPen(text))
    axis.setPen(pg.mkPen(faint))
    return bar


def fit_bar_label(bar: pg.ColorBarItem, limit: float, label: str, shown: str | None) -> str:
    """Levels ±limit, labelled with the longest form of `label` that fits along the bar
    (a short bar gets '±0.37'; the tooltip has it all). Returns the form shown: a new label
    re-lays out text, so it is only set when it changes."""
    room = bar.getViewBox().size().height() or 1e9
    metrics = QFontMetricsF(_font())
    forms = short_labels(label)
    fitted = next((f for f in forms if metrics.horizontalAdvance(f) <= room - 4), forms[-1])
    if fitted != shown:
        style.set_bar_levels(bar, limit, fitted)
        bar.getAxis("right").resizeEvent()  # re-centre the label: its length changed
        bar.setToolTip(label)
    elif bar.levels() != (-limit, limit):  # new levels redraw the axis: only when they change
        bar.setLevels(low=-limit, high=limit)
    return fitted


def unit_ticks(count: int, most: int) -> list[tuple[float, str]]:
    """Integer labels at cell centres, every 1, 2, 5, 10, 20… units so at most `most` show."""
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 10**9) if count / s <= max(most, 1))
    return [(i + 0.5, str(i)) for i in range(0, count, step)]


# --- items -----------------------------------------------------------------------------------


class WeightPanel:
    """Header + plot + one ImageItem + colour bar (+ tile titles): one layer or its change."""

    def __init__(self, plan: PanelPlan, layout: pg.GraphicsLayout, row: int, column: int,
                 colormap: pg.ColorMap, colours: tuple[QColor, QColor]) -> None:  # fmt: skip
        self.plan = plan
        self.side = plan.tile_shape[0]  # 28, or 32 for colour tiles
        self.tile = (self.side, self.side)
        self.text, self.faint = colours
        self.header = PanelHeader(plan.title, plan.note, self.text, self.faint)
        layout.addItem(self.header, row=row, col=column, colspan=2)
        self.plot: pg.PlotItem = layout.addPlot(row=row + 1, col=column)
        style.quiet_plot(self.plot)
        self.plot.invertY(True)
        self.plot.disableAutoRange()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(colormap)
        self.plot.addItem(self.image)
        self.bar = weight_bar(colormap, self.text, self.faint)
        layout.addItem(self.bar, row=row + 1, col=column + 1)
        self.backdrop = QGraphicsPathItem()  # tile gaps and title bands, so tiles stand apart
        self.backdrop.setPen(pg.mkPen(None))
        self.backdrop.setBrush(QColor(self.text.red(), self.text.green(), self.text.blue(), 18))
        self.backdrop.setZValue(-1)
        self.highlight = QGraphicsRectItem()
        self.highlight.setPen(pg.mkPen(style.ACCENT, width=2))  # cosmetic: 2 px at any zoom
        self.highlight.setZValue(10)
        self.highlight.hide()
        self.plot.addItem(self.highlight)
        self.values = np.zeros((plan.units, plan.inputs), np.float32)  # scaled, as drawn
        self.array = self.values  # what the ImageItem shows
        self.limit, self.label, self._shown_label = 1.0, "", None
        self.columns, self.title_rows, self._title_px = 0, 0, 0  # the grid drawn now
        self.titles = CellLabels(_font())  # the tiles' titles, painted in one pass
        self.titles.setZValue(5)
        self.plot.addItem(self.titles)
        self.selected: int | None = None
        self.shown = np.arange(plan.units)  # the units drawn as tiles, in order
        self._ticks: tuple = ()
        self.plot.getViewBox().sigResized.connect(self.reflow)
        self.bar.getViewBox().sigResized.connect(self._fit_bar_label)
        if plan.as_tiles:
            self.plot.addItem(self.backdrop)
            self.plot.hideAxis("left")
            self.plot.hideAxis("bottom")
            self.plot.setMinimumHeight(30)
            self.plot.setPreferredHeight(320)  # in a small dock, tiles shrink no faster than rows
            self.columns = mosaic.grid_columns(plan.units)
            if plan.colour:  # the tiles are pictures, each scaled by itself: no common scale
                self.bar.hide()
                self.bar.setMaximumWidth(0)
        else:
            self._set_up_heatmap()

    def _set_up_heatmap(self) -> None:
        plan = self.plan
        style.style_axes(self.plot, self.text, self.faint)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setStyle(tickLength=-3, tickFont=_font())
        self.plot.setRange(xRange=(0, plan.inputs), yRange=(0, plan.units), padding=0)
        # The bar ends where the cells do, not at the bottom of the unit labels.
        self.bar.getAxis("bottom").setHeight(self.plot.getAxis("bottom").height())
        self.plot.setMinimumHeight(40)
        self.plot.setPreferredHeight(min(plan.units * ROW_PX[0], 240) + 24)  # + the unit axis
        self.plot.setMaximumHeight(max(plan.units * ROW_PX[1], 120) + 24)

    # --- data --------------------------------------------------------------------------------

    def show(self, values: np.ndarray, limit: float, label: str) -> None:
        """Draw (out, in) values as levels ±limit: one setImage, new levels, the bar's label
        (which says what the limit is, e.g. '±0.37 · 99th percentile of |w|')."""
        self.values, self.limit, self.label = values, limit, label
        self._draw()
        self._fit_bar_label()

    def _draw(self) -> None:
        if self.plan.colour:
            self.array = colour_mosaic(self.values[self.shown], self.columns, self.title_rows,
                                       self.side)  # fmt: skip
            self.image.setImage(self.array, levels=(0, 255), autoLevels=False)
            return
        if self.plan.as_tiles:
            images = self.values[self.shown].reshape(-1, self.side, self.side)
            self.array = mosaic.tile(images, self.columns, title_rows=self.title_rows)
        else:
            self.array = self.values
        self.image.setImage(self.array, levels=(-self.limit, self.limit), autoLevels=False)

    def _fit_bar_label(self, *_: object) -> None:
        self._shown_label = fit_bar_label(self.bar, self.limit, self.label, self._shown_label)

    # --- reflow ------------------------------------------------------------------------------

    def show_units(self, units: np.ndarray) -> None:
        """Draw only these units' tiles (indices, in order); all of them by default."""
        units = np.asarray(units, int)
        if self.plan.as_tiles and not np.array_equal(units, self.shown):
            self.shown, self.columns = units, 0  # a new grid at the next reflow
            self._draw()
            self.reflow()

    def slot(self, unit: int) -> int | None:
        """Where unit `unit`'s tile is in the mosaic, or None when it is not shown."""
        found = np.flatnonzero(self.shown == unit)
        return int(found[0]) if found.size else None

    def room(self) -> tuple[float, float]:
        return self.plot.getViewBox().size().toTuple()

    def reflow(self, *_: object) -> None:
        """Fit the panel to its new size: tiles regrid to be as large as the room allows,
        titles come and go with tile size, heatmap labels thin out rather than overlap."""
        width, height = self.room()
        if width <= 1 or height <= 1:
            return
        if not self.plan.as_tiles:
            self._fit_heatmap_ticks(width, height)
            return
        columns, title_rows = self._best_grid(width, height)
        if (columns, title_rows) != (self.columns, self.title_rows):
            self.columns, self.title_rows = columns, title_rows
            self._draw()
            self._place_titles()
            self.set_selected(self.selected)
        self._size_titles(width, height)
        rows_px, cols_px = self.array.shape[:2]
        pad = 0.5
        scale = min(width / (cols_px + 2 * pad), height / (rows_px + 2 * pad))
        shown_w, shown_h = width / scale, height / scale
        left = -pad - (shown_w - cols_px - 2 * pad) / 2
        self.plot.setRange(xRange=(left, left + shown_w), yRange=(-pad, shown_h - pad), padding=0)
        self.backdrop.setPath(self._backdrop_path())

    def _backdrop_path(self) -> QPainterPath:
        """The filled cells only: full rows, then the part of the last row that has tiles."""
        rows_px, cols_px = self.array.shape[:2]
        full_rows, rest = divmod(len(self.shown), self.columns)
        cell_h = self.title_rows + self.side + mosaic.GAP
        path = QPainterPath()
        path.addRect(QRectF(0, 0, cols_px, min(full_rows * cell_h, rows_px)))
        if rest:
            path.addRect(QRectF(0, full_rows * cell_h, rest * (self.side + mosaic.GAP) - 1,
                                cell_h - mosaic.GAP))  # fmt: skip
        return path

    def _best_grid(self, width: float, height: float) -> tuple[int, int]:
        """(columns, title rows): the largest tiles, titled when few and large enough to read.
        Big tiles get a thinner title band (in mosaic rows), so it stays about one line high."""
        n = max(len(self.shown), 1)
        if n <= MAX_TITLED_TILES:
            shape = (self.side + TITLE_ROWS, self.side)
            columns = mosaic.grid_for_room(n, shape, (width, height))
            tile_px = self.tile_px(columns, TITLE_ROWS, width, height)
            if tile_px >= MIN_TITLED_TILE_PX:
                rows = min(TITLE_ROWS, max(4, math.ceil(TITLE_BAND_PX * self.side / tile_px)))
                shape = (self.side + rows, self.side)
                return mosaic.grid_for_room(n, shape, (width, height)), rows
        return mosaic.grid_for_room(n, self.tile, (width, height)), 0

    def tile_px(self, columns: int, title_rows: int, width: float, height: float) -> float:
        """How many screen px a tile is drawn across, in a grid of `columns`."""
        rows = math.ceil(max(len(self.shown), 1) / columns)
        mosaic_w = columns * (self.side + mosaic.GAP) - mosaic.GAP + 1
        mosaic_h = rows * (title_rows + self.side + mosaic.GAP) - mosaic.GAP + 1
        return self.side * min(width / mosaic_w, height / mosaic_h)

    def _place_titles(self) -> None:
        """Title each tile, in the band above it: one item paints them all (TextItems, one a
        tile, cost most of a millisecond each to make and again on every resize)."""
        labels = []
        for index, unit in enumerate(self.shown if self.title_rows else ()):
            top, left = self.tile_origin(index)
            text = self.plan.row_labels[unit] if self.plan.row_labels else str(unit)
            labels.append((left + self.side / 2, top - self.title_rows / 2, text, self.text))
        rows_px, cols_px = self.array.shape[:2]
        self.titles.set_labels(labels, QRectF(0, -self.title_rows, cols_px, rows_px))

    def title_texts(self) -> list[str]:
        return self.titles.texts()

    def title_position(self, index: int) -> tuple[float, float]:
        """Where title `index` is centred, in the panel's data coordinates."""
        x, y, _, _ = self.titles.labels[index]
        return x, y

    def _size_titles(self, width: float, height: float) -> None:
        """Title text about 60 % of its band's height on screen, 8 to 15 px."""
        if not self.titles.labels:
            return
        tile_px = self.tile_px(self.columns, self.title_rows, width, height)
        band_px = self.title_rows * tile_px / self.side
        pixels = int(max(8, min(15, 0.6 * band_px, band_px - 1)))
        if pixels != self._title_px:
            self._title_px = pixels
            font = _font()
            font.setPixelSize(pixels)
            self.titles.font = font
            self.titles.update()

    def _fit_heatmap_ticks(self, width: float, height: float) -> None:
        plan = self.plan
        line = QFontMetricsF(_font()).height()
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 10**9) if s * height / plan.units >= line)
        labels = plan.row_labels or tuple(str(i) for i in range(plan.units))
        left = [(r + 0.5, labels[r]) for r in range(0, plan.units, step)]
        bottom = unit_ticks(plan.inputs, int(width // 34))
        if (left, bottom) != self._ticks:
            self._ticks = (left, bottom)
            self.plot.getAxis("left").setTicks([left, []])
            self.plot.getAxis("bottom").setTicks([bottom, []])

    def row_label_positions(self) -> list[tuple[str, float]]:
        """(label, scene y) of each row label on the left axis: lets tests check spacing."""
        vb = self.plot.getViewBox()
        return [(text, vb.mapViewToScene(QPointF(0, y)).y()) for y, text in self._ticks[0]]

    # --- geometry ----------------------------------------------------------------------------

    def tile_origin(self, index: int) -> tuple[int, int]:
        return mosaic.tile_origin(index, self.columns, self.tile, mosaic.GAP, self.title_rows)

    def set_selected(self, index: int | None) -> None:
        """Outline the selected tile (or heatmap row)."""
        self.selected = index if index is not None and 0 <= index < self.plan.units else None
        if self.selected is None:
            self.highlight.hide()
            return
        if self.plan.as_tiles:
            slot = self.slot(self.selected)
            if slot is None:  # a unit not among the tiles shown
                self.highlight.hide()
                return
            top, left = self.tile_origin(slot)
            self.highlight.setRect(QRectF(left - 0.5, top - 0.5, self.side + 1, self.side + 1))
        else:
            self.highlight.setRect(QRectF(0, self.selected, self.plan.inputs, 1))
        self.highlight.show()

    def hit(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(unit, input index) under a scene point, or None outside the weights."""
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = vb.mapSceneToView(scene_pos)
        if self.plan.as_tiles:
            found = mosaic.tile_at(point.y(), point.x(), self.columns, self.tile, mosaic.GAP,
                                   self.title_rows)  # fmt: skip
            if found is None or found[0] >= len(self.shown):
                return None
            slot, y, x = found
            channels = 3 if self.plan.colour else 1  # a colour pixel: its red input
            return int(self.shown[slot]), (y * self.side + x) * channels
        unit, column = math.floor(point.y()), math.floor(point.x())
        if 0 <= unit < self.plan.units and 0 <= column < self.plan.inputs:
            return unit, column
        return None

    def centre(self, index: int) -> QPointF:
        """The scene position of the middle pixel of unit `index`'s tile (or heatmap row)."""
        if self.plan.as_tiles:
            top, left = self.tile_origin(self.slot(index))
            point = QPointF(left + self.side // 2 + 0.5, top + self.side // 2 + 0.5)
        else:
            point = QPointF(self.plan.inputs / 2, index + 0.5)
        return self.plot.getViewBox().mapViewToScene(point)
