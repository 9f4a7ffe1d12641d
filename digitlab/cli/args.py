"""Argument types for the command line: each turns a string into a value or one clear error.

Only argparse and `core.choices`: the top-level parser (`digitlab --help`) uses this module."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from digitlab.core.choices import MAX_THREADS, clipped

MODEL_HELP = "a model file, or a shipped model: robust, mlp or linear"
DATA_DIR_HELP = "dataset folder (default: $DIGITLAB_DATA, else the user cache)"
THREADS_HELP = (
    f"torch CPU threads for train, 1 to {MAX_THREADS} (default: 1 for nets under "
    "4 million weights, where a second thread mostly waits; all cores above)"
)


def number(
    minimum: float, strict: bool, maximum: float | None = None, what: str = "a number"
) -> Callable[[str], float]:
    """An argparse type for finite floats above (strict) or at least `minimum`, and at most
    `maximum` when given; the message names the range and `what` the setting is."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {clipped(text)}") from None
        low_ok = value > minimum if strict else value >= minimum
        if not math.isfinite(value) or not low_ok or (maximum is not None and value > maximum):
            if maximum is not None:
                bounds = f"from {minimum:g} to {maximum:g}"
            else:
                bounds = f"a finite number {'above' if strict else 'of at least'} {minimum:g}"
            raise argparse.ArgumentTypeError(f"{what} must be {bounds}: {clipped(text)}")
        return value

    return parse


def whole(
    minimum: int, maximum: int | None = None, what: str = "a whole number"
) -> Callable[[str], int]:
    """An argparse type for whole numbers from `minimum` to `maximum`, the range in the
    message (so `--seed 2**70` or `--epochs 10**30` is refused before anything runs)."""

    def parse(text: str) -> int:
        digits = text.strip().lstrip("+-")
        try:
            if not digits.isascii():  # int() takes '١' (Arabic-Indic one) as 1
                raise ValueError
            value = int(text)
        except ValueError:
            if not (digits.isascii() and digits.isdigit()):
                raise argparse.ArgumentTypeError(f"not a whole number: {clipped(text)}") from None
            value = -math.inf if text.strip().startswith("-") else math.inf  # > 4300 digits
        if value < minimum or (maximum is not None and value > maximum):
            bounds = (
                f"from {minimum:,} to {maximum:,}"
                if maximum is not None
                else (f"at least {minimum:,}")
            )
            raise argparse.ArgumentTypeError(f"{what} must be {bounds}: {clipped(text)}")
        return value

    return parse


positive_float = number(0.0, strict=True)
non_negative_float = number(0.0, strict=False)
positive_int = whole(1)
threads = whole(1, MAX_THREADS, "threads")


def kinds(text: str) -> list[str]:
    """'shift,pen' → ['shift', 'pen']; an empty list or an unknown name is a bad argument."""
    from digitlab.core.conditions import KINDS

    chosen = [k.strip() for k in text.split(",") if k.strip()]
    if not chosen:
        raise argparse.ArgumentTypeError(f"name at least one of {','.join(KINDS)}")
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown perturbation {clipped(unknown[0])}; choose from {','.join(KINDS)}"
        )
    return list(dict.fromkeys(chosen))


def window_size(text: str) -> tuple[int, int]:
    """'1400x860' → (1400, 860)."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"a size looks like 1400x860, got {clipped(text)}"
        ) from None
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"width and height must be 200–8000 px: {clipped(text)}")
    return width, height
