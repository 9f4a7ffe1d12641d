"""The Experiments view: the catalogue, Run and Cancel, the result, and results reopened."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget

from digitlab.core.experiments import Experiment, Settings
from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.experiments import ExperimentsView
from tests.conftest import count_to


@pytest.fixture
def results(tmp_path):
    return tmp_path / "results"


@pytest.fixture
def session(qapp, results):
    session = Session(QtDispatcher(), experiment_results=results)
    yield session
    session.close()


def shown(qtbot, view, size=(760, 560)):
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.catalogue.isEnabled(), timeout=60_000)
    return view


def test_the_list_names_every_experiment_with_its_question(session, qtbot, with_counting):
    view = shown(qtbot, ExperimentsView(session))
    items = [view.catalogue.item(i) for i in range(view.catalogue.count())]
    assert [item.text().split(maxsplit=1)[0] for item in items][:2] == ["1", "2"]
    assert items[-1].text().endswith("Counting") and items[-1].toolTip() == "Does 1+…+n = n(n+1)/2?"
    view.pick("counting")
    about = view.about.toPlainText().splitlines()
    assert about == ["99. Counting: Does 1+…+n = n(n+1)/2?", "Method: Add the numbers one by one."]


def test_a_run_shows_figure_table_and_conclusion_and_is_kept(session, qtbot, with_counting):
    view = shown(qtbot, ExperimentsView(session))
    view.pick("counting")
    view.quick.setChecked(False)
    view.seed.setValue(1)
    with qtbot.waitSignal(session.experiments.finished, timeout=60_000):
        view.run_or_cancel()
        assert view.run_button.text() == "Cancel"
    assert view.run_button.text() == "Run" and "done" in view.progress.format()
    assert view.result.tables[0].rows == [[21, 231]]
    table = view.tabs.widget(1)
    assert isinstance(table, QTableWidget) and table.item(0, 1).text() == "231"
    assert view.tabs.tabText(1) == "Table"
    conclusion = view.conclusion.toPlainText()
    assert conclusion.startswith("Agrees with the folklore. The sum of 1..21 is 231.")
    assert "(full run, seed 1, " in conclusion
    plot = view.figure.getItem(0, 0)
    (curve,) = plot.listDataItems()
    assert list(curve.getData()[1]) == [1.0, 231.0]
    qtbot.waitUntil(lambda: view.earlier.isEnabled() and view.earlier.count() == 1)
    assert "seed 1 · full" in view.earlier.itemText(0)
    assert view._numbers().startswith("n\tsum\n21\t231\n")


def test_a_new_window_reopens_the_newest_kept_result(session, qtbot, results, with_counting):
    first = shown(qtbot, ExperimentsView(session))
    first.pick("counting")
    for seed in (3, 4):
        first.seed.setValue(seed)
        with qtbot.waitSignal(session.experiments.finished, timeout=60_000):
            first.run_or_cancel()
    later = Session(QtDispatcher(), experiment_results=results)
    try:
        view = shown(qtbot, ExperimentsView(later))
        view.pick("counting")
        qtbot.waitUntil(lambda: view.result is not None, timeout=10_000)
        assert view.result.settings.seed == 4 and view.earlier.count() == 2
        view.earlier.activated.emit(1)  # the older run
        qtbot.waitUntil(lambda: view.result.settings.seed == 3, timeout=10_000)
    finally:
        later.close()


def test_open_shows_any_result_file_and_a_bad_one_is_one_line(session, qtbot, tmp_path,
                                                               with_counting):  # fmt: skip
    view = shown(qtbot, ExperimentsView(session))
    view.pick("approximation")
    kept = count_to(Settings(), lambda fraction, text: None, lambda: False)
    path = tmp_path / "result.json"
    path.write_text(json.dumps(kept.as_dict()))
    view.open_file(path)
    qtbot.waitUntil(lambda: view.result is not None, timeout=10_000)
    assert view.selected() == "counting" and view.result.tables[0].rows == [[20, 210]]
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": 3}')
    with qtbot.waitSignal(session.experiments.failed, timeout=10_000) as failed:
        view.open_file(bad)
    assert str(bad) in failed.args[0].message and str(bad) in view.progress.format()
    assert view.result.tables[0].rows == [[20, 210]]  # what was shown stays


def test_cancel_stops_a_run_and_says_so(session, qtbot, with_counting):
    gate = threading.Event()

    def slow(settings, progress, cancelled):
        gate.wait(10)
        return count_to(settings, progress, cancelled)  # raises ExperimentCancelled if cancelled

    with_counting["slow"] = Experiment(98, "slow", "Slow", "?", "Wait, then count.", slow)
    view = shown(qtbot, ExperimentsView(session))
    view.pick("slow")
    finished = []
    session.experiments.finished.connect(finished.append)
    view.run_or_cancel()
    assert view.run_button.text() == "Cancel"
    view.run_or_cancel()
    gate.set()
    assert view.run_button.text() == "Run" and view.progress.format() == "cancelled"
    assert session.jobs.shutdown(5.0)
    qtbot.wait(50)
    assert finished == [] and view.result is None


def test_a_catalogue_that_cannot_load_says_why_in_the_list(session, qtbot) -> None:
    view = ExperimentsView(session)  # not shown: the catalogue is not asked for
    qtbot.addWidget(view)
    session.experiments.failed.emit(
        AnalysisFailed(None, "ModuleNotFoundError: No module named 'torch'")
    )
    assert view.catalogue.item(0).text().endswith("No module named 'torch'")
    assert not view.catalogue.isEnabled() and not view.run_button.isEnabled()


def test_damaged_kept_results_are_one_line_each_and_the_view_goes_on(
    session, qtbot, results, with_counting
) -> None:
    """Garbage, a list, deep nesting, a huge seed, an empty heatmap, 3000 panels, a folder and
    a pipe among the kept results: each is one line in the list, the newest good one shows."""
    import os

    kept = count_to(Settings(seed=5), lambda fraction, text: None, lambda: False)
    good = kept.as_dict()
    many = {**good, "panels": good["panels"] * 3000}
    huge_seed = json.dumps(good).replace('"seed": 5', '"seed": 1e999')
    empty_map = {**good, "panels": [{**good["panels"][0], "heatmap": {
        "values": [[]], "x_range": [0, 1], "y_range": [0, 1], "levels": [0, 1]}}]}  # fmt: skip
    folder = results / "counting"
    folder.mkdir(parents=True)
    (folder / "20240101-000000-seed5.json").write_text(json.dumps(good))  # the oldest
    damaged = [
        "garbage", json.dumps([good]), "[" * 100_000, huge_seed, json.dumps(empty_map),
        json.dumps(many),
    ]  # fmt: skip
    for minute, text in enumerate(damaged, start=1):
        (folder / f"20240101-00{minute:02d}00-seed5.json").write_text(text)
    (folder / "20240101-000700-seed5.json").mkdir()
    os.mkfifo(folder / "20240101-000800-seed5.json")
    for index, entry in enumerate(sorted(folder.iterdir())):  # the names' order is the age order
        os.utime(entry, (1_700_000_000 + index, 1_700_000_000 + index))
    view = shown(qtbot, ExperimentsView(session))
    view.pick("counting")
    qtbot.waitUntil(lambda: view.result is not None, timeout=20_000)
    assert view.result == kept and view.earlier.currentIndex() == 8
    lines = [view.earlier.itemText(i) for i in range(view.earlier.count())]
    assert all(line.startswith("damaged result, ") for line in lines[:8]), lines
    assert "seed 5" in lines[8] and "damaged" not in lines[8]
    assert all("\n" not in line and len(line) < 600 for line in lines)
    assert "a pipe, not a file" in lines[0] and "a folder, not a file" in lines[1]
    assert "3000 panels" in lines[2] and "nested too deep" in lines[5]
    with qtbot.waitSignal(session.experiments.damaged, timeout=10_000):
        view.earlier.activated.emit(3)  # a damaged one chosen: one line, what was shown stays
    assert view.earlier.itemText(3) == lines[3] and view.result == kept
    view.seed.setValue(6)
    with qtbot.waitSignal(session.experiments.finished, timeout=60_000):
        view.run_or_cancel()  # and the view goes on
    assert view.result.settings.seed == 6 and view.result.name == "counting"


def test_a_legend_goes_to_the_corner_its_lines_leave_free() -> None:
    from digitlab.core.experiments import Line, Panel
    from digitlab.ui.plots.experiment_figure import CORNERS, legend_offset

    falling = Line("falling", [0, 1, 2, 3, 4], [10, 5, 2, 1, 0.5])  # top left to bottom right
    rising = Line("rising", [0, 1, 2, 3, 4], [0.5, 1, 2, 5, 10])  # bottom left to top right
    assert legend_offset(Panel("p", "x", "y", [falling, falling])) in (
        CORNERS["top right"], CORNERS["bottom left"])  # fmt: skip
    assert legend_offset(Panel("p", "x", "y", [rising, rising])) == CORNERS["top left"]
    both = Panel("p", "x", "y", [falling, rising])  # an X: every corner is crossed alike
    assert legend_offset(both) == CORNERS["top left"]
    high = Line("high", [0, 1, 2, 3, 4], [9, 9.5, 10, 9.5, 9])  # along the top, then a dot low left
    assert legend_offset(Panel("p", "x", "y", [high, Line("dot", [0], [0], points=True)])) == (
        CORNERS["bottom right"])  # fmt: skip


KEPT = Path(__file__).resolve().parents[2] / "docs" / "experiments" / "activations" / "result.json"


def open_kept(qtbot, view: ExperimentsView) -> None:
    view.open_file(KEPT)
    qtbot.waitUntil(lambda: view.result is not None, timeout=10_000)
    qtbot.wait(50)  # the texts fit their new words


@pytest.mark.skipif(not KEPT.is_file(), reason="needs the kept result of a source checkout")
@pytest.mark.parametrize("size", [(620, 560), (760, 560), (480, 600)])
def test_the_verdict_reads_whole_and_the_figure_never_scrolls_sideways(session, qtbot, size):
    view = shown(qtbot, ExperimentsView(session), size)
    open_kept(qtbot, view)
    box = view.conclusion
    assert box.toPlainText().startswith("Mixed.") and len(box.toPlainText()) > 400
    assert box.verticalScrollBar().maximum() == 0  # all of it on show: nothing to scroll
    assert box.height() >= box.document().size().height()
    assert box.height() > 5 * box.fontMetrics().lineSpacing()  # not cut at three or four lines
    assert box.geometry().bottom() <= box.parentWidget().height()  # and inside the view
    assert view.figure_area.horizontalScrollBar().maximum() == 0
    plots = list(view.figure.ci.items)
    assert len(plots) == len(view.result.panels)
    assert max(p.sceneBoundingRect().right() for p in plots) <= view.figure.width() + 1


@pytest.mark.skipif(not KEPT.is_file(), reason="needs the kept result of a source checkout")
def test_a_long_verdict_in_a_short_view_scrolls_on_its_own(session, qtbot):
    view = shown(qtbot, ExperimentsView(session), (480, 380))
    open_kept(qtbot, view)
    box = view.conclusion
    assert box.height() <= 0.4 * view.height() + 1  # the figure keeps its room
    assert box.verticalScrollBar().maximum() > 0  # the rest is a scroll away, not cut
    assert view.figure_area.height() > 60
    view.resize(480, 700)  # a taller view: the whole verdict again
    qtbot.waitUntil(lambda: box.verticalScrollBar().maximum() == 0)
