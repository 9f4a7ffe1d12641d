"""Stand-ins for the process that reads old model files (imported by name in the spawned
process, so they live in a module that imports nothing heavy)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from digitlab.core import legacy_checkpoint


def die(path, sender) -> None:
    """A helper killed by the kernel (out of memory, kill -9) before it answers."""
    os.kill(os.getpid(), signal.SIGKILL)


def hang(path, sender) -> None:
    """A helper that never answers (a file that makes the reader loop); PATH.hanging tells the
    test it got this far."""
    legacy_checkpoint._die_with_parent()
    Path(f"{path}.hanging").touch()
    time.sleep(600)
