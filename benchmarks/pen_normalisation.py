"""Normalise pen (issue 25, item 4): the shipped `robust` model on digits drawn with another pen
and by other writers, through the window's recipe with the step off and on.

Prints, each on its own line with its target and ok / not ok:
- accuracy on the MNIST test digits with strokes 1 px thinner on each side (the robustness
  sweep's `pen -1px`), step on (target ≥ 93 %),
- the same 2 px thicker on each side (`pen +2px`), step on (target ≥ 95 %),
- the plain test set, step on (target: no loss against off),
- a second, different thinning with no target of its own, so a change is not fitted to `pen`'s
  3×3 erosion: each test digit enlarged 2× (bilinear), eroded with a disk of radius 1.5 px
  there (0.75 px at 28×28; it keeps about as much ink as `pen -1px`), and box-averaged back,
- digits by foreign writers: scikit-learn's UCI 8×8 digits (1 797, 43 writers none of whom wrote
  MNIST), each upscaled to a 224×224 grey image as a drawing on the pad would be (bilinear, ink
  0…16 → 0…1) and put through the window's recipe, `to_mnist`, as a drawing goes (target ≥ 96 %),
  and which of them it misreads most,
- the time the step adds per 28×28 image, one image at a time as the window runs it (median;
  target ≤ 2 ms).
`pen_ceiling.py` measures how well a net of this shape reads the thinned digits when trained on
nothing else.

    pip install -e ".[bench]"     # scikit-learn, for its bundled UCI digits (benchmarks only)
    DIGITLAB_DATA=/path/to/data python benchmarks/pen_normalisation.py [MODEL]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import matmul_gflops, verdict  # noqa: E402

from digitlab.core import distort  # noqa: E402
from digitlab.core.batch_preprocess import to_mnist_batch  # noqa: E402
from digitlab.core.checkpoint import load_checkpoint  # noqa: E402
from digitlab.core.data import load_split  # noqa: E402
from digitlab.core.pen_width import normalise_pen  # noqa: E402
from digitlab.core.preprocess import PreprocessOptions, to_mnist  # noqa: E402
from digitlab.core.resources import resolve_model  # noqa: E402

PENS = {"1 px thinner": (-1.0, 0.93), "2 px thicker": (2.0, 0.95), "plain": (0.0, None)}
UCI_TARGET = 0.96
PAD = 224  # the side of the grey image each 8×8 digit becomes, about a drawing pad's


def accuracy(network, images: torch.Tensor, labels: np.ndarray, on: bool) -> float:
    options = PreprocessOptions(invert=False, normalise_pen=on)
    seen = to_mnist_batch(images, options).reshape(len(images), -1).numpy()
    return float((network.logits(seen).argmax(axis=1) == labels).mean())


def disk_thinned(digits: torch.Tensor, radius: float = 3.0) -> torch.Tensor:
    """(N, 28, 28) digits eroded with a disk of `radius` px on a 2× enlarged copy."""
    big = F.interpolate(digits[:, None], scale_factor=2, mode="bilinear", align_corners=False)
    r = int(np.ceil(radius))
    padded = F.pad(big, (r, r, r, r))
    side = big.shape[-1]
    out = big
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if dy * dy + dx * dx <= radius * radius:
                window = padded[..., r + dy : r + dy + side, r + dx : r + dx + side]
                out = torch.minimum(out, window)
    return F.avg_pool2d(out, 2)[:, 0].clamp_(0.0, 1.0)


def uci_drawings() -> tuple[list[np.ndarray], np.ndarray] | None:
    """The UCI 8×8 digits as pad-sized grey images, and their labels; None without sklearn."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return None
    digits = load_digits()
    small = (digits.images / 16.0).astype(np.float32)
    bilinear = Image.Resampling.BILINEAR
    big = [np.asarray(Image.fromarray(d, mode="F").resize((PAD, PAD), bilinear)) for d in small]
    return [np.clip(b, 0.0, 1.0) for b in big], digits.target


def uci_answers(network, drawings: list[np.ndarray], on: bool) -> np.ndarray:
    options = PreprocessOptions(invert=False, normalise_pen=on)
    seen = np.stack([to_mnist(d, options) for d in drawings]).reshape(len(drawings), -1)
    return network.logits(seen).argmax(axis=1)


def commonest_errors(labels: np.ndarray, answers: np.ndarray, count: int = 3) -> str:
    """'1 read as 7: 42, 9 read as 3: 29, …': where the errors go."""
    wrong = Counter(zip(labels[labels != answers].tolist(), answers[labels != answers].tolist()))
    return ", ".join(f"{a} read as {b}: {n}" for (a, b), n in wrong.most_common(count))


def step_ms(images: np.ndarray, repeats: int = 2000) -> float:
    """Median ms of `normalise_pen` on one fitted 28×28 image."""
    times = []
    for image in images[:repeats]:
        started = time.perf_counter()
        normalise_pen(image)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def line(name: str, off: float, on: float, goal: float) -> bool:
    ok = on >= goal
    print(f"{name:>22}: off {100 * off:.2f} %  on {100 * on:.2f} %  "
          f"(target ≥ {100 * goal:.2f} %) {verdict(ok)}")  # fmt: skip
    return ok


def main() -> int:
    torch.set_num_threads(1)
    model = sys.argv[1] if len(sys.argv) > 1 else "robust"
    print(f"matmul: {matmul_gflops():.0f} GFLOP/s; model {model}")
    test = load_split("mnist", "test")
    network = load_checkpoint(resolve_model(model)).network
    digits = torch.from_numpy(test.images).float().div_(255.0)
    all_ok = True
    for name, (amount, target) in PENS.items():
        drawn = distort.pen(digits, amount).clamp_(0.0, 1.0)
        off, on = (accuracy(network, drawn, test.labels, flag) for flag in (False, True))
        all_ok &= line(name, off, on, target if target is not None else off)
    disk = disk_thinned(digits)
    off, on = (accuracy(network, disk, test.labels, flag) for flag in (False, True))
    print(f"{'disk-thinned (check)':>22}: off {100 * off:.2f} %  on {100 * on:.2f} %  (no target)")
    uci = uci_drawings()
    if uci is None:
        print("UCI 8×8 digits: not measured (needs scikit-learn: pip install -e '.[bench]') not ok")
        all_ok = False
    else:
        drawings, labels = uci
        answers = {flag: uci_answers(network, drawings, flag) for flag in (False, True)}
        off, on = (float((answers[flag] == labels).mean()) for flag in (False, True))
        all_ok &= line(f"UCI 8×8 ({len(labels)} digits)", off, on, UCI_TARGET)
        wrong = int((answers[True] != labels).sum())
        print(f"{'UCI errors, step on':>22}: {wrong}; {commonest_errors(labels, answers[True])}")
    thin = distort.pen(digits[:2000], -1.0).clamp_(0.0, 1.0)  # every image is corrected
    fitted = to_mnist_batch(thin, PreprocessOptions(invert=False, centre=False)).numpy()
    ms = step_ms(fitted)
    all_ok &= ms <= 2.0
    print(f"step per 28×28 image: {ms:.3f} ms median (target ≤ 2 ms) {verdict(ms <= 2.0)}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
