"""Argument types for the command line: each turns a string into a value or one clear error."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def hidden_sizes(text: str) -> tuple[int, ...]:
    """'100' → (100,), '100,50' → (100, 50), '0' / 'none' / '' → () (the 1-layer net)."""
    from digitlab.core.choices import parse_hidden

    try:
        return parse_hidden(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def classes(text: str) -> tuple[int, ...] | None:
    from digitlab.core.data import parse_classes

    try:
        return parse_classes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def number(minimum: float, strict: bool) -> Callable[[str], float]:
    """An argparse type for finite floats above (strict) or at least `minimum`."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value) or not (value > minimum if strict else value >= minimum):
            raise argparse.ArgumentTypeError(
                f"must be a number {'above' if strict else 'of at least'} {minimum:g}: {text!r}"
            )
        return value

    return parse


positive_float = number(0.0, strict=True)
non_negative_float = number(0.0, strict=False)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def window_size(text: str) -> tuple[int, int]:
    """'1400x860' → (1400, 860)."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a size looks like 1400x860, got {text!r}") from None
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"width and height must be 200–8000 px: {text!r}")
    return width, height
