"""The shipped models meet their accuracy on the real MNIST and recognise drawn-like digits."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.core.checkpoint import load_checkpoint
from digitlab.core.metrics import evaluate
from digitlab.core.resources import shipped_model_path

pytestmark = pytest.mark.mnist


@pytest.mark.parametrize(
    ("name", "target", "max_bytes"),
    [("linear", 0.92, 1.5e6), ("mlp", 0.98, 1.5e6), ("robust", 0.983, 2e6)],
)
def test_shipped_model_meets_its_accuracy(
    mnist, name: str, target: float, max_bytes: float
) -> None:
    path = shipped_model_path(name)
    assert path.stat().st_size <= max_bytes
    checkpoint = load_checkpoint(path)
    result = evaluate(checkpoint.network, mnist.test)
    assert result.accuracy >= target
    assert checkpoint.meta["test_accuracy"] == pytest.approx(result.accuracy, abs=1e-4)
    assert checkpoint.spec.hidden == {"mlp": (256,), "robust": (400, 200), "linear": ()}[name]


def test_the_robust_model_survives_what_people_do_on_a_pad(mnist) -> None:
    """Its targets, through the window's preprocessing with Normalise pen (models/README.md):
    turned ±30°, drawn 2 px thicker, moved anywhere within ±6 px; 1 px thinner it reads 89.8 %
    (issue 25 asks 93 %)."""
    from digitlab.core.robustness import Condition, Subject, default_conditions, sweep

    network = load_checkpoint(shipped_model_path("robust")).network
    turned = [Condition("rotation", -30.0), Condition("rotation", 30.0)]
    pens = [Condition("pen", -1.0), Condition("pen", 2.0)]
    conditions = [*turned, *pens, *default_conditions(["shift"])]
    test = mnist.test
    result = sweep([Subject("robust", network)], test.images, test.labels, conditions, (True,))
    accuracy = dict(zip(conditions, result.accuracy[0, 0]))
    assert min(accuracy[c] for c in turned) >= 0.95
    assert accuracy[pens[1]] >= 0.95 and accuracy[pens[0]] >= 0.89
    assert result.shift_grid(0, True)[1].min() >= 0.97


def drawn_like(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An MNIST test digit as a user might hand it over: big, off-centre, dark ink on white."""
    scale = int(rng.integers(4, 9))
    big = np.asarray(Image.fromarray(digit).resize((28 * scale, 28 * scale), Image.BILINEAR))
    canvas = np.zeros((300, 300), np.uint8)
    top, left = rng.integers(0, 300 - big.shape[0], size=2)
    canvas[top : top + big.shape[0], left : left + big.shape[1]] = big
    return 255 - canvas


def test_predict_cli_recognises_real_digits_as_image_files(mnist, tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    files = []
    for i in range(60):
        path = tmp_path / f"digit{i}.{'png' if i % 2 else 'jpg'}"
        Image.fromarray(drawn_like(mnist.test.images[i], rng)).save(path)
        files.append(str(path))
    assert main(["predict", *files]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["file"] for a in answers] == files
    right = sum(a["digit"] == int(mnist.test.labels[i]) for i, a in enumerate(answers))
    assert right >= 57  # ≥ 95 % of the re-scaled, shifted, inverted digits


def test_preprocessing_is_what_lets_the_nets_read_a_small_corner_digit(mnist) -> None:
    """The app's point: half-size digits in a corner of the pad are read well with the MNIST
    steps on, and mostly misread with them off (the nets never saw such inputs)."""
    from digitlab.core.preprocess import PreprocessOptions, to_mnist

    def accuracy(name: str, options: PreprocessOptions) -> float:
        network = load_checkpoint(shipped_model_path(name)).network
        right = 0
        for digit, label in zip(mnist.test.images[:100], mnist.test.labels[:100]):
            half = np.asarray(Image.fromarray(digit).resize((140, 140), Image.BILINEAR))
            pad = np.zeros((280, 280), np.uint8)
            pad[10:150, 130:270] = half  # top right
            pixels = to_mnist(pad, options)[None]
            right += int(network.probabilities(pixels).argmax()) == int(label)
        return right / 100

    raw = PreprocessOptions(fit=False, centre=False)
    for name, floor in (("linear", 0.9), ("mlp", 0.97)):
        assert accuracy(name, PreprocessOptions()) >= floor
        assert accuracy(name, raw) <= 0.3
