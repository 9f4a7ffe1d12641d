"""Old torch model files: a file that claims more than it holds is refused before any copy; the
helper process that reads them in the window can die, hang or be abandoned, and none outlives
its parent."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from digitlab.core import legacy_checkpoint
from digitlab.core.checkpoint import FORMAT, load_checkpoint
from digitlab.core.errors import CheckpointError
from tests.core.legacy_helper_targets import die, hang

torch = pytest.importorskip("torch")
REPO = Path(__file__).resolve().parents[2]


def _save(path: Path, state: dict, hidden=(3,), meta=None) -> Path:
    spec = {"hidden": list(hidden), "activation": "relu", "num_classes": 10, "input_size": 784}
    payload = {"format": FORMAT, "version": 1, "spec": spec, "state_dict": state}
    torch.save({**payload, "meta": meta or {}}, path)
    return path


def _views_of_one_number(hidden: int) -> dict:
    one = torch.zeros(1)
    return {
        "layers.0.weight": one.expand(hidden, 784),
        "layers.0.bias": one.expand(hidden),
        "layers.1.weight": one.expand(10, hidden),
        "layers.1.bias": one.expand(10),
    }


def _good_state() -> dict:
    rng = np.random.default_rng(0)
    shapes = {"layers.0.weight": (3, 784), "layers.0.bias": (3,)}
    shapes |= {"layers.1.weight": (10, 3), "layers.1.bias": (10,)}
    return {
        k: torch.from_numpy(rng.normal(0, 0.1, s).astype(np.float32)) for k, s in shapes.items()
    }


def test_views_claiming_more_than_the_file_holds_are_refused_before_a_copy(tmp_path) -> None:
    path = _save(tmp_path / "bomb.pt", _views_of_one_number(3000), hidden=(3000,))
    assert path.stat().st_size < 4000
    with pytest.raises(CheckpointError, match="claim 2,385,010 numbers, but the file holds"):
        load_checkpoint(path)


def test_more_than_any_digitlab_model_is_refused_with_the_limit(tmp_path) -> None:
    path = _save(tmp_path / "bomb.pt", _views_of_one_number(100_000), hidden=(100_000,))
    with pytest.raises(CheckpointError, match="at most 50,000,000") as info:
        load_checkpoint(path)  # at once: 318 MB would be copied without the count
    assert "\n" not in str(info.value)


def test_objects_in_the_metadata_become_their_type_name(tmp_path) -> None:
    meta = {"test_accuracy": 0.5, "loss": float("nan"), "tensor": torch.zeros(2)}
    loaded = load_checkpoint(_save(tmp_path / "old.pt", _good_state(), meta=meta))
    assert loaded.meta["tensor"] == "<Tensor>" and loaded.meta["loss"] is None


def _laughs(levels: int = 9) -> list:
    """One list nested in itself ten times per level: a few KB pickled, 10**levels values."""
    laughs: list = [0] * 10
    for _ in range(levels):
        laughs = [laughs] * 10
    return laughs


@pytest.mark.parametrize("where", ["meta", "spec"])
def test_shared_nesting_in_the_metadata_is_refused_not_expanded(tmp_path, where) -> None:
    path = tmp_path / "laughs.pt"
    _save(path, _good_state(), meta={"notes": _laughs()})
    if where == "spec":
        payload = torch.load(path, weights_only=True)
        payload["spec"]["hidden"] = _laughs()
        torch.save(payload, path)
    assert path.stat().st_size < 100_000
    with pytest.raises(CheckpointError, match="hold over 100,000 values"):
        load_checkpoint(path)


def test_weights_of_another_type_are_named_by_their_type(tmp_path) -> None:
    state = {k: v.to(torch.bfloat16) for k, v in _good_state().items()}
    with pytest.raises(CheckpointError, match="bfloat16; digitlab models hold float32"):
        load_checkpoint(_save(tmp_path / "half.pt", state))


def test_a_torch_file_claiming_version_2_says_version_2_is_safetensors(tmp_path) -> None:
    path = _save(tmp_path / "v2.pt", _good_state())
    torch.save({**torch.load(path, weights_only=True), "version": 2}, path)
    with pytest.raises(CheckpointError, match="version 2 model files as safetensors"):
        load_checkpoint(path)


def test_code_in_a_torch_file_is_refused_in_one_short_line(tmp_path) -> None:
    torch.save({"format": FORMAT, "thing": threading.Thread}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(tmp_path / "evil.pt")
    message = str(info.value)
    assert "\x1b" not in message and "two options" not in message and "\n" not in message
    assert "threading.Thread" in message and len(message) < 200 + len(str(tmp_path))


def test_the_helper_process_reads_an_old_file(tmp_path) -> None:
    path = _save(tmp_path / "old.pt", _good_state(), meta={"test_accuracy": 0.25})
    spec, arrays, meta = legacy_checkpoint.read_in_helper(path)
    assert spec["hidden"] == [3] and meta == {"test_accuracy": 0.25}
    np.testing.assert_array_equal(arrays["layers.1.bias"], _good_state()["layers.1.bias"].numpy())
    assert not multiprocessing.active_children()


def test_a_killed_helper_is_one_line_not_a_wait(tmp_path) -> None:
    with pytest.raises(CheckpointError, match="ended without an answer .exit code -9"):
        legacy_checkpoint.read_in_helper(tmp_path / "old.pt", target=die)
    assert not multiprocessing.active_children()


def test_a_hanging_helper_is_stopped_at_the_timeout(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(legacy_checkpoint, "HELPER_TIMEOUT_S", 0.5)
    with pytest.raises(CheckpointError, match="took over 0.5 s"):
        legacy_checkpoint.read_in_helper(tmp_path / "old.pt", target=hang)
    assert not multiprocessing.active_children()


def test_exit_ends_a_helper_whose_caller_was_abandoned(tmp_path) -> None:
    """The window runs the atexit handlers and leaves while a load thread still waits."""
    errors: list[str] = []

    def load() -> None:
        try:
            legacy_checkpoint.read_in_helper(tmp_path / "old.pt", target=hang)
        except CheckpointError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not any(p.is_alive() for p in legacy_checkpoint._helpers):
        assert time.monotonic() < deadline, "the helper did not start"
        time.sleep(0.01)
    legacy_checkpoint._end_all_helpers()
    thread.join(10)
    assert not multiprocessing.active_children()
    assert errors and "without an answer" in errors[0]


def test_a_helper_ends_with_its_parent_even_when_the_parent_is_killed(tmp_path) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys, threading, time
        from digitlab.core import legacy_checkpoint
        from tests.core.legacy_helper_targets import hang
        threading.Thread(
            target=legacy_checkpoint.read_in_helper, args=({str(tmp_path)!r},),
            kwargs={{"target": hang}}, daemon=True,
        ).start()
        while not os.path.exists({str(tmp_path)!r} + ".hanging"):
            time.sleep(0.01)
        print(next(iter(legacy_checkpoint._helpers)).pid, flush=True)
        os.kill(os.getpid(), 9)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    helper = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while _running(helper):
        assert time.monotonic() < deadline, f"helper {helper} outlived its killed parent"
        time.sleep(0.02)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended (init reaps it)
