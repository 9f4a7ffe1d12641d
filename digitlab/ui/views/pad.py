"""The drawing pad: draw, thicken, move and undo; every change reaches the session at once.

The canvas paints strokes with Qt (anti-aliased); each change is handed to the session through a
zero-delay timer, so a burst of mouse events costs one preprocessing and one prediction.
Esc/Delete clear (the offset too), Ctrl+Z undoes strokes, a placed digit and Clear, the arrow keys
(canvas focused) and right-drag move the drawing by whole MNIST pixels. A digit from
any gallery lands here (a double-click there reaches `session.drawing.digit_placed`; a drag
carries `DIGIT_MIME`, dropped anywhere on this view) as ink to edit, and so does an image file
(a scanned or photographed digit, dropped here or opened with File → Open image…), read in the
background as *My digits* reads its files. With a model of colour pictures (CIFAR-10) the pad says
it reads no drawings and takes the picture as it is instead (`widgets.picture_drop`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QStackedLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.session import Session
from digitlab.ui.dialogs import ask_image_file
from digitlab.ui.picture_models import is_picture_model
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.canvas import DEFAULT_PEN_WIDTH, PIXELS_PER_MNIST_PIXEL, DrawingCanvas
from digitlab.ui.widgets.digit_gallery import digit_from_mime
from digitlab.ui.widgets.picture_drop import PictureDrop, picture_path

PEN_RANGE = (4, 48)


class PadView(View):
    view_id = "pad"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.canvas = DrawingCanvas()
        self._push_timer = QTimer(self, singleShot=True, interval=0)
        self._push_timer.timeout.connect(self.push)
        self._build()
        self.canvas.changed.connect(self._push_timer.start)
        self.canvas.changed.connect(self._show_offset)
        self.canvas.changed.connect(self._enable_undo)
        self._show_offset()
        self._enable_undo()
        self.setAcceptDrops(True)
        self.subscribe(session.drawing.digit_placed, self.place_digit)
        self.subscribe(session.models.current_changed, self._follow_model)
        self._follow_model()

    def _follow_model(self, *_: object) -> None:
        """Drawings for digit models; the picture drop for a model of colour pictures."""
        pictures = is_picture_model(self.session.models.current)
        self.pages.setCurrentWidget(self.picture_page if pictures else self.drawing_page)
        if pictures:
            self.picture_page.refresh()

    def shows_pictures(self) -> bool:
        return self.pages.currentWidget() is self.picture_page

    def place_digit(self, pixels) -> None:
        """Put a 28×28 digit on the pad as ink to edit; the prediction follows at once."""
        self.canvas.place_digit(pixels)
        self.push()

    def choose_image(self) -> None:
        """File → Open image…: ask for a picture, then `open_image` it."""
        path = ask_image_file(self)
        if path:
            self.open_image(path)

    def open_image(self, path: str) -> None:
        """Put the digit in an image file on the pad (fitted and made light on dark, as My digits
        reads files), read in the background; a file that cannot be read is one notice and the
        drawing stays. A model of colour pictures takes the picture itself."""
        if self.shows_pictures():
            self.picture_page.load(path)
            return
        from digitlab.core.my_digits import read_digit

        self.session.jobs.submit(
            lambda context: read_digit(Path(path)),
            key="pad-image",
            on_done=self.session.drawing.place_digit,
            on_error=self.session.notices.error,
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        mime = event.mimeData()
        if digit_from_mime(mime) is not None or picture_path(mime) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        mime = event.mimeData()
        digit, path = digit_from_mime(mime), picture_path(mime)
        if digit is None and path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        if digit is not None:
            self.place_digit(digit)
        else:
            self.open_image(path)

    def _build(self) -> None:
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Take back the last stroke, placed digit or Clear (Ctrl+Z)")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip(
            "Erase the drawing and its offset (Esc or Delete); Undo brings it back"
        )
        self.clear_button.clicked.connect(self.canvas.clear)
        self.dark_on_light = QCheckBox("Black on white")
        self.dark_on_light.setToolTip("Display only: the net always gets light ink on dark")
        self.dark_on_light.toggled.connect(self.canvas.set_dark_on_light)

        self.pen_slider = QSlider(Qt.Orientation.Horizontal)
        self.pen_spin = QSpinBox()
        self.pen_spin.setSuffix(" px")
        for control in (self.pen_slider, self.pen_spin):
            control.setRange(*PEN_RANGE)
            control.setValue(round(DEFAULT_PEN_WIDTH))
            control.setToolTip("Pen width for the whole drawing: thicken it and watch the net")
        self.pen_slider.valueChanged.connect(self.pen_spin.setValue)
        self.pen_spin.valueChanged.connect(self.pen_slider.setValue)
        self.pen_spin.valueChanged.connect(self.canvas.set_pen_width)

        edit_row = QHBoxLayout()
        edit_row.addWidget(self.undo_button)
        edit_row.addWidget(self.clear_button)
        edit_row.addStretch(1)
        pen_row = QHBoxLayout()
        pen_row.addWidget(QLabel("Pen"))
        pen_row.addWidget(self.pen_slider, 1)
        pen_row.addWidget(self.pen_spin)
        self.drawing_page = QWidget()
        self.picture_page = PictureDrop(self.session)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.drawing_page)
        self.pages.addWidget(self.picture_page)
        layout = QVBoxLayout(self.drawing_page)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(edit_row)
        layout.addLayout(pen_row)
        layout.addLayout(self._offset_row())
        layout.addWidget(self.dark_on_light)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_Escape), self.canvas.clear),
            (QKeySequence(Qt.Key.Key_Delete), self.canvas.clear),
            (QKeySequence(QKeySequence.StandardKey.Undo), self.canvas.undo),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def _offset_row(self) -> QHBoxLayout:
        arrows = QGridLayout()
        arrows.setSpacing(2)
        self.offset_buttons: dict[str, QToolButton] = {}
        step = PIXELS_PER_MNIST_PIXEL
        for name, text, cell, move in (
            ("up", "↑", (0, 1), (0, -step)),
            ("left", "←", (1, 0), (-step, 0)),
            ("right", "→", (1, 2), (step, 0)),
            ("down", "↓", (2, 1), (0, step)),
        ):
            button = QToolButton(text=text, autoRepeat=True)
            button.setToolTip(f"Move the drawing {name} by one MNIST pixel (arrow keys)")
            button.clicked.connect(lambda _=False, m=move: self.canvas.shift(*m))
            arrows.addWidget(button, *cell)
            self.offset_buttons[name] = button
        reset = QToolButton(text="⟲")
        reset.setToolTip("Put the drawing back where it was drawn (offset 0, 0)")
        reset.clicked.connect(lambda: self.canvas.set_offset(0, 0))
        arrows.addWidget(reset, 1, 1)
        self.offset_buttons["reset"] = reset
        for button in self.offset_buttons.values():
            button.setFixedSize(24, 20)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrow keys stay with the canvas
        self.offset_label = QLabel()
        self.offset_label.setToolTip("Right-drag on the pad moves the drawing too")
        row = QHBoxLayout()
        row.addLayout(arrows)
        row.addSpacing(8)
        row.addWidget(self.offset_label, 1)
        return row

    def push(self) -> None:
        """Hand the pad's image to the session (the prediction follows)."""
        self._push_timer.stop()
        self.session.drawing.set_canvas(None if self.canvas.is_empty() else self.canvas.image())

    def _show_offset(self) -> None:
        dx, dy = (v / PIXELS_PER_MNIST_PIXEL + 0.0 for v in self.canvas.offset())  # no "-0"
        self.offset_label.setText(f"Offset x {dx:+g}, y {dy:+g}\n(MNIST pixels)")

    def _enable_undo(self) -> None:
        self.undo_button.setEnabled(self.canvas.can_undo())

    def view_settings(self) -> dict[str, Any]:
        return {"pen_width": self.pen_spin.value(), "dark_on_light": self.dark_on_light.isChecked()}

    def apply_view_settings(self, values: dict[str, Any]) -> None:
        width = values.get("pen_width")
        if isinstance(width, (int, float)) and not isinstance(width, bool) and width == width:
            self.pen_spin.setValue(int(min(max(width, PEN_RANGE[0]), PEN_RANGE[1])))
        if isinstance(values.get("dark_on_light"), bool):
            self.dark_on_light.setChecked(values["dark_on_light"])


# A "3" drawn as two arcs, in canvas pixels (280×280), for demos and screenshots.
SAMPLE_THREE = [
    [(92, 70), (120, 52), (160, 50), (190, 66), (196, 96), (180, 122), (150, 134), (130, 136)],
    [(150, 134), (184, 146), (200, 176), (194, 206), (166, 226), (126, 228), (92, 212)],
]


SAMPLE_ONE = [[(158, 48), (152, 110), (146, 170), (142, 226)]]
SAMPLES = {"1": SAMPLE_ONE, "3": SAMPLE_THREE}


def draw_sample(view: PadView, digit: str = "3") -> None:
    """Draw a sample digit on the pad (demos and screenshots): one of SAMPLES."""
    for stroke in SAMPLES[digit]:
        view.canvas.add_stroke(stroke)
    view.push()


if __name__ == "__main__":

    def build(session: Session) -> PadView:
        view = PadView(session)
        draw_sample(view)
        session.prediction_changed.connect(lambda p: print(p.state.value, p.top))
        return view

    sys.exit(run_alone(build, size=(320, 460)))
