"""Robustness sweeps: clean is clean, distortions do what they say, and the numbers are right."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core import distort
from digitlab.core.batch_preprocess import to_mnist_batch
from digitlab.core.metrics import evaluate
from digitlab.core.robustness import (
    KINDS,
    Condition,
    Subject,
    default_conditions,
    distorted,
    sweep,
)
from tests.conftest import random_network
from tests.core.test_batch_preprocess import scribbles


def test_the_standard_sweep_has_every_axis_and_one_clean_point_each() -> None:
    conditions = default_conditions()
    assert {c.kind for c in conditions} == set(KINDS)
    assert sum(c.kind == "shift" for c in conditions) == 49
    assert sum(c.is_clean for c in conditions) == len(KINDS)
    assert Condition("rotation", -30.0).label() == "rotation -30°"


def test_a_perturbation_of_zero_gives_evaluates_accuracy_exactly(tiny_dataset) -> None:
    network = random_network(hidden=(32,), seed=2, bias=0.5)
    split = tiny_dataset.test
    clean = [c for c in default_conditions() if c.is_clean]
    result = sweep([Subject("net", network)], split.images, split.labels, clean, (False,))
    assert np.all(result.accuracy == evaluate(network, split).accuracy)


def test_a_one_pixel_shift_moves_the_ink_one_pixel() -> None:
    images = scribbles(20)
    moved = distorted(images, Condition("shift", (1.0, -1.0)))
    assert torch.equal(moved[:, :-1, 1:], images[:, 1:, :-1])
    assert not moved[:, -1, :].any() and not moved[:, :, 0].any()


def test_pen_amounts_are_pixels_on_each_side_of_a_stroke() -> None:
    line = torch.zeros(1, 28, 28)
    line[0, 5:20, 13] = 1.0  # one pixel wide
    for amount, width in ((1.0, 3), (2.0, 5), (3.0, 7)):
        assert int((distort.pen(line, amount)[0, 12] > 0.99).sum()) == width
    wide = distort.pen(line, 2.0)
    assert torch.equal(distort.pen(wide, -1.0)[0, 12] > 0.99, distort.pen(line, 1.0)[0, 12] > 0.99)
    half = distort.pen(line, 0.5)[0, 12]
    assert float(half[12]) == 0.5 and float(half[13]) == 1.0


def test_noise_is_the_same_every_time() -> None:
    images = scribbles(5)
    noisy = Condition("noise", 0.3)
    assert torch.equal(distorted(images, noisy), distorted(images, noisy))


def test_shifts_with_preprocessing_match_the_slow_path() -> None:
    """The sweep reuses the clean predictions for digits a shift leaves whole; that must give
    the numbers the recipe gives when run on every shifted digit."""
    images = (scribbles(400, seed=5).numpy() * 255).astype(np.uint8)
    labels = np.arange(400) % 10
    network = random_network(hidden=(24,), seed=1, bias=0.3)
    shifts = default_conditions(["shift"])
    result = sweep([Subject("net", network)], images, labels, shifts, (True,))
    base = torch.from_numpy(images).float() / 255
    for c, condition in enumerate(shifts):
        flat = to_mnist_batch(distorted(base, condition)).reshape(400, -1).numpy()
        expected = float((network.logits(flat).argmax(1) == labels).mean())
        assert result.accuracy[0, 0, c] == expected


def test_models_of_some_classes_are_scored_on_their_digits(tiny_dataset) -> None:
    split = tiny_dataset.test
    network = random_network(hidden=(8,), num_classes=3, seed=4, bias=0.5)
    clean = [Condition("noise", 0.0)]
    subject = Subject("abc", network, (2, 5, 7))
    result = sweep([subject], split.images, split.labels, clean, (False,))
    known = np.isin(split.labels, (2, 5, 7))
    targets = np.searchsorted([2, 5, 7], split.labels[known])
    expected = (network.logits(split.images[known]).argmax(1) == targets).mean()
    assert result.accuracy[0, 0, 0] == expected


def test_cancel_stops_between_conditions_with_progress_and_partial_results(tiny_dataset) -> None:
    split = tiny_dataset.test
    seen: list[float] = []
    partial: list[int] = []

    def progress(fraction: float, text: str) -> None:
        seen.append(fraction)

    conditions = default_conditions(["rotation"])
    result = sweep(
        [Subject("net", random_network())], split.images, split.labels, conditions,
        progress=progress, cancelled=lambda: len(seen) >= 3,
        on_condition=lambda r: partial.append(int(np.isfinite(r.accuracy).sum())),
    )  # fmt: skip
    assert partial == [2, 4, 6]
    assert np.isnan(result.accuracy).sum() == 2 * (len(conditions) - 3)
    assert seen == sorted(seen) and seen[-1] < 1


def test_the_shipped_models_shift_heatmap_is_flat_when_preprocessed(mnist) -> None:
    from digitlab.core.checkpoint import load_checkpoint
    from tests.conftest import REPO

    network = load_checkpoint(REPO / "models" / "mlp.safetensors").network
    images, labels = mnist.test.images[:3000], mnist.test.labels[:3000]
    mlp = Subject("mlp", network, normalise_pen=False)  # MNIST's own recipe: fit and centre
    result = sweep([mlp], images, labels, default_conditions(["shift"]))
    _, on = result.shift_grid(0, True)
    _, off = result.shift_grid(0, False)
    centre = on[3, 3]
    assert np.abs(on[1:-1, 1:-1] - centre).max() < 0.02  # 2 points  # away from the edges: flat
    assert off[3, 3] == centre  # no shift: the recipe leaves MNIST's own digits as they are
    assert off[3, 0] < centre - 0.3 and off[0, 3] < centre - 0.3  # raw: falls off
    assert off[3, 2] < off[3, 3] and off[2, 3] < off[3, 3]


def test_a_model_swept_with_and_without_normalise_pen_gets_each_recipe() -> None:
    """Two subjects of one network, the step on and off: each measured through its own recipe
    (the shifts' shortcut too), and the step changes the answers on thin and thick pens."""
    from digitlab.core.preprocess import PreprocessOptions

    images = (scribbles(300, seed=7).numpy() * 255).astype(np.uint8)
    labels = np.arange(300) % 10
    network = random_network(hidden=(24,), seed=3, bias=0.3)
    subjects = [
        Subject("net", network, normalise_pen=True),
        Subject("net pen off", network, normalise_pen=False),
    ]
    pens = [Condition("pen", -1.0), Condition("pen", 2.0)]
    shifts = [Condition("shift", (4.0, -2.0)), Condition("shift", (0.0, 0.0))]
    result = sweep(subjects, images, labels, pens + shifts, (True,))
    base = torch.from_numpy(images).float() / 255
    for m, pen in enumerate((True, False)):
        options = PreprocessOptions(invert=False, normalise_pen=pen)
        for c, condition in enumerate(pens + shifts):
            flat = to_mnist_batch(distorted(base, condition), options).reshape(300, -1).numpy()
            expected = float((network.logits(flat).argmax(1) == labels).mean())
            assert result.accuracy[m, 0, c] == expected, (pen, condition)
    thick = distorted(base, pens[1])
    on, off = (
        to_mnist_batch(thick, PreprocessOptions(invert=False, normalise_pen=pen))
        for pen in (True, False)
    )
    assert not torch.equal(on, off)  # the step did something to the thick pen


def test_the_command_sweeps_with_normalise_pen_on_off_or_both(tiny_mnist_dir, capsys) -> None:
    import json

    from digitlab.cli import main

    base = ["--data-dir", str(tiny_mnist_dir), "robustness", "linear", "--kinds", "pen"]
    reports = {}
    for pen in ("on", "off", "both"):
        args = [*base, "--preprocessing", "on", "--normalise-pen", pen, "--json"]
        assert main(args) == 0
        reports[pen] = json.loads(capsys.readouterr().out)
    assert reports["on"]["normalise_pen"] == {"linear": True}
    assert reports["off"]["normalise_pen"] == {"linear": False}
    assert reports["both"]["models"] == ["linear", "linear pen off"]
    both = reports["both"]["accuracy"]
    assert both["linear"] == reports["on"]["accuracy"]["linear"]
    assert both["linear pen off"] == reports["off"]["accuracy"]["linear"]
    assert both["linear"] != both["linear pen off"]  # the step changed some answers
    assert main([*base, "--normalise-pen", "both"]) == 0
    assert "with Normalise pen unless 'pen off'" in capsys.readouterr().out
