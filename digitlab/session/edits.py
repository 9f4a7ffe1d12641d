"""The neuron lab: hidden units switched off or clamped, as a model of its own.

The edits apply to one model version, the *original* (the answering model when the first edit
was made). Each change of the list makes a new version of the edited model (`core.interventions`:
an ordinary network), which the model library answers with, so every view, the prediction, the
confusion matrix, the robustness sweep and File → Save follow it. Undo takes the last edit back;
with none left the original answers again. What the edits cost is a `Followed` analysis: the test
accuracy of the original and the edited model, overall and per class; which units matter is
another (`unit_ablation`: each unit of a layer off alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from psygnal import Signal

from digitlab.core.ablation import AblationTable, ablation_table
from digitlab.core.interventions import UnitEdit, check_edit, edited
from digitlab.core.metrics import Evaluation, confusion_matrix, output_indices
from digitlab.session.jobs import JobContext, JobRunner
from digitlab.session.models import ModelEntry, ModelKind, ModelLibrary, ModelRef, ModelSource
from digitlab.session.notices import Notices
from digitlab.session.run_save import save_model
from digitlab.session.shared_split import SharedSplit

EDITED_KEY = "edited"
TEST_LIMIT = 10_000


@dataclass(frozen=True, eq=False)
class EditEffect:
    """Test accuracy of the original and of the edited model, overall and per class."""

    ref: ModelRef  # the edited version
    classes: tuple[int, ...]
    original: np.ndarray  # (k,) per class
    edited: np.ndarray  # (k,)
    original_overall: float
    edited_overall: float

    @property
    def change(self) -> np.ndarray:
        return self.edited - self.original


class UnitEdits:
    changed = Signal()  # the list of edits changed (or the original)
    saved = Signal(Path)

    def __init__(self, models: ModelLibrary, notices: Notices, jobs: JobRunner) -> None:
        self._models, self._notices, self._jobs = models, notices, jobs
        self._original: ModelEntry | None = None
        self._edits: list[UnitEdit] = []
        self._model: ModelEntry | None = None

    @property
    def original(self) -> ModelEntry | None:
        return self._original

    @property
    def edits(self) -> tuple[UnitEdit, ...]:
        return tuple(self._edits)

    @property
    def model(self) -> ModelEntry | None:
        """The edited model (None without edits)."""
        return self._model

    def edit_of(self, layer: int, unit: int) -> UnitEdit | None:
        """The edit in force on a unit of the original, if any."""
        for edit in reversed(self._edits):
            if (edit.layer, edit.unit) == (layer, unit):
                return edit
        return None

    def switch_off(self, layer: int, unit: int) -> bool:
        return self.apply(UnitEdit(layer, unit))

    def clamp(self, layer: int, unit: int, value: float) -> bool:
        try:
            value = float(value)
        except (TypeError, ValueError):
            self._notices.warning(f"A unit is clamped to a number, not {value!r}")
            return False
        return self.apply(UnitEdit(layer, unit, value))

    def restore(self, layer: int, unit: int) -> bool:
        """Take every edit of this unit back."""
        kept = [e for e in self._edits if (e.layer, e.unit) != (layer, unit)]
        if len(kept) == len(self._edits):
            return False
        self._edits = kept
        self._publish()
        return True

    def apply(self, edit: UnitEdit) -> bool:
        """Add an edit, to the answering model (which becomes the original unless it is the
        edited model itself). False, with a notice, for an edit the model cannot take."""
        current = self._models.current
        if current is None:
            self._notices.warning("No model to edit: choose one under Model, or train one")
            return False
        if current.key != EDITED_KEY and (self._original is None
                                          or current.ref != self._original.ref):  # fmt: skip
            self._original, self._edits = current, []
        assert self._original is not None
        try:
            check_edit(self._original.network, edit)
        except ValueError as exc:
            self._notices.warning(f"Cannot edit: {exc}")
            return False
        self._edits.append(edit)
        self._publish()
        return True

    def undo(self) -> bool:
        if not self._edits:
            return False
        self._edits.pop()
        self._publish()
        return True

    def clear(self) -> None:
        if self._edits:
            self._edits = []
            self._publish()

    def save(self, path: str | Path) -> None:
        """Write the edited model (with its edits in the metadata) in the background."""
        model, original = self._model, self._original
        if model is None or original is None:
            self._notices.warning("Nothing to save: no unit is edited")
            return
        meta = {**original.meta, "classes": list(model.classes),
                "edits": [e.describe() for e in self._edits], "edited_from": original.label,
                "source": "digitlab neuron lab"}  # fmt: skip
        save_model(self._jobs, self._notices, self.saved, model.network, meta, path)

    def _publish(self) -> None:
        original = self._original
        if original is None:
            return
        if not self._edits:
            self._model = None
            answering = self._models.current
            self._models.forget_made(EDITED_KEY)
            if answering is not None and answering.key == EDITED_KEY:
                self._models.select(original.key)  # the original answers again (its version:
            self.changed.emit()  # a live run answers at its newest)
            return
        count = len({(e.layer, e.unit) for e in self._edits})  # off, then clamped: one unit
        label = f"{original.label}, edited ({count} unit{'s' if count > 1 else ''})"
        source = ModelSource(EDITED_KEY, ModelKind.MADE, label)
        described = "; ".join(e.describe() for e in self._edits[-3:])
        more = f" (+{count - 3} more)" if count > 3 else ""
        description = f"{original.description} · {described}{more}"
        network = edited(original.network, self._edits)
        self._model = ModelEntry(source, network, original.classes, description, original.meta)
        self._models.show_made(self._model)
        self.changed.emit()


def edit_effect(
    test_split: SharedSplit, entry: ModelEntry, original: ModelEntry, context: JobContext
) -> EditEffect:
    """The original's and the edited model's accuracy on the test digits of their classes
    (`session.edit_effect.request(edited, original)`)."""
    digits = test_split.inputs(entry.classes, TEST_LIMIT)
    context.check()
    truth = output_indices(digits.labels, entry.classes)

    def per_class(network) -> tuple[np.ndarray, float]:
        picked = network.logits(digits.inputs).argmax(axis=1)
        scored = Evaluation(entry.classes, confusion_matrix(truth, picked, len(entry.classes)))
        return np.nan_to_num(scored.per_class_accuracy), scored.accuracy  # (no digits: 0)

    before, overall_before = per_class(original.network)
    context.check()
    after, overall_after = per_class(entry.network)
    return EditEffect(entry.ref, entry.classes, before, after, overall_before, overall_after)


def unit_ablation(
    test_split: SharedSplit, entry: ModelEntry, layer: int, context: JobContext
) -> AblationTable:
    """Every unit of hidden layer `layer` switched off alone, on the test digits
    (`session.ablation.request(model, layer)`): which units matter, and for which digit."""
    test = test_split.get()
    context.check()
    return ablation_table(entry.network, test.images, test.labels, entry.classes, layer)
