"""Stored settings are untrusted: whatever a settings file holds, every view opens."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitlab.ui.views import VIEWS

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("spec", VIEWS, ids=lambda spec: spec.id)
def test_any_stored_view_settings_are_taken_or_dropped(qtbot, session, spec) -> None:
    view = spec.create(session)
    qtbot.addWidget(view)
    keys = sorted(view.view_settings()) or ["anything"]

    @FUZZ
    @given(values=st.dictionaries(st.sampled_from(keys), json_values))  # read_section: a dict
    def apply(values) -> None:
        view.apply_view_settings(values)
        json.dumps(view.view_settings(), allow_nan=False)  # what it stores next is valid JSON

    apply()
