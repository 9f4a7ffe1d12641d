"""The views, one per file, and the one list the window is built from.

Adding a view: write `digitlab/ui/views/<name>.py` with a `View` subclass, then add one line to
`VIEWS`. The factory is an import path, so nothing here imports a view: the window imports each
one when it builds it (the pure-Qt ones before the first paint, the plots right after), and
views never import each other (an import-linter contract checks that).

`column` and `row` give the default arrangement: columns side by side from the left, rows
stacked within a column (or `tab_with`: a tab behind another view, for views one opens when
needed); `width` and `height` are the default sizes in pixels at a 1400×860
window. `plots` marks views that need pyqtgraph (built just after the window appears).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from digitlab.session import Session


@dataclass(frozen=True)
class ViewSpec:
    id: str
    title: str
    factory: str  # "module:Class"
    column: int
    row: int
    width: int = 300
    height: int = 300
    plots: bool = True
    tip: str = ""
    tab_with: str = ""  # placed as a tab behind this view, not in a column of its own

    def create(self, session: Session) -> QWidget:
        module, _, name = self.factory.partition(":")
        return getattr(importlib.import_module(module), name)(session)


VIEWS: list[ViewSpec] = [
    ViewSpec("pad", "Drawing pad", "digitlab.ui.views.pad:PadView", 0, 0, 300, 430, False,
             "Draw a digit; pen width, offset, undo and clear"),
    ViewSpec("prediction", "Prediction", "digitlab.ui.views.prediction:PredictionView", 0, 1,
             300, 300, True, "The answering model's confidence for each class"),
    ViewSpec("model", "Model", "digitlab.ui.views.model_chooser:ModelView", 1, 0, 230, 110, False,
             "Which model reads the drawing"),
    ViewSpec("preview", "What the net sees", "digitlab.ui.views.preview:PreviewView", 1, 1,
             230, 330, True, "The 28×28 input after MNIST preprocessing, step by step"),
    ViewSpec("training", "Training settings", "digitlab.ui.views.training_form:TrainingFormView",
             2, 0, 280, 460, False, "Data, network and optimiser of the next run"),
    ViewSpec("run", "Run", "digitlab.ui.views.run_controls:RunView", 2, 1, 280, 260, False,
             "Start, pause, stop and reset; progress and speed"),
    ViewSpec("curves", "Curves", "digitlab.ui.views.curves:CurvesView", 3, 0, 590, 190, True,
             "Loss and accuracy while training"),
    ViewSpec("weights", "Weights", "digitlab.ui.views.weights:WeightsView", 3, 1, 590, 530, True,
             "Every unit's incoming weights, and what the last updates changed"),
    ViewSpec("activations", "Activations", "digitlab.ui.views.activations:ActivationsView", 3, 2,
             590, 190, True, "Each hidden unit's input for the drawing", tab_with="curves"),
    ViewSpec("units", "Hidden units", "digitlab.ui.views.hidden_units:HiddenUnitsView", 3, 4, 590,
             530, True, "Each hidden unit's filter and votes; dead units; click one for more",
             tab_with="weights"),
    ViewSpec("bottleneck", "2-D bottleneck", "digitlab.ui.views.bottleneck:BottleneckView", 3, 5,
             590, 530, True, "Test digits in the plane of each 2-unit layer, live while training",
             tab_with="weights"),
    ViewSpec("probes", "Layer probes", "digitlab.ui.views.probes:ProbesView", 3, 6, 590, 400,
             True, "A linear read-out per layer, and each layer's test digits by PCA",
             tab_with="weights"),  # its two plots need the height of the lower column
    ViewSpec("robustness", "Robustness", "digitlab.ui.views.robustness:RobustnessView", 3, 10,
             590, 530, True, "Accuracy of several models as the test digits are moved, scaled, "
             "turned, thinned, thickened or made noisy", tab_with="weights"),
    ViewSpec("experiments", "Experiments", "digitlab.ui.views.experiments:ExperimentsView", 3,
             12, 590, 530, True, "The classic small-net experiments: run one, see whether the "
             "folklore holds", tab_with="weights"),
    ViewSpec("offsets", "Drawing offsets", "digitlab.ui.views.offsets:OffsetsView", 3, 11, 590,
             400, True, "The answer with the drawing moved up to 6 pixels each way",
             tab_with="weights"),
    ViewSpec("evidence", "Evidence", "digitlab.ui.views.evidence:EvidenceView", 3, 3, 590, 300,
             True, "Which pixels push toward the answer, and against another class",
             tab_with="weights"),
    ViewSpec("confusion", "Confusion", "digitlab.ui.views.confusion:ConfusionView", 3, 7, 590,
             530, True, "Test-set confusion matrix; click a cell for its images, most confident "
             "first", tab_with="weights"),
    ViewSpec("mistakes", "Mistakes", "digitlab.ui.views.mistakes:MistakesView", 3, 8, 590, 530,
             True, "The most confident mistakes on the test set, by true and predicted class",
             tab_with="weights"),
    ViewSpec("dataset", "Dataset", "digitlab.ui.views.dataset:DatasetView", 3, 9, 590, 530,
             True, "The training and test digits: counts and average image per class, and every "
             "image of a class", tab_with="weights"),
]  # fmt: skip


def view_spec(view_id: str) -> ViewSpec:
    for spec in VIEWS:
        if spec.id == view_id:
            return spec
    known = ", ".join(spec.id for spec in VIEWS)
    raise KeyError(f"no view {view_id!r}; the views are {known}")
