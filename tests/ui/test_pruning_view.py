"""The pruning view: the slider prunes and the pruned model answers, the curve and the marker
show the cost, the scope re-prunes, Restore and 0 % bring the original back, and Retrain
survivors trains the weights left through the trainer."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.pruning import accuracy_on, prune
from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.session.pruning import CURVE_FRACTIONS, PRUNED_KEY
from digitlab.session.run import RunPhase
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.pruning import NO_MODEL, PruningView
from tests.conftest import make_tiny_dataset
from tests.session.conftest import tiny_cache
from tests.ui.conftest import show_widget

CLASSES = tuple(range(10))


@pytest.fixture
def prune_session(qapp, qtbot):
    """The shipped 2-layer model answering, the tiny test split, training in-process."""
    test = make_tiny_dataset().test
    session = Session(QtDispatcher(), trainer_factory=lambda: LocalTrainer(tiny_cache()),
                      test_set=lambda: test)  # fmt: skip
    session.start("mlp")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    yield session, test
    session.close()


def _curve_shown(view: PruningView) -> bool:
    x, _ = view.curve.getData()
    return x is not None and len(x) == len(CURVE_FRACTIONS)


def test_the_slider_prunes_and_the_plot_shows_the_cost(prune_session, qtbot) -> None:
    session, test = prune_session
    original = session.models.current
    view = show_widget(qtbot, PruningView(session), (440, 420))
    qtbot.waitUntil(lambda: _curve_shown(view), timeout=20_000)
    assert "Move the slider to prune Shipped 2-layer" in view.status.text()
    assert not view.retrain_button.isEnabled() and not view.restore_button.isEnabled()
    curve = session.pruning_curve.get(original, "layer")
    np.testing.assert_allclose(view.curve.getData()[1], 100 * curve.accuracies)
    view.slider.setValue(70)
    qtbot.waitUntil(lambda: session.models.current.key == PRUNED_KEY)
    assert session.pruning.fraction == 0.7 and session.pruning.scope == "layer"
    qtbot.waitUntil(lambda: "test accuracy <b>" in view.status.text(), timeout=20_000)
    pruned = prune(original.network, 0.7, "layer")[0]
    accuracy = accuracy_on(pruned, test.images, test.labels, CLASSES)
    assert f"<b>{accuracy:.1%}</b>" in view.status.text()
    assert view.now.getData()[0][0] == pytest.approx(70)
    assert view.now.getData()[1][0] == pytest.approx(100 * accuracy)
    assert view.cursor.value() == 70 and view.retrain_button.isEnabled()
    view.scope.setCurrentIndex(view.scope.findData("global"))  # re-prunes at once
    assert session.pruning.scope == "global" and session.models.current.key == PRUNED_KEY
    qtbot.waitUntil(lambda: session.pruning_curve.get(original, "global") is not None,
                    timeout=20_000)  # fmt: skip
    qtbot.waitUntil(lambda: "across the net" in view.status.text())
    view.slider.setValue(0)  # none removed: the original answers again
    qtbot.waitUntil(lambda: session.models.current.ref == original.ref)
    assert session.pruning.model is None


def test_restore_and_no_model(prune_session, qtbot) -> None:
    session, _ = prune_session
    original = session.models.current
    view = show_widget(qtbot, PruningView(session), (440, 420))
    assert session.pruning.prune_current(0.5)
    qtbot.waitUntil(lambda: view.slider.value() == 50 and view.restore_button.isEnabled())
    view.restore_button.click()
    assert session.models.current.ref == original.ref
    qtbot.waitUntil(lambda: view.slider.value() == 0 and not view.restore_button.isEnabled())
    empty = Session(QtDispatcher())
    blank = show_widget(qtbot, PruningView(empty), (440, 420))
    assert blank.status.text() == NO_MODEL and not blank.slider.isEnabled()
    empty.close()


def test_retrain_survivors_trains_the_weights_left(prune_session, qtbot) -> None:
    session, test = prune_session
    view = show_widget(qtbot, PruningView(session), (440, 420))
    view.scope.setCurrentIndex(view.scope.findData("global"))
    view.slider.setValue(95)
    qtbot.waitUntil(lambda: session.models.current.key == PRUNED_KEY)
    qtbot.waitUntil(view.retrain_button.isEnabled)  # the view's refresh comes on a timer
    masks = session.pruning.masks
    view.epochs.setValue(2)
    assert view.epochs.suffix() == " epochs"
    view.retrain_button.click()
    assert session.run.phase.busy and session.pruning.retraining
    view.refresh()  # (before the event loop runs: the run is starting)
    assert not view.retrain_button.isEnabled() and not view.slider.isEnabled()
    assert "Retraining the survivors" in view.status.text()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=60_000)
    qtbot.waitUntil(lambda: "Survivors retrained for 2 epochs" in view.status.text())
    retrained = session.models.current.network
    assert all(np.all(w[~m] == 0) for w, m in zip(retrained.weights, masks))
    done = session.pruning.retrained
    assert done.test_accuracy == pytest.approx(
        accuracy_on(retrained, test.images, test.labels, CLASSES)
    )
    x, y = view.star.getData()
    assert x[0] == pytest.approx(95) and y[0] == pytest.approx(100 * done.test_accuracy)
    assert view.slider.value() == 95  # the retrained net: 95 % of its weights are zero
