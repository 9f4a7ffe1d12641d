"""Unit cards drawn as one RGB image: each hidden unit's filter, and under it its votes.

A card is the unit's incoming weights (28×28 for the first hidden layer; the previous layer's
units in a square for deeper ones) in the diverging colours, and below a small bar chart of its
outgoing weights to each class (red up: votes for, blue down: votes against). Hundreds of cards
as one image keep the view fast where hundreds of plot items would not. Dead units are faded.
The votes strip is 8 image px each way; drawn at `MIN_SCALE` or larger (the view scrolls rather
than shrink the cards further), a full vote is 12 screen px: readable, not a row of dots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from digitlab.ui.plots.mosaic import grid_for_room

GAP = 2  # pixels between cards
BAR_HEIGHT = 17  # the votes strip under each filter: 8 px up, the zero line, 8 px down
MIN_SCALE = 1.5  # screen px per card px, at least: a full vote 12 px, a filter 42 px
PAPER = np.array([255, 255, 255], np.uint8)
FOR = np.array([209, 36, 47], np.uint8)
AGAINST = np.array([33, 102, 172], np.uint8)
DEAD_FADE = 0.75  # how far a dead unit's card fades to the paper colour
DEAD_MARK = np.array([150, 150, 150], np.uint8)  # and it is crossed out


@dataclass(frozen=True)
class CardLayout:
    side: int  # filter side in pixels
    card_w: int
    card_h: int
    columns: int
    rows: int

    def unit_at(self, x: float, y: float, order: np.ndarray) -> int | None:
        """The unit whose card holds image pixel (x, y), or None (a gap, or outside)."""
        col, row = int(x // (self.card_w + GAP)), int(y // (self.card_h + GAP))
        if x < 0 or y < 0 or col >= self.columns:
            return None
        index = row * self.columns + col
        return int(order[index]) if 0 <= index < len(order) else None


def filter_side(inputs: int) -> int:
    return 28 if inputs == 784 else math.ceil(math.sqrt(inputs))


def card_size(inputs: int) -> tuple[int, int]:
    """(height, width) of one card in image pixels."""
    side = filter_side(inputs)
    return side + BAR_HEIGHT + 1, side


def columns_for_room(units: int, inputs: int, room: tuple[float, float]) -> int:
    """Columns for the largest cards that fit `room` (w, h) px; when that would draw them
    below MIN_SCALE, as many columns as fit the width at MIN_SCALE (the rest scrolls)."""
    height, width = card_size(inputs)
    columns = grid_for_room(units, (height, width), room, GAP)
    per_card = (width + GAP) * MIN_SCALE
    if room[0] / (columns * (width + GAP)) >= MIN_SCALE or room[0] <= 0:
        rows = math.ceil(units / columns)
        if room[1] / (rows * (height + GAP)) >= MIN_SCALE or room[1] <= 0:
            return columns
    return max(1, min(units, int(room[0] // per_card)))


def layout_for(units: int, inputs: int, columns: int) -> CardLayout:
    """A grid of `columns` cards per row (see `mosaic.grid_for_room`)."""
    height, width = card_size(inputs)
    columns = max(1, min(units, columns))
    return CardLayout(width, width, height, columns, math.ceil(units / columns))


def card_image(
    incoming: np.ndarray,
    outgoing: np.ndarray | None,
    lookup: np.ndarray,
    limit: float,
    layout: CardLayout,
    order: np.ndarray,
    dead: np.ndarray | None = None,
) -> np.ndarray:
    """(H, W, 3) uint8: the cards of the units in `order`.

    incoming (units, inputs) weights; outgoing (classes, units) or None; lookup a (256, 3) uint8
    colour table for −limit..+limit.
    """
    side = layout.side
    height = layout.rows * (layout.card_h + GAP)
    width = layout.columns * (layout.card_w + GAP)
    image = np.empty((height, width, 3), np.uint8)
    image[:] = PAPER
    padded = np.zeros((incoming.shape[0], side * side), np.float32)
    padded[:, : incoming.shape[1]] = incoming
    levels = np.clip((padded / limit + 1.0) * 127.5, 0, 255).astype(np.uint8)
    filters = lookup[levels].reshape(-1, side, side, 3)
    votes = None
    if outgoing is not None and outgoing.size:
        votes = outgoing / max(float(np.abs(outgoing).max()), 1e-12)
    half = BAR_HEIGHT // 2
    for slot, unit in enumerate(order):
        top = (slot // layout.columns) * (layout.card_h + GAP)
        left = (slot % layout.columns) * (layout.card_w + GAP)
        card = image[top : top + layout.card_h, left : left + layout.card_w]
        card[:side, :side] = filters[unit]
        if votes is not None:
            _draw_votes(card[side + 1 :], votes[:, unit], half)
        if dead is not None and dead[unit]:
            card[:] = (card * (1 - DEAD_FADE) + PAPER * DEAD_FADE).astype(np.uint8)
            diagonal = np.arange(side)
            card[diagonal, diagonal] = card[diagonal, side - 1 - diagonal] = DEAD_MARK
    return image


def _draw_votes(strip: np.ndarray, votes: np.ndarray, half: int) -> None:
    """A bar per class in `strip` (BAR_HEIGHT × width): up for positive, down for negative."""
    width = strip.shape[1]
    bar = max(1, width // len(votes))
    start = (width - bar * len(votes)) // 2
    strip[half, :] = (200, 200, 200)  # the zero line
    for index, vote in enumerate(votes):
        length = int(round(abs(vote) * half))
        if length == 0:
            continue
        left = start + index * bar
        right = left + max(1, bar - 1)
        if vote > 0:
            strip[half - length : half, left:right] = FOR
        else:
            strip[half + 1 : half + 1 + length, left:right] = AGAINST
