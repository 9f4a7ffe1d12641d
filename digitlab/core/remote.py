"""`train`, run in a child process: the same snapshots, without sharing the GIL with a GUI.

On a 2-core machine a training thread beside the window loses a third or more of its speed to the
GUI thread's Python work (pyqtgraph painting, snapshot handling) through the GIL; measured in
benchmarks/ui_responsiveness.py. A child process trains on the other core at full speed and the
parent only receives the pickled snapshots.

`TrainerProcess.train` is a drop-in for `training.train`: same arguments, same snapshots, and the
model ends up holding the trained weights. Pause and cancel on the caller's RunState reach the
child. With `snapshot_every` set, the child waits after each snapshot until the caller asks for
the next one, so a paced run never runs ahead of whoever draws it. The child lives on between
runs and can be started early (`start()`), so pressing Start does not wait for torch to import.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_module
from collections.abc import Iterator
from typing import Any

import torch

from digitlab.core.data import Dataset, Split
from digitlab.core.errors import DigitlabError
from digitlab.core.model import MLP, load_arrays
from digitlab.core.training import RunState, Snapshot, TrainConfig, train

POLL_S = 0.05
# One torch thread in the child: the other core stays free for the window.
CHILD_THREADS = 1
# How long an abandoned run may take to notice its cancel before the child is killed.
ABANDON_TIMEOUT_S = 2.0


class TrainingProcessError(DigitlabError):
    """Training failed in the child process (an exception there, or the process died)."""


def _serve(inbox: Any, outbox: Any, cancelled: Any, running: Any, wanted: Any) -> None:
    """The child: take jobs until None; post (run, 'snapshot', Snapshot) or (run, 'error', text)."""
    torch.set_num_threads(CHILD_THREADS)
    state = RunState(cancelled=cancelled, running=running)
    outbox.put((0, "ready", None))
    while (job := inbox.get()) is not None:
        run, spec, state_dict, dataset, config, test = job
        try:
            model = MLP(spec)
            model.load_state_dict(state_dict)
            for snap in train(model, dataset, config, state, test):
                wanted.clear()
                outbox.put((run, "snapshot", snap))
                if config.snapshot_every and not snap.finished:
                    while not wanted.wait(POLL_S) and not cancelled.is_set():
                        pass
        except DigitlabError as exc:
            outbox.put((run, "error", str(exc)))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which shows it
            outbox.put((run, "error", f"{exc.__class__.__name__}: {exc}"))


class TrainerProcess:
    """One child process that trains on request, one run at a time."""

    def __init__(self) -> None:
        self._context = mp.get_context("spawn")  # fork is unsafe beside Qt's and torch's threads
        self._child: Any = None
        self._runs = 0
        self._ready = False

    def start(self, wait_s: float = 0.0) -> bool:
        """Spawn the child now (it imports torch, ~2 s) if it is not running; with wait_s, block
        up to that long until it is ready. True if it is known to be ready."""
        if self._child is not None and self._child.is_alive():
            return self._ready or (wait_s > 0 and self._wait_ready(wait_s))
        ctx = self._context
        self._inbox, self._outbox = ctx.Queue(), ctx.Queue()
        self._cancelled, self._running, self._wanted = ctx.Event(), ctx.Event(), ctx.Event()
        self._child = ctx.Process(
            target=_serve,
            args=(self._inbox, self._outbox, self._cancelled, self._running, self._wanted),
            name="digitlab-trainer",
            daemon=True,
        )
        self._child.start()
        self._ready = False
        return wait_s > 0 and self._wait_ready(wait_s)

    def _wait_ready(self, timeout_s: float) -> bool:
        try:
            self._outbox.get(timeout=timeout_s)  # the child's first word is always "ready"
        except queue_module.Empty:
            return False
        self._ready = True
        return True

    def close(self, timeout_s: float = 1.0) -> None:
        """Cancel any run and end the child."""
        child, self._child = self._child, None
        if child is None:
            return
        self._cancelled.set()
        self._running.set()
        self._wanted.set()
        self._inbox.put(None)
        child.join(timeout_s)
        if child.is_alive():
            child.terminate()
            child.join(timeout_s)
        for q in (self._inbox, self._outbox):
            q.close()
            q.cancel_join_thread()

    def train(
        self,
        model: MLP,
        dataset: Dataset,
        config: TrainConfig | None = None,
        state: RunState | None = None,
        test: Split | None = None,
    ) -> Iterator[Snapshot]:
        """Like `training.train`, with the steps in the child (see the module docstring)."""
        config = config or TrainConfig()
        state = state or RunState()
        self.start()
        self._runs += 1
        run = self._runs
        self._cancelled.clear()
        self._wanted.clear()
        self._running.set()
        state_dict = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        self._inbox.put((run, model.spec, state_dict, dataset, config, test))
        finished = False
        try:
            while not finished:
                snap = self._next(run, state)
                finished = snap.finished
                if finished:
                    load_arrays(model, snap.weights, snap.biases)
                yield snap
                self._wanted.set()  # the caller wants the next one
        finally:
            if not finished:
                self._abandon(run)

    def _next(self, run: int, state: RunState) -> Snapshot:
        while True:
            self._mirror(state)
            try:
                item_run, kind, payload = self._outbox.get(timeout=POLL_S)
            except queue_module.Empty:
                if not self._child.is_alive():
                    code = self._child.exitcode
                    self._child = None
                    raise TrainingProcessError(
                        f"the training process stopped unexpectedly (exit code {code})"
                    ) from None
                continue
            if item_run != run:
                continue  # left over from an abandoned run
            if kind == "error":
                raise TrainingProcessError(payload)
            return payload

    def _abandon(self, run: int) -> None:
        """The caller stopped iterating early: cancel, and wait for the child to go idle."""
        if self._child is None:
            return
        self._cancelled.set()
        self._running.set()
        self._wanted.set()
        deadline = ABANDON_TIMEOUT_S / POLL_S
        for _ in range(int(deadline)):
            try:
                item_run, kind, payload = self._outbox.get(timeout=POLL_S)
            except queue_module.Empty:
                continue
            if item_run == run and (kind == "error" or payload.finished):
                return
        self.close()  # it did not stop in time: a fresh child next time

    def _mirror(self, state: RunState) -> None:
        if state.cancelled:
            self._cancelled.set()
            self._running.set()
        elif state.paused:
            self._running.clear()
        else:
            self._running.set()


def train_in_subprocess(
    model: MLP,
    dataset: Dataset,
    config: TrainConfig | None = None,
    state: RunState | None = None,
    test: Split | None = None,
) -> Iterator[Snapshot]:
    """One run in a fresh child process, which ends with the run."""
    trainer = TrainerProcess()
    try:
        yield from trainer.train(model, dataset, config, state, test)
    finally:
        trainer.close()
