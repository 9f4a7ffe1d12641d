"""My digits: the user's own drawings, kept with a label, and how the answering model does on them.

The set lives in the user data folder (`<user data>/digitlab/my-digits/<digit>/<name>.png`, the
format of `core.my_digits`, so `digitlab evaluate MODEL --images` scores the same files). It is
read (in a job) the first time a view asks, then kept in memory: keeping a drawing writes one
file, in a job, and reads nothing back. Each change makes a new `DigitSet` snapshot; the score
is a `Followed` analysis keyed by model version and snapshot, so a change or a new model
version rescores once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from psygnal import Signal

from digitlab.core import my_digits as store
from digitlab.core.metrics import Evaluation, confusion_matrix, output_indices
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
    truth = output_indices(digits.labels, classes)
    known = truth >= 0
    confusion = confusion_matrix(truth[known], np.asarray(outputs)[known], len(classes))
    evaluation = Evaluation(tuple(classes), confusion)
    return SetScore(digits, answers, evaluation, int((~known).sum()))


def skipped_text(skipped: tuple[Skipped, ...] | list[Skipped], shown: int = 3) -> str:
    """'2 files skipped: a.png (not an image), b.txt (…)' with the first `shown` named."""
    names = ", ".join(f"{s.path.name} ({s.reason.splitlines()[0][:60]})" for s in skipped[:shown])
    more = f" and {len(skipped) - shown} more" if len(skipped) > shown else ""
    return f"{len(skipped)} file{'s' * (len(skipped) != 1)} skipped: {names}{more}"


class MyDigits:
    """The set on disk and in memory; `keep` takes the pad's input, `score` follows a model.

    Every file operation runs in a job (the window's thread never waits on the disk): the folder
    is read the first time the set is asked for (`digits` is empty until then, and `changed`
    says when it arrives); keep, relabel and delete write in the background and update the set
    when done."""

    changed = Signal(object)  # the new DigitSet

    def __init__(
        self, jobs: JobRunner, drawing: Drawing, notices: Notices, root: Path | None = None
    ) -> None:
        self.root = Path(root) if root is not None else default_folder()
        self.score = Followed(jobs, "my-digits", score_set, SetScore)
        self._jobs, self._drawing, self._notices = jobs, drawing, notices
        self._set: DigitSet | None = None
        self._reading = self._again = False
        self._disk = threading.Lock()  # one file operation at a time: unique names stay unique

    @property
    def loaded(self) -> bool:
        """The folder has been read (until then the set is empty and changes are refused)."""
        return self._set is not None

    @property
    def digits(self) -> DigitSet:
        """The set now (empty while the folder is read, in the background, the first time)."""
        if self._set is None:
            self.reload()
            return EMPTY_SET
        return self._set

    def fetch(self, entry: ModelEntry) -> SetScore | object | None:
        """The score of `entry` on the set now (None until computed): what the view shows."""
        if self._set is None:
            self.reload()
            return None
        return self.score.fetch(entry, self._set)

    def reload(self) -> None:
        """Read the folder again, in the background (files added or removed outside digitlab)."""
        if self._reading:
            self._again = True  # a read under way may have listed the folder before a change
            return
        self._reading, self._again = True, False
        root = self.root

        def read(context: JobContext) -> DigitSet:
            with self._disk:
                loaded = store.load_entries(store.list_set(root))
            kept = tuple(Kept(path, int(label))
                         for path, label in zip(loaded.paths, loaded.labels))  # fmt: skip
            return DigitSet(kept, loaded.images, loaded.skipped)

        def failed(message: str) -> None:
            self._reading = False
            self._notices.error(f"Cannot read your digits: {message}", source=str(root))
            self._replace(EMPTY_SET)

        def done(digits: DigitSet) -> None:
            self._reading = False
            self._replace(digits)
            if self._again:
                self.reload()

        self._jobs.submit(read, key="my-digits-read", on_done=done, on_error=failed)

    def keep(self, digit: int) -> bool:
        """Store the pad's current input as `digit` (written in the background; `changed`
        follows). False, with a notice, when the pad is empty or the set is still being read."""
        net_input = self._drawing.input
        if net_input.empty:
            self._notices.warning("Nothing to keep: draw a digit on the pad first")
            return False
        if not self._ready():
            return False
        image, root = np.array(net_input.image), self.root

        def done(path: Path) -> None:
            current = self._set if self._set is not None else EMPTY_SET
            pixels = store.as_pixels(image)[None]
            self._replace(DigitSet((*current.kept, Kept(path, int(digit))),
                                   np.concatenate([current.images, pixels]),
                                   current.skipped))  # fmt: skip

        self._jobs.submit(self._locked(store.add, root, image, digit), on_done=done,
                          on_error=lambda m: self._notices.error(
                              f"Cannot keep the drawing: {m}"))  # fmt: skip
        return True

    def relabel(self, path: Path, digit: int) -> None:
        """Say a kept drawing is another digit (its file moves to that folder)."""
        if not self._ready():
            return
        root = self.root

        def done(moved: Path) -> None:
            current = self._set if self._set is not None else EMPTY_SET
            kept = tuple(Kept(moved, int(digit)) if k.path == path else k for k in current.kept)
            self._replace(DigitSet(kept, current.images, current.skipped))

        self._jobs.submit(self._locked(store.relabel, root, path, digit), on_done=done,
                          on_error=self._notices.error)  # fmt: skip

    def delete(self, path: Path) -> None:
        """Forget a kept drawing (its file is removed)."""
        if not self._ready():
            return

        def done(_: object) -> None:
            current = self._set if self._set is not None else EMPTY_SET
            stay = [i for i, k in enumerate(current.kept) if k.path != path]
            kept = tuple(current.kept[i] for i in stay)
            self._replace(DigitSet(kept, current.images[stay], current.skipped))

        self._jobs.submit(self._locked(store.delete, path), on_done=done,
                          on_error=self._notices.error)  # fmt: skip

    def import_folder(self, folder: Path) -> None:
        """Copy every readable digit of `folder` (class subfolders 0–9, or a labels.csv) into the
        set, under unique names, in the background; then read the set again. Files that cannot
        be read are named in one notice; a missing folder or a label that is no digit, in one
        error."""
        folder, root = Path(folder), self.root

        def copy(context: JobContext) -> tuple[int, tuple[Skipped, ...]]:
            loaded = store.load_folder(folder)
            with self._disk:
                for image, label, path in zip(loaded.images, loaded.labels, loaded.paths):
                    context.check()
                    store.add(root, image, int(label), name=path.stem)
            return len(loaded), loaded.skipped

        def done(result: tuple[int, tuple[Skipped, ...]]) -> None:
            count, skipped = result
            self._notices.info(f"Imported {count} digit{'s' * (count != 1)} from {folder}")
            if skipped:
                self._notices.warning(skipped_text(skipped), source=str(folder))
            self.reload()

        self._jobs.submit(copy, on_done=done, on_error=lambda m: self._notices.error(
            f"Cannot import {folder}: {m}", source=str(folder)))  # fmt: skip

    def _locked(self, operation, *args):
        """A job that runs one file operation while no other runs."""

        def run(context: JobContext):
            with self._disk:
                return operation(*args)

        return run

    def _ready(self) -> bool:
        if self._set is None:
            self.reload()
            self._notices.info("Your digits are still being read: try again in a moment")
            return False
        return True

    def _replace(self, digits: DigitSet) -> None:
        self._set = digits
        self.changed.emit(digits)
