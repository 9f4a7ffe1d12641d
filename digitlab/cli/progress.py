"""One progress line on stderr for the commands that sweep or experiment: redrawn at most 10×/s,
only on a terminal, and wiped when the work is done."""

from __future__ import annotations

import sys
import time


class ProgressLine:
    def __init__(self, quiet: bool) -> None:
        self.shown = not quiet and sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, fraction: float, text: str) -> None:
        if self.shown and time.perf_counter() - self._last >= 0.1:
            self._last = time.perf_counter()
            sys.stderr.write(f"\r{fraction:4.0%}  {text:<40}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write(f"\r{'':<48}\r")
