"""The weights' colour scales and which units the first look shows: plain functions of the
numbers, no view needed (the Weights view's own tests are in test_weights_view.py)."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.ui.plots.style import nice_ceiling, per_unit, robust_limit, steady_limit
from digitlab.ui.plots.tile_choice import most_important


def test_robust_limit_is_exact_for_small_layers_and_close_for_big_ones():
    rng = np.random.default_rng(1)
    small = rng.normal(size=(10, 784)).astype(np.float32)
    assert robust_limit(small) == pytest.approx(np.percentile(np.abs(small), 99), rel=1e-6)
    big = rng.normal(size=(512, 784)).astype(np.float32)
    assert robust_limit(big) == pytest.approx(np.percentile(np.abs(big), 99), rel=0.02)
    np.testing.assert_allclose(per_unit(np.array([[0.5, -1.0], [0, 0]])), [[0.5, -1.0], [0, 0]])


@pytest.mark.parametrize(
    ("value", "nice"), [(0.37, 0.4), (0.4, 0.4), (0.0021, 0.0025), (7.1, 8.0), (9.5, 10.0)]
)
def test_levels_are_nice_numbers(value, nice) -> None:
    assert nice_ceiling(value) == pytest.approx(nice)


def test_levels_stay_steady_while_the_weights_drift() -> None:
    limit = steady_limit(None, 0.37)
    assert limit == pytest.approx(0.4)
    for drift in (0.39, 0.30, 0.23):  # within (55 %, 100 %] of 0.4: the colours do not change
        assert steady_limit(limit, drift) == limit
    assert steady_limit(limit, 0.41) == pytest.approx(0.5)  # outgrown: the next nice number
    assert steady_limit(limit, 0.1) == pytest.approx(0.1)  # shrunk a lot: rescaled


def test_most_important_units_are_those_with_the_largest_outgoing_weights() -> None:
    outgoing = np.zeros((10, 6))
    outgoing[:, [4, 1, 5]] = [3.0, 2.0, 1.0]
    assert most_important(outgoing, 2).tolist() == [1, 4]  # the two largest, in index order
    assert most_important(outgoing, 6).tolist() == list(range(6))
    assert most_important(None, 2).tolist() == []
