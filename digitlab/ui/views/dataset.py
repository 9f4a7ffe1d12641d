"""The dataset itself: how many digits of each class, what the average one looks like, and
every image of a class.

Train or test split; the bars count each class, the row below shows each class's average image
(click a bar or an average to pick the class), and the gallery holds every image of the chosen
class. The splits are read and summarised in the background (`session.datasets`); without the
dataset the view says so in one line. Double-click or drag a digit to the drawing pad.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
)

from digitlab.session import Session
from digitlab.session.dataset_splits import SplitSummary
from digitlab.ui.plots import style
from digitlab.ui.plots.mosaic import tile
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.digit_gallery import DigitGallery, above_gallery
from digitlab.ui.widgets.export import ExportButton, scene_picture, table_text
from digitlab.ui.widgets.view_body import controls_above, status_label

SPLIT_LABELS = {"train": "Training split", "test": "Test split"}
GAP = 2  # pixels between the averages


def counts_numbers(summary: SplitSummary | None) -> str:
    """Images per class as tab-separated text."""
    if summary is None or summary.error:
        return ""
    share = summary.counts / max(int(summary.counts.sum()), 1)
    rows = [[digit, int(n), float(p)] for digit, (n, p) in enumerate(zip(summary.counts, share))]
    return table_text(["class", f"{summary.split} images", "share"], rows)


class DatasetView(View):
    view_id = "dataset"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.split_combo, self.class_combo = QComboBox(), QComboBox()
        for key, label in SPLIT_LABELS.items():
            self.split_combo.addItem(label, key)
        for digit in range(10):
            self.class_combo.addItem(str(digit), digit)
        self.split_combo.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self.class_combo.currentIndexChanged.connect(lambda _: self._show_class())
        self.summary_label = status_label()
        self.canvas = pg.GraphicsLayoutWidget()
        background, text, faint = style.colours(self)
        self.canvas.setBackground(background)
        self.counts_plot = self.canvas.addPlot(row=0, col=0)
        style.quiet_plot(self.counts_plot)
        style.style_axes(self.counts_plot, text, faint)
        self.counts_plot.setLabel("left", "images", color=faint)
        self.counts_plot.getAxis("bottom").setTicks([[(d, str(d)) for d in range(10)]])
        self.counts_plot.setXRange(-0.5, 9.5, padding=0.02)
        self.bars = pg.BarGraphItem(
            x=np.arange(10), height=np.zeros(10), width=0.8, pen=None, brushes=[style.NEUTRAL] * 10
        )
        self.counts_plot.addItem(self.bars)
        self.averages_box = self.canvas.addViewBox(row=1, col=0, lockAspect=True, invertY=True)
        self.averages_box.setMouseEnabled(False, False)
        self.averages_box.setMenuEnabled(False)
        self.averages = pg.ImageItem(axisOrder="row-major")
        self.averages_box.addItem(self.averages)
        self.canvas.ci.layout.setRowStretchFactor(0, 3)
        self.canvas.ci.layout.setRowStretchFactor(1, 1)
        self.canvas.scene().sigMouseClicked.connect(self._clicked)
        self.export = ExportButton(
            session,
            lambda: scene_picture(self.canvas),
            lambda: counts_numbers(self._shown),
            "dataset",
        )
        self.gallery_label = QLabel()
        self.gallery = DigitGallery()
        self.gallery.digit_chosen.connect(session.drawing.place_digit)
        split = above_gallery(self.canvas, self.gallery_label, self.gallery, (2, 3))
        controls = (self.split_combo, QLabel("Class"), self.class_combo)
        controls_above(self, controls, self.summary_label, split, self.export)
        self._shown: SplitSummary | None = None
        self.subscribe(session.datasets.changed, lambda _: self.schedule_refresh())
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(560, 520)

    def split(self) -> str:
        return self.split_combo.currentData()

    def digit(self) -> int:
        return self.class_combo.currentData()

    def choose(self, split: str | None = None, digit: int | None = None) -> None:
        """Pick the split and the class, as the combo boxes do."""
        if split is not None:
            self.split_combo.setCurrentIndex(self.split_combo.findData(split))
        if digit is not None:
            self.class_combo.setCurrentIndex(self.class_combo.findData(digit))

    def refresh(self) -> None:
        datasets = self.session.datasets
        datasets.request(self.split())
        summary = datasets.summary(self.split())
        if summary is None:
            self.summary_label.setText(f"Reading the {self.split()} split…")
            return
        if summary is self._shown:
            return
        self._shown = summary
        if summary.error:
            self.summary_label.setText(f"No {summary.split} split: {summary.error}")
            self.bars.setOpts(height=np.zeros(10))
            self.averages.clear()
            self.gallery.clear_digits(summary.error)
            return
        self.summary_label.setText(f"{len(summary.labels):,} {summary.split} images")
        self.bars.setOpts(height=summary.counts)
        self.counts_plot.setYRange(0, max(int(summary.counts.max()), 1) * 1.05, padding=0)
        self.averages.setImage(tile(summary.averages, columns=10, gap=GAP), levels=(0.0, 1.0))
        self.averages_box.autoRange(padding=0.0)
        self._show_class()

    def _show_class(self) -> None:
        summary, digit = self._shown, self.digit()
        self.bars.setOpts(
            brushes=[style.ACCENT if d == digit else style.NEUTRAL for d in range(10)]
        )
        if summary is None or summary.error:
            return
        chosen = summary.of_class(digit)
        self.gallery_label.setText(f"The {len(chosen):,} {summary.split} images of {digit}")
        self.gallery.set_digits(
            summary.images,
            chosen,
            lambda i: f"#{chosen[i]}",
            lambda i: f"{summary.split} image {chosen[i]}: a {digit}",
            "No images of this class",
        )

    def _clicked(self, event) -> None:
        for item in (self.counts_plot.vb, self.averages_box):
            if item.sceneBoundingRect().contains(event.scenePos()):
                point = item.mapSceneToView(event.scenePos())
                if item is self.averages_box:
                    digit = int(point.x() // (28 + GAP))
                else:
                    digit = int(round(point.x()))
                if 0 <= digit < 10:
                    self.choose(digit=digit)
                return

    def picture(self) -> QImage:
        return scene_picture(self.canvas)

    def view_settings(self) -> dict:
        return {"split": self.split(), "digit": self.digit()}

    def apply_view_settings(self, values: dict) -> None:
        split = values.get("split")
        if isinstance(split, str) and split in SPLIT_LABELS:  # stored values are untrusted
            self.choose(split=split)
        digit = values.get("digit")
        if isinstance(digit, int) and not isinstance(digit, bool) and 0 <= digit < 10:
            self.choose(digit=digit)


if __name__ == "__main__":
    sys.exit(run_alone(DatasetView, size=(620, 640)))
