"""Start-up and memory of the window, and how soon Start trains (needs MNIST for the last part).

Prints, each with its target and ok / not ok:
- `digitlab --help`: seconds (median of 5 runs; no torch or numpy is imported for it),
- the window painted, and the first prediction possible (the shipped model answers and every
  view is built), in seconds after launch (median of 3 launches, offscreen),
- idle memory of the window's process and its children (the trainer starts only when training
  is first wanted),
- Start to the first snapshot: with the trainer warmed up by the user pointing at the training
  views, and cold (the very first Start, trainer not started), and the memory while training.

    DIGITLAB_DATA=/path/to/data python benchmarks/startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def verdict(ok: bool) -> str:
    return "ok" if ok else "not ok"


def help_seconds(runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "digitlab", "--help"], check=True,
                       capture_output=True)  # fmt: skip
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def launch(config: str, idle_s: float) -> dict[str, list[str]]:
    env = {**os.environ, "XDG_CONFIG_HOME": config, "DIGITLAB_STARTUP_PROBE": str(time.time()),
           "DIGITLAB_STARTUP_IDLE": str(idle_s)}  # fmt: skip
    out = subprocess.run([sys.executable, "-m", "digitlab"], env=env, capture_output=True,
                         text=True, timeout=120, check=True)  # fmt: skip
    return {line.split()[0]: line.split()[1:] for line in out.stdout.splitlines() if line.strip()}


def window_figures(runs: int = 3) -> tuple[float, float, float, float]:
    painted, ready = [], []
    with tempfile.TemporaryDirectory() as config:
        launch(config, 0)  # a first launch writes the settings, as for a returning user
        for _ in range(runs):
            seen = launch(config, 0)
            painted.append(float(seen["painted"][0]))
            ready.append(max(float(seen["built"][0]), float(seen["model"][0])))
        idle = launch(config, 5)["rss"]
    return statistics.median(painted), statistics.median(ready), float(idle[0]), float(idle[2])


def start_figures() -> tuple[float, float, float]:
    """(warm Start → snapshot, cold Start → snapshot, trainer MB while training)."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from digitlab.session import Session
    from digitlab.session.run import RunPhase
    from digitlab.session.run_settings import RunSettings
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.startup_probe import children, rss_mb

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = QEventLoop()

    def wait_for(condition, timeout_s: float = 120) -> None:
        deadline = time.perf_counter() + timeout_s
        while not condition() and time.perf_counter() < deadline:
            QTimer.singleShot(5, loop.quit)
            loop.exec()

    def first_snapshot_after_start(session: Session) -> float:
        updates = []
        session.run.updated.connect(lambda update: updates.append(time.perf_counter()))
        started = time.perf_counter()
        session.run.start()
        wait_for(lambda: bool(updates))
        return updates[0] - started

    settings = RunSettings(hidden=(100,), epochs=1)
    cold = Session(QtDispatcher())
    cold.run.set_settings(settings)
    cold_s = first_snapshot_after_start(cold)
    cold.run.stop()
    cold.close()

    warm = Session(QtDispatcher())
    warm.run.set_settings(settings)
    warm.run.prepare()  # what pointing at the training views does
    wait_for(lambda: warm.run.trainer_ready)
    time.sleep(3)  # the trainer loads MNIST after it is ready
    warm_s = first_snapshot_after_start(warm)
    wait_for(lambda: warm.run.phase is RunPhase.RUNNING)
    time.sleep(1)
    trainer_mb = sum(rss_mb(k) for k in children(os.getpid()))
    warm.close()
    app.processEvents()
    return warm_s, cold_s, trainer_mb


def main() -> None:
    help_s = help_seconds()
    print(f"digitlab --help: {help_s:.2f} s  [target ≤ 0.3 s: {verdict(help_s <= 0.3)}]")
    painted, ready, idle_mb, children_mb = window_figures()
    print(
        f"window painted: {painted:.2f} s after launch  [target ≤ 1.0 s: {verdict(painted <= 1.0)}]"
    )
    print(f"first prediction possible: {ready:.2f} s after launch  "
          f"[target ≤ 2.0 s: {verdict(ready <= 2.0)}]")  # fmt: skip
    total = idle_mb + children_mb
    print(f"idle memory: {total:.0f} MB (window {idle_mb:.0f} MB + trainer {children_mb:.0f} MB)  "
          f"[target ≤ 700 MB: {verdict(total <= 700)}]")  # fmt: skip
    warm_s, cold_s, trainer_mb = start_figures()
    print(f"Start → first snapshot, trainer warmed up: {warm_s:.2f} s  "
          f"[target ≤ 1.0 s: {verdict(warm_s <= 1.0)}]")  # fmt: skip
    print(f"Start → first snapshot, cold (first Start, trainer not started): {cold_s:.2f} s  "
          "[no target; the warm-up hides it]")  # fmt: skip
    print(f"trainer process while training 784→100→10: {trainer_mb:.0f} MB  [no target]")


if __name__ == "__main__":
    main()
