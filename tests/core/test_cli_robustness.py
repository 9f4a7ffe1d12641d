"""`digitlab robustness`: tables, JSON that matches `evaluate`, figures, and clear failures."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from tests.core.test_cli import train_tiny


@pytest.fixture
def tiny_model(tiny_mnist_dir, tmp_path, capsys):
    out = tmp_path / "tiny.safetensors"
    assert train_tiny(tiny_mnist_dir, out, "--hidden", "8") == 0
    capsys.readouterr()
    return out


def test_json_has_every_condition_and_clean_equals_evaluate(tiny_mnist_dir, tiny_model, capsys):
    base = ["--data-dir", str(tiny_mnist_dir)]
    assert main([*base, "evaluate", str(tiny_model), "--json"]) == 0
    evaluated = json.loads(capsys.readouterr().out)["accuracy"]
    args = [*base, "robustness", str(tiny_model), "--json", "--kinds", "rotation,pen"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["models"] == ["tiny"] and report["samples"] == 128
    kinds = [c["kind"] for c in report["conditions"]]
    assert kinds.count("rotation") == 7 and kinds.count("pen") == 11
    raw = report["accuracy"]["tiny"]["raw"]
    clean = kinds.index("rotation") + 3
    assert raw[clean] == pytest.approx(evaluated)
    assert all(0.0 <= a <= 1.0 for a in raw)


def test_tables_and_one_figure_per_model(tiny_mnist_dir, tiny_model, tmp_path, capsys):
    folder = tmp_path / "figures"
    args = ["--data-dir", str(tiny_mnist_dir), "robustness", str(tiny_model), "linear",
            "--kinds", "shift,noise", "--preprocessing", "on", "--png", str(folder)]  # fmt: skip
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "shift: tiny (rows dy" in text and "noise" in text and "tiny raw" not in text
    assert "clean" in text.splitlines()[2]
    pictures = sorted(p.name for p in folder.iterdir())
    assert pictures == ["robustness-linear.png", "robustness-tiny.png"]
    with Image.open(folder / "robustness-tiny.png") as picture:
        assert picture.size[0] >= 800 and np.asarray(picture).std() > 10


@pytest.mark.parametrize(
    ("kinds", "said"),
    [("wobble", "unknown perturbation 'wobble'"), (",", "name at least one of shift"),
     ("noise,", None), ("", "name at least one")],
)  # fmt: skip
def test_perturbations_are_checked_when_parsing(kinds, said, capsys, monkeypatch) -> None:
    from digitlab.cli import robustness

    monkeypatch.setattr(robustness, "run", lambda args: args.kinds)  # no sweep
    if said is None:
        assert main(["robustness", "linear", "--kinds", kinds]) == ["noise"]
        return
    with pytest.raises(SystemExit) as info:  # a bad argument: exit 2, one line, no traceback
        main(["robustness", "linear", "--kinds", kinds])
    err = capsys.readouterr().err
    assert info.value.code == 2 and said in err and err.count("\n") == 1


def test_a_missing_model_is_one_line(tiny_mnist_dir, tmp_path, capsys):
    base = ["--data-dir", str(tiny_mnist_dir), "robustness"]
    assert main([*base, str(tmp_path / "nothing.safetensors")]) == 1
    error = capsys.readouterr().err.strip()
    assert "nothing.safetensors" in error and "\n" not in error


def test_one_setting_and_one_image_are_said_in_the_singular(tiny_mnist_dir, tiny_model, capsys):
    args = ["--data-dir", str(tiny_mnist_dir), "robustness", str(tiny_model), "--kinds", "noise",
            "--preprocessing", "off", "--limit", "1"]  # fmt: skip
    assert main(args) == 0
    assert "6 conditions × 1 setting × 1 image in" in capsys.readouterr().out
