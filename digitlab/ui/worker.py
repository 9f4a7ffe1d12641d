"""Run training off the GUI thread and re-emit its snapshots as Qt signals.

The steps run in a child process (`core.remote.TrainerProcess`): a training *thread* beside the
window lost 35–50 % of its speed to the GUI's Python work through the GIL on 2 cores. A QThread
here only waits on the child's snapshots and re-emits them. The GUI thread never runs a training
step: it only receives snapshots (numpy copies) through queued signals and draws them.
Throttling happens at the producer (TrainConfig.snapshot_seconds or snapshot_every). In step
mode (snapshot_every > 0) the thread also waits after each snapshot until the GUI calls
`acknowledge()`, so a run that snapshots every step paces itself to the display instead of
flooding the event queue.
"""

from __future__ import annotations

import atexit
import threading
import traceback
from collections.abc import Iterator

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from digitlab.core.data import Dataset
from digitlab.core.errors import DigitlabError
from digitlab.core.model import MLP
from digitlab.core.remote import TrainerProcess
from digitlab.core.training import RunState, Snapshot, TrainConfig

# A lost acknowledgement (a snapshot nobody draws) only slows a paced run; it never hangs it.
ACK_TIMEOUT_S = 2.0

# Workers whose thread is still running stay referenced here, so Python never destroys a running
# QThread (which aborts the process) even if the widget that owned the worker is gone.
_running: set[TrainingWorker] = set()


class _AckGate:
    """The hand-shake for step mode: the thread waits until the GUI has drawn the last snapshot."""

    def __init__(self) -> None:
        self._drawn = threading.Event()

    def arm(self) -> None:
        self._drawn.clear()

    def open(self) -> None:
        self._drawn.set()

    def wait(self, timeout_s: float) -> bool:
        """True once acknowledged, False on timeout. Cancelling opens the gate too."""
        return self._drawn.wait(timeout_s)


class _TrainingThread(QThread):
    """Iterates the snapshot generator; its signals cross to the GUI thread queued.

    Every signal carries the run id, so a late signal from a previous run is recognised and
    dropped after a restart.
    """

    produced = Signal(int, object)
    crashed = Signal(int, str)
    ended = Signal(int)

    def __init__(
        self,
        run_id: int,
        snapshots: Iterator[Snapshot],
        state: RunState,
        gate: _AckGate,
        paced: bool,
    ) -> None:
        super().__init__()
        self.run_id = run_id
        self.done = threading.Event()  # set by the thread as its last act: "nothing more comes"
        self._snapshots, self._state, self._gate, self._paced = snapshots, state, gate, paced

    def run(self) -> None:
        try:
            for snap in self._snapshots:
                if self._paced:
                    self._gate.arm()
                self.produced.emit(self.run_id, snap)
                if self._paced and not snap.finished and not self._state.cancelled:
                    self._gate.wait(ACK_TIMEOUT_S)
        except DigitlabError as exc:
            self.crashed.emit(self.run_id, str(exc))
        except Exception as exc:  # noqa: BLE001 - the user sees the error instead of a dead run
            traceback.print_exc()
            self.crashed.emit(self.run_id, f"{exc.__class__.__name__}: {exc}")
        finally:
            self._snapshots = iter(())  # drop the generator (and its tensors) in this thread
            self.done.set()
            self.ended.emit(self.run_id)


class TrainingWorker(QObject):
    """Owns the training thread; its signals arrive on the GUI thread.

    snapshot(Snapshot) for every snapshot, the last one included; then finished(last Snapshot),
    or failed(message) if training raised. One run at a time; start again once it has ended.
    """

    snapshot = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: _TrainingThread | None = None
        self._runs = 0
        self._state = RunState()
        self._gate = _AckGate()
        self._last: Snapshot | None = None
        self._failed = False
        self._trainer = TrainerProcess()

    def warm_up(self, wait_s: float = 0.0) -> bool:
        """Spawn the trainer process now, so the first Start does not wait for torch to load;
        with wait_s, block until it is ready (tests, benchmarks)."""
        return self._trainer.start(wait_s)

    def close(self, wait_ms: int = 1000) -> bool:
        """Stop any run and end the trainer process (the window is closing). A child that does
        not stop in time (still importing torch, say) is terminated, which ends the thread too."""
        stopped = self.stop(wait_ms)
        self._trainer.close(timeout_s=wait_ms / 1000)
        thread = self._thread
        if not stopped and thread is not None and shiboken6.isValid(thread):
            stopped = thread.wait(wait_ms)
        return stopped

    def start(self, model: MLP, dataset: Dataset, config: TrainConfig) -> None:
        """Train `model` (in the trainer process; its final weights are copied back into `model`).
        Raises RuntimeError if a run is going. Until the run ends, read the snapshots instead.
        """
        if self.is_running():
            raise RuntimeError("a training run is already in progress")
        if self._thread is not None:
            self._thread.wait()  # it has said its last word and is returning from run()
        self._runs += 1
        self._state, self._gate = RunState(), _AckGate()
        self._last, self._failed = None, False
        thread = _TrainingThread(
            self._runs,
            self._trainer.train(model, dataset, config, self._state),
            self._state,
            self._gate,
            paced=config.snapshot_every > 0,
        )
        thread.produced.connect(self._on_produced)
        thread.crashed.connect(self._on_crashed)
        thread.ended.connect(self._on_ended)
        self._thread = thread
        _running.add(self)
        _stop_all_on_quit()
        thread.start()

    def is_running(self) -> bool:
        """True from start() until the thread has finished its last snapshot (paused included)."""
        return self._thread is not None and not self._thread.done.is_set()

    def is_paused(self) -> bool:
        return self.is_running() and self._state.paused

    def pause(self) -> None:
        self._state.pause()

    def resume(self) -> None:
        self._state.resume()

    def acknowledge(self) -> None:
        """The GUI has drawn the last snapshot: a paced run may produce the next one."""
        self._gate.open()

    def stop(self, wait_ms: int = 1000) -> bool:
        """Cancel the run and wait up to wait_ms for its thread; True if the thread has ended."""
        self._state.cancel()
        self._gate.open()
        thread = self._thread
        if thread is None or not shiboken6.isValid(thread):  # gone already (interpreter exit)
            return True
        if wait_ms > 0:
            thread.wait(wait_ms)
        return thread.isFinished()

    def _on_produced(self, run_id: int, snap: Snapshot) -> None:
        if run_id == self._runs:
            self._last = snap
            self.snapshot.emit(snap)

    def _on_crashed(self, run_id: int, message: str) -> None:
        if run_id == self._runs:
            self._failed = True
            self.failed.emit(message)

    def _on_ended(self, run_id: int) -> None:
        if run_id != self._runs:
            return
        _running.discard(self)
        if not self._failed and self._last is not None:
            self.finished.emit(self._last)


def stop_all_workers(wait_ms: int = 1000) -> bool:
    """Cancel every running worker and join its thread (at application exit)."""
    workers = list(_running)
    for worker in workers:
        worker.stop(wait_ms=0)
    return all(worker.close(wait_ms=wait_ms) for worker in workers)


atexit.register(stop_all_workers)  # a script that never ran app.exec() still joins its threads

_quit_hooked = False


def _stop_all_on_quit() -> None:
    global _quit_hooked
    app = QCoreApplication.instance()
    if app is not None and not _quit_hooked:
        app.aboutToQuit.connect(stop_all_workers)
        _quit_hooked = True
