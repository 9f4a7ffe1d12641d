"""Hostile input on the command line: one line on stderr, a non-zero exit, nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from digitlab.cli import main
from digitlab.core import memory
from tests.conftest import REPO
from tests.core.test_cli import train_tiny, write_png


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_a_net_too_big_for_memory_is_refused_before_loading_data(tmp_path, capsys) -> None:
    out = tmp_path / "big.safetensors"
    missing = tmp_path / "no-data-here"
    code = main(["--data-dir", str(missing), "train", "--hidden", "10000000", "--out", str(out)])
    assert code == 1 and not out.exists()
    line = one_line(capsys.readouterr().err)
    assert "784→10000000→10" in line and "GB of memory" in line and "fewer" in line


def test_an_allocation_that_fails_anyway_gets_the_same_line(monkeypatch) -> None:
    from digitlab.core import model
    from digitlab.core.network import ModelSpec

    def refuse(self, spec):
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 8")

    monkeypatch.setattr(model.MLP, "__init__", refuse)
    with pytest.raises(memory.NotEnoughMemory, match="784→50→10 relu net has 39,760 weights"):
        model.new_model(ModelSpec((50,)), seed=0)


def test_ctrl_c_during_the_final_save_writes_nothing(tiny_mnist_dir, tmp_path, capsys, monkeypatch):
    from digitlab.core import checkpoint

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "save_checkpoint", interrupted)
    out = tmp_path / "m.safetensors"
    assert train_tiny(tiny_mnist_dir, out, "--hidden", "0") == 130
    assert "interrupted while saving" in capsys.readouterr().err
    assert list(tmp_path.glob("*.safetensors")) == [] and list(tmp_path.glob(".*")) == []


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("predict", "digitlab.core.images.read_image"),
        ("evaluate", "digitlab.core.data.load_dataset"),
    ],
)
def test_ctrl_c_in_predict_or_evaluate_is_one_line(tmp_path, capsys, monkeypatch, command, target):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(target, interrupted)
    image = write_png(tmp_path / "x.png", np.zeros((28, 28), np.uint8))
    argument = str(image) if command == "predict" else str(REPO / "models" / "linear.safetensors")
    assert main([command, argument]) == 130
    assert one_line(capsys.readouterr().err) == f"digitlab {command}: interrupted"


def test_a_real_ctrl_c_while_training_ends_cleanly(tiny_mnist_dir, tmp_path) -> None:
    out = tmp_path / "m.safetensors"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = ["--data-dir", str(tiny_mnist_dir), "train", "--epochs", "1000", "--out", str(out)]
    # As from a terminal: Ctrl+C's default action. A test run started in the background (`&` in a
    # script) passes SIGINT on ignored, and Python then rightly ignores it too.
    process = subprocess.Popen(
        [sys.executable, "-m", "digitlab", *args], stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert process.stderr is not None
    first = process.stderr.readline()  # "training 784→100→10 … " once the loop starts
    assert first.startswith("training"), first
    # Once an epoch has ended the loop runs: torch's lazy imports of its first steps are over (a
    # signal inside one of them can abort the process in torch's own bindings).
    epoch = process.stderr.readline()
    assert epoch.startswith("epoch 1/"), epoch
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    assert process.wait(timeout=30) == 130, rest[-2000:]  # what it said, if it died otherwise
    assert "Traceback" not in rest and rest.strip().endswith("interrupted; no model written")
    assert not out.exists()


def test_output_that_is_not_a_regular_file_is_refused_before_training(
    tiny_mnist_dir, tmp_path, capsys, monkeypatch
) -> None:
    from digitlab.core import data

    def no_data(*args, **kwargs):
        raise AssertionError("the data was loaded: the output should be refused before")

    monkeypatch.setattr(data, "load_dataset", no_data)  # refused up front, not after training
    fifo, link = tmp_path / "fifo", tmp_path / "link"
    os.mkfifo(fifo)
    (tmp_path / "kept").write_text("kept")
    link.symlink_to(tmp_path / "kept")
    for target, message in ((fifo, "not a regular file"), (link, "symbolic link")):
        assert train_tiny(tiny_mnist_dir, target, "--epochs", "50") == 1
        assert message in one_line(capsys.readouterr().err)
    assert fifo.is_fifo() and link.is_symlink() and (tmp_path / "kept").read_text() == "kept"


def test_predict_refuses_a_fifo_without_hanging(tmp_path, capsys) -> None:
    os.mkfifo(tmp_path / "f.png")
    assert main(["predict", str(tmp_path / "f.png")]) == 1
    err = capsys.readouterr().err
    assert "is not an image file" in err and "Traceback" not in err


def test_a_closed_pipe_ends_predict_quietly(tmp_path) -> None:
    images = [
        str(write_png(tmp_path / f"{i}.png", np.zeros((28, 28), np.uint8))) for i in range(200)
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "digitlab", "predict", *images],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdout.readline()  # `| head -1`
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1 and b"Traceback" not in err and b"Broken pipe" not in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_under_stdout_is_one_line() -> None:
    model = str(REPO / "models" / "linear.safetensors")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "digitlab",
                "predict",
                "--model",
                model,
                str(REPO / "assets" / "screenshot.png"),
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert result.returncode == 1
    assert (
        one_line(result.stderr)
        == "digitlab predict: cannot write the output: No space left on device"
    )


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_data_dir_that_is_a_file_is_named(tmp_path, capsys, where) -> None:
    (tmp_path / "data").write_text("not a folder")
    option = ["--data-dir", str(tmp_path / "data")]
    model = str(REPO / "models" / "linear.safetensors")
    argv = [*option, "evaluate", model] if where == "before" else ["evaluate", model, *option]
    assert main(argv) == 1
    line = one_line(capsys.readouterr().err)
    assert f"{tmp_path / 'data'} is a file" in line and "--data-dir" in line


def test_a_screenshot_needs_a_picture_name(tmp_path, capsys) -> None:
    assert main(["screenshot", str(tmp_path / "shot.txt"), "--no-train"]) == 1
    assert "ending in .png" in one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_the_views_are_listed_without_a_picture_name_which_is_otherwise_asked_for(capsys) -> None:
    assert main(["screenshot", "--list-views"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert {"pad", "units", "evidence", "bottleneck", "probes"} <= set(listed)
    assert main(["screenshot", "--no-train"]) == 2  # a bad argument
    assert "give the picture file" in one_line(capsys.readouterr().err)


def test_each_problem_is_one_line_whatever_the_file_name_or_its_length(tmp_path, capsys) -> None:
    assert main(["predict", str(tmp_path / "a\nb.png")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "a b.png: no such file" in lines[0] and "of 1 file" in lines[1]
    long_out = str(tmp_path / ("x/" * 2600)) + "m.safetensors"
    assert main(["train", "--epochs", "1", "--out", long_out]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) <= 1001


def test_a_run_file_and_a_model_given_for_each_other_are_named(tiny_mnist_dir, tmp_path, capsys):
    model, run = tmp_path / "m.safetensors", tmp_path / "run.safetensors"
    assert train_tiny(tiny_mnist_dir, model, "--hidden", "0", "--history", str(run)) == 0
    capsys.readouterr()
    assert main(["evaluate", str(run)]) == 1
    assert "it is a run's history, for digitlab record" in one_line(capsys.readouterr().err)
    assert main(["record", str(model), "--view", "curves", "--out", str(tmp_path / "a.gif")]) == 1
    assert "is a digitlab model, not a run file" in one_line(capsys.readouterr().err)
