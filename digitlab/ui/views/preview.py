"""What the net sees: the 28×28 input, enlarged, with the MNIST preprocessing steps switchable.

A faint dashed square marks the 20 px box MNIST digits are fitted into, a faint cross the centre
their centre of mass is moved to, and an accent dot this input's centre of mass. Switch off
"Fit 20 px" and "Centre", draw a small digit in a corner, and watch the 1-layer
model fail: that is what the preprocessing is for.

The input fills the room, square, and the room it leaves (a tall dock below it, a wide one
beside it) shows the steps that made it: the drawing as drawn, scaled to 28×28, and then fitted
into the 20 px box (`plan_layout` picks where and how large). Steps too small to read (under
`MIN_STEP_PX`) are left out, and they are only computed while they show.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.preprocess import (
    BOX,
    CENTRE,
    SIZE,
    PreprocessOptions,
    centre_of_mass,
    to_mnist,
)
from digitlab.session import Session
from digitlab.session.drawing import NetInput
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone


class InputImage(pg.GraphicsLayoutWidget):
    """The 28×28 input with crisp pixels and the MNIST guides."""

    def __init__(self) -> None:
        super().__init__()
        self.setBackground(self.palette().color(self.backgroundRole()))  # no box around the image
        self.ci.setContentsMargins(0, 0, 0, 0)
        view = self.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        view.setMenuEnabled(False)
        view.setDefaultPadding(0.0)
        self.image_item = pg.ImageItem(np.zeros((SIZE, SIZE), np.float32), levels=(0.0, 1.0))
        view.addItem(self.image_item)
        margin = (SIZE - BOX) / 2
        box = QGraphicsRectItem(margin, margin, BOX, BOX)
        box_pen = pg.mkPen(style.GUIDE, width=1, style=Qt.PenStyle.DashLine)
        box_pen.setCosmetic(True)
        box.setPen(box_pen)
        view.addItem(box)
        target = CENTRE + 0.5  # pixel index 14 spans 14..15 in image coordinates
        view.addItem(
            pg.ScatterPlotItem(pos=[(target, target)], symbol="+", size=11, pen=None,
                               brush=style.GUIDE)
        )  # fmt: skip
        self.mass = pg.ScatterPlotItem(pos=[], symbol="o", size=6, pen=None, brush=style.ACCENT)
        view.addItem(self.mass)
        view.setRange(xRange=(0, SIZE), yRange=(0, SIZE), padding=0.0)
        self._image = np.zeros((SIZE, SIZE), np.float32)
        self.setMinimumSize(112, 112)

    def sizeHint(self) -> QSize:
        return QSize(196, 196)

    def image(self) -> np.ndarray:
        return self._image.copy()

    def set_image(self, image: np.ndarray) -> None:
        """Levels stay fixed at 0..1, so faint ink looks faint."""
        self._image = np.asarray(image, dtype=np.float32).reshape(SIZE, SIZE)
        self.image_item.setImage(self._image, autoLevels=False, levels=(0.0, 1.0))
        if self._image.any():
            row, col = centre_of_mass(self._image)
            self.mass.setData(pos=[(col + 0.5, row + 0.5)])
        else:
            self.mass.setData(pos=[])


MIN_STEP_PX = 56  # a step image smaller than this is left out
GAP = 6
STEP_SHARE = 0.7  # a step image is at most this share of the input's side


@dataclass(frozen=True)
class Plan:
    """Where the input goes, and each step (its caption line above its image), in a room."""

    main: QRect
    steps: tuple[QRect, ...] = ()


def _step_side(width: int, height: int, main: int, caption: int, beside: bool, lines: int):
    """The largest step image for an input of side `main`, two steps in `lines` lines
    below it or beside it."""
    if beside:
        room = ((width - main - GAP, (height - GAP) / 2 - caption) if lines == 1
                else ((width - main - 2 * GAP) / 2, height - caption))  # fmt: skip
    else:
        room = ((height - main - GAP - caption, (width - GAP) / 2) if lines == 1
                else ((height - main - 2 * GAP) / 2 - caption, width))  # fmt: skip
    return int(min(*room, STEP_SHARE * main))


def plan_layout(width: int, height: int, caption: int, min_step: int = MIN_STEP_PX) -> Plan:
    """The input as large as it can be (square), the two steps in the room it leaves when that
    holds them readably; the input may give up to 30 % of its side for steps (more of the room
    used). The composition is centred in the room."""
    full = max(min(width, height), 1)
    best = (full * full, full, 0, False, 1)
    for beside in (False, True):
        for lines in (1, 2):
            for main in range(full, int(0.7 * full) - 1, -2):
                step = _step_side(width, height, main, caption, beside, lines)
                score = main * main + 2 * step * step
                if step >= min_step and score > best[0]:
                    best = (score, main, step, beside, lines)
    _, main, step, beside, lines = best
    if not step:
        return Plan(QRect((width - full) // 2, (height - full) // 2, full, full))
    cell = (step, step + caption)
    if beside:
        steps_w = step if lines == 1 else 2 * step + GAP
        steps_h = 2 * cell[1] + GAP if lines == 1 else cell[1]
        size = (main + GAP + steps_w, max(main, steps_h))
    else:
        steps_w = 2 * step + GAP if lines == 1 else step
        steps_h = cell[1] if lines == 1 else 2 * cell[1] + GAP
        size = (max(main, steps_w), main + GAP + steps_h)
    left, top = (width - size[0]) // 2, (height - size[1]) // 2
    if beside:
        main_rect = QRect(left, top + (size[1] - main) // 2, main, main)
        x0, y0 = left + main + GAP, top + (size[1] - steps_h) // 2
    else:
        main_rect = QRect(left + (size[0] - main) // 2, top, main, main)
        x0, y0 = left + (size[0] - steps_w) // 2, top + main + GAP
    across = (lines == 2) == beside  # the two steps side by side, else one above the other
    offsets = ((0, 0), (step + GAP, 0)) if across else ((0, 0), (0, cell[1] + GAP))
    return Plan(main_rect, tuple(QRect(x0 + dx, y0 + dy, *cell) for dx, dy in offsets))


class StepImage(QWidget):
    """One preprocessing step: a caption line over its 28×28 image."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setEnabled(False)  # muted: the input is the answer, steps explain it
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(self.palette().color(self.backgroundRole()))
        self.view.ci.setContentsMargins(0, 0, 0, 0)
        box = self.view.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        box.setMenuEnabled(False)
        box.setDefaultPadding(0.0)
        self.image_item = pg.ImageItem(np.zeros((SIZE, SIZE), np.float32), levels=(0.0, 1.0))
        box.addItem(self.image_item)
        box.setRange(xRange=(0, SIZE), yRange=(0, SIZE), padding=0.0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)

    def set_image(self, image: np.ndarray) -> None:
        self.image_item.setImage(image, autoLevels=False, levels=(0.0, 1.0))


class InputArea(QWidget):
    """The input and its steps, placed by `plan_layout` on every resize."""

    def __init__(
        self, main: InputImage, steps: tuple[StepImage, ...], appeared: Callable[[], None]
    ) -> None:
        super().__init__()
        self.main, self.steps, self._appeared = main, steps, appeared
        for child in (main, *steps):
            child.setParent(self)
        self.plan = Plan(QRect())
        self.setMinimumSize(112, 112)

    def sizeHint(self) -> QSize:
        return QSize(196, 196)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        caption = self.steps[0].caption.sizeHint().height()
        widest = max(step.caption.sizeHint().width() for step in self.steps)
        had_steps = self.steps_shown()  # a step no wider than its caption would cut it short
        self.plan = plan_layout(self.width(), self.height(), caption, max(MIN_STEP_PX, widest))
        self.main.setGeometry(self.plan.main)
        for step, rect in zip(self.steps, self.plan.steps):
            step.setGeometry(rect)
        for step in self.steps:
            step.setVisible(bool(self.plan.steps))
        if self.steps_shown() and not had_steps:
            self._appeared()  # steps come into view: draw them (nothing computed them)

    def steps_shown(self) -> bool:
        return bool(self.plan.steps)


# Normalise pen was off by default before it came on for every model; the stored choice moved to
# a new key so a "false" saved then does not keep it off (an old "normalise_pen" is ignored).
PEN_KEY = "pen_normalised"


class PreviewView(View):
    view_id = "preview"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.input = InputImage()
        self.input.setToolTip(
            "The 28 × 28 input the net gets. Dashed square: the 20 px box MNIST digits are\n"
            "fitted into; +: where their centre of mass is moved; •: this input's"
        )
        self.fit_box = QCheckBox("Fit 20 px")
        self.fit_box.setToolTip("Crop to the ink and scale its longer side to 20 px, as MNIST did")
        self.centre_box = QCheckBox("Centre")
        self.centre_box.setToolTip("Move the ink's centre of mass to the middle, as MNIST did")
        self.pen_box = QCheckBox("Normalise pen")
        self.pen_box.setToolTip(
            "Measure the stroke width and bring a pen much thinner or thicker than MNIST's\n"
            "toward its width (after fitting, before centring; so only with Fit 20 px)"
        )
        self.steps = (StepImage("1 · as drawn"), StepImage("2 · fit 20 px"))
        self.steps[0].setToolTip("The drawing scaled down to 28 × 28 as it is on the pad")
        self.steps[1].setToolTip("Cropped to the ink, its longer side scaled to 20 px")
        self.area = InputArea(self.input, self.steps, self.schedule_refresh)
        legend = QLabel("┅ 20 px box · + target · • mass centre")
        legend.setEnabled(False)  # the muted colour: a legend, not a control
        legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        legend.setWordWrap(True)
        toggles = QHBoxLayout()
        toggles.addWidget(self.fit_box)
        toggles.addWidget(self.centre_box)
        toggles.addStretch(1)
        pen_row = QHBoxLayout()  # its own line: three switches in one would widen a narrow dock
        pen_row.addWidget(self.pen_box)
        pen_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.area, 1)  # the input square, its steps in the room it leaves
        layout.addWidget(legend)
        layout.addLayout(toggles)
        layout.addLayout(pen_row)
        self.fit_box.toggled.connect(lambda on: session.drawing.set_options(fit=on))
        self.centre_box.toggled.connect(lambda on: session.drawing.set_options(centre=on))
        self.pen_box.toggled.connect(lambda on: session.drawing.set_options(normalise_pen=on))
        self.subscribe(session.drawing.input_changed, self._on_input)
        self.subscribe(session.drawing.options_changed, self._show_options)
        self._show_options(session.drawing.options)
        self.refresh()

    def _on_input(self, _: NetInput) -> None:
        self.refresh_at_once()  # like the bars

    def _show_options(self, options: PreprocessOptions) -> None:
        for box, on in (
            (self.fit_box, options.fit),
            (self.centre_box, options.centre),
            (self.pen_box, options.normalise_pen),
        ):
            if box.isChecked() != on:
                box.blockSignals(True)
                box.setChecked(on)
                box.blockSignals(False)
        self.pen_box.setEnabled(options.fit)  # a width is measured at MNIST's size: kept, idle

    def refresh(self) -> None:
        drawing = self.session.drawing
        self.input.set_image(drawing.input.image)
        fit = drawing.options.fit
        self.steps[1].caption.setText("2 · fit 20 px" + ("" if fit else " (off)"))
        if not self.area.steps_shown():
            return  # no room for the steps: no work for them either
        canvas = drawing.canvas
        for step, fit in zip(self.steps, (False, True)):
            options = replace(drawing.options, fit=fit, centre=False)
            image = (
                np.zeros((SIZE, SIZE), np.float32) if canvas is None else to_mnist(canvas, options)
            )
            step.set_image(image)

    def step_images(self) -> list[np.ndarray]:
        """The step images on show ([] when there is no room for them): for tests."""
        if not self.area.steps_shown():
            return []
        return [step.image_item.image.copy() for step in self.steps]

    def view_settings(self) -> dict:
        options = self.session.drawing.options  # (the pen under a new key: see PEN_KEY)
        return {
            "fit": options.fit,
            "centre": options.centre,
            PEN_KEY: options.normalise_pen,
        }

    def apply_view_settings(self, values: dict) -> None:
        fit, centre, pen = values.get("fit"), values.get("centre"), values.get(PEN_KEY)
        self.session.drawing.set_options(
            fit=fit if isinstance(fit, bool) else None,
            centre=centre if isinstance(centre, bool) else None,
            normalise_pen=pen if isinstance(pen, bool) else None,
        )


if __name__ == "__main__":
    sys.exit(run_alone(PreviewView, size=(260, 320)))
