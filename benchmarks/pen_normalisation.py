"""Normalise pen (issue 25, item 4): the shipped `robust` model on held-out MNIST test digits
drawn with another pen, through the window's recipe with the step off and on.

Prints, each with its target and ok / not ok:
- accuracy on the test digits with strokes 1 px thinner on each side (the robustness sweep's
  `pen -1px`), step on (target ≥ 93 %),
- the same 2 px thicker on each side (`pen +2px`), step on (target ≥ 95 %),
- the plain test set, step on (target: no loss against off),
- the time the step adds per 28×28 image, one image at a time as the window runs it (median;
  target ≤ 2 ms).

    DIGITLAB_DATA=/path/to/data python benchmarks/pen_normalisation.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import matmul_gflops, verdict  # noqa: E402

from digitlab.core import distort  # noqa: E402
from digitlab.core.batch_preprocess import to_mnist_batch  # noqa: E402
from digitlab.core.checkpoint import load_checkpoint  # noqa: E402
from digitlab.core.data import load_split  # noqa: E402
from digitlab.core.pen_width import normalise_pen  # noqa: E402
from digitlab.core.preprocess import PreprocessOptions  # noqa: E402
from digitlab.core.resources import shipped_model_path  # noqa: E402

PENS = {"1 px thinner": (-1.0, 0.93), "2 px thicker": (2.0, 0.95), "plain": (0.0, None)}


def accuracy(network, images: torch.Tensor, labels: np.ndarray, on: bool) -> float:
    options = PreprocessOptions(invert=False, normalise_pen=on)
    seen = to_mnist_batch(images, options).reshape(len(images), -1).numpy()
    return float((network.logits(seen).argmax(axis=1) == labels).mean())


def step_ms(images: np.ndarray, repeats: int = 2000) -> float:
    """Median ms of `normalise_pen` on one fitted 28×28 image."""
    times = []
    for image in images[:repeats]:
        started = time.perf_counter()
        normalise_pen(image)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main() -> int:
    torch.set_num_threads(1)
    print(f"matmul: {matmul_gflops():.0f} GFLOP/s")
    test = load_split("mnist", "test")
    network = load_checkpoint(shipped_model_path("robust")).network
    digits = torch.from_numpy(test.images).float().div_(255.0)
    plain = {}
    all_ok = True
    for name, (amount, target) in PENS.items():
        drawn = distort.pen(digits, amount).clamp_(0.0, 1.0)
        off, on = (accuracy(network, drawn, test.labels, flag) for flag in (False, True))
        plain[name] = off, on
        goal = target if target is not None else off
        ok = on >= goal
        all_ok &= ok
        print(f"{name:>13}: off {100 * off:.2f} %  on {100 * on:.2f} %  "
              f"(target ≥ {100 * goal:.2f} %) {verdict(ok)}")  # fmt: skip
    thin = distort.pen(digits[:2000], -1.0).clamp_(0.0, 1.0)  # every image is corrected
    fitted = to_mnist_batch(thin, PreprocessOptions(invert=False, centre=False)).numpy()
    ms = step_ms(fitted)
    all_ok &= ms <= 2.0
    print(f"step per 28×28 image: {ms:.3f} ms median (target ≤ 2 ms) {verdict(ms <= 2.0)}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
