"""The view registry: every view starts in exactly one place."""

from __future__ import annotations

import pytest

from digitlab.ui.layout import columns, tabbed
from digitlab.ui.views import VIEWS, ViewSpec


def test_a_view_starts_in_a_column_or_as_a_tab_not_both_nor_neither() -> None:
    base = {"id": "x", "title": "X", "factory": "m:C"}
    assert ViewSpec(**base, column=0).column == 0
    assert ViewSpec(**base, tab_with="weights").column is None
    with pytest.raises(ValueError, match="column or tab_with"):
        ViewSpec(**base)
    with pytest.raises(ValueError, match="column or tab_with"):
        ViewSpec(**base, column=1, tab_with="weights")
    with pytest.raises(TypeError):
        ViewSpec("x", "X", "m:C", column=0)  # type: ignore[misc]  # keywords only


def test_every_view_is_in_a_column_or_behind_a_registered_one() -> None:
    placed = [spec.id for stack in columns() for spec in stack]
    behind = [spec.id for spec in VIEWS if tabbed(spec)]
    assert sorted(placed + behind) == sorted(spec.id for spec in VIEWS)
    assert placed == ["pad", "prediction", "model", "preview", "training", "run", "curves",
                      "weights"]  # fmt: skip
