"""Experiment 15, depth at a fixed parameter count as the write-up ran it: the claim is that a
deeper net of the same size fits more complex functions, tested with a net whose hidden layers
share one weight matrix and bias, so depth adds no parameters at all. The same task as `depth`
(16 points on [−1, 1], classes alternating): 1→10, then one 10→10 layer applied 1 to N times,
then 10→2, always 152 parameters; training accuracy after full-batch Adam, over several seeds,
and how often the fitted function changes class along the line (15 changes fit all 16 points).

A module of its own rather than a variant in `depth.py`: `depth`'s result and figure stay as
they were, and this one gets its own row, figure and verdict."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.depth import POINTS, fit_points
from digitlab.core.experiments.toy import stop_if

WIDTH = 10  # 1→10 (20) + shared 10→10 (110) + 10→2 (22) = 152 parameters, the write-up's count
GRID = 4001  # points along [−1, 1] on which the class changes are counted
CLEAR = 0.05  # a difference in mean accuracy below this counts as none


class SharedNet(torch.nn.Module):
    """1→WIDTH, then one WIDTH→WIDTH ReLU layer applied `applications` times, then WIDTH→2:
    the parameter count does not depend on the depth."""

    def __init__(self, applications: int) -> None:
        super().__init__()
        self.first = torch.nn.Linear(1, WIDTH)
        self.shared = torch.nn.Linear(WIDTH, WIDTH)
        self.last = torch.nn.Linear(WIDTH, 2)
        self.applications = applications

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.relu(self.first(x))
        for _ in range(self.applications):
            hidden = torch.relu(self.shared(hidden))
        return self.last(hidden)


def parameter_count(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def train_once(
    applications: int, steps: int, seed: int, cancelled=lambda: False
) -> tuple[float, int, list[float]]:
    """Training accuracy at the end, the class changes along the line, and the accuracy every
    50 steps, for one seed (full-batch Adam, lr 0.01, as `depth`)."""
    torch.manual_seed(seed)
    net = SharedNet(applications)
    curve = fit_points(net, steps, cancelled)
    with torch.no_grad():
        classes = net(torch.linspace(-1.0, 1.0, GRID).view(-1, 1)).argmax(1)
    return curve[-1], int((classes[1:] != classes[:-1]).sum()), curve


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    depths, steps, seeds = ((1, 2, 4), 600, 2) if settings.quick else ((1, 2, 3, 4, 6, 8), 3000, 5)
    curves_panel = Panel("training accuracy (mean over seeds)", "step", "accuracy")
    depth_panel = Panel("final training accuracy (points: seeds)",
                        "applications of the shared layer", "accuracy")  # fmt: skip
    rows, finals = [], {}
    for index, depth in enumerate(depths):
        changes, curves = [], []
        for seed in range(seeds):
            stop_if(cancelled)
            progress((index * seeds + seed) / (len(depths) * seeds), f"{depth} applications")
            final, changed, curve = train_once(depth, steps, settings.seed * 1000 + seed, cancelled)
            finals.setdefault(depth, []).append(final)
            changes.append(changed)
            curves.append(curve)
        mine = finals[depth]
        rows.append([f"{depth} × shared", depth + 1, parameter_count(SharedNet(depth)),
                     float(np.mean(mine)), float(np.std(mine)), float(np.mean(changes)),
                     int(sum(f == 1.0 for f in mine))])  # fmt: skip
        mean_curve = np.mean(curves, axis=0)
        steps_axis = [50.0 * (i + 1) for i in range(len(mean_curve))]
        curves_panel.lines.append(Line(f"{depth} × shared", steps_axis, mean_curve.tolist()))
    means = {depth: float(np.mean(found)) for depth, found in finals.items()}
    depth_panel.lines += [
        Line("mean", [float(d) for d in depths], [means[d] for d in depths]),
        Line("seed", [float(d) for d in depths for _ in finals[d]],
             [f for d in depths for f in finals[d]], points=True),
    ]  # fmt: skip
    agrees, verdict = judge_depths(means)
    words = ", ".join(f"{d} {means[d]:.0%}" for d in depths)
    changes = ", ".join(f"{row[5]:.1f}" for row in rows)
    conclusion = (
        f"Mean training accuracy over {seeds} seeds of the 152-parameter net, by applications of "
        f"its shared layer: {words}; class changes along the line (15 fit every point): "
        f"{changes}; {verdict}."
    )
    return ExperimentResult(
        "depth_shared", settings,
        [Table(["net", "hidden layers", "parameters", "mean accuracy", "std over seeds",
                "class changes on [−1, 1]", f"seeds fitted (of {seeds})"], rows)],
        [curves_panel, depth_panel], conclusion, agrees,
    )  # fmt: skip


def judge_depths(means: dict[int, float]) -> tuple[bool | None, str]:
    """Held (True) if the best depth beats one application clearly and the deepest is about as
    good as the best; in part (None) if accuracy rises with depth and then falls again."""
    shallow, deepest = means[min(means)], means[max(means)]
    best = max(means, key=lambda depth: means[depth])
    if means[best] < shallow + CLEAR:
        return False, "more applications did not fit the points better: the claim did not hold"
    if deepest >= means[best] - CLEAR:
        return True, "the deeper shared nets fit the points better, as the claim says"
    return None, (
        f"accuracy rose to {means[best]:.0%} at {best} applications and fell again to "
        f"{deepest:.0%} at {max(means)}: the claim held only up to a moderate depth"
    )


EXPERIMENT = Experiment(
    15,
    "depth_shared",
    "Depth at a fixed parameter count, shared weights",
    "At a fixed parameter count (152), a deeper net fits more complex functions: a net that "
    "reuses one hidden layer's weights gains depth without gaining parameters.",
    f"{POINTS} equally spaced points on [−1, 1], classes alternating; a 1→{WIDTH} ReLU layer, "
    f"one {WIDTH}→{WIDTH} ReLU layer (weights and bias shared) applied 1, 2, 3, 4, 6 or 8 times, "
    f"then {WIDTH}→2: 152 parameters at every depth. Full-batch Adam (lr 0.01, 3000 steps), five "
    "seeds: training accuracy and the class changes along the line.",
    run,
)
