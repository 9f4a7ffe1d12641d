"""Outputs never take the place of something else: one line, a non-zero exit, nothing lost."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digitlab.cli import main
from digitlab.core.checkpoint import load_checkpoint
from tests.conftest import REPO
from tests.core.test_cli import train_tiny, write_png
from tests.core.test_cli_failures import one_line


def test_out_and_history_naming_one_file_are_refused_before_training(
    tiny_mnist_dir, tmp_path, capsys
) -> None:
    out = tmp_path / "m.safetensors"
    # the same file under another spelling: the history would have replaced the model
    again = tmp_path / "sub" / ".." / "m.safetensors"
    (tmp_path / "sub").mkdir()
    assert train_tiny(tiny_mnist_dir, out, "--hidden", "0", "--history", str(again)) == 1
    message = one_line(capsys.readouterr().err)
    assert "--out and --history both name" in message and "name of its own" in message
    assert not out.exists()


STROKE = np.eye(28, dtype=np.uint8) * 255


def _no_data(monkeypatch) -> None:
    from digitlab.core import data

    def refuse(*args, **kwargs):
        raise AssertionError("the data was loaded: the output should be refused before")

    monkeypatch.setattr(data, "load_dataset", refuse)


def test_train_never_writes_over_a_file_that_is_not_a_model(
    tiny_mnist_dir, tmp_path, capsys, monkeypatch
) -> None:
    notes, digit = tmp_path / "notes.txt", write_png(tmp_path / "digit.png", STROKE)
    notes.write_text("a week of notes")
    kept = {path: path.read_bytes() for path in (notes, digit)}
    _no_data(monkeypatch)
    for target, held in ((notes, "exists and is not a digitlab model"),
                         (digit, "holds a PNG picture, not a digitlab model")):  # fmt: skip
        assert train_tiny(tiny_mnist_dir, target, "--hidden", "0") == 1
        message = one_line(capsys.readouterr().err)
        assert f"{target} already {held}" in message and "will not write over it" in message
    assert {path: path.read_bytes() for path in kept} == kept


def test_a_model_is_still_replaced_by_a_new_one_and_an_empty_file_is_fair_game(
    tiny_mnist_dir, tmp_path, capsys
) -> None:
    out, empty = tmp_path / "m.safetensors", tmp_path / "empty.safetensors"
    empty.touch()
    assert train_tiny(tiny_mnist_dir, out, "--hidden", "0") == 0
    assert train_tiny(tiny_mnist_dir, out, "--hidden", "3") == 0  # a rerun replaces its model
    assert load_checkpoint(out).spec.hidden == (3,)
    assert train_tiny(tiny_mnist_dir, empty, "--hidden", "0") == 0
    assert load_checkpoint(empty).spec.hidden == ()


def test_history_and_pictures_keep_to_their_own_kind(tiny_mnist_dir, tmp_path, capsys) -> None:
    model = tmp_path / "m.safetensors"
    assert train_tiny(tiny_mnist_dir, model, "--hidden", "0") == 0
    before = model.read_bytes()
    capsys.readouterr()
    # the run's history over a model, the confusion PNG over a model: both refused
    assert train_tiny(tiny_mnist_dir, tmp_path / "n.safetensors", "--history", str(model)) == 1
    assert "holds a digitlab model, not a digitlab run file" in one_line(capsys.readouterr().err)
    args = ["--data-dir", str(tiny_mnist_dir), "evaluate", str(model), "--png", str(model)]
    assert main(args) == 1
    assert "holds a digitlab model, not a PNG picture" in one_line(capsys.readouterr().err)
    assert model.read_bytes() == before


def test_a_recording_is_not_written_over_a_file_of_another_format(tmp_path) -> None:
    from digitlab.core.animation import check_recording_path
    from digitlab.core.errors import DigitlabError

    picture = tmp_path / "digit.gif"  # a PNG under a .gif name
    picture.write_bytes(write_png(tmp_path / "d.png", STROKE).read_bytes())
    with pytest.raises(DigitlabError, match="holds a PNG picture, not a GIF picture"):
        check_recording_path(picture)
    write_png(tmp_path / "old.png", STROKE)
    assert check_recording_path(tmp_path / "old.png") == tmp_path / "old.png"  # PNG over PNG


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\n....", "png"), (b"GIF89a....", "gif"),
     (b"RIFF\0\0\0\0WEBPVP8 ", "webp"), (b"\0\0\0\x18ftypisom", "mp4"),
     (b"\xff\xd8\xff\xe0", "jpeg"), (b'  {"a": 1}', "json"),
     (b"plain text", None), (b"\xff" * 64, None)],
)  # fmt: skip
def test_file_kind_reads_the_first_bytes(tmp_path, head: bytes, kind: str | None) -> None:
    from digitlab.core.file_kinds import file_kind

    path = tmp_path / "x"
    path.write_bytes(head)
    assert file_kind(path) == kind


def test_file_kind_knows_digitlab_safetensors(tmp_path) -> None:
    from digitlab.core.file_kinds import file_kind

    assert file_kind(REPO / "models" / "linear.safetensors") == "model"
    header = json.dumps({"__metadata__": {"format": "someone-else"}}).encode()
    (tmp_path / "other.safetensors").write_bytes(len(header).to_bytes(8, "little") + header)
    assert file_kind(tmp_path / "other.safetensors") is None


def test_a_screenshot_is_not_written_over_a_file_of_another_kind(tmp_path, capsys) -> None:
    shot = tmp_path / "shot.png"
    shot.write_text("not a picture: notes")
    assert main(["screenshot", str(shot), "--no-train", "--view", "pad"]) == 1
    assert "exists and is not a PNG picture" in one_line(capsys.readouterr().err)
    assert shot.read_text() == "not a picture: notes"
