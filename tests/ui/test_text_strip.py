"""TextStrip: new text repaints the strip and never asks the layout around it to re-measure."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from digitlab.ui.widgets.text_strip import TextStrip


class LayoutRequests(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def window_with(qtbot, widget) -> tuple[QWidget, LayoutRequests]:
    window = QWidget()
    qtbot.addWidget(window)
    QVBoxLayout(window).addWidget(widget)
    window.resize(300, 100)
    window.show()
    qtbot.waitExposed(window)
    requests = LayoutRequests()
    window.installEventFilter(requests)
    return window, requests


def test_new_text_asks_for_no_relayout_where_a_label_does(qtbot) -> None:
    strip, label = TextStrip(lines=2), QLabel()
    label.setWordWrap(True)
    windows = [window_with(qtbot, strip), window_with(qtbot, label)]  # kept alive
    (_, strip_requests), (_, label_requests) = windows
    height = strip.height()
    qtbot.wait(30)  # the layouts of the first show have settled
    strip_requests.count = label_requests.count = 0
    for value in range(5):
        text = f"<b>{value}</b>: pixels +{value * 1.5:.2f} → logit" + " and more" * value
        strip.setText(text)
        label.setText(text)
        qtbot.wait(10)
    assert strip_requests.count == 0 and label_requests.count > 0
    assert strip.text().startswith("<b>4</b>") and strip.height() == height
    assert strip.grab().toImage().pixelColor(5, height // 2) is not None  # paints


def test_a_colour_and_a_clear(qtbot) -> None:
    strip = TextStrip(lines=1, centred=True, point_size=14)
    kept_alive = window_with(qtbot, strip)  # noqa: F841
    strip.setText("7 · 99.0 %", "#2f81f7")
    image = strip.grab().toImage()
    blues = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).blue() > 200 and image.pixelColor(x, y).red() < 120
    ]
    assert blues  # the text is drawn in the colour asked for
    strip.clear()
    assert strip.text() == ""


def test_one_line_is_one_line_however_long(qtbot) -> None:
    strip = TextStrip(lines=1)
    kept_alive = window_with(qtbot, strip)  # noqa: F841
    strip.setText("Units on for this drawing: layer 1: 130 of 256 · layer 2: 40 of 100")
    strip.grab()
    size = strip._static.size()
    assert size.height() < 1.5 * strip.fontMetrics().lineSpacing() and size.width() > 300


def test_a_larger_font_gets_room_for_its_lines(qtbot) -> None:
    """View → Zoom sets a larger font: the lines must not be cut off at the bottom."""
    strip = TextStrip(2)
    qtbot.addWidget(strip)
    before = strip.height()
    font = strip.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    strip.setFont(font)
    assert strip.height() == 2 * strip.fontMetrics().lineSpacing() + 4 > before


def test_a_text_wrapped_to_more_lines_in_a_narrow_dock_grows_the_strip_once(qtbot) -> None:
    """The evidence totals in a 1024×640 lesson wrapped to three lines in a two-line strip: the
    third was cut in half. The strip grows to hold them, asks for no relayout while later
    texts wrap alike, and goes back to two lines when widened."""
    strip = TextStrip(lines=2)
    window, requests = window_with(qtbot, strip)
    window.resize(260, 160)
    qtbot.waitUntil(lambda: strip.width() < 260)
    two_lines = strip.height()
    text = "<b>3</b>: pixels +4.87, bias −0.26 → logit +4.60 · 2: pixels −0.10, bias +0.02 → {}"
    strip.setText(text.format("logit −0.08 · difference +4.68"))
    qtbot.wait(20)
    assert strip.height() > two_lines
    static = strip._static
    assert static.size().height() <= strip.height() - 4  # every line inside the strip
    grown, requests.count = strip.height(), 0
    strip.setText(text.format("logit −0.09 · difference +4.69"))  # the next stroke
    qtbot.wait(20)
    assert strip.height() == grown and requests.count == 0
    window.resize(900, 160)
    qtbot.waitUntil(lambda: strip.width() > 800)
    assert strip.height() == two_lines
