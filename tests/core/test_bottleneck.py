"""Bottleneck coordinates are the 2-wide layer's own numbers, checked by hand on tiny nets."""

from __future__ import annotations

import numpy as np

from digitlab.core.bottleneck import plane_points, planes
from digitlab.core.network import ModelSpec, Network

F = np.float32


def hand_net() -> Network:
    """3 inputs → 2 hidden (ReLU) → 3 classes, with weights small enough to follow by hand."""
    spec = ModelSpec(hidden=(2,), num_classes=3, input_size=3)
    w0 = np.array([[1, 0, -1], [0, 2, 0]], F)
    b0 = np.array([0.5, -1], F)
    w1 = np.array([[1, 0], [0, 1], [1, 1]], F)
    b1 = np.zeros(3, F)
    return Network.from_arrays(spec, [w0, w1], [b0, b1])


def test_the_planes_are_the_two_wide_layers() -> None:
    assert planes(hand_net()) == [0]
    assert planes(Network.from_arrays(*_random(ModelSpec(hidden=(2, 5, 2), num_classes=2)))) == [
        0,
        2,
        3,
    ]
    assert planes(Network.from_arrays(*_random(ModelSpec(hidden=(7,))))) == []


def test_hidden_plane_coordinates_are_the_pre_activations_and_their_relu() -> None:
    images = np.array([[1, 1, 0], [0, 0, 2], [0, 1, 0]], F)
    points = plane_points(hand_net(), images)
    assert list(points) == [0]
    before, after = points[0]
    # unit 0: x0 - x2 + 0.5; unit 1: 2·x1 - 1
    np.testing.assert_array_equal(before, [[1.5, 1.0], [-1.5, -1.0], [0.5, 1.0]])
    np.testing.assert_array_equal(after, [[1.5, 1.0], [0.0, 0.0], [0.5, 1.0]])


def test_an_output_plane_is_the_logits_on_both_sides() -> None:
    spec = ModelSpec(hidden=(3,), num_classes=2, input_size=3)
    w0, w1 = np.eye(3, dtype=F), np.array([[1, -1, 0], [0, 0, 2]], F)
    network = Network.from_arrays(spec, [w0, w1], [np.zeros(3, F), np.array([0, 1], F)])
    images = np.array([[2, -3, 1], [0, 1, 0]], F)  # ReLU drops the -3
    before, after = plane_points(network, images)[1]
    np.testing.assert_array_equal(before, [[2, 3], [-1, 1]])
    np.testing.assert_array_equal(after, before)
    np.testing.assert_allclose(before, network.logits(images))


def test_no_plane_means_no_work() -> None:
    network = Network.from_arrays(*_random(ModelSpec(hidden=(7,))))
    assert plane_points(network, np.zeros((4, 784), F)) == {}


def _random(spec: ModelSpec) -> tuple:
    rng = np.random.default_rng(0)
    return (
        spec,
        [rng.normal(0, 0.1, shape).astype(F) for shape in spec.layer_shapes],
        [np.zeros(shape[0], F) for shape in spec.layer_shapes],
    )
