"""Options that name a folder (`experiment --out`, `robustness --png`): a file or a device there is
one line before any work, and a run that is stopped or fails leaves no empty folder behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digitlab.cli import main
from digitlab.core import experiments


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@pytest.fixture
def no_run(monkeypatch) -> list[str]:
    """The experiment itself is replaced: these tests are about the folder, not the work."""
    ran: list[str] = []

    def run(name, *args, **kwargs):
        ran.append(name)
        raise KeyboardInterrupt  # Ctrl+C in the middle of the run

    monkeypatch.setattr(experiments, "run_experiment", run)
    return ran


@pytest.mark.parametrize("kind", ["file", "device"])
def test_experiment_out_that_is_not_a_folder_is_one_line_before_the_run(
    tmp_path, capsys, no_run, kind
) -> None:
    target = tmp_path / "FILE" if kind == "file" else Path(os.devnull)
    if kind == "file":
        target.write_bytes(b"keep")
    code = main(["experiment", "run", "depth", "--quick", "--out", str(target)])
    line = _one_line(capsys.readouterr().err)
    assert code == 1 and no_run == []
    assert f"{target} is a" in line and "--out wants a folder" in line
    if kind == "file":
        assert target.read_bytes() == b"keep"


def test_an_interrupted_experiment_leaves_no_empty_folder(tmp_path, capsys, no_run) -> None:
    out = tmp_path / "results" / "depth"
    code = main(["experiment", "run", "depth", "--quick", "--out", str(out)])
    assert code == 130 and no_run == ["depth"]
    assert list(tmp_path.iterdir()) == []


def test_robustness_png_that_is_a_file_is_one_line_before_the_sweep(
    tmp_path, capsys, monkeypatch
) -> None:
    from digitlab.core import robustness

    def no_sweep(*args, **kwargs):
        raise AssertionError("the sweep ran although --png cannot take the figures")

    monkeypatch.setattr(robustness, "sweep", no_sweep)
    seven = tmp_path / "seven.png"
    seven.write_bytes(b"keep")
    code = main(["robustness", "linear", "--png", str(seven)])
    line = _one_line(capsys.readouterr().err)
    assert code == 1 and "seven.png is a file; --png wants a folder" in line
    assert seven.read_bytes() == b"keep"
