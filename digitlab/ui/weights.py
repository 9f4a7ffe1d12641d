"""Live weight images: every neuron's incoming weights, and what the last updates changed.

A layer fed by the 28×28 pixels is drawn as one small image per neuron (the output templates of a
1-layer net, the hidden filters otherwise); every later layer as an (out × in) heatmap. Beside
each panel sits the change since the previous refresh, on its own scale.

Each panel is ONE ImageItem showing a mosaic built with numpy reshapes. Refreshing 100 separate
items ~10×/s costs the GUI thread enough Python time to slow a training thread by a third (the
two compete for the GIL); one mosaic per panel keeps a refresh to a few milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

import digitlab.ui  # noqa: F401  (row-major images)
from digitlab.core.data import Dataset
from digitlab.core.errors import DataError

IMAGE_SIDE = 28
GAP = 1  # blank pixels between tiles (NaN, drawn transparent)
TITLE_ROWS = 7  # blank pixels above each tile, room for its title, when tiles are titled
MAX_TITLED_TILES = 32  # beyond this, titles become clutter: hover shows unit and bias instead
TITLE_FONT_PX = 10
HEADER_PT = 9  # panel headers, bold; the scale note beside them in the muted colour
HEADER_PX = 24
BIAS_TITLE_PX = 56  # tiles narrower than this are titled with the unit only (hover shows bias)
MAX_CELL_PX = 24  # a heatmap row is drawn at most this tall (a 2×2 matrix is no poster)


# --- pure numpy: no Qt below this line until the view ---------------------------------------


def tile(
    images: np.ndarray,
    columns: int,
    gap: int = GAP,
    *,
    title_rows: int = 0,
    fill: float = np.nan,
) -> np.ndarray:
    """Lay (n, h, w) images out row by row, `columns` per row, into one 2-D array.

    Tiles are `gap` pixels apart, each with `title_rows` blank rows above it; blanks hold `fill`
    (NaN draws transparent). Vectorised: one padded copy and a transpose, no loop over tiles.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"tile needs (n, h, w) images, got shape {images.shape}")
    n, h, w = images.shape
    columns = max(1, min(int(columns), max(n, 1)))
    rows = max(1, math.ceil(n / columns))
    cell_h, cell_w = title_rows + h + gap, w + gap
    dtype = np.result_type(images.dtype, np.float32)
    cells = np.full((rows * columns, cell_h, cell_w), fill, dtype=dtype)
    cells[:n, title_rows : title_rows + h, :w] = images
    mosaic = cells.reshape(rows, columns, cell_h, cell_w).transpose(0, 2, 1, 3)
    return mosaic.reshape(rows * cell_h, columns * cell_w)[: rows * cell_h - gap, : -gap or None]


def tile_origin(
    index: int, columns: int, shape: tuple[int, int], gap: int = GAP, title_rows: int = 0
) -> tuple[int, int]:
    """(row, column) in the mosaic of tile `index`'s top-left pixel (below its title band)."""
    h, w = shape
    r, c = divmod(index, columns)
    return r * (title_rows + h + gap) + title_rows, c * (w + gap)


def tile_at(
    row: float,
    col: float,
    columns: int,
    shape: tuple[int, int],
    gap: int = GAP,
    title_rows: int = 0,
) -> tuple[int, int, int] | None:
    """Which tile (index, pixel row, pixel column) covers mosaic point (row, col); None in gaps."""
    h, w = shape
    r, y = divmod(int(math.floor(row)), title_rows + h + gap)
    c, x = divmod(int(math.floor(col)), w + gap)
    y -= title_rows
    if row < 0 or col < 0 or c >= columns or not (0 <= y < h and x < w):
        return None
    return r * columns + c, y, x


def grid_columns(
    n: int, shape: tuple[int, int] = (IMAGE_SIDE, IMAGE_SIDE), aspect: float = 1.0
) -> int:
    """Columns for n tiles of `shape`: a grid near `aspect` (width/height) with few empty cells.

    10 tiles give 5×2 rather than 4+4+2, 16 give 4×4, 300 give 17 columns.
    """
    if n <= 1:
        return 1
    h, w = shape

    def cost(columns: int) -> float:
        rows = math.ceil(n / columns)
        shape_error = abs(math.log(columns * w / (rows * h) / aspect))
        return shape_error + 5.0 * (rows * columns - n) / n

    # Round the cost so 5×2 and 2×5 tie exactly, then the wider grid wins (screens are wide).
    return min(range(n, 0, -1), key=lambda columns: round(cost(columns), 9))


def per_neuron(matrix: np.ndarray) -> np.ndarray:
    """Each row (one neuron's incoming weights) divided by its own max |w|: levels become ±1."""
    peak = np.nanmax(np.abs(matrix), axis=1, keepdims=True) if matrix.size else 1.0
    peak = np.where(np.isfinite(peak) & (peak > 0), peak, 1.0)
    return matrix / peak


def symmetric_limit(values: np.ndarray) -> float:
    """max |value|, or 1 for an empty, all-zero or non-finite array (levels must be a range)."""
    if values.size == 0:
        return 1.0
    with np.errstate(invalid="ignore"):
        peak = float(np.nanmax(np.abs(values))) if not np.isnan(values).all() else 0.0
    return peak if math.isfinite(peak) and peak > 0 else 1.0


# --- the view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSpec:
    """What one panel draws: a layer's weights as tiles (28×28 per neuron) or as a matrix."""

    name: str  # key in WeightView.mosaics(), e.g. 'weights0' or 'deltas1'
    layer: int
    header: str
    as_tiles: bool
    rows: int  # neurons (out)
    inputs: int  # in
    columns: int = 1  # tiles per mosaic row
    titled: bool = False
    row_labels: tuple[str, ...] = ()  # class digits for the output layer's heatmap
    is_delta: bool = False

    @property
    def title_rows(self) -> int:
        return TITLE_ROWS if self.titled else 0


def layer_headers(sizes: list[tuple[int, int]]) -> list[str]:
    """'Output templates (784→10)', 'Hidden filters (784→h)', 'Output weights (h→10)', …"""
    last = len(sizes) - 1
    headers = []
    for i, (out, inp) in enumerate(sizes):
        arrow = f"({inp}→{out})"
        if last == 0:
            headers.append(f"Output templates {arrow}")
        elif i == 0:
            headers.append(f"Hidden filters {arrow}")
        elif i == last:
            headers.append(f"Output weights {arrow}")
        else:
            headers.append(f"Hidden layer {i + 1} weights {arrow}")
    return headers


def plan_panels(sizes: list[tuple[int, int]], classes: tuple[int, ...]) -> list[PanelSpec]:
    """The panels for a net whose layer i has an (out, in) = sizes[i] weight matrix."""
    panels = []
    last = len(sizes) - 1
    for i, ((out, inp), header) in enumerate(zip(sizes, layer_headers(sizes))):
        as_tiles = i == 0 and inp == IMAGE_SIDE * IMAGE_SIDE
        labels = tuple(str(c) for c in classes) if i == last else ()
        common = dict(
            layer=i,
            as_tiles=as_tiles,
            rows=out,
            inputs=inp,
            columns=pick_columns(out, is_output=i == last) if as_tiles else 1,
            titled=as_tiles and out <= MAX_TITLED_TILES,
            row_labels=labels,
        )
        panels.append(PanelSpec(name=f"weights{i}", header=header, **common))
        panels.append(
            PanelSpec(
                name=f"deltas{i}", header="Change since last refresh", is_delta=True, **common
            )
        )
    return panels


def _stack_deltas(panels: list[PanelSpec]) -> bool:
    """Put each layer's deltas under its weights (not beside) when the first layer's tiles form
    a wide mosaic, e.g. a 1-layer net's 5 × 2 class templates: side by side they would be small."""
    first = panels[0]
    if not first.as_tiles:
        return False
    rows = math.ceil(first.rows / first.columns)
    width = first.columns * (IMAGE_SIDE + GAP)
    height = rows * (first.title_rows + IMAGE_SIDE + GAP)
    return width >= 1.5 * height


def pick_columns(n: int, is_output: bool) -> int:
    """Class templates in two rows (0–4 over 5–9); hidden units in a near-square grid."""
    if is_output:
        return n if n <= 5 else math.ceil(n / 2)
    return grid_columns(n, (IMAGE_SIDE + TITLE_ROWS * (n <= MAX_TITLED_TILES), IMAGE_SIDE))


# Blue for negative, red for positive, zero neutral. On a light theme zero is white (ColorBrewer
# RdBu); on a dark one zero is near-black and the extremes are the brightest colours.
LIGHT_DIVERGING = ("#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#ffffff",
                   "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f")  # fmt: skip
DARK_DIVERGING = ("#8fd3ff", "#3d8fd6", "#1d4f86", "#16263b", "#141414",
                  "#3f1a16", "#8c2a1e", "#e0553a", "#ffb08a")  # fmt: skip


def diverging_colormap(dark_background: bool) -> pg.ColorMap:
    """The symmetric map for weights; levels are always ±L so zero lands on the neutral middle."""
    colors = DARK_DIVERGING if dark_background else LIGHT_DIVERGING
    return pg.ColorMap(np.linspace(0.0, 1.0, len(colors)), list(colors), name="diverging")


def unit_ticks(count: int, most: int = 10) -> list[tuple[float, str]]:
    """Integer labels at cell centres, every 1, 2, 5, 10, 20, 50… units so at most `most` show."""
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10**9) if count / s <= most)
    return [(i + 0.5, str(i)) for i in range(0, count, step)]


class _Header(pg.LabelItem):
    """A panel header: a bold title and a muted note ('±0.37'), elided to the width it gets.

    pyqtgraph's LabelItem makes its text width the minimum width of its layout column, so a long
    header pushed the panels beside it out of the view; this one asks for no width at all.
    """

    def __init__(self, title: str, color: QColor) -> None:
        self._title, self._note = title, ""
        self._shown = ""
        super().__init__("", color=color)
        self._title = title  # LabelItem.__init__ went through setText("")
        self._metrics: dict[float, tuple[QFontMetricsF, QFontMetricsF]] = {}
        for points in (HEADER_PT, HEADER_PT - 1):  # (bold title, plain note) at each size
            plain = QFont(self.item.font())
            plain.setPointSizeF(points)
            bold = QFont(plain)
            bold.setBold(True)
            self._metrics[points] = (QFontMetricsF(bold), QFontMetricsF(plain))
        self._muted = QColor(color)
        self._muted.setAlphaF(0.6)
        self._render()

    def set_note(self, note: str) -> None:
        if note != self._note:
            self._note = note
            self._render()

    def plain_text(self) -> str:
        return self.item.toPlainText()

    def _render(self) -> None:
        """Fit title and note into the current width: one point smaller if that is enough, else
        the title is elided (the note goes first when it would take over half the room)."""
        if not hasattr(self, "_metrics"):
            return  # LabelItem.__init__ is still running
        margin = 2 * self.item.document().documentMargin()
        room = self.size().width() - margin if self.size().width() > 0 else 1e9
        gap = "\u2002" if self._note else ""
        points = HEADER_PT
        for points, (bold, plain) in self._metrics.items():  # noqa: B007 - used after the loop
            note_width = plain.horizontalAdvance(gap + self._note)
            if bold.horizontalAdvance(self._title) + note_width <= room:
                title, note = self._title, self._note
                break
        else:
            note = self._note
            if note_width > room / 2:
                note, gap, note_width = "", "", 0.0
            elide = Qt.TextElideMode.ElideRight
            title = bold.elidedText(self._title, elide, max(room - note_width, 0.0))
        muted = self._muted.name(QColor.NameFormat.HexArgb)
        html = (
            f"<span style='font-size:{points}pt; font-weight:bold'>{title}</span>"
            f"<span style='font-size:{points}pt; color:{muted}'>{gap}{note}</span>"
        )
        if html != self._shown:  # re-laying out text is the costly part of a refresh
            self._shown = html
            self.item.setHtml(f"<span style='color:{self.opts['color'].name()}'>{html}</span>")
            super().resizeEvent(None)

    def setText(self, text: str, **args: object) -> None:  # noqa: N802 - pyqtgraph's name
        """LabelItem API: replaces the title."""
        self._title = text
        self._render()

    def resizeEvent(self, ev: object) -> None:  # noqa: N802 - Qt's name
        self._render()
        super().resizeEvent(ev)

    def updateMin(self) -> None:  # noqa: N802 - pyqtgraph's name
        """Height of one line of text; no minimum width (the text elides instead)."""
        height = self.item.boundingRect().height()
        self.setMinimumWidth(0)
        self.setMinimumHeight(height)
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (0, height),
            Qt.SizeHint.PreferredSize: (0, height),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()


class _Panel:
    """One header + one plot holding one ImageItem (+ tile titles when there are few tiles)."""

    def __init__(
        self,
        spec: PanelSpec,
        layout: pg.GraphicsLayout,
        row: int,
        column: int,
        colormap: pg.ColorMap,
        foreground: QColor,
    ) -> None:
        self.spec = spec
        self.foreground = foreground
        self.header = _Header(spec.header, foreground)
        layout.addItem(self.header, row=row, col=column)
        self.header.setMaximumHeight(HEADER_PX)  # spare height goes to the images, not headers
        self.plot: pg.PlotItem = layout.addPlot(row=row + 1, col=column)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(colormap)
        self.plot.addItem(self.image)
        self.titles: list[pg.TextItem] = []
        self.biases: np.ndarray | None = None
        self.roomy = True  # tiles wide enough for 'unit  bias' titles
        self.current = np.zeros((0, 0), dtype=np.float32)
        self.limit = 1.0
        if spec.as_tiles:
            self._set_up_tiles()
        else:
            self._set_up_matrix()

    def _set_up_tiles(self) -> None:
        spec = self.spec
        for axis in ("left", "bottom"):
            self.plot.hideAxis(axis)
        self.plot.setAspectLocked(True, 1.0)
        self.plot.disableAutoRange()
        self.plot.getViewBox().sigResized.connect(self._fit_to_top)
        self._fit_to_top()
        if not spec.titled:
            return
        for i in range(spec.rows):
            top, left = tile_origin(i, spec.columns, (IMAGE_SIDE, IMAGE_SIDE), GAP, TITLE_ROWS)
            text = pg.TextItem(self._static_title(i), color=self.foreground, anchor=(0.5, 1.0))
            font = text.textItem.font()
            font.setPixelSize(TITLE_FONT_PX)
            text.setFont(font)
            text.setPos(left + IMAGE_SIDE / 2, top + 0.5)
            self.plot.addItem(text)
            self.titles.append(text)

    def _fit_to_top(self, *_args: object) -> None:
        """Fit the mosaic, centred across but at the top: spare height goes below the tiles, so
        they stay next to their header (a centred view leaves a gap under the header)."""
        height, width = self._mosaic_shape()
        pad = 1.0
        height, width = height + 2 * pad, width + 2 * pad
        box = self.plot.getViewBox().size()
        if box.width() > 0:  # no taller than the tiles need at this width: spare height goes on
            chrome = self.plot.size().height() - box.height()
            self.plot.setMaximumHeight(chrome + box.width() * height / width)
        if box.width() <= 0 or box.height() <= 0:
            self.plot.setRange(xRange=(-pad, width - pad), yRange=(-pad, height - pad), padding=0)
            return
        scale = min(box.width() / width, box.height() / height)
        roomy = scale * IMAGE_SIDE >= BIAS_TITLE_PX
        if roomy != self.roomy:
            self.roomy = roomy
            self.show_biases(self.biases)
        shown_w, shown_h = box.width() / scale, box.height() / scale
        left = -pad - (shown_w - width) / 2
        self.plot.setRange(xRange=(left, left + shown_w), yRange=(-pad, shown_h - pad), padding=0)

    def _set_up_matrix(self) -> None:
        """Cells fill the panel (a 10×300 matrix drawn square would be a thin strip); the axes
        name the rows (classes) and columns (units) at cell centres."""
        spec = self.spec
        self.plot.setRange(xRange=(0, spec.inputs), yRange=(0, spec.rows), padding=0)
        self.plot.disableAutoRange()
        self.plot.setMaximumHeight(60 + MAX_CELL_PX * spec.rows)
        left, bottom = self.plot.getAxis("left"), self.plot.getAxis("bottom")
        for axis in (left, bottom):
            axis.setPen(self.foreground)
            axis.setTextPen(self.foreground)
            axis.setStyle(tickLength=-3)
        if spec.row_labels:
            left.setTicks([[(r + 0.5, label) for r, label in enumerate(spec.row_labels)]])
        else:
            left.setTicks([unit_ticks(spec.rows)])
        bottom.setTicks([unit_ticks(spec.inputs)])
        color = self.foreground.name()
        bottom.setLabel("hidden unit" if spec.layer else "input", color=color)
        left.setLabel("class" if spec.row_labels else f"layer {spec.layer + 1} unit", color=color)

    def _static_title(self, index: int) -> str:
        return self.spec.row_labels[index] if self.spec.row_labels else str(index)

    def _mosaic_shape(self) -> tuple[int, int]:
        spec = self.spec
        rows = math.ceil(spec.rows / spec.columns)
        return (
            rows * (spec.title_rows + IMAGE_SIDE + GAP) - GAP,
            spec.columns * (IMAGE_SIDE + GAP) - GAP,
        )

    def show(self, matrix: np.ndarray | None, shared: bool) -> None:
        """Draw an (out, in) matrix; None draws zeros (no delta yet)."""
        spec = self.spec
        if matrix is None:
            matrix = np.zeros((spec.rows, spec.inputs), dtype=np.float32)
        values = matrix if shared else per_neuron(matrix)
        self.limit = symmetric_limit(values)
        if spec.as_tiles:
            images = values.reshape(spec.rows, IMAGE_SIDE, IMAGE_SIDE)
            self.current = tile(images, spec.columns, GAP, title_rows=spec.title_rows)
        else:
            self.current = np.asarray(values, dtype=np.float32)
        self.image.setImage(self.current, levels=(-self.limit, self.limit), autoLevels=False)
        if not np.any(values):
            scale = "no change" if spec.is_delta else "all zero"
        else:
            scale = f"±{self.limit:.3g}" if shared else "each neuron ±1"
        self.header.set_note(scale)

    def show_biases(self, biases: np.ndarray | None) -> None:
        """Hidden filters carry their bias in the title: 'unit  +0.12'."""
        self.biases = biases
        if not self.titles or self.spec.row_labels or self.spec.is_delta or biases is None:
            return
        for i, (text, bias) in enumerate(zip(self.titles, biases)):
            title = f"{i}  {bias:+.2f}" if self.roomy else str(i)  # small tiles: hover for bias
            if title != text.toPlainText():
                text.setText(title)

    def titles_text(self) -> list[str]:
        return [text.toPlainText() for text in self.titles]

    def describe_point(self, scene_pos: QPointF, matrix: np.ndarray, biases: np.ndarray) -> str:
        """What is under the mouse: unit/class, pixel or input, its value and the unit's bias."""
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return ""
        point = vb.mapSceneToView(scene_pos)
        spec = self.spec
        symbol = "Δw" if spec.is_delta else "w"
        if spec.as_tiles:
            hit = tile_at(
                point.y(), point.x(), spec.columns, (IMAGE_SIDE, IMAGE_SIDE), GAP, spec.title_rows
            )
            if hit is None or hit[0] >= spec.rows:
                return ""
            unit, y, x = hit
            value = matrix[unit, y * IMAGE_SIDE + x]
            where = f"pixel ({y}, {x})"
        else:
            unit, x = int(math.floor(point.y())), int(math.floor(point.x()))
            if not (0 <= unit < spec.rows and 0 <= x < spec.inputs):
                return ""
            value = matrix[unit, x]
            where = f"input {x}" if spec.layer == 0 else f"unit {x}"
        name = f"class {spec.row_labels[unit]}" if spec.row_labels else f"unit {unit}"
        bias = f" · bias {biases[unit]:+.4f}" if unit < len(biases) else ""
        return f"{name} ← {where}: {symbol} = {value:+.4g}{bias}"


class WeightView(QWidget):
    """The weights of every layer and their change since the previous refresh, updated in place.

    Items are built once per architecture; later calls to `show_weights` only swap image data.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Window)
        self._foreground = palette.color(QPalette.ColorRole.WindowText)
        self._colormap = diverging_colormap(background.lightness() < 128)

        self._shared = QCheckBox("Shared scale")
        self._shared.setChecked(True)
        self._shared.setToolTip(
            "Checked: one ±max over all neurons of a panel, so strong and weak neurons compare.\n"
            "Unchecked: each neuron scaled by its own max |w|, so every pattern is visible."
        )
        self._shared.toggled.connect(self._redraw)
        self._hover = QLabel()
        self._hover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Long hover texts must not widen the window: the label takes the width it is given.
        self._hover.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        controls = QHBoxLayout()
        controls.addWidget(self._shared)
        controls.addSpacing(8)
        controls.addWidget(QLabel("−"))
        controls.addWidget(self._legend())
        controls.addWidget(QLabel("+"))
        controls.addSpacing(8)
        controls.addWidget(self._hover, 1)

        self._canvas = pg.GraphicsLayoutWidget()
        self._canvas.setBackground(background)
        self._canvas.ci.setSpacing(4)
        self._canvas.scene().sigMouseMoved.connect(self._on_mouse_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self._canvas, 1)

        self._panels: dict[str, _Panel] = {}
        self._architecture: tuple | None = None
        self._data: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray] | None] | None = None

    def _legend(self) -> QLabel:
        """A small static colour bar: the map is fixed, only the ± numbers in headers change."""
        pixmap = QPixmap(72, 12)
        gradient = QLinearGradient(0, 0, pixmap.width(), 0)
        for position, color in zip(*self._colormap.getStops(mode=pg.ColorMap.QCOLOR)):
            gradient.setColorAt(float(position), color)
        painter = QPainter(pixmap)
        painter.fillRect(pixmap.rect(), gradient)
        painter.end()
        legend = QLabel()
        legend.setPixmap(pixmap)
        legend.setToolTip("Negative weights blue, zero neutral, positive red")
        return legend

    # --- public API ------------------------------------------------------------------------

    def show_weights(
        self,
        weights: list[np.ndarray],
        biases: list[np.ndarray],
        deltas: list[np.ndarray] | None,
        classes: tuple[int, ...],
    ) -> None:
        """Draw a snapshot's weights (layer i: (out, in)) and deltas; cheap when shapes repeat."""
        if not weights:
            self.clear()
            return
        sizes = [tuple(int(s) for s in np.shape(w)) for w in weights]
        k = sizes[-1][0]
        classes = tuple(classes) if len(classes) == k else tuple(range(k))
        if deltas is not None and [np.shape(d) for d in deltas] != sizes:
            deltas = None
        if (sizes, classes) != self._architecture:
            self._rebuild(sizes, classes)
        self._data = (list(weights), list(biases), deltas)
        self._redraw()

    def clear(self) -> None:
        """Remove every panel (no model)."""
        self._canvas.clear()
        self._panels = {}
        self._architecture = None
        self._data = None
        self._hover.clear()

    def set_shared_scale(self, shared: bool) -> None:
        """One ±max per panel (True) or each neuron normalised by its own max |w| (False)."""
        self._shared.setChecked(shared)

    def shared_scale(self) -> bool:
        return self._shared.isChecked()

    def mosaics(self) -> dict[str, np.ndarray]:
        """The arrays being shown, by panel name ('weights0', 'deltas0', …): for tests."""
        return {name: panel.current for name, panel in self._panels.items()}

    def levels(self) -> dict[str, float]:
        """Each panel's symmetric colour limit L (levels are −L…+L)."""
        return {name: panel.limit for name, panel in self._panels.items()}

    def image_item(self, name: str) -> pg.ImageItem:
        return self._panels[name].image

    def tile_titles(self, name: str) -> list[str]:
        """The titles drawn above the tiles of a panel (empty when there are too many tiles)."""
        return self._panels[name].titles_text()

    def headers(self) -> dict[str, str]:
        return {name: panel.spec.header for name, panel in self._panels.items()}

    def describe(self, name: str, scene_pos: QPointF) -> str:
        """The hover text for a scene position over panel `name` ('' when over nothing)."""
        if self._data is None or name not in self._panels:
            return ""
        panel = self._panels[name]
        weights, biases, deltas = self._data
        source = deltas if panel.spec.is_delta else weights
        if source is None:
            return ""
        return panel.describe_point(scene_pos, source[panel.spec.layer], biases[panel.spec.layer])

    def panel_center(self, name: str, tile: int = 0) -> QPointF:
        """Scene position of the middle of a tile (or matrix row): lets tests hover precisely."""
        spec = self._panels[name].spec
        if spec.as_tiles:
            top, left = tile_origin(
                tile, spec.columns, (IMAGE_SIDE, IMAGE_SIDE), GAP, spec.title_rows
            )
            point = QPointF(left + IMAGE_SIDE / 2, top + IMAGE_SIDE / 2)
        else:
            point = QPointF(spec.inputs // 2 + 0.5, tile + 0.5)
        return self._panels[name].plot.getViewBox().mapViewToScene(point)

    # --- internals -------------------------------------------------------------------------

    def _rebuild(self, sizes: list[tuple[int, int]], classes: tuple[int, ...]) -> None:
        self._canvas.clear()
        self._panels = {}
        layout = self._canvas.ci
        panels = plan_panels(sizes, classes)
        stacked = _stack_deltas(panels)
        grid = layout.layout
        for spec in panels:
            if stacked:  # weights over deltas, one column: wide mosaics get the full width
                row, column = 4 * spec.layer + 2 * int(spec.is_delta), 0
            else:  # weights beside deltas
                row, column = 2 * spec.layer, int(spec.is_delta)
            panel = _Panel(spec, layout, row, column, self._colormap, self._foreground)
            self._panels[spec.name] = panel
            # Filters get the room; matrices by their rows.
            stretch = 3 if spec.layer == 0 else int(np.clip(spec.rows / 5, 1, 3))
            grid.setRowStretchFactor(row + 1, stretch)
        for column in range(1 if stacked else 2):
            grid.setColumnStretchFactor(column, 1)
        self._architecture = (sizes, classes)

    def _redraw(self) -> None:
        if self._data is None:
            return
        weights, biases, deltas = self._data
        shared = self._shared.isChecked()
        for panel in self._panels.values():
            layer = panel.spec.layer
            if panel.spec.is_delta:
                panel.show(None if deltas is None else np.asarray(deltas[layer]), shared)
            else:
                panel.show(np.asarray(weights[layer]), shared)
                panel.show_biases(biases[layer] if layer < len(biases) else None)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        for name in self._panels:
            text = self.describe(name, scene_pos)
            if text:
                self._hover.setText(text)
                return
        self._hover.clear()


# --- demo: python -m digitlab.ui.weights ----------------------------------------------------


def _demo_dataset() -> Dataset:
    """Real MNIST when it is on disk, else synthetic strokes (the demo must run offline)."""
    import torch

    from digitlab.core.data import Split, load_dataset

    try:
        return load_dataset("mnist", download=False)
    except DataError:  # missing or unreadable: use synthetic data
        generator = torch.Generator().manual_seed(0)
        labels = torch.arange(4096) % 10
        images = torch.randint(0, 40, (4096, 28, 28), generator=generator)
        for c in range(10):
            images[labels == c, 4 + 2 * c : 6 + 2 * c, 4:24] += 200
        split = Split(images.clamp(0, 255).to(torch.uint8), labels)
        return Dataset(name="synthetic", train=split, test=split, classes=tuple(range(10)))


def main() -> None:
    """Two views side by side, a 784→10 and a 784→16→10 net, trained live by real workers."""
    from PySide6.QtWidgets import QApplication

    from digitlab.core.model import ModelSpec, new_model
    from digitlab.core.training import TrainConfig
    from digitlab.ui.tasks import run_in_background
    from digitlab.ui.worker import TrainingWorker

    app = QApplication.instance() or QApplication([])
    window = QWidget()
    window.setWindowTitle("digitlab — weights (demo, loading data…)")
    row = QHBoxLayout(window)
    views = [WeightView(), WeightView()]
    for view in views:
        row.addWidget(view)
    workers: list[TrainingWorker] = []

    def begin(dataset: Dataset) -> None:
        window.setWindowTitle(f"digitlab — weights (demo, {dataset.name})")
        for view, hidden in zip(views, ((), (16,))):
            worker = TrainingWorker(window)
            worker.snapshot.connect(
                lambda s, v=view: v.show_weights(s.weights, s.biases, s.deltas, dataset.classes)
            )
            model = new_model(ModelSpec(hidden=hidden), seed=0)
            worker.start(model, dataset, TrainConfig(epochs=3, snapshot_seconds=0.08))
            workers.append(worker)

    run_in_background(
        _demo_dataset, begin, lambda message: window.setWindowTitle(f"digitlab — {message}")
    )
    window.resize(1400, 700)
    window.show()
    app.exec()
    for worker in workers:
        worker.close()


if __name__ == "__main__":
    main()
