"""Pruning in the session: a prune makes a pruned model that answers, Restore brings the original
back, the curve follows the original per scope, and retraining goes through the trainer with
the removed weights held at zero."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.pruning import accuracy_on, prune, zero_fraction
from digitlab.core.training import LocalTrainer
from digitlab.session import QueueDispatcher, Session
from digitlab.session.models import RUN_KEY, ModelKind
from digitlab.session.pruning import (
    CURVE_FRACTIONS,
    PRUNED_KEY,
    ModelAccuracy,
    PruningCurve,
    retrain_settings,
)
from digitlab.session.run import RunEnd, RunPhase
from digitlab.session.run_settings import RunSettings
from tests.conftest import make_tiny_dataset, random_network
from tests.session.conftest import Recorder, pump, tiny_cache

CLASSES = tuple(range(10))


@pytest.fixture
def pruning():
    """A random net answering, the tiny test split, the in-process trainer on tiny data."""
    dispatcher = QueueDispatcher()
    test = make_tiny_dataset().test
    session = Session(dispatcher, trainer_factory=lambda: LocalTrainer(tiny_cache()),
                      test_set=lambda: test)  # fmt: skip
    session.run.adopt(random_network(hidden=(16,), bias=0.5), CLASSES, "a random net")
    session.models.select(RUN_KEY)
    yield dispatcher, session, test
    session.close()


def test_a_prune_answers_and_restore_brings_the_original_back(pruning) -> None:
    _, session, _ = pruning
    original = session.models.current
    assert session.pruning.prune_current(0.6, "layer")
    current = session.models.current
    assert current.key == PRUNED_KEY and current.source.kind is ModelKind.MADE
    assert "pruned 60%" in current.label and "removed in each layer" in current.description
    expected, masks = prune(original.network, 0.6, "layer")
    for got, want, mask in zip(current.network.weights, expected.weights, session.pruning.masks):
        np.testing.assert_array_equal(got, want)
        assert np.all(got[~mask] == 0)
    assert zero_fraction(current.network) == pytest.approx(0.6, abs=0.01)
    # Pruned again while the pruned model answers: from the original, not the pruned net.
    assert session.pruning.prune_current(0.3, "global")
    assert session.pruning.original.ref == original.ref
    assert zero_fraction(session.models.current.network) == pytest.approx(0.3, abs=0.01)
    assert any(s.key == PRUNED_KEY for s in session.models.sources())
    assert session.pruning.restore()
    assert session.models.current.ref == original.ref and session.pruning.model is None
    assert not any(s.key == PRUNED_KEY for s in session.models.sources())
    assert not session.pruning.restore()


@pytest.mark.parametrize("fraction", [1.0, -0.1, float("nan"), "most"])
def test_a_bad_fraction_is_one_notice_and_changes_nothing(pruning, fraction) -> None:
    _, session, _ = pruning
    original, said = session.models.current, Recorder(session.notices.posted)
    assert not session.pruning.prune_current(fraction)
    assert len(said) == 1 and "fraction to prune must be" in said.last.text
    assert session.models.current is original and session.pruning.model is None
    assert not session.pruning.prune_current(0.5, "rows")
    assert "scope" in said.last.text and session.pruning.model is None


def test_nothing_to_prune_or_retrain_without_a_model() -> None:
    session = Session(QueueDispatcher())
    said = Recorder(session.notices.posted)
    assert not session.pruning.prune_current(0.5)
    assert not session.pruning.retrain(1)
    assert "No model to prune" in said.values[0].text and "prune a model" in said.values[1].text
    session.close()


def test_the_curve_is_of_the_original_per_scope_and_the_accuracy_of_the_pruned(pruning) -> None:
    dispatcher, session, test = pruning
    original = session.models.current
    curves = session.pruning_curve
    for scope in ("layer", "global"):
        curves.request(original, scope)
        pump(dispatcher, lambda s=scope: curves.get(original, s) is not None)
    layer, overall = curves.get(original, "layer"), curves.get(original, "global")
    assert isinstance(layer, PruningCurve) and layer.ref == original.ref
    np.testing.assert_array_equal(layer.fractions, CURVE_FRACTIONS)
    before = accuracy_on(original.network, test.images, test.labels, CLASSES)
    assert layer.accuracies[0] == overall.accuracies[0] == pytest.approx(before)
    pruned = prune(original.network, 0.9, "global")[0]
    at_90 = CURVE_FRACTIONS.index(0.9)
    assert overall.accuracies[at_90] == pytest.approx(
        accuracy_on(pruned, test.images, test.labels, CLASSES)
    )
    assert layer.at(0.85) == pytest.approx(np.mean(layer.accuracies[at_90 - 1 : at_90 + 1]))
    session.pruning.prune_current(0.9, "global")
    model = session.models.current
    session.pruned_accuracy.request(model)
    pump(dispatcher, lambda: session.pruned_accuracy.get(model) is not None)
    outcome = session.pruned_accuracy.get(model)
    assert isinstance(outcome, ModelAccuracy) and outcome.ref == model.ref
    assert outcome.accuracy == pytest.approx(overall.accuracies[at_90])


def test_retraining_the_survivors_keeps_them_pruned_and_wins_accuracy_back(pruning) -> None:
    dispatcher, session, test = pruning
    run = session.run
    run.set_settings(RunSettings(hidden=(32,), epochs=3, lr=1e-2, batch_size=32))
    assert run.start()
    pump(dispatcher, lambda: run.phase is RunPhase.FINISHED, timeout=60)
    session.models.select(RUN_KEY)
    trained = session.models.current
    assert session.pruning.prune_current(0.95, "global")
    pruned, masks = session.models.current, session.pruning.masks
    pruned_accuracy = accuracy_on(pruned.network, test.images, test.labels, CLASSES)
    run.set_settings(run.settings.replaced(hidden=(8, 8), epochs=5, lr=1e-2))  # the form moved on
    said = Recorder(session.notices.posted)
    assert session.pruning.retrain(2)
    assert session.pruning.retraining and "Retraining" in said.values[0].text
    assert not session.pruning.retrain(2)  # one run at a time
    assert run.settings.hidden == (32,) and run.settings.epochs == 2
    finished = Recorder(run.finished)
    pump(dispatcher, lambda: len(finished) == 1, timeout=60)
    assert finished.last.end is RunEnd.DONE
    retrained = session.models.current
    assert retrained.key == RUN_KEY and retrained.ref != trained.ref
    for weight, mask, before in zip(retrained.network.weights, masks, pruned.network.weights):
        assert np.all(weight[~mask] == 0)  # the trainer held the mask
        assert not np.array_equal(weight[mask], before[mask])  # the survivors trained
    after = accuracy_on(retrained.network, test.images, test.labels, CLASSES)
    assert after > pruned_accuracy + 0.1
    done = session.pruning.retrained
    assert done is not None and done.fraction == 0.95 and done.epochs == pytest.approx(2)
    assert not session.pruning.retraining and done.test_accuracy == pytest.approx(after)


def test_retrain_settings_take_the_net_classes_and_data_of_the_model(pruning) -> None:
    _, session, _ = pruning
    session.pruning.prune_current(0.5)
    model = session.pruning.model
    settings = retrain_settings(RunSettings(hidden=(4,), classes=(0, 1), lr=0.05), model, 3)
    assert settings.spec() == model.network.spec and settings.classes is None
    assert settings.epochs == 3 and settings.lr == 0.05
    with pytest.raises(ValueError, match="epochs"):
        retrain_settings(RunSettings(), model, 0)


def test_the_run_refuses_a_retrain_that_does_not_fit_the_net(pruning) -> None:
    _, session, _ = pruning
    run, network = session.run, random_network(hidden=(16,))
    masks = [np.ones(shape, bool) for shape in network.spec.layer_shapes]
    with pytest.raises(ValueError, match="settings describe"):
        run.retrain(network, RunSettings(hidden=(8,)), masks)
    with pytest.raises(ValueError, match="masks"):
        run.retrain(network, RunSettings(hidden=(16,)), masks[:1])
    assert run.phase is RunPhase.IDLE and run.model is not None  # nothing changed


def test_edits_undone_under_a_pruned_model_go_from_it_and_restore_brings_the_original(
    pruning,
) -> None:
    """Switch a unit off, prune, Clear all: the answer kept the edit, and Restore then answered
    with an edited model whose edits were gone (Undo and Clear all greyed: stuck)."""
    from digitlab.core.interventions import UnitEdit, edited
    from digitlab.session.edits import EDITED_KEY

    _, session, _ = pruning
    original = session.models.current
    assert session.edits.switch_off(0, 0) and session.edits.clamp(0, 1, 2.0)
    assert session.pruning.prune_current(0.5, "layer")
    assert session.pruning.original.key == EDITED_KEY
    session.edits.undo()  # the clamp goes, from the pruned answer too
    current = session.models.current
    assert current.key == PRUNED_KEY and "edited (1 unit), pruned 50%" in current.label
    want, _ = prune(edited(original.network, [UnitEdit(0, 0)]), 0.5, "layer")
    for got, expected in zip(current.network.weights, want.weights):
        np.testing.assert_array_equal(got, expected)
    session.edits.clear()
    current = session.models.current
    assert current.key == PRUNED_KEY and current.label == f"{original.label}, pruned 50%"
    want, _ = prune(original.network, 0.5, "layer")
    np.testing.assert_array_equal(current.network.weights[0], want.weights[0])
    assert session.pruning.restore()
    assert session.models.current.ref == original.ref  # not the edit that Clear all undid
    assert not any(s.key == EDITED_KEY for s in session.models.sources())


def test_an_edit_of_the_pruned_model_itself_leaves_the_pruning_alone(pruning) -> None:
    _, session, _ = pruning
    assert session.pruning.prune_current(0.5, "layer")
    pruned = session.models.current
    assert session.edits.switch_off(0, 2)  # the pruned net is the edits' original now
    assert session.edits.original.ref == pruned.ref
    assert session.pruning.model.ref == pruned.ref  # not pruned a second time
    session.edits.clear()
    assert session.models.current.ref == pruned.ref
