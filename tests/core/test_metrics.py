"""Evaluation numbers checked against a hand count."""

from __future__ import annotations

import numpy as np

from digitlab.core.data import Split
from digitlab.core.metrics import evaluate, predict_probabilities
from digitlab.core.network import ModelSpec, Network


def pixel_reader(num_classes: int = 3) -> Network:
    """A 1-layer net that answers class c when pixel c is the brightest of pixels 0..k-1."""
    weights = np.zeros((num_classes, 784), np.float32)
    for c in range(num_classes):
        weights[c, c] = 50.0
    spec = ModelSpec(num_classes=num_classes)
    return Network.from_arrays(spec, [weights], [np.zeros(num_classes, np.float32)])


def test_confusion_matrix_counts_truth_against_prediction() -> None:
    images = np.zeros((5, 28, 28), np.uint8)
    lit = [0, 1, 2, 2, 0]  # what the net will answer
    for i, c in enumerate(lit):
        images[i].reshape(-1)[c] = 255
    labels = np.array([0, 1, 2, 1, 2])  # two mistakes: 1→2 and 2→0
    result = evaluate(pixel_reader(), Split(images, labels), classes=(4, 7, 9))
    expected = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1]])
    assert np.array_equal(result.confusion, expected)
    assert result.accuracy == 3 / 5
    assert np.allclose(result.per_class_accuracy, [1.0, 0.5, 0.5])
    summary = result.as_dict()
    assert summary["classes"] == [4, 7, 9] and summary["per_class_accuracy"]["7"] == 0.5


def test_a_class_without_samples_has_no_accuracy() -> None:
    images = np.zeros((1, 28, 28), np.uint8)
    result = evaluate(pixel_reader(), Split(images, np.array([0])))
    assert np.isnan(result.per_class_accuracy[1])
    assert result.as_dict()["per_class_accuracy"]["1"] is None


def test_uint8_and_float_images_give_the_same_probabilities() -> None:
    images = np.random.default_rng(0).integers(0, 256, (7, 28, 28), dtype=np.uint8)
    rng = np.random.default_rng(1)
    spec = ModelSpec(hidden=(5,))
    net = Network.from_arrays(
        spec,
        [rng.normal(size=s).astype(np.float32) for s in spec.layer_shapes],
        [np.zeros(s[0], np.float32) for s in spec.layer_shapes],
    )
    np.testing.assert_allclose(
        predict_probabilities(net, images, chunk=3),
        predict_probabilities(net, images.astype(np.float32) / 255),
        atol=1e-6,
    )
