"""MLP shapes, checkpoints that round-trip, and clear errors for bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from digitlab.core import model as model_module
from digitlab.core.errors import CheckpointError
from digitlab.core.model import (
    MLP,
    ModelSpec,
    load_arrays,
    load_checkpoint,
    model_arrays,
    model_from_arrays,
    new_model,
    save_checkpoint,
)


@pytest.mark.parametrize(
    ("hidden", "parameters"),
    [((), 784 * 10 + 10), ((100,), 784 * 100 + 100 + 100 * 10 + 10), ((2, 2), 1570 + 6 + 30)],
)
def test_spec_builds_the_right_layers(hidden, parameters) -> None:
    net = MLP(ModelSpec(hidden=hidden))
    assert sum(p.numel() for p in net.parameters()) == parameters
    assert net(torch.rand(5, 28, 28)).shape == (5, 10)
    activations = net.activations(torch.rand(5, 784))
    assert [a.shape[1] for a in activations] == [*hidden, 10]


def test_probabilities_sum_to_one() -> None:
    probs = new_model(ModelSpec(hidden=(8,), num_classes=3), seed=0).probabilities(
        torch.rand(4, 784)
    )
    assert probs.shape == (4, 3)
    assert torch.allclose(probs.sum(1), torch.ones(4))


def test_seeded_models_are_identical_and_leave_global_rng_alone() -> None:
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a, b = new_model(ModelSpec(hidden=(5,)), seed=7), new_model(ModelSpec(hidden=(5,)), seed=7)
    assert torch.equal(torch.rand(1), expected_next)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize("bad", [dict(activation="swish"), dict(hidden=(0,)), dict(num_classes=1)])
def test_bad_specs_are_rejected(bad) -> None:
    with pytest.raises(ValueError):
        ModelSpec(**bad)


def test_checkpoint_round_trip(tmp_path: Path) -> None:
    net = new_model(ModelSpec(hidden=(16,), activation="tanh", num_classes=3), seed=1)
    path = save_checkpoint(tmp_path / "sub" / "m.pt", net, {"classes": [3, 5, 8], "epochs": 2})
    loaded = load_checkpoint(path)
    assert loaded.model.spec == net.spec
    assert loaded.classes == (3, 5, 8)
    assert loaded.meta["epochs"] == 2 and "date" in loaded.meta
    x = torch.rand(6, 784)
    assert torch.equal(loaded.model(x), net(x))
    assert not list(path.parent.glob("*.tmp"))


def test_save_never_leaves_a_half_written_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "m.pt"
    good = new_model(ModelSpec(), seed=0)
    save_checkpoint(path, good, {})
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(model_module.torch, "save", crash)
    with pytest.raises(OSError):
        save_checkpoint(path, new_model(ModelSpec(), seed=1), {})
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no such model file"):
        load_checkpoint(tmp_path / "nope.pt")


def test_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    save_checkpoint(path, new_model(ModelSpec(), seed=0), {})
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(CheckpointError, match="not a digitlab model file"):
        load_checkpoint(path)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(CheckpointError):
        load_checkpoint(path)


def test_foreign_torch_file(tmp_path: Path) -> None:
    path = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, path)
    with pytest.raises(CheckpointError, match="not a digitlab model file"):
        load_checkpoint(path)


def test_pickled_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.pt"
    torch.save({"format": "digitlab-checkpoint", "thing": zipfile.ZipFile}, path)
    with pytest.raises(CheckpointError):
        load_checkpoint(path)


def test_future_version_is_refused(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "m.pt", new_model(ModelSpec(), seed=0), {})
    _rewrite(path, lambda p: p.__setitem__("version", 99))
    with pytest.raises(CheckpointError, match="version 99"):
        load_checkpoint(path)


def test_damaged_state_dict(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "m.pt", new_model(ModelSpec(), seed=0), {})
    _rewrite(path, lambda p: p["spec"].__setitem__("hidden", [50]))
    with pytest.raises(CheckpointError, match="damaged"):
        load_checkpoint(path)


def test_model_from_snapshot_arrays() -> None:
    net = new_model(ModelSpec(hidden=(4,)), seed=0)
    weights, biases = model_arrays(net)
    rebuilt = model_from_arrays(net.spec, weights, biases)
    x = torch.rand(2, 784)
    assert torch.equal(rebuilt(x), net(x))
    weights[0][:] = 0
    load_arrays(rebuilt, weights, biases)
    assert float(rebuilt.layers[0].weight.detach().abs().sum()) == 0
    with pytest.raises(ValueError):
        load_arrays(rebuilt, weights[:1], biases)


def _rewrite(path: Path, change) -> None:
    payload = torch.load(path, weights_only=True)
    change(payload)
    torch.save(payload, path)


def test_a_model_for_other_inputs_is_refused(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "m.pt", new_model(ModelSpec(input_size=100)), {})
    with pytest.raises(CheckpointError, match="100 inputs"):
        load_checkpoint(path)


def test_classes_must_match_the_outputs(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "m.pt", new_model(ModelSpec()), {"classes": [0, 1]})
    with pytest.raises(CheckpointError, match="10 outputs"):
        load_checkpoint(path)


def test_non_finite_weights_are_refused(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "m.pt", new_model(ModelSpec()), {})
    _rewrite(path, lambda p: p["state_dict"]["layers.0.weight"].fill_(float("nan")))
    with pytest.raises(CheckpointError, match="NaN"):
        load_checkpoint(path)
