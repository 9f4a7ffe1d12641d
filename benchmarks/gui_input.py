"""The benchmarks' window and drawing on its pad with synthetic mouse events (no torch)."""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEvent, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def mouse(widget, kind: QEvent.Type, x: float, y: float, buttons: Qt.MouseButton) -> None:
    pos = QPointF(x, y)
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind, pos, widget.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)


def stroke_latencies(app, window, moves: int = 120, also=()) -> list[float]:
    """ms from a mouse-move on the pad to bars updated and pad + bars (+ `also`) repainted."""
    pad, bars = window.view("pad"), window.view("prediction").bars
    canvas, held = pad.canvas, Qt.MouseButton.LeftButton
    canvas.clear()
    app.processEvents()
    side = min(canvas.width(), canvas.height())
    mouse(canvas, QEvent.Type.MouseButtonPress, side * 0.3, side * 0.2, held)
    latencies = []
    x = y = 0.0
    for i in range(moves):
        angle = i / moves * 2 * np.pi
        x, y = side * (0.5 + 0.25 * np.sin(angle)), side * (0.5 - 0.3 * np.cos(angle))
        start = time.perf_counter()
        mouse(canvas, QEvent.Type.MouseMove, x, y, held)
        app.processEvents()  # the pad hands its image over on a zero-delay timer
        canvas.repaint()
        bars.repaint()
        for widget in also:
            widget.repaint()
        latencies.append((time.perf_counter() - start) * 1000)
        assert bars.probabilities() is not None, "the bars did not get a prediction"
    mouse(canvas, QEvent.Type.MouseButtonRelease, x, y, Qt.MouseButton.NoButton)
    return latencies


def open_window(size: tuple[int, int] = (1400, 860)):
    """(session, window): the whole window with every view, private settings, the shipped
    2-layer model loading; a QApplication must exist."""
    from digitlab.core.remote import share_cores_with_trainer
    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.main_window import MainWindow

    share_cores_with_trainer()  # as the app does
    session = Session(QtDispatcher())
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(session, settings)
    window.resize(*size)
    window.build_plot_views()
    window.show()
    session.start("mlp")
    return session, window


class Lateness:
    """How late a 10 ms timer fires while it runs (ms each tick): the event loop's lag, what a
    user feels as a stutter."""

    def __init__(self, interval_ms: int = 10) -> None:
        self.values: list[float] = []
        self._interval, self._clock, self._ticker = interval_ms, QElapsedTimer(), QTimer()
        self._ticker.setTimerType(Qt.TimerType.PreciseTimer)
        self._ticker.setInterval(interval_ms)
        self._ticker.timeout.connect(self._tick)

    def start(self) -> None:
        self._clock.start()
        self._ticker.start()

    def stop(self) -> list[float]:
        """The ticks' lateness, the first five (start-up) left out."""
        self._ticker.stop()
        return self.values[5:]

    def _tick(self) -> None:
        elapsed = self._clock.nsecsElapsed() / 1e6
        self._clock.restart()
        self.values.append(max(0.0, elapsed - self._interval))
