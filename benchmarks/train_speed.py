"""Training speed: the digitlab trainer against the tutorial pipeline, in one run, same machine.

Prints samples/s for the 1-layer (784→10) and 2-layer (784→100→10) nets at batch 64, the ratio to
`torchvision.datasets.MNIST` + `ToTensor()` + a shuffled `DataLoader`, time to reach the accuracy
targets, peak RSS of `digitlab train`, and how far an epoch is from the arithmetic floor
(6 × parameters × samples FLOPs at this machine's measured matmul rate).

    DIGITLAB_DATA=/path/to/data python benchmarks/train_speed.py [--threads 1] [--markdown]
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
from digitlab.core.model import new_model
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import TrainConfig
from digitlab.core.training import make_optimizer, train

BATCH = 64


def digitlab_rate(dataset, hidden: tuple[int, ...], epochs: int = 2) -> float:
    """Samples/s of core.training.train over whole epochs (snapshots at the app's 10/s)."""
    model = new_model(ModelSpec(hidden=hidden), seed=0)
    config = TrainConfig(epochs=epochs, batch_size=BATCH, snapshot_seconds=0.1)
    start = time.perf_counter()
    *_, last = train(model, dataset, config)
    return last.samples_seen / (time.perf_counter() - start)


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
    """Peak resident memory (MB) of a real `digitlab train` run (784→100→10, one epoch)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "digitlab", "train", "--hidden", "100", "--epochs", "1",
             "--quiet", "--out", os.path.join(tmp, "m.safetensors")],
            check=True, capture_output=True,
        )  # fmt: skip
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def verdict(ok: bool) -> str:
    return "ok" if ok else "not ok"


RATIO_TARGETS = {"784→10": 5.0, "784→100→10": 3.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    root = str(data_root())
    dataset = load_dataset("mnist", root=root, download_missing=False)
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} cores; torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread(s); batch {BATCH}")  # fmt: skip

    flops = matmul_flops()
    print(f"matmul peak: {flops / 1e9:.1f} GFLOP/s\n")
    print(
        f"{'net':<14}{'digitlab':>14}{'tutorial':>14}{'ratio':>8}{'epoch':>9}{'floor':>9}{'×floor':>8}"
    )
    ratios = {}
    for name, hidden in (("784→10", ()), ("784→100→10", (100,))):
        ours = digitlab_rate(dataset, hidden)
        theirs = tutorial_rate(root, hidden)
        ratios[name] = ours / theirs
        params = sum(p.numel() for p in new_model(ModelSpec(hidden=hidden)).parameters())
        epoch_s = 60_000 / ours
        floor_s = 6 * params * 60_000 / flops
        print(
            f"{name:<14}{ours:>10,.0f}/s {theirs:>10,.0f}/s {ours / theirs:>6.1f}× "
            f"{epoch_s:>7.2f}s {floor_s:>7.3f}s {epoch_s / floor_s:>6.0f}×"
        )

    print()
    for name, target in RATIO_TARGETS.items():
        print(f"{name} speed: {ratios[name]:.1f}× the tutorial pipeline  "
              f"[target ≥ {target:g}×: {verdict(ratios[name] >= target)}]")  # fmt: skip
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
    rss = peak_rss_of_cli_train()
    print(f"peak RSS of `digitlab train --hidden 100 --epochs 1`: {rss:.0f} MB  "
          f"[target ≤ 1500 MB: {verdict(rss <= 1500)}]")  # fmt: skip


if __name__ == "__main__":
    main()
