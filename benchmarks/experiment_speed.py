"""Speed of the classic experiments (issue 10): every `--quick` run, and with `--full` every
full run, each against its target (quick ≤ 60 s, full ≤ 10 min), plus how soon a cancel stops a
run and the torch thread count's effect on one quick run.

Prints one line per figure with its target and ok / not ok, and the machine's matmul speed,
since this VM's speed drifts through the day.

    DIGITLAB_DATA=/path/to/data python benchmarks/experiment_speed.py [--full]
"""

from __future__ import annotations

import argparse
import threading
import time

from common import matmul_gflops, verdict

from digitlab.core.experiments import EXPERIMENTS, ExperimentCancelled, Settings, run_experiment

QUICK_TARGET_S, FULL_TARGET_S = 60.0, 600.0


def timed(name: str, quick: bool, threads: int = 1) -> float:
    started = time.perf_counter()
    run_experiment(name, Settings(quick=quick), threads=threads)
    return time.perf_counter() - started


def cancel_delay(name: str, after_s: float = 2.0) -> float:
    """Seconds from asking a full run to stop until it has stopped."""
    asked: list[float] = []
    timer = threading.Timer(after_s, lambda: asked.append(time.perf_counter()))
    timer.start()
    try:
        run_experiment(name, Settings(), cancelled=lambda: bool(asked))
    except ExperimentCancelled:
        return time.perf_counter() - asked[0]
    finally:
        timer.cancel()
    raise AssertionError(f"{name} finished before the cancel")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also time every full run")
    args = parser.parse_args()
    print(f"matmul: {matmul_gflops():.1f} GFLOP/s")
    timed("depth", quick=True)  # torch's first Adam imports torch._dynamo: not an experiment's
    quick = {name: timed(name, quick=True) for name in EXPERIMENTS}
    for name, seconds in quick.items():
        print(f"quick {name}: {seconds:.1f} s (target ≤ {QUICK_TARGET_S:.0f} s) "
              f"{verdict(seconds <= QUICK_TARGET_S)}")  # fmt: skip
    total = sum(quick.values())
    print(f"all quick runs: {total:.0f} s, the slowest {max(quick.values()):.1f} s")
    two = timed("activations", quick=True, threads=2)
    print(f"quick activations on 2 torch threads: {two:.1f} s, "
          f"{two / quick['activations']:.2f}× the time on 1")  # fmt: skip
    slowest_step = max(cancel_delay(name) for name in ("memorisation", "initialisers"))
    print(f"a cancel stops a full run in {slowest_step:.2f} s (target ≤ 2 s) "
          f"{verdict(slowest_step <= 2.0)}")  # fmt: skip
    if args.full:
        for name in EXPERIMENTS:
            seconds = timed(name, quick=False)
            print(f"full {name}: {seconds:.0f} s (target ≤ {FULL_TARGET_S:.0f} s) "
                  f"{verdict(seconds <= FULL_TARGET_S)}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
