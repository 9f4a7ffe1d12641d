"""Experiments: the classic small-net experiments, each a question the folklore answers, run
here to see whether it holds.

Pick one from the list to read its question and method; Run starts it in the background
(`session.experiments`) with progress and Cancel; the figure, the table and the conclusion show
when it ends. Every run is kept on disk: the newest shows when an experiment is picked, earlier
ones are in the "earlier runs" list, and Open… reads any result.json (`digitlab experiment run
--out`).

The texts grow to their words at the current width (`FittedText`), up to a share of the view's
height beyond which they scroll on their own: a verdict is read whole, never cut at three lines,
and a long one cannot squeeze the figure out. The figure never scrolls sideways: it puts as many
panels a row as the width holds (one, in a narrow dock) and scrolls down.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.experiments import ExperimentResult, Settings
from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.jobs import Progress
from digitlab.ui.plots.experiment_figure import PER_ROW, ExperimentFigure, grid_shape
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.export import ExportButton, scene_picture, table_text
from digitlab.ui.widgets.stored_results import StoredResultsBox

PANEL_MIN = (220, 200)  # a row holds as many panels as this width allows; rows scroll
ABOUT_SHARE, VERDICT_SHARE = 0.25, 0.4  # the most of the view's height each text takes
VERDICTS = {True: ("#1a7f37", "Agrees with the folklore"),
            False: ("#cf222e", "Does not agree with the folklore"),
            None: ("#9a6700", "Mixed")}  # fmt: skip
NAME_ROLE = Qt.ItemDataRole.UserRole
MAX_SEED = 9999


class ExperimentsView(View):
    view_id = "experiments"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.catalogue = QListWidget()
        self.catalogue.addItem("Loading the experiments…")
        self.catalogue.setEnabled(False)
        self.catalogue.setWordWrap(True)
        self.catalogue.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.catalogue.currentItemChanged.connect(self._on_pick)
        self.about = FittedText(self, ABOUT_SHARE)  # the question in bold, then the method
        self.quick = QCheckBox("Quick")
        self.quick.setToolTip("A smaller version: seconds instead of minutes, for a first look")
        self.quick.setChecked(True)
        self.seed = QSpinBox(prefix="seed ", minimum=0, maximum=MAX_SEED)
        self.seed.setToolTip("The same seed gives the same numbers")
        self.run_button = QPushButton("Run", minimumWidth=56)  # the dock fits a 1024×640 window
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.run_or_cancel)
        self.progress = QProgressBar(minimumWidth=40, textVisible=True)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("ready")
        self.result: ExperimentResult | None = None
        self.earlier = StoredResultsBox(session.experiments, lambda: self.result, self.selected,
                                        self.show_result, self.open_file)  # fmt: skip
        self.open_button = QPushButton("Open…", minimumWidth=56)
        self.open_button.setToolTip("Open a result.json (written by 'digitlab experiment run')")
        self.open_button.clicked.connect(self.ask_and_open)
        self.figure = ExperimentFigure()
        self.export = ExportButton(
            session, lambda: scene_picture(self.figure), self._numbers, "experiment"
        )
        self.figure_area = QScrollArea(widgetResizable=True)
        self.figure_area.setWidget(self.figure)
        self.figure_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figure_area.viewport().installEventFilter(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.figure_area, "Figure")
        self.conclusion = FittedText(self, VERDICT_SHARE)
        self._lay_out()
        self._per_row = PER_ROW
        self._names: dict[str, Any] = {}  # name → Experiment
        self._wanted = ""  # the experiment to pick once the catalogue is there
        self._asked_to_open = False  # the next opened result is one the user chose
        runs = session.experiments
        self.subscribe(runs.catalogue_loaded, self._on_catalogue)
        self.subscribe(runs.progress, self._on_progress)
        self.subscribe(runs.finished, self._on_finished)
        self.subscribe(runs.failed, self._on_failed)
        self.subscribe(runs.stored, self._on_stored)
        self.subscribe(runs.opened, self._on_opened)
        self.subscribe(runs.opened_stored, self.earlier.on_opened)
        self.subscribe(runs.damaged, self.earlier.on_damaged)
        self.schedule_refresh()  # loads the catalogue once the view is first on screen

    def _lay_out(self) -> None:
        controls = QHBoxLayout()
        for widget in (self.quick, self.seed, self.run_button):
            controls.addWidget(widget)
        controls.addWidget(self.progress, 1)
        files = QHBoxLayout()
        files.addWidget(self.earlier, 1)
        files.addWidget(self.open_button)
        files.addWidget(self.export)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(4, 0, 0, 0)
        column.addWidget(self.about)
        column.addLayout(controls)
        column.addLayout(files)
        column.addWidget(self.tabs, 1)
        column.addWidget(self.conclusion)
        splitter = QSplitter()
        splitter.addWidget(self.catalogue)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 440])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    def sizeHint(self) -> QSize:
        return QSize(620, 560)

    def refresh(self) -> None:
        if not self._names:
            self.session.experiments.load_catalogue()

    # --- the catalogue -----------------------------------------------------------------------

    def _on_catalogue(self, catalogue: list) -> None:
        self._names = {experiment.name: experiment for experiment in catalogue}
        self.catalogue.blockSignals(True)
        self.catalogue.clear()
        for experiment in catalogue:
            item = QListWidgetItem(f"{experiment.number:>2}  {experiment.title}")
            item.setData(NAME_ROLE, experiment.name)
            item.setToolTip(experiment.question)
            self.catalogue.addItem(item)
        self.catalogue.setEnabled(True)
        self.catalogue.blockSignals(False)
        self.run_button.setEnabled(True)
        self.pick(self._wanted if self._wanted in self._names else catalogue[0].name)

    def pick(self, name: str) -> None:
        """Select experiment `name` in the list (once the catalogue is loaded)."""
        self._wanted = name
        for row in range(self.catalogue.count()):
            if self.catalogue.item(row).data(NAME_ROLE) == name:
                self.catalogue.setCurrentRow(row)

    def selected(self) -> str:
        item = self.catalogue.currentItem()
        return item.data(NAME_ROLE) if item is not None and self._names else ""

    def _on_pick(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        if item is None or not self._names:
            return
        experiment = self._names[item.data(NAME_ROLE)]
        self._wanted = experiment.name
        self.about.setHtml(
            f"<b>{experiment.number}. {_escaped(experiment.title)}: "
            f"{_escaped(experiment.question)}</b><br>Method: {_escaped(experiment.method)}"
        )
        self.earlier.clear()
        if self.result is None or self.result.name != experiment.name:
            self.show_result(None)
        self.session.experiments.list_stored(experiment.name)

    # --- running -----------------------------------------------------------------------------

    def run_or_cancel(self) -> None:
        runs = self.session.experiments
        if runs.running:
            runs.cancel()
            self.run_button.setText("Run")
            self.progress.setFormat("cancelled")
            return
        name = self.selected()
        if not name:
            return
        runs.run(name, Settings(quick=self.quick.isChecked(), seed=self.seed.value()))
        self.run_button.setText("Cancel")
        self.progress.setValue(0)
        self.progress.setFormat(f"starting {self._names[name].title}…")

    def _on_progress(self, progress: Progress) -> None:
        self.progress.setValue(int(1000 * progress.fraction))
        self.progress.setFormat(f"%p%  {progress.text}")

    def _on_finished(self, result: ExperimentResult) -> None:
        self.run_button.setText("Run")
        self.progress.setValue(1000)
        self.progress.setFormat(f"done in {result.seconds:.1f} s")
        self.pick(result.name)
        self.show_result(result)

    def _on_failed(self, failure: AnalysisFailed) -> None:
        message = failure.message
        if not self._names:  # the catalogue itself did not load (torch missing, say)
            self.catalogue.item(0).setText(f"The experiments could not be loaded: {message}")
        if not self.session.experiments.running:
            self.run_button.setText("Run")
        self.progress.setFormat(message)
        self.session.notices.error(message, source="experiments")

    # --- results -----------------------------------------------------------------------------

    def _on_stored(self, name: str, found: list) -> None:
        if name == self.selected():
            self.earlier.list_results(found)

    def ask_and_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open an experiment result", str(Path.home()), "Results (*.json)"
        )
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Read a result file in the background and show it, whichever experiment it is."""
        self._asked_to_open = True
        self.session.experiments.open(path)

    def _on_opened(self, result: ExperimentResult) -> None:
        """The user's file is shown whatever it is; the newest kept result of an experiment
        only if that experiment is still the one picked."""
        if self._asked_to_open or result.name == self.selected():
            self._asked_to_open = False
            self.show_result(result)

    def show_result(self, result: ExperimentResult | None) -> None:
        """Show a result's figure, tables and conclusion (None: clear them)."""
        self.result = result
        while self.tabs.count() > 1:
            self.tabs.widget(1).deleteLater()
            self.tabs.removeTab(1)
        self._draw_figure()
        if result is None:
            self.conclusion.clear()
            return
        if result.name in self._names and result.name != self.selected():
            self.pick(result.name)
        for index, table in enumerate(result.tables):
            title = "Table" if len(result.tables) == 1 else f"Table {index + 1}"
            self.tabs.addTab(_table_widget(table.header, table.rows), title)
        colour, verdict = VERDICTS[result.agrees]
        mode = "quick" if result.settings.quick else "full"
        self.conclusion.setHtml(
            f"<b style='color:{colour}'>{verdict}.</b> {_escaped(result.conclusion)} "
            f"<span style='color:gray'>({mode} run, seed {result.settings.seed}, "
            f"{result.seconds:.1f} s)</span>"
        )

    def _draw_figure(self) -> None:
        panels = len(self.result.panels) if self.result is not None else 0
        rows, _ = grid_shape(panels, self._per_row)
        self.figure.setMinimumSize(0, PANEL_MIN[1] * rows if panels else 0)  # never sideways
        self.figure.show_result(self.result, self._per_row)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        for text in (self.about, self.conclusion):
            text.fit()  # their caps follow the view's height

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """As many panels a row as fit the figure area's width (then it scrolls down)."""
        if watched is self.figure_area.viewport() and event.type() == QEvent.Type.Resize:
            per_row = max(1, min(PER_ROW, watched.width() // PANEL_MIN[0]))
            if per_row != self._per_row:
                self._per_row = per_row
                self._draw_figure()
        return super().eventFilter(watched, event)

    def _numbers(self) -> str:
        if self.result is None:
            return ""
        tables = [table_text(t.header, t.rows) for t in self.result.tables]
        return "\n".join([*tables, self.result.conclusion + "\n"])

    # --- what it remembers -------------------------------------------------------------------

    def view_settings(self) -> dict[str, Any]:
        name = self.selected() or self._wanted
        return {"experiment": name, "quick": self.quick.isChecked(), "seed": self.seed.value()}

    def apply_view_settings(self, values: dict[str, Any]) -> None:
        if isinstance(values.get("experiment"), str):
            self._wanted = values["experiment"]
            self.pick(self._wanted)
        if isinstance(values.get("quick"), bool):
            self.quick.setChecked(values["quick"])
        seed = values.get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= MAX_SEED:
            self.seed.setValue(seed)


class FittedText(QTextBrowser):
    """Read-only text, frameless on the view's background, that asks for the height of its text
    at the current width, up to `share` of `owner`'s height (then it scrolls): short texts show
    whole with no scroll bar, long ones never squeeze the figure out of a small window. It asks
    and does not insist (no fixed height): a dock can still be made smaller, and then it
    scrolls."""

    def __init__(self, owner: QWidget, share: float) -> None:
        super().__init__(frameShape=QTextBrowser.Shape.NoFrame, openLinks=False)
        self._owner, self._share, self._wanted = owner, share, 0
        self.viewport().setAutoFillBackground(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.document().documentLayout().documentSizeChanged.connect(lambda *_: self.fit())
        self.fit()

    def fit(self) -> None:
        """Ask for the text's height as laid out beside a scroll bar (measured on a copy): that
        height holds it with or without one, so a bar shown once goes away again. Capped."""
        copy = self.document().clone(self)
        bar = self.verticalScrollBar().sizeHint().width()
        copy.setTextWidth(self.contentsRect().width() - bar)
        needed = math.ceil(copy.size().height()) + 2
        copy.deleteLater()
        cap = max(self._lines(3), int(self._share * self._owner.height()))
        wanted = min(needed, cap) if not self.document().isEmpty() else 0
        if wanted != self._wanted:
            self._wanted = wanted
            self.setMaximumHeight(wanted)
            self.updateGeometry()

    def _lines(self, count: int) -> int:
        return count * self.fontMetrics().lineSpacing() + 8

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._wanted)

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), min(self._wanted, self._lines(2)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit()


def _table_widget(header: list[str], rows: list[list[Any]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(header))
    table.setHorizontalHeaderLabels(header)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(_cell(value))
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return "" if value is None else str(value)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


if __name__ == "__main__":
    sys.exit(run_alone(ExperimentsView, size=(900, 640)))
