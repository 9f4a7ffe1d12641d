"""A run's history as one file: its snapshots' weights, its curves and its settings.

safetensors, so a run file holds numbers and text and never code. The snapshots are stacked per
layer (`weights.L` is (n, out, in), `biases.L` (n, out)) beside one value per snapshot (step,
samples, epoch, loss, accuracy, test accuracy with NaN for "not measured", epoch end); the
curves are `train` (epoch, loss, accuracy per snapshot, never thinned) and `test` (epoch, test
accuracy). The text header says what the file is (`format`, `version`) and holds the net's
spec, its classes and the settings that trained it as JSON. Reading checks every name, shape,
count and value, so a damaged or foreign file is one line that names it (`RunFileError`).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from digitlab.core.errors import DigitlabError
from digitlab.core.files import write_atomically
from digitlab.core.legacy_checkpoint import FORMAT
from digitlab.core.network import ModelSpec, Network

RUN_FORMAT = "digitlab-run"
RUN_VERSION = 1
MAX_FILE_BYTES = 4 * 2**30
MAX_MOMENTS = 100_000
_PER_MOMENT = ("step", "samples", "epoch", "loss", "accuracy", "test_accuracy", "epoch_end")


class RunFileError(DigitlabError):
    """A run file that cannot be read: one line with the file's name and what is wrong."""


@dataclass(frozen=True, eq=False)
class RunMoment:
    """One snapshot of a run: where it was and the net's weights then."""

    step: int
    samples: int
    epoch: float
    loss: float
    accuracy: float
    test_accuracy: float | None
    epoch_end: bool
    network: Network


@dataclass(frozen=True, eq=False)
class RunFile:
    spec: ModelSpec
    classes: tuple[int, ...]
    moments: tuple[RunMoment, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    train_curve: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # epoch, loss, acc
    test_curve: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # epoch, test acc


def save_run(path: str | os.PathLike[str], run: RunFile) -> Path:
    """Write the run in one rename (a crash leaves the old file whole, or none)."""
    from safetensors.numpy import save

    if not run.moments:
        raise RunFileError(f"{path}: a run with no snapshot cannot be saved")
    tensors: dict[str, np.ndarray] = {}
    for layer in range(len(run.spec.layer_shapes)):
        tensors[f"weights.{layer}"] = np.stack([m.network.weights[layer] for m in run.moments])
        tensors[f"biases.{layer}"] = np.stack([m.network.biases[layer] for m in run.moments])
    moments = run.moments
    tensors["step"] = np.array([m.step for m in moments], np.int64)
    tensors["samples"] = np.array([m.samples for m in moments], np.int64)
    for name in ("epoch", "loss", "accuracy"):
        tensors[name] = np.array([getattr(m, name) for m in moments], np.float64)
    tensors["test_accuracy"] = np.array(
        [math.nan if m.test_accuracy is None else m.test_accuracy for m in moments], np.float64
    )
    tensors["epoch_end"] = np.array([m.epoch_end for m in moments], np.uint8)
    tensors["train"] = np.asarray(run.train_curve, np.float64).reshape(-1, 3)
    tensors["test"] = np.asarray(run.test_curve, np.float64).reshape(-1, 2)
    header = {
        "format": RUN_FORMAT,
        "version": str(RUN_VERSION),
        "spec": json.dumps({**asdict(run.spec), "hidden": list(run.spec.hidden)}),
        "classes": json.dumps(list(run.classes)),
        "settings": json.dumps(run.settings, allow_nan=False, default=str),
    }
    tensors = {k: np.ascontiguousarray(v, np.float32 if k.startswith(("weights", "biases"))
                                       else v.dtype) for k, v in tensors.items()}  # fmt: skip
    return write_atomically(Path(path), save(tensors, metadata=header))


def load_run(path: str | os.PathLike[str]) -> RunFile:
    """Read a run file; any problem is a one-line RunFileError that names the file."""
    path = Path(path)
    try:
        return _load(path)
    except RunFileError as exc:
        raise RunFileError(" ".join(str(exc).split())[:1000]) from None


def _load(path: Path) -> RunFile:
    from safetensors import safe_open

    if not path.exists():
        raise RunFileError(f"{path}: no such run file")
    if not path.is_file():
        raise RunFileError(f"{path} is not a run file (it is a folder or a special file)")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise RunFileError(f"{path} is not a digitlab run (it is larger than 4 GB)")
    try:
        with safe_open(str(path), framework="np") as handle:
            header = handle.metadata() or {}
            if header.get("format") == FORMAT:  # a model given for a run (train --out's file)
                raise RunFileError(
                    f"{path} is a digitlab model, not a run file: a run file is "
                    "written by digitlab train --history or File → Save run…"
                )
            if header.get("format") != RUN_FORMAT:
                raise RunFileError(f"{path} is not a digitlab run file (save one with File → "
                                   "Save run… or digitlab train --history)")  # fmt: skip
            arrays = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
    except RunFileError:
        raise
    except Exception as exc:  # SafetensorError, OSError, …
        reason = " ".join(str(exc).split())[:120]
        raise RunFileError(f"{path} is not a digitlab run file ({reason})") from None
    if header.get("version") != str(RUN_VERSION):
        version = str(header.get("version"))[:20]
        raise RunFileError(
            f"{path} is a run file of another digitlab version ({version}); open it with that one"
        )
    return _build(path, header, arrays)


def _build(path: Path, header: dict[str, str], arrays: dict[str, np.ndarray]) -> RunFile:
    def damaged(why: str) -> RunFileError:
        return RunFileError(f"{path}: the run file is damaged ({why})")

    try:
        fields = json.loads(header["spec"])
        spec = ModelSpec(hidden=tuple(int(h) for h in fields["hidden"]),
                         activation=str(fields["activation"]),
                         num_classes=int(fields["num_classes"]),
                         input_size=int(fields.get("input_size", 784)))  # fmt: skip
        classes = tuple(int(c) for c in json.loads(header["classes"]))
        settings = json.loads(header.get("settings", "{}"))
    except (KeyError, TypeError, ValueError, RecursionError) as exc:
        raise damaged(f"its description: {' '.join(str(exc).split())[:80]}") from None
    if len(classes) != spec.num_classes or not isinstance(settings, dict):
        raise damaged("its classes do not match its net")
    count = _count(arrays, damaged)
    layers = []
    for layer, (out, inputs) in enumerate(spec.layer_shapes):
        weights, biases = arrays.get(f"weights.{layer}"), arrays.get(f"biases.{layer}")
        if weights is None or biases is None:
            raise damaged(f"layer {layer}'s weights are missing")
        if weights.shape != (count, out, inputs) or biases.shape != (count, out):
            raise damaged(f"layer {layer} is {weights.shape}, not {(count, out, inputs)}")
        if not (np.isfinite(weights).all() and np.isfinite(biases).all()):
            raise damaged(f"layer {layer} holds values that are not numbers")
        layers.append((weights.astype(np.float32), biases.astype(np.float32)))
    values = {name: arrays[name] for name in _PER_MOMENT}
    moments = tuple(_moment(spec, layers, values, i) for i in range(count))
    train, test = arrays.get("train", np.zeros((0, 3))), arrays.get("test", np.zeros((0, 2)))
    if train.ndim != 2 or train.shape[1] != 3 or test.ndim != 2 or test.shape[1] != 2:
        raise damaged("its curves have the wrong shape")
    return RunFile(spec, classes, moments, settings, train.astype(float), test.astype(float))


def _count(arrays: dict[str, np.ndarray], damaged) -> int:
    missing = [name for name in _PER_MOMENT if name not in arrays]
    if missing:
        raise damaged(f"no {', '.join(missing)}")
    count = len(arrays["step"])
    if not 0 < count <= MAX_MOMENTS:
        raise damaged(f"{count} snapshots")
    if any(arrays[name].shape != (count,) for name in _PER_MOMENT):
        raise damaged("its snapshots disagree on how many there are")
    return count


def _moment(spec: ModelSpec, layers: Sequence, values: dict[str, np.ndarray], i: int) -> RunMoment:
    test = float(values["test_accuracy"][i])
    network = Network.from_arrays(spec, [w[i] for w, _ in layers], [b[i] for _, b in layers])
    return RunMoment(
        step=int(values["step"][i]),
        samples=int(values["samples"][i]),
        epoch=float(values["epoch"][i]),
        loss=float(values["loss"][i]),
        accuracy=float(values["accuracy"][i]),
        test_accuracy=None if math.isnan(test) else test,
        epoch_end=bool(values["epoch_end"][i]),
        network=network,
    )
