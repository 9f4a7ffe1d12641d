"""A snapshot's window: the loss and accuracy of its steps, read back from where the steps left
their logits (one contiguous block a step), whatever the batch sizes; and the test accuracy
measured from a split's bytes as from its floats."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from digitlab.core.model import new_model
from digitlab.core.network import ModelSpec
from digitlab.core.train_window import Window
from digitlab.core.training import accuracy


def fill(window: Window, sizes: list[int], generator: torch.Generator) -> list[torch.Tensor]:
    """Steps of these sizes, each writing random (classes, size) logits into its slot."""
    written = []
    for size in sizes:
        logits = torch.randn(window.classes, size, generator=generator)
        slot = window.slot(size)
        assert slot.is_contiguous() and slot.shape == (window.classes, size)
        slot.copy_(logits)
        window.add(size)
        written.append(logits)
    return written


def expected(written: list[torch.Tensor], targets: torch.Tensor) -> tuple[float, float]:
    """The mean of each step's mean cross-entropy, and the share of samples right."""
    losses, correct, start = [], 0, 0
    for logits in written:
        size = logits.shape[1]
        labels = targets[start : start + size]
        losses.append(float(F.cross_entropy(logits.t(), labels)))
        correct += int((logits.argmax(0) == labels).sum())
        start += size
    return sum(losses) / len(losses), correct / start


def test_the_window_reports_its_steps_whatever_their_batch_sizes() -> None:
    generator = torch.Generator().manual_seed(0)
    targets = torch.randint(0, 10, (600,), generator=generator)
    window = Window(10, 600, torch.device("cpu"), torch.float32)
    window.begin_epoch(targets)
    assert math.isnan(window.loss) and math.isnan(window.accuracy)
    first = fill(window, [64, 64, 32, 128, 128, 16], generator)  # a live batch-size change
    loss, right = expected(first, targets)
    assert window.steps == 6 and window.seen == 432
    assert math.isclose(window.loss, loss, rel_tol=1e-6)
    assert window.accuracy == right
    window.reset()  # the next snapshot's window starts where this one ended
    second = fill(window, [100, 68], generator)
    loss, right = expected(second, targets[432:])
    assert math.isclose(window.loss, loss, rel_tol=1e-6) and window.accuracy == right


def test_accuracy_from_bytes_is_accuracy_from_floats() -> None:
    generator = torch.Generator().manual_seed(1)
    images = torch.randint(0, 256, (3000, 784), dtype=torch.uint8, generator=generator)
    for hidden in [(), (32,)]:
        net = new_model(ModelSpec(hidden=hidden), seed=0)
        labels = net(images.float() / 255).argmax(1)  # the net's own answers: accuracy 1
        labels[::3] = (labels[::3] + 1) % 10  # a third made wrong
        assert accuracy(net, images, labels) == accuracy(net, images.float() / 255, labels)
        assert abs(accuracy(net, images, labels) - 2 / 3) < 1e-3
