"""The recipe experiments (activations, batch size, losses, initialisers): quick runs have the
expected shape and their robust findings hold."""

from __future__ import annotations

import pytest

from digitlab.core.experiments import EXPERIMENTS, ExperimentCancelled, Settings, run_experiment
from digitlab.core.experiments.activations import ACTIVATIONS, GRID
from digitlab.core.experiments.initialisers import CONSTANTS, INITIALISERS, SCALED, SIZES
from digitlab.core.experiments.losses import LOSSES

RECIPE = ("activations", "batch_size", "losses", "initialisers")


@pytest.fixture(scope="module")
def results(mnist):
    return {name: run_experiment(name, Settings(quick=True)) for name in RECIPE}


def test_every_recipe_experiment_is_in_the_catalogue_in_order() -> None:
    assert [EXPERIMENTS[name].number for name in RECIPE] == [7, 8, 9, 10]


def test_a_linear_net_cannot_separate_the_moons(results) -> None:
    result = results["activations"]
    (table,) = result.tables
    assert [row[0] for row in table.rows] == list(ACTIVATIONS)
    moons = {row[0]: row[1] for row in table.rows}
    assert moons["identity"] < max(moons.values()) - 0.05 and moons["ReLU"] > 0.9
    assert all(0.0 <= row[4] <= 1.0 for row in table.rows)
    regions, curves = result.panels[:-1], result.panels[-1]
    assert len(regions) == len(ACTIVATIONS) and len(curves.lines) == len(ACTIVATIONS)
    for panel in regions:
        assert panel.heatmap is not None and len(panel.heatmap.values) == GRID
        assert [line.colour for line in panel.lines] == [0, 1]
        assert all(line.points for line in panel.lines)
    assert result.agrees in (True, False, None)


def test_a_full_batch_ends_worse_and_batch_one_is_slowest(results) -> None:
    result = results["batch_size"]
    scores, timings = result.tables
    assert scores.header == ["batch size", "steps", "training accuracy", "test accuracy"]
    assert [row[0] for row in scores.rows] == ["1", "8", "32", "128", "1000 (full)"]
    assert scores.rows[-1][1] == 2  # 2 epochs of one step
    test = [row[3] for row in scores.rows]
    assert test[-1] < test[1] - 0.1  # full batch against batch 8
    seconds = [row[2] for row in timings.rows]
    assert seconds[0] > seconds[3]  # batch 1 against batch 128
    assert len(result.panels) == 2 and result.agrees in (True, False, None)


def test_the_constant_loss_learns_nothing_and_cross_entropy_learns(results) -> None:
    result = results["losses"]
    (table,) = result.tables
    rows = {row[0]: row for row in table.rows}
    assert list(rows) == list(LOSSES)
    untrained, final = rows["constant"][1], rows["constant"][3]
    assert final == untrained and final < 0.25  # a zero gradient: Adam never moves
    assert rows["cross-entropy"][3] > 0.8
    assert [len(panel.lines) for panel in result.panels] == [len(LOSSES), len(LOSSES) - 1]
    assert result.agrees in (True, False, None)


def test_constant_initialisers_leave_copies_of_one_unit(results) -> None:
    result = results["initialisers"]
    (table,) = result.tables
    rows = {row[0]: row for row in table.rows}
    assert list(rows) == list(INITIALISERS)
    assert all(rows[name][-1] == 1 for name in CONSTANTS)
    assert all(rows[name][-1] == SIZES[1] for name in SCALED)
    assert rows["normal σ = 1"][1] > 100 > 10 > rows["Kaiming (normal)"][1]  # initial loss
    assert rows["Kaiming (normal)"][3] > 0.8
    assert len(result.panels) == 2 and all(len(p.lines) == len(INITIALISERS) for p in result.panels)
    assert result.agrees in (True, False, None)


def test_the_same_seed_gives_the_same_tables(results) -> None:
    again = run_experiment("losses", Settings(quick=True))
    assert again.tables == results["losses"].tables


@pytest.mark.parametrize("name", RECIPE)
def test_a_cancel_stops_a_run(name: str, mnist) -> None:
    with pytest.raises(ExperimentCancelled):
        EXPERIMENTS[name].run(Settings(quick=True), lambda f, t: None, lambda: True)
