"""Every listed model on the user's own digits at once: which net reads *your* hand best.

A `Task`: on the main thread it takes the set and the models the library lists (those already
loaded as they are, the others as files); in the background it reads the files it needs and
scores each model as `score_set` (and `digitlab evaluate --images`) does. A model that cannot be
read is one line in its row, not a failure of the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass

from digitlab.core.checkpoint import load_checkpoint
from digitlab.core.errors import DigitlabError
from digitlab.session.jobs import JobContext
from digitlab.session.models import ModelEntry, ModelLibrary, ModelSource
from digitlab.session.my_digits import DigitSet, score_set


@dataclass(frozen=True)
class ModelOnSet:
    """One model's score on the set (`problem`: why it has none)."""

    label: str
    right: int = 0
    total: int = 0
    left_out: int = 0
    problem: str = ""

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else float("nan")

    def text(self) -> str:
        if self.problem:
            return f"{self.label}: {self.problem}"
        if not self.total:
            return f"{self.label}: none of these digits is one of its classes"
        return f"{self.label}: {self.right} of {self.total} ({self.accuracy:.0%})"


@dataclass(frozen=True, eq=False)
class SetScores:
    digits: DigitSet
    rows: tuple[ModelOnSet, ...]


Wanted = tuple[DigitSet, tuple[tuple[ModelSource, ModelEntry | None], ...]]


def models_to_score(models: ModelLibrary, digits: DigitSet) -> Wanted:
    """What the background work needs, taken on the main thread: every listed model, with its
    loaded entry where there is one."""
    return digits, tuple((source, models.entry(source.key)) for source in models.sources())


def score_models(wanted: Wanted, context: JobContext) -> SetScores:
    digits, listed = wanted
    rows = []
    for source, entry in listed:
        context.check()
        if entry is None and source.path is None:
            continue  # a model without weights yet (the run before its first step)
        try:
            if entry is None:
                checkpoint = load_checkpoint(source.path)
                entry = ModelEntry(source, checkpoint.network, checkpoint.classes, "")
            score = score_set(entry, digits, context)
        except (DigitlabError, ValueError) as exc:
            rows.append(ModelOnSet(source.label, problem=str(exc).splitlines()[0]))
            continue
        evaluation = score.evaluation
        right = int(evaluation.confusion.trace())
        rows.append(ModelOnSet(source.label, right, evaluation.total, score.left_out))
    return SetScores(digits, tuple(rows))
