"""Replaying a saved run and recording a view across it: a frame a moment, each moment's
change against the one before, bad output refused before any frame is rendered."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.core.errors import DigitlabError
from digitlab.core.protocol import SnapshotStatus
from digitlab.core.replay import replay
from digitlab.core.run_file import RunFile, save_run
from digitlab.ui.recorder import record_run
from tests.core.test_run_file import SPEC, moment


@pytest.fixture
def run_path(tmp_path):
    rng = np.random.default_rng(1)
    start = moment(0, rng)
    start = type(start)(0, 0, 0.0, float("nan"), float("nan"), None, False, start.network)
    moments = (start, *(moment(i, rng, 0.6 if i in (4, 8) else None) for i in range(1, 9)))
    return save_run(tmp_path / "run.safetensors", RunFile(SPEC, (0, 1, 7), moments))


def test_a_replay_gives_every_moment_after_the_start_with_its_change(run_path) -> None:
    from digitlab.core.run_file import load_run

    run = load_run(run_path)
    snaps = list(replay(run))
    assert [s.step for s in snaps] == [m.step for m in run.moments[1:]]
    assert [s.status for s in snaps][-1] is SnapshotStatus.DONE
    assert SnapshotStatus.EPOCH in [s.status for s in snaps]
    for before, now, snap in zip(run.moments, run.moments[1:], snaps):
        change = now.network.weights[0] - before.network.weights[0]
        np.testing.assert_allclose(snap.deltas[0], change)


def test_a_view_is_recorded_a_frame_a_moment_in_each_format(qtbot, run_path, tmp_path) -> None:
    from digitlab.core.animation import encoded

    out = tmp_path / "weights.gif"
    path, frames = record_run(run_path, "weights", out, (320, 240), fps=5)
    assert frames == 8 and path == out
    with Image.open(out) as animation:
        shown = []
        for index in range(animation.n_frames):
            animation.seek(index)
            shown.append(animation.convert("RGB"))
    assert len(shown) == 8 and shown[0].size == (320, 240)
    assert not np.array_equal(np.asarray(shown[0]), np.asarray(shown[7]))
    for suffix in (".webp", ".png"):  # the same frames, encoded the other ways
        other = tmp_path / f"weights{suffix}"
        other.write_bytes(encoded(shown, suffix, 5))
        with Image.open(other) as animation:
            assert animation.n_frames == 8 and animation.size == (320, 240)


def test_bad_output_is_refused_before_any_frame(qtbot, run_path, tmp_path, capsys) -> None:
    with pytest.raises(DigitlabError, match=r"\.gif, \.webp, \.png \(animated\) or \.mp4"):
        record_run(run_path, "weights", tmp_path / "x.avi")
    assert main(["record", str(run_path), "--view", "nope", "--out", str(tmp_path / "x.gif")]) == 2
    assert "no view 'nope'" in capsys.readouterr().err
    assert main(["record", str(tmp_path / "missing"), "--view", "weights", "--out",
                 str(tmp_path / "x.gif")]) == 1  # fmt: skip
    assert "no such run file" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.safetensors"]


def test_frames_spread_over_the_run(qtbot, run_path, tmp_path) -> None:
    path, frames = record_run(run_path, "curves", tmp_path / "c.png", (300, 200), max_frames=3)
    assert frames == 3
    with Image.open(path) as animation:
        assert animation.n_frames == 3


def test_mp4_through_the_video_extra(qtbot, run_path, tmp_path, monkeypatch) -> None:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")  # in the test extra; optional for users
    out = tmp_path / "weights.mp4"
    path, frames = record_run(run_path, "weights", out, (321, 241), fps=4)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    assert meta["size"] == (320, 240) and sum(1 for _ in reader) == frames == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.safetensors", "weights.mp4"]
    monkeypatch.setitem(__import__("sys").modules, "imageio_ffmpeg", None)  # not installed
    with pytest.raises(DigitlabError, match=r"digitlab\[video\]"):
        record_run(run_path, "weights", tmp_path / "again.mp4")
