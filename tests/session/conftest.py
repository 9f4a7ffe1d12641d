"""Session fixtures: a drained dispatcher and an in-process trainer on the tiny dataset."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from digitlab.core.data import Dataset, DatasetCache, _select
from digitlab.core.errors import DataError
from digitlab.core.training import LocalTrainer
from digitlab.session import QueueDispatcher, Session
from tests.conftest import make_tiny_dataset


def tiny_cache(dataset: Dataset | None = None) -> DatasetCache:
    """Serves the tiny dataset (or a class subset of it) whatever is asked for."""
    full = dataset or make_tiny_dataset()

    def load(name, root=None, classes=None, **_):
        if not classes:
            return full
        return Dataset(
            full.name, _select(full.train, classes), _select(full.test, classes), classes
        )

    return DatasetCache(load)


@pytest.fixture
def dispatcher() -> QueueDispatcher:
    return QueueDispatcher()


@pytest.fixture
def session(dispatcher):
    session = Session(dispatcher, trainer_factory=lambda: LocalTrainer(tiny_cache()))
    yield session
    session.close()


def session_without_test_data() -> tuple[QueueDispatcher, Session]:
    """A session whose test split cannot be read (for the analyses' error reports)."""

    def missing():
        raise DataError("MNIST is missing: put the files in /nowhere")

    dispatcher = QueueDispatcher()
    return dispatcher, Session(dispatcher, test_set=missing)


def pump(dispatcher: QueueDispatcher, until: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the main-thread queue until `until()` holds; fail after `timeout` seconds."""
    assert dispatcher.drain(timeout, until), "timed out waiting for the session"


class Recorder:
    """Collects what a signal emits."""

    def __init__(self, signal) -> None:
        self.values: list = []
        signal.connect(self._record)

    def _record(self, *args) -> None:
        self.values.append(args[0] if len(args) == 1 else args)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def last(self):
        return self.values[-1]
