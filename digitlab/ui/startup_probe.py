"""Start-up milestones for `benchmarks/startup.py`; inert unless it sets the variable.

The benchmark puts its launch time in DIGITLAB_STARTUP_PROBE; the app then prints, on stdout,
seconds since launch when the window first paints, when every view is built and when the model
answers; then it waits DIGITLAB_STARTUP_IDLE seconds (default 0), prints the memory of its own
process and of its children, and quits.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

VARIABLE = "DIGITLAB_STARTUP_PROBE"
IDLE_VARIABLE = "DIGITLAB_STARTUP_IDLE"


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc; 0 elsewhere or when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class StartupProbe:
    def __init__(self) -> None:
        raw = os.environ.get(VARIABLE)
        self.launched = float(raw) if raw else None
        self.idle_s = float(os.environ.get(IDLE_VARIABLE) or 0)
        self.seen: set[str] = set()

    @property
    def active(self) -> bool:
        return self.launched is not None

    def mark(self, name: str) -> None:
        if self.active and name not in self.seen:
            self.seen.add(name)
            print(f"{name} {time.time() - self.launched:.3f}", flush=True)

    def ready(self) -> bool:
        return {"built", "model"} <= self.seen

    def report_memory(self) -> None:
        pid = os.getpid()
        kids = children(pid)
        print(f"rss {rss_mb(pid):.0f} children {sum(rss_mb(k) for k in kids):.0f} "
              f"processes {1 + len(kids)}", flush=True)  # fmt: skip
