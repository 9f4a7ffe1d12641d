"""My digits: keep drawings with their true label, and see how the answering model does on them.

MNIST's test set was written by American students and census staff; a user's own 4s and 7s are
another set. Drawing one, pressing *Keep as 4* (or the key 4 while the view has focus), and doing
that a few dozen times makes a test set of one's own hand. The gallery shows it by class, each
tile captioned with its label and the current model's answer (wrong ones marked); a right-click
relabels or deletes one, a double-click puts it back on the pad. The files live in the user data
folder, so `digitlab evaluate MODEL --images <that folder>` scores the same set.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.checkpoint import percent_text
from digitlab.session import Session
from digitlab.session.analysis import failed_or_none
from digitlab.session.fine_tune import FineTuneFigures
from digitlab.session.models import RUN_KEY
from digitlab.session.my_digits import DigitSet, SetScore
from digitlab.ui.dialogs import confirm_replace_run
from digitlab.ui.plots.confusion_plot import ConfusionPlot
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.digit_gallery import DigitGallery
from digitlab.ui.widgets.flow_layout import FlowLayout, together
from digitlab.ui.widgets.view_body import scrolled, status_label

WRONG = "✗"
CONFUSION_HEIGHT = 260  # px: ten rows of cells that can be read


def score_text(digits: DigitSet, score: SetScore | None, model: str) -> str:
    """'14 digits · Shipped robust 3-layer: 12 of 14 right (85.7 %)' (what the status says)."""
    if not len(digits):
        return "No digits kept yet"
    count = f"{len(digits)} digit{'s' * (len(digits) != 1)}"
    if score is None:
        return f"{count} · {model}: scoring…" if model else count
    right, total = int(np.trace(score.evaluation.confusion)), score.evaluation.total
    text = (
        f"{count} · {model}: {right} of {total} right ({percent_text(score.evaluation.accuracy)})"
    )
    if score.left_out:
        text += f", {score.left_out} of digits it has no output for"
    return text


def fine_tune_text(figures: FineTuneFigures | None) -> str:
    """'MNIST test 98.4 % → 98.3 %, your digits 61.0 % → 89.0 %' ('…' for what is not known)."""
    if figures is None:
        return ""

    def shown(value: float | None) -> str:
        return "…" if value is None else percent_text(value)

    mnist = f"MNIST test {shown(figures.mnist_before)} → {shown(figures.mnist_after)}"
    mine = f"your digits {shown(figures.set_before)} → {shown(figures.set_after)}"
    going = "Fine-tuning… " if figures.going else "Fine-tuned: "
    return f"{going}{mnist}, {mine}"


def _digit_key(event: QKeyEvent) -> int | None:
    """The digit of a plain key 0–9 (main row or keypad), None for any other key."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if modifiers != Qt.KeyboardModifier.NoModifier:
        return None
    key = event.key()
    return key - Qt.Key.Key_0 if Qt.Key.Key_0 <= key <= Qt.Key.Key_9 else None


class MyDigitsView(View):
    view_id = "mydigits"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        buttons = QWidget()  # wraps between digits in a narrow dock (a lesson at 1024×640)
        row = FlowLayout(buttons, spacing=2)
        row.addWidget(QLabel("Keep as"))
        self.keep_buttons: list[QPushButton] = []
        for digit in range(10):
            button = QPushButton(str(digit))
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("0") + 18)
            button.setToolTip(f"Keep the drawing on the pad as a {digit} (key {digit})")
            button.clicked.connect(lambda _=False, d=digit: self.keep(d))
            row.addWidget(button)
            self.keep_buttons.append(button)
        self.summary = status_label()
        self.tuned = status_label()
        for line in (self.summary, self.tuned):  # the score is the point: wrapped, never cut
            line.setWordWrap(True)
        self.import_button = QPushButton("Import folder…")
        self.import_button.setToolTip(
            "Copy a folder of digits into your set: class subfolders 0–9 of images, or a "
            "labels.csv of file,label"
        )
        self.import_button.clicked.connect(self._choose_folder)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 20)
        self.epochs.setValue(1)
        self.epochs.setSuffix(" epoch")
        self.epochs.setToolTip("How long to fine-tune")
        self.tune_button = QPushButton("Fine-tune on these")
        self.tune_button.setToolTip(
            "Train the answering model on from its weights, with your digits mixed into MNIST "
            "(about a tenth of each epoch) so it learns your hand without forgetting MNIST"
        )
        self.tune_button.clicked.connect(self.fine_tune)
        self.every_button = QPushButton("Score every model")
        self.every_button.setToolTip("Each listed model (shipped, trained, opened) on your set")
        self.every_button.clicked.connect(self.score_every_model)
        self.every = QLabel()
        self.every.setWordWrap(True)
        self.every.hide()
        self.show_combo = QComboBox()
        self.show_combo.addItems(["Gallery", "Confusion"])
        self.show_combo.setToolTip(
            "Your digits by class, or the answering model's confusion "
            "matrix on them (rows: your label, columns: its answer)"
        )
        self.show_combo.currentIndexChanged.connect(lambda _: self._show_page())
        actions = QWidget()  # the buttons wrap in a narrow dock; each pair stays together
        flow = FlowLayout(actions)
        for pair in ((self.import_button,), (self.tune_button, self.epochs),
                     (self.every_button,), (QLabel("Show"), self.show_combo)):  # fmt: skip
            flow.addWidget(together(*pair))
        self.gallery = DigitGallery()
        self.gallery.setToolTip(
            "Double-click a digit to put it on the pad; right-click to relabel or delete it"
        )
        self.gallery.digit_chosen.connect(session.drawing.place_digit)
        self.gallery.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.gallery.customContextMenuRequested.connect(self._menu_at)
        self.gallery.installEventFilter(self)  # its keyboard search would swallow 0–9
        body = QWidget()  # the score on a line of its own: the buttons fill a narrow dock
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(actions)
        column.addWidget(self.summary)
        column.addWidget(self.tuned)
        column.addWidget(self.every)
        self.confusion = ConfusionPlot()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.gallery)
        self.pages.addWidget(self.confusion)
        column.addWidget(self.pages, 1)
        content = QWidget()  # in a scrolling area: the confusion matrix keeps a readable size
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(buttons)
        layout.addWidget(body, 1)
        scrolled(self, content)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._order = np.zeros(0, np.int64)  # gallery position → index in the set
        self._shown: tuple[DigitSet | None, SetScore | None] = (None, None)
        self.subscribe(session.my_digits.changed, lambda _: self.schedule_refresh())
        self.subscribe(session.my_digits.score.updated, self.schedule_refresh)
        self.subscribe(session.models.current_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.fine_tuning.changed, self.schedule_refresh)
        self.subscribe(session.pruned_accuracy.updated, self.schedule_refresh)
        self.subscribe(session.my_digits_scores.finished, lambda _: self.schedule_refresh())
        self.subscribe(session.my_digits_scores.failed, lambda _: self.schedule_refresh())
        self.schedule_refresh()  # the folder is read when the view is first on screen

    def sizeHint(self) -> QSize:
        return QSize(560, 420)

    def keep(self, digit: int) -> bool:
        """Keep the pad's drawing as `digit` (the buttons and keys 0–9)."""
        return self.session.my_digits.keep(digit)

    def import_folder(self, folder: str | Path) -> None:
        """Copy a folder of digits into the set (the button, after its folder dialog)."""
        self.session.my_digits.import_folder(Path(folder))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of digits")
        if folder:
            self.import_folder(folder)

    def fine_tune(self) -> bool:
        """Fine-tune the answering model on the set mixed with MNIST for the spin's epochs;
        asked first when that replaces another model's trained run (it did so unasked)."""
        session = self.session
        current, run = session.models.current, session.run
        if current is not None and current.key != RUN_KEY and run.network is not None:
            if not confirm_replace_run(self, run.epochs_trained, "Fine-tuning"):
                return False
        return session.fine_tuning.start(self.epochs.value())

    def score_every_model(self) -> None:
        """Score each listed model on the set, in the background (the button)."""
        if len(self.session.my_digits.digits):
            self.session.my_digits_scores.run(self.session.my_digits.digits)
            self.every.setText("Scoring every model on your digits…")
            self.every.show()

    def _show_every(self) -> None:
        task, digits = self.session.my_digits_scores, self.session.my_digits.digits
        outcome = task.outcome
        if task.running or outcome is None:
            return
        failure = failed_or_none(outcome)
        if failure is not None:
            self.every.setText(f"Could not score the models: {failure.message}")
        elif outcome.digits is not digits:
            self.every.setText("Your set changed: press Score every model again")
        else:
            self.every.setText(" · ".join(row.text() for row in outcome.rows))  # few lines

    def _show_page(self) -> None:
        self.pages.setCurrentIndex(self.show_combo.currentIndex())
        # a short dock scrolls to the matrix rather than squeezing it; the gallery scrolls itself
        matrix = self.pages.currentWidget() is self.confusion
        self.pages.setMinimumHeight(CONFUSION_HEIGHT if matrix else 0)
        self._shown = (None, None)  # draw the page now shown
        self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if _digit_key(event) is None or not self.keep(_digit_key(event)):
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and _digit_key(event) is not None:
            self.keep(_digit_key(event))
            return True
        return super().eventFilter(watched, event)

    def kept_at(self, position: int) -> Path:
        """The file of the digit at a gallery position."""
        return self.session.my_digits.digits.kept[int(self._order[position])].path

    def refresh(self) -> None:
        my = self.session.my_digits
        digits, entry = my.digits, self.session.models.current
        outcome = my.fetch(entry) if entry is not None and len(digits) else None
        failure = failed_or_none(outcome)
        score = outcome if isinstance(outcome, SetScore) and outcome.digits is digits else None
        model = entry.label if entry is not None else ""
        if failure is not None:
            self.summary.setText(f"{score_text(digits, None, '')} · {failure.message}")
        else:
            self.summary.setText(score_text(digits, score, model))
        self.epochs.setSuffix(" epoch" if self.epochs.value() == 1 else " epochs")
        self.tune_button.setEnabled(len(digits) > 0 and not self.session.fine_tuning.going)
        self.tuned.setText(fine_tune_text(self.session.fine_tuning.figures()))
        self._show_every()
        if self._shown == (digits, score):
            return
        self._shown = (digits, score)
        if score is not None and self.pages.currentWidget() is self.confusion:
            evaluation = score.evaluation
            self.confusion.show_matrix(evaluation.confusion, evaluation.per_class_accuracy,
                                       evaluation.classes)  # fmt: skip
        elif score is None:
            self.confusion.clear_matrix()
        self._order = np.argsort(digits.labels, kind="stable")
        self.gallery.set_digits(
            digits.images,
            self._order,
            lambda i: self._caption(digits, score, int(self._order[i])),
            lambda i: self._tip(digits, score, int(self._order[i])),
            "Draw a digit on the pad, then press Keep as… (or its key 0–9 here) to keep it "
            f"with its label.\n\nYour digits are kept in {my.root}",
        )

    @staticmethod
    def _caption(digits: DigitSet, score: SetScore | None, index: int) -> str:
        label = digits.kept[index].label
        if score is None:
            return str(label)
        answer = int(score.answers[index])
        return f"{label} → {answer}" + (f" {WRONG}" if answer != label else "")

    @staticmethod
    def _tip(digits: DigitSet, score: SetScore | None, index: int) -> str:
        kept = digits.kept[index]
        answer = "" if score is None else f"; the model reads {int(score.answers[index])}"
        return f"{kept.path.name}: kept as {kept.label}{answer}"

    def _menu_at(self, point: QPoint) -> None:
        index = self.gallery.indexAt(point)
        if not index.isValid():
            return
        menu = self.context_menu(index.row())
        menu.exec(self.gallery.viewport().mapToGlobal(point))

    def context_menu(self, position: int) -> QMenu:
        """Relabel as 0–9, or delete, the digit at a gallery position."""
        path = self.kept_at(position)
        menu = QMenu(self)
        relabel = menu.addMenu("Relabel as")
        current = self.session.my_digits.digits.kept[int(self._order[position])].label
        for digit in range(10):
            action = relabel.addAction(str(digit))
            action.setEnabled(digit != current)
            action.triggered.connect(
                lambda _=False, d=digit: self.session.my_digits.relabel(path, d)
            )
        delete = menu.addAction("Delete")
        delete.triggered.connect(lambda: self.session.my_digits.delete(path))
        return menu


if __name__ == "__main__":
    sys.exit(run_alone(MyDigitsView, size=(600, 480)))
