"""Training speed: the digitlab trainer against the tutorial pipeline, scikit-learn and a bare
torch loop, in one run, same machine.

Prints samples/s for the 1-layer (784→10) and 2-layer (784→100→10) nets at batch 64, the ratio to
`torchvision.datasets.MNIST` + `ToTensor()` + a shuffled `DataLoader`, and how far an epoch is from
the arithmetic floor (6 × parameters × samples FLOPs at this machine's measured matmul rate), as
the trainer runs and for its step alone with nothing around it; then
784→100→10 with Adam for 3 epochs by scikit-learn's `MLPClassifier`, a bare torch loop and
digitlab (its fast step and its autograd reference), each with its time, accuracy, floor and ratio
(best of `--repeat`, interleaved); time to reach the accuracy targets and peak RSS of
`digitlab train`. `--markdown` prints the README's speed-table rows.

    DIGITLAB_DATA=/path/to/data python benchmarks/train_speed.py [--threads 1] [--repeat 3]
        [--markdown] [--quick]   (--quick: the speed rows and the comparison only)
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from torchvision import datasets, transforms

from digitlab.core.data import data_root, load_dataset
from digitlab.core.fast_step import FastStep
from digitlab.core.model import new_model
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import TrainConfig
from digitlab.core.train_batches import Batches
from digitlab.core.train_window import Window
from digitlab.core.training import make_optimizer, train, warm_up

sys.path.insert(0, os.path.dirname(__file__))
from common import verdict  # noqa: E402
from train_baselines import bare_torch_fit, digitlab_fit, sklearn_fit  # noqa: E402

BATCH = 64
COMPARE_EPOCHS = 3


def digitlab_rate(dataset, hidden: tuple[int, ...], epochs: int = 2) -> float:
    """Samples/s of core.training.train over whole epochs (snapshots at the app's 10/s)."""
    model = new_model(ModelSpec(hidden=hidden), seed=0)
    config = TrainConfig(epochs=epochs, batch_size=BATCH, snapshot_seconds=0.1)
    start = time.perf_counter()
    *_, last = train(model, dataset, config)
    return last.samples_seen / (time.perf_counter() - start)


def step_alone_rate(dataset, hidden: tuple[int, ...], epochs: int = 2) -> float:
    """Samples/s of `FastStep` and `Batches` alone over whole epochs, as `train` calls them but
    with nothing around them (no snapshots, test evaluation, live settings or pace): the rate
    the trainer's loop cannot beat."""
    model = new_model(ModelSpec(hidden=hidden), seed=0)
    fast = FastStep(model, make_optimizer(model, TrainConfig()))
    data = Batches(dataset.train, torch.device("cpu"))
    n, generator = len(data), torch.Generator().manual_seed(0)
    window = Window(model.spec.num_classes, n, torch.device("cpu"), torch.float32)
    start_time = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        targets = data.labels[order]
        window.begin_epoch(targets)
        fast.begin_epoch(targets)
        for start in range(0, n, BATCH):
            size = min(BATCH, n - start)
            logits = window.slot(size)
            fast.step(data.take_bytes(order[start : start + size]), logits, start, 0.0,
                      Batches.SCALE)  # fmt: skip
            window.add(size)
        window.reset()
    return epochs * n / (time.perf_counter() - start_time)


def tutorial_rate(root: str, hidden: tuple[int, ...], samples: int = 20_000) -> float:
    """Samples/s of the classic tutorial loop: PIL images → ToTensor → shuffled DataLoader."""
    data = datasets.MNIST(root, train=True, download=False, transform=transforms.ToTensor())
    loader = torch.utils.data.DataLoader(data, batch_size=BATCH, shuffle=True)
    model = new_model(ModelSpec(hidden=hidden), seed=0)
    optimizer = make_optimizer(model, TrainConfig())
    seen, start = 0, time.perf_counter()
    for images, labels in loader:
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        seen += len(labels)
        if seen >= samples:
            break
    return seen / (time.perf_counter() - start)


def time_to_accuracy(dataset, hidden, target: float, config: TrainConfig) -> tuple[float, float]:
    """Training seconds (evaluation excluded) until the test accuracy at an epoch end ≥ target."""
    model = new_model(ModelSpec(hidden=hidden), seed=0)
    for snap in train(model, dataset, config):
        if snap.test_accuracy is not None and snap.test_accuracy >= target:
            return snap.elapsed_s, snap.test_accuracy
    return float("inf"), snap.test_accuracy or 0.0


def matmul_flops() -> float:
    """FLOP/s of a large float32 matmul with the current thread count (the arithmetic peak)."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    torch.mm(a, b)
    best = 0.0
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(10):
            torch.mm(a, b)
        best = max(best, 10 * 2 * 1024**3 / (time.perf_counter() - start))
    return best


def peak_rss_of_cli_train() -> float:
    """Peak resident memory (MB) of a real `digitlab train` run (784→100→10, one epoch).

    Run first, while this process is small: a child's peak counts the parent's pages it was
    forked with (before its exec), so measured after the baselines it read this process's
    size, not the trainer's."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "digitlab", "train", "--hidden", "100", "--epochs", "1",
             "--quiet", "--out", os.path.join(tmp, "m.safetensors")],
            check=True, capture_output=True,
        )  # fmt: skip
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


RATIO_TARGETS = {"784→10": 5.0, "784→100→10": 3.0}
FLOOR_TARGET = 4.0  # an epoch within this many times the matmul floor
SKLEARN_TARGET = 1.3  # digitlab's time at most 1/1.3 of scikit-learn's
ACCURACY_POINTS = 0.2  # the fast step's test accuracy within this of autograd's, same seeds


def floor_seconds(hidden: tuple[int, ...], samples: int, flops: float) -> float:
    """6 × parameters × samples FLOPs (forward, and backward to inputs and weights) at `flops`."""
    return 6 * ModelSpec(hidden=hidden).parameter_count * samples / flops


def compare(dataset, flops: float, repeat: int) -> dict[str, tuple[float, float] | None]:
    """784→100→10, Adam 1e-3, batch 64, 3 epochs: each trainer's best time of `repeat` runs,
    interleaved so a busy minute on the shared machine slows all of them alike."""
    fits = {
        "scikit-learn": sklearn_fit,
        "bare torch": bare_torch_fit,
        "digitlab (autograd)": lambda *a: digitlab_fit(*a, autograd=True),
        "digitlab": digitlab_fit,
    }
    best: dict[str, tuple[float, float] | None] = {}
    for _ in range(repeat):
        for name, fit in fits.items():
            result = fit(dataset, (100,), COMPARE_EPOCHS, BATCH)
            if result is None or best.get(name) is None or result[0] < best[name][0]:
                best[name] = result
    ours = best["digitlab"]
    floor_s = floor_seconds((100,), 60_000 * COMPARE_EPOCHS, flops)
    print(f"\n784→100→10, Adam 1e-3, batch {BATCH}, {COMPARE_EPOCHS} epochs, one thread "
          f"(best of {repeat}):")  # fmt: skip
    print(f"{'trainer':<22}{'time':>8}{'epoch':>9}{'×floor':>8}{'accuracy':>10}{'÷digitlab':>11}")
    for name, result in best.items():
        if result is None:
            print(f"{name:<22}{'skipped (not installed: pip install digitlab[bench])':>46}")
            continue
        seconds, acc = result
        print(f"{name:<22}{seconds:>7.2f}s{seconds / COMPARE_EPOCHS:>8.2f}s"
              f"{seconds / floor_s:>7.1f}×{acc:>9.2%}{seconds / ours[0]:>10.2f}×")  # fmt: skip
    print(f"{'matmul floor':<22}{floor_s:>7.2f}s{floor_s / COMPARE_EPOCHS:>8.2f}s")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each trainer (best kept)")
    parser.add_argument("--markdown", action="store_true", help="print the README's rows too")
    parser.add_argument("--quick", action="store_true", help="skip the time-to-accuracy and RSS")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rss = None if args.quick else peak_rss_of_cli_train()
    root = str(data_root())
    dataset = load_dataset("mnist", root=root, download_missing=False)
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} cores; torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread(s); batch {BATCH}")  # fmt: skip
    warm_up()  # the first optimiser step imports torch._dynamo: not any trainer's time

    nets = {"784→10": (), "784→100→10": (100,)}
    flops, ours, theirs = 0.0, dict.fromkeys(nets, 0.0), dict.fromkeys(nets, 0.0)
    alone = dict.fromkeys(nets, 0.0)
    for _ in range(max(1, args.repeat)):  # the best of each, interleaved; the peak's best too
        flops = max(flops, matmul_flops())
        for name, hidden in nets.items():
            ours[name] = max(ours[name], digitlab_rate(dataset, hidden))
            alone[name] = max(alone[name], step_alone_rate(dataset, hidden))
            theirs[name] = max(theirs[name], tutorial_rate(root, hidden))
    print(f"matmul peak: {flops / 1e9:.1f} GFLOP/s (best of {max(1, args.repeat)})\n")
    print(
        f"{'net':<14}{'digitlab':>14}{'tutorial':>14}{'ratio':>8}{'epoch':>9}{'floor':>9}{'×floor':>8}"
    )
    ratios, floors, rates = {}, {}, ours
    for name, hidden in nets.items():
        ratios[name] = ours[name] / theirs[name]
        epoch_s = 60_000 / ours[name]
        floor_s = floor_seconds(hidden, 60_000, flops)
        floors[name] = epoch_s / floor_s
        print(
            f"{name:<14}{ours[name]:>10,.0f}/s {theirs[name]:>10,.0f}/s {ratios[name]:>6.1f}× "
            f"{epoch_s:>7.2f}s {floor_s:>7.3f}s {floors[name]:>6.1f}×"
        )
    best = compare(dataset, flops, max(1, args.repeat))

    print()
    for name, target in RATIO_TARGETS.items():
        print(f"{name} speed: {ratios[name]:.1f}× the tutorial pipeline  "
              f"[target ≥ {target:g}×: {verdict(ratios[name] >= target)}]")  # fmt: skip
    for name, times in floors.items():
        print(f"{name} epoch: {times:.1f}× the matmul floor  "
              f"[target ≤ {FLOOR_TARGET:g}×: {verdict(times <= FLOOR_TARGET)}]")  # fmt: skip
        step_alone = 60_000 / alone[name] / floor_seconds(nets[name], 60_000, flops)
        print(
            f"{name} epoch, the step alone (no snapshots, evaluation or live settings): "
            f"{step_alone:.1f}× the matmul floor  (no target: the loop cannot beat it)"
        )
    ours, autograd, sk = best["digitlab"], best["digitlab (autograd)"], best["scikit-learn"]
    if sk is None:
        print("784→100→10 against scikit-learn: skipped (scikit-learn not installed)")
    else:
        print(f"784→100→10 against scikit-learn: {ours[0]:.2f} s against {sk[0]:.2f} s, "
              f"{sk[0] / ours[0]:.2f}× faster  [target ≥ {SKLEARN_TARGET:g}×: "
              f"{verdict(sk[0] / ours[0] >= SKLEARN_TARGET)}]")  # fmt: skip
    points = 100 * abs(ours[1] - autograd[1])
    print(f"accuracy, fast step against autograd (same seeds): {ours[1]:.2%} against "
          f"{autograd[1]:.2%}  [target within ±{ACCURACY_POINTS:g} points: "
          f"{verdict(points <= ACCURACY_POINTS)}]")  # fmt: skip
    if args.markdown:
        markdown(rates, ratios, floors, best, flops)
    if args.quick:
        return
    linear = TrainConfig(epochs=10, batch_size=BATCH, snapshot_seconds=0.1)
    seconds, acc = time_to_accuracy(dataset, (), 0.92, linear)
    print(f"784→10 to 92 % (adam 1e-3): {seconds:.1f} s of training (reached {acc:.2%})  "
          f"[target ≤ 5 s: {verdict(seconds <= 5)}]")  # fmt: skip
    # A plain MLP with constant-rate Adam stalls near 97.9 %; SGD with momentum and a cosine
    # decay over 10 epochs passes 98 % (measured; see benchmarks/RESULTS.md).
    mlp = TrainConfig(
        epochs=10, batch_size=BATCH, optimizer="sgd", lr=0.1, schedule="cosine",
        snapshot_seconds=0.1,
    )  # fmt: skip
    seconds, acc = time_to_accuracy(dataset, (100,), 0.98, mlp)
    print(f"784→100→10 to 98 % (sgd 0.1, momentum 0.9, cosine over 10 epochs): {seconds:.1f} s "
          f"of training (reached {acc:.2%})  "
          f"[target ≤ 30 s: {verdict(seconds <= 30)}]")  # fmt: skip
    print(f"peak RSS of `digitlab train --hidden 100 --epochs 1`: {rss:.0f} MB  "
          f"[target ≤ 1500 MB: {verdict(rss <= 1500)}]")  # fmt: skip


def markdown(rates, ratios, floors, best, flops: float) -> None:
    """The README speed table's rows for these figures."""
    print(f"\nREADME rows (matmul peak {flops / 1e9:.1f} GFLOP/s):")
    for name in rates:
        print(f"| {name} training, batch 64 | {rates[name] / 1000:.0f}k samples/s, "
              f"**{ratios[name]:.1f}×** the tutorial `DataLoader` pipeline; an epoch "
              f"{floors[name]:.1f}× the matmul floor | ≥ {RATIO_TARGETS[name]:g}×; "
              f"≤ {FLOOR_TARGET:g}× |")  # fmt: skip
    ours = best["digitlab"]
    for name in ("scikit-learn", "bare torch"):
        if best[name] is None:
            continue
        seconds, acc = best[name]
        target = f"≥ {SKLEARN_TARGET:g}×" if name == "scikit-learn" else "no target"
        print(f"| 784→100→10, Adam, batch 64, {COMPARE_EPOCHS} epochs: digitlab against {name} "
              f"(one thread) | {ours[0]:.2f} s ({ours[1]:.2%}) against {seconds:.2f} s "
              f"({acc:.2%}): **{seconds / ours[0]:.2f}×** faster | {target} |")  # fmt: skip


if __name__ == "__main__":
    main()
