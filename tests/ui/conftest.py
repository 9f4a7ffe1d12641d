"""UI test fixtures: one warm trainer process for the whole session.

Every TrainingWorker owns a child process that imports torch (seconds of CPU). The tests lend
each worker the same real, already-started child instead; runs still happen in that process.
"""

from __future__ import annotations

import pytest

from digitlab.core.remote import TrainerProcess
from digitlab.ui import worker as worker_module


class _LentTrainer(TrainerProcess):
    """The session's trainer: closing it from a test only forgets it; the session ends it."""

    def close(self, timeout_s: float = 1.0) -> None:
        pass

    def shutdown(self) -> None:
        super().close()


@pytest.fixture(scope="session")
def session_trainer():
    trainer = _LentTrainer()
    assert trainer.start(wait_s=60)
    yield trainer
    trainer.shutdown()


@pytest.fixture(autouse=True)
def lend_trainer(request, monkeypatch, session_trainer):
    """Tests marked `own_trainer` (several workers running at once) get real, separate ones."""
    if request.node.get_closest_marker("own_trainer") is None:
        monkeypatch.setattr(worker_module, "TrainerProcess", lambda: session_trainer)
