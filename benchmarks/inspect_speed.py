"""Speed of the look-inside views (offscreen), for the shipped 784→256→10 model.

Prints, each with its target and ok / not ok:
- stroke to repaint with the prediction, activations and evidence views all visible (median;
  target ≤ 16 ms, the budget of the bars alone),
- hidden-unit statistics (dead units, firing, top images) over the 10 000 test images
  (median of 5; target ≤ 0.3 s),
- layer probes of a 784→100→100→100→10 net (trained one epoch here) on the 60 000 training
  images, as `digitlab probe` runs them (target ≤ 20 s), how often progress came, and how soon
  a cancel stops them (target ≤ 1 s).

    DIGITLAB_DATA=/path/to/data python benchmarks/inspect_speed.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gui_input import stroke_latencies  # noqa: E402

from digitlab.core.checkpoint import load_checkpoint  # noqa: E402
from digitlab.core.data import load_dataset  # noqa: E402
from digitlab.core.resources import shipped_model_path  # noqa: E402
from digitlab.core.units import layer_units  # noqa: E402


def verdict(ok: bool) -> str:
    return "ok" if ok else "not ok"


class Views(QWidget):
    """The pad and the three views side by side, as `stroke_latencies` expects a window."""

    def __init__(self, session) -> None:
        super().__init__()
        from digitlab.ui.views.activations import ActivationsView
        from digitlab.ui.views.evidence import EvidenceView
        from digitlab.ui.views.pad import PadView
        from digitlab.ui.views.prediction import PredictionView

        self.views = {
            "pad": PadView(session),
            "prediction": PredictionView(session),
            "activations": ActivationsView(session),
            "evidence": EvidenceView(session),
        }
        layout = QHBoxLayout(self)
        for view in self.views.values():
            layout.addWidget(view)

    def view(self, view_id: str):
        return self.views[view_id]


def machine_speed() -> float:
    """numpy float32 matmul GFLOP/s, one thread: this shared VM's speed drifts through the day,
    and the figures here move with it; this line says how fast it was for them."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    with threadpool_limits(1, user_api="blas"):
        a @ a
        times = []
        for _ in range(5):
            started = time.perf_counter()
            a @ a
            times.append(time.perf_counter() - started)
    return 2 * 1024**3 / statistics.median(times) / 1e9


def probe_speed(dataset) -> tuple[float, int, float, float]:
    """Seconds for all probes, progress reports, the longest wait between two, cancel latency."""
    import threading

    from digitlab.core.model import new_model, to_network
    from digitlab.core.network import ModelSpec
    from digitlab.core.probes import ProbeCancelled, probe_layers
    from digitlab.core.protocol import TrainConfig
    from digitlab.core.training import train

    model = new_model(ModelSpec(hidden=(100, 100, 100)), seed=0)
    for _ in train(model, dataset, TrainConfig(epochs=1)):
        pass
    network = to_network(model)
    data = (dataset.train.images, dataset.train.labels, dataset.test.images, dataset.test.labels)
    marks = [time.perf_counter()]
    probe_layers(network, *data, progress=lambda fraction, text: marks.append(time.perf_counter()))
    took = marks[-1] - marks[0]
    longest = max(b - a for a, b in zip(marks, marks[1:]))

    stop, stopped = threading.Event(), []

    def cancellable() -> None:
        try:
            probe_layers(network, *data, cancelled=stop.is_set)
        except ProbeCancelled:
            stopped.append(time.perf_counter())

    worker = threading.Thread(target=cancellable)
    worker.start()
    time.sleep(took / 3)  # somewhere in the middle
    asked = time.perf_counter()
    stop.set()
    worker.join()
    return took, len(marks) - 1, longest, (stopped[0] - asked) if stopped else float("inf")


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher

    session = Session(QtDispatcher())
    session.start("mlp")
    deadline = time.perf_counter() + 20
    while session.models.current is None and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)
    window = Views(session)
    window.resize(1500, 360)
    window.show()
    app.processEvents()
    also = [window.view("activations"), window.view("evidence")]
    speed = machine_speed()
    stroke_latencies(app, window, 20, also)  # warm-up
    strokes = statistics.median(stroke_latencies(app, window, 120, also))
    bars_alone = statistics.median(stroke_latencies(app, window, 120))

    network = load_checkpoint(shipped_model_path("mlp")).network
    images = load_dataset("mnist", download_missing=False).test.images
    times = []
    for _ in range(5):
        started = time.perf_counter()
        layer_units(network, images)
        times.append(time.perf_counter() - started)
    units_s = statistics.median(times)
    window.close()
    session.close()
    probes_s, reports, longest_s, cancel_s = probe_speed(
        load_dataset("mnist", download_missing=False)
    )

    print(f"shipped {network.spec.describe()}, {len(images):,} test images, offscreen; "
          f"machine: {speed:.0f} GFLOP/s (numpy matmul, one thread)")  # fmt: skip
    print(f"stroke to repaint, prediction + activations + evidence: median {strokes:.1f} ms "
          f"(pad and bars alone: {bars_alone:.1f} ms)  "
          f"[target ≤ 16 ms: {verdict(strokes <= 16)}]")  # fmt: skip
    print(f"hidden-unit statistics over the test set: {units_s:.3f} s  "
          f"[target ≤ 0.3 s: {verdict(units_s <= 0.3)}]")  # fmt: skip
    print(f"probes of 784→100→100→100→10 on 60,000 training images: {probes_s:.1f} s, "
          f"{reports} progress reports, at most {longest_s:.1f} s apart  "
          f"[target ≤ 20 s: {verdict(probes_s <= 20)}]")  # fmt: skip
    print(f"probes cancelled mid-way: stopped {cancel_s:.2f} s after the cancel  "
          f"[target ≤ 1 s: {verdict(cancel_s <= 1)}]")  # fmt: skip


if __name__ == "__main__":
    main()
