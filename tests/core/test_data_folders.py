"""A data folder that cannot serve: a folder, FIFO or broken link where a file should be, a folder
that cannot hold a download, a dataset that is absent. Each is one line and no download attempt
where one cannot help."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digitlab.cli import main
from digitlab.core import data
from digitlab.core.checkpoint import save_checkpoint
from digitlab.core.data import DataError, load_dataset
from tests.conftest import random_network, write_mnist_files


@pytest.fixture
def no_download(monkeypatch):
    """Fail the test if anything tries to download."""

    def refuse(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(data, "download", refuse)


def _replace_with(path: Path, kind: str) -> None:
    path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "broken link":
        path.symlink_to(path.parent / "nowhere")
    else:  # a link loop
        path.symlink_to(path)


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("folder", "a folder"),
        ("fifo", "a FIFO"),
        ("broken link", "a link that leads nowhere"),
        ("loop", "a link that leads nowhere"),
    ],
)
def test_a_data_file_that_is_not_a_file_is_named_without_a_download(
    tiny_mnist_dir, no_download, kind, said
) -> None:
    target = tiny_mnist_dir / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    _replace_with(target, kind)
    with pytest.raises(DataError) as info:
        load_dataset("mnist", root=tiny_mnist_dir)  # downloading allowed, but not tried
    message = str(info.value)
    assert message.startswith(f"{target} is {said}") and "remove it" in message
    assert "\n" not in message


def test_a_raw_folder_that_is_a_file_is_named(tmp_path, no_download) -> None:
    (tmp_path / "MNIST").mkdir()
    (tmp_path / "MNIST" / "raw").write_text("not a folder")
    with pytest.raises(DataError, match=r"MNIST/raw is a file; point --data-dir"):
        load_dataset("mnist", root=tmp_path)


def test_no_download_into_a_folder_that_cannot_be_written(tmp_path, no_download, monkeypatch):
    monkeypatch.setattr(data.os, "access", lambda path, mode: False)  # root may write anywhere
    with pytest.raises(DataError, match="cannot download: .* is not writable") as info:
        load_dataset("kmnist", root=tmp_path)
    assert str(info.value).startswith("KMNIST is missing: put train-images-idx3-ubyte")
    assert list(tmp_path.iterdir()) == []


def fashion_model(path: Path) -> Path:
    return save_checkpoint(path, random_network(hidden=()), {"dataset": "fashion"})


@pytest.mark.parametrize("command", ["evaluate", "robustness"])
def test_a_fashion_model_without_fashion_is_one_line(tmp_path, capsys, monkeypatch, command):
    from torchvision import datasets

    # Port 9 on loopback: refused at once, as an offline machine would.
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    root = write_mnist_files(tmp_path / "data")  # MNIST is there, Fashion-MNIST is not
    model = fashion_model(tmp_path / "fashion.safetensors")
    assert main(["--data-dir", str(root), command, str(model)]) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err  # no "Downloading …" line before the failure
    assert lines[0].startswith(f"digitlab {command}: Fashion-MNIST is missing")
    assert "the download failed" in lines[0] and captured.out == ""


def test_robustness_sweeps_the_models_own_dataset(tmp_path, capsys) -> None:
    root = tmp_path / "data"
    write_mnist_files(root)
    (root / "MNIST").rename(root / "FashionMNIST")  # only Fashion-MNIST, no MNIST digits
    model = fashion_model(tmp_path / "fashion.safetensors")
    args = ["--data-dir", str(root), "robustness", str(model), "--kinds", "noise", "--quiet"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("accuracy % on the Fashion-MNIST test set (128 images)")
    assert "6 conditions × 2 settings × 128 images" in out


def test_robustness_refuses_models_of_different_datasets(tmp_path, capsys) -> None:
    model = fashion_model(tmp_path / "fashion.safetensors")
    assert main(["robustness", str(model), "linear", "--kinds", "noise"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "fashion on Fashion-MNIST, linear on MNIST" in err and "separately" in err
