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
from dataclasses import dataclass
from typing import Any

import torch

from digitlab.core.data import Dataset, Split
from digitlab.core.errors import DigitlabError
from digitlab.core.model import MLP, ModelSpec, load_arrays
from digitlab.core.training import RunState, Snapshot, TrainConfig, make_optimizer, train

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
    # The first optimizer imports torch._dynamo (~2 s): pay that now, not when Start is pressed.
    make_optimizer(MLP(ModelSpec()), TrainConfig())
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


@dataclass
class _Channel:
    """A child and everything used to talk to it. A run keeps its own reference, so `close()`
    from another thread cannot pull it out from under the run."""

    child: Any
    inbox: Any
    outbox: Any
    cancelled: Any
    running: Any
    wanted: Any

    def stop_signals(self) -> None:
        """Cancel, unpause and release a paced child: whatever it is doing, it moves on."""
        self.cancelled.set()
        self.running.set()
        self.wanted.set()

    def end(self, timeout_s: float) -> None:
        self.stop_signals()
        self.child.terminate()
        self.child.join(timeout_s)
        if self.child.is_alive():
            self.child.kill()
            self.child.join(timeout_s)
        for q in (self.inbox, self.outbox):
            q.close()
            q.cancel_join_thread()


class TrainerProcess:
    """One child process that trains on request, one run at a time."""

    def __init__(self) -> None:
        self._context = mp.get_context("spawn")  # fork is unsafe beside Qt's and torch's threads
        self._channel: _Channel | None = None
        self._runs = 0
        self._ready = False

    def start(self, wait_s: float = 0.0) -> bool:
        """Spawn the child now (it imports torch, ~2 s) if it is not running; with wait_s, block
        up to that long until it is ready. True if it is known to be ready."""
        channel = self._channel
        if channel is not None and channel.child.is_alive():
            return self._ready or (wait_s > 0 and self._wait_ready(channel, wait_s))
        if channel is not None:
            channel.end(0.1)  # it died: release its queues
        ctx = self._context
        queues, events = (ctx.Queue(), ctx.Queue()), (ctx.Event(), ctx.Event(), ctx.Event())
        child = ctx.Process(
            target=_serve, args=(*queues, *events), name="digitlab-trainer", daemon=True
        )
        child.start()
        self._channel = channel = _Channel(child, *queues, *events)
        self._ready = False
        return wait_s > 0 and self._wait_ready(channel, wait_s)

    def _wait_ready(self, channel: _Channel, timeout_s: float) -> bool:
        try:
            channel.outbox.get(timeout=timeout_s)  # the child's first word is always "ready"
        except queue_module.Empty:
            return False
        self._ready = True
        return True

    def close(self, timeout_s: float = 1.0) -> None:
        """End the child at once: it holds nothing worth saving (snapshots carry the weights),
        and a graceful exit of a torch process takes about a second."""
        channel, self._channel = self._channel, None
        if channel is not None:
            channel.end(timeout_s)

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
        channel = self._channel
        self._runs += 1
        run = self._runs
        channel.cancelled.clear()
        channel.wanted.clear()
        channel.running.set()
        state_dict = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        channel.inbox.put((run, model.spec, state_dict, dataset, config, test))
        ended = False  # the child has said its last word about this run
        try:
            while True:
                kind, payload = self._next(channel, run, state)
                if kind == "error":
                    ended = True
                    raise TrainingProcessError(payload)
                snap: Snapshot = payload
                if snap.finished:
                    ended = True
                    load_arrays(model, snap.weights, snap.biases)
                    yield snap
                    return
                yield snap
                channel.wanted.set()  # the caller wants the next one
        finally:
            if not ended:
                self._abandon(channel, run)

    def _next(self, channel: _Channel, run: int, state: RunState) -> tuple[str, Any]:
        while True:
            _mirror(state, channel)
            try:
                item_run, kind, payload = channel.outbox.get(timeout=POLL_S)
            except queue_module.Empty:
                if not channel.child.is_alive():
                    code = channel.child.exitcode
                    raise TrainingProcessError(
                        f"the training process stopped unexpectedly (exit code {code})"
                    ) from None
                continue
            except (OSError, ValueError, EOFError):  # closed by close() from another thread
                raise TrainingProcessError("the training process was shut down") from None
            if item_run == run:  # else: left over from an abandoned run
                return kind, payload

    def _abandon(self, channel: _Channel, run: int) -> None:
        """The caller stopped iterating early: cancel, and wait for the child to go idle."""
        if self._channel is not channel or not channel.child.is_alive():
            return
        channel.stop_signals()
        for _ in range(int(ABANDON_TIMEOUT_S / POLL_S)):
            try:
                item_run, kind, payload = channel.outbox.get(timeout=POLL_S)
            except queue_module.Empty:
                continue
            except (OSError, ValueError, EOFError):
                return
            if item_run == run and (kind == "error" or payload.finished):
                return
        self.close()  # it did not stop in time: a fresh child next time


def _mirror(state: RunState, channel: _Channel) -> None:
    """Copy the caller's pause/cancel onto the child's events."""
    if state.cancelled:
        channel.stop_signals()
    elif state.paused:
        channel.running.clear()
    else:
        channel.running.set()
