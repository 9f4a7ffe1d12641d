"""The drawing canvas: real mouse drags put ink down; width, offset, undo and clear re-render.

The offset tests follow the defects found in the real window (issue 22): Clear kept the offset,
⟲ then jumped the new drawing away, right-drag gave fractional MNIST pixels, Clear had no undo.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from digitlab.core.preprocess import centre_of_mass
from digitlab.ui.widgets.canvas import CANVAS_SIZE, PIXELS_PER_MNIST_PIXEL, DrawingCanvas

LINE = [(60.0, 140.0), (220.0, 140.0)]


def send_move(widget, pos: QPointF, buttons: Qt.MouseButton) -> None:
    """QTest.mouseMove does not carry held buttons reliably offscreen, so send the event."""
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        pos,
        widget.mapToGlobal(pos),
        Qt.MouseButton.NoButton,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def drag(qtbot, widget, points, button=Qt.MouseButton.LeftButton) -> None:
    """Press at the first point, move through the rest, release at the last (widget px)."""
    first, *rest = [QPointF(x, y) for x, y in points]
    qtbot.mousePress(widget, button, pos=first.toPoint())
    for point in rest:
        send_move(widget, point, button)
    qtbot.mouseRelease(widget, button, pos=rest[-1].toPoint() if rest else first.toPoint())


def ink_pixels(image: np.ndarray) -> int:
    return int((image > 127).sum())


@pytest.fixture
def canvas(qtbot) -> DrawingCanvas:
    widget = DrawingCanvas()
    qtbot.addWidget(widget)
    widget.resize(CANVAS_SIZE, CANVAS_SIZE)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_mouse_drag_draws_ink_and_signals_every_segment(qtbot, canvas):
    changes = []
    canvas.changed.connect(lambda: changes.append(1))
    assert canvas.is_empty() and canvas.image().max() == 0

    drag(qtbot, canvas, [(50, 50), (100, 60), (150, 80), (200, 120)])

    image = canvas.image()
    assert image.shape == (CANVAS_SIZE, CANVAS_SIZE) and image.dtype == np.uint8
    assert not canvas.is_empty() and len(canvas.strokes()) == 1
    assert len(changes) == 4  # the first dot and three segments, not only on release
    assert image[60, 100] == 255 and image[120, 200] == 255  # ink along the path
    assert image[250, 30] == 0  # and none far away


def test_mouse_positions_map_to_canvas_pixels_at_any_widget_size(qtbot, canvas):
    canvas.resize(2 * CANVAS_SIZE, 2 * CANVAS_SIZE)  # a high-DPI-like, enlarged pad
    drag(qtbot, canvas, [(100, 280), (460, 280)])
    stroke = canvas.strokes()[0]
    assert stroke[0] == pytest.approx((50.0, 140.0)) and stroke[-1] == pytest.approx((230.0, 140.0))
    assert canvas.image()[140, 140] == 255


def test_the_fast_path_paints_what_a_full_render_paints(qtbot, canvas):
    drag(qtbot, canvas, [(40, 200), (80, 120), (140, 60), (200, 120), (240, 200)])
    drawn = canvas.image().astype(int)
    strokes = canvas.strokes()
    canvas.clear()
    for stroke in strokes:
        canvas.add_stroke(stroke)
    rendered = canvas.image().astype(int)
    assert ink_pixels(drawn) > 1000
    assert np.abs(drawn - rendered).max() <= 64  # only anti-aliased joints may differ a little
    assert (np.abs(drawn - rendered) > 8).sum() < 0.02 * ink_pixels(drawn)


def test_pen_width_rerenders_the_whole_drawing(canvas):
    canvas.add_stroke(LINE)
    thin = ink_pixels(canvas.image())
    canvas.set_pen_width(36)
    thick = ink_pixels(canvas.image())
    assert canvas.pen_width() == 36
    assert thick == pytest.approx(2 * thin, rel=0.15)  # a line's area grows with the width
    column = canvas.image()[:, 140] > 127
    assert column.sum() == pytest.approx(36, abs=2)


def test_offset_moves_the_ink_by_exactly_the_offset(canvas):
    canvas.add_stroke([(100.0, 100.0), (160.0, 130.0), (120.0, 180.0)])
    before = centre_of_mass(canvas.image().astype(float))
    canvas.set_offset(30, -20)
    after = centre_of_mass(canvas.image().astype(float))
    assert canvas.offset() == (30, -20)
    assert after[0] - before[0] == pytest.approx(-20, abs=0.5)
    assert after[1] - before[1] == pytest.approx(30, abs=0.5)
    assert canvas.strokes()[0][0] == (100.0, 100.0)  # strokes keep where they were drawn


def test_arrow_keys_shift_by_one_mnist_pixel_and_right_drag_pans(qtbot, canvas):
    canvas.add_stroke(LINE)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    assert canvas.offset() == (10, 20)
    drag(qtbot, canvas, [(100, 100), (130, 90)], button=Qt.MouseButton.RightButton)
    assert canvas.offset() == (40, 10)
    assert len(canvas.strokes()) == 1  # panning draws nothing


def test_drawing_after_an_offset_puts_ink_under_the_cursor(qtbot, canvas):
    canvas.set_offset(50, 0)
    drag(qtbot, canvas, [(140, 140), (141, 140)])
    assert canvas.image()[140, 140] == 255


def test_undo_removes_the_last_stroke_and_clear_empties(canvas):
    canvas.add_stroke(LINE)
    one_stroke = canvas.image()
    canvas.add_stroke([(140.0, 40.0), (140.0, 240.0)])
    assert ink_pixels(canvas.image()) > ink_pixels(one_stroke)
    canvas.undo()
    np.testing.assert_array_equal(canvas.image(), one_stroke)
    canvas.clear()
    assert canvas.is_empty() and canvas.image().max() == 0
    for _ in range(3):
        canvas.undo()  # the clear, the stroke, then nothing left: harmless
    assert canvas.is_empty() and not canvas.can_undo()


def test_dark_on_light_changes_the_display_only(qtbot, canvas):
    canvas.add_stroke(LINE)
    image = canvas.image()
    canvas.set_dark_on_light(True)
    shown = canvas.grab().toImage()
    np.testing.assert_array_equal(canvas.image(), image)  # the net still gets light on dark
    assert shown.pixelColor(QPoint(140, 140)).lightness() < 40  # ink is dark
    assert shown.pixelColor(QPoint(140, 30)).lightness() > 215  # paper is light
    canvas.set_dark_on_light(False)
    assert canvas.grab().toImage().pixelColor(QPoint(140, 30)).lightness() < 40


def test_image_is_a_copy(canvas):
    canvas.add_stroke(LINE)
    image = canvas.image()
    image[:] = 0
    assert canvas.image().max() == 255


def assert_same_ink(image: np.ndarray, expected: np.ndarray) -> None:
    """The same drawing in the same place: a stroke painted while the mouse moved and the same
    stroke re-rendered differ only a little at anti-aliased joints."""
    difference = np.abs(image.astype(int) - expected.astype(int))
    assert difference.max() <= 64 and (difference > 8).sum() < 0.02 * ink_pixels(expected)


def press_keys(qtbot, widget, *keys) -> None:
    for key in keys:
        qtbot.keyClick(widget, key)


def test_clear_resets_the_offset_so_reset_leaves_the_next_drawing_alone(qtbot, canvas):
    drag(qtbot, canvas, [(60, 140), (220, 140)])
    press_keys(qtbot, canvas, *[Qt.Key.Key_Right] * 5)
    canvas.clear()
    assert canvas.offset() == (0, 0)
    drag(qtbot, canvas, [(140, 40), (140, 240)])
    drawn = canvas.image()
    assert drawn[140, 140] == 255  # under the cursor
    canvas.set_offset(0, 0)  # ⟲
    assert_same_ink(canvas.image(), drawn)


def test_reset_returns_a_drawing_made_on_a_moved_pad_to_where_it_was_drawn(qtbot, canvas):
    drag(qtbot, canvas, [(40, 60), (120, 60)])
    press_keys(qtbot, canvas, *[Qt.Key.Key_Right] * 6)  # the first stroke now 100…180
    drag(qtbot, canvas, [(200, 200), (255, 200)])  # the second near the right edge
    drawn = canvas.image()
    assert drawn[60, 150] == 255 and drawn[200, 250] == 255
    canvas.set_offset(0, 0)  # ⟲: the drawing is where it was drawn; nothing jumps or is cut
    home = canvas.image()
    assert_same_ink(home, drawn)
    press_keys(qtbot, canvas, *[Qt.Key.Key_Right] * 4)  # partly off the pad…
    assert ink_pixels(canvas.image()) < ink_pixels(home)
    canvas.set_offset(0, 0)  # …and back whole
    assert_same_ink(canvas.image(), home)


@pytest.mark.parametrize("scale", [1, 2])
def test_right_drag_moves_by_whole_mnist_pixels(qtbot, canvas, scale):
    canvas.resize(scale * CANVAS_SIZE, scale * CANVAS_SIZE)
    canvas.add_stroke(LINE)
    seen = []
    canvas.changed.connect(lambda: seen.append(canvas.offset()))
    moves = [(0, 0), (7, -3), (23, -9), (56, -17)]  # canvas px
    path = [(100 + scale * dx, 100 + scale * dy) for dx, dy in moves]
    drag(qtbot, canvas, path, button=Qt.MouseButton.RightButton)
    assert canvas.offset() == (60, -20)
    assert seen and all(v % PIXELS_PER_MNIST_PIXEL == 0 for offset in seen for v in offset)


def test_clear_can_be_undone_with_its_offset(qtbot, canvas):
    drag(qtbot, canvas, [(60, 100), (200, 180)])
    drag(qtbot, canvas, [(140, 40), (140, 240)])
    press_keys(qtbot, canvas, Qt.Key.Key_Left, Qt.Key.Key_Down, Qt.Key.Key_Down)
    before, offset = canvas.image(), canvas.offset()
    canvas.clear()
    assert canvas.is_empty() and not canvas.image().any()
    canvas.undo()
    assert canvas.offset() == offset and not canvas.is_empty()
    np.testing.assert_array_equal(canvas.image(), before)
    canvas.set_offset(0, 0)
    canvas.undo()  # then stroke by stroke, as before the clear
    assert len(canvas.strokes()) == 1 and canvas.image()[60, 140] == 0
    canvas.undo()
    assert canvas.is_empty()


def test_undo_keeps_the_rest_of_a_moved_drawing_in_place(qtbot, canvas):
    drag(qtbot, canvas, [(40, 60), (120, 60)])
    press_keys(qtbot, canvas, Qt.Key.Key_Right, Qt.Key.Key_Right)
    drag(qtbot, canvas, [(140, 200), (200, 200)])
    canvas.undo()
    assert canvas.image()[60, 130] == 255 and canvas.image()[60, 50] == 0  # still moved
    assert canvas.offset() == (20, 0)  # and ⟲ takes it home, where it was drawn
    canvas.set_offset(0, 0)
    assert canvas.image()[60, 50] == 255


def test_undoing_every_edit_leaves_an_empty_pad_at_no_offset(qtbot, canvas):
    drag(qtbot, canvas, [(60, 140), (220, 140)])
    press_keys(qtbot, canvas, Qt.Key.Key_Up)
    canvas.undo()
    assert canvas.is_empty() and canvas.offset() == (0, 0) and not canvas.can_undo()


def hint_pixels(canvas: DrawingCanvas) -> int:
    """Grey pixels (neither ink nor paper) in the middle band of the pad as shown."""
    shown = canvas.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    side = shown.width()
    rows = np.frombuffer(shown.constBits(), np.uint8).reshape(shown.height(), -1)[:, :side]
    band = rows[side // 3 : 2 * side // 3, side // 10 : 9 * side // 10]
    return int(((band > 30) & (band < 225)).sum())


def test_an_empty_pad_shows_a_hint_the_net_never_sees(qtbot, canvas):
    assert hint_pixels(canvas) > 100  # "Draw a digit here" in faint grey
    assert canvas.image().max() == 0  # not part of the drawing
    canvas.set_dark_on_light(True)
    assert hint_pixels(canvas) > 100  # readable on white paper too
    canvas.set_dark_on_light(False)
    drag(qtbot, canvas, [(20, 20), (40, 30)])  # a small stroke in a corner
    assert not canvas.is_empty()
    assert hint_pixels(canvas) == 0  # gone with the first ink
    canvas.clear()
    assert hint_pixels(canvas) > 100  # and back on a cleared pad
