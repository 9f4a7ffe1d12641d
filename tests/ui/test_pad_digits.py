"""A digit from a gallery on the drawing pad: editable ink under the strokes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDropEvent

from digitlab.core.preprocess import PreprocessOptions, to_mnist
from digitlab.ui.views.pad import PadView
from digitlab.ui.widgets.canvas import DrawingCanvas
from digitlab.ui.widgets.digit_gallery import digit_mime
from tests.ui.conftest import show_widget

PAD_OPTIONS = PreprocessOptions(invert=False)


def seven_digit() -> np.ndarray:
    """A 28×28 seven the MNIST way: inside a 20 px box, centred."""
    digit = np.zeros((28, 28), np.uint8)
    digit[5:8, 6:22] = 255
    for row in range(8, 24):
        col = 21 - (row - 8) * 10 // 16
        digit[row, col - 1 : col + 2] = 255
    return digit


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1])


def test_a_placed_digit_is_the_pads_ink_and_preprocesses_back_to_itself(qtbot) -> None:
    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    digit = seven_digit()
    canvas.place_digit(digit)
    assert not canvas.is_empty() and canvas.has_digit() and canvas.strokes() == []
    back = to_mnist(canvas.image(), PAD_OPTIONS)
    assert correlation(back, to_mnist(digit, PAD_OPTIONS)) > 0.9  # the same, made MNIST-like
    shrunk = canvas.image().reshape(28, 10, 28, 10).mean(axis=(1, 3))  # no refit: in place
    assert correlation(shrunk, digit) > 0.9


def test_pen_width_thickens_and_thins_a_placed_digit(qtbot) -> None:
    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.place_digit(seven_digit())
    placed = canvas.image().astype(int).sum()
    canvas.set_pen_width(canvas.pen_width() + 10)
    thick = canvas.image().astype(int).sum()
    canvas.set_pen_width(canvas.pen_width() - 16)
    thin = canvas.image().astype(int).sum()
    assert thick > 1.2 * placed and thin < 0.9 * placed


def test_offset_moves_it_and_undo_removes_strokes_then_the_digit(qtbot) -> None:
    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.place_digit(seven_digit())
    placed = canvas.image()
    canvas.shift(30, 20)
    np.testing.assert_array_equal(canvas.image()[20:, 30:], placed[:-20, :-30])
    canvas.add_stroke([(10, 10), (60, 10)])
    assert canvas.image()[25:35, 45:85].all()  # the stroke, moved by the offset too
    canvas.undo()
    assert canvas.has_digit() and canvas.strokes() == []
    canvas.undo()
    assert canvas.is_empty() and not canvas.image().any()
    canvas.place_digit(seven_digit())
    canvas.clear()
    assert canvas.is_empty()


def test_the_pad_takes_a_placed_digit_from_the_session_and_a_drop(qtbot, loaded_session) -> None:
    view = show_widget(qtbot, PadView(loaded_session), (320, 460))
    digit = seven_digit()
    loaded_session.drawing.place_digit(digit)
    assert view.canvas.has_digit() and not loaded_session.drawing.input.empty
    assert loaded_session.prediction.top == 7
    view.canvas.clear()
    view.push()
    assert loaded_session.drawing.input.empty
    mime = digit_mime(digit)
    drop = QDropEvent(view.rect().center().toPointF(), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    view.dropEvent(drop)
    assert view.canvas.has_digit() and loaded_session.prediction.top == 7
    with pytest.raises(ValueError):
        loaded_session.drawing.place_digit(np.zeros((10, 10)))


def test_the_shipped_model_reads_placed_test_digits_as_it_reads_the_test_images(
    qtbot, loaded_session, mnist
) -> None:
    network = loaded_session.models.current.network
    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    images = mnist.test.images[:100]
    direct = network.predict(images)[0]
    placed = []
    for digit in images:
        canvas.place_digit(digit)
        placed.append(to_mnist(canvas.image(), PAD_OPTIONS))
    via_pad = network.predict(np.stack(placed))[0]
    assert np.mean(via_pad == direct) >= 0.95


def photographed(digit: np.ndarray, path) -> None:
    """`digit` (28×28, light on dark) as a phone photo of paper would have it: dark ink on a
    light grey page, 12× larger, off centre, saved as `path` (PNG or JPEG by its suffix)."""
    from PIL import Image

    page = np.full((420, 360), 215, np.uint8)
    large = np.kron(digit, np.ones((12, 12), np.uint8))
    ink = large.astype(float) / 255.0
    page[30 : 30 + 336, 10 : 10 + 336] = (215 * (1 - ink) + 30 * ink).astype(np.uint8)
    Image.fromarray(page).save(path)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_an_image_file_dropped_or_opened_becomes_the_pads_ink(
    qtbot, loaded_session, tmp_path, suffix
) -> None:
    from PySide6.QtCore import QMimeData, QUrl

    view = show_widget(qtbot, PadView(loaded_session), (320, 460))
    picture = tmp_path / f"my seven{suffix}"
    photographed(seven_digit(), picture)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture))])
    drop = QDropEvent(view.rect().center().toPointF(), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    view.dropEvent(drop)
    qtbot.waitUntil(view.canvas.has_digit, timeout=5000)
    assert drop.isAccepted() and loaded_session.prediction.top == 7  # ink made light on dark
    placed = to_mnist(view.canvas.image(), PAD_OPTIONS)
    assert correlation(placed, to_mnist(seven_digit(), PAD_OPTIONS)) > 0.9
    view.canvas.clear()
    view.push()
    view.open_image(str(picture))  # File → Open image… after its dialog
    qtbot.waitUntil(view.canvas.has_digit, timeout=5000)
    assert loaded_session.prediction.top == 7


def test_an_unreadable_image_is_one_notice_and_the_drawing_stays(
    qtbot, loaded_session, tmp_path
) -> None:
    view = show_widget(qtbot, PadView(loaded_session), (320, 460))
    loaded_session.drawing.place_digit(seven_digit())
    before = view.canvas.image().copy()
    posted = []
    loaded_session.notices.posted.connect(posted.append)
    (tmp_path / "notes.png").write_text("not a picture")
    view.open_image(str(tmp_path / "notes.png"))
    qtbot.waitUntil(lambda: bool(posted), timeout=5000)
    assert "notes.png" in posted[0].text and "\n" not in posted[0].text
    np.testing.assert_array_equal(view.canvas.image(), before)
    assert loaded_session.prediction.top == 7
