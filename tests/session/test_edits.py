"""The neuron lab in the session: an edit makes an edited model that answers, undo and clear
bring the original back, and the effect compares both on the test digits."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.interventions import UnitEdit, edited
from digitlab.session import QueueDispatcher, Session
from digitlab.session.edits import EDITED_KEY, EditEffect
from digitlab.session.models import ModelKind
from tests.conftest import make_tiny_dataset, random_network
from tests.session.conftest import Recorder, pump


@pytest.fixture
def lab():
    dispatcher = QueueDispatcher()
    test = make_tiny_dataset().test
    session = Session(dispatcher, test_set=lambda: test)
    session.run.adopt(random_network(hidden=(16,), bias=0.5), tuple(range(10)), "a random net")
    session.models.select("run")
    session.drawing.set_canvas(test.images[3])
    yield dispatcher, session, test
    session.close()


def test_an_edit_answers_as_the_edited_model(lab) -> None:
    dispatcher, session, _ = lab
    original = session.models.current
    changes = Recorder(session.models.current_changed)
    assert session.edits.switch_off(0, 3)
    assert session.edits.clamp(0, 5, 2.0)
    current = session.models.current
    assert current.key == EDITED_KEY and current.source.kind is ModelKind.MADE
    assert "edited (2 units)" in current.label and "clamped to 2" in current.description
    expected = edited(original.network, [UnitEdit(0, 3), UnitEdit(0, 5, 2.0)])
    for a, b in zip(current.network.weights, expected.weights):
        np.testing.assert_array_equal(a, b)
    image = session.drawing.input.image[None]
    np.testing.assert_allclose(session.prediction.probabilities,
                               expected.probabilities(image)[0])  # fmt: skip
    assert len(changes) == 2 and changes.last is current
    assert any(s.key == EDITED_KEY for s in session.models.sources())
    assert session.edits.edit_of(0, 5).value == 2.0 and session.edits.edit_of(0, 4) is None
    assert session.edits.clamp(0, 3, 1.0)  # the unit switched off, now clamped: one unit
    assert "edited (2 units)" in session.models.current.label
    assert session.edits.undo() and session.edits.undo() and len(session.edits.edits) == 1
    assert session.edits.restore(0, 3)  # the last edit gone: the original answers again
    assert session.models.current.ref == original.ref
    assert not any(s.key == EDITED_KEY for s in session.models.sources())
    assert not session.edits.undo()


def test_bad_edits_are_one_notice_and_change_nothing(lab) -> None:
    _, session, _ = lab
    said = Recorder(session.notices.posted)
    assert not session.edits.switch_off(1, 0)
    assert "no hidden layer 2" in said.last.text
    assert not session.edits.clamp(0, 2, "lots")
    assert "a number" in said.last.text
    assert not session.edits.clamp(0, 2, float("inf"))
    assert session.models.current.key == "run" and session.edits.edits == ()


def test_editing_another_model_starts_afresh(lab) -> None:
    dispatcher, session, _ = lab
    session.edits.switch_off(0, 1)
    session.models.select("mlp")
    pump(dispatcher, lambda: session.models.current.key == "mlp")
    session.edits.switch_off(0, 200)
    assert session.edits.original.key == "mlp" and session.edits.edits == (UnitEdit(0, 200),)


def test_the_effect_compares_original_and_edited_on_the_test_digits(lab) -> None:
    dispatcher, session, test = lab
    original = session.models.current
    for unit in range(16):
        session.edits.switch_off(0, unit)
    changed = session.models.current
    results = Recorder(session.edit_effect.changed)
    session.edit_effect.request(changed, session.edits.original)
    pump(dispatcher, lambda: len(results) > 0)
    effect: EditEffect = results.last
    assert effect.ref == changed.ref
    predicted = original.network.predict(test.images)[0]
    np.testing.assert_allclose(effect.original_overall, np.mean(predicted == test.labels))
    np.testing.assert_allclose(effect.original[3], np.mean(predicted[test.labels == 3] == 3))
    every_unit_off = changed.network.predict(test.images)[0]
    assert len(set(every_unit_off)) == 1  # no hidden unit left: one answer for every digit
    np.testing.assert_allclose(effect.edited_overall, np.mean(every_unit_off == test.labels))
    np.testing.assert_allclose(effect.change, effect.edited - effect.original)


def test_the_edited_model_saves_with_its_edits(lab, tmp_path) -> None:
    from digitlab.core.checkpoint import load_checkpoint

    dispatcher, session, _ = lab
    session.edits.save(tmp_path / "nothing.safetensors")  # no edits: a notice, no file
    session.edits.clamp(0, 2, 1.5)
    path = tmp_path / "edited.safetensors"
    session.edits.save(path)
    pump(dispatcher, path.exists)
    dispatcher.drain(0.2)
    saved = load_checkpoint(path)
    for a, b in zip(saved.network.weights, session.models.current.network.weights):
        np.testing.assert_array_equal(a, b)
    assert saved.meta["edits"] == ["layer 1 unit 2 clamped to 1.5"]
    assert not (tmp_path / "nothing.safetensors").exists()
