"""The models the user can draw against, and which one answers now.

Sources are the shipped models, the net being trained (once a run has weights) and the model
files the user opened. Files are read off the main thread; when several loads overlap, the
newest request wins. A failed load keeps the current model and says why.
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
DEFAULT_KEY = "robust"  # beats the 2-layer net on clean digits too (98.86 % against 98.45 %)


class ModelKind(enum.Enum):
    SHIPPED = "shipped"
    RUN = "run"
    FILE = "file"


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


class ModelLibrary:
    """Loaded models by key, the current one, and the list the chooser shows."""

    sources_changed = Signal()  # a file was opened, or the run appeared or went
    current_changed = Signal(object)  # ModelEntry | None: another model, or new weights
    loading = Signal(object)  # ModelSource being read
    load_failed = Signal(object)  # LoadFailure

    def __init__(
        self,
        jobs: JobRunner,
        notices: Notices,
        loader: Callable[[Path], Checkpoint] = load_checkpoint,
    ) -> None:
        self._jobs, self._notices, self._loader = jobs, notices, loader
        self._entries: dict[str, ModelEntry] = {}
        self._files: list[ModelSource] = []
        self._current: ModelEntry | None = None
        self._wanted: str | None = None  # requested, maybe still loading

    # --- reading -----------------------------------------------------------------------------

    @property
    def current(self) -> ModelEntry | None:
        return self._current

    @property
    def wanted(self) -> str | None:
        """The key last asked for (it may still be loading), else the current one's."""
        return self._wanted or (self._current.key if self._current else None)

    def sources(self) -> list[ModelSource]:
        """Shipped models, the training run (when it has weights), then opened files."""
        listed = _shipped_sources()
        if RUN_KEY in self._entries:
            listed.append(self._entries[RUN_KEY].source)
        return listed + list(self._files)

    def entry(self, key: str) -> ModelEntry | None:
        return self._entries.get(key)

    def is_loading(self) -> bool:
        """A model was asked for and has not arrived yet (results come via the main thread)."""
        return self._wanted is not None

    # --- choosing ----------------------------------------------------------------------------

    def select(self, key: str, fallback: str | None = None) -> None:
        """Answer with model `key` (loaded in the background if needed). With `fallback`, a
        model that cannot be loaded is replaced by the fallback, with a notice."""
        if key == RUN_KEY:
            if RUN_KEY not in self._entries:
                self._notices.info("No training run yet: press Start to train one")
                if fallback:
                    self.select(fallback)
                return
            self._jobs.cancel("model-load")  # an older file request must not win later
            self._activate(self._entries[RUN_KEY])
        elif key in self._entries:
            self._jobs.cancel("model-load")  # a slower, older request must not win
            self._activate(self._entries[key])
        else:
            self._load(source_for(key), fallback)

    def open_file(self, path: str | Path) -> None:
        """Read a model file (always afresh: it may have changed) and answer with it."""
        self._load(source_for(str(Path(path))), None)

    def _load(self, source: ModelSource, fallback: str | None) -> None:
        self._wanted = source.key
        self.loading.emit(source)
        path = source.path
        assert path is not None

        def done(checkpoint: Checkpoint) -> None:
            entry = ModelEntry(
                source,
                checkpoint.network,
                checkpoint.classes,
                checkpoint.describe(),
                dict(checkpoint.meta),
            )
            self._entries[source.key] = entry
            if source.kind is ModelKind.FILE and source not in self._files:
                self._files.append(source)
                self.sources_changed.emit()
            self._activate(entry)

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
            else:
                self._notices.error(message, source=str(path))
                self.current_changed.emit(self._current)  # the chooser shows what still answers

        self._jobs.submit(
            lambda context: self._loader(path), key="model-load", on_done=done, on_error=failed
        )

    def _activate(self, entry: ModelEntry) -> None:
        self._wanted = None
        self._current = entry
        self.current_changed.emit(entry)

    # --- the training run ------------------------------------------------------------------

    def set_run_network(
        self, network: Network | None, classes: tuple[int, ...], description: str
    ) -> None:
        """New weights from the training run (None: the run was reset). The run answers at once
        if it is the current model, or if nothing else is."""
        appeared = RUN_KEY not in self._entries and network is not None
        if network is None:
            gone = self._entries.pop(RUN_KEY, None)
            if gone is not None:
                self.sources_changed.emit()
                if self._current is gone:
                    self._current = None
                    self.current_changed.emit(None)
            return
        entry = ModelEntry(source_for(RUN_KEY), network, classes, description)
        self._entries[RUN_KEY] = entry
        if appeared:
            self.sources_changed.emit()
        if self._current is not None and self._current.key == RUN_KEY:
            self._current = entry
            self.current_changed.emit(entry)
        elif self._current is None and self._wanted is None:
            self._activate(entry)
