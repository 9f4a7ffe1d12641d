"""The data experiments (dataset size, class imbalance, PCA): quick runs have the expected shape,
their helpers do what they say, and the robust findings hold."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.experiments import EXPERIMENTS, ExperimentCancelled, Settings, run_experiment
from digitlab.core.experiments.dataset_size import METHODS, nearest_neighbours
from digitlab.core.experiments.pca import (
    held_out_accuracy,
    principal_components,
    signal_kept,
    with_dummies,
)


def test_nearest_neighbours_vote_and_a_tie_goes_to_the_nearest() -> None:
    points = np.array([[0.0], [1.0], [10.0]], np.float32)
    labels = np.array([0, 0, 1])
    queries = np.array([[0.4], [9.0]], np.float32)
    assert nearest_neighbours(points, labels, queries, 1).tolist() == [0, 1]
    assert nearest_neighbours(points, labels, queries, 3).tolist() == [0, 0]  # 2 votes to 1
    assert nearest_neighbours(points, labels, queries, 2).tolist() == [0, 1]  # 1 to 1: nearest
    assert nearest_neighbours(points, labels, queries, 99).tolist() == [0, 0]  # k capped at n


def test_dataset_size_quick_run_more_data_helps_every_method_on_mnist(mnist) -> None:
    result = run_experiment("dataset_size", Settings(quick=True))
    (table,) = result.tables
    assert table.header == ["data", "training points", *(f"{m} accuracy" for m in METHODS)]
    assert [row[:2] for row in table.rows] == [
        ["Gaussians (12-D)", 20], ["Gaussians (12-D)", 200], ["MNIST", 20], ["MNIST", 200],
    ]  # fmt: skip
    assert all(0.0 <= value <= 1.0 for row in table.rows for value in row[2:])
    few, more = table.rows[2][2:], table.rows[3][2:]
    assert all(b > a + 0.1 for a, b in zip(few, more))  # 10× the digits: far better, every method
    assert len(result.panels) == 2 and all(len(p.lines) == len(METHODS) for p in result.panels)
    assert result.agrees in (True, False, None) and "20 points" in result.conclusion


def test_imbalance_hurts_minority_recall_and_oversampling_does_not_lower_it(mnist) -> None:
    result = run_experiment("imbalance", Settings(quick=True))
    rows = {(row[0], row[1], row[3]): row for row in result.tables[0].rows}
    assert len(rows) == 6
    for data in ("2-D Gaussians", "MNIST 4 vs 9"):
        even, plain, over = (rows[(data, "1:1", "plain")], rows[(data, "1:100", "plain")],
                             rows[(data, "1:100", "oversampled")])  # fmt: skip
        assert plain[5] < even[5] - 0.5 and plain[6] > 0.95  # the boundary moved into class 1
        assert over[5] >= plain[5] and over[2] == f"{plain[2]} → {even[2]}"
        assert all(0.0 <= value <= 1.0 for value in (*even[4:], *plain[4:], *over[4:]))
    regions = result.panels[:3]
    assert len(result.panels) == 4 and all(p.heatmap is not None for p in regions)
    for panel in regions:
        values = np.asarray(panel.heatmap.values)
        assert values.shape == (60, 60) and values.min() >= 0.0 and values.max() <= 1.0
        assert [line.points for line in panel.lines] == [True, True, False]
    # 1:1 puts the right half of the plane in class 1; 1:100 without oversampling barely any
    assert np.mean(regions[0].heatmap.values) > 0.3 > np.mean(regions[1].heatmap.values)
    assert result.agrees in (True, False, None)


def test_principal_components_find_the_axis_of_largest_variance() -> None:
    rng = np.random.default_rng(0)
    x = (rng.normal(0.0, 1.0, (200, 4)) * np.array([0.1, 5.0, 0.1, 0.1])).astype(np.float32)
    mean, directions = principal_components(x, 1)
    assert directions.shape == (1, 4) and abs(directions[0, 1]) > 0.99
    assert np.allclose(mean, x.mean(0, keepdims=True))
    labels = np.arange(40) % 4
    points = np.concatenate([np.eye(8)[labels] * 3.0, np.zeros((40, 2))], 1)  # signal: 4 dims
    assert signal_kept(np.eye(10)[:4], points, labels) == pytest.approx(1.0)
    assert signal_kept(np.eye(10)[5:], points, labels) == pytest.approx(0.0)


@pytest.fixture
def one_thread():
    """torch on one thread, as run_experiment does (two fight over these tiny matrices)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_pca_pieces_are_deterministic_for_a_seed(one_thread) -> None:
    first, again = with_dummies(50, 20, 3), with_dummies(50, 20, 3)
    assert first[0].shape == (50, 25) and np.array_equal(first[0], again[0])
    test = with_dummies(200, 20, 3)
    scores = [held_out_accuracy(*first, *test, 30, 3, lambda: False) for _ in range(2)]
    assert scores[0] == scores[1]


def test_pca_quick_run_dummies_hurt_and_pca_helps() -> None:
    result = run_experiment("pca", Settings(quick=True))
    (table,) = result.tables
    assert table.header[0] == "dummy dimensions" and [r[0] for r in table.rows] == [0, 100]
    clean, noisy = table.rows
    assert noisy[1] < clean[1] - 0.15  # 100 dummy dims cost the raw net much accuracy
    assert noisy[2] > noisy[1] + 0.05  # projecting onto 5 PCs first wins much of it back
    assert clean[6] == pytest.approx(1.0) and noisy[6] < 1.0
    assert len(result.panels) == 2 and len(result.panels[0].lines) == 3
    assert result.agrees is True


@pytest.mark.parametrize("name", ["dataset_size", "imbalance", "pca"])
def test_a_cancel_stops_the_run(name: str, request, one_thread) -> None:
    if name != "pca":
        request.getfixturevalue("mnist")  # the others load MNIST first: skipped without it
    with pytest.raises(ExperimentCancelled):
        EXPERIMENTS[name].run(Settings(quick=True), lambda f, t: None, lambda: True)


def test_imbalance_on_data_without_nines_is_one_line(tmp_path, capsys, monkeypatch) -> None:
    from digitlab.cli import main
    from digitlab.core.data import Dataset, Split
    from tests.conftest import make_tiny_dataset, write_mnist_files

    tiny = make_tiny_dataset()
    keep = tiny.test.labels != 9
    test = Split(tiny.test.images[keep], tiny.test.labels[keep])
    root = write_mnist_files(tmp_path / "data", Dataset("t", tiny.train, test, tiny.classes))
    monkeypatch.setenv("DIGITLAB_DATA", str(root))  # restored after: the run sets it
    code = main(["--data-dir", str(root), "experiment", "run", "imbalance", "--quick"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert "t10k-labels-idx1-ubyte has no images of class 9" in captured.err
    assert "Warning" not in captured.err and "empty slice" not in captured.err
