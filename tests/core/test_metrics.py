"""Evaluation numbers checked against a hand count."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.data import Split
from digitlab.core.metrics import evaluate, predict_probabilities
from digitlab.core.model import MLP, ModelSpec


def pixel_reader(num_classes: int = 3) -> MLP:
    """A 1-layer net that answers class c when pixel c is the brightest of pixels 0..k-1."""
    net = MLP(ModelSpec(num_classes=num_classes))
    with torch.no_grad():
        net.layers[0].weight.zero_()
        net.layers[0].bias.zero_()
        for c in range(num_classes):
            net.layers[0].weight[c, c] = 50.0
    return net


def test_confusion_matrix_counts_truth_against_prediction() -> None:
    images = torch.zeros(5, 28, 28, dtype=torch.uint8)
    lit = [0, 1, 2, 2, 0]  # what the net will answer
    for i, c in enumerate(lit):
        images[i].view(-1)[c] = 255
    labels = torch.tensor([0, 1, 2, 1, 2])  # two mistakes: 1→2 and 2→0
    result = evaluate(pixel_reader(), Split(images, labels), classes=(4, 7, 9))
    expected = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1]])
    assert np.array_equal(result.confusion, expected)
    assert result.accuracy == 3 / 5
    assert np.allclose(result.per_class_accuracy, [1.0, 0.5, 0.5])
    summary = result.as_dict()
    assert summary["classes"] == [4, 7, 9] and summary["per_class_accuracy"]["7"] == 0.5


def test_a_class_without_samples_has_no_accuracy() -> None:
    images = torch.zeros(1, 28, 28, dtype=torch.uint8)
    result = evaluate(pixel_reader(), Split(images, torch.tensor([0])))
    assert np.isnan(result.per_class_accuracy[1])
    assert result.as_dict()["per_class_accuracy"]["1"] is None


def test_uint8_and_float_images_give_the_same_probabilities() -> None:
    images = torch.randint(0, 256, (7, 28, 28), dtype=torch.uint8)
    net = MLP(ModelSpec(hidden=(5,)))
    assert torch.allclose(
        predict_probabilities(net, images), predict_probabilities(net, images.float() / 255)
    )
