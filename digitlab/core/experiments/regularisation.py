"""Experiment 12, L1 and L2: an L1 penalty drives many weights to (near) zero, a sparse net;
L2 shrinks all of them but leaves few at zero. Two moons, a 2→64→64→2 ReLU net, penalties of
several strengths: the weights' sizes, the share near zero, and test accuracy."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import accuracy, mlp, train, two_moons

STRENGTHS = (0.0, 1e-4, 1e-3, 1e-2)
NEAR_ZERO = 1e-3


def _weights(net: torch.nn.Module) -> list[torch.Tensor]:
    return [m.weight for m in net if isinstance(m, torch.nn.Linear)]


def penalty(kind: str, strength: float):
    if strength == 0.0:
        return None
    if kind == "L1":
        return lambda net: strength * sum(w.abs().sum() for w in _weights(net))
    return lambda net: strength * sum((w * w).sum() for w in _weights(net))


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    n, epochs = (300, 40) if settings.quick else (1000, 150)
    x, y = two_moons(n, 0.15, settings.seed)
    test_x, test_y = two_moons(1000, 0.15, settings.seed + 1)
    rows, share = [], {}
    panels = [Panel(f"weights with |w| < {NEAR_ZERO:g}", "strength", "share", log_y=False),
              Panel("test accuracy", "strength", "accuracy")]  # fmt: skip
    runs = [("L1", s) for s in STRENGTHS] + [("L2", s) for s in STRENGTHS[1:]]
    for index, (kind, strength) in enumerate(runs):
        progress(index / len(runs), f"{kind} {strength:g}")
        torch.manual_seed(settings.seed)
        net = mlp((2, 64, 64, 2))
        train(net, x, y, epochs, lr=3e-3, seed=settings.seed,
              penalty=penalty(kind, strength), cancelled=cancelled)  # fmt: skip
        weights = torch.cat([w.detach().view(-1) for w in _weights(net)]).abs().numpy()
        name = "none" if strength == 0.0 else kind
        share[(name, strength)] = float((weights < NEAR_ZERO).mean())
        rows.append([name, strength, float(weights.mean()), share[(name, strength)],
                     accuracy(net, test_x, test_y)])  # fmt: skip
    for kind in ("L1", "L2"):
        chosen = [r for r in rows if r[0] in (kind, "none")]
        xs = [float(np.log10(max(r[1], 1e-5))) for r in chosen]  # 0 → 1e-5 on the log axis
        panels[0].lines.append(Line(kind, xs, [r[3] for r in chosen], dashed=kind == "L2"))
        panels[1].lines.append(Line(kind, xs, [r[4] for r in chosen], dashed=kind == "L2"))
    for panel in panels:
        panel.x_label = "log10 strength (−5: none)"
    strongest = STRENGTHS[-1]
    l1, l2, none = share[("L1", strongest)], share[("L2", strongest)], share[("none", 0.0)]
    agrees = l1 > max(none, l2) + 0.1
    conclusion = (
        f"At strength {strongest:g}, {l1:.0%} of the weights are below {NEAR_ZERO:g} with L1, "
        f"{l2:.0%} with L2 and {none:.0%} without a penalty: "
        + ("L1 makes the net sparse and L2 does not, as the folklore says." if agrees
           else "L1 did not make the net clearly sparser here.")
    )  # fmt: skip
    return ExperimentResult(
        "regularisation", settings,
        [Table(["penalty", "strength", "mean |w|", f"share |w| < {NEAR_ZERO:g}",
                "test accuracy"], rows)],
        panels, conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    12,
    "regularisation",
    "L1 and L2",
    "L1 regularisation makes weights sparse; L2 makes them small but not zero.",
    "Two moons (noise 0.15), a 2→64→64→2 ReLU net trained with Adam plus an L1 or L2 penalty on "
    "the weights of strength 1e-4, 1e-3 or 1e-2 (or none); weight sizes and test accuracy.",
    run,
)
