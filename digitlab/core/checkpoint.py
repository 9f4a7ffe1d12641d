"""Model files: the spec and metadata stored next to the weights, read without torch.

A model file is a safetensors file (format version 2): the weights under the names torch gives
them (`layers.0.weight`, …) and, in its metadata, the spec and what is known about the model
(dataset, classes, accuracy, how it was trained) as JSON. Safetensors holds no code, so opening a
stranger's file is safe, and numpy reads it directly: the window loads a model in milliseconds
without importing torch. Files of format version 1 (torch zip files, digitlab 0.1) still load,
through `torch.load(weights_only=True)` (`core.legacy_checkpoint`).

Every problem with a file becomes one `CheckpointError` line that names the file, at most
MAX_MESSAGE characters with no terminal escapes (library messages can run to pages). Weights no
training produces (|w| > MAX_WEIGHT, or a net whose outputs overflow) are refused on opening, and
non-finite numbers in the metadata become null, so no later output shows NaN or infinity.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from digitlab.core.choices import (
    CLASS_NAMES,
    DATASET_LABELS,
    DATASET_SHAPES,
    DATASETS,
    DIGIT_NAMES,
    input_size,
    is_colour,
)
from digitlab.core.errors import CheckpointError
from digitlab.core.files import write_atomically
from digitlab.core.legacy_checkpoint import FORMAT, LEGACY_VERSION, read_legacy
from digitlab.core.network import ModelSpec, Network
from digitlab.core.run_file import RUN_FORMAT

FORMAT_VERSION = 2
MAX_FILE_BYTES = 2**30  # far above any MLP digitlab trains; refuses to read a huge stray file
# Trained nets stay near 1 (the shipped ones below 1.2); weights of 1e30 are no trained model and
# would overflow to infinity in the first matrix product.
MAX_WEIGHT = 1e4
MAX_MESSAGE = 300  # characters of a CheckpointError, besides the file's name
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Checkpoint:
    """A network with what is known about it: dataset, class subset, accuracy, training, …"""

    network: Network
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> ModelSpec:
        return self.network.spec

    @property
    def classes(self) -> tuple[int, ...]:
        """The digit each output stands for (a '0 vs 1' net has (0, 1))."""
        return tuple(self.meta.get("classes", range(self.spec.num_classes)))

    @property
    def dataset(self) -> str:
        return str(self.meta.get("dataset", "mnist"))

    @property
    def image_shape(self) -> tuple[int, ...]:
        """(28, 28) for the digit sets, (32, 32, 3) for CIFAR-10: what the inputs picture."""
        return DATASET_SHAPES.get(self.dataset, (28, 28))

    @property
    def is_colour(self) -> bool:
        """True for a model of RGB pictures (CIFAR-10): it reads no drawings."""
        return is_colour(self.dataset)

    @property
    def label_names(self) -> tuple[str, ...]:
        """What each output stands for, in output order ('cat', 'dog', … or '0', '1', …)."""
        names = CLASS_NAMES.get(self.dataset, DIGIT_NAMES)
        return tuple(names[c] for c in self.classes)

    @property
    def test_accuracy(self) -> float | None:
        value = self.meta.get("test_accuracy")
        return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None

    def describe(self) -> str:
        """'784→100→10 relu · test 97.9 %' (plus the classes when the model has a subset)."""
        parts = [self.spec.describe()]
        if self.classes != tuple(range(self.spec.num_classes)):
            parts.append("classes " + " ".join(str(c) for c in self.classes))
        if self.dataset != "mnist":
            parts.append(self.dataset)
        if self.test_accuracy is not None:
            parts.append(f"test {percent_text(self.test_accuracy)}")
        return " · ".join(parts)


def percent_text(fraction: float) -> str:
    """'97.9\u00a0%' (no break before the %): one decimal, and never rounded up to 100.0 %
    unless it is 100 % (a 99.95 % net reads 99.9 %)."""
    percent = 100 * fraction
    shown = f"{percent:.1f}"
    if fraction < 1 and float(shown) >= 100:
        shown = f"{math.floor(percent * 10) / 10:.1f}"
    return f"{shown}\u00a0%"


def _json_safe(value: Any) -> Any:
    """Metadata as strict JSON: NaN and infinity become null, tuples lists, numpy scalars plain."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def save_checkpoint(
    path: str | os.PathLike[str], network: Network, meta: dict[str, Any] | None = None
) -> Path:
    """Write spec + weights + metadata atomically (a temp file, then rename), so a crash or a
    full disk never leaves a half-written model behind."""
    from safetensors.numpy import save

    tensors = {}
    for i, (w, b) in enumerate(zip(network.weights, network.biases)):
        tensors[f"layers.{i}.weight"] = np.ascontiguousarray(w, dtype=np.float32)
        tensors[f"layers.{i}.bias"] = np.ascontiguousarray(b, dtype=np.float32)
    spec = {**asdict(network.spec), "hidden": list(network.spec.hidden)}
    info = {"date": _dt.datetime.now().isoformat(timespec="seconds"), **(meta or {})}
    header = {
        "format": FORMAT,
        "version": str(FORMAT_VERSION),
        "spec": json.dumps(spec),
        "meta": json.dumps(_json_safe(info), allow_nan=False),
    }
    return write_atomically(Path(path), save(tensors, metadata=header))


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Load a model file; any problem becomes a one-line CheckpointError that says what is wrong."""
    path = Path(path)
    try:
        return _load(path)
    except CheckpointError as exc:  # one line, of bounded length, whatever a file held
        text = " ".join(_ANSI.sub("", str(exc)).split())
        limit = MAX_MESSAGE + len(str(path))
        raise CheckpointError(text if len(text) <= limit else text[: limit - 1] + "…") from None


def _load(path: Path) -> Checkpoint:
    if not path.exists():
        raise CheckpointError(f"{path}: no such model file")
    if not path.is_file():
        raise CheckpointError(f"{path} is not a model file (it is a folder or a special file)")
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:  # PermissionError (a mode-000 file), EIO, …
        raise CheckpointError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise CheckpointError(f"{path} is not a digitlab model (it is {size / 2**30:.1f} GB)")
    if magic == _ZIP_MAGIC:
        spec_fields, arrays, meta = read_legacy(path)
    else:
        spec_fields, arrays, meta = _read_safetensors(path)
    return _build(path, spec_fields, arrays, meta)


def _not_a_model(path: Path, why: str) -> CheckpointError:
    return CheckpointError(f"{path} is not a digitlab model ({why})")


def unsupported_version(path: Path, version: Any) -> CheckpointError:
    """The error for a file of a format version this digitlab does not read."""
    plain = str(version)
    shown = plain if plain.isalnum() and len(plain) <= 20 else _brief(version, 20)
    return CheckpointError(
        f"{path}: model file version {shown} is not supported by this digitlab "
        f"(it reads versions {LEGACY_VERSION} and {FORMAT_VERSION}); update digitlab"
    )


def short_reason(exc: BaseException) -> str:
    """An exception's gist for a one-line message: no terminal escapes, the first sentence of
    the first line, trimmed. Of torch's page of weights_only advice only the reason is kept."""
    text = _ANSI.sub("", str(exc)).strip()
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1].strip()
    text = text.splitlines()[0] if text else exc.__class__.__name__
    text = re.split(r"(?<=[a-z0-9)])\. ", text, maxsplit=1)[0].rstrip(".")
    return text if len(text) <= 120 else text[:117] + "…"


def _read_safetensors(path: Path) -> tuple[Any, dict[str, np.ndarray], Any]:
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="np") as handle:
            header = handle.metadata() or {}
            arrays = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
    except Exception as exc:  # SafetensorError, OSError, …: the file is not a safetensors file
        raise _not_a_model(path, f"not a safetensors file: {short_reason(exc)}") from None
    if header.get("format") == RUN_FORMAT:  # `train --history`'s file given for `--out`'s
        raise _not_a_model(path, "it is a run's history, for digitlab record and the window's "
                           "File → Open run…; give the model file, train --out's")  # fmt: skip
    if header.get("format") != FORMAT:
        raise _not_a_model(path, "a safetensors file without digitlab's model description")
    if header.get("version") != str(FORMAT_VERSION):
        raise unsupported_version(path, header.get("version"))
    try:
        spec_fields, meta = json.loads(header["spec"]), json.loads(header.get("meta", "{}"))
    except (KeyError, ValueError, RecursionError) as exc:
        raise CheckpointError(f"{path}: the model file is damaged ({short_reason(exc)})") from None
    return spec_fields, arrays, meta


def _spec_from(path: Path, fields: Any) -> ModelSpec:
    brief = _brief(fields, 80)
    damaged = CheckpointError(f"{path}: the model file is damaged (its spec is {brief})")
    if not isinstance(fields, dict):
        raise damaged
    hidden = fields.get("hidden", [])
    numbers = [fields.get("num_classes", 10), fields.get("input_size", 784)]
    if not isinstance(hidden, list) or not all(type(v) is int for v in [*hidden, *numbers]):
        raise damaged
    try:
        return ModelSpec(
            hidden=tuple(hidden),
            activation=str(fields.get("activation", "relu")),
            num_classes=numbers[0],
            input_size=numbers[1],
        )
    except ValueError as exc:
        raise CheckpointError(f"{path}: the model file is damaged ({short_reason(exc)})") from None


def _build(path: Path, spec_fields: Any, arrays: dict[str, np.ndarray], meta: Any) -> Checkpoint:
    spec = _spec_from(path, spec_fields)
    _check_input_size(path, spec, meta)
    expected = {}
    for i, (out, inp) in enumerate(spec.layer_shapes):
        expected[f"layers.{i}.weight"], expected[f"layers.{i}.bias"] = (out, inp), (out,)
    if set(arrays) != set(expected):
        missing = sorted(set(expected) - set(arrays)) or sorted(set(arrays) - set(expected))
        raise CheckpointError(
            f"{path}: the model file is damaged (its weights do not fit a {spec.describe()} net: "
            f"{', '.join(missing[:3])})"
        )
    for name, shape in expected.items():
        array = arrays[name]
        if array.dtype != np.float32:
            raise CheckpointError(f"{path}: the model file is damaged ({name} is {array.dtype})")
        if array.shape != shape:
            raise CheckpointError(
                f"{path}: the model file is damaged ({name} is {array.shape}, expected {shape})"
            )
    _check_magnitudes(path, {name: arrays[name] for name in expected})
    count = len(spec.layer_shapes)
    network = Network(
        spec,
        tuple(arrays[f"layers.{i}.weight"] for i in range(count)),
        tuple(arrays[f"layers.{i}.bias"] for i in range(count)),
    )
    _check_outputs_finite(path, network)
    return Checkpoint(network, _checked_meta(path, spec, meta))


def _check_magnitudes(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """NaN, infinity or weights no training gives are refused here, not printed later."""
    for name, array in arrays.items():
        if array.size == 0:
            continue
        if not np.isfinite(array).all():
            raise CheckpointError(f"{path}: the model's weights contain NaN or infinity ({name})")
        largest = float(np.abs(array).max())
        if largest > MAX_WEIGHT:
            raise CheckpointError(
                f"{path}: the model's weights are out of range ({name} reaches {largest:.3g}; "
                f"trained nets stay far below {MAX_WEIGHT:g}): it is not a trained model"
            )


def _check_input_size(path: Path, spec: ModelSpec, meta: Any) -> None:
    """A model's inputs are its dataset's pixels: 784 for the 28×28 sets, 3072 for CIFAR-10 (a
    file without a dataset is an MNIST model). An unknown dataset is refused later, by name."""
    dataset = meta.get("dataset", "mnist") if isinstance(meta, dict) else "mnist"
    if not isinstance(dataset, str) or dataset not in DATASETS:
        return
    expected = input_size(dataset)
    if spec.input_size != expected:
        shape = "×".join(map(str, DATASET_SHAPES[dataset]))
        raise CheckpointError(
            f"{path}: the model takes {spec.input_size} inputs, not {shape} = {expected} "
            f"({DATASET_LABELS[dataset]}'s images)"
        )


def _check_outputs_finite(path: Path, network: Network) -> None:
    """Deep nets of large (if bounded) weights can still overflow float32: try blank, full and
    half-gray images, the inputs with the smallest and largest sums."""
    size = network.spec.input_size
    probe = np.stack([np.zeros(size), np.ones(size), np.full(size, 0.5)]).astype(np.float32)
    with np.errstate(all="ignore"):
        finite = all(bool(np.isfinite(z).all()) for z in network.pre_activations(probe))
    if not finite:
        raise CheckpointError(
            f"{path}: the model's outputs overflow (its {network.spec.describe()} layers with "
            "weights this large give infinity): it is not a trained model"
        )


def _brief(value: Any, width: int) -> str:
    """A stored value quoted in a one-line message, cut with an ellipsis when long."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _checked_meta(path: Path, spec: ModelSpec, meta: Any) -> dict[str, Any]:
    """Metadata a model can be used with; the fields digitlab relies on are checked here, so a
    bad one fails on opening, not deep inside a prediction."""
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path}: the model file is damaged (its metadata is not a mapping)")
    raw_accuracy = meta.get("test_accuracy")
    try:
        meta = _json_safe(meta)  # NaN and infinity → null: whatever prints it prints JSON
    except RecursionError:
        raise CheckpointError(
            f"{path}: the model file is damaged (its metadata nests too deep)"
        ) from None
    classes = meta.get("classes", list(range(spec.num_classes)))
    digits = isinstance(classes, (list, tuple)) and all(
        type(c) is int and 0 <= c <= 9 for c in classes
    )
    if not digits or len(classes) != spec.num_classes or len(set(classes)) != len(classes):
        raise CheckpointError(
            f"{path}: the model has {spec.num_classes} outputs but its classes are "
            f"{_brief(classes, 60)} (expected as many different digits 0–9)"
        )
    dataset = meta.get("dataset", "mnist")
    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise CheckpointError(
            f"{path}: the model names an unknown dataset {_brief(dataset, 40)} "
            f"(digitlab knows {', '.join(DATASETS)})"
        )
    accuracy = raw_accuracy
    if accuracy is not None and not (
        isinstance(accuracy, (int, float))
        and not isinstance(accuracy, bool)
        and math.isfinite(accuracy)
        and 0.0 <= accuracy <= 1.0
    ):
        raise CheckpointError(
            f"{path}: the model file is damaged (its test accuracy is {_brief(accuracy, 40)})"
        )
    return {**meta, "classes": list(classes), "dataset": dataset}
