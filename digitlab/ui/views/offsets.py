"""How far can the drawing move before the answer flips: the answering model's digit and
confidence with the drawing moved by every offset up to six MNIST pixels each way.

Each cell is the drawing moved there, read exactly as the window would read it; green cells give
the same digit as the drawing where it is, orange ones another (brighter: more confident). The
grid follows every stroke, the pen choice and the preprocessing switches, computed in the
background (`session.offsets`).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QComboBox

from digitlab.core.drawing_grid import OffsetGrid
from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.robustness import DrawingInput
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.export import ExportButton, scene_picture, table_text
from digitlab.ui.widgets.text_strip import TextStrip
from digitlab.ui.widgets.view_body import controls_above

PENS = {"pen as drawn": 0, "pen 8 px thinner": -8, "pen 4 px thinner": -4,
        "pen 4 px thicker": 4, "pen 8 px thicker": 8, "pen 16 px thicker": 16}  # fmt: skip
SAME, FLIPPED = np.array([63, 185, 80]), np.array([230, 120, 40])


def cell_colours(grid: OffsetGrid) -> np.ndarray:
    """(n, n, 4) RGBA: green where the drawing's own answer holds, orange where it flipped,
    fainter for less confident answers."""
    centre = grid.digit_at(0, 0) if 0 in grid.offsets else None
    same = (grid.predicted == centre)[..., None]
    base = np.where(same, SAME, FLIPPED)
    shade = 0.35 + 0.65 * grid.confidence[..., None]
    rgb = (base * shade + 40 * (1 - shade)).astype(np.uint8)
    alpha = np.full(grid.predicted.shape + (1,), 255, np.uint8)
    return np.concatenate([rgb, alpha], axis=2)


def holds_within(grid: OffsetGrid) -> int:
    """The largest k such that every offset within ±k pixels (both axes) keeps the answer."""
    centre = grid.digit_at(0, 0)
    offsets = np.asarray(grid.offsets)
    reach = np.maximum(np.abs(offsets)[:, None], np.abs(offsets)[None, :])
    flipped = reach[grid.predicted != centre]
    return int(flipped.min()) - 1 if flipped.size else int(reach.max())


class OffsetsView(View):
    view_id = "offsets"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.pen = QComboBox()
        self.pen.addItems(list(PENS))
        self.pen.setToolTip("Read the drawing with a thinner or thicker pen (pad pixels of width)")
        self.pen.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self.summary = TextStrip(lines=1)
        self.canvas = pg.GraphicsLayoutWidget()
        background, text, faint = style.colours(self)
        self.canvas.setBackground(background)
        self.plot = self.canvas.addPlot()
        style.style_axes(self.plot, text, faint)
        style.quiet_plot(self.plot)
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.setLabel("bottom", "move right (MNIST px)")
        self.plot.setLabel("left", "move down")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self._labels: list[pg.TextItem] = []
        self.export = ExportButton(
            session, lambda: scene_picture(self.canvas), self._numbers, "offsets"
        )
        controls_above(self, (self.pen,), self.summary, self.canvas, self.export)
        self.grid: OffsetGrid | None = None
        self.subscribe(session.prediction_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.offsets.changed, self._on_grid)
        self.subscribe(session.offsets.failed, self._on_failed)
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(420, 440)

    def refresh(self) -> None:
        entry = self.session.models.current
        canvas = self.session.drawing.canvas
        if entry is None or canvas is None:
            self.summary.setText("Draw a digit: each cell is the answer with it moved there")
            self.image.clear()
            for label in self._labels:
                label.setText("")
            self.grid = None
            return
        pen = PENS[self.pen.currentText()]
        options = self.session.drawing.options
        self.session.offsets.request(entry, DrawingInput(canvas, options, pen))

    def _on_failed(self, failure: AnalysisFailed) -> None:
        self.summary.setText(failure.message)

    def _on_grid(self, grid: OffsetGrid) -> None:
        if self.session.drawing.canvas is None:
            return
        self.grid = grid
        n = len(grid.offsets)
        self.image.setImage(cell_colours(grid), autoLevels=False, levels=(0, 255))
        self.image.setRect(-0.5, -0.5, n, n)
        if len(self._labels) != n * n:
            for label in self._labels:
                self.plot.removeItem(label)
            self._labels = []
            for i in range(n * n):
                label = pg.TextItem(anchor=(0.5, 0.5), color=(15, 15, 15))
                label.setPos(i % n, i // n)
                self.plot.addItem(label)
                self._labels.append(label)
            ticks = [[(i, f"{v:+d}") for i, v in enumerate(grid.offsets) if v % 2 == 0]]
            self.plot.getAxis("bottom").setTicks(ticks)
            self.plot.getAxis("left").setTicks(ticks)
        for label, digit in zip(self._labels, grid.predicted.ravel()):
            label.setText(str(digit))
        reach = holds_within(grid)
        centre = grid.digit_at(0, 0)
        flips = int((grid.predicted != centre).sum())
        if not flips:
            self.summary.setText(f"<b>{centre}</b> wherever the drawing goes")
        else:
            self.summary.setText(
                f"<b>{centre}</b> holds within ±{reach} px; {flips} of {n * n} places flip it"
            )

    def _numbers(self) -> str:
        grid = self.grid
        if grid is None:
            return ""
        rows = [
            [dy, dx, int(grid.predicted[i, j]), float(grid.confidence[i, j])]
            for i, dy in enumerate(grid.offsets)
            for j, dx in enumerate(grid.offsets)
        ]
        return table_text(["dy (px)", "dx (px)", "digit", "confidence"], rows)

    def view_settings(self) -> dict[str, Any]:
        return {"pen": self.pen.currentText()}

    def apply_view_settings(self, values: dict[str, Any]) -> None:
        value = values.get("pen")
        if isinstance(value, str) and value in PENS:
            self.pen.setCurrentText(value)


if __name__ == "__main__":
    sys.exit(run_alone(OffsetsView, size=(460, 480)))
