"""A against B in the views: the A vs B view, Confusion's A − B, Mistakes' flips, Evidence of
both, B's curves; on the tiny test split with the shipped models (no MNIST needed)."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.evidence import evidence
from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.session.comparison import PairSummary, flips
from digitlab.session.run import RunPhase
from digitlab.session.run_settings import RunSettings
from digitlab.session.side_by_side import PARTNER
from digitlab.session.split_predictions import PredictionsReport
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.compare import CompareView
from digitlab.ui.views.confusion import ConfusionView
from digitlab.ui.views.curves import CurvesView
from digitlab.ui.views.evidence import EvidenceView
from digitlab.ui.views.mistakes import MistakesView
from tests.conftest import make_tiny_dataset
from tests.session.conftest import tiny_cache
from tests.session.test_models_and_prediction import seven
from tests.ui.conftest import show_widget


@pytest.fixture
def pair_session(qapp, qtbot):
    """The shipped 2-layer model answering (A), the shipped 1-layer one as B, tiny test set."""
    tiny = make_tiny_dataset()
    session = Session(QtDispatcher(), trainer_factory=lambda: LocalTrainer(tiny_cache()),
                      test_set=lambda: tiny.test, train_set=lambda: tiny.train)  # fmt: skip
    session.start("mlp")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    session.comparison.choose("linear")
    qtbot.waitUntil(lambda: session.comparison.other is not None, timeout=60_000)
    yield session
    session.close()


def reports(session: Session, qtbot) -> tuple[PredictionsReport, PredictionsReport]:
    session.test_predictions.request()
    qtbot.waitUntil(lambda: isinstance(session.test_predictions.current(), PredictionsReport)
                    and session.comparison.answers(session.test_predictions.target) is not None,
                    timeout=30_000)  # fmt: skip
    return session.test_predictions.current(), session.comparison.answers(
        session.test_predictions.target
    )


def test_the_compare_view_says_where_the_two_disagree(qtbot, pair_session) -> None:
    view = show_widget(qtbot, CompareView(pair_session), (460, 640))
    assert view.with_combo.currentData() == "linear"
    qtbot.waitUntil(lambda: "right only in A" in view.summary.text(), timeout=30_000)
    summary = pair_session.comparison.disagreement.latest
    assert isinstance(summary, PairSummary)
    a, b = reports(pair_session, qtbot)
    assert summary.a_only == len(flips(a, b, "a")) and summary.b_only == len(flips(a, b, "b"))
    heights = view.a_bars.opts["height"]
    np.testing.assert_array_equal(heights, summary.a_only_per_class)
    np.testing.assert_array_equal(-view.b_bars.opts["height"], summary.b_only_per_class)
    assert view.tiles.shown == 10  # B, the 1-layer net: its ten templates
    view.with_combo.setCurrentIndex(view.with_combo.findData(""))
    view.with_combo.activated.emit(view.with_combo.currentIndex())
    assert pair_session.comparison.other is None
    qtbot.waitUntil(lambda: "Choose a model" in view.summary.text(), timeout=5_000)


def test_confusion_shows_a_minus_b_and_the_cells_digits_b_answers_otherwise(
    qtbot, pair_session
) -> None:
    view = show_widget(qtbot, ConfusionView(pair_session), (560, 520))
    view.mode_combo.setCurrentIndex(view.mode_combo.findData("difference"))
    a, b = reports(pair_session, qtbot)
    qtbot.waitUntil(lambda: view.summary.text().startswith("A − B"), timeout=30_000)
    labels = {(round(x - 0.5), round(y - 0.5)): text
              for x, y, text, _ in view.plot._cells.labels}  # fmt: skip
    difference = a.confusion - b.confusion
    for (col, row), text in labels.items():
        assert text == f"{int(difference[row, col]):+d}"
    assert len(labels) == np.count_nonzero(difference)
    true = int(np.argmax(np.diag(difference)))  # where A gets the most more right
    view.choose_cell(true, true)
    shown = view.gallery.shown_indices()
    assert len(shown) > 0
    assert np.all(a.predicted[shown] == true) and np.all(b.predicted[shown] != true)


def test_mistakes_lists_the_digits_right_in_one_and_wrong_in_the_other(qtbot, pair_session) -> None:
    view = show_widget(qtbot, MistakesView(pair_session), (520, 420))
    a, b = reports(pair_session, qtbot)
    view.whose_combo.setCurrentIndex(view.whose_combo.findData("right_a"))
    qtbot.waitUntil(lambda: "wrong in B" in view.summary.text(), timeout=10_000)
    np.testing.assert_array_equal(view.gallery.shown_indices(), flips(a, b, "a"))
    view.whose_combo.setCurrentIndex(view.whose_combo.findData("right_b"))
    qtbot.waitUntil(lambda: "wrong in A" in view.summary.text(), timeout=10_000)
    np.testing.assert_array_equal(view.gallery.shown_indices(), flips(a, b, "b"))


def test_evidence_shows_both_nets_for_the_same_two_classes(qtbot, pair_session) -> None:
    view = show_widget(qtbot, EvidenceView(pair_session), (560, 420))
    pair_session.drawing.set_canvas(seven())
    qtbot.waitUntil(lambda: view.b_canvas.isVisible(), timeout=5_000)
    assert view.titles[0].text.startswith("A for ") and view.b_titles[0].text.startswith("B for ")
    first = int(view.titles[0].text.split()[-1])
    b_net = pair_session.comparison.other.network
    expected = evidence(b_net, pair_session.drawing.input.image).maps[first]
    assert view.b_titles[0].text == f"B for {first}"
    assert expected.shape == (784,) and "B answers" in view.b_totals.text()
    pair_session.comparison.choose(None)
    qtbot.waitUntil(lambda: not view.b_canvas.isVisible(), timeout=5_000)
    assert view.titles[0].text == f"for {first}"


def test_curves_draw_b_dashed_beside_a(qtbot, session) -> None:
    view = show_widget(qtbot, CurvesView(session), (640, 240))
    session.side_by_side.set_hidden("8")
    session.side_by_side.set_enabled(True)
    session.run.set_settings(RunSettings(hidden=(), epochs=1, lr=1e-2, batch_size=32))
    assert session.run.start()
    qtbot.waitUntil(lambda: session.partner_run.phase is RunPhase.FINISHED
                    and session.run.phase is RunPhase.FINISHED, timeout=60_000)  # fmt: skip
    b_x, _ = session.partner_run.curves.loss()
    qtbot.waitUntil(lambda: view.b_loss.xData is not None and len(view.b_loss.xData) == len(b_x),
                    timeout=5_000)  # fmt: skip
    assert len(b_x) > 0
    assert "B 784→8→10" in view.legend.text()
    assert session.comparison.key == PARTNER.key


def test_b_can_be_saved_from_the_compare_view(qtbot, session, tmp_path, monkeypatch) -> None:
    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.ui.views import compare

    view = show_widget(qtbot, CompareView(session), (460, 640))
    assert not view.save_b.isVisible()  # no B yet
    session.side_by_side.set_hidden("8")
    view.beside.setChecked(True)
    session.run.set_settings(RunSettings(hidden=(), epochs=1, lr=1e-2, batch_size=32))
    assert session.run.start()
    qtbot.waitUntil(lambda: session.partner_run.phase is RunPhase.FINISHED, timeout=60_000)
    qtbot.waitUntil(view.save_b.isVisible, timeout=5_000)
    target = tmp_path / "b.safetensors"
    monkeypatch.setattr(compare, "ask_save_path", lambda *_: str(target))
    view.save_b.click()
    qtbot.waitUntil(target.exists, timeout=10_000)
    assert load_checkpoint(target).spec.hidden == (8,)
