"""Stored run settings are untrusted: whatever they hold, the window gets valid settings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digitlab.session.run_settings import LIMITS, RunSettings, parse_hidden


def test_round_trip() -> None:
    chosen = RunSettings(
        dataset="fashion",
        classes=(0, 1, 2),
        augment="robust",
        hidden=(2, 2, 2),
        activation="tanh",
        optimizer="sgd",
        lr=0.05,
        momentum=0.5,
        weight_decay=1e-4,
        l1=1e-5,
        schedule="cosine",
        batch_size=2,
        epochs=8,
        seed=7,
        refresh_every=1,
    )
    stored = json.loads(json.dumps(chosen.to_dict()))
    assert RunSettings.from_dict(stored) == chosen


@pytest.mark.parametrize(
    ("stored", "field", "expected"),
    [
        ({"epochs": 3_000_000_000}, "epochs", 1000),
        ({"epochs": -5}, "epochs", 1),
        ({"lr": "1e999"}, "lr", RunSettings().lr),  # infinity: dropped, the default stays
        ({"lr": 1e-30}, "lr", 1e-6),
        ({"batch_size": "64"}, "batch_size", 64),
        ({"batch_size": True}, "batch_size", 64),
        ({"seed": 2**40}, "seed", 2**31 - 1),
        ({"hidden": "100,abc"}, "hidden", (100,)),
        ({"hidden": "0"}, "hidden", ()),
        ({"hidden": 10**12}, "hidden", (4096,)),
        ({"hidden": [1, 2]}, "hidden", (100,)),
        ({"classes": "1,1"}, "classes", None),
        ({"classes": "0-4"}, "classes", (0, 1, 2, 3, 4)),
        ({"dataset": "cifar"}, "dataset", "mnist"),
        ({"optimizer": ["adam"]}, "optimizer", "adam"),
        ({"augment": "yes"}, "augment", ""),
        ({"augment": "strong"}, "augment", ""),
        ({"momentum": float("nan")}, "momentum", 0.9),
    ],
)
def test_bad_values_are_clamped_or_dropped(stored, field, expected) -> None:
    assert getattr(RunSettings.from_dict(stored), field) == expected


def test_settings_of_digitlab_0_1_are_migrated() -> None:
    old = {"layers": 1, "hidden": 100, "refresh": "10", "epochs": 8}
    assert RunSettings.from_dict(old).hidden == ()
    assert RunSettings.from_dict(old).refresh_every == 10
    assert RunSettings.from_dict({"layers": 2, "hidden": 16, "refresh": "time"}).hidden == (16,)
    assert RunSettings.from_dict({"layers": 2, "hidden": 16, "refresh": "time"}).refresh_every == 0


def test_augment_stored_as_a_checkbox_becomes_a_recipe() -> None:
    assert RunSettings.from_dict({"augment": True}).augment == "light"
    assert RunSettings.from_dict({"augment": False}).augment == ""
    assert RunSettings.from_dict({"augment": True}).config().augment == "light"


@pytest.mark.parametrize("augment", ["", "light", "robust"])
def test_every_augmentation_recipe_reaches_the_run(augment) -> None:
    chosen = RunSettings(augment=augment)
    assert RunSettings.from_dict(chosen.to_dict()).config().augment == augment


@pytest.mark.parametrize("stored", [None, [], "x", 3, {"epochs": None}])
def test_anything_that_is_not_a_mapping_gives_defaults(stored) -> None:
    assert RunSettings.from_dict(stored).epochs in (3,)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from([*RunSettings().to_dict(), "layers", "refresh", "junk"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, JSON | st.sampled_from(["1e999", "-0", "3,5,8", "0-4", "2,2"])))
def test_whatever_is_stored_gives_usable_settings(stored) -> None:
    chosen = RunSettings.from_dict(stored)
    chosen.spec()
    chosen.config()  # TrainConfig validates every field
    for name, (low, high) in LIMITS.items():
        assert low <= getattr(chosen, name) <= high


@pytest.mark.parametrize(
    ("text", "expected"), [("100", (100,)), (" 2, 2 ,2", (2, 2, 2)), ("", ()), ("none", ())]
)
def test_parse_hidden(text, expected) -> None:
    assert parse_hidden(text) == expected


@pytest.mark.parametrize("text", ["a", "100,0", "5000", "1,1,1,1,1,1,1,1,1", "1.5"])
def test_parse_hidden_rejects(text) -> None:
    with pytest.raises(ValueError):
        parse_hidden(text)
