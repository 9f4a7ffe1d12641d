"""The layer experiments (convergence, bottleneck, probes): quick runs have the expected shape
and their robust findings hold."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from digitlab.core.experiments import EXPERIMENTS, ExperimentCancelled, Settings, run_experiment
from digitlab.core.experiments.bottleneck import CLASS_SETS, DEPTHS, build, plane_activations
from digitlab.core.experiments.convergence import LAYERS, later_layers_first, settled_epoch
from digitlab.core.experiments.probes import LAYER_NAMES
from digitlab.core.experiments.toy import mnist as mnist_subset

LAYER_EXPERIMENTS = ("convergence", "bottleneck", "probes")


@pytest.fixture(scope="module")
def results(mnist):
    return {name: run_experiment(name, Settings(quick=True)) for name in LAYER_EXPERIMENTS}


def test_the_layer_experiments_are_in_the_catalogue_in_order() -> None:
    assert [EXPERIMENTS[name].number for name in LAYER_EXPERIMENTS] == [11, 13, 14]


def test_a_layer_settles_at_the_epoch_from_which_it_stays_below_the_threshold() -> None:
    assert settled_epoch([0.3, 0.04, 0.06, 0.03, 0.02], 0.05) == 4
    assert settled_epoch([0.3, 0.2], 0.05) is None
    assert later_layers_first([9, 5, 4, 3], 10) is True
    assert later_layers_first([3, 5, 4, 3], 10) is False  # a tie is not "first"
    assert later_layers_first([None, None, None, None], 10) is None


def test_convergence_measures_every_layer_for_both_optimizers(results) -> None:
    result = results["convergence"]
    table, fits = result.tables
    assert table.header[:2] == ["optimizer", "layer"] and len(table.header) == 7
    assert [row[0] for row in fits.rows] == ["Adam", "SGD + momentum"]
    assert [row[1] for row in table.rows] == LAYERS * 2
    assert all(row[2] > 0.0 and row[3] > 0.0 for row in table.rows)
    adam = table.rows[:4]
    assert adam[0][2] == max(row[2] for row in adam)  # Adam moves the 784→100 layer the most
    relative = [panel for panel in result.panels if panel.log_y]
    assert len(relative) == 3 and all(len(panel.lines) in (4, 6) for panel in relative)
    assert len(result.panels) == 4 and result.agrees in (True, False, None)


def test_five_dead_relu_layers_stay_at_chance_and_the_identity_init_rescues_them(results) -> None:
    result = results["bottleneck"]
    errors, five = result.tables
    assert errors.header[0] == "hidden layers" and len(errors.header) == 1 + 2 * len(CLASS_SETS)
    assert [row[0] for row in errors.rows] == list(DEPTHS)
    assert all(0.0 <= value <= 1.0 for row in errors.rows for value in row[1:])
    two_classes = five.rows[0]
    assert two_classes[0] == "0/1" and two_classes[4] == "1 of 1"  # default: at chance
    _, zero_one_default, zero_one_identity, *_ = errors.rows[-1]
    assert zero_one_default >= two_classes[1] - 0.03 and zero_one_identity < 0.05
    error_panel, curves, *scatter = result.panels
    assert len(error_panel.lines) == 2 * len(CLASS_SETS) and len(scatter) == DEPTHS[-1]
    for panel in scatter:
        assert all(line.points for line in panel.lines)
        assert [line.colour for line in panel.lines] == [0, 1, 2]
        assert sum(len(line.x) for line in panel.lines) <= 300
    assert len(result.panels) <= 8 and result.agrees in (True, False, None)


def test_the_identity_init_starts_as_a_linear_map_with_every_relu_alive(mnist) -> None:
    x = mnist_subset(200, 10, (0, 1, 2), seed=0)[0]
    net = build(5, 3, "identity", seed=0)
    planes = plane_activations(net, x)
    alive = torch.from_numpy((np.stack(planes) > 0).all(axis=(0, 2)))
    assert alive.float().mean() > 0.98
    linears = [module for module in net if isinstance(module, torch.nn.Linear)]
    with torch.no_grad():
        linear = torch.from_numpy(x) @ linears[0].weight.T @ linears[-1].weight.T
        assert torch.allclose(net(torch.from_numpy(x))[alive], linear[alive], atol=1e-4)
    first, again = build(5, 3, "default", seed=0), build(5, 3, "default", seed=0)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), again.parameters()))


def test_probes_read_every_layer_and_random_layers_lose_information(results) -> None:
    result = results["probes"]
    probes, net = result.tables
    assert [row[0] for row in probes.rows] == LAYER_NAMES
    assert [row[1] for row in probes.rows] == [784, 100, 100, 100, 10]
    pixels = probes.rows[0]
    assert pixels[2] == pixels[3] > 0.8  # the same probe on the same pixels
    trained = [row[2] for row in probes.rows]
    untrained = [row[3] for row in probes.rows]
    assert untrained[3] < untrained[0] - 0.1 and untrained[4] < untrained[3]
    assert all(t > u for t, u in zip(trained[1:], untrained[1:]))
    assert net.rows[0][3] > 0.8
    assert len(result.panels) == 1 and len(result.panels[0].lines) == 3
    assert result.agrees in (True, False, None)


@pytest.mark.parametrize("name", LAYER_EXPERIMENTS)
def test_a_cancel_stops_a_layer_experiment(mnist, name: str) -> None:
    with pytest.raises(ExperimentCancelled):
        EXPERIMENTS[name].run(Settings(quick=True), lambda f, t: None, lambda: True)


def test_the_bottleneck_planes_take_the_few_digits_a_small_split_holds() -> None:
    """A test split with 3 digits of a class (a small --data-dir) draws those 3, not numpy's
    'Cannot take a larger sample than population' (which the CLI showed as a bad argument)."""
    from digitlab.core.experiments.bottleneck import POINTS_PER_CLASS, scatter_panels

    y = np.array([0] * 3 + [1] * (POINTS_PER_CLASS + 20))
    x = np.random.default_rng(0).random((len(y), 784), dtype=np.float32)
    panels = scatter_panels(build(2, 2, "default", seed=0), x, y, ["0", "1"], seed=0, error=0.5)
    counts = [len(line.x) for line in panels[0].lines[:2]]
    assert counts == [3, POINTS_PER_CLASS]
