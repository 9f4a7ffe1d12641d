"""Loss and accuracy against epochs: training as lines, test accuracy as a marker per epoch.

The curves live in the session (`run.curves`), whole; this view redraws them in place with
`setData`, so a view shown late, or reopened, draws the full story. While a run goes it redraws
at most 4 times a second, and the epoch axis spans the whole run from its start, so the axis
ticks are not regenerated on every snapshot (that, and grid lines, cost more than the curves).

The dock is often short (about 150 px at 1366×768), so every pixel of height goes to the data:
each plot's title is one wrapped line above it that doubles as its legend (no legend box over
the curves), units sit in the titles, the "epoch" axis label shows only when there is room, and
the two plots sit side by side in a wide dock and one above the other in a tall one. The ranges
keep a margin in screen pixels, so the last point and a 100 % marker show whole. A moment chosen
on the timeline is a vertical line on both plots; a setting changed while the run went is a thin
dashed one, labelled on the loss plot ("lr 0.001 → 0.01", "+1 epoch").
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from digitlab.session import Session
from digitlab.session.curves import CurveMark, RunCurves
from digitlab.session.run import RunUpdate
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone

REDRAW_MS = 250  # curves need no more than 4 frames a second
MARGIN_PX = 8  # room around the data: a marker (7 px and its rim) shows whole at an edge
TARGET_ASPECT = 1.6  # side by side or stacked: whichever makes each plot closer to this w/h
EPOCH_LABEL_MIN_PX = 150  # a plot shorter than this drops its "epoch" label for the data
TEST_TIP = "● test: accuracy on the held-out test set, measured at the end of each epoch"


def padded(
    low: float, high: float, pixels: float, margin: float = MARGIN_PX
) -> tuple[float, float]:
    """A range showing low..high with `margin` screen pixels to spare at each end."""
    span = high - low if high > low else max(abs(high), 1.0) * 0.1
    unit = span / max(pixels - 2 * margin, 1.0)
    return low - margin * unit, low + span + margin * unit


def extent(*arrays: np.ndarray) -> tuple[float, float] | None:
    """(min, max) over the finite values of `arrays`, or None when there are none."""
    values = np.concatenate([np.asarray(a, float).ravel() for a in arrays]) if arrays else []
    values = values[np.isfinite(values)] if len(values) else values
    return (float(values.min()), float(values.max())) if len(values) else None


class CurvesView(View):
    view_id = "curves"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        background, self._text, self._faint = style.colours(self)
        faint = _solid(self._faint, background).name()  # rich text drops a colour's alpha
        self.loss_plot = self._plot(background)
        self.accuracy_plot = self._plot(background)
        self.loss_title = _title(f"<b>Training loss</b> <span style='color:{faint}'>"
                                 "cross-entropy</span>")  # fmt: skip
        self.legend = _title(
            f"<b>Accuracy</b> <span style='color:{faint}'>%</span>&nbsp;&nbsp; "
            f"<span style='color:{style.TRAIN_ACCURACY.name()}'>━&nbsp;train</span>&nbsp;&nbsp; "
            f"<span style='color:{style.TEST.name()}'>●&nbsp;test</span>"
        )
        self.legend.setToolTip(TEST_TIP)
        self.loss = self.loss_plot.plot(pen=pg.mkPen(style.TRAIN, width=1.5))
        self.accuracy = self.accuracy_plot.plot(pen=pg.mkPen(style.TRAIN_ACCURACY, width=1.5))
        self.test_accuracy = self.accuracy_plot.plot(
            pen=None, symbol="o", symbolSize=7, symbolBrush=pg.mkBrush(style.TEST),
            symbolPen=pg.mkPen(background, width=1.5),
        )  # fmt: skip
        dashed = {"width": 1.5, "style": Qt.PenStyle.DashLine}
        self.b_loss = self.loss_plot.plot(pen=pg.mkPen(style.TRAIN, **dashed))
        self.b_accuracy = self.accuracy_plot.plot(pen=pg.mkPen(style.TRAIN_ACCURACY, **dashed))
        self.b_test = self.accuracy_plot.plot(
            pen=None, symbol="d", symbolSize=8, symbolBrush=pg.mkBrush(background),
            symbolPen=pg.mkPen(style.TEST, width=1.5),
        )  # fmt: skip
        self._titles = (self.loss_title.text(), self.legend.text())
        self._arrangement = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._arrangement.setContentsMargins(4, 4, 4, 4)
        self._arrangement.setSpacing(4)
        for title, widget in ((self.loss_title, self.loss_plot),
                              (self.legend, self.accuracy_plot)):  # fmt: skip
            self._arrangement.addWidget(_pane(title, widget, background))
        self._ranges: dict[int, tuple] = {}
        self._data: dict[int, tuple[tuple[float, float], tuple[float, float]]] = {}
        for widget in (self.loss_plot, self.accuracy_plot):
            widget.getPlotItem().getViewBox().sigResized.connect(lambda *_: self._fit_ranges())
        self._throttle = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._throttle.timeout.connect(self.schedule_refresh)
        self.cursors = [self._cursor(widget) for widget in (self.loss_plot, self.accuracy_plot)]
        self.mark_lines: list[tuple[pg.InfiniteLine, pg.InfiniteLine]] = []  # (loss, accuracy)
        self._marked: tuple[CurveMark, ...] = ()
        run = session.run
        self.subscribe(run.updated, self._on_update)
        self.subscribe(run.cleared, self.schedule_refresh)
        self.subscribe(session.partner_run.updated, self._on_update)  # B, side by side
        self.subscribe(session.partner_run.cleared, self.schedule_refresh)
        self.subscribe(session.timeline.moved, lambda _: self._show_cursor())
        self.refresh()

    def _cursor(self, widget: pg.PlotWidget) -> pg.InfiniteLine:
        """A vertical line at the moment chosen on the timeline (hidden while live)."""
        line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(style.ACCENT, width=1.5))
        line.setZValue(5)
        line.hide()
        widget.addItem(line, ignoreBounds=True)
        return line

    def _show_cursor(self) -> None:
        moment = self.session.timeline.chosen
        for line in self.cursors:
            if moment is not None:
                line.setPos(moment.epoch)
            line.setVisible(moment is not None)

    def _draw_marks(self, marks: tuple[CurveMark, ...]) -> None:
        """Add the lines of new marks; start over when the marks are not those drawn and more
        (Reset, a new model)."""
        if marks[: len(self._marked)] != self._marked:
            for pair in self.mark_lines:
                for widget, line in zip((self.loss_plot, self.accuracy_plot), pair):
                    widget.removeItem(line)
            self.mark_lines, self._marked = [], ()
        pen = pg.mkPen(style.NEUTRAL, width=1, style=Qt.PenStyle.DashLine)
        for mark in marks[len(self._marked) :]:
            text = mark.text.replace("{", "{{").replace("}", "}}")  # a format string to pyqtgraph
            options = {"position": 0.92, "anchors": [(0, 0.5), (0, 0.5)], "color": self._text}
            pair = (
                pg.InfiniteLine(mark.epoch, 90, pen, label=text, labelOpts=options),
                pg.InfiniteLine(mark.epoch, 90, pen),
            )
            for widget, line in zip((self.loss_plot, self.accuracy_plot), pair):
                line.setZValue(4)  # under the timeline's cursor
                line.setToolTip(f"Changed while the run went: {mark.text}")
                widget.addItem(line, ignoreBounds=True)
            self.mark_lines.append(pair)
        self._marked = marks

    def _on_update(self, update: RunUpdate) -> None:
        if update.snapshot.finished:
            self.schedule_refresh()  # the end of a run: draw it at once
        elif not self._throttle.isActive():
            self._throttle.start()

    def _plot(self, background: QColor) -> pg.PlotWidget:
        widget = pg.PlotWidget(background=background)
        plot = widget.getPlotItem()
        style.quiet_plot(plot)
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        style.style_axes(plot, self._text, self._faint)
        plot.setLabel("bottom", "epoch", color=self._text.name())
        plot.getAxis("left").setWidth(34)
        widget.setMinimumSize(110, 70)
        return widget

    def sizeHint(self) -> QSize:
        return QSize(480, 190)

    # --- layout ------------------------------------------------------------------------------

    def stacked(self) -> bool:
        """Are the plots one above the other (a tall dock) rather than side by side?"""
        return self._arrangement.direction() == QBoxLayout.Direction.TopToBottom

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        width, height = max(event.size().width(), 1), max(event.size().height(), 1)
        side, stack = width / (2 * height), 2 * width / height  # each plot's aspect either way
        tall = abs(math.log(stack / TARGET_ASPECT)) < abs(math.log(side / TARGET_ASPECT))
        direction = QBoxLayout.Direction
        wanted = direction.TopToBottom if tall else direction.LeftToRight
        if self._arrangement.direction() != wanted:
            self._arrangement.setDirection(wanted)
        pane_width = (width - 8) if tall else (width - 12) / 2
        pane_height = (height - 12) / 2 if tall else height - 8
        plot_height = pane_height - self.legend.heightForWidth(int(pane_width))
        for widget in (self.loss_plot, self.accuracy_plot):
            widget.getPlotItem().showLabel("bottom", plot_height >= EPOCH_LABEL_MIN_PX)

    # --- data --------------------------------------------------------------------------------

    def refresh(self) -> None:
        run, partner = self.session.run, self.session.partner_run
        loss, accuracy, test = _draw(run.curves, self.loss, self.accuracy, self.test_accuracy)
        b_loss, b_accuracy, b_test = _draw(partner.curves, self.b_loss, self.b_accuracy,
                                           self.b_test)  # fmt: skip
        self._name_b(partner.network.spec.describe() if len(b_accuracy) else "")
        end = max(_run_end(run.latest), _run_end(partner.latest))
        epochs = (0.0, max(end, 1e-3))  # the whole run from its start: the ticks stay put
        self._data = {
            id(self.loss_plot): (epochs, extent(loss, b_loss) or (0.0, math.log(10))),
            id(self.accuracy_plot): (
                epochs, extent(accuracy, test, b_accuracy, b_test) or (0.0, 100.0)),
        }  # fmt: skip
        self._fit_ranges()
        self._show_cursor()
        self._draw_marks(run.curves.marks())

    def _name_b(self, shape: str) -> None:
        """The titles say which lines are B's (dashed) while a second net has curves."""
        note = f"&nbsp;&nbsp; ╌&nbsp;B {shape}" if shape else ""
        for label, title in zip((self.loss_title, self.legend), self._titles):
            if label.text() != title + note:
                label.setText(title + note)

    def _fit_ranges(self) -> None:
        """Each plot's data with MARGIN_PX to spare on every side, set only when it changes."""
        for widget in (self.loss_plot, self.accuracy_plot):
            data = self._data.get(id(widget))
            box = widget.getPlotItem().getViewBox()
            width, height = box.size().width(), box.size().height()
            if data is None or width < 2 or height < 2:
                continue
            ranges = (padded(*data[0], width), padded(*data[1], height))
            if self._ranges.get(id(widget)) != ranges:
                self._ranges[id(widget)] = ranges
                box.setRange(xRange=ranges[0], yRange=ranges[1], padding=0.0)


def _draw(curves: RunCurves, loss_line, accuracy_line, test_dots) -> tuple[np.ndarray, ...]:
    """One run's curves into its three items; the loss, and the accuracies in %."""
    x, loss = curves.loss()
    loss_line.setData(x, loss)
    x, accuracy = curves.accuracy()
    accuracy_line.setData(x, 100.0 * accuracy)
    tx, test = curves.test_accuracy()
    test_dots.setData(tx, 100.0 * test)
    return loss, 100.0 * accuracy, 100.0 * test


def _run_end(latest: RunUpdate | None) -> float:
    """The epoch a run will end at (1 before any)."""
    if latest is None:
        return 1.0
    snap = latest.snapshot
    return latest.epoch + (snap.total_samples - snap.samples_seen) / max(snap.train_size, 1)


def _solid(colour: QColor, background: QColor) -> QColor:
    """`colour` drawn over `background`, as one opaque colour."""
    alpha = colour.alphaF()
    mixed = (
        alpha * c + (1 - alpha) * b for c, b in zip(colour.getRgb()[:3], background.getRgb()[:3])
    )
    return QColor(*(round(v) for v in mixed))


def _title(html: str) -> QLabel:
    """A plot's title line, wrapped rather than clipped when the plot is narrow."""
    label = QLabel(html)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
    font = label.font()
    font.setPointSizeF(9)
    label.setFont(font)
    return label


def _pane(title: QLabel, plot: pg.PlotWidget, background: QColor) -> QWidget:
    """Title over plot on the plot's background: one card."""
    pane = QWidget()
    palette = pane.palette()
    palette.setColor(QPalette.ColorRole.Window, background)
    pane.setPalette(palette)
    pane.setAutoFillBackground(True)
    column = QVBoxLayout(pane)
    column.setContentsMargins(0, 2, 0, 0)
    column.setSpacing(0)
    column.addWidget(title)
    column.addWidget(plot, 1)
    return pane


if __name__ == "__main__":

    def start_training(session: Session) -> None:
        from digitlab.session.run_settings import RunSettings

        session.run.set_settings(RunSettings(hidden=(32,), epochs=2))
        session.run.start()

    sys.exit(run_alone(CurvesView, start_training, size=(640, 240)))
