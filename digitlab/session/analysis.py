"""The two shapes every analysis in the session takes, and their one way to fail.

- `Followed`: follows a model. A view asks for the model it shows (`request(entry)`); the work
  runs off the main thread at idle priority, one computation at a time with only the newest
  request waiting (`NewestOnly`), so a net in training — a new version ~10×/s — never piles
  requests up. Results are cached per model version (`ModelRef`, never object identity): the
  weights of a version never change, so neither does its result.
- `Task`: runs when the user asks, with progress, partial results and Cancel; one at a time, a
  new run cancels the one under way (Orange3's `TaskState`, without Qt).

Both report failure the same way: an `AnalysisFailed` on their `failed` signal (and in place of
a result), so a view handles it in one place. A new analysis is a core function, one line in
the session (one of these two) and a view.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from psygnal import SignalInstance

from digitlab.core.errors import DigitlabError
from digitlab.session.jobs import JobContext, JobRunner, NewestOnly, Progress
from digitlab.session.models import ModelEntry, ModelRef

R = TypeVar("R")
Q = TypeVar("Q")
KEEP = 4  # results kept per analysis: the versions a user flips between, not a run's history


@dataclass(frozen=True)
class AnalysisFailed:
    """Why an analysis has no result: the model version it was for (None when it was not about
    one, e.g. a file or a catalogue) and one line for the user."""

    ref: ModelRef | None
    message: str


def failed_or_none(outcome: object) -> AnalysisFailed | None:
    """The failure in an outcome, if it is one (for views: one check, one place)."""
    return outcome if isinstance(outcome, AnalysisFailed) else None


class Followed(Generic[R]):
    """Follows a model: newest request wins, results (and failures) cached per model version.

    `compute(entry, params, context)` runs in the background; `params` is whatever else the
    result depends on (hashable; the drawing for the offset grid), `None` for most."""

    def __init__(
        self,
        jobs: JobRunner,
        name: str,
        compute: Callable[[ModelEntry, Any, JobContext], R],
        result_type: type,
        *,
        applies: Callable[[ModelEntry], bool] | None = None,
        keep: int = KEEP,
    ) -> None:
        self.changed = SignalInstance((result_type,), name="changed")  # a new result
        self.failed = SignalInstance((AnalysisFailed,), name="failed")  # or why there is none
        self.updated = SignalInstance((), name="updated")  # after either: views that only redraw
        self._compute, self._applies, self._keep = compute, applies, keep
        self._newest = NewestOnly(jobs, name, f"digitlab-{name}")
        self._cache: OrderedDict[tuple, R | AnalysisFailed] = OrderedDict()
        self._latest: R | AnalysisFailed | None = None

    @property
    def latest(self) -> R | AnalysisFailed | None:
        """The newest outcome delivered, whichever version it was for."""
        return self._latest

    def get(self, entry: ModelEntry, params: Hashable = None) -> R | AnalysisFailed | None:
        """The outcome for this version of the model (None: not computed yet)."""
        return self._cache.get((entry.ref, params))

    def request(self, entry: ModelEntry, params: Hashable = None) -> None:
        """Compute for this version unless known or under way; while one computation runs,
        only the newest request waits. A model the analysis does not apply to needs nothing."""
        key = (entry.ref, params)
        if key in self._cache or key == self._newest.running:
            return
        if self._applies is not None and not self._applies(entry):
            return

        def compute(context: JobContext) -> R:
            return self._compute(entry, params, context)

        self._newest.request(
            key,
            compute,
            on_done=lambda result: self._deliver(key, result),
            on_error=lambda message: self._deliver(key, AnalysisFailed(entry.ref, message)),
        )

    def fetch(self, entry: ModelEntry, params: Hashable = None) -> R | AnalysisFailed | None:
        """`request`, then `get`: what a view on screen shows for this version."""
        self.request(entry, params)
        return self.get(entry, params)

    def _deliver(self, key: tuple, outcome: R | AnalysisFailed) -> None:
        self._cache[key] = outcome
        while len(self._cache) > self._keep:
            self._cache.popitem(last=False)
        self._latest = outcome
        if isinstance(outcome, AnalysisFailed):
            self.failed.emit(outcome)
        else:
            self.changed.emit(outcome)
        self.updated.emit()


class Task(Generic[Q, R]):
    """Runs on demand with progress, partial results and Cancel; a new run cancels the old.

    `prepare(request)` runs on the main thread first (take what the session holds now; raise a
    `DigitlabError` to refuse), then `work(prepared, context)` in the background."""

    def __init__(
        self,
        jobs: JobRunner,
        name: str,
        work: Callable[[Any, JobContext], R],
        result_type: type,
        partial_type: type = object,
        *,
        prepare: Callable[[Q], Any] | None = None,
    ) -> None:
        self.progress = SignalInstance((Progress,), name="progress")
        self.partial = SignalInstance((partial_type,), name="partial")
        self.finished = SignalInstance((result_type,), name="finished")
        self.failed = SignalInstance((AnalysisFailed,), name="failed")
        self._jobs, self._name, self._work, self._prepare = jobs, name, work, prepare
        self._request: Q | None = None
        self.result: R | None = None  # the last result
        self.outcome: R | AnalysisFailed | None = None  # the last result or failure

    @property
    def running(self) -> bool:
        return self._request is not None

    @property
    def request(self) -> Q | None:
        """What the run under way was asked for (None when idle)."""
        return self._request

    def run(self, request: Q) -> None:
        """Start (one under way is cancelled: only the newest reports)."""
        self.cancel()
        ref = getattr(request, "ref", None)
        try:
            prepared = self._prepare(request) if self._prepare is not None else request
        except DigitlabError as exc:
            self._fail(AnalysisFailed(ref, str(exc)))
            return
        self._request = request

        self._jobs.submit(
            lambda context: self._work(prepared, context),
            key=self._name,
            on_done=self._deliver,
            on_error=lambda message: self._fail(AnalysisFailed(ref, message)),
            on_progress=self.progress.emit,
            on_partial=self.partial.emit,
            name=f"digitlab-{self._name}",
        )

    def cancel(self) -> None:
        """Stop the run under way; none of what it reports arrives from now on."""
        self._jobs.cancel(self._name)
        self._request = None

    def _deliver(self, result: R) -> None:
        self._request = None
        self.result = self.outcome = result
        self.finished.emit(result)

    def _fail(self, failure: AnalysisFailed) -> None:
        self._request = None
        self.outcome = failure
        self.failed.emit(failure)
