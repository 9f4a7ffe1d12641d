"""Experiment 9, loss functions: cross-entropy trains a classifier best; squared, absolute and
fourth-power errors (between the softmax probabilities and the one-hot target) and a
multi-class hinge still work to some degree; a constant loss, the negative control, has no
gradient and learns nothing. The same 784→128→10 ReLU net with each loss on an MNIST subset:
test accuracy after every epoch."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import Loss, accuracy, judge, mlp, mnist, train


def power_error(power: int) -> Loss:
    """Σ over classes of |softmax − one-hot|^power, averaged over the batch."""

    def loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        error = torch.softmax(logits, 1) - F.one_hot(targets, logits.shape[1]).float()
        return error.abs().pow(power).sum(1).mean()

    return loss


def constant(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """1 whatever the net says: a loss with a graph (so backward runs) and a zero gradient."""
    return 0 * logits.sum() + 1


LOSSES: dict[str, Loss] = {
    "cross-entropy": F.cross_entropy,
    "MSE": power_error(2),
    "L1": power_error(1),
    "fourth power": power_error(4),
    "hinge": F.multi_margin_loss,
    "constant": constant,
}
CONTROL = "constant"


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    seed = settings.seed
    train_size, test_size, epochs = (1500, 1000, 3) if settings.quick else (8000, 2000, 8)
    x, y, test_x, test_y = mnist(train_size, test_size, seed=seed)
    epoch_axis = list(range(epochs + 1))
    test_panel = Panel("test accuracy", "epoch", "accuracy")
    zoomed = Panel("test accuracy, trained losses (zoomed)", "epoch", "accuracy")
    rows, final, untrained = [], {}, {}
    for index, (name, loss) in enumerate(LOSSES.items()):
        progress(index / len(LOSSES), name)
        torch.manual_seed(seed)
        net = mlp((784, 128, 10))
        untrained[name] = accuracy(net, test_x, test_y)
        test_curve = [untrained[name]]
        train_curve = [accuracy(net, x, y)] + train(
            net, x, y, epochs, batch_size=64, lr=1e-3, seed=seed, loss=loss, cancelled=cancelled,
            after_epoch=lambda epoch, net=net, curve=test_curve: curve.append(
                accuracy(net, test_x, test_y)),
        )  # fmt: skip
        final[name] = test_curve[-1]
        test_panel.lines.append(Line(name, epoch_axis, test_curve, dashed=name == CONTROL,
                                     colour=index))  # fmt: skip
        if name != CONTROL:  # from epoch 1, so the axis spans only where the losses differ
            zoomed.lines.append(Line(name, epoch_axis[1:], test_curve[1:], colour=index))
        rows.append([name, untrained[name], test_curve[1], final[name], train_curve[-1]])

    working = [name for name in LOSSES if name != CONTROL]
    best = max(working, key=lambda name: final[name])
    control_flat = final[CONTROL] < 0.2 and abs(final[CONTROL] - untrained[CONTROL]) < 0.01
    others_learn = all(final[name] > 0.5 for name in working)
    cross_entropy_best = final["cross-entropy"] >= final[best]
    winner = "" if cross_entropy_best else f" ({best} does)"
    agrees, verdict = judge({"the control learns nothing": control_flat,
                             "every real loss learns": others_learn,
                             f"cross-entropy ends best{winner}": cross_entropy_best})  # fmt: skip
    others = ", ".join(f"{name} {final[name]:.1%}" for name in working[1:])
    conclusion = (
        f"After {epochs} epochs cross-entropy reaches {final['cross-entropy']:.1%} test accuracy, "
        f"{others}; the constant loss stays at {final[CONTROL]:.1%} (untrained "
        f"{untrained[CONTROL]:.1%}): {verdict}"
    )
    return ExperimentResult(
        "losses", settings,
        [Table(["loss", "untrained test accuracy", "test accuracy, epoch 1",
                f"test accuracy, epoch {epochs}", "training accuracy"], rows)],
        [test_panel, zoomed], conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    9,
    "losses",
    "Loss functions",
    "Cross-entropy trains a classifier best; other losses still work to varying degrees; a "
    "constant loss learns nothing.",
    "A 784→128→10 ReLU net (Adam, lr 1e-3, batch 64) on an MNIST subset with cross-entropy; "
    "squared (MSE), absolute (L1) and fourth-power error between the softmax and the one-hot "
    "target; the multi-class hinge on the logits (margin 1); and the constant 0·Σlogits + 1.",
    run,
)
