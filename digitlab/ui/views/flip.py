"""What would flip it: the pixel change that pushes the drawing toward another class, a slider that
adds that much of it, and the training digits nearest to the drawing.

For a ReLU net the direction is exact, not estimated: with the units' on/off pattern fixed, the
net is linear in the pixels, so the gradient of (target logit − answer logit) is the difference
of the two classes' effective templates (`core.evidence`). Red pixels are ink to add, blue ink to
take away; the slider adds up to one full unit of ink at the strongest pixel, and says where the
answer changes. Below, the 8 training digits nearest in pixels and nearest as the net sees them
(its last hidden layer): often not the same, and the second row explains the answer better.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from digitlab.core.interventions import FlipPath, flip_path, pushed
from digitlab.session import Answer, Session
from digitlab.session.analysis import failed_or_none
from digitlab.session.neighbours import Neighbours
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.digit_gallery import DigitGallery
from digitlab.ui.widgets.view_body import EmptyState

NO_INPUT = "Draw a digit: here is the ink that would make the net read another one."
RUNNER_UP = -1


class FlipView(View):
    view_id = "flip"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        background, self._text, self._faint = style.colours(self)
        self.target = QComboBox()
        self.target.addItem("the runner-up", RUNNER_UP)
        self.target.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self.amount = QSlider(Qt.Orientation.Horizontal)
        self.amount.setRange(0, 100)
        self.amount.setToolTip("How much of the change to add: 100 % is one full unit of ink "
                               "at the strongest pixel")  # fmt: skip
        self.amount.valueChanged.connect(lambda _: self._show_amount())
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(background)
        self.direction = self._image_panel("Ink to add (red) and take away (blue)")
        self.direction.setColorMap(style.diverging_colormap(style.is_dark(self)))
        self.pushed_image = self._image_panel("The drawing, pushed")
        self.galleries = []
        for _ in range(2):
            gallery = DigitGallery()
            gallery.setFixedHeight(92)
            gallery.digit_chosen.connect(session.drawing.place_digit)
            self.galleries.append(gallery)
        self.near_pixels, self.near_hidden = self.galleries
        self._path: FlipPath | None = None
        self._key: tuple | None = None
        top = QHBoxLayout()
        top.addWidget(QLabel("Push toward"))
        top.addWidget(self.target)
        top.addSpacing(10)
        top.addWidget(QLabel("amount"))
        top.addWidget(self.amount, 1)
        body = QVBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(top)
        body.addWidget(self.answer)
        body.addWidget(self.canvas, 1)
        body.addWidget(QLabel("Training digits nearest in pixels"))
        body.addWidget(self.near_pixels)
        body.addWidget(QLabel("… and nearest as the net sees them (its last hidden layer)"))
        body.addWidget(self.near_hidden)
        content = QWidget()
        content.setLayout(body)
        self.pages = EmptyState(content, NO_INPUT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)
        self.subscribe(session.prediction_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.neighbours.updated, self._show_neighbours)
        self.refresh()

    def _image_panel(self, title: str) -> pg.ImageItem:
        plot = self.canvas.addPlot(title=title)
        plot.setTitle(title, color=self._text, size="9pt")
        style.quiet_plot(plot)
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.setAspectLocked(True)
        plot.invertY(True)
        image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(image)
        return image

    def sizeHint(self) -> QSize:
        return QSize(480, 520)

    # --- showing -----------------------------------------------------------------------------

    def refresh(self) -> None:
        prediction, entry = self.session.prediction, self.session.models.current
        if entry is None or prediction.state is not Answer.READY:
            self._path = None
            self.pages.show_message(NO_INPUT)
            return
        self.pages.show_content()
        self._fill_targets(entry.classes)
        probabilities = prediction.probabilities
        top = int(np.argmax(probabilities))
        chosen = self.target.currentData()
        target = chosen if chosen != RUNNER_UP and chosen != top else int(np.argsort(
            probabilities)[-2])  # fmt: skip
        image = self.session.drawing.input.image
        key = (entry.ref, id(image), target)
        if key != self._key:
            self._key = key
            self._path = flip_path(entry.network, image, target)
            limit = 1.0
            self.direction.setImage(self._path.direction, levels=(-limit, limit))
        self._show_amount()
        self.session.neighbours.request(entry, self.session.drawing.input)
        self._show_neighbours()

    def _fill_targets(self, classes: tuple[int, ...]) -> None:
        wanted = [RUNNER_UP, *range(len(classes))]
        if [self.target.itemData(i) for i in range(self.target.count())] == wanted:
            return
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem("the runner-up", RUNNER_UP)
        for index, digit in enumerate(classes):
            self.target.addItem(str(digit), index)
        self.target.blockSignals(False)

    def _show_amount(self) -> None:
        path, entry = self._path, self.session.models.current
        if path is None or entry is None:
            return
        amount = self.amount.value() / 100
        image = pushed(np.asarray(self.session.drawing.input.image, np.float32), path.direction,
                       amount)  # fmt: skip
        self.pushed_image.setImage(image, levels=(0.0, 1.0))
        probabilities = entry.network.probabilities(image[None])[0]
        answer = int(np.argmax(probabilities))
        classes = entry.classes
        flips = (f"it flips to {classes[path.target]} at {path.flips_at:.0%}"
                 if path.flips_at is not None else
                 f"{classes[path.target]} does not win within 100 %")  # fmt: skip
        self.answer.setText(f"At {amount:.0%}: the net says <b>{classes[answer]}</b> "
                            f"({probabilities[answer]:.0%}); {flips}")  # fmt: skip

    def _show_neighbours(self) -> None:
        entry = self.session.models.current
        if entry is None or self.session.prediction.state is not Answer.READY:
            return
        outcome = self.session.neighbours.get(entry, self.session.drawing.input)
        failed = failed_or_none(outcome)
        if not isinstance(outcome, Neighbours):
            message = failed.message if failed is not None else "Looking…"
            for gallery in self.galleries:
                gallery.clear_digits(message)
            return
        labels = outcome.labels
        for gallery, indices in ((self.near_pixels, outcome.pixels),
                                 (self.near_hidden, outcome.hidden)):  # fmt: skip
            gallery.set_digits(outcome.images, indices, lambda i, found=indices: (
                f"a {labels[found[i]]}"), message="The net has no hidden layer")  # fmt: skip


if __name__ == "__main__":
    sys.exit(run_alone(FlipView, size=(520, 560)))
