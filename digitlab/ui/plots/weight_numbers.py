"""The Weights view's numbers without the drawing: the change shown beside each layer, and the
hover line that reads one weight."""

from __future__ import annotations

import numpy as np

from digitlab.ui.plots.weight_panels import IMAGE_SIDE, PanelPlan


def changes_to_show(
    fresh: list[np.ndarray], before: list[np.ndarray] | None, stopped: bool
) -> tuple[list[np.ndarray], list[bool]]:
    """(the change per layer, which layers hold an earlier one). A Stop sends one last
    snapshot, usually with no step since the one before: its layers that did not change keep
    showing the last change (on its scale), rather than a blank panel."""
    if not (stopped and before is not None and len(before) == len(fresh)):
        return fresh, [False] * len(fresh)
    held = [not f.any() and b.shape == f.shape and bool(b.any()) for f, b in zip(fresh, before)]
    return [b if h else f for f, b, h in zip(fresh, before, held)], held


def layer_change(weights: np.ndarray, deltas: list[np.ndarray] | None, layer: int) -> np.ndarray:
    """Layer `layer`'s change, or zeros where there is none that fits its weights."""
    if deltas is None or layer >= len(deltas) or deltas[layer].shape != weights.shape:
        return np.zeros(weights.shape, np.float32)
    return deltas[layer]


def hover_line(plan: PanelPlan, unit: int, column: int, value: float, bias: float) -> str:
    """'unit 3 ← pixel (4, 20): w = +0.12 · bias -0.31' (a change: 'Δw =', no bias)."""
    if plan.as_tiles and plan.colour:  # height × width × RGB inputs
        pixel, channel = divmod(column, 3)
        row, col = divmod(pixel, plan.tile_shape[1])
        source = f"pixel ({row}, {col}) {('red', 'green', 'blue')[channel]}"
    elif plan.as_tiles:
        source = "pixel ({}, {})".format(*divmod(column, IMAGE_SIDE))
    else:
        source = f"input {column}" if plan.layer == 0 else f"unit {column}"
    text = f"{plan.unit_name(unit)} ← {source}: {'Δw' if plan.is_delta else 'w'} = {value:+.3g}"
    return text if plan.is_delta else f"{text} · bias {bias:+.2f}"
