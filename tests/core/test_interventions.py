"""Acting on a net: an edit is an ordinary network that behaves as if the unit were off or
clamped; patching copies activations; the flip direction is the local gradient."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.interventions import (
    UnitEdit,
    edited,
    flip_direction,
    flip_path,
    nearest,
    patched_probabilities,
    pushed,
)
from digitlab.core.network import activate, softmax
from tests.conftest import random_network


def forward_with(network, images, layer, unit, value):
    """The reference: a forward pass that sets the unit's output by hand."""
    x = network.inputs(images)
    last = len(network.weights) - 1
    for index, (w, b) in enumerate(zip(network.weights, network.biases)):
        z = x @ w.T + b
        if index == last:
            return softmax(z)
        x = activate(network.spec.activation, z)
        if index == layer:
            x[:, unit] = value


@pytest.mark.parametrize("layer", [0, 1])
@pytest.mark.parametrize("value", [None, 2.5])
def test_an_edited_net_is_the_net_with_the_unit_off_or_clamped(layer, value) -> None:
    network = random_network(hidden=(16, 8), bias=0.3)
    images = np.random.default_rng(1).random((20, 784), dtype=np.float32)
    changed = edited(network, [UnitEdit(layer, 5, value)])
    expected = forward_with(network, images, layer, 5, 0.0 if value is None else value)
    np.testing.assert_allclose(changed.probabilities(images), expected, rtol=1e-5, atol=1e-6)
    assert changed.spec == network.spec
    np.testing.assert_array_equal(changed.weights[layer], network.weights[layer])


def test_the_last_edit_of_a_unit_wins_and_bad_edits_are_one_line() -> None:
    network = random_network(hidden=(16,))
    images = np.random.default_rng(2).random((5, 784), dtype=np.float32)
    twice = edited(network, [UnitEdit(0, 3, 4.0), UnitEdit(0, 3, None)])
    np.testing.assert_allclose(twice.probabilities(images),
                               forward_with(network, images, 0, 3, 0.0), rtol=1e-5)  # fmt: skip
    with pytest.raises(ValueError, match="no hidden layer 2"):
        edited(network, [UnitEdit(1, 0)])
    with pytest.raises(ValueError, match="units 0–15, not 16"):
        edited(network, [UnitEdit(0, 16)])
    with pytest.raises(ValueError, match="clamped to a number"):
        edited(network, [UnitEdit(0, 1, float("nan"))])
    with pytest.raises(ValueError, match="no hidden units"):
        edited(random_network(hidden=()), [UnitEdit(0, 0)])


def test_patching_a_whole_layer_gives_the_source_answer() -> None:
    network = random_network(hidden=(16, 8), bias=0.2)
    rng = np.random.default_rng(3)
    a, b = rng.random((28, 28), dtype=np.float32), rng.random((28, 28), dtype=np.float32)
    whole = patched_probabilities(network, a, b, 1)
    np.testing.assert_allclose(whole, network.probabilities(a[None])[0], rtol=1e-5)
    none = patched_probabilities(network, a, b, 0, units=[])
    np.testing.assert_allclose(none, network.probabilities(b[None])[0], rtol=1e-5)
    one = patched_probabilities(network, a, b, 0, units=[4])
    donor = network.activations(a[None])[0][0, 4]
    np.testing.assert_allclose(one, forward_with(network, b[None], 0, 4, donor)[0], rtol=1e-5)
    with pytest.raises(ValueError, match="units 0–7"):
        patched_probabilities(network, a, b, 1, units=[8])


def test_the_flip_direction_is_the_local_gradient_and_pushing_flips() -> None:
    network = random_network(hidden=(32,), bias=0.1)
    image = np.random.default_rng(4).random((28, 28), dtype=np.float32) * 0.5
    answer = int(network.probabilities(image[None])[0].argmax())
    target = (answer + 1) % 10
    direction = flip_direction(network, image, target)
    assert direction.shape == (28, 28) and np.abs(direction).max() == pytest.approx(1.0)

    def margin(x):
        logits = network.logits(x[None])[0]
        return logits[target] - logits[answer]

    step = 1e-3  # within the ReLU region, the margin grows along the direction at its slope
    numeric = (margin(image + step * direction) - margin(image)) / step
    slope = float((direction * direction).sum()) * _scale(network, image, target, answer)
    assert numeric == pytest.approx(slope, rel=1e-2)
    path = flip_path(network, image, target)
    assert path.probabilities.shape == (41, 10)
    assert path.probabilities[0].argmax() == answer
    assert path.flips_at is None or path.probabilities[
        list(path.amounts).index(path.flips_at)].argmax() == target  # fmt: skip
    assert np.all((pushed(image, direction, 1.0) >= 0) & (pushed(image, direction, 1.0) <= 1))


def _scale(network, image, target, answer) -> float:
    """The factor between the raw gradient and the direction (scaled to a peak of 1)."""
    from digitlab.core.evidence import evidence

    found = evidence(network, image)
    raw = found.templates[target] - found.templates[answer]
    return float(np.abs(raw).max())


def test_nearest_rows_in_order() -> None:
    rows = np.array([[0.0, 0.0], [3.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    assert list(nearest(rows, np.array([0.9, 0.0]), 3)) == [2, 0, 1]
    assert list(nearest(rows, np.array([0.0, 0.0]), 10)) == [0, 2, 1, 3]
