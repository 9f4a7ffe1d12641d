"""The views, one per file, and the one list the window is built from.

Adding a view: write `digitlab/ui/views/<name>.py` with a `View` subclass, then add one line to
`VIEWS`. The factory is an import path, so nothing here imports a view: the window imports each
one when it builds it (the pure-Qt ones before the first paint, the plots right after), and
views never import each other (an import-linter contract checks that).

Where a view goes is the workspaces' business (`digitlab.ui.workspaces`); the View menu lists
the views in this order. `plots=False` marks the pure-Qt views, built before the first paint.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from digitlab.session import Session


@dataclass(frozen=True, kw_only=True)
class ViewSpec:
    """One view of the window: how to build it, and how the menu names it."""

    id: str
    title: str
    factory: str  # "module:Class"
    tip: str = ""
    plots: bool = True  # needs pyqtgraph: built just after the window appears

    def create(self, session: Session) -> QWidget:
        module, _, name = self.factory.partition(":")
        return getattr(importlib.import_module(module), name)(session)


VIEWS: list[ViewSpec] = [
    ViewSpec(id="pad", title="Drawing pad",
             factory="digitlab.ui.views.pad:PadView",
             tip="Draw a digit; pen width, offset, undo and clear",
             plots=False),
    ViewSpec(id="prediction", title="Prediction",
             factory="digitlab.ui.views.prediction:PredictionView",
             tip="The answering model's confidence for each class"),
    ViewSpec(id="model", title="Model",
             factory="digitlab.ui.views.model_chooser:ModelView",
             tip="Which model reads the drawing",
             plots=False),
    ViewSpec(id="preview", title="What the net sees",
             factory="digitlab.ui.views.preview:PreviewView",
             tip="The 28×28 input after MNIST preprocessing, step by step"),
    ViewSpec(id="training", title="Training settings",
             factory="digitlab.ui.views.training_form:TrainingFormView",
             tip="Data, network and optimiser of the next run",
             plots=False),
    ViewSpec(id="run", title="Run",
             factory="digitlab.ui.views.run_controls:RunView",
             tip="Start, pause, stop and reset; progress and speed",
             plots=False),
    ViewSpec(id="curves", title="Curves",
             factory="digitlab.ui.views.curves:CurvesView",
             tip="Loss and accuracy while training"),
    ViewSpec(id="compare", title="A vs B",
             factory="digitlab.ui.views.compare:CompareView",
             tip="Train a second net beside the run, or pick one: where the two disagree"),
    ViewSpec(id="weights", title="Weights",
             factory="digitlab.ui.views.weights:WeightsView",
             tip="Every unit's incoming weights, and what the last updates changed"),
    ViewSpec(id="activations", title="Activations",
             factory="digitlab.ui.views.activations:ActivationsView",
             tip="Each hidden unit's input for the drawing"),
    ViewSpec(id="units", title="Hidden units",
             factory="digitlab.ui.views.hidden_units:HiddenUnitsView",
             tip="Each hidden unit's filter and votes; dead units; click one for more"),
    ViewSpec(id="lab", title="Neuron lab",
             factory="digitlab.ui.views.neuron_lab:NeuronLabView",
             tip="Switch hidden units off or clamp them, and see what it costs per class"),
    ViewSpec(id="flip", title="What would flip it",
             factory="digitlab.ui.views.flip:FlipView",
             tip="The ink that would make the net read another digit, and the training "
             "digits nearest to the drawing"),
    ViewSpec(id="patching", title="Patching",
             factory="digitlab.ui.views.patching:PatchingView",
             tip="Run one drawing with a layer's (or a unit's) activations from another"),
    ViewSpec(id="pruning", title="Pruning",
             factory="digitlab.ui.views.pruning:PruningView",
             tip="Remove the smallest weights; accuracy against the share removed; retrain"),
    ViewSpec(id="bottleneck", title="2-D bottleneck",
             factory="digitlab.ui.views.bottleneck:BottleneckView",
             tip="Test digits in the plane of each 2-unit layer, live while training"),
    ViewSpec(id="probes", title="Layer probes",
             factory="digitlab.ui.views.probes:ProbesView",
             tip="A linear read-out per layer, and each layer's test digits by PCA"),
    ViewSpec(id="robustness", title="Robustness",
             factory="digitlab.ui.views.robustness:RobustnessView",
             tip="Accuracy of several models as the test digits are moved, scaled, "
             "turned, thinned, thickened or made noisy"),
    ViewSpec(id="experiments", title="Experiments",
             factory="digitlab.ui.views.experiments:ExperimentsView",
             tip="The classic small-net experiments: run one, see whether the "
             "folklore holds"),
    ViewSpec(id="offsets", title="Drawing offsets",
             factory="digitlab.ui.views.offsets:OffsetsView",
             tip="The answer with the drawing moved up to 6 pixels each way"),
    ViewSpec(id="evidence", title="Evidence",
             factory="digitlab.ui.views.evidence:EvidenceView",
             tip="Which pixels push toward the answer, and against another class"),
    ViewSpec(id="mydigits", title="My digits",
             factory="digitlab.ui.views.my_digits:MyDigitsView",
             tip="Keep your drawings with their label; how the model does on your hand"),
    ViewSpec(id="confusion", title="Confusion",
             factory="digitlab.ui.views.confusion:ConfusionView",
             tip="Test-set confusion matrix; click a cell for its images, most "
             "confident first"),
    ViewSpec(id="mistakes", title="Mistakes",
             factory="digitlab.ui.views.mistakes:MistakesView",
             tip="The most confident mistakes on the test set, by true and predicted class"),
    ViewSpec(id="dataset", title="Dataset",
             factory="digitlab.ui.views.dataset:DatasetView",
             tip="The training and test digits: counts and average image per class, "
             "and every image of a class"),
]  # fmt: skip


def view_spec(view_id: str) -> ViewSpec:
    for spec in VIEWS:
        if spec.id == view_id:
            return spec
    known = ", ".join(spec.id for spec in VIEWS)
    raise KeyError(f"no view {view_id!r}; the views are {known}")
