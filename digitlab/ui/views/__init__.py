"""The views, one per file, and the one list the window is built from.

Adding a view: write `digitlab/ui/views/<name>.py` with a `View` subclass, then add one line to
`VIEWS`. The factory is an import path, so nothing here imports a view: the window imports each
one when it builds it (the pure-Qt ones before the first paint, the plots right after), and
views never import each other (an import-linter contract checks that).

Each view starts either in a column (`column=`, `row=`: columns side by side from the left, rows
stacked within a column; `width=`, `height=`: its default size in pixels at a 1400×860 window)
or as a tab behind another view (`tab_with=`: for views one opens when needed; no place or size
of its own). `plots=False` marks the pure-Qt views, built before the first paint.
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
    """One view of the window: how to build it and where it starts.

    A view starts either in a column (`column`, `row`, `width`, `height`) or as a tab behind
    another (`tab_with`), never both; a tab takes the place and size of the view in front."""

    id: str
    title: str
    factory: str  # "module:Class"
    tip: str = ""
    plots: bool = True  # needs pyqtgraph: built just after the window appears
    column: int | None = None  # None: it starts as a tab behind `tab_with`
    row: int = 0
    width: int = 300
    height: int = 300
    tab_with: str = ""

    def __post_init__(self) -> None:
        if (self.column is None) == (not self.tab_with):
            raise ValueError(f"view {self.id!r}: give a column or tab_with, not both or neither")

    def create(self, session: Session) -> QWidget:
        module, _, name = self.factory.partition(":")
        return getattr(importlib.import_module(module), name)(session)


VIEWS: list[ViewSpec] = [
    ViewSpec(id="pad", title="Drawing pad",
             factory="digitlab.ui.views.pad:PadView",
             tip="Draw a digit; pen width, offset, undo and clear",
             column=0, row=0, width=300, height=430, plots=False),
    ViewSpec(id="prediction", title="Prediction",
             factory="digitlab.ui.views.prediction:PredictionView",
             tip="The answering model's confidence for each class",
             column=0, row=1, width=300, height=300),
    ViewSpec(id="model", title="Model",
             factory="digitlab.ui.views.model_chooser:ModelView",
             tip="Which model reads the drawing",
             column=1, row=0, width=230, height=110, plots=False),
    ViewSpec(id="preview", title="What the net sees",
             factory="digitlab.ui.views.preview:PreviewView",
             tip="The 28×28 input after MNIST preprocessing, step by step",
             column=1, row=1, width=230, height=330),
    ViewSpec(id="training", title="Training settings",
             factory="digitlab.ui.views.training_form:TrainingFormView",
             tip="Data, network and optimiser of the next run",
             column=2, row=0, width=280, height=460, plots=False),
    ViewSpec(id="run", title="Run",
             factory="digitlab.ui.views.run_controls:RunView",
             tip="Start, pause, stop and reset; progress and speed",
             column=2, row=1, width=280, height=260, plots=False),
    ViewSpec(id="curves", title="Curves",
             factory="digitlab.ui.views.curves:CurvesView",
             tip="Loss and accuracy while training",
             column=3, row=0, width=590, height=190),
    ViewSpec(id="weights", title="Weights",
             factory="digitlab.ui.views.weights:WeightsView",
             tip="Every unit's incoming weights, and what the last updates changed",
             column=3, row=1, width=590, height=530),
    # The views that start as tabs behind another, put there in this order:
    ViewSpec(id="activations", title="Activations",
             factory="digitlab.ui.views.activations:ActivationsView",
             tip="Each hidden unit's input for the drawing",
             tab_with="curves"),
    ViewSpec(id="units", title="Hidden units",
             factory="digitlab.ui.views.hidden_units:HiddenUnitsView",
             tip="Each hidden unit's filter and votes; dead units; click one for more",
             tab_with="weights"),
    ViewSpec(id="bottleneck", title="2-D bottleneck",
             factory="digitlab.ui.views.bottleneck:BottleneckView",
             tip="Test digits in the plane of each 2-unit layer, live while training",
             tab_with="weights"),
    ViewSpec(id="probes", title="Layer probes",
             factory="digitlab.ui.views.probes:ProbesView",
             tip="A linear read-out per layer, and each layer's test digits by PCA",
             tab_with="weights"),
    ViewSpec(id="robustness", title="Robustness",
             factory="digitlab.ui.views.robustness:RobustnessView",
             tip="Accuracy of several models as the test digits are moved, scaled, "
             "turned, thinned, thickened or made noisy",
             tab_with="weights"),
    ViewSpec(id="experiments", title="Experiments",
             factory="digitlab.ui.views.experiments:ExperimentsView",
             tip="The classic small-net experiments: run one, see whether the "
             "folklore holds",
             tab_with="weights"),
    ViewSpec(id="offsets", title="Drawing offsets",
             factory="digitlab.ui.views.offsets:OffsetsView",
             tip="The answer with the drawing moved up to 6 pixels each way",
             tab_with="weights"),
    ViewSpec(id="evidence", title="Evidence",
             factory="digitlab.ui.views.evidence:EvidenceView",
             tip="Which pixels push toward the answer, and against another class",
             tab_with="weights"),
    ViewSpec(id="confusion", title="Confusion",
             factory="digitlab.ui.views.confusion:ConfusionView",
             tip="Test-set confusion matrix; click a cell for its images, most "
             "confident first",
             tab_with="weights"),
    ViewSpec(id="mistakes", title="Mistakes",
             factory="digitlab.ui.views.mistakes:MistakesView",
             tip="The most confident mistakes on the test set, by true and predicted class",
             tab_with="weights"),
    ViewSpec(id="dataset", title="Dataset",
             factory="digitlab.ui.views.dataset:DatasetView",
             tip="The training and test digits: counts and average image per class, "
             "and every image of a class",
             tab_with="weights"),
]  # fmt: skip


def view_spec(view_id: str) -> ViewSpec:
    for spec in VIEWS:
        if spec.id == view_id:
            return spec
    known = ", ".join(spec.id for spec in VIEWS)
    raise KeyError(f"no view {view_id!r}; the views are {known}")
