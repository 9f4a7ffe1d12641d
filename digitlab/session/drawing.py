"""The user's drawing, as the net will see it.

The pad view paints strokes (Qt draws anti-aliased lines best) and hands the session its image;
the session keeps that image, the preprocessing options and the 28×28 input made from them, and
tells every view when the input changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from psygnal import Signal

from digitlab.core.preprocess import SIZE, PreprocessOptions, to_mnist


@dataclass(frozen=True, eq=False)
class NetInput:
    """The 28×28 input in [0, 1] (read-only), whether there is any ink, and how it was made."""

    image: np.ndarray
    empty: bool
    options: PreprocessOptions


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


EMPTY_INPUT = np.zeros((SIZE, SIZE), np.float32)
EMPTY_INPUT.setflags(write=False)


class Drawing:
    input_changed = Signal(NetInput)
    options_changed = Signal(PreprocessOptions)
    digit_placed = Signal(np.ndarray)  # (28, 28) uint8, read-only: a digit for the pad to take

    def __init__(self) -> None:
        self._canvas: np.ndarray | None = None
        # The pad is light ink on black: no polarity guessing (a full pad would flip it).
        self._options = PreprocessOptions(invert=False)
        self._input = NetInput(EMPTY_INPUT, True, self._options)

    @property
    def canvas(self) -> np.ndarray | None:
        """The pad's image (light ink on black, uint8), None when the pad is empty."""
        return self._canvas

    @property
    def input(self) -> NetInput:
        return self._input

    @property
    def options(self) -> PreprocessOptions:
        return self._options

    def set_canvas(self, image: np.ndarray | None) -> None:
        """The pad's new image (None or no ink: an empty pad)."""
        if image is not None and not np.any(image):
            image = None
        self._canvas = None if image is None else _frozen(np.array(image, dtype=np.uint8))
        self._update_input()

    def place_digit(self, pixels: np.ndarray) -> None:
        """Ask the pad to put a 28×28 digit (uint8, light ink on black) on itself, as ink the
        user can edit: galleries and the pad meet here, not by importing each other."""
        digit = np.asarray(pixels)
        if digit.shape != (SIZE, SIZE):
            raise ValueError(f"a digit to place is {SIZE}×{SIZE}, got shape {digit.shape}")
        self.digit_placed.emit(_frozen(np.array(digit, dtype=np.uint8)))

    def set_options(
        self,
        fit: bool | None = None,
        centre: bool | None = None,
        normalise_pen: bool | None = None,
    ) -> None:
        """Switch the MNIST steps on or off (None leaves one as it is)."""
        asked = (("fit", fit), ("centre", centre), ("normalise_pen", normalise_pen))
        changes = {k: bool(v) for k, v in asked if v is not None}
        options = replace(self._options, **changes)
        if options != self._options:
            self._options = options
            self.options_changed.emit(options)
            self._update_input()

    def _update_input(self) -> None:
        if self._canvas is None:
            self._input = NetInput(EMPTY_INPUT, True, self._options)
        else:
            pixels = _frozen(to_mnist(self._canvas, self._options))
            self._input = NetInput(pixels, not pixels.any(), self._options)
        self.input_changed.emit(self._input)
