"""`digitlab ablate` and `digitlab prune` end to end on tiny IDX files and small model files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from digitlab.cli import main
from digitlab.core.ablation import ablation_table
from digitlab.core.checkpoint import load_checkpoint, save_checkpoint
from digitlab.core.pruning import accuracy_on, prune
from tests.conftest import make_tiny_dataset, random_network
from tests.core.test_ablation import band_network, readable_network


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def _test_digits() -> tuple[np.ndarray, np.ndarray]:
    test = make_tiny_dataset().test
    return test.images, test.labels


def model_file(tmp_path: Path, network, classes=None, name: str = "m.safetensors") -> Path:
    meta = {"classes": list(classes or range(network.spec.num_classes)), "epochs": 2}
    return save_checkpoint(tmp_path / name, network, meta)


def test_ablate_json_is_the_whole_table_sorted_by_drop(tiny_mnist_dir, tmp_path, capsys) -> None:
    network = readable_network((16, 8), "relu")
    path = model_file(tmp_path, network)
    argv = ["--data-dir", str(tiny_mnist_dir), "ablate", str(path), "--json", "--top", "2"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    test = make_tiny_dataset().test
    expected = ablation_table(network, test.images, test.labels, range(10), 1).sorted_by_drop()
    assert report["layer"] == 2 and report["samples"] == 128  # the last hidden layer by default
    assert [row["unit"] for row in report["units"]] == list(expected.units)  # all 8, not --top
    assert [row["drop"] for row in report["units"]] == pytest.approx(list(expected.drop))
    assert report["intact_accuracy"] == expected.intact_accuracy


def test_ablate_prints_the_top_units_and_what_they_matter_for(
    tiny_mnist_dir, tmp_path, capsys
) -> None:
    path = model_file(tmp_path, band_network())
    assert main(["--data-dir", str(tiny_mnist_dir), "ablate", str(path), "--top", "3"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line[:6].strip().isdigit()]
    assert len(rows) == 3 and [r[0] for r in rows] == ["0", "1", "2"]  # equal drops: by unit
    zeros = int(np.count_nonzero(make_tiny_dataset().test.labels == 0))  # unit 0 reads the 0s
    assert rows[0][1:3] == [f"{1 - zeros / 128:.2%}", f"{100 * zeros / 128:.2f}"]
    assert rows[0][4:7] == ["0:", "100.00", "pp"]  # unit 0 matters for the 0s, and only them
    assert len(rows[0]) == 7
    assert "accuracy with every unit on: 100.00%" in out and "3 of 10" in out


def test_ablate_scores_a_class_subset_model_on_its_digits(tiny_mnist_dir, tmp_path, capsys) -> None:
    network = random_network((6,), num_classes=2, seed=2, bias=0.3)
    path = model_file(tmp_path, network, classes=(3, 8))
    assert main(["--data-dir", str(tiny_mnist_dir), "ablate", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    test = make_tiny_dataset().test
    assert report["classes"] == [3, 8] and report["samples"] == int(
        np.isin(test.labels, (3, 8)).sum()
    )


@pytest.mark.parametrize(
    ("hidden", "layer", "message"),
    [
        ((4, 3), "3", "has hidden layers 1–2; no layer 3"),
        ((4,), "2", "has hidden layer 1 only; no layer 2"),
        ((), None, "has no hidden layers"),
    ],
)
def test_ablate_a_layer_that_is_not_there_is_one_line(
    tiny_mnist_dir, tmp_path, capsys, hidden, layer, message
) -> None:
    path = model_file(tmp_path, random_network(hidden))
    extra = ["--layer", layer] if layer else []
    code = main(["--data-dir", str(tmp_path / "no-data"), "ablate", str(path), *extra])
    line = one_line(capsys.readouterr().err)
    assert code == 2 and f"{path} {message}" in line  # said before looking for the data


def test_prune_writes_a_pruned_model_with_the_same_classes(
    tiny_mnist_dir, tmp_path, capsys
) -> None:
    network = random_network((8,), num_classes=2, seed=3, bias=0.3)
    path = model_file(tmp_path, network, classes=(8, 3))
    out = tmp_path / "pruned.safetensors"
    argv = ["--data-dir", str(tiny_mnist_dir), "prune", str(path), "--fraction", "0.5"]
    assert main([*argv, "--scope", "global", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    saved = load_checkpoint(out)
    expected, masks = prune(network, 0.5, "global")
    for got, want in zip(saved.network.weights, expected.weights):
        np.testing.assert_array_equal(got, want)
    test = make_tiny_dataset().test
    pruned_accuracy = accuracy_on(expected, test.images, test.labels, (8, 3))
    assert saved.classes == (8, 3) and saved.meta["epochs"] == 2
    assert saved.meta["pruning"]["fraction"] == 0.5 and saved.meta["pruning"]["scope"] == "global"
    assert saved.meta["test_accuracy"] == pytest.approx(pruned_accuracy)
    assert f"after pruning    {pruned_accuracy:.2%}" in text and "retraining" not in text


def test_prune_and_retrain_keeps_the_zeros_and_says_all_three(
    tiny_mnist_dir, tmp_path, capsys
) -> None:
    path = model_file(tmp_path, readable_network((16,), "relu"))
    out = tmp_path / "retrained.safetensors"
    argv = ["--data-dir", str(tiny_mnist_dir), "prune", str(path), "--fraction", "0.8"]
    assert main([*argv, "--retrain", "2", "--lr", "0.01", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert all(
        f"test accuracy {when}" in text for when in ("before", "after pruning", "after retr")
    )
    saved = load_checkpoint(out)
    pruned, masks = prune(load_checkpoint(path).network, 0.8, "layer")
    for trained, before, mask in zip(saved.network.weights, pruned.weights, masks):
        assert np.all(trained[~mask] == 0) and np.any(trained[mask] != before[mask])
    pruning = saved.meta["pruning"]
    assert pruning["retrain_epochs"] == 2 and pruning["retrain"]["lr"] == 0.01
    assert saved.meta["test_accuracy"] == pytest.approx(
        accuracy_on(saved.network, *_test_digits(), range(10))
    )


@pytest.mark.parametrize("value", ["1", "-0.2", "nan", "lots"])
def test_prune_refuses_a_bad_fraction_in_one_line(tmp_path, capsys, value) -> None:
    out = tmp_path / "p.safetensors"
    with pytest.raises(SystemExit) as stopped:
        main(["prune", "mlp", "--fraction", value, "--out", str(out)])
    assert stopped.value.code == 2
    assert "fraction to prune must be" in one_line(capsys.readouterr().err)
    assert not out.exists()


def test_prune_refuses_an_unwritable_out_before_any_work(tmp_path, capsys) -> None:
    code = main(["prune", str(tmp_path / "missing-model"), "--fraction", "0.5", "--out",
                 str(tmp_path)])  # fmt: skip
    line = one_line(capsys.readouterr().err)
    assert code == 1 and "is a folder" in line and "missing-model" not in line
