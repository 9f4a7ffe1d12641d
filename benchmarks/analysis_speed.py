"""Speed of the "where it breaks" analyses, for the shipped 784→256→10 model.

Prints, each with its target and ok / not ok:
- the test-set predictions behind the confusion matrix, its galleries and per-class accuracy
  after a model change (median of 5; target ≤ 0.5 s),
- the full robustness sweep, preprocessing on (84 conditions × 10 000 test digits; target
  ≤ 20 s), how often progress came and how soon a cancel stops it,
- the drawing's 13×13 offset grid with the preprocessing on and off (median of 10; target
  ≤ 150 ms),
- the machine's matmul speed, since this VM's speed drifts through the day.

    DIGITLAB_DATA=/path/to/data python benchmarks/analysis_speed.py
"""

from __future__ import annotations

import statistics
import threading
import time

import numpy as np
from common import matmul_gflops, verdict

from digitlab.core.checkpoint import load_checkpoint
from digitlab.core.data import load_dataset
from digitlab.core.drawing_grid import offset_grid
from digitlab.core.preprocess import PreprocessOptions
from digitlab.core.resources import shipped_model_path
from digitlab.core.robustness import Subject, default_conditions, sweep


def confusion_after_model_change(network, test) -> float:
    """What `session.test_predictions` computes for a new model (the confusion matrix, per-class
    accuracy, every cell ranked by confidence, the top image per cell), the split in memory."""
    from digitlab.session.models import ModelEntry, source_for
    from digitlab.session.split_predictions import compute_report

    entry = ModelEntry(source_for("mlp"), network, tuple(range(10)), "")
    times = []
    for _ in range(5):
        started = time.perf_counter()
        compute_report(entry, test)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def sweep_timing(network, test) -> tuple[float, int, float]:
    reports: list[float] = []
    started = time.perf_counter()
    result = sweep(
        [Subject("mlp", network)], test.images, test.labels, default_conditions(), (True,),
        progress=lambda fraction, text: reports.append(fraction),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    assert np.isfinite(result.accuracy).all()
    stop = threading.Event()
    stopped_at: list[float] = []

    def cancel_soon() -> None:
        time.sleep(1.0)
        stopped_at.append(time.perf_counter())
        stop.set()

    threading.Thread(target=cancel_soon).start()
    sweep([Subject("mlp", network)], test.images, test.labels, default_conditions(), (True,),
          cancelled=stop.is_set)  # fmt: skip
    return seconds, len(reports), time.perf_counter() - stopped_at[0]


def pad_drawing() -> np.ndarray:
    from PIL import Image, ImageDraw

    canvas = Image.new("L", (280, 280))
    draw = ImageDraw.Draw(canvas)
    draw.line([(90, 70), (190, 66), (150, 140), (200, 200), (120, 228)], fill=255, width=18,
              joint="curve")  # fmt: skip
    return np.asarray(canvas)


def grid_timing(network, options: PreprocessOptions) -> float:
    canvas = pad_drawing()
    times = []
    for _ in range(10):
        started = time.perf_counter()
        offset_grid(network, canvas, options)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    print(f"matmul speed: {matmul_gflops():.0f} GFLOP/s (this VM drifts; compare runs with it)")
    network = load_checkpoint(shipped_model_path("mlp")).network
    test = load_dataset("mnist", download_missing=False).test
    change = confusion_after_model_change(network, test)
    print(f"confusion matrix, galleries, per-class accuracy after a model change: "
          f"{change:.2f} s (target ≤ 0.5 s)  {verdict(change <= 0.5)}")  # fmt: skip
    seconds, reports, cancel_s = sweep_timing(network, test)
    print(f"robustness sweep, 84 conditions × 10 000 digits, preprocessing on: {seconds:.1f} s "
          f"(target ≤ 20 s)  {verdict(seconds <= 20)}")  # fmt: skip
    print(f"  progress reports: {reports}; a cancel stops it in {cancel_s:.2f} s "
          f"(target ≤ 1 s)  {verdict(cancel_s <= 1)}")  # fmt: skip
    for name, options in (
        ("preprocessing on", PreprocessOptions(invert=False)),
        ("preprocessing off", PreprocessOptions(fit=False, centre=False, invert=False)),
    ):
        took = 1000 * grid_timing(network, options)
        print(f"drawing's 13×13 offset grid, {name}: {took:.0f} ms (target ≤ 150 ms)  "
              f"{verdict(took <= 150)}")  # fmt: skip


if __name__ == "__main__":
    main()
