"""Recording from the window (File → Record…, the timeline's Record button): a view across the
run's timeline a frame a moment, the window live while a run trains, and the bad cases: an
unwritable file refused before any frame, a cancelled or failed recording leaving no file, no
temporary file, and one notice."""

from __future__ import annotations

import pytest
from PIL import Image

from digitlab.core.errors import DigitlabError
from digitlab.session.notices import Level
from digitlab.ui.record_dialog import RecordingPlan
from digitlab.ui.window_recorder import Mode, WindowRecording
from tests.ui.conftest import open_main_window, settings_file, train


def notices_of(session) -> list:
    seen: list = []
    session.notices.posted.connect(seen.append)
    return seen


def files_in(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "settings.ini")


def weights_plan(window, path, size=(320, 240)) -> RecordingPlan:
    return RecordingPlan(window.view("weights"), "the Weights view", Mode.TIMELINE, 10, size,
                         path, window.docks["weights"])  # fmt: skip


def test_a_view_across_the_timeline_is_a_frame_a_moment(session, qtbot, tmp_path) -> None:
    window = open_main_window(qtbot, session, settings_file(tmp_path))
    train(session, qtbot, epochs=1, refresh_every=2)
    window.workspaces.switch("train")
    timeline = session.timeline
    timeline.seek(1)
    count = len(timeline.moments)
    assert count >= 3
    seen = notices_of(session)
    recording = window.recording.start(weights_plan(window, tmp_path / "weights.gif"))
    assert recording is not None and recording.grabbing
    assert window.timeline.record_button.text().startswith("■ Stop (")
    qtbot.waitUntil(lambda: not recording.busy, timeout=60_000)
    with Image.open(tmp_path / "weights.gif") as animation:
        assert animation.n_frames == count
        assert animation.size[0] <= 320 and animation.size[1] <= 240
        assert max(animation.size) >= 200  # scaled to fit, not shrunk to nothing
    assert timeline.position == 1 and not timeline.live  # back where it was
    assert window.timeline.record_button.text() == "● Record…"
    assert [n.text for n in seen if n.level is Level.INFO][-1] == (
        f"Recorded {count} frames in {tmp_path / 'weights.gif'}"
    )
    assert files_in(tmp_path) == ["weights.gif"]


def test_live_recording_follows_the_run_and_ends_with_it(session, qtbot, tmp_path) -> None:
    window = open_main_window(qtbot, session, settings_file(tmp_path), size=(900, 600))
    plan = RecordingPlan(window, "the window", Mode.LIVE, 30, (450, 300), tmp_path / "live.png")
    recording = window.recording.start(plan)
    assert recording is not None and recording.frames == 1  # the first frame at once
    bar = window.timeline  # no run yet: the bar stays for its Stop button
    assert not bar.parentWidget().isHidden() and bar.record_button.isEnabled()
    assert not bar.slider.isEnabled()
    train(session, qtbot, epochs=1)
    qtbot.waitUntil(lambda: not recording.busy, timeout=30_000)
    with Image.open(tmp_path / "live.png") as animation:
        assert animation.n_frames >= 2
        assert animation.size == (450, 300)
    assert window.recording.action.text() == "&Record…"
    session.run.reset()  # no run and no recording: no bar
    assert bar.parentWidget().isHidden()


def test_an_unwritable_file_is_refused_before_any_frame(session, qtbot, tmp_path) -> None:
    window = open_main_window(qtbot, session, settings_file(tmp_path), size=(900, 600))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    window.recording.request()  # File → Record…
    dialog = window.recording.dialog
    assert dialog.isVisible() and dialog.live.isChecked()
    assert not dialog.across.isEnabled()  # no run: no timeline to record
    dialog.path.setText(str(blocker / "weights.gif"))
    dialog.accept()
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert "is a file, not a folder" in dialog.problem.text()
    assert "\n" not in dialog.problem.text()
    dialog.path.setText(str(tmp_path / "weights.avi"))
    dialog.accept()
    assert ".gif, .webp, .png (animated) or .mp4" in dialog.problem.text()
    assert window.recording.recording is None
    dialog.reject()
    recording = WindowRecording(session, window, blocker / "x.gif", Mode.LIVE)
    with pytest.raises(DigitlabError, match="is a file"):
        recording.start()
    assert recording.frames == 0 and not recording.busy
    assert files_in(tmp_path) == ["a-file"]


def test_the_dialog_starts_the_recording_it_describes(session, qtbot, tmp_path) -> None:
    window = open_main_window(qtbot, session, settings_file(tmp_path), size=(900, 600))
    seen = notices_of(session)
    window.timeline.record_requested.emit()  # the bar's Record button
    dialog = window.recording.dialog
    titles = [dialog.what.itemText(i) for i in range(dialog.what.count())]
    assert titles[0] == "The whole window" and len(titles) > 1
    dialog.what.setCurrentIndex(1)
    assert dialog.width_box.value() == dialog._targets[1][2].width()
    dialog.width_box.setValue(200)
    dialog.path.setText(str(tmp_path / "view.webp"))
    dialog.accept()
    recording = window.recording.recording
    assert not dialog.isVisible() and recording is not None and recording.grabbing
    qtbot.waitUntil(lambda: recording.frames >= 2, timeout=10_000)
    window.recording.request()  # the same button, now Stop
    qtbot.waitUntil(lambda: not recording.busy, timeout=30_000)
    frames = recording.frames
    assert frames >= 2 and seen[-1].text == f"Recorded {frames} frames in {tmp_path / 'view.webp'}"
    with Image.open(tmp_path / "view.webp") as animation:  # a still view: one frame, held
        assert animation.size[0] == 200


def test_cancel_leaves_no_file(session, qtbot, tmp_path) -> None:
    window = open_main_window(qtbot, session, settings_file(tmp_path))
    train(session, qtbot, epochs=1, refresh_every=2)
    window.workspaces.switch("train")
    finished = []
    recording = window.recording.start(weights_plan(window, tmp_path / "weights.mp4"))
    recording.finished.connect(finished.append)
    qtbot.waitUntil(lambda: recording.frames >= 1, timeout=30_000)
    recording.cancel()
    assert finished == [None] and not recording.busy
    assert session.timeline.live
    qtbot.wait(200)
    assert files_in(tmp_path) == []
    assert window.timeline.record_button.text() == "● Record…"


def test_a_failing_encoder_leaves_no_partial_file(session, qtbot, tmp_path, monkeypatch):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

    def broken(path, size, **_):
        with open(path, "wb") as handle:
            handle.write(b"\0" * 1000)  # half a video on disk
        yield
        yield
        raise RuntimeError("the encoder broke")

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", broken)
    window = open_main_window(qtbot, session, settings_file(tmp_path), size=(600, 400))
    seen = notices_of(session)
    plan = RecordingPlan(window, "the window", Mode.LIVE, 30, (300, 200), tmp_path / "out.mp4")
    recording = window.recording.start(plan)
    qtbot.waitUntil(lambda: recording.frames >= 3, timeout=10_000)
    finished = []
    recording.finished.connect(finished.append)
    recording.stop()
    qtbot.waitUntil(lambda: bool(finished), timeout=30_000)
    assert finished == [None]
    errors = [n.text for n in seen if n.level is Level.ERROR]
    assert len(errors) == 1 and "out.mp4" in errors[0] and "the encoder broke" in errors[0]
    assert "\n" not in errors[0]
    assert files_in(tmp_path) == []  # neither the file nor its temporary


def test_a_write_that_fails_at_the_end_leaves_nothing(session, qtbot, tmp_path, monkeypatch):
    import os

    def full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    window = open_main_window(qtbot, session, settings_file(tmp_path), size=(600, 400))
    seen = notices_of(session)
    plan = RecordingPlan(window, "the window", Mode.LIVE, 30, (300, 200), tmp_path / "out.gif")
    recording = window.recording.start(plan)
    recording.stop()
    qtbot.waitUntil(lambda: not recording.busy, timeout=30_000)
    errors = [n.text for n in seen if n.level is Level.ERROR]
    assert errors == [f"Recording not written: cannot write {tmp_path / 'out.gif'}: "
                      "No space left on device"]  # fmt: skip
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_a_write_abandoned_midway_leaves_nothing(tmp_path, suffix) -> None:
    """Cancel while the frames are being written: `check` raises between frames."""
    from digitlab.core.animation import mp4_available, write_animation

    if suffix == ".mp4" and not mp4_available():
        pytest.skip("the video extra is not installed")
    frames = [Image.new("RGB", (64, 48), (i * 40, 0, 0)) for i in range(4)]
    calls = []
    stop_at = 3 if suffix == ".mp4" else 1  # MP4: between frames; GIF: before the rename

    def check() -> None:
        calls.append(1)
        if len(calls) >= stop_at:
            raise KeyboardInterrupt  # as JobCancelled would

    with pytest.raises(KeyboardInterrupt):
        write_animation(frames, tmp_path / f"out{suffix}", 5, check=check)
    assert files_in(tmp_path) == []
    assert write_animation(frames, tmp_path / f"out{suffix}", 5) == tmp_path / f"out{suffix}"
    assert files_in(tmp_path) == [f"out{suffix}"]


def test_the_frame_cap_ends_the_recording_with_a_notice(session, qtbot, tmp_path, monkeypatch):
    import digitlab.ui.window_recorder as recorder

    monkeypatch.setattr(recorder, "MAX_FRAMES", 3)
    window = open_main_window(qtbot, session, settings_file(tmp_path), size=(600, 400))
    seen = notices_of(session)
    plan = RecordingPlan(window, "the window", Mode.LIVE, 60, (300, 200), tmp_path / "cap.gif")
    recording = window.recording.start(plan)
    qtbot.waitUntil(lambda: not recording.busy, timeout=30_000)
    assert recording.frames == 3 and (tmp_path / "cap.gif").exists()
    assert "stopped at 3 frames" in seen[0].text and seen[-1].text.startswith("Recorded 3")
