"""My digits: the user's own drawings, kept with a label, and how the answering model does on them.

The set lives in the user data folder (`<user data>/digitlab/my-digits/<digit>/<name>.png`, the
format of `core.my_digits`, so `digitlab evaluate MODEL --images` scores the same files). It is
read the first time a view asks, then kept in memory: keeping a drawing writes one file and reads
nothing back. Each change makes a new `DigitSet` snapshot; the score is a `Followed` analysis
keyed by model version and snapshot, so a change or a new model version rescores once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from psygnal import Signal

from digitlab.core import my_digits as store
from digitlab.core.errors import DigitlabError
from digitlab.core.metrics import Evaluation, confusion_matrix
from digitlab.core.my_digits import Kept, Skipped
from digitlab.core.preprocess import SIZE
from digitlab.session.analysis import Followed
from digitlab.session.drawing import Drawing
from digitlab.session.jobs import JobContext, JobRunner
from digitlab.session.models import ModelEntry
from digitlab.session.notices import Notices


def default_folder() -> Path:
    from platformdirs import user_data_path

    return user_data_path("digitlab", appauthor=False) / "my-digits"


@dataclass(frozen=True, eq=False)
class DigitSet:
    """One state of the set (compared by identity: a change makes a new one). images (N, 28, 28)
    uint8 light on black, labels (N,) digits, in the order of `kept`."""

    kept: tuple[Kept, ...]
    images: np.ndarray
    skipped: tuple[Skipped, ...] = ()

    @property
    def labels(self) -> np.ndarray:
        return np.array([k.label for k in self.kept], np.int64)

    def __len__(self) -> int:
        return len(self.kept)


EMPTY_SET = DigitSet((), np.zeros((0, SIZE, SIZE), np.uint8))


@dataclass(frozen=True, eq=False)
class SetScore:
    """A model on the set: its answer for each digit (in the set's order) and the evaluation on
    the digits it has an output for (`left_out` counts the others: a '0 vs 1' net on a 7)."""

    digits: DigitSet
    answers: np.ndarray
    evaluation: Evaluation
    left_out: int

    @property
    def wrong(self) -> np.ndarray:
        return self.answers != self.digits.labels


def score_set(entry: ModelEntry, digits: DigitSet, context: JobContext) -> SetScore:
    """Answer every kept digit with `entry`, then count as `digitlab evaluate --images` does."""
    classes = entry.classes
    if len(digits):
        outputs, _ = entry.network.predict(digits.images)
    else:
        outputs = np.zeros(0, np.int64)
    answers = np.array(classes, np.int64)[outputs] if len(outputs) else outputs.astype(np.int64)
    output = {digit: i for i, digit in enumerate(classes)}
    known = np.array([label in output for label in digits.labels.tolist()], bool)
    truth = np.array([output[int(label)] for label in digits.labels[known]], np.int64)
    confusion = confusion_matrix(truth, np.asarray(outputs)[known], len(classes))
    evaluation = Evaluation(tuple(classes), confusion)
    return SetScore(digits, answers, evaluation, int((~known).sum()))


class MyDigits:
    """The set on disk and in memory; `keep` takes the pad's input, `score` follows a model."""

    changed = Signal(object)  # the new DigitSet

    def __init__(
        self, jobs: JobRunner, drawing: Drawing, notices: Notices, root: Path | None = None
    ) -> None:
        self.root = Path(root) if root is not None else default_folder()
        self.score = Followed(jobs, "my-digits", score_set, SetScore)
        self._drawing, self._notices = drawing, notices
        self._set: DigitSet | None = None

    @property
    def digits(self) -> DigitSet:
        """The set now (read from disk the first time)."""
        if self._set is None:
            self.reload()
        assert self._set is not None
        return self._set

    def fetch(self, entry: ModelEntry) -> SetScore | object | None:
        """The score of `entry` on the set now (None until computed): what the view shows."""
        return self.score.fetch(entry, self.digits)

    def reload(self) -> None:
        """Read the folder again (files added or removed outside digitlab)."""
        loaded = store.load_entries(store.list_set(self.root))
        kept = tuple(Kept(path, int(label)) for path, label in zip(loaded.paths, loaded.labels))
        self._replace(DigitSet(kept, loaded.images, loaded.skipped))

    def keep(self, digit: int) -> Path | None:
        """Store the pad's current input as `digit`; None (and a notice) when the pad is empty
        or the file cannot be written."""
        net_input = self._drawing.input
        if net_input.empty:
            self._notices.warning("Nothing to keep: draw a digit on the pad first")
            return None
        current = self.digits  # read before the new file is there
        try:
            path = store.add(self.root, net_input.image, digit)
        except DigitlabError as exc:
            self._notices.error(f"Cannot keep the drawing: {exc}")
            return None
        pixels = store.as_pixels(net_input.image)[None]
        self._replace(
            DigitSet(
                (*current.kept, Kept(path, int(digit))),
                np.concatenate([current.images, pixels]),
                current.skipped,
            )
        )
        return path

    def relabel(self, path: Path, digit: int) -> None:
        """Say a kept drawing is another digit (its file moves to that folder)."""
        try:
            moved = store.relabel(self.root, path, digit)
        except DigitlabError as exc:
            self._notices.error(str(exc))
            return
        current = self.digits
        kept = tuple(Kept(moved, int(digit)) if k.path == path else k for k in current.kept)
        self._replace(DigitSet(kept, current.images, current.skipped))

    def delete(self, path: Path) -> None:
        """Forget a kept drawing (its file is removed)."""
        try:
            store.delete(path)
        except DigitlabError as exc:
            self._notices.error(str(exc))
            return
        current = self.digits
        stay = [i for i, k in enumerate(current.kept) if k.path != path]
        kept = tuple(current.kept[i] for i in stay)
        self._replace(DigitSet(kept, current.images[stay], current.skipped))

    def _replace(self, digits: DigitSet) -> None:
        self._set = digits
        self.changed.emit(digits)
