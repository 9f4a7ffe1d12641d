"""Responsiveness of the window while it trains (offscreen).

Prints, for a 784→100→10 net at batch 64 with one torch thread:
- GUI event-loop lateness of a 10 ms timer while training runs (median, p99; target p99 ≤ 50 ms),
- weight-plot refreshes per second (target ≥ 10),
- training samples/s with the window open vs headless (target ≥ 80 %),
- stroke-to-bars latency: one mouse-move on the pad until the bars hold the new prediction and
  both widgets have repainted (median; target ≤ 16 ms), idle and during training.

    DIGITLAB_DATA=/path/to/data python benchmarks/ui_responsiveness.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from digitlab.core.data import load_dataset  # noqa: E402
from digitlab.core.model import ModelSpec, new_model  # noqa: E402
from digitlab.core.training import TrainConfig, train  # noqa: E402

HIDDEN, EPOCHS = 100, 2


def headless_rate(dataset) -> float:
    """Samples/s of the bare training loop, timed between its first and last snapshot."""
    model = new_model(ModelSpec(hidden=(HIDDEN,)), seed=0)
    marks = []
    for snap in train(model, dataset, TrainConfig(epochs=EPOCHS, snapshot_seconds=0.1)):
        marks.append((time.perf_counter(), snap.samples_seen))
    (t0, s0), (t1, s1) = marks[0], marks[-1]
    return (s1 - s0) / (t1 - t0)


def mouse(widget, kind: QEvent.Type, x: float, y: float, buttons: Qt.MouseButton) -> None:
    pos = QPointF(x, y)
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind, pos, widget.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)


def stroke_latencies(app, pane, moves: int = 120) -> list[float]:
    """ms from a mouse-move on the canvas to bars updated and canvas + bars repainted."""
    canvas, held = pane.canvas, Qt.MouseButton.LeftButton
    canvas.clear()
    app.processEvents()
    mouse(canvas, QEvent.Type.MouseButtonPress, 80, 60, held)
    latencies = []
    for i in range(moves):
        angle = i / moves * 2 * np.pi
        x, y = 140 + 70 * np.sin(angle), 140 - 80 * np.cos(angle)
        start = time.perf_counter()
        mouse(canvas, QEvent.Type.MouseMove, x, y, held)
        app.processEvents()  # the pane predicts on a zero-delay timer: let it run
        canvas.repaint()
        pane.bars.repaint()
        latencies.append((time.perf_counter() - start) * 1000)
        assert pane.probabilities() is not None, "the bars did not get a prediction"
    mouse(canvas, QEvent.Type.MouseButtonRelease, x, y, Qt.MouseButton.NoButton)
    return latencies


def main() -> None:
    torch.set_num_threads(1)
    dataset = load_dataset("mnist", download=False)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from digitlab.ui.main_window import MainWindow

    bare = headless_rate(dataset)

    settings_dir = tempfile.mkdtemp()
    settings = QSettings(os.path.join(settings_dir, "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(1400, 860)
    window.show()
    window.training.set_hyperparameters(
        {"layers": 2, "hidden": HIDDEN, "epochs": EPOCHS, "batch_size": 64, "refresh": "time"}
    )
    window.training.worker().warm_up(wait_s=60)  # the app starts its trainer process at launch
    loop = QEventLoop()
    for _ in range(20):  # let the shipped model load in the background
        app.processEvents()
        time.sleep(0.05)
    idle_strokes = stroke_latencies(app, window.drawing)

    # Lateness of a 10 ms timer, snapshot arrivals and training progress while the run goes on.
    lateness: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(10)

    def tick() -> None:
        elapsed = clock.nsecsElapsed() / 1e6
        clock.restart()
        lateness.append(max(0.0, elapsed - 10.0))

    ticker.timeout.connect(tick)
    arrivals: list[tuple[float, int]] = []
    window.training.worker().snapshot.connect(
        lambda snap: arrivals.append((time.perf_counter(), snap.samples_seen))
    )
    refreshes = [0]
    window.training.modelUpdated.connect(lambda *args: refreshes.__setitem__(0, refreshes[0] + 1))
    window.training.runStateChanged.connect(lambda state: state == "finished" and loop.quit())
    clock.start()
    ticker.start()
    window.training.start()
    loop.exec()
    ticker.stop()

    (t0, s0), (t1, s1) = arrivals[0], arrivals[-1]
    windowed = (s1 - s0) / (t1 - t0)
    refresh_rate = (len(arrivals) - 1) / (t1 - t0)
    lateness = lateness[5:]  # skip start-up
    p99 = float(np.percentile(lateness, 99))

    # A second, shorter run with the user drawing while it trains.
    busy_strokes: list[float] = []
    window.training.reset()
    window.training.set_hyperparameters({"epochs": 1})
    QTimer.singleShot(1000, lambda: busy_strokes.extend(stroke_latencies(app, window.drawing, 60)))
    window.training.start()
    loop.exec()
    window.close()

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"784→{HIDDEN}→10, batch 64, {EPOCHS} epochs, 1 torch thread, window 1400×860 offscreen")
    print(f"event-loop lateness (10 ms timer): median {statistics.median(lateness):.1f} ms, "
          f"p99 {p99:.1f} ms  [target p99 ≤ 50 ms: {verdict(p99 <= 50)}]")  # fmt: skip
    print(f"weight-plot refreshes: {refresh_rate:.1f}/s ({refreshes[0]} in all)  "
          f"[target ≥ 10/s: {verdict(refresh_rate >= 10)}]")  # fmt: skip
    print(f"training: {windowed:,.0f} samples/s with the window vs {bare:,.0f} headless = "
          f"{windowed / bare:.0%}  [target ≥ 80 %: {verdict(windowed / bare >= 0.8)}]")  # fmt: skip
    idle, busy = statistics.median(idle_strokes), statistics.median(busy_strokes or [float("nan")])
    print(f"stroke-to-bars: median {idle:.1f} ms idle, {busy:.1f} ms while training "
          f"(p90 {np.percentile(busy_strokes or [np.nan], 90):.1f} ms)  "
          f"[target median ≤ 16 ms: {verdict(max(idle, busy) <= 16)}]")  # fmt: skip


if __name__ == "__main__":
    main()
