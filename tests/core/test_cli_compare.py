"""`digitlab compare` end to end on tiny IDX files and small model files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digitlab.cli import main
from digitlab.core.compare import compare
from tests.conftest import make_tiny_dataset, random_network
from tests.core.test_ablation import band_network
from tests.core.test_cli_interventions import model_file, one_line


def test_compare_json_matches_the_core(tiny_mnist_dir, tmp_path, capsys) -> None:
    a, b = band_network(), random_network((6,), seed=4, bias=0.3)
    paths = [
        str(model_file(tmp_path, net, name=f"{n}.safetensors")) for n, net in (("a", a), ("b", b))
    ]
    assert main(["--data-dir", str(tiny_mnist_dir), "compare", *paths, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    test = make_tiny_dataset().test
    expected = compare(a, b, test.images, test.labels, range(10)).as_dict()
    assert report["a"]["model"] == paths[0] and report["b"]["spec"] == "784→6→10 relu"
    assert {k: v for k, v in report.items() if k not in ("a", "b", "dataset")} == expected
    assert report["samples"] == 128 and report["accuracy"]["a"] == 1.0  # the band net is right
    assert report["right_in_a_only"] == 128 - round(128 * report["accuracy"]["b"])


def test_compare_prints_both_rows_the_flips_and_what_p_means(
    tiny_mnist_dir, tmp_path, capsys
) -> None:
    a = model_file(tmp_path, band_network(), name="a.safetensors")
    b = model_file(tmp_path, random_network((6,), seed=4, bias=0.3), name="b.safetensors")
    assert main(["--data-dir", str(tiny_mnist_dir), "compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    rows = {line[:7].strip(): line[7:].split() for line in out.splitlines()}
    assert rows["A"][0] == "100.00%" and rows["A"][1:] == ["100.0%"] * 10  # all, then per digit
    flips = [int(n) for n in rows["A only"]]
    assert flips[0] == sum(flips[1:]) > 0 and rows["B only"] == ["0"] * 11
    assert "agreement (same answer, right or wrong):" in out
    assert "McNemar's test (chi-square, corrected)" in out
    assert "p < 0.05: A is really more accurate than B;" in out


def test_the_same_model_twice_shows_no_difference(tiny_mnist_dir, tmp_path, capsys) -> None:
    path = str(model_file(tmp_path, random_network((6,), seed=1)))
    assert main(["--data-dir", str(tiny_mnist_dir), "compare", path, path]) == 0
    out = capsys.readouterr().out
    assert "agreement (same answer, right or wrong): 100.00%" in out
    assert "p = 1" in out and "no difference" in out


def test_a_class_subset_pair_is_scored_on_its_digits(tiny_mnist_dir, tmp_path, capsys) -> None:
    a = model_file(tmp_path, random_network((), 2, seed=1, bias=0.3), (3, 8), "a.safetensors")
    b = model_file(tmp_path, random_network((), 2, seed=2, bias=0.3), (3, 8), "b.safetensors")
    assert main(["--data-dir", str(tiny_mnist_dir), "compare", str(a), str(b), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    labels = make_tiny_dataset().test.labels
    assert report["classes"] == [3, 8] and report["samples"] == int(np.isin(labels, (3, 8)).sum())


def test_models_with_different_classes_are_refused_in_one_line(tmp_path, capsys) -> None:
    a = model_file(tmp_path, random_network(()), name="all.safetensors")
    b = model_file(tmp_path, random_network((), 2), (3, 8), "38.safetensors")
    code = main(["--data-dir", str(tmp_path / "no-data"), "compare", str(a), str(b)])
    line = one_line(capsys.readouterr().err)
    assert code == 2  # said before looking for the data
    assert line == (f"digitlab compare: error: cannot compare: {a} tells 0, 1, 2, 3, 4, 5, 6, "
                    f"7, 8, 9 apart, {b} tells 3, 8 apart")  # fmt: skip


def test_a_missing_model_is_one_line(tmp_path, capsys) -> None:
    a = model_file(tmp_path, random_network(()))
    code = main(["compare", str(a), str(tmp_path / "nope.safetensors")])
    assert code == 1 and "no such model file" in one_line(capsys.readouterr().err)


def test_one_model_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["compare", "mlp"])
    assert stopped.value.code == 2 and "B" in capsys.readouterr().err


def test_a_small_difference_is_not_called_real() -> None:
    from digitlab.cli.compare import meaning
    from digitlab.core.compare import McNemar

    class Result:
        a_only, b_only, test = 3, 5, McNemar("exact", 3.0, 0.7265625)

    assert meaning(Result, "A", "B") == (
        "p ≥ 0.05: no real difference shown; if both were equally good, the flipped digits "
        "would split this unevenly or worse with probability 0.73."
    )
