"""The classic experiments: quick runs have the expected shape and the robust findings hold."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.core.experiments import EXPERIMENTS, ExperimentCancelled, Settings, run_experiment


def test_the_catalogue_holds_the_eighteen_experiments_in_order() -> None:
    assert [e.number for e in EXPERIMENTS.values()] == list(range(1, 19))
    assert all(e.title and e.question and e.method for e in EXPERIMENTS.values())


@pytest.fixture(scope="module")
def approximation():
    return run_experiment("approximation", Settings(quick=True))


def test_a_wide_net_fits_sin_12x_far_better_than_a_narrow_one(approximation) -> None:
    (table,) = approximation.tables
    assert table.header[0] == "function" and [row[0] for row in table.rows][0] == "sin(12x)"
    sine = table.rows[0]
    assert sine[3] < sine[1] / 10  # h = 16 against h = 2
    assert len(approximation.panels) == 3 and approximation.agrees is True
    assert all(len(panel.lines) == 4 for panel in approximation.panels)  # data + 3 widths


def test_random_labels_take_longer_to_memorise_than_true_ones(mnist) -> None:
    result = run_experiment("memorisation", Settings(quick=True))
    epochs = {(row[0], row[1]): row[3] for row in result.tables[0].rows}
    for data in ("6-D Gaussians", "MNIST"):
        true, random = epochs[(data, "true labels")], epochs[(data, "random labels")]
        assert isinstance(true, int) and (not isinstance(random, int) or random > true)
    assert result.agrees is True
    capacity = result.tables[1].rows  # the small net fits few random labels, not many
    assert capacity[0][1] == 1.0 and capacity[-1][1] < 1.0 and len(result.panels) == 3


@pytest.fixture(scope="module")
def depth():
    return run_experiment("depth", Settings(quick=True))


def test_a_cancel_stops_a_run() -> None:
    """(Of an experiment on data of its own: memorisation's read MNIST first, absent on a fresh
    machine, and failed there instead of being cancelled.)"""
    with pytest.raises(ExperimentCancelled):
        EXPERIMENTS["approximation"].run(Settings(quick=True), lambda f, t: None, lambda: True)


def test_cli_lists_runs_and_writes_result_and_figure(tmp_path, capsys, depth) -> None:
    """... and a second run with the same seed gives the same numbers as the first."""
    assert main(["experiment", "list"]) == 0
    listed = [line.split()[:2] for line in capsys.readouterr().out.splitlines()]
    assert [name for _, name in listed] == list(EXPERIMENTS)
    assert [int(number) for number, _ in listed] == sorted(e.number for e in EXPERIMENTS.values())
    out = tmp_path / "depth"
    assert main(["experiment", "run", "depth", "--quick", "--json", "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    stored = json.loads((out / "result.json").read_text())
    assert printed["tables"] == stored["tables"] and stored["settings"]["quick"] is True
    assert stored["tables"][0]["rows"] == [list(row) for row in depth.tables[0].rows]
    with Image.open(out / "figure.png") as figure:
        assert figure.size[0] >= 300
    for bad, message in (
        (["run", "nonsense"], "no experiment 'nonsense'"),
        (["run"], "name the experiment"),
        (["list", "extra"], "takes no name"),
    ):
        assert main(["experiment", *bad]) == 2  # a bad argument, as argparse's own
        assert message in capsys.readouterr().err


def test_depth_compares_nets_of_about_the_same_size(depth) -> None:
    result = depth
    rows = result.tables[0].rows
    assert [row[0] for row in rows] == ["1 hidden layer", "2 hidden layers", "3 hidden layers"]
    parameters = [row[2] for row in rows]
    assert max(parameters) - min(parameters) <= 8 and all(0.0 <= row[3] <= 1.0 for row in rows)
    assert len(result.panels[0].lines) == 3 and result.agrees in (True, False, None)


def test_l1_leaves_more_weights_near_zero_than_no_penalty_or_l2() -> None:
    result = run_experiment("regularisation", Settings(quick=True))
    share = {(row[0], row[1]): row[3] for row in result.tables[0].rows}
    assert share[("L1", 0.01)] > share[("none", 0.0)] + 0.3
    assert share[("L1", 0.01)] > share[("L2", 0.01)]
    assert result.agrees is True and len(result.panels) == 2


def test_tables_line_up_whatever_the_width_of_a_name() -> None:
    from digitlab.core.experiments import Table, table_lines

    rows = [["sign (straight-through)", 0.51234567, "> 400"], ["relu", 1.0, 12]]
    table = Table(["activation", "accuracy", "epochs to 97%"], rows)
    header, *rows = table_lines(table)
    assert rows[0].startswith("sign (straight-through)  ") and rows[1].startswith("relu ")
    for column in ("accuracy", "epochs to 97%"):  # right-aligned under its header
        end = header.index(column) + len(column)
        assert all(row[end - 1] != " " and (len(row) == end or row[end] == " ") for row in rows)
    assert "0.5123" in rows[0] and len({len(line) for line in (header, *rows)}) == 1


def test_an_epoch_count_past_the_run_stays_a_bound() -> None:
    from digitlab.core.experiments.activations import speed_text

    assert speed_text([401.0], 400) == "> 400"  # never reached: not "401"
    assert speed_text([10.0, 20.0], 400) == "15"
    assert speed_text([401.0, 200.0], 400) == "> 300"  # a mean with a censored run: a bound
