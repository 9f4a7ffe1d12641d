"""Start the window, or render it offscreen in a demo state for the README screenshot."""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

import torch

# One torch thread beside the GUI: measured faster than two on a 2-core machine, because the
# GUI thread's Python work competes with torch's second thread (see benchmarks/).
GUI_TORCH_THREADS = 1


def _application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("digitlab")
    app.setOrganizationName("digitlab")
    app.setApplicationDisplayName("digitlab")
    return app


def run_app(data_dir: str | None = None, threads: int | None = None) -> int:
    """Open the window and run the event loop until it closes; the process ends with it."""
    if data_dir:
        os.environ["DIGITLAB_DATA"] = str(Path(data_dir).expanduser().resolve())
    torch.set_num_threads(threads or GUI_TORCH_THREADS)
    app = _application()
    from digitlab.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    code = app.exec()
    # closeEvent has saved the settings and ended the trainer process. The interpreter's own
    # teardown of torch and Qt objects takes ~1.7 s more (measured) and is where Qt/Python exit
    # crashes happen, so run the exit handlers and leave now: the window closes in ~0.1 s.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# A "3" drawn as two arcs, in canvas pixels (280×280), for the demo state.
DEMO_STROKES = [
    [(92, 70), (120, 52), (160, 50), (190, 66), (196, 96), (180, 122), (150, 134), (130, 136)],
    [(150, 134), (184, 146), (200, 176), (194, 206), (166, 226), (126, 228), (92, 212)],
]


def save_screenshot(
    path: str | os.PathLike[str], size: tuple[int, int] = (1400, 860), data_dir: str | None = None
) -> Path:
    """Render the window offscreen with a digit drawn and a short 2-layer run done; save a PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if data_dir:
        os.environ["DIGITLAB_DATA"] = str(Path(data_dir).expanduser().resolve())
    torch.set_num_threads(GUI_TORCH_THREADS)
    app = _application()
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from digitlab.core.errors import DigitlabError
    from digitlab.ui.main_window import MainWindow

    settings = QSettings(str(Path(path).with_suffix(".ini")), QSettings.Format.IniFormat)
    settings.clear()
    window = MainWindow(settings=settings, initial_source="mlp")
    window.resize(*size)
    window.show()
    for stroke in DEMO_STROKES:
        window.drawing.canvas.add_stroke(stroke)
    window.training.set_hyperparameters({"hidden": 16, "layers": 2, "epochs": 1, "refresh": "time"})

    loop = QEventLoop()
    states: list[str] = []
    messages: list[str] = []
    window.training.status.connect(messages.append)

    def on_state(state: str) -> None:
        states.append(state)
        if state == "finished" or (state == "idle" and "loading" in states):
            loop.quit()  # done, or the dataset could not be loaded

    window.training.runStateChanged.connect(on_state)
    QTimer.singleShot(0, window.training.start)
    QTimer.singleShot(120_000, loop.quit)
    loop.exec()
    if not states or states[-1] != "finished":
        window.training.shutdown()
        raise DigitlabError(messages[-1] if messages else "the demo training run did not finish")
    # Let the last snapshot and the model load land, then one more frame.
    QTimer.singleShot(300, loop.quit)
    loop.exec()
    window.drawing.select_source("mlp")
    QTimer.singleShot(300, loop.quit)
    loop.exec()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(target)):
        raise DigitlabError(f"could not write {target}")
    window.training.shutdown()
    window.close()
    Path(settings.fileName()).unlink(missing_ok=True)
    app.processEvents()
    return target
