"""Output paths: only regular files (or new paths) are written, atomically, leaving no debris."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from digitlab.core import files
from digitlab.core.files import OutputError, check_output_path, write_atomically


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.symlink_to(p.with_name("real")), "symbolic link"),
    ],
    ids=["folder", "fifo", "symlink"],
)
def test_anything_but_a_regular_file_is_refused_and_kept(tmp_path: Path, make, message) -> None:
    (tmp_path / "real").write_bytes(b"keep me")
    target = tmp_path / "out"
    make(target)
    before = target.lstat()
    with pytest.raises(OutputError, match=message):
        write_atomically(target, b"data")
    after = target.lstat()
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert (tmp_path / "real").read_bytes() == b"keep me"


def test_a_device_is_refused_before_any_work() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with pytest.raises(OutputError, match="not a regular file"):
        check_output_path("/dev/full")  # checks only: nothing is written


def test_a_write_replaces_the_file_with_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "m.bin"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["m.bin"]


def test_leftovers_of_an_interrupted_write_are_cleaned_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "m.bin"
    leftover = tmp_path / ".m.bin.abc123.tmp"
    leftover.write_bytes(b"")  # what a SIGKILL during a save leaves
    unrelated = tmp_path / ".other.bin.abc123.tmp"
    unrelated.write_bytes(b"")
    write_atomically(target, b"data")
    assert not leftover.exists() and unrelated.exists()


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_or_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch, failure
) -> None:
    target = tmp_path / "m.bin"
    target.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OutputError if isinstance(failure, OSError) else KeyboardInterrupt):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.bin"]


def test_checking_makes_no_folder_and_writing_does(tmp_path: Path) -> None:
    target = tmp_path / "runs" / "today" / "m.bin"
    check_output_path(target)
    assert not (tmp_path / "runs").exists()  # a run that fails later leaves no empty folder
    write_atomically(target, b"data")
    assert target.read_bytes() == b"data"


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OutputError, match="a-file is a file, not a folder"):
        check_output_path(tmp_path / "a-file" / "deeper" / "m.bin")
