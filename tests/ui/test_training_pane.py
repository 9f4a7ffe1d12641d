"""TrainingPane on the tiny synthetic dataset: runs, controls, errors, saving, clean shutdown."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from digitlab.core.data import RAW_FILES, Dataset, Split
from digitlab.core.errors import DataError
from digitlab.core.model import load_checkpoint
from digitlab.ui.training_pane import (
    DEFAULT_LR,
    ERROR_COLOUR,
    LearningRateSpinBox,
    TrainingPane,
    format_duration,
    needs_download,
)
from tests.conftest import make_tiny_dataset

TINY = make_tiny_dataset()


def tiny_loader(calls: list | None = None):
    """A dataset_loader over the tiny dataset that honours class subsets like load_dataset."""

    def load(name: str, classes: tuple[int, ...] | None) -> Dataset:
        if calls is not None:
            calls.append((name, classes))
        if not classes:
            return Dataset(name, TINY.train, TINY.test, tuple(range(10)))

        def select(split: Split) -> Split:
            keep = np.isin(split.labels.numpy(), classes)
            mapped = np.searchsorted(np.array(classes), split.labels.numpy()[keep])
            import torch

            return Split(split.images[torch.from_numpy(keep)], torch.from_numpy(mapped))

        return Dataset(name, select(TINY.train), select(TINY.test), tuple(classes))

    return load


QUICK = {"epochs": 1, "batch_size": 16, "layers": 2, "hidden": 10, "refresh": "time"}
LONG = {**QUICK, "epochs": 50, "batch_size": 1}  # tens of seconds unless stopped


@pytest.fixture
def loads() -> list:
    return []


@pytest.fixture
def pane(qtbot, loads):
    widget = TrainingPane(dataset_loader=tiny_loader(loads))
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    yield widget
    widget.shutdown()
    assert not widget.worker().is_running()


def run_until(qtbot, pane: TrainingPane, state: str, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: pane.run_state() == state, timeout=timeout)


def test_training_updates_curves_weights_and_emits_the_live_model(qtbot, pane):
    pane.set_hyperparameters({**QUICK, "epochs": 2})  # at least two snapshots: one per epoch
    updates, mosaics, states = [], [], []
    pane.runStateChanged.connect(states.append)

    def on_update(spec, classes, weights, biases):
        updates.append((spec, classes, weights, biases))
        mosaics.append({k: v.copy() for k, v in pane.weights.mosaics().items()})

    pane.modelUpdated.connect(on_update)
    pane.start()
    run_until(qtbot, pane, "finished")
    assert states == ["loading", "running", "finished"]
    assert len(updates) >= 2
    spec, classes, weights, _biases = updates[-1]
    assert spec.hidden == (10,) and classes == tuple(range(10))
    assert [w.shape for w in weights] == [(10, 784), (10, 10)]
    assert not np.allclose(mosaics[0]["weights0"], mosaics[-1]["weights0"], equal_nan=True)
    assert not np.allclose(mosaics[0]["deltas0"], mosaics[-1]["deltas0"], equal_nan=True)
    assert len(pane.curves.loss) == len(updates) and len(pane.curves.test_accuracy) == 2
    assert pane.progress.value() == 1000
    assert "Finished: test accuracy" in pane.message.text()
    model, classes = pane.current_model()
    assert model.spec.sizes == (784, 10, 10) and classes == tuple(range(10))


def test_second_start_continues_and_uses_the_cached_dataset(qtbot, pane, loads):
    pane.set_hyperparameters(QUICK)
    pane.start()
    run_until(qtbot, pane, "finished")
    assert pane.start_button.text() == "Continue"
    before = pane.current_model()[0].layers[0].weight.detach().numpy().copy()
    pane.start()
    assert pane.run_state() == "running"  # no loading: the dataset is cached
    run_until(qtbot, pane, "finished")
    assert len(loads) == 1
    x, _ = pane.curves.test_accuracy.data()
    assert list(x) == pytest.approx([1.0, 2.0])  # the curves go on from epoch 1
    after = pane.current_model()[0].layers[0].weight.detach().numpy()
    assert not np.allclose(before, after)


def test_pause_resume_and_stop(qtbot, pane):
    pane.set_hyperparameters(LONG)
    seen = []
    pane.modelUpdated.connect(lambda *args: seen.append(args))
    pane.start()
    qtbot.waitUntil(lambda: len(seen) > 0, timeout=5000)
    pane.toggle_pause()
    assert pane.run_state() == "paused" and pane.pause_button.text() == "Resume"
    qtbot.wait(100)
    frozen = len(seen)
    qtbot.wait(250)
    assert len(seen) == frozen
    pane.toggle_pause()
    assert pane.run_state() == "running"
    qtbot.waitUntil(lambda: len(seen) > frozen, timeout=2000)
    pane.stop()
    assert not pane.worker().is_running()
    run_until(qtbot, pane, "finished", timeout=1000)
    assert pane.message.text().startswith("Stopped at step")


def test_every_step_refresh_paces_training_to_the_display(qtbot, pane):
    pane.set_hyperparameters({**LONG, "batch_size": 2, "refresh": "1"})
    steps = []
    pane.worker().snapshot.connect(lambda snap: steps.append(snap.step))
    pane.start()
    qtbot.waitUntil(lambda: len(steps) >= 20, timeout=5000)
    pane.stop()
    assert steps[:20] == list(range(1, 21))  # one snapshot per step, none skipped


def test_bad_class_subset_shows_an_error_and_does_not_start(qtbot, pane, loads):
    statuses = []
    pane.status.connect(statuses.append)
    pane.set_hyperparameters({"classes": "3"})
    assert pane.form.classes_error.isVisibleTo(pane)
    assert "at least two" in pane.form.classes_error.text()
    pane.start()
    assert pane.run_state() == "idle" and not loads
    assert statuses and statuses[-1].startswith("Cannot start")
    assert ERROR_COLOUR.name() in pane.message.styleSheet()
    pane.set_hyperparameters({"classes": "0,1"})
    assert not pane.form.classes_error.isVisibleTo(pane)


def test_class_subset_trains_a_smaller_output_layer(qtbot, pane):
    pane.set_hyperparameters({**QUICK, "layers": 1, "classes": "3, 5,8"})
    pane.start()
    run_until(qtbot, pane, "finished")
    model, classes = pane.current_model()
    assert classes == (3, 5, 8) and model.spec.sizes == (784, 3)
    assert pane.weights.mosaics()["weights0"].shape[0] > 0


def test_a_diverging_run_shows_the_message_and_keeps_good_weights(qtbot, pane):
    pane.set_hyperparameters({**QUICK, "optimizer": "sgd", "lr": 100.0})
    statuses = []
    pane.status.connect(statuses.append)
    pane.start()
    run_until(qtbot, pane, "finished")
    assert "diverged" in pane.message.text()
    assert ERROR_COLOUR.name() in pane.message.styleSheet()
    assert any("diverged" in s for s in statuses)
    model, _ = pane.current_model()
    assert all(math.isfinite(float(p.detach().abs().max())) for p in model.parameters())


def test_a_missing_dataset_shows_the_data_error(qtbot):
    def missing(name, classes):
        raise DataError("MNIST is not available: the files are missing")

    pane = TrainingPane(dataset_loader=missing)
    qtbot.addWidget(pane)
    states = []
    pane.runStateChanged.connect(states.append)
    pane.start()
    assert pane.message.text() == "Loading MNIST…"
    qtbot.waitUntil(lambda: states[-1:] == ["idle"], timeout=2000)
    assert "files are missing" in pane.message.text()
    assert ERROR_COLOUR.name() in pane.message.styleSheet()


def test_save_writes_a_loadable_checkpoint(qtbot, pane, tmp_path):
    pane.set_hyperparameters({**QUICK, "classes": "0,1", "seed": 7})
    pane.start()
    run_until(qtbot, pane, "finished")
    with qtbot.waitSignal(pane.saved, timeout=3000) as blocker:
        pane.save_model(tmp_path / "net.pt")
    checkpoint = load_checkpoint(blocker.args[0])
    assert checkpoint.model.spec.sizes == (784, 10, 2)
    meta = checkpoint.meta
    assert meta["dataset"] == "mnist" and meta["classes"] == [0, 1]
    assert meta["preprocessing"] == "mnist" and meta["epochs"] == 1 and meta["seed"] == 7
    assert 0.0 <= meta["test_accuracy"] <= 1.0
    assert meta["train"]["optimizer"] == "adam" and meta["hyperparameters"]["hidden"] == 10
    original, _ = pane.current_model()
    for a, b in zip(original.parameters(), checkpoint.model.parameters()):
        assert np.allclose(a.detach().numpy(), b.detach().numpy())


def test_save_while_training_writes_the_last_reported_weights(qtbot, pane, tmp_path):
    pane.set_hyperparameters(LONG)
    reported = []
    pane.modelUpdated.connect(lambda spec, classes, w, b: reported.append(w))
    pane.start()
    qtbot.waitUntil(lambda: len(reported) > 0, timeout=5000)
    pane.toggle_pause()
    qtbot.wait(50)  # snapshots already queued arrive
    with qtbot.waitSignal(pane.saved, timeout=3000) as blocker:
        pane.save_model(tmp_path / "live.pt")
    saved = load_checkpoint(blocker.args[0]).model.layers[0].weight.detach().numpy()
    assert np.array_equal(saved, reported[-1][0])
    pane.stop()


def test_save_before_training_explains_why_not(qtbot, pane):
    pane.save_model("/nonexistent/never.pt")
    assert "Nothing to save" in pane.message.text()


def test_reset_draws_new_weights_and_clears_curves(qtbot, pane):
    pane.set_hyperparameters(QUICK)
    pane.start()
    run_until(qtbot, pane, "finished")
    updates = []
    pane.modelUpdated.connect(lambda *args: updates.append(args))
    pane.reset()
    assert pane.run_state() == "idle" and len(pane.curves.loss) == 0
    assert pane.start_button.text() == "Start"
    assert len(updates) == 1 and updates[0][0].hidden == (10,)
    assert pane.progress.value() == 0


def test_closing_mid_training_stops_the_thread(qtbot, pane):
    pane.set_hyperparameters(LONG)
    with qtbot.waitSignal(pane.modelUpdated, timeout=5000):
        pane.start()
    pane.close()
    assert not pane.worker().is_running()


def test_deleting_the_pane_mid_training_stops_the_thread(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    pane = TrainingPane(host, dataset_loader=tiny_loader())
    pane.set_hyperparameters(LONG)
    with qtbot.waitSignal(pane.modelUpdated, timeout=5000):
        pane.start()
    worker = pane.worker()
    pane.deleteLater()
    qtbot.waitUntil(lambda: not worker.is_running(), timeout=1000)
    qtbot.wait(50)  # late snapshots must not reach the deleted widgets


def test_hyperparameters_round_trip_including_settings_strings(qtbot, pane):
    values = {**pane.hyperparameters(), "optimizer": "sgd", "hidden": 10, "epochs": 7}
    pane.set_hyperparameters(values)
    assert pane.hyperparameters() == values
    # QSettings (INI) returns every value as a string
    pane.set_hyperparameters({"augment": "true", "lr": "0.05", "batch_size": "2", "layers": "1"})
    got = pane.hyperparameters()
    assert got["augment"] is True and got["lr"] == 0.05 and got["batch_size"] == 2
    assert got["layers"] == 1 and not pane.form.hidden.isEnabled()
    pane.set_hyperparameters({"epochs": "many", "dataset": "nonsense"})  # ignored, no error
    assert pane.hyperparameters()["epochs"] == 7


def test_switching_optimizer_switches_a_default_learning_rate(qtbot, pane):
    pane.set_hyperparameters({"optimizer": "adam", "lr": DEFAULT_LR["adam"]})
    pane.form.optimizer.setCurrentText("sgd")
    assert pane.form.lr.value() == DEFAULT_LR["sgd"]
    pane.form.lr.setValue(0.02)
    pane.form.optimizer.setCurrentText("adam")
    assert pane.form.lr.value() == 0.02  # a chosen rate is kept


def test_learning_rate_box_steps_along_1_2_5(qtbot):
    box = LearningRateSpinBox()
    qtbot.addWidget(box)
    box.setValue(1e-3)
    box.stepBy(1)
    assert box.value() == pytest.approx(2e-3)
    box.stepBy(2)
    assert box.value() == pytest.approx(1e-2)
    box.stepBy(-3)
    assert box.value() == pytest.approx(1e-3)
    assert box.textFromValue(3e-4) == "0.0003"
    assert box.valueFromText("3e-4") == pytest.approx(3e-4)


# --- no Qt needed -----------------------------------------------------------------------------


def test_format_duration():
    assert format_duration(7.4) == "0:07"
    assert format_duration(750) == "12:30"
    assert format_duration(3723) == "1:02:03"
    assert format_duration(float("inf")) == "–"


def test_needs_download_looks_for_the_raw_files(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path))
    assert needs_download("mnist")
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in RAW_FILES:
        (raw / f"{name}.gz").write_bytes(b"")
    assert not needs_download("mnist") and needs_download("fashion")


def test_learning_rate_ladder_without_widgets():
    up = LearningRateSpinBox._next
    assert up(0.1, up=True) == pytest.approx(0.2)
    assert up(0.2, up=True) == pytest.approx(0.5)
    assert up(0.5, up=True) == pytest.approx(1.0)
    assert up(0.3, up=True) == pytest.approx(0.5)
    assert up(0.3, up=False) == pytest.approx(0.2)
    assert up(1e-3, up=False) == pytest.approx(5e-4)
