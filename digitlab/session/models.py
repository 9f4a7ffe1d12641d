"""The models the user can draw against, and which one answers now.

Sources are the shipped models, the net being trained (once a run has weights) and the model
files the user opened. Files are read off the main thread; when several loads overlap, the
newest request wins. A failed load keeps the current model and says why.

The live run is one object: the library does not copy it, it asks the run (`live`) for its
current `ModelEntry`, a new version per snapshot. Compare models by `ref`, never by `is`.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psygnal import Signal

from digitlab.core.checkpoint import Checkpoint, load_checkpoint
from digitlab.core.network import Network
from digitlab.core.resources import SHIPPED_MODELS, shipped_model_path
from digitlab.session.jobs import JobRunner
from digitlab.session.notices import Notices

RUN_KEY = "run"
SHIPPED_LABELS = {
    "robust": "Shipped robust 3-layer",
    "mlp": "Shipped 2-layer",
    "linear": "Shipped 1-layer",
}
DEFAULT_KEY = "robust"  # beats the 2-layer net on clean digits too (98.97 % against 98.45 %)


class ModelKind(enum.Enum):
    SHIPPED = "shipped"
    RUN = "run"
    FILE = "file"
    MADE = "made"  # made in the session from another model (an edited net)


@dataclass(frozen=True)
class ModelSource:
    """Something the chooser lists: a key, what kind it is, and a label."""

    key: str
    kind: ModelKind
    label: str
    path: Path | None = None


@dataclass(frozen=True, order=True)
class ModelRef:
    """Which model, at which version: what analyses cache on and views compare (never `is`).
    The weights of a version never change; the live run gets a new version per snapshot, a file
    opened again gets a new one too."""

    key: str
    version: int


_versions = itertools.count(1)  # one counter for all: a version is never reused in a session


@dataclass(frozen=True, eq=False)
class ModelEntry:
    """A loaded model ready to answer: its network, the digits its outputs stand for, and a
    one-line description ('784→256→10 relu · test 98.5 %')."""

    source: ModelSource
    network: Network
    classes: tuple[int, ...]
    description: str
    meta: dict[str, Any] = field(default_factory=dict)
    version: int = field(default_factory=lambda: next(_versions))

    @property
    def ref(self) -> ModelRef:
        return ModelRef(self.source.key, self.version)

    @property
    def key(self) -> str:
        return self.source.key

    @property
    def label(self) -> str:
        return self.source.label


@dataclass(frozen=True)
class LoadFailure:
    """A model could not be loaded; `replaced` when a fallback model was chosen instead."""

    key: str
    message: str
    replaced: bool = False


def _shipped_sources() -> list[ModelSource]:
    return [
        ModelSource(key, ModelKind.SHIPPED, SHIPPED_LABELS.get(key, key), shipped_model_path(key))
        for key in SHIPPED_MODELS
    ]


def source_for(key: str) -> ModelSource:
    """The source a key names: a shipped model, the run, or a file path."""
    if key in SHIPPED_MODELS:
        return ModelSource(key, ModelKind.SHIPPED, SHIPPED_LABELS[key], shipped_model_path(key))
    if key == RUN_KEY:
        return ModelSource(RUN_KEY, ModelKind.RUN, "Training run (live)")
    path = Path(key)
    return ModelSource(str(path), ModelKind.FILE, path.name, path)


def _no_run() -> ModelEntry | None:
    return None


class ModelLibrary:
    """Loaded models by key, the current one, and the list the chooser shows."""

    sources_changed = Signal()  # a file was opened, or the run appeared or went
    current_changed = Signal(ModelEntry | None)  # another model, or a new version of the run
    loading = Signal(ModelSource)  # being read
    load_failed = Signal(LoadFailure)  # the current model still answers

    def __init__(
        self,
        jobs: JobRunner,
        notices: Notices,
        loader: Callable[[Path], Checkpoint] = load_checkpoint,
        live: Callable[[], ModelEntry | None] = _no_run,
    ) -> None:
        """`live` gives the training run's current version (None: no weights yet); call
        `run_changed` whenever it may have changed."""
        self._jobs, self._notices, self._loader = jobs, notices, loader
        self._live = live
        self._entries: dict[str, ModelEntry] = {}  # loaded files and shipped models
        self._files: list[ModelSource] = []
        self._made: dict[str, ModelSource] = {}  # models made in the session, by key
        self._current: ModelEntry | None = None  # a loaded model answering
        self._follows_run = False  # the run answers, whichever version it is at
        self._run_listed = False
        self._run_shown: ModelRef | None = None  # the run's version current_changed last gave
        self._wanted: str | None = None  # requested, maybe still loading

    # --- reading -----------------------------------------------------------------------------

    @property
    def current(self) -> ModelEntry | None:
        return self._live() if self._follows_run else self._current

    @property
    def wanted(self) -> str | None:
        """The key last asked for (it may still be loading), else the current one's."""
        current = self.current
        return self._wanted or (current.key if current else None)

    @property
    def follows_run(self) -> bool:
        """The training run answers (whichever version it is at)."""
        return self._follows_run

    def sources(self) -> list[ModelSource]:
        """Shipped models, the training run (when it has weights), then opened files."""
        listed = _shipped_sources()
        run = self._live()
        if run is not None:
            listed.append(run.source)
        return listed + list(self._files) + list(self._made.values())

    def entry(self, key: str) -> ModelEntry | None:
        """The model `key` names, if loaded (the run: its current version)."""
        return self._live() if key == RUN_KEY else self._entries.get(key)

    def is_loading(self) -> bool:
        """A model was asked for and has not arrived yet (results come via the main thread)."""
        return self._wanted is not None

    # --- choosing ----------------------------------------------------------------------------

    def select(self, key: str, fallback: str | None = None) -> None:
        """Answer with model `key` (loaded in the background if needed). With `fallback`, a
        model that cannot be loaded is replaced by the fallback, with a notice."""
        if key == RUN_KEY:
            if self._live() is None:
                self._notices.info("No training run yet: press Start to train one")
                if fallback:
                    self.select(fallback)
                return
            self._jobs.cancel("model-load")  # an older file request must not win later
            self._follow_run()
        elif key in self._entries:
            self._jobs.cancel("model-load")  # a slower, older request must not win
            self._activate(self._entries[key])
        else:
            self._load(source_for(key), fallback)

    def show_made(self, entry: ModelEntry) -> None:
        """Answer with a model made in the session (an edited net), listed under its key while
        it exists; a new one under the same key replaces it."""
        self._jobs.cancel("model-load")
        self._list_made(entry)
        self._activate(entry)

    def keep_made(self, entry: ModelEntry) -> None:
        """List a model made in the session (or its new version) without making it answer; if
        it answers now, its new version does (a second net trained side by side)."""
        self._list_made(entry)
        if not self._follows_run and self._current is not None and self._current.key == entry.key:
            self._activate(entry)

    def _list_made(self, entry: ModelEntry) -> None:
        self._entries[entry.key] = entry
        if self._made.get(entry.key) != entry.source:
            self._made[entry.key] = entry.source
            self.sources_changed.emit()

    def forget_made(self, key: str) -> None:
        """The made model `key` is gone (its edits undone): unlisted; if it answered, `instead`
        is chosen by the caller."""
        if self._made.pop(key, None) is not None:
            self._entries.pop(key, None)
            self.sources_changed.emit()

    def open_file(self, path: str | Path) -> None:
        """Read a model file (always afresh: it may have changed) and answer with it."""
        self._load(source_for(str(Path(path))), None)

    def _load(self, source: ModelSource, fallback: str | None) -> None:
        self._wanted = source.key
        self.loading.emit(source)
        path = source.path
        assert path is not None

        def done(checkpoint: Checkpoint) -> None:
            self._activate(self._remember(source, checkpoint))

        def failed(message: str) -> None:
            self._wanted = None
            replaced = bool(fallback and fallback != source.key)
            self.load_failed.emit(LoadFailure(source.key, message, replaced))
            if replaced and fallback:
                self._notices.warning(
                    f"Could not open {source.label} ({message}); using "
                    f"{SHIPPED_LABELS.get(fallback, fallback)} instead",
                    source=str(path),
                )
                self.select(fallback)
            else:  # load_failed tells the views; the current model answers on
                self._notices.error(message, source=str(path))

        self._jobs.submit(
            lambda context: self._loader(path), key="model-load", on_done=done, on_error=failed
        )

    def fetch(self, key: str, on_done: Callable[[ModelEntry], None]) -> None:
        """Give `on_done` the model `key` names, read in the background if need be, without
        making it answer (a model to compare with); a file that cannot be read is a notice."""
        entry = self.entry(key)
        if entry is not None:
            on_done(entry)
            return
        source = source_for(key)
        path = source.path
        if path is None:
            self._notices.info(f"{source.label} has no weights yet")
            return
        self._jobs.submit(
            lambda context: self._loader(path),
            key="model-fetch",
            on_done=lambda checkpoint: on_done(self._remember(source, checkpoint)),
            on_error=lambda message: self._notices.error(message, source=str(path)),
        )

    def _remember(self, source: ModelSource, checkpoint: Checkpoint) -> ModelEntry:
        """A model read from its file, kept by key (a file is listed from then on)."""
        meta = dict(checkpoint.meta)
        entry = ModelEntry(source, checkpoint.network, checkpoint.classes, checkpoint.describe(),
                           meta)  # fmt: skip
        self._entries[source.key] = entry
        if source.kind is ModelKind.FILE and source not in self._files:
            self._files.append(source)
            self.sources_changed.emit()
        return entry

    def await_run(self) -> None:
        """Answer with nothing until the run has weights (then the session makes it answer):
        a lesson's new net is not the model that answered before, which its views showed."""
        self._jobs.cancel("model-load")
        self._wanted, self._current, self._follows_run = None, None, False
        self.current_changed.emit(None)

    def _activate(self, entry: ModelEntry) -> None:
        self._wanted = None
        self._current, self._follows_run = entry, False
        self.current_changed.emit(entry)

    def _follow_run(self) -> None:
        self._wanted = None
        self._current, self._follows_run = None, True
        run = self._live()
        self._run_shown = run.ref if run is not None else None
        self.current_changed.emit(run)

    # --- the training run ------------------------------------------------------------------

    def run_changed(self) -> None:
        """The run has a new version, or appeared, or went (Reset). It answers at once if it
        is the current model, or if nothing else is."""
        run = self._live()
        if (run is not None) != self._run_listed:
            self._run_listed = run is not None
            self.sources_changed.emit()
        if self._follows_run:
            if run is None:
                self._follows_run = False
            ref = run.ref if run is not None else None
            if ref != self._run_shown or run is None:  # (a run pinned to a past moment: quiet)
                self._run_shown = ref
                self.current_changed.emit(run)
        elif run is not None and self._current is None and self._wanted is None:
            self._follow_run()
