"""What several benchmarks print: a verdict word and the machine's matmul speed."""

from __future__ import annotations

import time

import numpy as np


def verdict(ok: bool) -> str:
    return "ok" if ok else "not ok"


def matmul_gflops() -> float:
    """numpy float32 1024² matmul GFLOP/s: this shared VM's speed drifts through the day, so
    each benchmark prints it beside its figures."""
    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    a @ a
    started = time.perf_counter()
    for _ in range(5):
        a @ a
    return 5 * 2 * 1024**3 / (time.perf_counter() - started) / 1e9
