"""Fuzzing the model loader: whatever a file holds, the answer is a model or one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitlab.core.checkpoint import Checkpoint, load_checkpoint
from digitlab.core.choices import ACTIVATIONS, DATASETS
from digitlab.core.errors import CheckpointError
from tests.core.test_checkpoint import _good_parts, _write_raw, make_network

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
specs = st.fixed_dictionaries(
    {},
    optional={
        "hidden": st.lists(st.integers(-5, 10**12), max_size=3) | json_values,
        "activation": st.sampled_from(ACTIVATIONS) | json_values,
        "num_classes": st.integers(-3, 12) | json_values,
        "input_size": st.just(784) | json_values,
    },
)
metas = st.fixed_dictionaries(
    {},
    optional={
        "classes": st.lists(st.integers(-2, 12), max_size=11) | json_values,
        "dataset": st.sampled_from(list(DATASETS)) | json_values,
        "test_accuracy": st.floats() | json_values,
        "epochs": json_values,
        "train": json_values,
    },
)
TENSOR_DAMAGE = {
    "none": lambda t: None,
    "drop": lambda t: t.pop("layers.0.bias"),
    "int64": lambda t: t.update({"layers.0.weight": t["layers.0.weight"].astype(np.int64)}),
    "float64": lambda t: t.update({"layers.1.bias": t["layers.1.bias"].astype(np.float64)}),
    "flat": lambda t: t.update({"layers.0.weight": t["layers.0.weight"].ravel()}),
    "extra": lambda t: t.update({"layers.9.weight": np.zeros((2, 2), np.float32)}),
}


def _check(path: Path) -> None:
    try:
        checkpoint = load_checkpoint(path)
    except CheckpointError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 400 + len(str(path)), message
    else:
        assert isinstance(checkpoint, Checkpoint)
        assert checkpoint.network.is_finite()
        assert len(set(checkpoint.classes)) == checkpoint.spec.num_classes


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.safetensors"
    path.write_bytes(data)
    _check(path)


@FUZZ
@given(
    spec=specs | json_values,
    meta=metas | json_values,
    version=st.just("2") | st.text(max_size=30),
    raw_spec=st.none() | st.text(max_size=30),
    damage=st.sampled_from(sorted(TENSOR_DAMAGE)),
)
def test_fuzz_valid_looking_files_with_wrong_fields(
    tmp_path: Path, spec, meta, version: str, raw_spec: str | None, damage: str
) -> None:
    tensors, header = _good_parts(make_network())
    TENSOR_DAMAGE[damage](tensors)
    header.update(version=version, meta=json.dumps(meta))
    header["spec"] = raw_spec if raw_spec is not None else json.dumps(spec)
    _check(_write_raw(tmp_path / "fuzz.safetensors", tensors, header))
