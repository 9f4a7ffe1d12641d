"""The orderings behind the confusion and mistakes views, on small hand-made arrays."""

from __future__ import annotations

import numpy as np

from digitlab.core.metrics import confusion_matrix
from digitlab.core.mistakes import cell_indices, confident_mistakes, top_per_cell

LABELS = np.array([0, 0, 1, 1, 2, 2, 2, 0])
PREDICTED = np.array([0, 1, 1, 2, 2, 0, 0, 1])
CONFIDENCE = np.array([0.9, 0.6, 0.8, 0.7, 0.99, 0.5, 0.95, 0.85])


def test_cell_indices_are_that_cells_images_most_confident_first() -> None:
    assert cell_indices(LABELS, PREDICTED, CONFIDENCE, 0, 1).tolist() == [7, 1]
    assert cell_indices(LABELS, PREDICTED, CONFIDENCE, 2, 0).tolist() == [6, 5]
    assert cell_indices(LABELS, PREDICTED, CONFIDENCE, 1, 0).tolist() == []


def test_confident_mistakes_filter_and_order() -> None:
    every = confident_mistakes(LABELS, PREDICTED, CONFIDENCE)
    assert every.tolist() == [6, 7, 3, 1, 5]
    assert np.all(LABELS[every] != PREDICTED[every])
    assert confident_mistakes(LABELS, PREDICTED, CONFIDENCE, true=0).tolist() == [7, 1]
    assert confident_mistakes(LABELS, PREDICTED, CONFIDENCE, guess=0).tolist() == [6, 5]
    assert confident_mistakes(LABELS, PREDICTED, CONFIDENCE, true=1, guess=2).tolist() == [3]
    assert confident_mistakes(LABELS, PREDICTED, CONFIDENCE, true=1, guess=0).tolist() == []
    assert confident_mistakes(LABELS, PREDICTED, CONFIDENCE, limit=2).tolist() == [6, 7]


def test_top_per_cell_matches_the_first_of_each_cell() -> None:
    top = top_per_cell(LABELS, PREDICTED, CONFIDENCE, 3)
    for true in range(3):
        for guess in range(3):
            cell = cell_indices(LABELS, PREDICTED, CONFIDENCE, true, guess)
            assert top[true, guess] == (cell[0] if len(cell) else -1)


def test_random_cells_agree_with_the_confusion_matrix() -> None:
    rng = np.random.default_rng(1)
    labels, predicted = rng.integers(0, 10, 2000), rng.integers(0, 10, 2000)
    confidence = rng.random(2000)
    confusion = confusion_matrix(labels, predicted, 10)
    assert confusion.sum() == 2000
    top = top_per_cell(labels, predicted, confidence, 10)
    for true in range(10):
        for guess in range(10):
            cell = cell_indices(labels, predicted, confidence, true, guess)
            assert len(cell) == confusion[true, guess]
            assert np.all(np.diff(confidence[cell]) <= 0)
            assert top[true, guess] == cell[0]
    assert len(confident_mistakes(labels, predicted, confidence)) == 2000 - np.trace(confusion)


def test_empty_inputs() -> None:
    empty = np.empty(0, np.int64)
    assert top_per_cell(empty, empty, np.empty(0), 2).tolist() == [[-1, -1], [-1, -1]]
    assert confident_mistakes(empty, empty, np.empty(0)).size == 0
