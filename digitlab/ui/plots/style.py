"""One look for every plot: palette, the diverging colour map with its colour bar, axes.

Importing this module configures pyqtgraph once (row-major images, antialiasing). Colours follow
the widget palette, so plots suit a light or a dark desktop theme.
"""

from __future__ import annotations

import enum
import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from digitlab.ui.plots.weight_panels import WeightPanel

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)

ACCENT = QColor("#2f81f7")  # the answer, the current selection
NEUTRAL = QColor("#8b949e")  # bars that are not the answer
TRAIN = QColor("#2f81f7")
TRAIN_ACCURACY = QColor("#d29922")
TEST = QColor("#3fb950")
ERROR = QColor("#d1242f")
# One colour per digit in scatter plots (matplotlib's tab10: distinct, and familiar).
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip
GUIDE = QColor(120, 160, 220, 160)  # faint guides (the 20 px box, target centre)

# Blue for negative, red for positive, zero neutral. On a light theme zero is white (ColorBrewer
# RdBu); on a dark one zero is near-black and the extremes are the brightest colours.
LIGHT_DIVERGING = ("#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#ffffff",
                   "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f")  # fmt: skip
DARK_DIVERGING = ("#8fd3ff", "#3d8fd6", "#1d4f86", "#16263b", "#141414",
                  "#3f1a16", "#8c2a1e", "#e0553a", "#ffb08a")  # fmt: skip


# The window's text zoom (View → Zoom; `ui.zoom`) is kept on the application object, so a plot
# made at any time can read it without importing the window. `plots.text_zoom` applies it to the
# text pyqtgraph items already hold; code that picks a point size of its own, or measures text
# to fit it, multiplies by it (`points`).
ZOOM_PROPERTY = "digitlab_zoom"
ZOOM_RANGE = (0.5, 4.0)


def font_scale() -> float:
    """The text zoom factor (1.0 at 100 %), whatever the application object holds."""
    app = QCoreApplication.instance()
    value = app.property(ZOOM_PROPERTY) if app is not None else None
    ok = isinstance(value, (int, float)) and ZOOM_RANGE[0] <= value <= ZOOM_RANGE[1]
    return float(value) if ok else 1.0


def points(size: float) -> float:
    """A point size at the window's zoom: `points(9)` is 13.5 at 150 %."""
    return size * font_scale()


def colours(widget: QWidget) -> tuple[QColor, QColor, QColor]:
    """(background, text, faint text) from a widget's palette."""
    palette = widget.palette()
    return (
        palette.color(QPalette.ColorRole.Base),
        palette.color(QPalette.ColorRole.Text),
        palette.color(QPalette.ColorRole.PlaceholderText),
    )


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def diverging_colormap(dark_background: bool = False) -> pg.ColorMap:
    """The symmetric map for weights; levels are always ±L so zero lands on the neutral middle."""
    stops = DARK_DIVERGING if dark_background else LIGHT_DIVERGING
    return pg.ColorMap(np.linspace(0.0, 1.0, len(stops)), list(stops), name="diverging")


def style_axes(plot: pg.PlotItem, text: QColor, faint: QColor) -> None:
    """Faint axis lines, readable labels, no auto SI prefixes ('×0.001' on a loss axis)."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(faint))
        axis.setTextPen(pg.mkPen(text))
        axis.enableAutoSIPrefix(False)


def quiet_plot(plot: pg.PlotItem) -> None:
    """No context menu, no auto-range button, no mouse panning: a display, not an editor."""
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMouseEnabled(x=False, y=False)


def colour_bar(colormap: pg.ColorMap, label: str = "") -> pg.ColorBarItem:
    """A vertical colour bar for symmetric weight levels; `set_bar_levels` keeps it in step.
    Its ticks are plain numbers in the real unit: pyqtgraph's automatic SI prefix turned ±0.8
    into ticks ±800 and a label 'push on the logit (x0.001)'."""
    bar = pg.ColorBarItem(
        values=(-1.0, 1.0),
        colorMap=colormap,
        interactive=False,
        width=12,
        label=label,
        rounding=1e-6,
    )
    bar.axis.enableAutoSIPrefix(False)
    return bar


def set_bar_levels(bar: pg.ColorBarItem, limit: float, label: str) -> None:
    """Show ±limit on the bar and say what the limit is ('99th percentile of |w|')."""
    bar.setLevels(low=-limit, high=limit)
    bar.axis.setLabel(label)


NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
KEEP_FRACTION = 0.55  # a limit is kept while the new one stays above this share of it


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k that is ≥ value (> 0)."""
    if not (value > 0 and np.isfinite(value)):
        return 1.0
    exponent = np.floor(np.log10(value))
    scaled = value / 10.0**exponent
    step = next(s for s in NICE_STEPS if s >= scaled * (1 - 1e-9))
    return float(step * 10.0**exponent)


def steady_limit(previous: float | None, new: float) -> float:
    """Colour levels that do not flicker from one refresh to the next: a nice number at or above
    the new limit, and the previous one as long as the new limit stays within
    (KEEP_FRACTION, 1] of it. Fewer level changes also mean fewer colour-bar redraws, which
    cost more than the images themselves while training."""
    if previous is not None and KEEP_FRACTION * previous <= new <= previous:
        return previous
    return nice_ceiling(new)


def steady_range(
    previous: tuple[float, float] | None, low: float, high: float
) -> tuple[float, float]:
    """An axis range that does not jitter while the data moves a little: the previous range
    while it holds [low, high] and the data spans more than KEEP_FRACTION of it; else [low, high]
    widened by a tenth of its span each side and rounded out to nice steps. (Each new range also
    redraws the axis, ≈ 4 ms, and every point under it.)"""
    if not (np.isfinite(low) and np.isfinite(high)) or high < low:
        return previous or (-1.0, 1.0)
    span = high - low
    if previous is not None:
        first, last = previous
        if first <= low and high <= last and span >= KEEP_FRACTION * (last - first):
            return previous
    pad = 0.1 * span if span > 0 else 0.1 * max(abs(low), 1.0)
    step = nice_ceiling((span + 2 * pad) / 8)
    return float(np.floor((low - pad) / step) * step), float(np.ceil((high + pad) / step) * step)


def grown_range(
    previous: tuple[float, float] | None, low: float, high: float
) -> tuple[float, float]:
    """An axis range that never shrinks: the previous one while it holds [low, high], else the
    steady range of both together (a run's moments, scrubbed back and forth, on one axis)."""
    if previous is None or not (np.isfinite(low) and np.isfinite(high)):
        return steady_range(previous, low, high)
    first, last = previous
    if first <= low and high <= last:
        return previous
    return steady_range(None, min(first, low), max(last, high))


def symmetric_limit(values: np.ndarray, percentile: float | None = None) -> float:
    """max |value| (or its percentile), or 1 for empty, all-zero or non-finite arrays."""
    finite = np.abs(values[np.isfinite(values)]) if values.size else np.empty(0)
    if finite.size == 0:
        return 1.0
    if percentile:  # np.percentile's linear interpolation, by partition: ~10× cheaper here
        position = percentile / 100 * (finite.size - 1)
        low, high = int(np.floor(position)), int(np.ceil(position))
        ranked = np.partition(finite.reshape(-1), [low, high])
        limit = float(ranked[low] + (ranked[high] - ranked[low]) * (position - low))
    else:
        limit = float(finite.max())
    if limit <= 0:
        limit = float(finite.max())
    return limit if limit > 0 else 1.0


# Weight colour scales: the weights view's choice, the unit detail's robust levels.
ROBUST_PERCENTILE = 99.0
SAMPLE_LIMIT = 1 << 16  # the percentile of a bigger layer is taken on a strided sample


class Scale(enum.Enum):
    """How weights map to colours; the robust default keeps templates from washing out."""

    ROBUST = "robust"
    MAXIMUM = "maximum"
    EACH_UNIT = "each unit"


SCALE_LABELS = {Scale.ROBUST: "Robust", Scale.MAXIMUM: "Maximum", Scale.EACH_UNIT: "Each unit"}


def robust_limit(values: np.ndarray, percentile: float = ROBUST_PERCENTILE) -> float:
    """The percentile of |values|: exact up to SAMPLE_LIMIT values, else on a strided sample
    (a stride coprime to the row length, so every pixel position is sampled), to stay cheap."""
    flat = np.asarray(values).reshape(-1)
    if flat.size > SAMPLE_LIMIT:
        stride = math.ceil(flat.size / SAMPLE_LIMIT)
        row = values.shape[-1] if values.ndim > 1 else 1
        while math.gcd(stride, row) > 1:
            stride += 1
        flat = flat[::stride]
    return symmetric_limit(flat, percentile)


def per_unit(matrix: np.ndarray) -> np.ndarray:
    """Each row (one unit's incoming weights) divided by its own max |w|: levels become ±1."""
    peak = np.abs(matrix).max(axis=1, keepdims=True) if matrix.size else np.ones((0, 1))
    return matrix / np.where(np.isfinite(peak) & (peak > 0), peak, 1.0)


def scale_values(
    matrix: np.ndarray, scale: Scale, symbol: str = "w", previous: WeightPanel | None = None
) -> tuple[np.ndarray, float, str]:
    """(values to draw, limit L for levels ±L, the colour bar's label saying which scale).

    L is a nice number kept steady across refreshes of the same panel and scale
    (`steady_limit`), so colours do not flicker while training."""
    if scale is Scale.EACH_UNIT:
        return per_unit(matrix), 1.0, "each unit ±1"
    if scale is Scale.MAXIMUM:
        raw, what = symmetric_limit(matrix), f"max |{symbol}|"
    else:
        raw, what = robust_limit(matrix), f"99th percentile of |{symbol}|"
    same_kind = previous is not None and previous.label.endswith(what)
    limit = steady_limit(previous.limit if same_kind else None, raw)
    return matrix, limit, f"±{limit:.2g} · {what}"
