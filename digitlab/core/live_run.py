"""The settings one going run trains with, as they change (`core.live`): applied at a step.

The loop asks `follow` at each step whether the caller posted new settings; new ones go to the
optimiser's parameter groups (learning rate, momentum, weight decay: Adam has no momentum and
ignores it), the L1 coefficient, the batch size of the next batch, the augmentation of the next
batches and the run's end ("+1 epoch" moves it one epoch later). The cosine schedule decays to 0
by the run's end as it stands: a new batch size or end moves its horizon, not its progress.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from digitlab.core.distort import AUGMENTATIONS
from digitlab.core.live import LiveChange, LiveSettings
from digitlab.core.protocol import RunState, TrainConfig


class LiveRun:
    def __init__(
        self, config: TrainConfig, optimizer: torch.optim.Optimizer, train_size: int, total: int
    ) -> None:
        """`total`: the samples the run trains as it begins (of `train_size` an epoch)."""
        self.settings = LiveSettings.of(config)
        self.optimizer = optimizer
        self.train_size, self.total = train_size, total
        self._known = 0  # the version of the box the settings follow (0: none posted)
        self._changes: list[LiveChange] = []
        self.total_steps = math.ceil(total / train_size) * math.ceil(train_size / config.batch_size)
        self.scheduler = (
            torch.optim.lr_scheduler.LambdaLR(optimizer, self._cosine)
            if config.schedule == "cosine"
            else None
        )
        self.augment = _augmentation(self.settings.augment)

    @property
    def epochs(self) -> int:
        """Passes over the data (the last may be partial)."""
        return math.ceil(self.total / self.train_size)

    @property
    def batch_size(self) -> int:
        return self.settings.batch_size

    @property
    def l1(self) -> float:
        return self.settings.l1

    def _cosine(self, step: int) -> float:
        return 0.5 * (1.0 + math.cos(math.pi * min(step, self.total_steps) / self.total_steps))

    def follow(self, state: RunState, seen: int, step: int) -> bool:
        """Take the settings posted since the last call, if any, before the step after `step`
        (`seen` samples into the run); True when they changed anything."""
        version, wanted = state.live.take(self._known)
        self._known = version
        if wanted is None or wanted == self.settings:
            return False
        before, self.settings = self.settings, wanted
        self._changes.append(LiveChange(seen, before, wanted))
        factor = self._cosine(self.scheduler.last_epoch) if self.scheduler is not None else 1.0
        for group in self.optimizer.param_groups:
            group["lr"] = wanted.lr * factor
            group["weight_decay"] = wanted.weight_decay
            if "momentum" in group:  # SGD; Adam has none
                group["momentum"] = wanted.momentum
        if self.scheduler is not None:
            self.scheduler.base_lrs = [wanted.lr] * len(self.optimizer.param_groups)
        added = wanted.extra_epochs - before.extra_epochs
        self.total = max(self.total + added * self.train_size, seen)
        if added or wanted.batch_size != before.batch_size:
            self.total_steps = max(step + math.ceil((self.total - seen) / wanted.batch_size), 1)
        if wanted.augment != before.augment:
            self.augment = _augmentation(wanted.augment)
        return True

    def take_changes(self) -> tuple[LiveChange, ...]:
        """The changes since the last call (each snapshot reports its own)."""
        changes, self._changes = tuple(self._changes), []
        return changes


def _augmentation(name: str) -> Callable | None:
    return AUGMENTATIONS[name] if name else None
