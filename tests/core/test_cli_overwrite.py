"""Outputs never take the place of something else: one line, a non-zero exit, nothing lost."""

from __future__ import annotations

from tests.core.test_cli import train_tiny
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
