"""`core.compare`: two nets' answers counted against a hand count, McNemar's test against known
values and scipy.stats, and the refusals of models that answer different questions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from digitlab.core.checkpoint import Checkpoint
from digitlab.core.compare import EXACT_BELOW, check_comparable, compare, mcnemar
from digitlab.core.network import ModelSpec, Network
from tests.conftest import random_network

LABELS = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]
ANSWERS_A = [0, 0, 1, 1, 2, 1, 2, 0, 2, 1]
ANSWERS_B = [0, 1, 0, 1, 1, 1, 2, 2, 0, 2]


def lookup_network(answers: list[int], num_classes: int) -> Network:
    """A linear net that answers answers[i] for an image whose only lit pixel is pixel i."""
    spec = ModelSpec(hidden=(), num_classes=num_classes)
    weights = np.zeros(spec.layer_shapes[0], np.float32)
    weights[answers, np.arange(len(answers))] = 1.0
    return Network.from_arrays(spec, [weights], [np.zeros(num_classes, np.float32)])


def pixel_images(n: int) -> np.ndarray:
    """Image i has pixel i lit, and nothing else."""
    images = np.zeros((n, 784), np.uint8)
    images[np.arange(n), np.arange(n)] = 255
    return images


def test_the_numbers_match_a_hand_count() -> None:
    a, b = lookup_network(ANSWERS_A, 3), lookup_network(ANSWERS_B, 3)
    result = compare(a, b, pixel_images(10), np.array(LABELS), (0, 1, 2))
    assert result.samples == 10
    assert (result.accuracy_a, result.accuracy_b) == (0.6, 0.8)
    np.testing.assert_allclose(result.per_class_a, [2 / 3, 2 / 3, 2 / 4])
    np.testing.assert_allclose(result.per_class_b, [2 / 3, 3 / 3, 3 / 4])
    assert (result.a_only, result.b_only) == (2, 4)  # digits 1, 8 and 2, 4, 7, 9
    assert list(result.a_only_per_class) == [1, 0, 1]
    assert list(result.b_only_per_class) == [1, 1, 2]
    assert result.agreement == 0.4  # digits 0, 3, 5, 6
    assert result.test.method == "exact" and result.test.statistic == 2
    assert result.test.p_value == 44 / 64  # 2·P(X ≤ 2), X ~ Bin(6, ½) = 2·(1 + 6 + 15)/64


def test_digit_labels_map_to_outputs_and_other_digits_are_left_out() -> None:
    a = lookup_network([0, 1, 1, 0], 2)  # outputs 0, 1 stand for digits 3, 8
    b = lookup_network([0, 0, 1, 0], 2)
    result = compare(a, b, pixel_images(4), np.array([3, 8, 8, 5]), (3, 8))
    assert result.samples == 3 and result.classes == (3, 8)
    assert (result.accuracy_a, result.accuracy_b) == (1.0, 2 / 3)
    assert (result.a_only, result.b_only) == (1, 0)
    report = result.as_dict()
    assert report["per_class_accuracy"]["b"] == {"3": 1.0, "8": 0.5}
    assert report["right_in_a_only_per_class"] == {"3": 0, "8": 1}


def test_a_class_without_digits_is_none_in_the_dict() -> None:
    net = lookup_network([0, 0], 3)
    report = compare(net, net, pixel_images(2), np.array([0, 1]), (0, 1, 2)).as_dict()
    assert report["per_class_accuracy"]["a"] == {"0": 1.0, "1": 0.0, "2": None}
    assert report["agreement"] == 1.0 and report["mcnemar"]["p_value"] == 1.0


def test_mcnemar_exact_matches_a_known_value() -> None:
    assert mcnemar(1, 9).p_value == pytest.approx(2 * (1 + 10) / 2**10)  # 0.0215
    assert mcnemar(9, 1).method == "exact" and mcnemar(9, 1).statistic == 1
    assert mcnemar(0, 0).p_value == 1.0


def test_mcnemar_chi_square_matches_a_textbook_example() -> None:
    test = mcnemar(121, 59)  # Wikipedia's example: (|121 − 59| − 1)² / 180 = 20.67
    assert test.method == "chi-square"
    assert test.statistic == pytest.approx(61**2 / 180)
    assert test.p_value == pytest.approx(5.45e-6, rel=1e-2)


@pytest.mark.parametrize(
    ("a_only", "b_only"), [(0, 5), (3, 7), (12, 12), (5, 19), (10, 15), (30, 20), (400, 7)]
)
def test_mcnemar_agrees_with_scipy_stats(a_only: int, b_only: int) -> None:
    test = mcnemar(a_only, b_only)
    n = a_only + b_only
    if n < EXACT_BELOW:
        want = stats.binomtest(a_only, n, 0.5).pvalue
    else:
        want = stats.chi2.sf(max(abs(a_only - b_only) - 1, 0) ** 2 / n, 1)
    assert test.method == ("exact" if n < EXACT_BELOW else "chi-square")
    assert test.p_value == pytest.approx(want, rel=1e-9, abs=1e-300)


def checkpoint(network: Network, classes=None, dataset: str = "mnist") -> Checkpoint:
    meta = {"classes": list(classes or range(network.spec.num_classes)), "dataset": dataset}
    return Checkpoint(network, meta)


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_models_with_different_input_sizes_are_refused() -> None:
    small = Network.from_arrays(
        ModelSpec(hidden=(), input_size=100),
        [np.zeros((10, 100), np.float32)], [np.zeros(10, np.float32)],
    )  # fmt: skip
    with pytest.raises(ValueError) as refused:
        check_comparable(checkpoint(random_network(())), checkpoint(small), ("a.st", "b.st"))
    assert _one_line(refused) == "cannot compare: a.st takes 784 inputs, b.st takes 100"
    with pytest.raises(ValueError, match="inputs"):
        compare(random_network(()), small, pixel_images(2), np.array([0, 1]), range(10))


def test_models_with_different_classes_are_refused() -> None:
    two = checkpoint(random_network((), num_classes=2), classes=(3, 8))
    with pytest.raises(ValueError) as refused:
        check_comparable(checkpoint(random_network(())), two, ("mlp", "38.st"))
    assert _one_line(refused) == (
        "cannot compare: mlp tells 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 apart, 38.st tells 3, 8 apart"
    )
    with pytest.raises(ValueError, match="cannot compare: 38.st tells 3, 8 apart"):
        check_comparable(two, checkpoint(random_network((), num_classes=2)), ("38.st", "01.st"))
    with pytest.raises(ValueError, match="B has 2 outputs for 10 classes"):
        compare(random_network(()), two.network, pixel_images(2), np.array([0, 1]), range(10))


def test_models_for_different_datasets_are_refused() -> None:
    net = random_network(())
    with pytest.raises(ValueError) as refused:
        check_comparable(checkpoint(net), checkpoint(net, dataset="fashion"))
    assert _one_line(refused) == "cannot compare: A is for mnist, B for fashion"


def test_the_same_model_twice_agrees_everywhere() -> None:
    net = random_network((8,), bias=0.3)
    images = np.random.default_rng(1).integers(0, 256, (50, 28, 28), dtype=np.uint8)
    labels = np.arange(50) % 10
    check_comparable(checkpoint(net), checkpoint(net))
    result = compare(net, net, images, labels, range(10))
    assert result.agreement == 1.0 and result.a_only == result.b_only == 0
    assert result.accuracy_a == result.accuracy_b
    assert math.isclose(result.test.p_value, 1.0)
