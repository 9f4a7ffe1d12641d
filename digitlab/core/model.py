"""The MLP as a torch module, for training; `Network` (numpy) is what everything else uses.

`to_network` and `from_network` convert between the two. Only training (the CLI's `train`, the
window's trainer process) and torch-based analysis import this module.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from digitlab.core.memory import too_large
from digitlab.core.network import ModelSpec, Network

TORCH_ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}


class MLP(nn.Module):
    """A stack of Linear layers with one activation between them (none after the last)."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.spec = spec
        sizes = spec.sizes
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.act = TORCH_ACTIVATIONS[spec.activation]()

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


def new_model(spec: ModelSpec, seed: int | None = None) -> MLP:
    """A freshly initialised model; a seed gives the same weights every time (global RNG kept).

    Raises NotEnoughMemory (one line, with the size) where torch's allocator gives up.
    """
    try:
        if seed is None:
            return MLP(spec)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return MLP(spec)
    except (MemoryError, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) and "allocate" not in str(exc):
            raise
        raise too_large(spec) from None


def model_arrays(model: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Numpy copies of every layer's weights and biases."""
    weights = [layer.weight.detach().cpu().numpy().copy() for layer in model.layers]
    biases = [layer.bias.detach().cpu().numpy().copy() for layer in model.layers]
    return weights, biases


def to_network(model: MLP) -> Network:
    """The model's current weights as a (numpy, read-only) Network."""
    return Network.from_arrays(model.spec, *model_arrays(model))


@torch.no_grad()
def load_arrays(model: MLP, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
    """Copy arrays into an existing model of the same shape, in place."""
    if len(weights) != len(model.layers) or len(biases) != len(model.layers):
        raise ValueError("weights and biases must have one array per layer")
    for layer, w, b in zip(model.layers, weights, biases):
        layer.weight.copy_(torch.from_numpy(np.array(w, dtype=np.float32)))
        layer.bias.copy_(torch.from_numpy(np.array(b, dtype=np.float32)))


def from_network(network: Network) -> MLP:
    """A torch model holding a Network's weights (to train further, or for torch analysis)."""
    model = MLP(network.spec)
    load_arrays(model, list(network.weights), list(network.biases))
    return model.eval()
