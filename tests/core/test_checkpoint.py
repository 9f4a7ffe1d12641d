"""Model files round-trip, old torch files still open, and every bad file gets one clear line."""

from __future__ import annotations

import json
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from digitlab.core import files as files_module
from digitlab.core.checkpoint import FORMAT, load_checkpoint, percent_text, save_checkpoint
from digitlab.core.errors import CheckpointError
from digitlab.core.network import ModelSpec, Network


def make_network(hidden=(4,), num_classes=10, seed=0, activation="relu") -> Network:
    spec = ModelSpec(hidden=hidden, num_classes=num_classes, activation=activation)
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=shape).astype(np.float32) for shape in spec.layer_shapes]
    biases = [rng.normal(size=shape[0]).astype(np.float32) for shape in spec.layer_shapes]
    return Network.from_arrays(spec, weights, biases)


def test_round_trip(tmp_path: Path) -> None:
    network = make_network(hidden=(16,), num_classes=3, activation="tanh")
    path = save_checkpoint(tmp_path / "sub" / "m.safetensors", network, {"classes": [3, 5, 8]})
    loaded = load_checkpoint(path)
    assert loaded.spec == network.spec
    assert loaded.classes == (3, 5, 8)
    assert "date" in loaded.meta and loaded.dataset == "mnist"
    assert all(np.array_equal(a, b) for a, b in zip(loaded.network.weights, network.weights))
    assert not [p for p in path.parent.iterdir() if p != path]  # no temporary file left


def test_metadata_is_strict_json(tmp_path: Path) -> None:
    path = save_checkpoint(
        tmp_path / "m.safetensors",
        make_network(),
        {"test_accuracy": 0.5, "loss": float("nan"), "shape": (1, 2), "n": np.int64(3)},
    )
    meta = load_checkpoint(path).meta
    assert meta["loss"] is None and meta["shape"] == [1, 2] and meta["n"] == 3
    assert load_checkpoint(path).describe() == "784→4→10 relu · test 50.0\u00a0%"


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    path = save_checkpoint(tmp_path / "m.safetensors", make_network(seed=1), {})
    before = path.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "fsync", full_disk)
    with pytest.raises(files_module.OutputError, match="No space left"):
        save_checkpoint(path, make_network(seed=2), {})
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_legacy_torch_files_still_load(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    network = make_network(hidden=(3,))
    state = {}
    for i, (w, b) in enumerate(zip(network.weights, network.biases)):
        state[f"layers.{i}.weight"] = torch.from_numpy(w.copy())
        state[f"layers.{i}.bias"] = torch.from_numpy(b.copy())
    payload = {
        "format": FORMAT,
        "version": 1,
        "spec": {"hidden": [3], "activation": "relu", "num_classes": 10, "input_size": 784},
        "state_dict": state,
        "meta": {"dataset": "mnist", "test_accuracy": 0.9},
    }
    torch.save(payload, tmp_path / "old.pt")
    loaded = load_checkpoint(tmp_path / "old.pt")
    assert loaded.test_accuracy == 0.9
    assert np.array_equal(loaded.network.weights[1], network.weights[1])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no such model file"):
        load_checkpoint(tmp_path / "nope.safetensors")


def test_a_folder_or_a_pipe_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="not a model file"):
        load_checkpoint(tmp_path)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(CheckpointError, match="not a model file"):
        load_checkpoint(tmp_path / "fifo")  # must not hang


@pytest.mark.parametrize(
    "content",
    [b"", b"hello", np.random.default_rng(0).bytes(2000), b"PK\x03\x04garbage"],
    ids=["empty", "text", "random", "broken-zip"],
)
def test_garbage_is_not_a_model(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="is not a digitlab model") as info:
        load_checkpoint(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_truncated_file(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "m.safetensors", make_network(), {})
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(CheckpointError, match="not a digitlab model"):
        load_checkpoint(path)


def test_a_foreign_torch_file_gets_one_line_without_torch_advice(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "foreign.pt")
    torch.save({"format": FORMAT, "thing": zipfile.ZipFile}, tmp_path / "evil.pt")
    for name in ("foreign.pt", "evil.pt"):
        with pytest.raises(CheckpointError, match="is not a digitlab model") as info:
            load_checkpoint(tmp_path / name)
        message = str(info.value)
        assert "\n" not in message and "weights_only=False" not in message


def _write_raw(path: Path, tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> Path:
    """A safetensors file with exactly these tensors and metadata (no checks on our side)."""
    header: dict = {"__metadata__": metadata}
    offset, blobs = 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        dtype = {"float32": "F32", "int64": "I64", "float64": "F64"}[str(array.dtype)]
        header[name] = {
            "dtype": dtype,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return path


def _good_parts(network: Network, **meta) -> tuple[dict, dict]:
    tensors = {}
    for i, (w, b) in enumerate(zip(network.weights, network.biases)):
        tensors[f"layers.{i}.weight"], tensors[f"layers.{i}.bias"] = w, b
    spec = {
        "hidden": list(network.spec.hidden),
        "activation": "relu",
        "num_classes": 10,
        "input_size": 784,
    }
    header = {"format": FORMAT, "version": "2", "spec": json.dumps(spec), "meta": json.dumps(meta)}
    return tensors, header


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t, h: h.update(version="99"), "version 99"),
        (lambda t, h: h.pop("format"), "not a digitlab model"),
        (lambda t, h: h.update(spec='{"hidden": [50]}'), "expected \\(50, 784\\)"),
        (lambda t, h: h.update(spec='{"hidden": ["a"]}'), "damaged"),
        (lambda t, h: h.update(spec="[1, 2]"), "damaged"),
        (lambda t, h: h.update(spec="{not json"), "damaged"),
        (lambda t, h: h.update(spec='{"input_size": 100, "hidden": [4]}'), "100 inputs"),
        (lambda t, h: h.update(meta="[1, 2]"), "metadata is not a mapping"),
        (lambda t, h: h.update(meta="[" * 100_000 + "]" * 100_000), "damaged"),
        (lambda t, h: h.update(meta='{"classes": [0, 1]}'), "10 outputs"),
        (
            lambda t, h: h.update(meta='{"classes": [true, false, 2, 3, 4, 5, 6, 7, 8, 9]}'),
            "classes",
        ),
        (lambda t, h: h.update(meta='{"classes": [0, 0, 2, 3, 4, 5, 6, 7, 8, 9]}'), "classes"),
        (lambda t, h: h.update(meta='{"dataset": ["mnist"]}'), "unknown dataset"),
        (lambda t, h: h.update(meta='{"test_accuracy": NaN}'), "test accuracy"),
        (
            lambda t, h: t.update({"layers.0.weight": t["layers.0.weight"].astype(np.int64)}),
            "int64",
        ),
        (lambda t, h: t.update({"layers.0.bias": np.full(4, np.nan, np.float32)}), "NaN"),
        (lambda t, h: t.pop("layers.1.bias"), "do not fit"),
    ],
    ids=lambda value: None if callable(value) else value,
)
def test_each_damage_is_named(tmp_path: Path, change, message: str) -> None:
    tensors, header = _good_parts(make_network())
    change(tensors, header)
    path = _write_raw(tmp_path / "m.safetensors", tensors, header)
    with pytest.raises(CheckpointError, match=message) as info:
        load_checkpoint(path)
    assert "\n" not in str(info.value)


def test_the_untouched_parts_load(tmp_path: Path) -> None:
    tensors, header = _good_parts(make_network())
    assert load_checkpoint(_write_raw(tmp_path / "m.safetensors", tensors, header)).spec.hidden == (
        4,
    )


@pytest.mark.parametrize("value", [1e5, 1e30, 1e38])
def test_weights_no_training_gives_are_refused_with_the_bound(tmp_path: Path, value) -> None:
    tensors, header = _good_parts(make_network())
    tensors["layers.0.weight"] = np.full((4, 784), value, np.float32)
    with pytest.raises(CheckpointError, match="out of range .* far below 10000") as info:
        load_checkpoint(_write_raw(tmp_path / "m.safetensors", tensors, header))
    assert "\n" not in str(info.value) and "layers.0.weight" in str(info.value)


def test_a_deep_net_whose_outputs_overflow_is_refused(tmp_path: Path) -> None:
    network = make_network(hidden=(64,) * 9)
    tensors, header = _good_parts(network)
    for name in tensors:
        tensors[name] = np.full_like(tensors[name], 9000.0)  # within the bound, yet 1e38 × …
    with pytest.raises(CheckpointError, match="outputs overflow"):
        load_checkpoint(_write_raw(tmp_path / "m.safetensors", tensors, header))


def test_non_finite_metadata_becomes_null(tmp_path: Path) -> None:
    tensors, header = _good_parts(make_network())
    header["meta"] = '{"loss": NaN, "curve": [1.0, Infinity, -Infinity], "n": 1e999}'
    meta = load_checkpoint(_write_raw(tmp_path / "m.safetensors", tensors, header)).meta
    assert meta["loss"] is None and meta["curve"] == [1.0, None, None] and meta["n"] is None
    json.dumps(meta, allow_nan=False)


def test_a_spec_of_200000_layers_gives_a_short_line(tmp_path: Path) -> None:
    tensors, header = _good_parts(make_network())
    header["spec"] = json.dumps({"hidden": [1] * 200_000})
    with pytest.raises(CheckpointError, match="do not fit") as info:
        load_checkpoint(_write_raw(tmp_path / "m.safetensors", tensors, header))
    assert len(str(info.value)) <= 300 + len(str(tmp_path / "m.safetensors"))


def test_an_unreadable_file_is_one_line(tmp_path: Path, monkeypatch) -> None:
    """As a non-root user a mode-000 file fails to open (the tests may run as root)."""
    from digitlab.core import checkpoint

    path = save_checkpoint(tmp_path / "m.safetensors", make_network(), {})

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(checkpoint, "open", refuse, raising=False)
    with pytest.raises(CheckpointError, match="cannot read .*m.safetensors: Permission denied"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    ("accuracy", "shown"),
    [(0.9995, "99.9"), (0.99999, "99.9"), (1.0, "100.0"), (0.97949, "97.9"), (0.0, "0.0")],
)
def test_an_accuracy_reads_100_percent_only_when_it_is(tmp_path: Path, accuracy, shown) -> None:
    assert percent_text(accuracy) == f"{shown}\u00a0%"
    path = save_checkpoint(tmp_path / "m.safetensors", make_network(), {"test_accuracy": accuracy})
    assert load_checkpoint(path).describe() == f"784→4→10 relu · test {shown}\u00a0%"
