"""Layer probes: a linear read-out per layer, checked on data whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.probes import (
    EPOCHS,
    ProbeCancelled,
    fit_softmax,
    layer_features,
    probe_layers,
)
from tests.conftest import make_tiny_dataset, random_network


def separable(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs far apart in 5-D: a linear classifier can be perfect."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = np.eye(3, 5) * 8.0
    return (centres[labels] + rng.normal(0, 1, (n, 5))).astype(np.float32), labels


def test_linearly_separable_data_is_read_perfectly() -> None:
    x, y = separable(3000)
    predict = fit_softmax(x, y, 3)
    test_x, test_y = separable(1000, seed=1)
    assert (predict(test_x) == test_y).mean() > 0.99


def test_shuffled_labels_are_read_at_chance() -> None:
    x, y = separable(3000)
    shuffled = np.random.default_rng(2).permutation(y)
    predict = fit_softmax(x, shuffled, 3)
    test_x, test_y = separable(3000, seed=3)
    assert abs((predict(test_x) == test_y).mean() - 1 / 3) < 0.05


def test_features_are_the_layers_activations() -> None:
    net = random_network()
    images = make_tiny_dataset().test.images
    names = [name for name, _ in layer_features(net, images)]
    assert names == ["pixels", "hidden 1", "hidden 2", "output"]
    features = dict(layer_features(net, images))
    np.testing.assert_allclose(features["hidden 2"], net.activations(images)[1], rtol=1e-6)
    np.testing.assert_allclose(features["output"], net.logits(images), rtol=1e-6)


def test_probes_report_every_layer_with_progress_and_can_be_cancelled() -> None:
    tiny = make_tiny_dataset()
    steps: list[str] = []
    fractions: list[float] = []
    results = probe_layers(
        random_network(), tiny.train.images, tiny.train.labels, tiny.test.images,
        tiny.test.labels,
        progress=lambda fraction, text: (steps.append(text), fractions.append(fraction)),
    )  # fmt: skip
    assert [r.layer for r in results] == ["pixels", "hidden 1", "hidden 2", "output"]
    assert results[0].features == 784 and results[0].test_accuracy > 0.95  # bands are easy
    assert steps[0] == "probing pixels" and steps[-1] == "done"
    assert len(steps) == 4 * (1 + EPOCHS) + 1  # each layer's start and epochs, then done
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    with pytest.raises(ProbeCancelled):
        probe_layers(random_network(), tiny.train.images, tiny.train.labels, tiny.test.images,
                     tiny.test.labels, cancelled=lambda: True)  # fmt: skip
