"""Issue 24's experiments: depth with shared weights, pixel shuffle, the lottery ticket and double
descent. One quick run each; the robust findings hold, and the mechanisms (shared weights, the
held mask, the un-shuffling, the batched nets) do what they claim on their own."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from digitlab.core.experiments import EXPERIMENTS, Settings, run_experiment


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """The tests that train directly use one torch thread, as `run_experiment` does: on a busy
    2-core machine two threads over such small matrices are many times slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_the_four_are_in_the_catalogue_after_the_write_ups_fourteen() -> None:
    names = ["depth_shared", "shuffle", "lottery", "double_descent"]
    assert [EXPERIMENTS[name].number for name in names] == [15, 16, 17, 18]


def test_shared_weight_nets_have_152_parameters_at_every_depth() -> None:
    from digitlab.core.experiments.depth_shared import SharedNet, parameter_count

    nets = [SharedNet(depth) for depth in (1, 2, 4, 8)]
    assert {parameter_count(net) for net in nets} == {152}
    # depth is real: one more application of the same layer changes the output
    torch.manual_seed(0)
    one, two = SharedNet(1), SharedNet(2)
    two.load_state_dict(one.state_dict())
    x = torch.linspace(-1, 1, 16).view(-1, 1)
    assert not torch.allclose(one(x), two(x))


@pytest.fixture(scope="module")
def depth_shared():
    return run_experiment("depth_shared", Settings(quick=True))


def test_depth_shared_reports_every_depth_at_152_parameters(depth_shared) -> None:
    (table,) = depth_shared.tables
    assert [row[1] for row in table.rows] == [2, 3, 5]  # hidden layers: 1 + applications
    assert {row[2] for row in table.rows} == {152}
    assert all(0.5 <= row[3] <= 1.0 for row in table.rows)  # at least the majority class
    assert [len(p.lines) for p in depth_shared.panels] == [3, 2]


def test_unshuffling_puts_each_weight_back_on_its_pixel() -> None:
    from digitlab.core.experiments.shuffle import roughness, unshuffle

    rng = np.random.default_rng(0)
    permutation = rng.permutation(784)
    pixels = rng.normal(size=(3, 784))
    # a net on shuffled inputs that computes the same as `pixels` has weights pixels[:, perm]
    assert np.array_equal(unshuffle(pixels[:, permutation], permutation), pixels)
    smooth = np.tile(np.linspace(0, 1, 784), (2, 1))
    assert roughness(smooth) < 0.1 < 1.2 < roughness(rng.normal(size=(2, 784)))


@pytest.fixture(scope="module")
def shuffle(mnist):
    return run_experiment("shuffle", Settings(quick=True))


def test_shuffled_pixels_keep_the_accuracy_but_scramble_the_weight_images(shuffle) -> None:
    accuracy = {row[0]: row[1] for row in shuffle.tables[0].rows}
    assert accuracy["plain"] > 0.85 and abs(accuracy["shuffled"] - accuracy["plain"]) < 0.03
    relative = {row[0]: row[2] for row in shuffle.tables[1].rows}
    assert relative["shuffled, in pixel order"] > 1.3
    assert abs(relative["shuffled, un-shuffled"] - 1.0) < 0.1
    assert [p.heatmap is not None for p in shuffle.panels] == [False, True, True, True]


def test_a_held_mask_keeps_pruned_weights_at_zero_through_training() -> None:
    from digitlab.core.experiments.lottery import (
        magnitude_masks,
        pruned_nonzero,
        random_masks,
        train_masked,
        weights,
    )
    from digitlab.core.experiments.toy import gaussian_classes, mlp

    x, y = gaussian_classes(200, 6, 3, seed=0)
    torch.manual_seed(0)
    net = mlp((6, 32, 16, 3))
    masks = magnitude_masks(net, 0.9)
    kept = [int(mask.sum()) for mask in masks]
    assert kept == [19, 51, 26]  # 10 % of 192 and 512 kept; the output layer 55 % of 48
    assert [int(m.sum()) for m in random_masks(net, 0.9, torch.Generator())] == kept
    train_masked(net, masks, (x, y, x, y), epochs=3, seed=0)
    assert pruned_nonzero(net, masks) == 0
    assert all(bool((w[mask == 1] != 0).all()) for w, mask in zip(weights(net), masks))


@pytest.fixture(scope="module")
def lottery(mnist):
    return run_experiment("lottery", Settings(quick=True))


def test_a_winning_ticket_beats_a_random_mask_at_95_percent(lottery) -> None:
    rows = {row[0]: row for row in lottery.tables[0].rows}
    dense, ticket = rows["dense"][3], rows["95% pruned"]
    assert 0.93 < ticket[1] < 0.96  # the output layer is pruned at half the rate
    assert ticket[3] > ticket[4] + 0.02 and ticket[3] > dense - 0.05
    assert lottery.tables[1].rows == [["pruned weights non-zero after training", 0]]
    assert [len(p.lines) for p in lottery.panels] == [2, 3]


def test_nets_trained_together_train_as_they_would_alone() -> None:
    from digitlab.core.experiments.double_descent import Family, find_peak, train_family

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    y = rng.integers(0, 10, 40)
    together = Family(5, (3, 7), seed=1)
    alone = Family(5, (7,), seed=1)
    for family in (together, alone):
        train_family(family, x, y, 30, 1e-2, lambda: False, lambda done: None)
    with torch.no_grad():
        assert torch.allclose(together(torch.from_numpy(x))[1], alone(torch.from_numpy(x))[0],
                              atol=1e-5)  # fmt: skip
    assert find_peak([0.5, 0.3, 0.4, 0.2]) == 2 and find_peak([0.5, 0.4, 0.3, 0.2]) is None


@pytest.fixture(scope="module")
def double_descent(mnist):
    return run_experiment("double_descent", Settings(quick=True))


def test_double_descent_fits_the_noisy_labels_at_the_widest_net(double_descent) -> None:
    (table,) = double_descent.tables
    widths = [row[0] for row in table.rows]
    assert widths == sorted(widths) and table.rows[-1][2] <= 0.01  # interpolates the noise
    assert table.rows[0][2] > 0.1  # the narrowest cannot
    assert all(0.0 <= row[3] <= 1.0 for row in table.rows)
    assert table.rows[-1][3] < table.rows[0][3]  # wider generalises better overall
    assert double_descent.agrees in (True, False)


@pytest.mark.parametrize("name", ["depth_shared", "shuffle", "lottery", "double_descent"])
def test_a_cancel_stops_each_of_them(name, mnist) -> None:
    from digitlab.core.experiments import ExperimentCancelled

    asked = []

    def cancelled() -> bool:  # a cancel asked after the run's first check
        asked.append(True)
        return len(asked) > 1

    with pytest.raises(ExperimentCancelled):
        EXPERIMENTS[name].run(Settings(quick=True), lambda fraction, text: None, cancelled)
