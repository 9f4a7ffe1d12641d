"""The `digitlab` command end to end on tiny IDX files written by the tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.core.checkpoint import load_checkpoint
from tests.conftest import make_tiny_dataset


def train_tiny(data: Path, out: Path, *extra: str) -> int:
    args = ["--data-dir", str(data), "train", "--epochs", "2", "--quiet", "--out", str(out)]
    return main([*args, *extra])


def test_train_writes_a_checkpoint_and_reports_accuracy(tiny_mnist_dir, tmp_path, capsys) -> None:
    out = tmp_path / "m.safetensors"
    assert (
        train_tiny(
            tiny_mnist_dir,
            out,
            "--hidden",
            "8",
            "--lr",
            "1e-2",
            "--batch-size",
            "16",
            "--seed",
            "5",
        )
        == 0
    )
    assert "test accuracy" in capsys.readouterr().out
    checkpoint = load_checkpoint(out)
    assert checkpoint.spec.hidden == (8,)
    assert checkpoint.meta["train"]["seed"] == 5 and checkpoint.meta["dataset"] == "mnist"
    assert checkpoint.meta["test_accuracy"] > 0.9


def test_evaluate_json_matches_the_training_result(tiny_mnist_dir, tmp_path, capsys) -> None:
    out = tmp_path / "m.safetensors"
    train_tiny(tiny_mnist_dir, out, "--hidden", "0")
    capsys.readouterr()
    assert main(["--data-dir", str(tiny_mnist_dir), "evaluate", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["accuracy"] == pytest.approx(load_checkpoint(out).meta["test_accuracy"])
    assert np.array(report["confusion"]).sum() == 128
    assert set(report["per_class_accuracy"]) == {str(c) for c in range(10)}


def test_evaluate_prints_a_table(tiny_mnist_dir, tmp_path, capsys) -> None:
    out = tmp_path / "m.safetensors"
    train_tiny(tiny_mnist_dir, out, "--classes", "2,7")
    capsys.readouterr()
    assert main(["--data-dir", str(tiny_mnist_dir), "evaluate", str(out)]) == 0
    text = capsys.readouterr().out
    assert "test accuracy" in text and "confusion" in text
    assert load_checkpoint(out).classes == (2, 7)


def write_png(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray(pixels).save(path)
    return path


def test_predict_prints_one_json_line_per_image_and_survives_bad_files(
    tiny_mnist_dir, tmp_path, capsys
) -> None:
    model = tmp_path / "m.safetensors"
    train_tiny(tiny_mnist_dir, model, "--lr", "3e-3")
    capsys.readouterr()
    test = make_tiny_dataset().test
    good = [write_png(tmp_path / f"{i}.png", test.images[i]) for i in range(3)]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    files = [str(good[0]), str(broken), str(tmp_path / "missing.png"), str(good[1]), str(good[2])]
    code = main(["predict", "--model", str(model), "--no-fit", "--no-centre", *files])
    captured = capsys.readouterr()
    assert code == 1
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["file"] for line in lines] == [str(p) for p in good]
    assert [line["digit"] for line in lines] == test.labels[:3].tolist()
    assert all(len(line["probs"]) == 10 and abs(sum(line["probs"]) - 1) < 1e-4 for line in lines)
    assert "broken.png" in captured.err and "missing.png" in captured.err
    assert "Traceback" not in captured.err


def test_missing_data_is_one_clear_message(tmp_path, capsys, monkeypatch) -> None:
    from torchvision import datasets

    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    assert train_tiny(tmp_path / "empty", tmp_path / "m.safetensors") == 1
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte" in err and "Traceback" not in err
    assert not (tmp_path / "m.safetensors").exists()


def test_corrupt_model_is_one_clear_message(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_text("not a model")
    assert main(["evaluate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "is not a digitlab model" in err and len(err.strip().splitlines()) == 1


def test_an_unwritable_out_fails_before_training(tiny_mnist_dir, tmp_path, capsys) -> None:
    assert train_tiny(tiny_mnist_dir, tmp_path) == 1  # a folder, not a file
    assert "is a folder" in capsys.readouterr().err
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    assert train_tiny(tiny_mnist_dir, blocker / "m.pt") == 1  # its "folder" is a file
    err = capsys.readouterr().err
    assert "cannot write" in err and "plain-file is a file, not a folder" in err
    assert "Traceback" not in err


def test_evaluate_json_carries_the_model_description(tiny_mnist_dir, tmp_path, capsys) -> None:
    out = tmp_path / "m.safetensors"
    train_tiny(tiny_mnist_dir, out, "--hidden", "4", "--seed", "9")
    capsys.readouterr()
    main(["--data-dir", str(tiny_mnist_dir), "evaluate", str(out), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["spec"]["hidden"] == [4]
    assert report["meta"]["train"]["seed"] == 9 and "command" in report["meta"]


def test_diverging_run_writes_no_model(tiny_mnist_dir, tmp_path, capsys) -> None:
    out = tmp_path / "m.safetensors"
    code = train_tiny(tiny_mnist_dir, out, "--optimizer", "sgd", "--lr", "1e4", "--hidden", "16")
    assert code == 1
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert "the run diverged" in said and said.endswith("too high?); no model written")
    assert "kept" not in said  # nothing is: the command writes no model
    assert not out.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--epochs", "0", "--out", "x.pt"],
        ["train", "--hidden", "ten", "--out", "x.pt"],
        ["train", "--classes", "1,1", "--out", "x.pt"],
        ["train"],
        ["frobnicate"],
    ],
)
def test_bad_arguments_give_one_line(argv, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "error" in err


def test_module_entry_point_shows_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "digitlab", "predict", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "IMAGE" in out.stdout


def test_help_answers_without_importing_torch_or_numpy() -> None:
    code = (
        "import sys; from digitlab.cli import build_parser; build_parser().format_help(); "
        "heavy = [m for m in ('torch', 'numpy', 'PySide6') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_predict_needs_no_torch(tmp_path) -> None:
    path = write_png(tmp_path / "seven.png", np.pad(np.full((20, 4), 255, np.uint8), 4))
    code = (
        "import sys; from digitlab.cli import main; "
        f"assert main(['predict', {str(path)!r}]) == 0; "
        "assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_a_blank_image_gets_no_answer(tmp_path, capsys) -> None:
    blank = write_png(tmp_path / "blank.png", np.full((50, 50), 255, np.uint8))
    assert main(["predict", str(blank)]) == 1
    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert answer["empty"] is True and answer["digit"] is None
    assert "no ink" in captured.err


def test_probe_reports_every_layer(tiny_mnist_dir, tmp_path, capsys) -> None:
    out = tmp_path / "m.safetensors"
    assert train_tiny(tiny_mnist_dir, out, "--hidden", "8,4", "--lr", "1e-2") == 0
    capsys.readouterr()
    assert main(["probe", str(out), "--json", "--data-dir", str(tiny_mnist_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    layers = [row["layer"] for row in report["probes"]]
    assert layers == ["pixels", "hidden 1", "hidden 2", "output"]
    assert [row["features"] for row in report["probes"]] == [784, 8, 4, 10]
    assert all(0.0 <= row["test_accuracy"] <= 1.0 for row in report["probes"])
    assert main(["probe", str(out), "--data-dir", str(tiny_mnist_dir)]) == 0
    assert "hidden 2" in capsys.readouterr().out


def test_one_epoch_is_said_in_the_singular(tiny_mnist_dir, tmp_path, capsys) -> None:
    out = tmp_path / "m.safetensors"
    assert train_tiny(tiny_mnist_dir, out, "--hidden", "0", "--epochs", "1") == 0
    captured = capsys.readouterr()
    assert "batch 64, 1 epoch, seed 0" in captured.err and "after 1 epoch (" in captured.out
