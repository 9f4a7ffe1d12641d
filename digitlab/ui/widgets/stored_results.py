"""The list of an experiment's kept results ("earlier runs"), newest first.

It opens the newest that reads when nothing is shown, and a damaged one (garbage, a folder, a
pipe, a file too big to draw) becomes one line in the list, "damaged result, …", while the view
goes on: with the next newest, or with whatever it showed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from digitlab.core.experiments import ExperimentResult

DAMAGED = "damaged result"


class StoredResultsBox(QComboBox):
    def __init__(
        self,
        runs: Any,  # session.experiments.ExperimentRuns
        shown: Callable[[], ExperimentResult | None],
        picked: Callable[[], str],
        show: Callable[[ExperimentResult], None],
        open_file: Callable[[str], None],
    ) -> None:
        super().__init__(minimumContentsLength=6)
        self.setToolTip("Results of earlier runs of this experiment, newest first")
        self._runs, self._shown, self._picked, self._show = runs, shown, picked, show
        self._open_file = open_file
        self._stored: list = []  # StoredResult, newest first
        self._trying = -1  # the kept result opened on its own (the newest that reads), or -1
        self._chosen = ""  # the path of the kept result the user chose
        self.activated.connect(self._choose)

    def list_results(self, found: list) -> None:
        """Show `found` (StoredResult, newest first); open the newest that reads if nothing is
        shown."""
        self.clear()
        self._stored, self._trying, self._chosen = list(found), -1, ""
        if not found:
            self.addItem("no earlier runs")
            self.setEnabled(False)
            return
        self.setEnabled(True)
        for stored in found:
            self.addItem(stored.label, str(stored.path))
        if self._shown() is None:
            self._try_next()

    def _try_next(self) -> None:
        self._trying += 1
        if self._trying < len(self._stored):
            self._runs.open_stored(self._stored[self._trying])

    def _tried(self) -> str:
        return str(self._stored[self._trying].path) if 0 <= self._trying < len(self._stored) else ""

    def on_damaged(self, path: str, message: str) -> None:
        """One line in the list for a kept result that cannot be read; then the next newest,
        if the view was still looking for one to show."""
        index = self.findData(path)
        if index >= 0:
            line = message if message.startswith(DAMAGED) else f"{DAMAGED}, {message}"
            self.setItemText(index, line)
            self.setItemData(index, line, Qt.ItemDataRole.ToolTipRole)
        if path == self._chosen:
            self._chosen = ""
        if path == self._tried() and self._shown() is None:
            self._try_next()

    def on_opened(self, path: str, result: ExperimentResult) -> None:
        """The kept result the user chose is shown; the newest readable one only while nothing
        is shown and its experiment is still the one picked."""
        if path == self._chosen:
            self._chosen = ""
            self._show(result)
        elif path == self._tried() and self._shown() is None and result.name == self._picked():
            self._show(result)
            self.setCurrentIndex(self._trying)
        if path == self._tried():
            self._trying = -1

    def _choose(self, index: int) -> None:
        path = self.itemData(index)
        stored = next((s for s in self._stored if str(s.path) == path), None)
        if stored is not None:
            self._chosen = path
            self._runs.open_stored(stored)
        elif path:
            self._open_file(path)
