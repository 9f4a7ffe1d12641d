"""The robustness figure: accuracy against each perturbation, models overlaid, and the shift
heatmaps of one model with the preprocessing on and off.

One colour per model; solid lines with the window's preprocessing, dashed without. Everything is
updated in place as a sweep fills in (`set_result` with a partial result). The command line
renders the same figure offscreen for `digitlab robustness --png`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

from digitlab.core.conditions import UNITS, SweepResult
from digitlab.ui.plots import style

CURVES = ("rotation", "scale", "pen", "noise")
RANGES = {"rotation": (-45, 45), "scale": (0.5, 1.5), "pen": (-2, 3), "noise": (0, 0.5)}
HINT = (
    "Tick the models to compare and press Run sweep:<br>"
    "accuracy on the test digits, 84 ways distorted"
)
TITLES = {
    "rotation": "rotation (°)",
    "scale": "scale (×)",
    "pen": "pen (px each side)",
    "noise": "noise (σ)",
}
MODEL_COLOURS = ("#2f81f7", "#d29922", "#3fb950", "#d1242f", "#a371f7", "#db61a2")


def heat_colour(accuracy: float) -> tuple[int, int, int, int]:
    """Red at 60 % and below, yellow at 90 %, green at 100 % (the differences that matter are
    near the top); grey for not measured."""
    if not np.isfinite(accuracy):
        return (128, 128, 128, 80)
    a = float(accuracy)
    if a >= 0.9:
        red, green = (1.0 - a) / 0.1, 1.0
    else:
        red, green = 1.0, float(np.clip((a - 0.6) / 0.3, 0.0, 1.0))
    return (int(70 + 160 * red), int(70 + 140 * green), 70, 255)


TICK_GAP_PX = 8  # the least room between two tick labels of a heatmap axis


def shift_text(value: float) -> str:
    return f"{value:+g}" if value else "0"


def spaced_ticks(values: list[float], cell_px: float, label_px: float) -> list[tuple[int, str]]:
    """(index, text) of every `step`-th cell, counted from the no-shift one, with `step` the
    smallest that gives each label `label_px` (plus a gap) of room: labels never run
    together ('-6420246'), and 0 is always labelled."""
    n = len(values)
    centre = next((i for i, v in enumerate(values) if v == 0), n // 2)
    step = next((s for s in range(1, n) if s * cell_px >= label_px + TICK_GAP_PX), max(n, 1))
    return [(i, shift_text(v)) for i, v in enumerate(values) if (i - centre) % step == 0]


class ShiftHeatmap:
    """A (dy, dx) grid of accuracies with each cell's percentage written in it."""

    def __init__(self, plot: pg.PlotItem, text: QColor) -> None:
        self.plot, self._text = plot, text
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        plot.setAspectLocked(True)
        plot.invertY(True)
        self._labels: list[pg.TextItem] = []
        self._values: list[float] = []
        self._ticks: tuple | None = None  # the tick labels shown on (bottom, left)
        self._font = QFont()
        self._font.setPointSizeF(7.5)
        plot.vb.sigResized.connect(self._fit_labels)

    def set_grid(self, values: list[float], grid: np.ndarray) -> None:
        n = len(values)
        rgba = np.array([[heat_colour(a) for a in row] for row in grid], np.uint8)
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.image.setRect(-0.5, -0.5, n, n)
        if values != self._values:
            self._values = list(values)
            for label in self._labels:
                self.plot.removeItem(label)
            self._labels = []
            for i in range(n * n):
                label = pg.TextItem(anchor=(0.5, 0.5), color=(20, 20, 20))
                label.setFont(self._font)
                label.setPos(i % n, i // n)
                self.plot.addItem(label)
                self._labels.append(label)
            self._ticks = None
        for label, accuracy in zip(self._labels, grid.ravel()):
            label.setText("" if not np.isfinite(accuracy) else f"{100 * accuracy:.0f}")
        self._fit_labels()

    def _fit_labels(self, *_) -> None:
        """Numbers only in cells wide enough to hold them (the colours still tell)."""
        n = max(len(self._values), 1)
        side = min(self.plot.vb.width(), self.plot.vb.height()) / n
        for label in self._labels:
            label.setVisible(side >= 20)
        self._fit_ticks(side)

    def _fit_ticks(self, side: float) -> None:
        """As many tick labels as fit side by side (x) and one above another (y)."""
        axis = self.plot.getAxis("bottom")
        metrics = QFontMetricsF(axis.style.get("tickFont") or QFont())
        widest = max((metrics.horizontalAdvance(shift_text(v)) for v in self._values), default=0)
        side *= 0.95  # the view's padding around the cells
        ticks = (spaced_ticks(self._values, side, widest),
                 spaced_ticks(self._values, side, metrics.height()))  # fmt: skip
        if ticks != self._ticks:  # new ticks redraw the axes: only when they change
            self._ticks = ticks
            axis.setTicks([ticks[0]])
            self.plot.getAxis("left").setTicks([ticks[1]])

    def tick_labels(self) -> tuple[list[str], list[str]]:
        """The (x, y) tick labels on show, for tests."""
        bottom, left = self._ticks or ([], [])
        return [text for _, text in bottom], [text for _, text in left]


class _Key(pg.LabelItem):
    """A label that never widens the figure: pyqtgraph's asks for its whole text's width, and a
    long key made the plots wider than the view."""

    def updateMin(self) -> None:  # noqa: N802 - pyqtgraph's name
        super().updateMin()
        self.setMinimumWidth(0)
        self.setPreferredWidth(0)


class RobustnessFigure(pg.GraphicsLayoutWidget):
    """Four accuracy curves and two shift heatmaps, for a `SweepResult` (partial or whole)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        background, self._text, faint = style.colours(self)
        self.setBackground(background)
        self.curves: dict[str, pg.PlotItem] = {}
        for index, kind in enumerate(CURVES):
            plot = self.addPlot(row=1 + index // 2, col=index % 2, title=TITLES[kind])
            style.style_axes(plot, self._text, faint)
            style.quiet_plot(plot)
            plot.setYRange(0, 100, padding=0.02)
            plot.setXRange(*RANGES[kind], padding=0.04)  # steady while a sweep fills in
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("left", "accuracy %")
            self.curves[kind] = plot
        # The key above the plots, not over a curve: one colour per model, dashed = raw.
        self.key = _Key("", size="9pt")
        self.addItem(self.key, row=0, col=0, colspan=2)
        self._set_key(HINT)
        self.heatmaps: dict[bool, ShiftHeatmap] = {}
        for col, preprocess in enumerate((True, False)):
            title = "shift (px), " + ("preprocessed" if preprocess else "raw")
            plot = self.addPlot(row=3, col=col, title=title)
            style.style_axes(plot, self._text, faint)
            style.quiet_plot(plot)
            self.heatmaps[preprocess] = ShiftHeatmap(plot, self._text)
        self.ci.layout.setRowStretchFactor(3, 2)  # the heatmaps need room for their numbers
        self._lines: dict[tuple[int, bool, str], pg.PlotDataItem] = {}
        self._models: list[str] = []
        self.heatmap_model = 0

    def clear_result(self) -> None:
        for plot in self.curves.values():
            for line in list(plot.listDataItems()):
                plot.removeItem(line)
        self._set_key(HINT)
        self._lines.clear()
        self._models = []

    def set_result(self, result: SweepResult, heatmap_model: int | None = None) -> None:
        """Draw `result` (in place: lines keep their items as the sweep fills in)."""
        if result.models != self._models:
            self.clear_result()
            self._models = list(result.models)
            self._set_key(self._key_text(result))
        if heatmap_model is not None:
            self.heatmap_model = heatmap_model
        for m in range(len(result.models)):
            colour = QColor(MODEL_COLOURS[m % len(MODEL_COLOURS)])
            for preprocess in result.preprocessing:
                for kind in CURVES:
                    if not any(c.kind == kind for c in result.conditions):
                        continue
                    values, accuracy = result.curve(m, preprocess, kind)
                    key = (m, preprocess, kind)
                    line = self._lines.get(key)
                    if line is None:
                        pen = QPen(colour, 2)
                        pen.setCosmetic(True)
                        if not preprocess:
                            pen.setStyle(Qt.PenStyle.DashLine)
                        line = self.curves[kind].plot(
                            pen=pen, symbol="o", symbolSize=5, symbolBrush=colour, symbolPen=None
                        )
                        self._lines[key] = line
                    measured = np.isfinite(accuracy)  # a sweep under way: NaN for the rest
                    line.setData(np.asarray(values, float)[measured], 100 * accuracy[measured])
        self._draw_heatmaps(result)

    def _set_key(self, html: str) -> None:
        self.key.setText(html)

    @staticmethod
    def _key_text(result: SweepResult) -> str:
        names = [
            f'<span style="color:{MODEL_COLOURS[m % len(MODEL_COLOURS)]}">━━ {name}</span>'
            for m, name in enumerate(result.models)
        ]
        both = len(result.preprocessing) > 1
        how = (
            "solid: preprocessing on, dashed: off"
            if both
            else ("preprocessing on" if result.preprocessing[0] else "preprocessing off")
        )
        return "&nbsp;&nbsp;".join(names) + f"<br>{how}"

    def _draw_heatmaps(self, result: SweepResult) -> None:
        has_shifts = any(c.kind == "shift" for c in result.conditions)
        model = min(self.heatmap_model, len(result.models) - 1)
        for preprocess, heatmap in self.heatmaps.items():
            shown = has_shifts and preprocess in result.preprocessing and model >= 0
            heatmap.plot.setVisible(shown)
            if shown:
                values, grid = result.shift_grid(model, preprocess)
                heatmap.set_grid(values, grid)
                kind = "preprocessed" if preprocess else "raw"
                heatmap.plot.setTitle(f"{result.models[model]}<br>shift (px), {kind}")


def result_table(result: SweepResult) -> str:
    """Every number of a sweep as tab-separated text: one row per model, setting, condition."""
    from digitlab.ui.widgets.export import table_text

    rows = []
    for m, model in enumerate(result.models):
        for p, preprocess in enumerate(result.preprocessing):
            for c, condition in enumerate(result.conditions):
                value = condition.value
                shown = ",".join(f"{v:g}" for v in value) if isinstance(value, tuple) else value
                setting = "on" if preprocess else "off"
                accuracy = float(result.accuracy[m, p, c])
                rows.append(
                    [model, setting, condition.kind, f"{shown}{UNITS[condition.kind]}", accuracy]
                )
    return table_text(["model", "preprocessing", "perturbation", "value", "accuracy"], rows)
