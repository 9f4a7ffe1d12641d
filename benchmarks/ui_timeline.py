"""Time travel: what keeping a run's history costs, and how fast the timeline moves the window.

Prints, each with its target and ok / not ok (784→100→10, batch 64, 2 epochs, one torch thread):
- training samples/s of `digitlab train` with --history against without (best of two each;
  target ≥ 95 %),
- the history's size for 784→100→10 and 784→400→200→10 (moments kept within the 64 MB cap),
- moving the scrubber to another moment until the weights view and the prediction hold it and
  have repainted (window 1400×860 offscreen, Train workspace, a digit drawn; median and p90 over
  60 random moves; target p90 ≤ 50 ms),
- playing the run at 10 moments a second: the event loop's p99 lateness of a 10 ms timer
  (target ≤ 30 ms),
- `digitlab record RUN --view weights --out FILE.gif --frames 200`, the whole command
  (target ≤ 30 s).

    DIGITLAB_DATA=/path/to/data python benchmarks/ui_timeline.py
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import matmul_gflops, verdict  # noqa: E402
from gui_input import Lateness, open_window, stroke_latencies  # noqa: E402

TRAIN = [sys.executable, "-m", "digitlab", "train", "--hidden", "100", "--epochs", "2",
         "--threads", "1", "--quiet"]  # fmt: skip


def train_rate(folder: str, history: bool) -> float:
    """samples/s that `digitlab train` reports (with --history or without)."""
    command = [*TRAIN, "--out", os.path.join(folder, "m.safetensors")]
    if history:
        command += ["--history", os.path.join(folder, "run.safetensors")]
    printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"([\d,]+) samples/s", printed).group(1).replace(",", ""))


def history_sizes() -> list[str]:
    """Moments the default cap keeps, and their bytes, for two nets (synthetic weights)."""
    from digitlab.core.network import ModelSpec, Network
    from digitlab.session.history import HistoryEntry, SnapshotHistory

    lines = []
    for hidden in ((100,), (400, 200)):
        spec = ModelSpec(hidden=hidden)
        shapes = spec.layer_shapes
        network = Network.from_arrays(spec, [np.zeros(s, np.float32) for s in shapes],
                                      [np.zeros(s[0], np.float32) for s in shapes])  # fmt: skip
        history = SnapshotHistory()
        for step in range(2000):
            history.add(HistoryEntry(step, 64 * step, step / 938, 0.1, 0.9, None, network))
        lines.append(f"history of {spec.describe()}: {len(history)} moments in "
                     f"{history.nbytes / 2**20:.1f} MB (cap {history.max_bytes / 2**20:.0f} MB), "
                     f"{history.entries[0].nbytes / 1024:.0f} KB a moment")  # fmt: skip
    return lines


def wait(condition, timeout_s: float = 120) -> None:
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    while not condition() and time.perf_counter() < deadline:
        QTimer.singleShot(10, loop.quit)
        loop.exec()
    if not condition():
        raise SystemExit("timed out")


def window_figures(app, run_path: str) -> tuple[list[float], list[float], int]:
    """(scrub ms, play lateness ms, moments) in the whole window."""
    from digitlab.session.run import RunPhase
    from digitlab.session.run_files import open_history

    session, window = open_window()
    window.workspaces.switch("train")
    wait(lambda: session.models.current is not None)
    session.run.set_pace(0)
    open_history(session.run, session.jobs, session.notices, run_path)
    wait(lambda: session.run.phase is RunPhase.FINISHED)
    stroke_latencies(app, window, 30)  # a digit on the pad: the prediction has work to do
    timeline, weights = session.timeline, window.view("weights")
    bars = window.view("prediction").bars
    count = len(timeline.moments)
    scrubs = []
    rng = np.random.default_rng(0)
    for index in rng.integers(0, count - 1, 60):
        started = time.perf_counter()
        window.timeline.slider.setValue(int(index))  # as a drag does
        app.processEvents()  # the views refresh on zero-delay timers
        weights.canvas.viewport().repaint()
        bars.repaint()
        scrubs.append((time.perf_counter() - started) * 1000)
        assert weights._entry.ref == timeline.moments[int(index)].ref
        wait(lambda: not session.analysing, 30)  # the moment's analyses, before the next move

    probe = Lateness()
    bar = window.timeline
    bar.speed.setCurrentIndex(bar.speed.findData(10))
    timeline.seek(max(count - 101, 0))  # 100 moments: 10 seconds of play
    probe.start()
    bar.toggle_play()
    wait(lambda: not bar.playing, 60)
    lateness = probe.stop()
    window.close()
    session.close()
    return scrubs, lateness, count


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"numpy matmul: {matmul_gflops():.0f} GFLOP/s")
    folder = tempfile.mkdtemp(prefix="digitlab-timeline-")
    plain = max(train_rate(folder, False) for _ in range(2))
    kept = max(train_rate(folder, True) for _ in range(2))
    print(f"training with --history: {kept:,.0f} samples/s against {plain:,.0f} without = "
          f"{kept / plain:.0%}  [target ≥ 95 %: {verdict(kept / plain >= 0.95)}]")  # fmt: skip
    for line in history_sizes():
        print(line)
    run_path = os.path.join(folder, "run.safetensors")
    scrubs, lateness, count = window_figures(app, run_path)
    p90 = float(np.percentile(scrubs, 90))
    print(f"scrub to a moment ({count} moments), weights + prediction repainted: median "
          f"{statistics.median(scrubs):.1f} ms, p90 {p90:.1f} ms  "
          f"[target ≤ 50 ms: {verdict(p90 <= 50)}]")  # fmt: skip
    p99 = float(np.percentile(lateness, 99))
    print(f"playing at 10 moments/s: event-loop lateness median {statistics.median(lateness):.1f}"
          f" ms, p99 {p99:.1f} ms  [target p99 ≤ 30 ms: {verdict(p99 <= 30)}]")  # fmt: skip
    out = os.path.join(folder, "weights.gif")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "digitlab", "record", run_path, "--view", "weights",
                    "--out", out, "--frames", "200"], check=True, capture_output=True)  # fmt: skip
    took = time.perf_counter() - started
    print(f"digitlab record --view weights --frames 200 (GIF, 640×480): {took:.1f} s  "
          f"[target ≤ 30 s: {verdict(took <= 30)}]")  # fmt: skip


if __name__ == "__main__":
    main()
