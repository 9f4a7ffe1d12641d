"""Which units matter for a digit: each unit of a layer switched off alone, ranked by what the
chosen digit loses, and a button that switches the top ones off together (the neuron lab).

The ranking is of the original model (not of the edited one), so it stays put while units go
off; it is computed in the background (`session.ablation`, cached per model version and layer).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.ablation import AblationTable
from digitlab.session import Session
from digitlab.session.analysis import failed_or_none
from digitlab.session.edits import EDITED_KEY
from digitlab.session.models import ModelEntry

SHOWN = 8  # units listed


class AblationPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.digit = QComboBox()
        self.layer = QComboBox()
        self.rank_button = QPushButton("Rank units")
        self.rank_button.setToolTip("Switch each unit of the layer off alone and measure every "
                                    "digit's test accuracy (a fraction of a second)")  # fmt: skip
        self.rank_button.clicked.connect(self.rank)
        self.result = QListWidget()
        self.result.setMaximumHeight(120)
        self.count = QSpinBox()
        self.count.setRange(1, 64)
        self.count.setValue(5)
        self.off_button = QPushButton("Switch off the top")
        self.off_button.clicked.connect(self.switch_off_top)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        ask = QHBoxLayout()
        ask.addWidget(QLabel("Units that matter for"))
        ask.addWidget(self.digit)
        ask.addWidget(QLabel("in"))
        ask.addWidget(self.layer)
        ask.addStretch(1)
        act = QHBoxLayout()  # a second row: a narrow dock keeps every control whole
        act.addWidget(self.rank_button)
        act.addSpacing(8)
        act.addWidget(self.off_button)
        act.addWidget(self.count)
        act.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(ask)
        layout.addWidget(self.status)
        layout.addWidget(self.result)
        layout.addLayout(act)
        self.digit.currentIndexChanged.connect(lambda _: self.show_table())
        self._asked: tuple | None = None  # (model ref, layer) the user ranked

    def subject(self) -> ModelEntry | None:
        """The model ranked: the original while units are edited, else the answering one."""
        current = self.session.models.current
        if current is not None and current.key == EDITED_KEY:
            return self.session.edits.original
        return current

    def sync(self) -> None:
        """Follow the answering model: its classes and hidden layers in the lists."""
        entry = self.subject()
        classes = entry.classes if entry is not None else ()
        layers = len(entry.network.spec.hidden) if entry is not None else 0
        if [self.digit.itemData(i) for i in range(self.digit.count())] != list(classes):
            self.digit.blockSignals(True)
            self.digit.clear()
            for digit in classes:
                self.digit.addItem(str(digit), digit)
            self.digit.setCurrentIndex(self.digit.findData(7) if 7 in classes else 0)
            self.digit.blockSignals(False)
        if self.layer.count() != layers:
            self.layer.clear()
            self.layer.addItems([f"layer {i + 1}" for i in range(layers)])
            self.layer.setCurrentIndex(layers - 1)
        self.rank_button.setEnabled(layers > 0)
        self.show_table()

    def rank(self) -> None:
        entry = self.subject()
        if entry is None or self.layer.currentIndex() < 0:
            return
        self._asked = (entry.ref, self.layer.currentIndex())
        self.session.ablation.request(entry, self.layer.currentIndex())
        self.show_table()

    def table(self) -> AblationTable | None:
        entry = self.subject()
        if entry is None or self._asked != (entry.ref, self.layer.currentIndex()):
            return None
        outcome = self.session.ablation.get(entry, self.layer.currentIndex())
        return outcome if isinstance(outcome, AblationTable) else None

    def show_table(self) -> None:
        entry, digit = self.subject(), self.digit.currentData()
        asked = entry is not None and self._asked == (entry.ref, self.layer.currentIndex())
        outcome = self.session.ablation.get(entry, self.layer.currentIndex()) if asked else None
        failed = failed_or_none(outcome)
        table = self.table()
        self.result.clear()
        self.off_button.setEnabled(table is not None)
        if failed is not None:
            self.status.setText(f"No ranking: {failed.message}")
        elif not asked:
            self.status.setText("Rank the units of a layer to see which matter for a digit")
        elif table is None:
            self.status.setText("Switching each unit off in turn…")
        elif digit is not None:
            ranked = table.matters_for(digit, SHOWN)
            intact = table.intact_per_class[table.classes.index(digit)]
            self.status.setText(f"Off alone, these units cost the {digit}s most (of {intact:.1%}):"
                                if ranked else f"No unit alone costs the {digit}s anything "
                                f"(they are {intact:.1%} right)")  # fmt: skip
            self.result.addItems([f"unit {u}: −{100 * drop:.2f} points" for u, drop in ranked])

    def switch_off_top(self) -> None:
        table, digit = self.table(), self.digit.currentData()
        if table is None or digit is None:
            return
        layer = self.layer.currentIndex()
        for unit, _drop in table.matters_for(digit, self.count.value()):
            if self.session.edits.edit_of(layer, unit) is None:
                self.session.edits.switch_off(layer, unit)
