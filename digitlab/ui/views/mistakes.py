"""The current model's most confident mistakes on the test set, filterable by class.

A mistake the net makes with 99 % confidence says more about it than one it nearly got right:
they come first. Filter by the true class, the predicted class, or both ("7s read as 1"). The
answers come from `session.test_predictions` (shared with the confusion view); double-click or
drag a digit to the drawing pad to edit it and watch the answer change.
"""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from digitlab.core.mistakes import confident_mistakes
from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.comparison import flips
from digitlab.session.selection import ImageRef
from digitlab.session.split_predictions import PredictionsReport, failure_text
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.digit_gallery import DigitGallery
from digitlab.ui.widgets.export import ExportButton, table_text, widget_picture
from digitlab.ui.widgets.view_body import controls_above, status_label

ANY = "any"
WHOSE = {"a": "The answering model's mistakes", "right_a": "Right in A, wrong in B",
         "right_b": "Right in B, wrong in A"}  # fmt: skip


def mistakes_numbers(report: PredictionsReport | None, shown: np.ndarray) -> str:
    """The mistakes on show as tab-separated rows: test index, truth, answer, confidences."""
    if report is None:
        return ""
    header = ["test image", "true class", "predicted", "confidence", "P(true class)"]
    rows = [
        [int(i), report.classes[report.labels[i]], report.classes[report.predicted[i]],
         float(report.confidence[i]), float(report.true_probability[i])]
        for i in shown
    ]  # fmt: skip
    return table_text(header, rows)


class MistakesView(View):
    view_id = "mistakes"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.true_combo, self.guess_combo = QComboBox(), QComboBox()
        self.true_combo.setToolTip("Only mistakes on test images of this class")
        self.guess_combo.setToolTip("Only mistakes where the net answers this class")
        for combo in (self.true_combo, self.guess_combo):
            combo.addItem(ANY, None)
            combo.currentIndexChanged.connect(lambda _: self._show_list())
        self.whose_combo = QComboBox()
        for key, label in WHOSE.items():
            self.whose_combo.addItem(label, key)
        self.whose_combo.setToolTip(
            "The answering model's mistakes, or the digits one of two "
            "models gets right and the other wrong (B: A vs B view)"
        )
        self.whose_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.whose_combo.setMinimumContentsLength(16)
        self.whose_combo.currentIndexChanged.connect(self._on_whose)
        self.summary = status_label()
        self.gallery = DigitGallery()
        self.gallery.digit_chosen.connect(session.drawing.place_digit)
        self.gallery.image_clicked.connect(
            lambda index: session.selection.select_image(ImageRef("test", index))
        )
        self.export = ExportButton(
            session,
            lambda: widget_picture(self.gallery),
            lambda: mistakes_numbers(self._shown, self.gallery.shown_indices()),
            "mistakes",
        )
        controls = (QLabel("True"), self.true_combo, QLabel("Read as"), self.guess_combo)
        body = QWidget()  # the A-vs-B choice on a row of its own: the dock's width stays
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        whose = QHBoxLayout()
        whose.addWidget(QLabel("Show"))
        whose.addWidget(self.whose_combo)
        whose.addStretch(1)
        column.addLayout(whose)
        column.addWidget(self.gallery, 1)
        controls_above(self, controls, self.summary, body, self.export)
        self._shown: PredictionsReport | None = None
        self._classes: tuple[int, ...] = ()
        self.subscribe(session.test_predictions.updated, self.schedule_refresh)
        self.subscribe(session.comparison.changed, self.schedule_refresh)
        self.subscribe(session.comparison.predictions.updated, self.schedule_refresh)
        self._other: PredictionsReport | None = None  # B's answers, when comparing
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(520, 420)

    def _on_whose(self, _index: int) -> None:
        self._shown = None  # list again, even from the same answers
        self.refresh()

    def set_filter(self, true: int | None = None, guess: int | None = None) -> None:
        """Filter by class digits (None: any), as the combo boxes do."""
        for combo, digit in ((self.true_combo, true), (self.guess_combo, guess)):
            combo.setCurrentIndex(max(combo.findData(digit), 0) if digit is not None else 0)

    def refresh(self) -> None:
        report = self.session.test_predictions.fetch()
        if report is None:
            self.summary.setText("Reading the test set…" if self._shown is None else "Updating…")
            return
        if isinstance(report, AnalysisFailed):
            self._show_nothing(failure_text(report))
            return
        other = None
        if self.whose_combo.currentData() != "a":
            other = self.session.comparison.answers(self.session.test_predictions.target)
            if other is None:
                waiting = self.session.comparison.other is not None
                self._show_nothing("Waiting for B's answers on the test digits…" if waiting else
                                   "Choose a model to compare with in the A vs B view")  # fmt: skip
                return
        if report is self._shown and other is self._other:
            return
        self._shown, self._other = report, other
        if report.classes != self._classes:
            self._classes = report.classes
            for combo in (self.true_combo, self.guess_combo):
                chosen = combo.currentData()
                combo.blockSignals(True)
                while combo.count() > 1:  # keep "any"
                    combo.removeItem(combo.count() - 1)
                for digit in report.classes:
                    combo.addItem(str(digit), digit)
                combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)
                combo.blockSignals(False)
        self._show_list()

    def _position(self, combo: QComboBox) -> int | None:
        digit = combo.currentData()
        return None if digit is None else self._classes.index(digit)

    def _show_list(self) -> None:
        report = self._shown
        if report is None:
            return
        true, guess = self._position(self.true_combo), self._position(self.guess_combo)
        whose, other = self.whose_combo.currentData(), self._other
        if whose != "a" and other is not None:
            chosen = flips(report, other, "a" if whose == "right_a" else "b")
            report = other if whose == "right_a" else report  # captions: the wrong answer
            if true is not None:
                chosen = chosen[report.labels[chosen] == true]
            if guess is not None:
                chosen = chosen[report.predicted[chosen] == guess]
            right, wrong = ("A", "B") if whose == "right_a" else ("B", "A")
            self.summary.setText(f"{len(chosen):,} digits right in {right}, wrong in {wrong} "
                                 f"({wrong}'s answer shown)")  # fmt: skip
        else:
            chosen = confident_mistakes(report.labels, report.predicted, report.confidence,
                                        true, guess)  # fmt: skip
            self.summary.setText(
                f"{len(chosen):,} of {report.mistakes:,} mistakes, most confident first"
            )
        self.gallery.set_digits(
            report.images,
            chosen,
            lambda i: report.caption(chosen[i]),
            lambda i: report.tip(chosen[i]),
            "No such mistakes",
        )

    def _show_nothing(self, text: str) -> None:
        self._shown = self._other = None
        self.summary.setText(text)
        self.gallery.clear_digits(text)


if __name__ == "__main__":
    sys.exit(run_alone(MistakesView, size=(560, 480)))
