"""Run files: a run's snapshots, curves and settings round-trip exactly; a damaged, foreign or
hostile file is one line that names it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digitlab.core.checkpoint import save_checkpoint
from digitlab.core.network import ModelSpec, Network
from digitlab.core.run_file import RunFile, RunFileError, RunMoment, load_run, save_run

SPEC = ModelSpec(hidden=(5,), num_classes=3)


def moment(i: int, rng: np.random.Generator, test: float | None = None) -> RunMoment:
    weights = [rng.standard_normal(s).astype(np.float32) for s in SPEC.layer_shapes]
    biases = [rng.standard_normal(s[0]).astype(np.float32) for s in SPEC.layer_shapes]
    return RunMoment(step=10 * i, samples=640 * i, epoch=i / 4, loss=2.0 / (i + 1),
                     accuracy=0.3 + 0.1 * i, test_accuracy=test, epoch_end=test is not None,
                     network=Network.from_arrays(SPEC, weights, biases))  # fmt: skip


@pytest.fixture
def run() -> RunFile:
    rng = np.random.default_rng(0)
    moments = tuple(moment(i, rng, 0.5 + i / 10 if i % 4 == 3 else None) for i in range(8))
    train = np.array([[m.epoch, m.loss, m.accuracy] for m in moments])
    return RunFile(SPEC, (0, 1, 7), moments, {"lr": 0.01, "hidden": "5"}, train,
                   np.array([[1.0, 0.8], [2.0, 0.9]]))  # fmt: skip


def test_a_run_round_trips_exactly(run, tmp_path) -> None:
    back = load_run(save_run(tmp_path / "run.safetensors", run))
    assert back.spec == SPEC and back.classes == (0, 1, 7) and back.settings == run.settings
    assert len(back.moments) == 8
    for a, b in zip(run.moments, back.moments):
        assert (a.step, a.samples, a.epoch, a.loss, a.accuracy, a.test_accuracy, a.epoch_end) == (
            b.step,
            b.samples,
            b.epoch,
            b.loss,
            b.accuracy,
            b.test_accuracy,
            b.epoch_end,
        )
        for x, y in zip((*a.network.weights, *a.network.biases),
                        (*b.network.weights, *b.network.biases)):  # fmt: skip
            np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(back.train_curve, run.train_curve)
    np.testing.assert_array_equal(back.test_curve, run.test_curve)


def test_an_empty_run_is_refused_before_writing(tmp_path) -> None:
    with pytest.raises(RunFileError, match="no snapshot"):
        save_run(tmp_path / "r.safetensors", RunFile(SPEC, (0, 1, 2), ()))
    assert list(tmp_path.iterdir()) == []


def rewrite(path, change) -> None:
    """Re-save a run file with its tensors or header changed by `change(tensors, header)`."""
    from safetensors import safe_open
    from safetensors.numpy import save

    with safe_open(str(path), framework="np") as handle:
        header = dict(handle.metadata())
        tensors = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
    change(tensors, header)
    path.write_bytes(save(tensors, metadata=header))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t, h: h.update(version="99"), "another digitlab version"),
        (lambda t, h: h.update(spec="{"), "damaged"),
        (
            lambda t, h: h.update(
                spec=json.dumps({"hidden": [-1], "activation": "relu", "num_classes": 3})
            ),
            "damaged",
        ),  # fmt: skip
        (lambda t, h: h.update(classes="[0, 1]"), "classes do not match"),
        (lambda t, h: t.pop("weights.1"), "weights are missing"),
        (lambda t, h: t.update({"weights.0": t["weights.0"][:, :4]}), "layer 0 is"),
        (lambda t, h: t["biases.1"].__setitem__((0, 0), np.nan), "not numbers"),
        (lambda t, h: t.pop("loss"), "no loss"),
        (lambda t, h: t.update(step=t["step"][:3]), "disagree"),
        (lambda t, h: t.update(train=np.zeros((4, 5))), "curves"),
    ],
)
def test_a_damaged_run_file_is_one_line_naming_it(run, tmp_path, change, message) -> None:
    path = save_run(tmp_path / "run.safetensors", run)
    rewrite(path, change)
    with pytest.raises(RunFileError, match=message) as caught:
        load_run(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_foreign_files_are_refused(tmp_path, run) -> None:
    model = save_checkpoint(tmp_path / "model.safetensors", run.moments[0].network)
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\xff" * 100)
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(save_run(tmp_path / "whole.safetensors", run).read_bytes()[:500])
    for path, message in ((model, "a digitlab model, not a run file"),
                          (garbage, "not a digitlab run"),
                          (truncated, "not a digitlab run"), (tmp_path / "nope", "no such"),
                          (tmp_path, "it is a folder")):  # fmt: skip
        with pytest.raises(RunFileError, match=message):
            load_run(path)


def test_train_writes_the_runs_history_beside_the_model(tiny_mnist_dir, tmp_path) -> None:
    from digitlab.core.checkpoint import load_checkpoint
    from tests.core.test_cli import train_tiny

    out, history = tmp_path / "m.safetensors", tmp_path / "run.safetensors"
    assert train_tiny(tiny_mnist_dir, out, "--hidden", "8", "--batch-size", "8",
                      "--history", str(history)) == 0  # fmt: skip
    run = load_run(history)
    assert run.spec == ModelSpec(hidden=(8,)) and run.settings["epochs"] == 2
    first, last = run.moments[0], run.moments[-1]
    assert first.step == 0 and first.samples == 0  # the start, before any step
    assert [m.epoch for m in run.moments if m.epoch_end] == [1.0, 2.0]
    assert [m.step for m in run.moments] == sorted(m.step for m in run.moments)
    model = load_checkpoint(out).network  # the last moment is the model written
    for a, b in zip(last.network.weights, model.weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(run.test_curve[:, 0], [1.0, 2.0])
    assert len(run.train_curve) >= len(run.moments) - 1  # curves are never thinned


def test_train_checks_the_history_path_before_training(tiny_mnist_dir, tmp_path, capsys) -> None:
    from tests.core.test_cli import train_tiny

    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert train_tiny(tiny_mnist_dir, tmp_path / "m.safetensors", "--history", str(folder)) != 0
    assert not (tmp_path / "m.safetensors").exists()
