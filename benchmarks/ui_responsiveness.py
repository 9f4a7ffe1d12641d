"""Responsiveness of the window while it trains (offscreen, 1400×860, in the Train workspace:
settings, run, weights, curves, pad and prediction).

Prints, for a 784→100→10 net at batch 64 with one torch thread, each with target and ok/not ok:
- GUI event-loop lateness of a 10 ms timer while training runs (median, p99; target p99 ≤ 50 ms),
- frames the weights view paints per second while training (target ≥ 10),
- training samples/s with the window open vs headless (target ≥ 95 %, issue 26),
- stroke-to-bars latency: one mouse-move on the pad until the bars hold the new prediction and
  both widgets have repainted (median; target ≤ 16 ms), idle and during training.

    DIGITLAB_DATA=/path/to/data python benchmarks/ui_responsiveness.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import (  # noqa: E402
    QEvent,
    QEventLoop,
    QObject,
    QTimer,
)
from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_input import Lateness, open_window, stroke_latencies  # noqa: E402

from digitlab.core.data import load_dataset  # noqa: E402
from digitlab.core.model import new_model  # noqa: E402
from digitlab.core.network import ModelSpec  # noqa: E402
from digitlab.core.protocol import TrainConfig  # noqa: E402
from digitlab.core.training import train  # noqa: E402

HIDDEN, EPOCHS = 100, 6  # long enough that the epoch-end evaluations and start-up are a small share


def verdict(ok: bool) -> str:
    return "ok" if ok else "not ok"


def headless_rate(dataset) -> float:
    """Samples/s of the bare training loop, timed between its first and last snapshot."""
    model = new_model(ModelSpec(hidden=(HIDDEN,)), seed=0)
    marks = []
    for snap in train(model, dataset, TrainConfig(epochs=EPOCHS, snapshot_seconds=0.1)):
        marks.append((time.perf_counter(), snap.samples_seen))
    (t0, s0), (t1, s1) = marks[0], marks[-1]
    return (s1 - s0) / (t1 - t0)


def main() -> None:  # the trainer is a spawned process: run under `if __name__ == "__main__"`
    torch.set_num_threads(1)
    dataset = load_dataset("mnist", download_missing=False)
    bare = headless_rate(dataset)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from digitlab.session.run import RunPhase
    from digitlab.session.run_settings import RunSettings

    session, window = open_window()
    window.workspaces.switch("train")  # where one watches a net train: the weights are shown
    session.run.set_settings(RunSettings(hidden=(HIDDEN,), epochs=EPOCHS, batch_size=64))
    session.run.prepare()
    loop = QEventLoop()

    def wait(condition, timeout_s: float = 120) -> None:
        deadline = time.perf_counter() + timeout_s
        while not condition() and time.perf_counter() < deadline:
            QTimer.singleShot(10, loop.quit)
            loop.exec()

    wait(lambda: session.models.current is not None and session.run.trainer_ready)
    time.sleep(3)  # the trainer loads MNIST
    idle_strokes = stroke_latencies(app, window)

    probe = Lateness()
    arrivals: list[tuple[float, int]] = []
    session.run.updated.connect(
        lambda update: arrivals.append((time.perf_counter(), update.snapshot.samples_seen))
    )
    frame_times: list[float] = []

    class FrameCounter(QObject):
        """Counts the frames the weights view paints: what the user actually sees."""

        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                frame_times.append(time.perf_counter())
            return False

    counter = FrameCounter()
    window.view("weights").canvas.viewport().installEventFilter(counter)
    probe.start()
    session.run.start()
    wait(lambda: session.run.phase is RunPhase.FINISHED, 600)
    lateness = probe.stop()
    (t0, s0), (t1, s1) = arrivals[0], arrivals[-1]
    windowed = (s1 - s0) / (t1 - t0)
    frames = sum(t0 <= t <= t1 for t in frame_times)  # while the run was sending snapshots
    refresh_rate, snapshot_rate = frames / (t1 - t0), (len(arrivals) - 1) / (t1 - t0)
    p99 = float(np.percentile(lateness, 99))

    # A second, shorter run with the user drawing while it trains.
    busy_strokes: list[float] = []
    session.run.reset()
    session.run.set_settings(session.run.settings.replaced(epochs=4))  # outlasts the strokes
    QTimer.singleShot(1000, lambda: busy_strokes.extend(stroke_latencies(app, window, 60)))
    session.run.start()
    wait(lambda: session.run.phase is RunPhase.FINISHED, 600)
    window.close()

    print(f"784→{HIDDEN}→10, batch 64, {EPOCHS} epochs, 1 torch thread, window 1400×860 offscreen")
    print(f"event-loop lateness (10 ms timer): median {statistics.median(lateness):.1f} ms, "
          f"p99 {p99:.1f} ms  [target p99 ≤ 50 ms: {verdict(p99 <= 50)}]")  # fmt: skip
    print(f"weight-view frames painted: {refresh_rate:.1f}/s ({frames} in all; "
          f"{snapshot_rate:.1f} snapshots/s arrived)  "
          f"[target ≥ 10/s: {verdict(refresh_rate >= 10)}]")  # fmt: skip
    share = windowed / bare
    print(f"training: {windowed:,.0f} samples/s with the window vs {bare:,.0f} headless = "
          f"{share:.0%}  [target ≥ 95 %: {verdict(share >= 0.95)}]")  # fmt: skip
    idle, busy = statistics.median(idle_strokes), statistics.median(busy_strokes or [float("nan")])
    print(f"stroke-to-bars: median {idle:.1f} ms idle, {busy:.1f} ms while training "
          f"(p90 {np.percentile(busy_strokes or [np.nan], 90):.1f} ms)  "
          f"[target median ≤ 16 ms: {verdict(max(idle, busy) <= 16)}]")  # fmt: skip


if __name__ == "__main__":
    main()
