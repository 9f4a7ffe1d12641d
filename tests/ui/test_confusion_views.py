"""The confusion and mistakes views, on the tiny test split (no MNIST needed)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from digitlab.core.metrics import evaluate
from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.confusion import ConfusionView, confusion_numbers
from digitlab.ui.views.mistakes import MistakesView
from digitlab.ui.widgets.digit_gallery import DIGIT_MIME, digit_from_mime, digit_mime
from tests.conftest import make_tiny_dataset
from tests.session.conftest import tiny_cache
from tests.ui.conftest import show_widget


@pytest.fixture
def tiny_test():
    return make_tiny_dataset().test


@pytest.fixture
def tiny_session(qapp, qtbot, tiny_test):
    """The shipped 2-layer model answering, the tiny split as the test set."""
    session = Session(
        QtDispatcher(),
        trainer_factory=lambda: LocalTrainer(tiny_cache()),
        test_set=lambda: tiny_test,
    )
    session.start("mlp")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    yield session
    session.close()


def settled_cell_centre(qtbot, view, true: int, guess: int):
    """Where the cell is once the plot has stopped laying out (on a busy machine the first
    layout passes can take longer than a fixed wait)."""
    where = view.plot.cell_centre(true, guess)
    for _ in range(40):
        qtbot.wait(25)
        now = view.plot.cell_centre(true, guess)
        if now == where:
            break
        where = now
    return where


def test_clicking_a_cell_shows_exactly_its_images_most_confident_first(
    qtbot, tiny_session, tiny_test
) -> None:
    view = show_widget(qtbot, ConfusionView(tiny_session), (590, 560))
    qtbot.waitUntil(lambda: view.report() is not None, timeout=60_000)
    report = view.report()
    network = tiny_session.models.current.network
    np.testing.assert_array_equal(report.confusion, evaluate(network, tiny_test).confusion)
    assert report.confusion.sum() == len(tiny_test)
    counts = [str(c) for c in report.confusion.ravel() if c]  # every non-empty cell says its count
    assert view.plot._cells.texts() == counts
    assert len(view.plot._bar_texts.texts()) == len(report.classes)
    true, guess = np.unravel_index(np.argmax(report.confusion), report.confusion.shape)
    where = settled_cell_centre(qtbot, view, int(true), int(guess))
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: len(view.gallery.shown_indices()) > 0, timeout=2000)
    shown = view.gallery.shown_indices()
    expected = np.flatnonzero((report.labels == true) & (report.predicted == guess))
    assert sorted(shown.tolist()) == expected.tolist()
    assert np.all(np.diff(report.confidence[shown]) <= 0)
    assert view.gallery.model().rowCount() == report.confusion[true, guess]
    lines = confusion_numbers(report).splitlines()
    assert len(lines) == 11 and lines[1].split("\t")[1:11] == list(map(str, report.confusion[0]))


def test_top_image_mode_and_every_cell(qtbot, tiny_session) -> None:
    view = show_widget(qtbot, ConfusionView(tiny_session), (590, 560))
    qtbot.waitUntil(lambda: view.report() is not None, timeout=60_000)
    view.mode_combo.setCurrentIndex(view.mode_combo.findData("top"))
    qtbot.waitUntil(
        lambda: view.plot.image.image is not None and view.plot.image.image.shape[:2] == (280, 280)
    )
    report = view.report()
    for true in range(10):
        for guess in range(10):
            view.choose_cell(true, guess)
            shown = view.gallery.shown_indices()
            assert len(shown) == report.confusion[true, guess]
            if len(shown):
                assert shown[0] == report.top_cells[true, guess]


def test_the_gallery_hands_digits_to_the_pad_by_double_click_and_drag(qtbot, tiny_session):
    view = show_widget(qtbot, ConfusionView(tiny_session), (590, 560))
    qtbot.waitUntil(lambda: view.report() is not None, timeout=60_000)
    confusion = view.report().confusion
    view.choose_cell(*np.unravel_index(np.argmax(confusion), confusion.shape))
    placed = []
    tiny_session.drawing.digit_placed.connect(placed.append)
    index = view.gallery.model().index(0, 0)
    view.gallery.doubleClicked.emit(index)
    report = view.report()
    expected = report.images[view.gallery.shown_indices()[0]]
    assert len(placed) == 1
    np.testing.assert_array_equal(placed[0], expected)
    mime = view.gallery.model().mimeData([index])
    assert mime.hasFormat(DIGIT_MIME)
    np.testing.assert_array_equal(digit_from_mime(mime), expected)


def test_the_digit_mime_round_trip_and_broken_payloads() -> None:
    digit = np.arange(784, dtype=np.int64).reshape(28, 28) % 256
    back = digit_from_mime(digit_mime(digit))
    assert back.dtype == np.uint8 and np.array_equal(back, digit)
    broken = digit_mime(digit)
    broken.setData(DIGIT_MIME, b"\x00" * 10)
    assert digit_from_mime(broken) is None


def test_the_mistakes_filter_shows_only_mistakes_of_the_chosen_classes(qtbot, tiny_session):
    from digitlab.ui.views.mistakes import mistakes_numbers

    view = show_widget(qtbot, MistakesView(tiny_session), (560, 480))
    qtbot.waitUntil(lambda: view.gallery.model().rowCount() > 0, timeout=60_000)
    report = tiny_session.test_predictions.current()
    every = view.gallery.shown_indices()
    assert len(every) == report.mistakes == np.count_nonzero(report.labels != report.predicted)
    assert np.all(np.diff(report.confidence[every]) <= 0)
    true = int(report.labels[every[0]])
    view.set_filter(true=true)
    shown = view.gallery.shown_indices()
    assert len(shown) > 0 and np.all(report.labels[shown] == true)
    assert np.all(report.predicted[shown] != true)
    assert np.all(np.diff(report.confidence[shown]) <= 0)
    guess = int(report.predicted[shown[0]])
    view.set_filter(true=true, guess=guess)
    both = view.gallery.shown_indices()
    assert set(both) <= set(shown) and np.all(report.predicted[both] == guess)
    expected = np.flatnonzero((report.labels == true) & (report.predicted == guess))
    assert sorted(both.tolist()) == expected.tolist()
    assert len(mistakes_numbers(report, both).splitlines()) == len(both) + 1
    view.set_filter(guess=guess)
    assert np.all(report.predicted[view.gallery.shown_indices()] == guess)


def test_the_dataset_view_shows_a_class_and_says_when_the_data_is_missing(qtbot) -> None:
    from digitlab.core.errors import DataError
    from digitlab.ui.views.dataset import DatasetView, counts_numbers

    tiny = make_tiny_dataset()

    def missing():
        raise DataError("MNIST is missing: put the files in /nowhere")

    session = Session(QtDispatcher(), test_set=lambda: tiny.test, train_set=missing)
    try:
        view = show_widget(qtbot, DatasetView(session), (590, 530))
        view.choose(split="test", digit=4)
        qtbot.waitUntil(lambda: view.gallery.model().rowCount() > 0, timeout=60_000)
        shown = view.gallery.shown_indices()
        assert shown.tolist() == np.flatnonzero(tiny.test.labels == 4).tolist()
        assert np.array_equal(view.bars.opts["height"], np.bincount(tiny.test.labels, minlength=10))
        assert counts_numbers(session.datasets.summary("test")).splitlines()[5].startswith("4\t")
        view.choose(split="train")
        qtbot.waitUntil(lambda: "MNIST is missing" in view.summary_label.text(), timeout=60_000)
        assert view.gallery.model().rowCount() == 0
    finally:
        session.close()


def test_the_confusion_picture_saves_as_png_and_its_numbers_copy(qtbot, tiny_session, tmp_path):
    from PySide6.QtGui import QGuiApplication, QImage

    view = show_widget(qtbot, ConfusionView(tiny_session), (590, 560))
    qtbot.waitUntil(lambda: view.report() is not None, timeout=60_000)
    target = tmp_path / "confusion.png"
    view.export.save_to(str(target))
    qtbot.waitUntil(target.exists, timeout=5000)
    assert not QImage(str(target)).isNull()
    view.export.copy_numbers()
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0].startswith("true \\ predicted\t0\t1") and len(copied) == 11


def test_clicking_a_mistake_selects_that_test_image(qtbot, tiny_session) -> None:
    """A lesson's step ("click one of the most confident mistakes") ticks on the selection."""
    view = show_widget(qtbot, MistakesView(tiny_session), (590, 400))
    qtbot.waitUntil(lambda: view.gallery.model().rowCount() > 0, timeout=60_000)
    first = view.gallery.model().index(0, 0)
    qtbot.mouseClick(view.gallery.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.gallery.visualRect(first).center())  # fmt: skip
    chosen = tiny_session.selection.image
    assert chosen is not None and chosen.split == "test"
    assert chosen.index == int(view.gallery.shown_indices()[0])
