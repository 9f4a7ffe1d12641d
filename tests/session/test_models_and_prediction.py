"""Choosing models, loading them off the main thread, and the prediction for the drawing."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from digitlab.core.checkpoint import load_checkpoint, save_checkpoint
from digitlab.core.preprocess import PreprocessOptions, to_mnist
from digitlab.core.resources import shipped_model_path
from digitlab.session import Answer, Session
from digitlab.session.models import RUN_KEY
from digitlab.session.notices import Level
from tests.session.conftest import Recorder, pump


def seven() -> np.ndarray:
    """A 7 drawn on a 280×280 pad, light ink on black."""
    pad = np.zeros((280, 280), np.uint8)
    pad[60:80, 70:210] = 255
    for row in range(80, 230):
        col = 200 - (row - 80) * 80 // 150
        pad[row, col - 10 : col + 10] = 255
    return pad


def test_start_loads_the_shipped_model_and_answers_the_drawing(session, dispatcher) -> None:
    predictions = Recorder(session.prediction_changed)
    assert session.prediction.state is Answer.NO_MODEL
    session.start()
    assert session.models.is_loading() and session.models.current is None  # not on this thread
    pump(dispatcher, lambda: session.models.current is not None)
    assert session.models.current.key == "robust"  # the default: the robust 3-layer net
    assert session.prediction.state is Answer.EMPTY  # no ink: no answer, never a guess
    session.drawing.set_canvas(seven())
    prediction = session.prediction
    assert prediction.state is Answer.READY and prediction.top == 7
    assert predictions.last is prediction
    expected = load_checkpoint(shipped_model_path("robust")).network.probabilities(
        to_mnist(seven(), PreprocessOptions(invert=False))[None]
    )[0]
    np.testing.assert_allclose(prediction.probabilities, expected, rtol=1e-6)
    session.drawing.set_canvas(np.zeros((280, 280), np.uint8))
    assert session.prediction.state is Answer.EMPTY and session.prediction.probabilities is None


def test_switching_models_changes_the_answer_in_place(session, dispatcher) -> None:
    session.start()
    session.drawing.set_canvas(seven())
    pump(dispatcher, lambda: session.prediction.state is Answer.READY)
    first = session.prediction.probabilities
    session.models.select("linear")
    pump(dispatcher, lambda: session.models.current.key == "linear")
    assert session.prediction.model_key == "linear"
    assert not np.allclose(session.prediction.probabilities, first)
    session.models.select("robust")  # loaded before: no job, at once
    assert session.models.current.key == "robust" and not session.models.is_loading()


def test_a_broken_file_keeps_the_current_model_and_says_why(session, dispatcher, tmp_path) -> None:
    notices, failures = Recorder(session.notices.posted), Recorder(session.models.load_failed)
    session.start()
    pump(dispatcher, lambda: session.models.current is not None)
    changed = Recorder(session.models.current_changed)
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"nonsense")
    session.models.open_file(broken)
    pump(dispatcher, lambda: len(failures) == 1)
    assert session.models.current.key == "robust"  # the default: the robust 3-layer net
    assert "is not a digitlab model" in failures.last.message
    assert notices.last.level is Level.ERROR and notices.last.source == str(broken)
    assert [s.key for s in session.models.sources()] == ["robust", "mlp", "linear"]
    assert len(changed) == 0  # no resync poke: the same model answers on (load_failed says it)


def test_an_opened_file_is_listed_and_answers(session, dispatcher, tmp_path) -> None:
    checkpoint = load_checkpoint(shipped_model_path("linear"))
    path = save_checkpoint(
        tmp_path / "mine.safetensors", checkpoint.network, {"classes": list(range(10))}
    )
    session.models.open_file(path)
    pump(dispatcher, lambda: session.models.current is not None)
    assert session.models.current.key == str(path) and session.models.current.label == path.name
    assert [s.key for s in session.models.sources()][-1] == str(path)


def test_a_remembered_model_that_is_gone_falls_back_with_a_notice(session, dispatcher, tmp_path):
    notices = Recorder(session.notices.posted)
    session.start(str(tmp_path / "deleted.safetensors"))
    pump(dispatcher, lambda: session.models.current is not None)
    assert session.models.current.key == "robust"  # the default: the robust 3-layer net
    assert notices.last.level is Level.WARNING and "deleted.safetensors" in notices.last.text


def test_the_newest_request_wins_even_if_an_older_one_finishes_later(dispatcher) -> None:
    release = threading.Event()

    def loader(path: Path):
        if path.name == "slow.safetensors":
            release.wait(5)
            path = shipped_model_path("mlp")
        return load_checkpoint(path if path.exists() else shipped_model_path("linear"))

    session = Session(dispatcher, model_loader=loader)
    try:
        session.models.open_file("slow.safetensors")
        session.models.open_file("fast.safetensors")
        pump(dispatcher, lambda: session.models.current is not None)
        release.set()
        dispatcher.drain(0.3)
        assert session.models.current.key == "fast.safetensors"
    finally:
        session.close()


def test_choosing_the_run_before_it_exists_says_so(session, dispatcher) -> None:
    notices = Recorder(session.notices.posted)
    session.models.select(RUN_KEY)
    assert session.models.current is None and "No training run yet" in notices.last.text


def test_preprocessing_options_change_the_input(session) -> None:
    inputs = Recorder(session.drawing.input_changed)
    small = np.zeros((280, 280), np.uint8)
    small[20:60, 200:210] = 255  # a small 1 in the top-right corner
    session.drawing.set_canvas(small)
    fitted = session.drawing.input.image
    session.drawing.set_options(fit=False, centre=False)
    raw = session.drawing.input.image
    assert len(inputs) == 2 and not np.array_equal(fitted, raw)
    expected = to_mnist(small, PreprocessOptions(fit=False, centre=False, invert=False))
    np.testing.assert_array_equal(raw, expected)
    assert raw[:, :14].sum() == 0  # the raw pad keeps the digit where it was drawn
    session.drawing.set_options(fit=False, centre=False)  # no change, no event
    assert len(inputs) == 2


def test_the_drawing_is_a_frozen_copy(session) -> None:
    pad = seven()
    session.drawing.set_canvas(pad)
    pad[:] = 0
    assert session.drawing.canvas.any()
    with pytest.raises(ValueError):
        session.drawing.input.image[0, 0] = 1.0


def test_the_session_imports_no_qt() -> None:
    import subprocess
    import sys

    code = (
        "import sys, digitlab.session, digitlab.session.run, digitlab.session.state; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'torch')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_selection_events_fire_on_change_only(session) -> None:
    from digitlab.session.selection import UnitRef

    units = Recorder(session.selection.unit_changed)
    session.selection.select_unit(UnitRef(0, 3))
    session.selection.select_unit(UnitRef(0, 3))
    session.selection.select_unit(None)
    assert units.values == [UnitRef(0, 3), None]


def test_choosing_the_run_cancels_a_slower_file_load(dispatcher) -> None:
    release = threading.Event()

    def loader(path: Path):
        release.wait(5)
        return load_checkpoint(shipped_model_path("linear"))

    session = Session(dispatcher, model_loader=loader)
    try:
        session.models.open_file("slow.safetensors")
        network = load_checkpoint(shipped_model_path("mlp")).network
        session.run.adopt(network, tuple(range(10)), "live")  # the run appears
        session.models.select(RUN_KEY)
        release.set()
        dispatcher.drain(0.5)
        assert session.models.current.key == RUN_KEY
    finally:
        session.close()


def test_classes_and_images_can_be_selected(session) -> None:
    from digitlab.session.selection import ImageRef

    classes, images = (
        Recorder(session.selection.class_changed),
        Recorder(session.selection.image_changed),
    )
    session.selection.select_class(4)
    session.selection.select_image(ImageRef("test", 42))
    session.selection.clear()
    assert classes.values == [4, None] and images.values == [ImageRef("test", 42), None]
    assert session.selection.digit is None and session.selection.image is None


def test_every_model_entry_has_its_own_version() -> None:
    """What analyses key on: (key, version), a new version for new weights, never reused."""
    from digitlab.session.models import ModelEntry, source_for
    from tests.conftest import random_network

    first = ModelEntry(source_for("run"), random_network(), tuple(range(10)), "a")
    second = ModelEntry(source_for("run"), random_network(seed=1), tuple(range(10)), "b")
    assert first.ref.key == second.ref.key == "run" and first.ref != second.ref
    assert first.ref < second.ref and hash(first.ref) != hash(second.ref)
