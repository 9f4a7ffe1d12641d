"""Where a classifier breaks, as index arrays: pure numpy over (labels, predicted, confidence).

The confusion view lists one cell's images most confident first, shows the most confident image
of every cell, and the mistakes view lists the most confident mistakes, filtered by true and by
predicted class. All three are orderings of the same three arrays, kept here so they are tested
without a window.
"""

from __future__ import annotations

import numpy as np


def cell_indices(
    labels: np.ndarray, predicted: np.ndarray, confidence: np.ndarray, true: int, guess: int
) -> np.ndarray:
    """Indices of the images of class `true` predicted as `guess`, most confident first
    (ties keep the data order)."""
    chosen = np.flatnonzero((labels == true) & (predicted == guess))
    return chosen[np.argsort(-confidence[chosen], kind="stable")]


def confident_mistakes(
    labels: np.ndarray,
    predicted: np.ndarray,
    confidence: np.ndarray,
    true: int | None = None,
    guess: int | None = None,
    limit: int | None = None,
) -> np.ndarray:
    """Indices of the mistakes (prediction ≠ label), most confident first; only those of true
    class `true` and predicted class `guess` where given; at most `limit`."""
    wrong = labels != predicted
    if true is not None:
        wrong &= labels == true
    if guess is not None:
        wrong &= predicted == guess
    chosen = np.flatnonzero(wrong)
    ordered = chosen[np.argsort(-confidence[chosen], kind="stable")]
    return ordered if limit is None else ordered[:limit]


def top_per_cell(
    labels: np.ndarray, predicted: np.ndarray, confidence: np.ndarray, k: int
) -> np.ndarray:
    """(k, k) index of the most confident image in each confusion cell, -1 where it is empty.
    One sort for all cells: by cell, then by confidence, descending."""
    top = np.full(k * k, -1, np.int64)
    if len(labels) == 0:
        return top.reshape(k, k)
    cells = np.asarray(labels, np.int64) * k + np.asarray(predicted, np.int64)
    order = np.lexsort((-confidence, cells))
    firsts = np.flatnonzero(np.r_[True, cells[order][1:] != cells[order][:-1]])
    top[cells[order][firsts]] = order[firsts]
    return top.reshape(k, k)
