"""The trainer a run's steps happen in: made when first needed, warmed up ahead, ended at exit.

One trainer serves every run of the window (its process keeps the data loaded); the lock lets one
run at a time reach it, so a stopped run still winding down finishes before the next begins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from digitlab.core.protocol import DataRequest
from digitlab.session.jobs import JobRunner
from digitlab.session.run_events import Trainer


class TrainerHandle:
    def __init__(self, factory: Callable[[], Trainer], key: str = "trainer-prepare") -> None:
        self._factory, self._key = factory, key
        self._trainer: Trainer | None = None
        self._prepared: tuple[Trainer, DataRequest] | None = None  # last warmed up
        self.lock = threading.Lock()  # one run at a time reaches the trainer

    @property
    def ready(self) -> bool:
        """The trainer has started and waits for work (a Start trains at once)."""
        trainer = self._trainer
        return trainer is not None and bool(getattr(trainer, "is_ready", lambda: True)())

    def instance(self) -> Trainer:
        """The trainer, started now if it was not."""
        if self._trainer is None:
            self._trainer = self._factory()
        return self._trainer

    def prepare(self, jobs: JobRunner, data: DataRequest) -> None:
        """Start the trainer and load `data` in it, in the background (once per data)."""
        trainer = self.instance()
        if (trainer, data) == self._prepared:
            return
        self._prepared = (trainer, data)
        jobs.submit(lambda context: trainer.prepare(data), key=self._key)

    def close(self) -> None:
        """End the trainer (its process, if it has one); a later run starts a new one."""
        if self._trainer is not None:
            self._trainer.close()
            self._trainer = None
