"""Which model reads the drawing: the shipped ones, the net being trained, or a model file."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QVBoxLayout

from digitlab.session import Session
from digitlab.session.models import RUN_KEY, ModelEntry, ModelKind, ModelSource
from digitlab.ui.dialogs import ask_model_file
from digitlab.ui.view import View, run_alone

OPEN_FILE = "open-file…"  # the combo entry that opens the file dialog rather than a model


class ModelView(View):
    view_id = "model"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.combo = QComboBox()
        self.combo.setToolTip("Which net reads the drawing")
        self.combo.setPlaceholderText("Choose a model…")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(12)
        self.combo.activated.connect(self._on_activated)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setEnabled(False)  # the muted colour: secondary information
        self.description.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.description.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 2)  # two lines
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.combo)
        layout.addWidget(self.description)
        layout.addStretch(1)
        models = session.models
        self.subscribe(models.sources_changed, self._fill)
        self.subscribe(models.current_changed, self._show_current)
        self.subscribe(models.loading, self._show_loading)
        # A failed load keeps the current model: show it again (the combo moved to the file).
        self.subscribe(models.load_failed, lambda _: self._show_current(models.current))
        self._fill()
        self._show_current(models.current)

    def _fill(self) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        sources = self.session.models.sources()
        if not any(s.kind is ModelKind.RUN for s in sources):
            sources.append(ModelSource(RUN_KEY, ModelKind.RUN, "Training run (live)"))
        for source in sources:
            self.combo.addItem(source.label, source.key)
            index = self.combo.count() - 1
            tip = str(source.path) if source.path else "The net being trained, as it learns"
            self.combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
            if source.kind is ModelKind.RUN and self.session.models.entry(RUN_KEY) is None:
                item = self.combo.model().item(index)
                item.setEnabled(False)
                item.setToolTip("Appears when a training run sends its first weights")
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem("Open model file…", OPEN_FILE)
        self.combo.blockSignals(False)
        self._sync()

    def _sync(self) -> None:
        key = self.session.models.wanted
        self.combo.setCurrentIndex(self.combo.findData(key) if key else -1)

    def _show_current(self, entry: ModelEntry | None) -> None:
        run = self.session.models.entry(RUN_KEY)
        if run is not None and self._run_disabled():
            self._fill()
        index = self.combo.findData(RUN_KEY)
        if run is not None and index >= 0 and self.combo.itemText(index) != run.label:
            self.combo.setItemText(index, run.label)  # live, or the moment on the timeline
        self._sync()
        if entry is None:
            self.description.setText("No model loaded — train one, or open a model file")
        else:
            self.description.setText(entry.description)

    def _run_disabled(self) -> bool:
        index = self.combo.findData(RUN_KEY)
        return index >= 0 and not self.combo.model().item(index).isEnabled()

    def _show_loading(self, source: ModelSource) -> None:
        self._sync()
        self.description.setText(f"Loading {source.label} …")

    def _on_activated(self, index: int) -> None:
        key = self.combo.itemData(index)
        if key == OPEN_FILE:
            self._sync()  # the dialog is not a model: show the current one meanwhile
            self.open_dialog()
        elif key:
            self.session.models.select(key)

    def open_dialog(self) -> None:
        path = ask_model_file(self)
        if path:
            self.session.models.open_file(path)


if __name__ == "__main__":
    sys.exit(run_alone(ModelView, size=(260, 120)))
