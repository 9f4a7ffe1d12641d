"""The model the analysis views compare the answering one with: A is the model that answers, B
is this one.

B is any model the library lists (a shipped one, a file, the run, side-by-side B), read in the
background if need be without making it answer. Starting two nets side by side makes B their
second net. Its answers on the test digits (`predictions`) and the pair's summary
(`disagreement`: accuracy of each, digits that flip each way, agreement, McNemar's test) are
`Followed` analyses like the others; a net in training (B, or the run itself) counts as a new
B at each test evaluation (an epoch's end) and when it stops, not at each of its ~10 snapshots
a second.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from psygnal import Signal

from digitlab.core.compare import Comparison as PairSummary
from digitlab.core.compare import compare, comparison_problem
from digitlab.session.analysis import Followed
from digitlab.session.jobs import JobContext, JobRunner
from digitlab.session.models import RUN_KEY, ModelEntry, ModelLibrary
from digitlab.session.run import TrainingRun
from digitlab.session.shared_split import SharedSplit
from digitlab.session.side_by_side import PARTNER
from digitlab.session.split_predictions import PredictionsReport, split_answers

__all__ = ["Comparison", "PairSummary", "why_not_comparable"]


def why_not_comparable(a: ModelEntry, b: ModelEntry) -> str | None:
    """One line when two models' answers are not about the same question, else None."""
    sizes = (a.network.spec.input_size, b.network.spec.input_size)
    return comparison_problem(sizes, (a.classes, b.classes), (a.label, b.label))


def pair_summary(
    test_split: SharedSplit, entry: ModelEntry, other: ModelEntry, context: JobContext
) -> PairSummary:
    """How `entry` (A) and `other` (B) differ on the test digits of their classes."""
    split = test_split.get()
    context.check()
    problem = why_not_comparable(entry, other)
    if problem:
        raise ValueError(f"cannot compare: {problem}")
    return compare(entry.network, other.network, split.images, split.labels, entry.classes)


class Comparison:
    changed = Signal()  # B is another model, or another version of it (or none)

    def __init__(
        self, jobs: JobRunner, models: ModelLibrary, run: TrainingRun, partner: TrainingRun,
        test: SharedSplit,
    ) -> None:  # fmt: skip
        self._models = models
        self._runs = {RUN_KEY: run, PARTNER.key: partner}  # trained now: B follows their versions
        self._key: str | None = None
        self._other: ModelEntry | None = None
        self.predictions: Followed[PredictionsReport] = Followed(
            jobs, "compare-predictions", partial(split_answers, test), PredictionsReport
        )
        self.disagreement: Followed[PairSummary] = Followed(
            jobs, "disagreement", partial(pair_summary, test), PairSummary
        )
        partner.started.connect(lambda: self.choose(PARTNER.key))
        for key, trained in self._runs.items():
            trained.model_changed.connect(lambda entry, key=key: self._on_version(key, entry))
        models.sources_changed.connect(self._on_sources)

    @property
    def key(self) -> str | None:
        """The key of the model chosen as B (it may still be loading), or None."""
        return self._key

    @property
    def other(self) -> ModelEntry | None:
        """B at the version the views compare with, or None (none chosen, or not read yet)."""
        return self._other

    def choose(self, key: str | None) -> None:
        """Compare with the model `key` names (None: compare with nothing)."""
        self._key = key
        if key is None:
            self._set(None)
        elif key in self._runs:
            self._set(self._runs[key].model)
        else:
            self._models.fetch(key, lambda entry: self._set(entry) if self._key == key else None)

    def answers(self, entry: ModelEntry | None) -> PredictionsReport | None:
        """B's answers on the test digits (asked for if need be) when A is `entry` and the two
        can be compared; None otherwise or while they are computed."""
        other = self._other
        if entry is None or other is None or why_not_comparable(entry, other):
            return None
        outcome = self.predictions.fetch(other)
        return outcome if isinstance(outcome, PredictionsReport) else None

    def _set(self, entry: ModelEntry | None) -> None:
        if (entry and entry.ref) != (self._other and self._other.ref):
            self._other = entry
            self.changed.emit()

    def _on_version(self, key: str, entry: ModelEntry | None) -> None:
        if self._key != key:
            return
        latest = self._runs[key].latest
        evaluated = latest is not None and (
            latest.snapshot.status.evaluated or latest.snapshot.finished
        )
        if entry is None or self._other is None or evaluated:
            self._set(entry)

    def _on_sources(self) -> None:
        listed = {source.key for source in self._models.sources()}
        if self._key is not None and self._key not in listed and self._key not in self._runs:
            self.choose(None)


def flips(a: PredictionsReport, b: PredictionsReport, right_in: str) -> np.ndarray:
    """Indices of the test digits right in one model and wrong in the other (`right_in` 'a' or
    'b'), most confident wrong answer first."""
    right_a, right_b = a.predicted == a.labels, b.predicted == b.labels
    chosen = np.flatnonzero(right_a & ~right_b if right_in == "a" else right_b & ~right_a)
    wrong = b if right_in == "a" else a
    return chosen[np.argsort(-wrong.confidence[chosen], kind="stable")]
