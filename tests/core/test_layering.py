"""digitlab.core must import without Qt (the UI imports the core, never the reverse)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import digitlab.core

CORE = Path(digitlab.core.__file__).parent


def test_core_modules_import_without_qt() -> None:
    modules = sorted(f"digitlab.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")
    modules += ["digitlab.cli", "digitlab.session"]
    script = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core (or the CLI's start-up) pulled in Qt: {out.stdout}"
    assert len(modules) >= 6
