"""MLPs built from a spec, and checkpoints that carry the spec with the weights.

As in nanoGPT, the spec dataclass is stored next to the state_dict, so loading rebuilds the model
without the caller knowing its shape. Files load with `torch.load(weights_only=True)`: a model
file cannot run code.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from digitlab.core.errors import CheckpointError

FORMAT = "digitlab-checkpoint"
FORMAT_VERSION = 1

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}


@dataclass(frozen=True)
class ModelSpec:
    """The shape of an MLP: hidden=() is the 1-layer 784→10 net, (100,) a 2-layer net, (2, 2) a
    net with a 2-D bottleneck."""

    hidden: tuple[int, ...] = ()
    activation: str = "relu"
    num_classes: int = 10
    input_size: int = 784

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        if any(h < 1 for h in self.hidden) or self.num_classes < 2 or self.input_size < 1:
            raise ValueError(f"layer sizes must be positive and classes ≥ 2: {self}")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.input_size, *self.hidden, self.num_classes)

    def describe(self) -> str:
        """'784→100→10 relu' style label."""
        text = "→".join(str(s) for s in self.sizes)
        return f"{text} {self.activation}" if self.hidden else text


class MLP(nn.Module):
    """A stack of Linear layers with one activation between them (none after the last)."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.spec = spec
        sizes = spec.sizes
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.act = ACTIVATIONS[spec.activation]()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activations(x)[-1]

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The output of every layer (hidden ones after the activation; the last one = logits)."""
        x = x.reshape(x.shape[0], -1)
        outputs = []
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
            outputs.append(x)
        outputs.append(self.layers[-1](x))
        return outputs

    @torch.no_grad()
    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """Softmax over the classes for (N, 28, 28) or (N, 784) images in [0, 1]."""
        return torch.softmax(self(images.float()), dim=1)


@dataclass
class Checkpoint:
    """A model with what is known about it: dataset, class subset, preprocessing, accuracy, …"""

    model: MLP
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def classes(self) -> tuple[int, ...]:
        return tuple(self.meta.get("classes", range(self.model.spec.num_classes)))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_checkpoint(path: str | os.PathLike[str], model: MLP, meta: dict[str, Any]) -> Path:
    """Write spec + weights + metadata atomically (a temp file, then rename), so a crash or a full
    disk never leaves a half-written model behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "spec": {**asdict(model.spec), "hidden": list(model.spec.hidden)},
        "state_dict": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        "meta": {"date": _dt.datetime.now().isoformat(timespec="seconds"), **meta},
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(payload, handle)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Load a model file; any problem becomes a CheckpointError that says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such model file")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle, zip and unpickler errors all mean "not a model file"
        raise CheckpointError(f"{path}: not a digitlab model file ({exc})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a digitlab model file")
    version = payload.get("version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: model file version {version} is not supported by this digitlab "
            f"(it reads version {FORMAT_VERSION})"
        )
    try:
        spec_fields = dict(payload["spec"])
        spec = ModelSpec(**{**spec_fields, "hidden": tuple(spec_fields.get("hidden", ()))})
        model = MLP(spec)
        model.load_state_dict(payload["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{path}: the model file is damaged ({exc})") from None
    meta = dict(payload.get("meta", {}))
    _check_usable(path, model, meta)
    model.eval()
    return Checkpoint(model=model, meta=meta)


def _check_usable(path: Path, model: MLP, meta: dict[str, Any]) -> None:
    """A well-formed file can still describe a model digitlab cannot use: say so here, not with
    a shape error deep inside a prediction."""
    spec = model.spec
    if spec.input_size != 784:
        raise CheckpointError(f"{path}: the model takes {spec.input_size} inputs, not 28×28 = 784")
    classes = meta.get("classes", list(range(spec.num_classes)))
    valid = isinstance(classes, (list, tuple)) and all(
        isinstance(c, int) and 0 <= c <= 9 for c in classes
    )
    if not valid or len(classes) != spec.num_classes:
        raise CheckpointError(
            f"{path}: the model has {spec.num_classes} outputs but its classes are {classes!r}"
        )
    if not all(bool(torch.isfinite(p).all()) for p in model.parameters()):
        raise CheckpointError(f"{path}: the model's weights contain NaN or infinity")


def new_model(spec: ModelSpec, seed: int | None = None) -> MLP:
    """A freshly initialised model; a seed gives the same weights every time (global RNG kept)."""
    if seed is None:
        return MLP(spec)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MLP(spec)


def model_from_arrays(spec: ModelSpec, weights: list[np.ndarray], biases: list[np.ndarray]) -> MLP:
    """Rebuild a model from a training snapshot's numpy copies (the model being trained)."""
    model = MLP(spec)
    load_arrays(model, weights, biases)
    return model.eval()


def model_arrays(model: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Numpy copies of every layer's weights and biases (the inverse of `load_arrays`)."""
    weights = [layer.weight.detach().cpu().numpy().copy() for layer in model.layers]
    biases = [layer.bias.detach().cpu().numpy().copy() for layer in model.layers]
    return weights, biases


@torch.no_grad()
def load_arrays(model: MLP, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
    """Copy snapshot arrays into an existing model of the same shape, in place."""
    if len(weights) != len(model.layers) or len(biases) != len(model.layers):
        raise ValueError("weights and biases must have one array per layer")
    for layer, w, b in zip(model.layers, weights, biases):
        layer.weight.copy_(torch.from_numpy(np.asarray(w, dtype=np.float32)))
        layer.bias.copy_(torch.from_numpy(np.asarray(b, dtype=np.float32)))
