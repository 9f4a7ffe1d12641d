"""Experiment result files: what is written reads back the same; anything else is one DataError."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitlab.core.errors import DataError
from digitlab.core.experiments import ExperimentResult, Heatmap, Line, Panel, Settings, Table
from digitlab.core.experiments.storage import read_result, result_json, save_result, stored_results


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
