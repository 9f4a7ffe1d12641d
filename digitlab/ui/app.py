"""Start the window: paint it first, then bring the plots and the model in behind it.

The window's process never imports torch: predictions are numpy, model files are safetensors,
training runs in a child process started when training is first wanted. So the window paints
within a second and the shipped model answers a moment later. Ctrl+C, SIGTERM and SIGHUP close
the window as Quit does (settings saved, trainer ended); the process then exits as a shell
reports a signal, 128 + its number (130 for Ctrl+C, 143 for SIGTERM, 129 for SIGHUP).
"""

from __future__ import annotations

import atexit
import linecache
import os
import signal
import socket
import sys
from pathlib import Path

from digitlab.ui.startup_probe import StartupProbe


def _application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("digitlab")
    app.setOrganizationName("digitlab")
    app.setApplicationDisplayName("digitlab")
    if app.platformName() == "offscreen":
        _quiet_offscreen_plugin()
    return app


def _quiet_offscreen_plugin() -> None:
    """The offscreen platform (`digitlab screenshot`, no screen) warns, a dozen times a picture,
    that it cannot do what only a window manager does ("This plugin does not support
    propagateSizeHints()"); drop those lines, print the rest as Qt would."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(kind, context, message: str) -> None:
        if not message.startswith("This plugin does not support"):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _route_signals(window) -> list[int]:
    """Python runs signal handlers only between bytecodes; a socket the signal writes to wakes
    the Qt loop so the handler runs at once even while the loop sits in C++. Returns the list
    the numbers of the signals that came are put in."""
    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, window)

    def drain() -> None:
        try:
            reader.recv(64)
        except OSError:
            pass

    notifier.activated.connect(drain)
    window._signal_sockets = (reader, writer, notifier)  # keep them alive with the window
    came: list[int] = []

    def close(number: int, _frame) -> None:
        came.append(number)
        window.close()

    for number in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if number is not None:
            signal.signal(number, close)
    return came


def run_app(data_dir: str | None = None, lesson: str | None = None) -> int:
    """Open the window (in a lesson, if named) and run the event loop until it closes; the
    process ends with it."""
    probe = StartupProbe()
    if data_dir:
        os.environ["DIGITLAB_DATA"] = str(Path(data_dir).expanduser().resolve())
    app = _application()
    from PySide6.QtCore import QEvent, QObject, QTimer

    from digitlab.core.remote import share_cores_with_trainer
    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.main_window import MainWindow
    from digitlab.ui.window_report import install_report

    share_cores_with_trainer()
    session = Session(QtDispatcher())
    window = MainWindow(session)

    class FirstPaint(QObject):
        """Builds the plot views once the window has been painted (and marks the moment)."""

        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                probe.mark("painted")
                QTimer.singleShot(0, build_rest)
            return False

    def build_rest() -> None:
        window.build_plot_views()
        if lesson is not None:
            from digitlab.session.lessons import find_lesson

            window.lessons.open(find_lesson(lesson))
        # PySide reads the source of every module imported after it (to look for
        # `from __feature__ import`); the lines it left in linecache are 17 MB nobody needs.
        linecache.clearcache()
        probe.mark("built")
        finish_probe()

    def answered(entry) -> None:
        if entry is not None:
            probe.mark("model")
            finish_probe()

    def finish_probe() -> None:
        if probe.active and probe.ready():
            QTimer.singleShot(
                int(probe.idle_s * 1000), lambda: (probe.report_memory(), window.close())
            )

    window.installEventFilter(FirstPaint(window))
    install_report(window)  # only for a real-window check (DIGITLAB_WINDOW_REPORT)
    signals = _route_signals(window)
    session.models.current_changed.connect(answered)
    session.start(window.remembered_model())
    window.show()
    code = app.exec()
    if signals:  # closed by Ctrl+C or a signal: say so in the exit status, as the README does
        code = 128 + signals[0]
    # closeEvent has saved the settings and ended the trainer process. The interpreter's own
    # teardown of Qt objects takes time and is where Qt/Python exit crashes happen, so run the
    # exit handlers and leave now.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
