"""The ablation table: each hidden unit switched off alone, against a plain re-run per unit."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core import ablation
from digitlab.core.ablation import ablation_table, layer_problem
from digitlab.core.network import ModelSpec, Network
from tests.conftest import make_tiny_dataset, random_network


def naive_table(network: Network, images, labels, classes, layer: int):
    """Accuracy overall and per class with each unit's outgoing column zeroed, by re-running."""
    lookup = {digit: i for i, digit in enumerate(classes)}
    keep = np.isin(labels, classes)
    images, targets = images[keep], np.array([lookup[d] for d in labels[keep]])
    overall, per_class = [], []
    for unit in range(network.spec.hidden[layer]):
        weights = [w.copy() for w in network.weights]
        weights[layer + 1][:, unit] = 0.0
        switched = Network.from_arrays(network.spec, weights, network.biases)
        right = switched.logits(images).argmax(axis=1) == targets
        overall.append(right.mean())
        per_class.append([right[targets == c].mean() for c in range(len(classes))])
    return np.array(overall), np.array(per_class)


def readable_network(hidden: tuple[int, ...], activation: str, seed: int = 3) -> Network:
    """A noisy net that half reads the tiny dataset (unit u of the first layer looks at the bar
    of class u % 10, later layers pass class u % 10 on), so switching units off changes some
    answers and not others: random weights answer one class whatever is switched off."""
    rng = np.random.default_rng(seed)
    spec = ModelSpec(hidden=hidden, activation=activation)
    weights, biases = [], []
    for i, (out, inp) in enumerate(spec.layer_shapes):
        if i == 0:
            bars = np.zeros((out, 28, 28))
            for unit in range(out):
                c = unit % 10
                bars[unit, 2 + 2 * c : 4 + 2 * c, 4:24] = 1 / 20
            w = bars.reshape(out, 784) + rng.normal(0, 0.015, (out, 784))
        else:
            same_class = np.arange(out)[:, None] % 10 == np.arange(inp) % 10
            w = same_class + rng.normal(0, 0.3, (out, inp))
        weights.append(w.astype(np.float32))
        biases.append(rng.normal(-0.5, 0.3, out).astype(np.float32))
    return Network.from_arrays(spec, weights, biases)


def band_network() -> Network:
    """A hand-made net for the tiny dataset: hidden unit c sums the row band where class c
    draws its bar, output c reads unit c. Switching unit c off leaves class c unrecognised."""
    weights_in = np.zeros((10, 28, 28), np.float32)
    for c in range(10):
        weights_in[c, 2 + 2 * c : 4 + 2 * c, 4:24] = 1.0
    spec = ModelSpec(hidden=(10,))
    return Network.from_arrays(
        spec, [weights_in.reshape(10, 784), np.eye(10, dtype=np.float32)], [np.zeros(10)] * 2
    )


@pytest.mark.parametrize(
    ("hidden", "layer", "activation"),
    [
        ((16, 8), 1, "relu"),  # the last hidden layer: logits minus one unit's share
        ((16, 8), 0, "relu"),  # an earlier one: the rest of the net runs again
        ((12,), 0, "tanh"),  # units that never output exactly 0
        ((12, 10, 10), 0, "tanh"),  # two layers to run again
        ((12, 10, 10), 1, "relu"),
    ],
)
def test_the_table_equals_a_rerun_with_each_unit_zeroed(hidden, layer, activation) -> None:
    network = readable_network(hidden, activation)
    test = make_tiny_dataset(n_train=10, n_test=300, seed=1).test
    table = ablation_table(network, test.images, test.labels, range(10), layer)
    overall, per_class = naive_table(network, test.images, test.labels, tuple(range(10)), layer)
    np.testing.assert_array_equal(table.units, np.arange(hidden[layer]))
    np.testing.assert_array_equal(table.accuracy, overall)
    np.testing.assert_array_equal(table.per_class, per_class)
    intact = network.logits(test.images).argmax(axis=1) == test.labels
    assert table.intact_accuracy == intact.mean() and table.samples == 300
    np.testing.assert_array_equal(table.drop, intact.mean() - overall)
    assert np.any(table.drop != 0)  # the units do change answers: the test compares something


def test_small_chunks_give_the_same_table(monkeypatch) -> None:
    network = random_network((16, 8), seed=4, bias=0.3)
    test = make_tiny_dataset(n_train=10, n_test=200, seed=2).test
    whole = ablation_table(network, test.images, test.labels, range(10), 0)
    monkeypatch.setattr(ablation, "CHUNK_ELEMENTS", 8 * 7)  # 7 images at a time
    chunked = ablation_table(network, test.images, test.labels, range(10), 0)
    np.testing.assert_array_equal(whole.per_class, chunked.per_class)


def test_a_class_subset_scores_only_its_digits_by_output_index() -> None:
    network = random_network((8,), num_classes=3, seed=5, bias=0.3)
    test = make_tiny_dataset(n_train=10, n_test=200, seed=3).test
    classes = (7, 2, 5)  # output 0 stands for 7
    table = ablation_table(network, test.images, test.labels, classes, 0)
    overall, per_class = naive_table(network, test.images, test.labels, classes, 0)
    assert table.samples == 60 and table.classes == classes
    np.testing.assert_array_equal(table.accuracy, overall)
    np.testing.assert_array_equal(table.per_class, per_class)


def test_the_unit_that_reads_a_digit_matters_for_that_digit() -> None:
    test = make_tiny_dataset(n_train=10, n_test=200).test
    table = ablation_table(band_network(), test.images, test.labels, range(10), 0)
    assert table.intact_accuracy == 1.0
    np.testing.assert_allclose(table.drop, 0.1)  # each unit alone carries its tenth
    assert table.matters_for(7, 3) == [(7, 1.0)]  # only unit 7 hurts the 7s, and fully
    assert table.hurts_most(3) == [(3, 1.0)]
    assert table.per_class[7, 7] == 0.0 and np.all(np.delete(table.per_class[7], 7) == 1.0)


def test_sorted_by_drop_puts_the_biggest_drop_first_and_keeps_rows_whole() -> None:
    network = random_network((16, 8), seed=6, bias=0.3)
    test = make_tiny_dataset(n_train=10, n_test=300, seed=4).test
    table = ablation_table(network, test.images, test.labels, range(10), 1)
    ordered = table.sorted_by_drop()
    assert np.all(np.diff(ordered.drop) <= 0)
    assert sorted(ordered.units) == list(range(8))
    for row, unit in enumerate(ordered.units):
        np.testing.assert_array_equal(ordered.per_class[row], table.per_class[unit])
    ties = [u for u, d in zip(ordered.units, ordered.drop) if d == ordered.drop[-1]]
    assert ties == sorted(ties)
    rows = table.as_dict()["units"]
    assert [r["unit"] for r in rows] == list(range(8)) and set(rows[0]["per_class_drop"]) == {
        str(c) for c in range(10)
    }


def test_layers_that_do_not_exist_are_named_in_one_line() -> None:
    assert layer_problem(2, 2) == "has hidden layers 1–2; no layer 3"
    assert layer_problem(1, 1) == "has hidden layer 1 only; no layer 2"
    assert layer_problem(2, -1) == "has hidden layers 1–2; no layer 0"
    assert layer_problem(2, 1) is None
    assert "no hidden layers" in layer_problem(0, 0)
    test = make_tiny_dataset(n_train=10, n_test=20).test
    with pytest.raises(ValueError, match="no hidden layers"):
        ablation_table(random_network(()), test.images, test.labels, range(10), 0)
    with pytest.raises(ValueError, match="no layer 3"):
        ablation_table(random_network((4, 3)), test.images, test.labels, range(10), 2)
    with pytest.raises(ValueError, match="does not tell 3 apart"):
        ablation_table(
            random_network((4,), num_classes=2), test.images, test.labels, (0, 1), 0
        ).matters_for(3)


def test_the_shipped_mlp_on_real_mnist_is_fast_and_exact(mnist) -> None:
    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.resources import shipped_model_path

    checkpoint = load_checkpoint(shipped_model_path("mlp"))
    test = mnist.test
    table = ablation_table(checkpoint.network, test.images, test.labels, checkpoint.classes, 0)
    assert len(table) == 256 and table.samples == 10_000
    some = table.sorted_by_drop().units[:3]  # the units that matter most, re-run by hand
    for unit in some:
        weights = [w.copy() for w in checkpoint.network.weights]
        weights[1][:, unit] = 0.0
        switched = Network.from_arrays(checkpoint.spec, weights, checkpoint.network.biases)
        assert table.accuracy[unit] == np.mean(switched.predict(test.images)[0] == test.labels)
    assert table.drop[some[0]] > 0
