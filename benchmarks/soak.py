"""Soak: the window open and training for a long time, restarted whenever a run ends.

Every 4th run is a Reset and a fresh net (panels rebuilt, history dropped); the others Continue
the same net. Each interval it draws a digit on the pad, and prints the memory of the window's
process and of the trainer, snapshots per second and the event-loop lateness. At the end: the
memory growth from the first report after warm-up to the last (target within 5 %), and runs that
failed (target none). The window's process imports no torch, as when a user runs the app.

    DIGITLAB_DATA=/path/to/data python benchmarks/soak.py --minutes 30
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_input import open_window, stroke_latencies  # noqa: E402

from digitlab.ui.startup_probe import children, rss_mb  # noqa: E402

GROWTH_TARGET = 0.05
RESET_EVERY = 4


def verdict(ok: bool) -> str:
    return "ok" if ok else "not ok"


def main() -> None:  # the trainer is a spawned process: run under `if __name__ == "__main__"`
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--every", type=float, default=60, help="seconds between reports")
    parser.add_argument("--warm-up", type=float, default=120, help="seconds not compared")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from digitlab.session.run import RunEnd
    from digitlab.session.run_settings import RunSettings

    session, window = open_window()
    session.run.set_settings(RunSettings(hidden=(100,), epochs=1, batch_size=64))

    runs = {"started": 0, "done": 0, "failed": 0, "snapshots": 0}
    failures: list[str] = []

    def restart(outcome=None) -> None:
        if outcome is not None:
            failed = outcome.end in (RunEnd.FAILED, RunEnd.DIVERGED)
            runs["failed" if failed else "done"] += 1
            if failed:
                failures.append(outcome.message)
        if runs["started"] % RESET_EVERY == 0:
            session.run.reset()
        runs["started"] += 1
        QTimer.singleShot(0, session.run.start)  # after the other listeners have seen the end

    session.run.finished.connect(restart)
    session.run.updated.connect(lambda _: runs.__setitem__("snapshots", runs["snapshots"] + 1))

    lateness: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(10)

    def tick() -> None:
        lateness.append(max(0.0, clock.nsecsElapsed() / 1e6 - 10.0))
        clock.restart()

    ticker.timeout.connect(tick)
    loop = QEventLoop()

    def wait(seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            QTimer.singleShot(10, loop.quit)
            loop.exec()

    began = time.perf_counter()
    restart()
    clock.start()
    ticker.start()
    print(f"784→100→10, 1-epoch runs restarted on finish (Reset every {RESET_EVERY}th), "
          f"window 1400×860 offscreen, {args.minutes:g} minutes")  # fmt: skip
    print("minute  window MB  trainer MB  snapshots/s  lateness p99 ms  runs done  stroke ms")
    reports: list[tuple[float, float, float]] = []
    last_snapshots, last_time = 0, time.perf_counter()
    while time.perf_counter() - began < args.minutes * 60:
        wait(args.every)
        strokes = stroke_latencies(app, window, 30)
        now = time.perf_counter()
        rate = (runs["snapshots"] - last_snapshots) / (now - last_time)
        last_snapshots, last_time = runs["snapshots"], now
        p99 = float(np.percentile(lateness, 99)) if lateness else float("nan")
        lateness.clear()
        gui, trainer = rss_mb(os.getpid()), sum(rss_mb(k) for k in children(os.getpid()))
        minute = (now - began) / 60
        reports.append((minute, gui, trainer))
        print(f"{minute:6.1f}  {gui:9.0f}  {trainer:10.0f}  {rate:11.1f}  {p99:15.1f}  "
              f"{runs['done']:9d}  {np.median(strokes):9.1f}", flush=True)  # fmt: skip
    ticker.stop()
    window.close()

    settled = [r for r in reports if r[0] * 60 >= args.warm_up] or reports
    first, last = settled[0], settled[-1]
    for name, index in (("window", 1), ("trainer", 2)):
        growth = (last[index] - first[index]) / first[index] if first[index] else float("nan")
        print(f"{name} memory: {first[index]:.0f} MB at minute {first[0]:.1f} → "
              f"{last[index]:.0f} MB at minute {last[0]:.1f} ({growth:+.1%})  "
              f"[target within ±5 %: {verdict(abs(growth) <= GROWTH_TARGET)}]")  # fmt: skip
    print(f"runs: {runs['done']} ended, {runs['failed']} failed  "
          f"[target none failed: {verdict(runs['failed'] == 0)}]")  # fmt: skip
    for message in failures[:5]:
        print(f"  failed: {message}")


if __name__ == "__main__":
    main()
