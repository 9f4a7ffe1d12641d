"""Which first-layer units the Weights mosaic shows, and the caption that says what they are.

The shipped 784→256→10 drawn whole is 256 small tiles that read as speckle to a newcomer. The
units with the largest outgoing weights are the ones the answer listens to most, and they are
the ones with clear stroke-like filters: showing those (`TOP_UNITS`, few enough to be drawn large
and titled) first, with a line saying what a tile and its colours mean, makes the first look
meaningful. "All units" shows every one, in order.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox

from digitlab.ui.plots.colour_tiles import CAPTION_MAPPING

TOP_UNITS = 32  # the most tiles shown by default: few enough to be drawn large and titled
CHOICES = {"top": f"{TOP_UNITS} most important", "all": "All units"}
MEANING = "Each tile: one {}'s weights from the 784 pixels; red, ink there {}; blue, {}."


def most_important(outgoing: np.ndarray | None, count: int = TOP_UNITS) -> np.ndarray:
    """The `count` units with the largest outgoing weights (L2 over what they feed), in index
    order (tiles keep their places while a net trains); all of them when there are no more."""
    units = 0 if outgoing is None else outgoing.shape[1]
    if outgoing is None or units <= count:
        return np.arange(units)
    size = np.linalg.norm(outgoing, axis=0)
    return np.sort(np.argsort(-size, kind="stable")[:count])


def caption(weights: list[np.ndarray], shown: np.ndarray) -> str:
    """What the mosaic of `weights[0]` shows ('' when the first layer is not 28×28 images)."""
    units, inputs = weights[0].shape
    if inputs == 3072:
        return colour_caption(len(weights) == 1, units, len(shown))
    if inputs != 784:
        return ""
    if len(weights) == 1:
        return f"{units} class templates. " + MEANING.format("class", "is for it", "against")
    lead = f"All {units} hidden units."
    if len(shown) < units:
        lead = f"The {len(shown)} of {units} hidden units the answer listens to most (largest "
        lead += "outgoing weights)."
    return f"{lead} " + MEANING.format("unit", "turns it on", "off")


def colour_caption(templates: bool, units: int, shown: int) -> str:
    """What CIFAR-10's colour tiles show, and how their colours are made."""
    if templates:
        lead = f"{units} class templates, each a 32×32 colour picture:"
    elif shown < units:
        lead = f"The {shown} of {units} hidden units the answer listens to most, each filter a "
        lead += "32×32 colour picture:"
    else:
        lead = f"All {units} hidden units, each filter a 32×32 colour picture:"
    return f"{lead} {CAPTION_MAPPING}."


class TileChoice(QComboBox):
    """The Weights view's "Show" choice: the most important units (the default) or all."""

    def __init__(self) -> None:
        super().__init__()
        for key, label in CHOICES.items():
            self.addItem(label, key)
        self.setToolTip(
            f"{CHOICES['top']}: the hidden units with the largest outgoing weights, the ones "
            "the answer listens to most\nAll units: every one, in order"
        )

    def choice(self) -> str:
        return self.currentData()

    def set_choice(self, key: object) -> None:
        """Restore a stored choice (untrusted: anything else is ignored)."""
        if isinstance(key, str) and key in CHOICES:
            self.setCurrentIndex(self.findData(key))

    def units(self, weights: list[np.ndarray]) -> np.ndarray:
        """The first layer's units to draw, in order (the choice is live only where it
        matters: a hidden layer of more than TOP_UNITS)."""
        self.setEnabled(len(weights) > 1 and weights[0].shape[0] > TOP_UNITS)
        if self.choice() == "top" and len(weights) > 1:
            return most_important(weights[1])
        return np.arange(weights[0].shape[0])
