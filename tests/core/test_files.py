"""Output paths: only regular files (or new paths) are written, atomically, leaving no debris."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digitlab.core import files
from digitlab.core.files import OutputError, check_output_path, write_atomically
from tests.conftest import REPO


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
    leftover = tmp_path / ".m.bin.abc12_34.tmp"
    leftover.write_bytes(b"")  # what a SIGKILL during a save leaves
    unrelated = tmp_path / ".other.bin.abc12_34.tmp"
    users_own = tmp_path / ".m.bin.old.tmp"  # not a name mkstemp makes: the user's file
    for kept in (unrelated, users_own):
        kept.write_bytes(b"kept")
    write_atomically(target, b"data")
    assert not leftover.exists() and unrelated.exists() and users_own.read_bytes() == b"kept"


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


SLOW_WRITER = """
import os, sys, time
from pathlib import Path
from digitlab.core import files
flag = Path(sys.argv[2])
real_fsync = os.fsync
def slow_fsync(fd):  # a save that takes long: it waits for the test to let it finish
    deadline = time.monotonic() + 60
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    real_fsync(fd)
files.os.fsync = slow_fsync
files.write_atomically(sys.argv[1], b"A" * 100_000)
"""


def _wait_for(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_two_runs_saving_to_one_path_both_succeed_and_the_last_wins(tmp_path: Path) -> None:
    target, flag = tmp_path / "m.bin", tmp_path / "go"
    slow = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target), str(flag)],
        cwd=REPO, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: any(tmp_path.glob(".m.bin.*.tmp")), "the slow save to start")
        write_atomically(target, b"B")  # run B saves while run A is still writing
        assert target.read_bytes() == b"B"
        assert any(tmp_path.glob(f".m.bin.{slow.pid}.*.tmp")), "B removed A's file in progress"
        flag.touch()
        _, err = slow.communicate(timeout=60)
    finally:
        slow.kill()
        slow.wait()
    assert slow.returncode == 0, err
    assert target.read_bytes() == b"A" * 100_000  # the last save wins, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["go", "m.bin"]


def test_only_leftovers_of_writers_that_are_gone_or_stale_are_removed(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f".m.bin.{gone.pid}.abcd1234.tmp"
    live = tmp_path / f".m.bin.{os.getpid()}.def_5678.tmp"
    stale = tmp_path / f".m.bin.{os.getpid()}.ghi90123.tmp"
    huge = tmp_path / ".m.bin.99999999999999999999999.jkl45678.tmp"
    other = tmp_path / f".m.bin.x.{os.getpid()}.mno12345.tmp"  # a temporary file of "m.bin.x"
    for leftover in (dead, live, stale, huge, other):
        leftover.write_bytes(b"")
    old = time.time() - files.STALE_SECONDS - 60
    os.utime(stale, (old, old))
    write_atomically(tmp_path / "m.bin", b"data")
    assert live.exists() and other.exists()
    assert not dead.exists() and not stale.exists() and not huge.exists()


@pytest.mark.parametrize("text", ["o/slashdir/", "slashdir/"])
def test_a_path_ending_in_a_slash_names_a_folder_and_is_refused(
    tmp_path, monkeypatch, text
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match="ends in '/', so it names a folder"):
        check_output_path(text)
    with pytest.raises(OutputError, match="names a folder"):
        write_atomically(text, b"data")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_removes_the_folders_it_made_and_keeps_others(
    tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "keep").write_bytes(b"x")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(OutputError, match="No space left"):
        write_atomically(tmp_path / "runs" / "today" / "deeper" / "m.bin", b"data")
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["keep"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"x"), "is a file; --png wants a folder"),
        (lambda p: os.mkfifo(p), "is a device, pipe or socket; --png wants a folder"),
    ],
    ids=["file", "fifo"],
)
def test_a_folder_option_refuses_what_is_not_a_folder(tmp_path: Path, make, message) -> None:
    target = tmp_path / "seven.png"
    make(target)
    with pytest.raises(OutputError, match=message):
        files.check_output_folder(target, "--png")
    with pytest.raises(OutputError, match="x is a file, not a folder"):
        (tmp_path / "x").write_bytes(b"")
        files.check_output_folder(tmp_path / "x" / "figures", "--png")


def test_a_folder_option_makes_no_folder_when_checking(tmp_path: Path) -> None:
    assert files.check_output_folder(tmp_path / "a" / "b", "--out") == tmp_path / "a" / "b"
    assert list(tmp_path.iterdir()) == []
