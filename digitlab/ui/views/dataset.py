"""The dataset itself: how many images of each class, what the average one looks like, and
every image of a class.

A dataset (MNIST, or CIFAR-10 and the others the trainer reads) and its train or test split; the
bars count each class, the row below shows each class's average image (in colour for CIFAR-10;
click a bar or an average to pick the class), and the gallery holds every image of the chosen
class. The view turns to CIFAR-10 when a model of colour pictures answers, and back to MNIST
when a digit model does. The splits are read and summarised in the background
(`session.datasets`); without the dataset the view says so in one line. Double-click or drag a
digit to the drawing pad.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
)

from digitlab.core.choices import CLASS_NAMES, DATASET_LABELS, DATASETS
from digitlab.session import Session
from digitlab.session.dataset_splits import SplitSummary
from digitlab.ui.picture_models import is_picture_model
from digitlab.ui.plots import style
from digitlab.ui.plots.mosaic import tile
from digitlab.ui.plots.picture_cells import SHORT_NAMES
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.digit_gallery import DigitGallery, above_gallery
from digitlab.ui.widgets.export import ExportButton, scene_picture, table_text
from digitlab.ui.widgets.view_body import controls_above, status_label

SPLIT_LABELS = {"train": "Train", "test": "Test"}
GAP = 2  # pixels between the averages


def counts_numbers(summary: SplitSummary | None) -> str:
    """Images per class as tab-separated text."""
    if summary is None or summary.error:
        return ""
    share = summary.counts / max(int(summary.counts.sum()), 1)
    names = summary.class_names
    rows = [[names[c], int(n), float(p)] for c, (n, p) in enumerate(zip(summary.counts, share))]
    return table_text(["class", f"{summary.split} images", "share"], rows)


def tick_names(dataset: str) -> tuple[str, ...]:
    """The bars' labels, short enough for ten: CIFAR-10's short names, Fashion-MNIST's numbers."""
    if dataset == "cifar10":
        return SHORT_NAMES
    return tuple(map(str, range(10))) if dataset == "fashion" else CLASS_NAMES[dataset]


def averages_picture(averages: np.ndarray) -> np.ndarray:
    """The ten class averages side by side: grey (H, W) with NaN gaps for digits, RGBA bytes
    with transparent gaps for colour pictures."""
    if averages.ndim == 3:
        return tile(averages, columns=10, gap=GAP)
    channels = [tile(averages[..., c], columns=10, gap=GAP) for c in range(3)]
    rgb = np.stack(channels, axis=-1)
    alpha = np.where(np.isnan(rgb[..., :1]), 0, 255)
    return np.concatenate([np.nan_to_num(rgb) * 255, alpha], axis=-1).astype(np.uint8)


class DatasetView(View):
    view_id = "dataset"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.dataset_combo, self.split_combo = QComboBox(), QComboBox()
        self.class_combo = QComboBox()
        # a narrow dock keeps its width, whatever the dataset's name ("Fashion-MNIST")
        self.dataset_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.dataset_combo.setMinimumContentsLength(6)
        self.dataset_combo.setToolTip("The dataset to browse")
        self.split_combo.setToolTip("Its training or test split")
        self.class_combo.setToolTip("The class whose images the gallery shows (or click its bar)")
        for key in DATASETS:
            self.dataset_combo.addItem(DATASET_LABELS[key], key)
        for key, label in SPLIT_LABELS.items():
            self.split_combo.addItem(label, key)
        for digit in range(10):  # by number: the dock keeps its width; the bars name them
            self.class_combo.addItem(str(digit), digit)
        self.dataset_combo.currentIndexChanged.connect(lambda _: self._dataset_chosen())
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
        self._name_classes("mnist")
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
        controls = (self.dataset_combo, self.split_combo, self.class_combo)
        controls_above(self, controls, self.summary_label, split, self.export)
        self._shown: SplitSummary | None = None
        self.subscribe(session.datasets.changed, lambda _: self.schedule_refresh())
        self.subscribe(session.models.current_changed, self._follow_model)
        self._follow_model(session.models.current)
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(560, 520)

    def split(self) -> str:
        return self.split_combo.currentData()

    def digit(self) -> int:
        return self.class_combo.currentData()

    def dataset(self) -> str:
        return self.dataset_combo.currentData()

    def _name_classes(self, dataset: str) -> None:
        """The dataset's class names on the bars and in the class chooser's tooltips."""
        names = tick_names(dataset)
        self.counts_plot.getAxis("bottom").setTicks([list(enumerate(names))])
        for index, name in enumerate(CLASS_NAMES[dataset]):
            self.class_combo.setItemData(index, name, Qt.ItemDataRole.ToolTipRole)

    def _dataset_chosen(self) -> None:
        self._name_classes(self.dataset())
        self.schedule_refresh()

    def _follow_model(self, entry) -> None:
        """CIFAR-10 for a model of colour pictures; back to MNIST from CIFAR-10 for a digit one."""
        if entry is None:
            return
        if is_picture_model(entry):
            self.choose(dataset="cifar10")
        elif self.dataset() == "cifar10":
            self.choose(dataset="mnist")

    def choose(
        self, split: str | None = None, digit: int | None = None, dataset: str | None = None
    ) -> None:
        """Pick the dataset, the split and the class, as the combo boxes do."""
        if dataset is not None:
            self.dataset_combo.setCurrentIndex(self.dataset_combo.findData(dataset))
        if split is not None:
            self.split_combo.setCurrentIndex(self.split_combo.findData(split))
        if digit is not None:
            self.class_combo.setCurrentIndex(self.class_combo.findData(digit))

    def refresh(self) -> None:
        datasets, dataset = self.session.datasets, self.dataset()
        datasets.request(self.split(), dataset)
        summary = datasets.summary(self.split(), dataset)
        if summary is None:
            self.summary_label.setText(f"Reading {DATASET_LABELS[dataset]}'s {self.split()} split…")
            return
        if summary is self._shown:
            return
        self._shown = summary
        if summary.error:
            self.summary_label.setText(f"No {summary.split} split: {summary.error}")
            self.bars.setOpts(height=np.zeros(10))
            self.averages.clear()
            self.gallery_label.clear()  # not the last dataset's class
            self.gallery.clear_digits(summary.error)
            return
        label = DATASET_LABELS[summary.dataset]
        self.summary_label.setText(f"{len(summary.labels):,} {label} {summary.split} images")
        self.bars.setOpts(height=summary.counts)
        self.counts_plot.setYRange(0, max(int(summary.counts.max()), 1) * 1.05, padding=0)
        picture = averages_picture(summary.averages)
        self.averages.setImage(picture, levels=(0.0, 1.0) if picture.ndim == 2 else (0, 255))
        self.averages_box.autoRange(padding=0.0)
        self._show_class()

    def _show_class(self) -> None:
        summary, digit = self._shown, self.digit()
        self.bars.setOpts(
            brushes=[style.ACCENT if d == digit else style.NEUTRAL for d in range(10)]
        )
        if summary is None or summary.error:
            return
        chosen, name = summary.of_class(digit), summary.class_names[digit]
        self.gallery_label.setText(f"The {len(chosen):,} {summary.split} images of {name}")
        self.gallery.set_digits(
            summary.images,
            chosen,
            lambda i: f"#{chosen[i]}",
            lambda i: f"{summary.split} image {chosen[i]}: {name}",
            "No images of this class",
        )

    def _clicked(self, event) -> None:
        for item in (self.counts_plot.vb, self.averages_box):
            if item.sceneBoundingRect().contains(event.scenePos()):
                point = item.mapSceneToView(event.scenePos())
                if item is self.averages_box:
                    side = self._shown.averages.shape[2] if self._shown is not None else 28
                    digit = int(point.x() // (side + GAP))
                else:
                    digit = int(round(point.x()))
                if 0 <= digit < 10:
                    self.choose(digit=digit)
                return

    def picture(self) -> QImage:
        return scene_picture(self.canvas)

    def view_settings(self) -> dict:
        return {"split": self.split(), "digit": self.digit(), "dataset": self.dataset()}

    def apply_view_settings(self, values: dict) -> None:
        dataset = values.get("dataset")
        if isinstance(dataset, str) and dataset in DATASETS:  # stored values are untrusted
            self.choose(dataset=dataset)
        split = values.get("split")
        if isinstance(split, str) and split in SPLIT_LABELS:  # stored values are untrusted
            self.choose(split=split)
        digit = values.get("digit")
        if isinstance(digit, int) and not isinstance(digit, bool) and 0 <= digit < 10:
            self.choose(digit=digit)


if __name__ == "__main__":
    sys.exit(run_alone(DatasetView, size=(620, 640)))
