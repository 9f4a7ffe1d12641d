"""Experiment result files: what is written reads back the same; anything else is one DataError."""

from __future__ import annotations

import json
import math
import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitlab.core.errors import DataError
from digitlab.core.experiments import ExperimentResult, Heatmap, Line, Panel, Settings, Table
from digitlab.core.experiments.storage import (
    MAX_PANELS,
    read_result,
    result_json,
    save_result,
    stored_results,
)


def a_result(name: str = "demo", seed: int = 0) -> ExperimentResult:
    regions = Heatmap([[0.0, 0.5], [0.25, 1.0]], (-1.0, 1.0), (0.0, 2.0))
    panels = [Panel("fit", "x", "y", [Line("data", [0.0, 1.0], [1.0, 2.0], points=True),
                                      Line("net", [0.0, 1.0], [1.5, 2.5], dashed=True)]),
              Panel("regions", "x₁", "x₂", [Line("class 1", [0.5], [0.5], True, True, 1)],
                    log_y=True, heatmap=regions)]  # fmt: skip
    tables = [Table(["case", "error", "epochs"], [["a", 0.25, 3], ["b", 0.5, "> 10"]])]
    return ExperimentResult(name, Settings(True, seed), tables, panels, "It held.", None, 1.5)


def test_a_result_reads_back_the_same(tmp_path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(result_json(a_result()))
    assert read_result(path) == a_result()


def test_kept_results_are_listed_newest_first_and_never_overwritten(tmp_path) -> None:
    first = save_result(a_result(seed=1), tmp_path)
    second = save_result(a_result(seed=1), tmp_path)
    third = save_result(a_result(seed=2), tmp_path)
    assert len({first, second, third}) == 3 and first.read_bytes() == result_json(a_result(seed=1))
    (tmp_path / "demo" / "notes.txt").write_text("not a result")
    found = stored_results(tmp_path, "demo")
    assert {f.path for f in found} == {first, second, third}
    assert found[0].saved >= found[-1].saved and all(f.quick for f in found)
    assert sorted(f.seed for f in found) == [1, 1, 2] and stored_results(tmp_path, "other") == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=5),
    max_leaves=20,
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=st.sampled_from(["name", "settings", "tables", "panels", "conclusion", "agrees"]),
       value=json_values)  # fmt: skip
def test_a_damaged_result_is_one_data_error(tmp_path, key, value) -> None:
    data = a_result().as_dict()
    data[key] = value
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(data))
    try:
        result = read_result(path)
    except DataError as error:
        assert str(path) in str(error) and "\n" not in str(error)
    else:  # the value happened to be valid where it went
        assert isinstance(result, ExperimentResult)


def test_not_json_and_missing_files_are_one_line(tmp_path) -> None:
    for content in (b"", b"\xff\xfe\x00", b"{", b"[]", b'"text"'):
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        try:
            read_result(path)
        except DataError as error:
            assert str(path) in str(error) and "digitlab experiment run" in str(error)
        else:
            raise AssertionError(f"{content!r} was read as a result")
    try:
        read_result(tmp_path / "nowhere.json")
    except DataError as error:
        assert "cannot read" in str(error)


def _damaged(data: dict, where: str, value) -> dict:
    """`data` with the field at `where` (keys and indexes joined by '.') set to `value`."""
    *parents, last = where.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    return data


def _one_line_error(path, match: str = "") -> str:
    try:
        read_result(path)
    except DataError as error:
        text = str(error)
        assert str(path) in text and "\n" not in text and len(text) < 600, text
        assert match in text, text
        return text
    raise AssertionError(f"{path} was read as a result")


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (lambda d: _damaged(d, "settings.seed", 10**400), "seed"),  # json: 1e999 is a float
        (lambda d: json.dumps(d).replace('"seed": 3', '"seed": 1e999'), "seed"),
        (lambda d: _damaged(d, "settings.seed", -1), "seed"),
        (lambda d: _damaged(d, "panels.1.heatmap.values", [[]]), "heatmap"),
        (lambda d: _damaged(d, "panels.1.heatmap.values", []), "heatmap"),
        (lambda d: _damaged(d, "panels.1.heatmap.levels", [1.0, 1.0]), "levels"),
        (lambda d: _damaged(d, "panels.1.heatmap.x_range", [0, 1e999]), "finite"),
        (lambda d: _damaged(d, "panels", [d["panels"][0]] * 3000), "3000 panels"),
        (lambda d: _damaged(d, "panels.0.lines", [d["panels"][0]["lines"][0]] * 500), "lines"),
        (lambda d: _damaged(d, "panels.0.lines.0.x", [0.0] * 200_000), "values"),
        (lambda d: _damaged(d, "tables.0.rows", [["a", 1.0, 2]] * 5000), "table rows"),
        (lambda d: _damaged(d, "panels.0.lines.0.colour", 1e999), "colour"),
        (lambda d: _damaged(d, "panels.0.lines.0.colour", 10**30), "colour"),
        (lambda d: _damaged(d, "panels.0.log_y", "yes"), "true or false"),
        (lambda d: _damaged(d, "seconds", 1e999), "seconds"),
        (lambda d: _damaged(d, "tables.0.rows.0.1", 10**100), "too large"),
        (lambda d: _damaged(d, "conclusion", "x" * 100_000), "characters"),
        (lambda d: _damaged(d, "settings", DEEP), "settings"),
        (lambda d: DEEP, "nested too deep"),
        (lambda d: '{"seed": ' + "9" * 5000 + "}", "not JSON"),
        (lambda d: [d], "must be an object"),
        (lambda d: "garbage \x00\x01 not json", "not JSON"),
    ],
)
def test_each_damage_the_window_met_is_one_data_error(tmp_path, content, match) -> None:
    data = content(json.loads(result_json(a_result(seed=3))))
    path = tmp_path / "result.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    _one_line_error(path, match)


def _returns_soon(call, seconds: float = 20.0):
    """Call in a thread: a read that blocks (a pipe opened for reading) fails the test, not
    hangs it."""
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(_outcome(call)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the read blocked"
    return outcome[0]


def _outcome(call):
    try:
        return call()
    except Exception as error:  # noqa: BLE001 - the test looks at it
        return error


def test_a_folder_or_a_pipe_is_never_opened_as_a_result(tmp_path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "20240101-000000-seed1.json").mkdir()
    os.mkfifo(folder / "20240101-000001-seed2.json")
    for entry in folder.iterdir():
        error = _returns_soon(lambda entry=entry: read_result(entry))
        assert isinstance(error, DataError) and "not a result file" in str(error)
        assert ("a folder" if entry.is_dir() else "a pipe") in str(error)
    found = _returns_soon(lambda: stored_results(tmp_path, "demo"))
    assert sorted(f.problem for f in found) == ["a folder, not a file", "a pipe, not a file"]
    assert all(f.label.startswith("damaged result, ") for f in found)


big_values = (
    st.integers(min_value=2**62)
    | st.sampled_from([1e308 * 10, -1e308 * 10, 10**400, [[]], [], {}, DEEP])
    | st.builds(lambda n, v: [v] * n, st.integers(0, 4000), st.sampled_from([0.0, "a", [0.0]]))
)
PLACES = [
    "name", "settings", "settings.seed", "settings.quick", "tables", "tables.0.header",
    "tables.0.rows", "tables.0.rows.0", "tables.0.rows.0.1", "panels", "panels.0",
    "panels.0.title", "panels.0.lines", "panels.0.lines.0.x", "panels.0.lines.0.y",
    "panels.0.lines.0.colour", "panels.0.lines.0.dashed", "panels.1.heatmap",
    "panels.1.heatmap.values", "panels.1.heatmap.values.0", "panels.1.heatmap.x_range",
    "panels.1.heatmap.levels", "conclusion", "agrees", "seconds",
]  # fmt: skip


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.sampled_from(PLACES), value=json_values | big_values)
def test_a_value_anywhere_is_a_result_the_window_can_draw_or_one_data_error(
    tmp_path, where, value
) -> None:
    data = _damaged(json.loads(result_json(a_result())), where, value)
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(data))
    try:
        result = read_result(path)
    except DataError as error:
        assert str(path) in str(error) and "\n" not in str(error) and len(str(error)) < 600
    else:  # the value happened to be valid where it went: then it is bounded and drawable
        assert isinstance(result, ExperimentResult) and len(result.panels) <= MAX_PANELS
        assert 0 <= result.settings.seed and math.isfinite(result.seconds)
        for panel in result.panels:
            if panel.heatmap is not None:
                assert panel.heatmap.values and panel.heatmap.values[0]
