"""Speed of the interventions (`digitlab ablate`, `digitlab prune`) on the shipped models.

Prints, with its target and ok / not ok:
- the ablation table of the 784→256→10 model: each of its 256 hidden units switched off alone,
  scored on the 10 000 test digits (median of 3; target ≤ 2 s),
- the same for both hidden layers of the 784→400→200→10 robust model (no target: layer 0 has
  two layers to run again per unit),
- a hidden unit switched off until the drawing's prediction is the edited model's (target
  ≤ 16 ms), and the edited model's test accuracy per class against the original's (≤ 0.3 s),
- the pruning curve of the 784→256→10 model at 10 fractions, per layer and global, with the
  accuracies it found,
- the machine's matmul speed, since this VM's speed drifts through the day.

    DIGITLAB_DATA=/path/to/data python benchmarks/intervention_speed.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from common import matmul_gflops, verdict

from digitlab.core.ablation import ablation_table
from digitlab.core.checkpoint import load_checkpoint
from digitlab.core.data import load_split
from digitlab.core.pruning import pruning_curve
from digitlab.core.resources import shipped_model_path

FRACTIONS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
TARGET_S = 2.0
Result = TypeVar("Result")


def timed(work: Callable[[], Result], repeats: int) -> tuple[float, Result]:
    """Median seconds of `repeats` runs of work(), and its last result."""
    times, results = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        results.append(work())
        times.append(time.perf_counter() - started)
    return statistics.median(times), results[-1]


def main() -> None:
    print(f"matmul speed: {matmul_gflops():.0f} GFLOP/s (this VM drifts; compare runs with it)")
    test = load_split("mnist", "test")
    mlp = load_checkpoint(shipped_model_path("mlp"))

    def table(checkpoint, layer: int):
        network, classes = checkpoint.network, checkpoint.classes
        return lambda: ablation_table(network, test.images, test.labels, classes, layer)

    seconds, result = timed(table(mlp, 0), 3)
    digits = f"{len(test):,}".replace(",", " ")
    print(f"ablation table, {len(result)} units × {digits} digits: {seconds:.2f} s "
          f"[target ≤ {TARGET_S:g} s: {verdict(seconds <= TARGET_S)}]")  # fmt: skip
    robust = load_checkpoint(shipped_model_path("robust"))
    for layer in (1, 0):
        seconds, result = timed(table(robust, layer), 1)
        print(f"  robust model, hidden layer {layer} ({len(result)} units): {seconds:.2f} s")
    unit_off_figures(test, mlp)
    for scope in ("layer", "global"):
        seconds, curve = timed(
            lambda scope=scope: pruning_curve(
                mlp.network, test.images, test.labels, mlp.classes, FRACTIONS, scope
            ),
            3,
        )
        points = ", ".join(f"{f:.0%} {a:.1%}" for f, a in zip(FRACTIONS, curve))
        print(f"pruning curve, {len(FRACTIONS)} fractions, scope {scope}: {seconds:.2f} s "
              f"({points})")  # fmt: skip


def unit_off_figures(test, mlp) -> None:
    """The neuron lab's two targets, through the session as the window uses it: a unit switched
    off until the drawing's prediction holds the edited model's answer; and the edited model's
    test accuracy per class against the original's (the `edit_effect` analysis's work)."""
    from digitlab.core.network import Network
    from digitlab.session import QueueDispatcher, Session
    from digitlab.session.edits import edit_effect
    from digitlab.session.jobs import JobContext
    from digitlab.session.models import RUN_KEY
    from digitlab.session.shared_split import SharedSplit

    session = Session(QueueDispatcher(), test_set=lambda: test)
    network: Network = mlp.network
    session.run.adopt(network, mlp.classes, "the shipped 2-layer model")
    session.models.select(RUN_KEY)
    session.drawing.set_canvas(test.images[0])
    times = []
    for unit in range(50):
        started = time.perf_counter()
        session.edits.switch_off(0, unit)
        assert session.prediction.model_key == "edited"
        times.append((time.perf_counter() - started) * 1000)
    p90 = sorted(times)[int(0.9 * len(times))]
    print(f"a unit switched off → the drawing's prediction: median {statistics.median(times):.2f} "
          f"ms, p90 {p90:.2f} ms [target ≤ 16 ms: {verdict(p90 <= 16)}]")  # fmt: skip
    split = SharedSplit(lambda: test)
    edited, original = session.models.current, session.edits.original

    class Context:  # the job's cancel check, never cancelled here
        def check(self) -> None:
            pass

    context: JobContext = Context()  # type: ignore[assignment]
    split.inputs(edited.classes, 10_000)  # read and made sparse once, as the session keeps them
    seconds, effect = timed(lambda: edit_effect(split, edited, original, context), 3)
    print(f"the edited model's test accuracy, overall and per class, against the original "
          f"(50 units off, 10 000 digits): {seconds:.2f} s ({effect.original_overall:.1%} → "
          f"{effect.edited_overall:.1%}) [target ≤ 0.3 s: {verdict(seconds <= 0.3)}]")  # fmt: skip
    session.close()


if __name__ == "__main__":
    main()
