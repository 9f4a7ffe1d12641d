"""What the net sees: the 28×28 input, enlarged, with the MNIST preprocessing steps switchable.

A faint dashed square marks the 20 px box MNIST digits are fitted into, a faint cross the centre
their centre of mass is moved to, and an accent dot this input's centre of mass. Switch off
"Fit 20 px" and "Centre", draw a small digit in a corner, and watch the 1-layer
model fail: that is what the preprocessing is for.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QCheckBox, QGraphicsRectItem, QHBoxLayout, QLabel, QVBoxLayout

from digitlab.core.preprocess import BOX, CENTRE, SIZE, PreprocessOptions, centre_of_mass
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
        legend = QLabel("┅ 20 px box · + target · • mass centre")
        legend.setEnabled(False)  # the muted colour: a legend, not a control
        legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        legend.setWordWrap(True)
        toggles = QHBoxLayout()
        toggles.addWidget(self.fit_box)
        toggles.addWidget(self.centre_box)
        toggles.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.input, 1)  # aspect-locked: the square sits in the middle of it
        layout.addWidget(legend)
        layout.addLayout(toggles)
        self.fit_box.toggled.connect(lambda on: session.drawing.set_options(fit=on))
        self.centre_box.toggled.connect(lambda on: session.drawing.set_options(centre=on))
        self.subscribe(session.drawing.input_changed, self._on_input)
        self.subscribe(session.drawing.options_changed, self._show_options)
        self._show_options(session.drawing.options)
        self.refresh()

    def _on_input(self, _: NetInput) -> None:
        self.refresh_at_once()  # like the bars

    def _show_options(self, options: PreprocessOptions) -> None:
        for box, on in ((self.fit_box, options.fit), (self.centre_box, options.centre)):
            if box.isChecked() != on:
                box.blockSignals(True)
                box.setChecked(on)
                box.blockSignals(False)

    def refresh(self) -> None:
        self.input.set_image(self.session.drawing.input.image)

    def view_settings(self) -> dict:
        options = self.session.drawing.options
        return {"fit": options.fit, "centre": options.centre}

    def apply_view_settings(self, values: dict) -> None:
        fit, centre = values.get("fit"), values.get("centre")
        self.session.drawing.set_options(
            fit=fit if isinstance(fit, bool) else None,
            centre=centre if isinstance(centre, bool) else None,
        )


if __name__ == "__main__":
    sys.exit(run_alone(PreviewView, size=(260, 320)))
