"""Switching hidden units off one at a time: how much each unit matters, overall and per digit.

A unit switched off outputs 0 for every input, which is the same as zeroing its column in the
next layer's weights (the window's neuron lab uses the same meaning). Re-running the whole net
per unit would repeat the big first product hundreds of times; here the layer's activations a
and the next layer's input z are computed once, and without unit u that input is
`z - outer(a[:, u], W_next[:, u])`: for the last hidden layer these are the logits, for an
earlier one only the rest of the net runs again. Only the images the unit fires for change at
all (with ReLU about a third to a half), so only those are recomputed; the others keep their
intact answer, bit for bit as a re-run would give it. Images go in chunks of bounded memory
(`CHUNK_ELEMENTS`). numpy only: the window's process runs this too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from digitlab.core.metrics import class_indices
from digitlab.core.network import Network, activate

# At most this many floats in one chunk's (images, next layer) block: 32 MB of float32.
CHUNK_ELEMENTS = 2**23


def layer_problem(hidden_layers: int, layer: int) -> str | None:
    """Why `layer` (counted from 0) is no hidden layer of a net with `hidden_layers` of them, as
    the end of a sentence about the model, counting from 1 as the window and the CLI do ('has
    hidden layers 1–2; no layer 3'); None when it is one."""
    if hidden_layers == 0:
        return "has no hidden layers: there are no units to switch off"
    if 0 <= layer < hidden_layers:
        return None
    have = "hidden layer 1 only" if hidden_layers == 1 else f"hidden layers 1–{hidden_layers}"
    return f"has {have}; no layer {layer + 1}"


def _fractions(hits: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Right answers per class → accuracy per class; NaN for a class without images."""
    return np.divide(hits, counts, out=np.full(hits.shape, np.nan), where=counts > 0)


@dataclass(frozen=True, eq=False)
class AblationTable:
    """One row per unit of a hidden layer: the accuracy with that unit alone switched off.

    Drops are the intact accuracy minus the accuracy without the unit (positive: the unit
    helped). Per-class arrays have one column per output, standing for `classes`.
    """

    layer: int
    classes: tuple[int, ...]
    samples: int
    intact_accuracy: float
    intact_per_class: np.ndarray  # (k,)
    units: np.ndarray  # (U,) the unit of each row
    accuracy: np.ndarray  # (U,) overall accuracy without the unit
    per_class: np.ndarray  # (U, k) accuracy per class without the unit

    @property
    def drop(self) -> np.ndarray:
        return self.intact_accuracy - self.accuracy

    @property
    def per_class_drop(self) -> np.ndarray:
        return self.intact_per_class[None, :] - self.per_class

    def __len__(self) -> int:
        return len(self.units)

    def sorted_by_drop(self) -> AblationTable:
        """The rows with the units that matter most first (ties: lower unit first)."""
        order = np.lexsort((self.units, -self.drop))
        return replace(
            self, units=self.units[order], accuracy=self.accuracy[order],
            per_class=self.per_class[order],
        )  # fmt: skip

    def matters_for(self, digit: int, n: int = 5) -> list[tuple[int, float]]:
        """'Which units matter for 7': up to n (unit, drop of the digit's accuracy) whose
        removal hurts that digit most, largest first; units that do not hurt it are left out."""
        if digit not in self.classes:
            raise ValueError(f"the net does not tell {digit} apart (its classes are "
                             f"{', '.join(map(str, self.classes))})")  # fmt: skip
        drops = self.per_class_drop[:, self.classes.index(digit)]
        order = np.lexsort((self.units, -np.nan_to_num(drops, nan=-np.inf)))
        return [(int(self.units[i]), float(drops[i])) for i in order[:n] if drops[i] > 0]

    def hurts_most(self, row: int, n: int = 3) -> list[tuple[int, float]]:
        """The digits row `row`'s unit matters most for: up to n (digit, drop), largest first,
        only digits whose accuracy falls without it."""
        drops = self.per_class_drop[row]
        order = np.lexsort((np.arange(len(drops)), -np.nan_to_num(drops, nan=-np.inf)))
        return [(self.classes[c], float(drops[c])) for c in order[:n] if drops[c] > 0]

    def as_dict(self) -> dict:
        """Plain JSON-ready values (NaN as None), rows in the table's order."""

        def number(value: float) -> float | None:
            return None if np.isnan(value) else float(value)

        def by_class(values: np.ndarray) -> dict[str, float | None]:
            return {str(c): number(v) for c, v in zip(self.classes, values)}

        rows = [
            {
                "unit": int(unit),
                "accuracy": float(self.accuracy[i]),
                "drop": float(self.drop[i]),
                "per_class_accuracy": by_class(self.per_class[i]),
                "per_class_drop": by_class(self.per_class_drop[i]),
            }
            for i, unit in enumerate(self.units)
        ]
        return {
            "layer": self.layer + 1,  # counted from 1, as users see layers
            "classes": list(self.classes),
            "samples": self.samples,
            "intact_accuracy": self.intact_accuracy,
            "intact_per_class_accuracy": by_class(self.intact_per_class),
            "units": rows,
        }


def _rest_of_net(network: Network, z: np.ndarray, first: int) -> np.ndarray:
    """Logits from layer `first`'s pre-activations z (any leading shape)."""
    last = len(network.weights) - 1
    for i in range(first + 1, last + 1):
        z = activate(network.spec.activation, z) @ network.weights[i].T + network.biases[i]
    return z


def ablation_table(
    network: Network,
    images: np.ndarray,
    labels: np.ndarray,
    classes: Sequence[int],
    layer: int,
) -> AblationTable:
    """Every unit of hidden layer `layer` switched off alone, scored on (images, labels):
    labels are digits, output i stands for classes[i]; images of other digits are left out."""
    problem = layer_problem(len(network.spec.hidden), layer)
    if problem:
        raise ValueError(f"the net {problem}")
    classes = tuple(int(c) for c in classes)
    k = len(classes)
    if k != network.spec.num_classes:
        raise ValueError(f"the net has {network.spec.num_classes} outputs, not {k} classes")
    images, targets = class_indices(images, labels, classes)
    counts = np.bincount(targets, minlength=k).astype(np.float64)
    zs = network.pre_activations(images, upto=layer + 1)
    by_unit = np.ascontiguousarray(activate(network.spec.activation, zs[layer]).T)  # (units, N)
    following = zs[layer + 1]  # (N, next): the next layer's input, all units on
    outgoing = network.weights[layer + 1]  # (next, units)
    intact = _rest_of_net(network, following, layer + 1).argmax(axis=1) == targets
    hits = np.bincount(targets[intact], minlength=k).astype(np.float64)
    units = len(by_unit)
    rows = max(1, CHUNK_ELEMENTS // following.shape[1])
    correct = np.empty(units)
    per_class = np.empty((units, k))
    for unit in range(units):
        change = np.zeros(k)  # right answers gained (+) or lost (−) per class without the unit
        # Only images the unit fires for change (with ReLU, a fraction): the others keep their
        # intact answer exactly, as a re-run with the unit's column zeroed gives too.
        firing = np.flatnonzero(by_unit[unit])
        for start in range(0, len(firing), rows):
            chosen = firing[start : start + rows]
            without = following[chosen] - np.outer(by_unit[unit, chosen], outgoing[:, unit])
            right = _rest_of_net(network, without, layer + 1).argmax(axis=1) == targets[chosen]
            gained = right.astype(np.float64) - intact[chosen]
            change += np.bincount(targets[chosen], weights=gained, minlength=k)
        correct[unit] = hits.sum() + change.sum()
        per_class[unit] = hits + change
    samples = len(targets)
    return AblationTable(
        layer=layer,
        classes=classes,
        samples=samples,
        intact_accuracy=hits.sum() / samples if samples else float("nan"),
        intact_per_class=_fractions(hits, counts),
        units=np.arange(units),
        accuracy=correct / samples if samples else np.full(units, np.nan),
        per_class=_fractions(per_class, counts),
    )
