"""Two models on the same test digits: accuracy of each, overall and per class, the digits one
gets right and the other wrong (each way), how often they agree, and McNemar's test of whether
the difference is more than chance (`digitlab compare`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from digitlab.core.metrics import class_indices

if TYPE_CHECKING:
    from digitlab.core.checkpoint import Checkpoint
    from digitlab.core.network import Network

# Below this many discordant digits the chi-square approximation is poor: use the exact test.
EXACT_BELOW = 25


@dataclass(frozen=True)
class McNemar:
    """McNemar's test on the discordant pairs: `statistic` is the smaller count for the exact
    binomial test, the continuity-corrected chi-square (1 dof) otherwise."""

    method: str  # "exact" or "chi-square"
    statistic: float
    p_value: float


def mcnemar(a_only: int, b_only: int) -> McNemar:
    """McNemar's test from the two discordant counts (right in A only, right in B only): under
    'the models are equally accurate' each discordant digit is a fair coin toss. Computed with
    `math` rather than scipy.stats, whose import alone takes about a second."""
    n = a_only + b_only
    if n < EXACT_BELOW:  # two-sided exact binomial test, p = 2·P(X ≤ min), X ~ Bin(n, ½)
        low = min(a_only, b_only)
        tail = sum(math.comb(n, k) for k in range(low + 1)) / 2**n
        return McNemar("exact", float(low), min(1.0, 2.0 * tail))
    statistic = max(abs(a_only - b_only) - 1, 0) ** 2 / n
    # The chi-square survival function with 1 degree of freedom: P(Z² > x) = erfc(√(x/2)).
    return McNemar("chi-square", float(statistic), math.erfc(math.sqrt(statistic / 2)))


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two models' answers on the same digits. Per-class arrays have one entry per output,
    standing for `classes`, and are counted by true class (NaN where a class has no digits)."""

    classes: tuple[int, ...]
    samples: int
    accuracy_a: float
    accuracy_b: float
    per_class_a: np.ndarray  # (k,)
    per_class_b: np.ndarray  # (k,)
    a_only: int  # right in A, wrong in B
    b_only: int  # right in B, wrong in A
    a_only_per_class: np.ndarray  # (k,) int
    b_only_per_class: np.ndarray  # (k,) int
    agreement: float  # the share of digits both give the same answer for, right or wrong
    test: McNemar

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (NaN as None), per-class values keyed by digit."""

        def number(value: float) -> float | None:
            return None if math.isnan(value) else float(value)

        def by_class(values: np.ndarray, cast: type = float) -> dict[str, Any]:
            return {str(c): number(v) if cast is float else int(v)
                    for c, v in zip(self.classes, values)}  # fmt: skip

        return {
            "classes": list(self.classes),
            "samples": self.samples,
            "accuracy": {"a": number(self.accuracy_a), "b": number(self.accuracy_b)},
            "per_class_accuracy": {
                "a": by_class(self.per_class_a),
                "b": by_class(self.per_class_b),
            },
            "right_in_a_only": self.a_only,
            "right_in_b_only": self.b_only,
            "right_in_a_only_per_class": by_class(self.a_only_per_class, int),
            "right_in_b_only_per_class": by_class(self.b_only_per_class, int),
            "agreement": number(self.agreement),
            "mcnemar": {
                "method": self.test.method,
                "statistic": self.test.statistic,
                "p_value": self.test.p_value,
            },
        }


def comparison_problem(
    sizes: Sequence[int],
    classes: Sequence[Sequence[int]],
    names: Sequence[str] = ("A", "B"),
    datasets: Sequence[str | None] = (None, None),
) -> str | None:
    """Why two models' answers are not about the same question, in one line (they read inputs
    of other sizes, are for other datasets, or tell other digits apart), or None."""
    first, second = names
    if sizes[0] != sizes[1]:
        return f"{first} takes {sizes[0]} inputs, {second} takes {sizes[1]}"
    if datasets[0] != datasets[1]:
        return f"{first} is for {datasets[0]}, {second} for {datasets[1]}"
    if tuple(classes[0]) != tuple(classes[1]):
        return (f"{first} tells {_digits(classes[0])} apart, "
                f"{second} tells {_digits(classes[1])} apart")  # fmt: skip
    return None


def check_comparable(a: Checkpoint, b: Checkpoint, names: Sequence[str] = ("A", "B")) -> None:
    """A ValueError of one line unless both models read the same inputs and answer with the same
    digits from the same dataset: otherwise their answers are not about the same question."""
    problem = comparison_problem((a.spec.input_size, b.spec.input_size), (a.classes, b.classes),
                                 names, (a.dataset, b.dataset))  # fmt: skip
    if problem:
        raise ValueError(f"cannot compare: {problem}")


def _digits(classes: Sequence[int]) -> str:
    return ", ".join(map(str, classes))


def compare(
    network_a: Network,
    network_b: Network,
    images: np.ndarray,
    labels: np.ndarray,
    classes: Sequence[int],
) -> Comparison:
    """Both networks on the digits of `classes` among `images` (labels are digits; output i of
    each net stands for classes[i])."""
    classes = tuple(int(c) for c in classes)
    for name, net in (("A", network_a), ("B", network_b)):
        if net.spec.num_classes != len(classes):
            raise ValueError(f"cannot compare: {name} has {net.spec.num_classes} outputs "
                             f"for {len(classes)} classes")  # fmt: skip
    if network_a.spec.input_size != network_b.spec.input_size:
        raise ValueError(f"cannot compare: A takes {network_a.spec.input_size} inputs, "
                         f"B takes {network_b.spec.input_size}")  # fmt: skip
    images, targets = class_indices(images, labels, classes)
    predicted_a = network_a.predict(images)[0] if len(targets) else np.zeros(0, np.int64)
    predicted_b = network_b.predict(images)[0] if len(targets) else np.zeros(0, np.int64)
    right_a, right_b = predicted_a == targets, predicted_b == targets
    k = len(classes)
    counts = np.bincount(targets, minlength=k)

    def per_class(mask: np.ndarray) -> np.ndarray:
        return np.bincount(targets[mask], minlength=k)

    def share(hits: np.ndarray) -> np.ndarray:
        return np.divide(hits, counts, out=np.full(k, np.nan), where=counts > 0)

    a_only, b_only = right_a & ~right_b, right_b & ~right_a
    n = len(targets)
    return Comparison(
        classes=classes, samples=n,
        accuracy_a=float(right_a.mean()) if n else math.nan,
        accuracy_b=float(right_b.mean()) if n else math.nan,
        per_class_a=share(per_class(right_a)), per_class_b=share(per_class(right_b)),
        a_only=int(a_only.sum()), b_only=int(b_only.sum()),
        a_only_per_class=per_class(a_only), b_only_per_class=per_class(b_only),
        agreement=float((predicted_a == predicted_b).mean()) if n else math.nan,
        test=mcnemar(int(a_only.sum()), int(b_only.sum())),
    )  # fmt: skip
