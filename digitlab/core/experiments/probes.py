"""Experiment 14, layer representations: the folklore is that a trained net's layers make the
digits more and more linearly separable with depth, so a linear probe reads the class better
from each deeper layer. A 784→100→100→100→10 ReLU net on an MNIST subset; a softmax regression
(the window's probe, `digitlab.core.probes.fit_softmax`) fitted on the training digits'
activations of each layer and scored on the test digits, for the trained net and, as a
control, for the same net at initialisation (random features)."""

from __future__ import annotations

import torch

from digitlab.core.experiments import (
    Experiment,
    ExperimentCancelled,
    ExperimentResult,
    Line,
    Panel,
    Settings,
    Table,
)
from digitlab.core.experiments.toy import accuracy, layer_outputs, mlp, mnist, train
from digitlab.core.probes import ProbeCancelled, fit_softmax

SIZES = (784, 100, 100, 100, 10)
LAYER_NAMES = ["pixels", "hidden 1", "hidden 2", "hidden 3", "output"]
TOLERANCE = 0.005  # a change in probe accuracy smaller than this counts as none


def probe_accuracies(net, data, seed: int, cancelled, step) -> list[float]:
    """Test accuracy of a softmax probe fitted on each layer's training activations."""
    x, y, test_x, test_y = data
    train_features = [x, *layer_outputs(net, x)]  # the pixels, then each layer
    test_features = [test_x, *layer_outputs(net, test_x)]
    scores = []
    for index, (features, test) in enumerate(zip(train_features, test_features)):
        step(index)
        try:
            predict = fit_softmax(features, y, 10, seed=seed, cancelled=cancelled)
        except ProbeCancelled:
            raise ExperimentCancelled from None
        scores.append(float((predict(test) == test_y).mean()))
    return scores


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    train_size, epochs = (2000, 8) if settings.quick else (10000, 15)
    data = mnist(train_size, 2000, seed=settings.seed)
    torch.manual_seed(settings.seed)
    net = mlp(SIZES)

    def step(start: float, label: str):
        return lambda i: progress(start + 0.05 * i, f"{label}: probing {LAYER_NAMES[i]}")

    untrained = probe_accuracies(net, data, settings.seed, cancelled, step(0.0, "untrained"))
    progress(0.25, "training the net")
    x, y, test_x, test_y = data
    curve = train(net, x, y, epochs, batch_size=64, seed=settings.seed, cancelled=cancelled)
    net_test = accuracy(net, test_x, test_y)
    trained = probe_accuracies(net, data, settings.seed, cancelled, step(0.75, "trained"))
    rows = [list(row) for row in zip(LAYER_NAMES, SIZES, trained, untrained)]
    layers = list(range(len(LAYER_NAMES)))
    panel = Panel("probe test accuracy (0 pixels … 4 output)", "layer", "accuracy", lines=[
        Line("trained net", layers, trained, colour=0),
        Line("untrained net", layers, untrained, dashed=True, colour=1),
        Line("the trained net's own accuracy", [0, 4], [net_test, net_test], dashed=True,
             colour=6),
    ])  # fmt: skip
    first_gain, later_gain = trained[1] - trained[0], trained[3] - trained[1]
    if first_gain > TOLERANCE and later_gain > TOLERANCE:
        agrees, verdict = True, "probe accuracy rises with depth, as the folklore says"
    elif first_gain > TOLERANCE and later_gain >= -TOLERANCE:
        agrees, verdict = None, ("the first hidden layer beats the pixels, but deeper hidden "
                                 "layers add nothing: the folklore holds only in part")  # fmt: skip
    else:
        agrees, verdict = False, "the probes do not improve with depth: the folklore did not hold"
    control = ("; the untrained net's random layers lose information with depth instead"
               if untrained[3] < untrained[0] else "")  # fmt: skip
    conclusion = (
        f"Probe test accuracy, pixels → hidden 1–3 → output: trained "
        f"{' → '.join(f'{a:.1%}' for a in trained)} (the net itself {net_test:.1%}); untrained "
        f"{' → '.join(f'{a:.1%}' for a in untrained)}; {verdict}{control}."
    )
    return ExperimentResult(
        "probes", settings,
        [Table(["layer", "units", "probe accuracy, trained", "probe accuracy, untrained"], rows),
         Table(["net", "epochs", "training accuracy", "test accuracy"],
               [["784→100→100→100→10", epochs, curve[-1], net_test]])],
        [panel], conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    14,
    "probes",
    "Layer representations",
    "The deeper the layer of a trained net, the better a linear probe reads the class from it.",
    "784→100→100→100→10 ReLU net (Adam, batch 64) on an MNIST subset; a softmax-regression "
    "probe per layer (pixels, hidden 1–3, output) fitted on training digits, scored on test "
    "digits; the same probes on the untrained net as a control.",
    run,
)
