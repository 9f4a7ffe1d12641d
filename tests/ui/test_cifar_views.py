"""The window with a CIFAR-10 model (3072 inputs): colour tiles in the Weights view, the pad's
message and a dropped picture, class names in the confusion view; digit-only views say so."""

from __future__ import annotations

import os

import numpy as np
import pytest

from digitlab.core.network import ModelSpec, Network
from digitlab.session.models import RUN_KEY
from digitlab.ui.views.weights import WeightsView

NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
SHOTS = os.environ.get("DIGITLAB_CIFAR_SHOTS")  # a folder: grab the views as PNGs to look at


def cifar_network(hidden: tuple[int, ...] = (), seed: int = 0) -> Network:
    """A 3072-input net whose first-layer weights are colour blobs: unit u leans on channel
    u % 3, so its tile must come out red, green or blue, not grey."""
    rng = np.random.default_rng(seed)
    spec = ModelSpec(hidden=hidden, input_size=3072)
    weights = [rng.normal(0, 0.01, shape).astype(np.float32) for shape in spec.layer_shapes]
    first = weights[0].reshape(len(weights[0]), 32, 32, 3)
    for unit in range(len(first)):
        first[unit, 8:24, 8:24, unit % 3] += 0.2
    biases = [np.zeros(shape[0], np.float32) for shape in spec.layer_shapes]
    return Network.from_arrays(spec, weights, biases)


def answer_with(session, network: Network) -> None:
    session.run.adopt(network, tuple(range(network.spec.num_classes)), network.spec.describe())
    session.models.select(RUN_KEY)


def grab(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


@pytest.mark.parametrize("hidden", [(), (12,)])
def test_weights_view_draws_colour_tiles_for_a_cifar_model(session, qtbot, hidden) -> None:
    answer_with(session, cifar_network(hidden))
    view = WeightsView(session)
    qtbot.addWidget(view)
    view.resize(700, 560)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: not view.stale, timeout=5000)
    qtbot.wait(60)
    panel = view.panels["weights0"]
    assert panel.plan.colour and panel.array.ndim == 3 and panel.array.shape[2] == 4
    assert "colour picture" in view.caption.text() and view.caption.isVisible()
    for unit in range(3):  # each tile's middle leans to its channel: not grey
        top, left = panel.tile_origin(panel.slot(unit))
        middle = panel.array[top + 16, left + 16, :3].astype(int)
        assert middle[unit % 3] > 200 and np.delete(middle, unit % 3).max() < 160
    if not hidden:
        assert panel.plan.row_labels == NAMES and "airplane" in panel.title_texts()
    image = view.canvas.grab().toImage()  # the screen shows colour, not the diverging map
    centre = panel.centre(0)
    point = view.canvas.mapFromScene(centre)
    pixel = image.pixelColor(point.x(), point.y())
    assert pixel.red() > 150 and pixel.green() < 130 and pixel.blue() < 130
    assert "pixel (16, 16) red" in view.describe(centre)
    grab(view, f"weights-cifar-{len(hidden)}layer")


def test_the_pad_says_it_reads_pictures_and_takes_a_dropped_one(session, qtbot, tmp_path):
    from PIL import Image
    from PySide6.QtCore import QMimeData, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from digitlab.session import Answer
    from digitlab.ui.views.pad import PadView
    from digitlab.ui.widgets.picture_drop import MESSAGE

    view = PadView(session)
    qtbot.addWidget(view)
    view.resize(320, 420)
    view.show()
    qtbot.waitExposed(view)
    assert not view.shows_pictures()  # the shipped digit model, or none yet: the drawing pad
    network = cifar_network()
    answer_with(session, network)
    qtbot.waitUntil(view.shows_pictures, timeout=3000)
    assert view.picture_page.message.text() == MESSAGE
    assert "32×32 colour pictures, not drawings" in MESSAGE
    session.drawing.set_canvas(np.full((280, 280), 255, np.uint8))  # a drawing: no crash
    assert session.prediction.state is Answer.PICTURES
    picture = tmp_path / "red.png"
    Image.new("RGB", (120, 80), (230, 20, 20)).save(picture)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture))])
    page = view.picture_page
    drop = QDropEvent(page.rect().center().toPointF(), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    page.dropEvent(drop)
    qtbot.waitUntil(lambda: page.picture is not None, timeout=5000)
    assert page.picture.shape == (32, 32, 3) and tuple(page.picture[16, 16]) == (230, 20, 20)
    probabilities = network.probabilities(page.picture[None])[0]
    best = NAMES[int(np.argmax(probabilities))]
    qtbot.waitUntil(lambda: best in page.answer.text(), timeout=3000)
    assert page.answer.text().startswith(f"<b>{best}")
    assert not page.view.pixmap().isNull()
    grab(view, "pad-cifar")
    posted = []
    session.notices.posted.connect(posted.append)
    page.load(str(tmp_path / "missing.png"))  # one notice; the picture stays
    qtbot.waitUntil(lambda: bool(posted), timeout=3000)
    assert "missing.png: no such file" in posted[0].text and "\n" not in posted[0].text
    assert page.picture is not None and best in page.answer.text()


def test_a_cifar_run_trains_in_the_window_and_its_views_follow(qapp, qtbot, tmp_path, monkeypatch):
    """The training form's CIFAR-10 choice trains a 3072-input net through the session (tiny
    generated files); the weights turn to colour tiles, the confusion names its classes, the
    digits-only views cover themselves with their one line, and no view fails."""
    from digitlab.core.data import DatasetCache
    from digitlab.core.training import LocalTrainer
    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.view import DIGITS_ONLY_VIEWS
    from digitlab.ui.views.confusion import ConfusionView
    from digitlab.ui.views.evidence import EvidenceView
    from tests.core.test_cifar import write_cifar
    from tests.ui.conftest import train

    root = write_cifar(tmp_path / "data", per_batch=40, test=30)
    monkeypatch.setenv("DIGITLAB_DATA", str(root))
    session = Session(QtDispatcher(), trainer_factory=lambda: LocalTrainer(DatasetCache()))
    errors = []
    session.notices.posted.connect(lambda n: errors.append(n.text) if n.level.value == "error"
                                   else None)  # fmt: skip
    try:
        views = [WeightsView(session), ConfusionView(session), EvidenceView(session)]
        for view in views:
            qtbot.addWidget(view)
            view.resize(600, 500)
            view.show()
        train(session, qtbot, dataset="cifar10", hidden=(8,), epochs=1)
        assert session.models.current.network.spec.input_size == 3072
        weights, confusion, evidence = views
        qtbot.waitUntil(lambda: "colour picture" in weights.caption.text(), timeout=5000)
        assert weights.panels["weights0"].plan.colour
        qtbot.waitUntil(lambda: confusion.report() is not None, timeout=10_000)
        assert confusion.report().images.shape[1:] == (32, 32, 3)
        assert confusion.report().names[:2] == ("airplane", "automobile")
        assert "evidence" in DIGITS_ONLY_VIEWS
        qtbot.waitUntil(lambda: evidence._picture_note.isVisible(), timeout=5000)
        grab(weights, "weights-cifar-run")
        grab(confusion, "confusion-cifar-run")
        assert not errors
    finally:
        session.close()


def test_the_prediction_bars_name_a_cifar_model_s_classes(session, qtbot) -> None:
    from digitlab.ui.views.prediction import PredictionView

    view = PredictionView(session)
    qtbot.addWidget(view)
    view.resize(360, 240)
    view.show()
    qtbot.waitExposed(view)
    answer_with(session, cifar_network())
    qtbot.waitUntil(lambda: view.bars._names[0] == "plane", timeout=3000)
    assert view.bars._names == (
        "plane",
        "car",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    )
    session.models.select("linear")  # a digit model: digits again
    qtbot.waitUntil(lambda: view.bars._names == tuple("0123456789"), timeout=30_000)


def test_the_dataset_view_turns_to_cifar_for_a_cifar_model(session, qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    from digitlab.ui.views.dataset import DatasetView, counts_numbers
    from tests.core.test_cifar import write_cifar
    from tests.ui.conftest import show_widget

    monkeypatch.setenv("DIGITLAB_DATA", str(write_cifar(tmp_path / "data", test=30)))
    view = show_widget(qtbot, DatasetView(session), (620, 560))
    assert view.dataset() == "mnist"
    answer_with(session, cifar_network())  # a model of colour pictures answers
    assert view.dataset() == "cifar10"
    view.choose(split="test", digit=3)
    qtbot.waitUntil(lambda: view.gallery.model().rowCount() == 3, timeout=60_000)
    assert view.gallery_label.text() == "The 3 test images of cat"
    assert view.class_combo.itemData(3, Qt.ItemDataRole.ToolTipRole) == "cat"
    summary = session.datasets.summary("test", "cifar10")
    assert summary.averages.shape == (10, 32, 32, 3)
    assert np.array_equal(view.bars.opts["height"], np.full(10, 3))
    picture = view.averages.image  # ten colour averages, RGBA, transparent between them
    assert picture.shape == (32, 10 * 32 + 9 * 2, 4) and picture[0, 32, 3] == 0
    assert counts_numbers(summary).splitlines()[4].startswith("cat\t3")
    assert "30 CIFAR-10 test images" in view.summary_label.text()
    grab(view, "dataset-cifar")
    view.choose(split="train", dataset="fashion")  # not on disk here: one line, no gallery
    qtbot.waitUntil(lambda: "Fashion" in view.summary_label.text(), timeout=60_000)
    qtbot.waitUntil(lambda: "No train split" in view.summary_label.text(), timeout=60_000)
    assert view.gallery.model().rowCount() == 0 and view.gallery_label.text() == ""
    assert view.view_settings()["dataset"] == "fashion"
