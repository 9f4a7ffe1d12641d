"""Acting on a net: switch hidden units off or clamp them, patch activations, push toward a class.

Looking shows correlation; an intervention shows cause. A unit switched off outputs 0 for every
input; a unit clamped to c outputs c. Both only change what reaches the next layer, so an edited
model is an ordinary `Network` whose next-layer weights carry the edit (the unit's column zeroed,
c times it folded into the next bias): it can be saved, swept, compared and analysed like any
other, and predicts at the same speed. Hidden layers are numbered as in `ModelSpec.hidden`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from digitlab.core.evidence import evidence
from digitlab.core.network import Network, activate, softmax


@dataclass(frozen=True)
class UnitEdit:
    """Hidden unit `unit` of hidden layer `layer`: off (value None) or clamped to `value`."""

    layer: int
    unit: int
    value: float | None = None

    def describe(self) -> str:
        what = "off" if self.value is None else f"clamped to {self.value:g}"
        return f"layer {self.layer + 1} unit {self.unit} {what}"


def check_edit(network: Network, edit: UnitEdit) -> None:
    """ValueError, one line, for a unit the net does not have or a value that is no number."""
    hidden = network.spec.hidden
    if not hidden:
        raise ValueError(f"a {network.spec.describe()} net has no hidden units to edit")
    if not 0 <= edit.layer < len(hidden):
        raise ValueError(f"no hidden layer {edit.layer + 1}: the net has {len(hidden)}")
    if not 0 <= edit.unit < hidden[edit.layer]:
        raise ValueError(f"hidden layer {edit.layer + 1} has units 0–{hidden[edit.layer] - 1}, "
                         f"not {edit.unit}")  # fmt: skip
    if edit.value is not None and not math.isfinite(edit.value):
        raise ValueError(f"a unit is clamped to a number, not {edit.value!r}")


def edited(network: Network, edits: tuple[UnitEdit, ...] | list[UnitEdit]) -> Network:
    """The net with the edits applied (the last edit of a unit wins)."""
    weights = [np.array(w) for w in network.weights]
    biases = [np.array(b) for b in network.biases]
    for edit in {(e.layer, e.unit): e for e in edits}.values():  # a unit's last edit
        check_edit(network, edit)
        following = weights[edit.layer + 1]
        if edit.value is not None:
            biases[edit.layer + 1] += np.float32(edit.value) * following[:, edit.unit]
        following[:, edit.unit] = 0.0
    return Network.from_arrays(network.spec, weights, biases)


def patched_probabilities(
    network: Network, source: np.ndarray, target: np.ndarray, layer: int,
    units: list[int] | None = None,
) -> np.ndarray:  # fmt: skip
    """(k,) the target image's probabilities with hidden layer `layer`'s activations (all of
    them, or `units`) copied from the source image's forward pass: activation patching."""
    hidden = network.spec.hidden
    if not 0 <= layer < len(hidden):
        raise ValueError(f"no hidden layer {layer + 1}: the net has {len(hidden)}")
    chosen = list(range(hidden[layer])) if units is None else [int(u) for u in units]
    if any(not 0 <= u < hidden[layer] for u in chosen):
        raise ValueError(f"hidden layer {layer + 1} has units 0–{hidden[layer] - 1}")
    donor = network.activations(np.asarray(source)[None])[layer][0]
    x = network.inputs(np.asarray(target)[None])
    activation = network.spec.activation
    last = len(network.weights) - 1
    for index, (w, b) in enumerate(zip(network.weights, network.biases)):
        z = x @ w.T + b
        if index == last:
            return softmax(z)[0]
        x = activate(activation, z)
        if index == layer:
            x = x.copy()
            x[0, chosen] = donor[chosen]
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class FlipPath:
    """Pushing an image toward a class along its local gradient, step by step."""

    target: int  # the output index pushed toward
    direction: np.ndarray  # (28, 28) the pixel change that raises target against the answer
    amounts: np.ndarray  # (S,) how far along it (0 … 1: a full unit of ink at the peak pixel)
    probabilities: np.ndarray  # (S, k) the answer at each amount
    flips_at: float | None  # the least amount at which the target wins, None if none does


def flip_direction(network: Network, image: np.ndarray, target: int) -> np.ndarray:
    """(28, 28) the exact local gradient of (logit[target] − logit[answer]) in pixels (for the
    answer itself: against the runner-up), scaled to a peak of 1; zeros where it is flat."""
    found = evidence(network, image)
    order = np.argsort(found.logits)[::-1]
    rival = int(order[0]) if int(order[0]) != target else int(order[1])
    gradient = found.templates[target] - found.templates[rival]
    peak = float(np.abs(gradient).max())
    side = int(round(math.sqrt(gradient.size)))
    return (gradient / peak if peak > 0 else gradient).reshape(side, side).astype(np.float32)


def pushed(image: np.ndarray, direction: np.ndarray, amount: float) -> np.ndarray:
    """The image (0..1) with `amount` of the direction added, ink kept within 0..1."""
    return np.clip(np.asarray(image, np.float32) + amount * direction, 0.0, 1.0)


def flip_path(network: Network, image: np.ndarray, target: int, steps: int = 41) -> FlipPath:
    """The answer as the image is pushed toward `target` by 0 … 1 of its direction."""
    base = np.asarray(network.inputs(np.asarray(image)[None])[0], np.float32)
    side = int(round(math.sqrt(base.size)))
    base = base.reshape(side, side)
    direction = flip_direction(network, base, target)
    amounts = np.linspace(0.0, 1.0, steps, dtype=np.float32)
    batch = np.stack([pushed(base, direction, a) for a in amounts])
    probabilities = network.probabilities(batch)
    wins = np.flatnonzero(probabilities.argmax(axis=1) == target)
    flips_at = float(amounts[wins[0]]) if len(wins) else None
    return FlipPath(target, direction, amounts, probabilities, flips_at)


def nearest(candidates, query: np.ndarray, count: int = 8,
            squares: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Indices of the `count` rows of `candidates` (N, d) closest to `query` (d,) in Euclid.
    With `squares` (each row's squared length, kept by a caller that asks often) the rows may
    be a scipy sparse matrix."""
    query = np.asarray(query, np.float32).ravel()
    if squares is None:
        candidates = np.asarray(candidates, np.float32)
        squares = np.einsum("ij,ij->i", candidates, candidates)
    distances = squares - 2 * np.asarray(candidates @ query).ravel()
    count = min(count, len(distances))
    if count <= 0:
        return np.empty(0, np.int64)
    picked = np.argpartition(distances, count - 1)[:count]
    return picked[np.argsort(distances[picked], kind="stable")]
