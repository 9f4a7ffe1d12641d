"""The session's robustness sweeps and the drawing's offset grid, through the job runner."""

from __future__ import annotations

import numpy as np

from digitlab.core.preprocess import PreprocessOptions
from digitlab.session import Session
from digitlab.session.analysis import AnalysisFailed
from digitlab.session.models import RUN_KEY, ModelEntry, source_for
from digitlab.session.robustness import DrawingInput, SweepRequest
from tests.conftest import make_tiny_dataset, random_network
from tests.session.conftest import Recorder, pump, session_without_test_data


def test_a_sweep_reports_progress_partial_results_and_the_result(dispatcher) -> None:
    session = Session(dispatcher, test_set=lambda: make_tiny_dataset().test)
    network = random_network(hidden=(8,))
    session.run.adopt(network, tuple(range(10)), "tiny")
    finished, partial = Recorder(session.robustness.finished), Recorder(session.robustness.partial)
    progress = Recorder(session.robustness.progress)
    session.robustness.run(SweepRequest((RUN_KEY,), kinds=("rotation",), preprocessing=(False,)))
    pump(dispatcher, lambda: len(finished) > 0)
    result = finished.last
    assert result.models == ["Training run (live)"] and result.accuracy.shape == (1, 1, 7)
    assert np.isfinite(result.accuracy).all() and len(partial) == 7 and len(progress) >= 1
    test = make_tiny_dataset().test
    clean = (network.logits(test.images).argmax(1) == test.labels).mean()
    assert result.value(0, False, result.conditions[3]) == clean  # rotation 0
    session.close()


def test_a_sweep_without_test_data_fails_with_one_line() -> None:
    dispatcher, session = session_without_test_data()
    failed = Recorder(session.robustness.failed)
    session.robustness.run(SweepRequest(("linear",), kinds=("noise",)))
    pump(dispatcher, lambda: len(failed) > 0)
    assert isinstance(failed.last, AnalysisFailed) and failed.last.ref is None
    assert "MNIST" in failed.last.message and "\n" not in failed.last.message
    session.close()


def test_a_sweep_of_no_model_is_refused_with_one_line(session) -> None:
    failed = Recorder(session.robustness.failed)
    session.robustness.run(SweepRequest(()))
    assert failed.last == AnalysisFailed(None, "Choose at least one model to sweep")
    assert not session.robustness.running


def test_the_offset_grid_follows_requests(session, dispatcher) -> None:
    grids = Recorder(session.offsets.changed)
    canvas = np.zeros((280, 280), np.uint8)
    canvas[60:220, 130:150] = 255
    entry = ModelEntry(source_for("net.npz"), random_network(hidden=(8,)), tuple(range(10)), "")
    session.offsets.request(entry, DrawingInput(canvas, PreprocessOptions(invert=False)))
    pump(dispatcher, lambda: len(grids) > 0)
    grid = grids.last
    assert grid.predicted.shape == (13, 13) and grid.pen == 0
    assert (grid.confidence > 0).all() and (grid.confidence <= 1).all()
