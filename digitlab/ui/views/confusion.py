"""Confusion matrix of the current model on the test set; click a cell to see its images.

The matrix, per-class accuracy and the galleries come from `session.test_predictions`, computed
in the background when the model changes (for a net in training, at each test evaluation). A
cell's gallery holds every test image whose label and prediction are that cell's, the net's most
confident first; "top image per cell" draws each cell's most confident image in place of its
count. Double-click or drag a digit to the drawing pad to edit it and watch the answer change.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSizePolicy,
)

from digitlab.core.mistakes import cell_indices
from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.selection import ImageRef
from digitlab.session.split_predictions import PredictionsReport, failure_text
from digitlab.ui.plots.confusion_plot import MODES, ConfusionPlot
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.digit_gallery import DigitGallery, above_gallery
from digitlab.ui.widgets.export import ExportButton, scene_picture, table_text
from digitlab.ui.widgets.view_body import controls_above, status_label

CHOOSE = "Click a cell to see its test images, most confident first."
NO_B = "A − B needs a model to compare with: choose one in the A vs B view"


def confusion_numbers(report: PredictionsReport | None) -> str:
    """The matrix and per-class accuracy as tab-separated text (rows: true class)."""
    if report is None or report.evaluation is None:
        return ""
    header = ["true \\ predicted", *map(str, report.classes), "accuracy"]
    rows = [
        [c, *map(int, row), float(a)]
        for c, row, a in zip(report.classes, report.confusion, report.per_class_accuracy)
    ]
    return table_text(header, rows)


class ConfusionView(View):
    view_id = "confusion"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.mode_combo = QComboBox()
        for key, label in MODES.items():
            self.mode_combo.addItem(label, key)
        self.mode_combo.setToolTip("Counts, each row's shares, or each cell's most confident image")
        self.mode_combo.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self.summary = status_label()
        self.plot = ConfusionPlot()
        self.plot.cell_clicked.connect(self.choose_cell)
        self.export = ExportButton(
            session,
            lambda: scene_picture(self.plot),
            lambda: confusion_numbers(self.report()),
            "confusion",
        )
        self.cell_label = QLabel(CHOOSE)
        self.cell_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.gallery = DigitGallery()
        self.gallery.digit_chosen.connect(session.drawing.place_digit)
        self.gallery.image_clicked.connect(
            lambda index: session.selection.select_image(ImageRef("test", index))
        )
        split = above_gallery(self.plot, self.cell_label, self.gallery, (3, 2))
        controls_above(self, (QLabel("Show"), self.mode_combo), self.summary, split, self.export)
        self._cell: tuple[int, int] | None = None
        self._shown: PredictionsReport | None = None
        self.subscribe(session.test_predictions.updated, self.schedule_refresh)
        self.subscribe(session.comparison.changed, self.schedule_refresh)
        self.subscribe(session.comparison.predictions.updated, self.schedule_refresh)
        self._other: PredictionsReport | None = None  # B's answers, in the A − B mode
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(560, 520)

    def report(self) -> PredictionsReport | None:
        """The report on show (None while there is none for the current model)."""
        return self._shown

    def mode(self) -> str:
        return self.mode_combo.currentData()

    def refresh(self) -> None:
        report = self.session.test_predictions.fetch()
        if report is None:
            waiting = self._shown is None
            self.summary.setText("Counting the test set…" if waiting else "Updating…")
            return
        if isinstance(report, AnalysisFailed):
            self._show_nothing(failure_text(report))
            return
        other = None
        if self.mode() == "difference":
            other = self.session.comparison.answers(self.session.test_predictions.target)
            if other is None:
                self._show_nothing(NO_B if self.session.comparison.other is None else
                                   "Waiting for B's answers on the test digits…")  # fmt: skip
                return
        new = report is not self._shown or other is not self._other
        self._shown, self._other = report, other
        evaluation = report.evaluation
        if other is not None:
            self._show_difference(report, other)
        else:
            self.plot.show_matrix(
                report.confusion,
                report.per_class_accuracy,
                report.classes,
                self.mode(),
                report.images,
                report.top_cells,
            )
            self.summary.setText(
                f"accuracy {evaluation.accuracy:.2%} · {report.mistakes:,} mistakes "
                f"of {evaluation.total:,} test images"
            )
        k = len(report.classes)
        if self._cell is not None and max(self._cell) >= k:
            self._cell = None
        if new:
            self._show_cell()

    def _show_difference(self, report: PredictionsReport, other: PredictionsReport) -> None:
        self.plot.show_difference(report.confusion - other.confusion, report.per_class_accuracy,
                                  other.per_class_accuracy, report.classes)  # fmt: skip
        a, b = report.evaluation.accuracy, other.evaluation.accuracy
        self.summary.setText(f"A − B: A {a:.2%}, B {b:.2%} · blue: A does better, orange: B")

    def _show_nothing(self, text: str) -> None:
        self._shown = self._other = None
        self.summary.setText(text)
        self.plot.clear_matrix()
        self.plot.select(None)
        self.gallery.clear_digits()

    def choose_cell(self, true: int, guess: int) -> None:
        """Show the test images of class `true` that the net calls `guess` (positions 0..k-1)."""
        self._cell = (true, guess)
        self._show_cell()

    def _show_cell(self) -> None:
        report = self._shown
        self.plot.select(self._cell)
        if report is None or self._cell is None:
            self.cell_label.setText(CHOOSE)
            self.gallery.clear_digits(CHOOSE)
            return
        true, guess = self._cell
        chosen = cell_indices(report.labels, report.predicted, report.confidence, true, guess)
        a, b = report.classes[true], report.classes[guess]
        what = f"{a}s read as {a}" if true == guess else f"{a}s the net reads as {b}"
        if self._other is not None:  # the cell's digits where B answers otherwise
            chosen = chosen[self._other.predicted[chosen] != guess]
            what = f"{a}s A reads as {b} and B does not"
        self.cell_label.setText(f"{what}: {len(chosen):,}, most confident first")
        self.gallery.set_digits(
            report.images,
            chosen,
            lambda i: report.caption(chosen[i]),
            lambda i: report.tip(chosen[i]),
            "No images here",
        )

    def picture(self) -> QImage:
        return scene_picture(self.plot)

    def view_settings(self) -> dict:
        return {"mode": self.mode()}

    def apply_view_settings(self, values: dict) -> None:
        mode = values.get("mode")
        if isinstance(mode, str) and mode in MODES:
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))


if __name__ == "__main__":
    sys.exit(run_alone(ConfusionView, size=(620, 640)))
