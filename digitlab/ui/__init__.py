"""The window: PySide6 + pyqtgraph. It imports digitlab.core; nothing in core imports this."""

from __future__ import annotations

import pyqtgraph as pg


def configure_pyqtgraph() -> None:
    """Global pyqtgraph options every view relies on (row-major 28×28 images)."""
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


configure_pyqtgraph()
