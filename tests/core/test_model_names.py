"""Every command that takes a model takes the shipped names from any folder, and every command
gives the same one line for a model it cannot use; JSON output is always valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import build_parser, main
from digitlab.core.checkpoint import load_checkpoint, save_checkpoint
from digitlab.core.network import Network
from digitlab.core.resources import SHIPPED_MODELS, resolve_model, shipped_model_path
from tests.core.test_checkpoint import _good_parts, _write_raw, make_network


@pytest.fixture
def seven(tmp_path: Path) -> Path:
    pixels = np.zeros((28, 28), np.uint8)
    pixels[6, 8:20] = 255
    pixels[6:22, 18:20] = 255
    Image.fromarray(pixels).save(tmp_path / "seven.png")
    return tmp_path / "seven.png"


def _json_lines(text: str) -> list:
    return [json.loads(line, parse_constant=_no_constant) for line in text.splitlines()]


def _no_constant(name: str):
    raise AssertionError(f"{name} in the JSON output")


def test_resolve_model() -> None:
    assert resolve_model(None) == shipped_model_path("robust")
    assert resolve_model("linear") == shipped_model_path("linear")
    here = str(shipped_model_path("mlp"))
    assert resolve_model(here) == Path(here)


@pytest.mark.parametrize("name", sorted(SHIPPED_MODELS))
def test_predict_takes_a_shipped_name_from_any_folder(name, seven, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["predict", "--model", name, str(seven)]) == 0
    (answer,) = _json_lines(capsys.readouterr().out)
    assert answer["digit"] == 7


def test_evaluate_and_probe_take_a_shipped_name(tiny_mnist_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    data = ["--data-dir", str(tiny_mnist_dir)]
    assert main([*data, "evaluate", "linear", "--json"]) == 0
    (result,) = _json_lines(capsys.readouterr().out)
    assert result["model"] == "linear" and result["spec"]["hidden"] == []
    assert main([*data, "probe", "linear", "--json"]) == 0
    (result,) = _json_lines(capsys.readouterr().out)
    assert result["spec"] == "784→10"


def test_the_help_names_the_shipped_models() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in ("predict", "evaluate", "probe", "robustness"):
        text = " ".join(commands[command].format_help().split())
        assert "robust" in text and "mlp" in text and "linear" in text, command


def test_a_missing_model_names_the_shipped_ones(seven, tmp_path, capsys) -> None:
    assert main(["predict", "--model", str(tmp_path / "nope.safetensors"), str(seven)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "no such model file" in err
    assert "shipped model's name: robust, mlp, linear" in err


def _huge_weights(path: Path, value: float) -> Path:
    tensors, header = _good_parts(make_network())
    tensors["layers.0.weight"] = np.full((4, 784), value, np.float32)
    return _write_raw(path, tensors, header)


def _classes_0_1(path: Path) -> Path:
    linear = load_checkpoint(shipped_model_path("linear"))
    return save_checkpoint(path, linear.network, {**linear.meta, "classes": [0, 1]})


@pytest.mark.parametrize("make", [_classes_0_1, lambda p: _huge_weights(p, 1e30)],
                         ids=["classes-0-1-of-10-outputs", "weights-1e30"])  # fmt: skip
def test_a_model_no_command_can_use_is_the_same_line_everywhere(
    make, seven, tiny_mnist_dir, tmp_path, capsys
) -> None:
    model = str(make(tmp_path / "bad.safetensors"))
    data = ["--data-dir", str(tiny_mnist_dir)]
    lines = []
    for args in (
        ["predict", "--model", model, str(seven)],
        [*data, "evaluate", model, "--json"],
        [*data, "probe", model, "--json"],
        [*data, "robustness", model, "--json", "--limit", "5"],
    ):
        assert main(args) == 1, args
        out, err = capsys.readouterr()
        assert out == "" and len(err.splitlines()) == 1 and model in err, (args, err)
        lines.append(err.split(": ", 1)[1])
    assert len(set(lines)) == 1  # the loader decided, once, for every command


def test_non_finite_metadata_prints_valid_json(tiny_mnist_dir, tmp_path, capsys) -> None:
    tensors, header = _good_parts(make_network())
    header["meta"] = '{"loss": NaN, "history": [Infinity], "test_accuracy": 0.5}'
    model = str(_write_raw(tmp_path / "m.safetensors", tensors, header))
    assert main(["--data-dir", str(tiny_mnist_dir), "evaluate", model, "--json"]) == 0
    captured = capsys.readouterr()
    (result,) = _json_lines(captured.out)
    assert result["meta"]["loss"] is None and result["meta"]["history"] == [None]
    assert "Warning" not in captured.err


def test_predict_never_prints_a_non_finite_number(seven, capsys, monkeypatch) -> None:
    """Safety net behind the loader: outputs that are not finite are one line, not NaN."""
    monkeypatch.setattr(Network, "probabilities", lambda self, x: np.full((1, 10), np.nan))
    assert main(["predict", str(seven)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "not finite" in err.splitlines()[0]
