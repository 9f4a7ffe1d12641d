"""The drawing pad: strokes in, a 280×280 light-on-dark ink image out.

Strokes are kept as point lists, so undo, pen width and offset are all "change the list (or a
parameter), then re-render". A digit placed from a gallery is a base image under the strokes
(its 28×28 pixels upscaled smoothly to 280×280): it moves with the offset, and the pen width
thickens or thins it by a grey dilation or erosion as large as the width changed since it was
placed.

The offset is how far the drawing is from its home, where it was drawn: ⟲ (offset 0, 0) takes it
back there. Drawing on a moved drawing makes the place it was moved to its new home (the offset
becomes 0), so ⟲ never moves ink away from where the user put it. Right-drag, like the arrow
keys, moves by whole MNIST pixels. Every edit (a stroke, a placed digit, Clear) keeps the state
before it, so Ctrl+Z takes back strokes, a placed digit and Clear alike; undo leaves what remains
where it is on the pad. While the mouse moves only the new segment is painted (a full re-render
per move would be too slow); the image is fixed at 280×280 (ten canvas px per MNIST pixel) and
painted scaled into the widget, so it looks the same on any screen density. An empty pad says
"Draw a digit here" in faint grey, painted on the widget only: the net's image stays black.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitlab.core.drawing_grid import PAD_PIXELS_PER_MNIST_PIXEL as PIXELS_PER_MNIST_PIXEL
from digitlab.core.drawing_grid import PAD_SIZE as CANVAS_SIZE
from digitlab.core.drawing_grid import reshaped

DEFAULT_PEN_WIDTH = 18.0
MIN_PEN_WIDTH, MAX_PEN_WIDTH = 1.0, 80.0

Point = tuple[float, float]
MAX_UNDO = 200
HINT_TEXT = "Draw a digit here\nwith the mouse"
HINT_COLOUR = QColor(128, 128, 128, 170)  # faint on the black pad and on the white one


@dataclass(frozen=True)
class _Edit:
    """The pad before an edit, for undo: strokes and digit in drawing coordinates, the home
    (where drawing coordinates sit on the pad) and the offset from it."""

    strokes: tuple[list[QPointF], ...]
    base: np.ndarray | None
    base_width: float
    home: QPointF
    offset: QPointF


def _whole_pixels(value: float) -> int:
    """Canvas px rounded to whole MNIST pixels."""
    return PIXELS_PER_MNIST_PIXEL * round(value / PIXELS_PER_MNIST_PIXEL)


class DrawingCanvas(QWidget):
    """A square pad to draw digits on with the mouse or a pen tablet.

    Left button draws; right-button drag pans the whole drawing and the arrow keys move it, by
    whole MNIST pixels (10 canvas px). Coordinates are canvas px (0..280), whatever the widget's
    size.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = QImage(CANVAS_SIZE, CANVAS_SIZE, QImage.Format.Format_Grayscale8)
        self._image.fill(0)
        self._strokes: list[list[QPointF]] = []
        self._pen_width = DEFAULT_PEN_WIDTH
        self._offset = QPointF(0.0, 0.0)  # from home, where the drawing was drawn
        self._home = QPointF(0.0, 0.0)  # where drawing coordinates (0, 0) are on the pad
        self._history: list[_Edit] = []
        self._dark_on_light = False
        self._drawing = False
        self._pan_start: tuple[QPointF, QPointF] | None = None  # (mouse pos, offset) at press
        self._base: np.ndarray | None = None  # a placed digit, (280, 280) uint8
        self._base_width = DEFAULT_PEN_WIDTH  # the pen width when it was placed
        self._base_shown: tuple[int, np.ndarray, QImage] | None = None  # (steps, pixels, image)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setToolTip(
            "Draw with the left button · right-drag or arrow keys move the drawing\n"
            "Ctrl+Z undoes a stroke or a clear · Esc/Delete clears\n"
            "Drop an image of a digit here, or open one with File → Open image… (Ctrl+I)"
        )

    # --- public API -------------------------------------------------------------------------

    def image(self) -> np.ndarray:
        """A copy of the ink as (280, 280) uint8, light ink on black (whatever the display)."""
        bits = np.frombuffer(self._image.constBits(), np.uint8)
        rows = bits.reshape(CANVAS_SIZE, self._image.bytesPerLine())
        return rows[:, :CANVAS_SIZE].copy()

    def is_empty(self) -> bool:
        return not self._strokes and self._base is None

    def has_digit(self) -> bool:
        """Is there a placed digit under the strokes?"""
        return self._base is not None

    def place_digit(self, pixels: np.ndarray) -> None:
        """Start afresh from a 28×28 uint8 digit (light ink on black): it becomes the pad's
        ink, upscaled smoothly to 280×280, for the user to draw over, move, thicken and thin."""
        digit = np.ascontiguousarray(pixels, dtype=np.uint8)
        if digit.shape != (28, 28):
            raise ValueError(f"a digit is 28×28, got shape {digit.shape}")
        small = QImage(digit.data, 28, 28, 28, QImage.Format.Format_Grayscale8)
        large = small.scaled(
            CANVAS_SIZE,
            CANVAS_SIZE,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        ).convertToFormat(QImage.Format.Format_Grayscale8)
        bits = np.frombuffer(large.constBits(), np.uint8).reshape(CANVAS_SIZE, -1)
        self._remember()
        self._base = bits[:, :CANVAS_SIZE].copy()
        self._base_width, self._base_shown = self._pen_width, None
        self._strokes = []
        self._drawing = False
        self._home, self._offset = QPointF(0.0, 0.0), QPointF(0.0, 0.0)
        self._rerender()

    def strokes(self) -> list[list[Point]]:
        """The strokes where they were drawn (at home), before the offset is applied."""
        home = self._home
        return [[(p.x() + home.x(), p.y() + home.y()) for p in stroke] for stroke in self._strokes]

    def add_stroke(self, points: list[Point]) -> None:
        """Draw a stroke programmatically (demos, tests, screenshots); points are canvas px
        before the offset, like `strokes()`."""
        if not points:
            return
        self._remember()
        self._strokes.append([QPointF(x, y) - self._home for x, y in points])
        self._rerender()

    def clear(self) -> None:
        """Erase the drawing and put the offset back to 0, 0; undo brings both back."""
        if self.is_empty():
            if self._offset.isNull() and self._home.isNull():
                return
        else:
            self._remember()
        self._strokes = []
        self._base = self._base_shown = None
        self._drawing = False
        self._home, self._offset = QPointF(0.0, 0.0), QPointF(0.0, 0.0)
        self._rerender()

    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> None:
        """Take back the last edit: a stroke, a placed digit or a clear. After a stroke or a
        digit what remains stays where it is on the pad; a cleared drawing comes back with its
        offset."""
        if not self._history:
            return
        edit = self._history.pop()
        was_cleared = self.is_empty()
        at = self._home + self._offset
        self._strokes = list(edit.strokes)
        if edit.base is not self._base:
            self._base_shown = None
        self._base, self._base_width = edit.base, edit.base_width
        self._home = QPointF(edit.home)
        self._offset = QPointF(edit.offset) if was_cleared else at - self._home
        if self.is_empty():  # nothing to move: no offset to show
            self._home, self._offset = QPointF(0.0, 0.0), QPointF(0.0, 0.0)
        self._drawing = False
        self._rerender()

    def _remember(self) -> None:
        """Keep the pad as it is now for undo, before an edit."""
        strokes, home, offset = tuple(self._strokes), QPointF(self._home), QPointF(self._offset)
        self._history.append(_Edit(strokes, self._base, self._base_width, home, offset))
        del self._history[:-MAX_UNDO]

    def _settle(self) -> None:
        """Drawing on a moved drawing: where it is now becomes its home (offset 0, 0)."""
        if not self._offset.isNull():
            self._home += self._offset
            self._offset = QPointF(0.0, 0.0)

    def pen_width(self) -> float:
        return self._pen_width

    def set_pen_width(self, px: float) -> None:
        """Width in canvas px for the whole drawing: existing strokes are re-rendered with it."""
        px = float(min(max(px, MIN_PEN_WIDTH), MAX_PEN_WIDTH))
        if px == self._pen_width:
            return
        self._pen_width = px
        self._rerender()

    def offset(self) -> tuple[float, float]:
        """How far the drawing is from where it was drawn, in canvas px."""
        return self._offset.x(), self._offset.y()

    def set_offset(self, dx: float, dy: float) -> None:
        """Place the whole drawing dx, dy canvas px away from where it was drawn (0, 0: ⟲)."""
        offset = QPointF(float(dx), float(dy))
        if offset == self._offset:
            return
        self._offset = offset
        self._rerender()

    def shift(self, dx: float, dy: float) -> None:
        self.set_offset(self._offset.x() + dx, self._offset.y() + dy)

    def dark_on_light(self) -> bool:
        return self._dark_on_light

    def set_dark_on_light(self, dark_on_light: bool) -> None:
        """Show black ink on white paper instead of MNIST's white on black (display only)."""
        self._dark_on_light = bool(dark_on_light)
        self.update()

    # --- rendering --------------------------------------------------------------------------

    def _ink_painter(self) -> QPainter:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(255, 255, 255), self._pen_width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.translate(self._home + self._offset)
        return painter

    def _base_image(self) -> QImage | None:
        """The placed digit, thickened or thinned for the pen width (cached per width)."""
        if self._base is None:
            return None
        steps = round((self._pen_width - self._base_width) / 2)  # each step: 1 px per side
        if self._base_shown is None or self._base_shown[0] != steps:
            pixels = reshaped(self._base, steps)
            image = QImage(pixels.data, CANVAS_SIZE, CANVAS_SIZE, CANVAS_SIZE,
                           QImage.Format.Format_Grayscale8)  # fmt: skip
            self._base_shown = (steps, pixels, image)  # the array outlives the image using it
        return self._base_shown[2]

    def _rerender(self) -> None:
        """Paint every stroke afresh (after undo, clear, width or offset changes)."""
        self._image.fill(0)
        painter = self._ink_painter()
        base = self._base_image()
        if base is not None:
            painter.drawImage(QPointF(0.0, 0.0), base)
        for stroke in self._strokes:
            if len(stroke) == 1:
                self._paint_dot(painter, stroke[0])
            else:
                path = QPainterPath(stroke[0])
                for point in stroke[1:]:
                    path.lineTo(point)
                painter.drawPath(path)
        painter.end()
        self.update()
        self.changed.emit()

    def _paint_dot(self, painter: QPainter, point: QPointF) -> None:
        radius = self._pen_width / 2
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255))
        painter.drawEllipse(point, radius, radius)
        painter.restore()

    def _paint_segment(self, start: QPointF, end: QPointF | None) -> None:
        """The fast path while drawing: only the newest segment (or the first dot)."""
        painter = self._ink_painter()
        if end is None:
            self._paint_dot(painter, start)
        else:
            painter.drawLine(start, end)
        painter.end()
        self.update()
        self.changed.emit()

    # --- widget geometry --------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(CANVAS_SIZE, CANVAS_SIZE)

    def minimumSizeHint(self) -> QSize:
        return QSize(CANVAS_SIZE // 2, CANVAS_SIZE // 2)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def _pad_rect(self) -> QRectF:
        """The largest centred square in the widget: where the 280×280 image is shown."""
        side = min(self.width(), self.height())
        return QRectF((self.width() - side) // 2, (self.height() - side) // 2, side, side)

    def _to_canvas(self, widget_pos: QPointF) -> QPointF:
        pad = self._pad_rect()
        scale = CANVAS_SIZE / pad.width() if pad.width() > 0 else 1.0
        return (widget_pos - pad.topLeft()) * scale

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        shown = self._image
        if self._dark_on_light:
            shown = self._image.copy()
            shown.invertPixels()
        pad = self._pad_rect()
        painter.drawImage(pad, shown)
        if self.is_empty():  # say what the pad is for; never in the image the net gets
            font = QFont(self.font())
            font.setPixelSize(max(9, round(pad.width() / 15)))
            painter.setFont(font)
            painter.setPen(HINT_COLOUR)
            painter.drawText(pad, Qt.AlignmentFlag.AlignCenter, HINT_TEXT)
        frame = QColor(self.palette().mid().color())
        painter.setPen(QPen(frame, 1))
        painter.drawRect(pad.adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()

    # --- input ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._remember()
            self._settle()
            point = self._to_canvas(event.position()) - self._home
            self._strokes.append([point])
            self._drawing = True
            self._paint_segment(point, None)
        elif event.button() == Qt.MouseButton.RightButton:
            self._pan_start = (event.position(), QPointF(self._offset))
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing and event.buttons() & Qt.MouseButton.LeftButton:
            point = self._to_canvas(event.position()) - self._home - self._offset
            stroke = self._strokes[-1]
            if point == stroke[-1]:
                return
            stroke.append(point)
            self._paint_segment(stroke[-2], point)
        elif self._pan_start is not None and event.buttons() & Qt.MouseButton.RightButton:
            press_pos, press_offset = self._pan_start
            moved = self._to_canvas(event.position()) - self._to_canvas(press_pos)
            target = press_offset + moved
            self.set_offset(_whole_pixels(target.x()), _whole_pixels(target.y()))
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drawing = False
        elif event.button() == Qt.MouseButton.RightButton:
            self._pan_start = None
        else:
            super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event) -> None:
        event.accept()  # the right button pans; no menu should pop up on release

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = PIXELS_PER_MNIST_PIXEL
        moves = {
            Qt.Key.Key_Left: (-step, 0),
            Qt.Key.Key_Right: (step, 0),
            Qt.Key.Key_Up: (0, -step),
            Qt.Key.Key_Down: (0, step),
        }
        move = moves.get(Qt.Key(event.key()))
        if move is None:
            super().keyPressEvent(event)
            return
        self.shift(*move)
