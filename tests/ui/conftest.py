"""UI fixtures: a session on the Qt event loop, training in-process on the tiny dataset.

The window's real trainer is a child process (tested in tests/core/test_remote.py and by the
main-window tests marked `own_trainer`); view tests train in-process through the same session
code, which keeps them fast and independent of torch start-up time.
"""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.ui.dispatch import QtDispatcher
from tests.session.conftest import tiny_cache


@pytest.fixture(autouse=True)
def collect_between_tests(qapp):
    """Collect the last test's windows here, between tests. Left to a random GC pass, PySide and
    pyqtgraph objects in reference cycles can be collected in the middle of building the next
    test's widgets, a known source of segfaults (pyqtgraph#1628, #2520).

    Collect once before Qt deletes the closed windows as well: a Python-owned object whose C++
    parent Qt has already deleted crashes when the collector frees it later.

    What survives is then frozen (`gc.freeze`): the next collection scans only the objects the
    next test makes, not the 400 000 that torch, numpy and pyqtgraph keep for good (0.2 s a
    pass otherwise, twice per test)."""
    yield
    gc.collect()
    qapp.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    qapp.processEvents()
    gc.freeze()


@pytest.fixture
def session(qapp):
    """A session whose background results arrive through the Qt event loop."""
    session = Session(QtDispatcher(), trainer_factory=lambda: LocalTrainer(tiny_cache()))
    yield session
    session.close()


@pytest.fixture
def loaded_session(session, qtbot):
    """The session with the shipped 2-layer model answering."""
    session.start("mlp")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    return session


def train(session: Session, qtbot, timeout: int = 30_000, **settings) -> None:
    """Run one training run to its end (in-process, tiny data)."""
    from digitlab.session.run import RunPhase
    from digitlab.session.run_settings import RunSettings

    defaults = dict(hidden=(16,), epochs=1, lr=1e-2, batch_size=32)
    session.run.set_settings(RunSettings(**{**defaults, **settings}))
    assert session.run.start()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=timeout)


def settings_file(tmp_path, name: str = "settings.ini"):
    """A private settings store in the test's folder (never the user's)."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / name), QSettings.Format.IniFormat)


def open_main_window(qtbot, session: Session, settings, size: tuple[int, int] = (1400, 860)):
    """The whole window on `session`, every view built, shown at `size`."""
    from digitlab.ui.main_window import MainWindow

    window = MainWindow(session, settings)
    qtbot.addWidget(window)
    window.resize(*size)
    window.build_plot_views()
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the default arrangement is applied once the window has its size
    return window


def show_widget(qtbot, widget, size: tuple[int, int]):
    """Show a view at a size and wait until it is on screen."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pytest_sessionfinish(session, exitstatus) -> None:
    """Give the frozen objects back to the collector before the interpreter exits, so extension
    modules see their objects freed (else nanobind reports torch's triton bindings as leaked)."""
    gc.unfreeze()
    gc.collect()


@pytest.fixture
def make_weights_view(qtbot):
    """A Weights view at the default window's size, shown and settled."""
    from digitlab.ui.views.weights import WeightsView
    from tests.ui.weights_helpers import DEFAULT_SIZE, settle

    def make(session, size=DEFAULT_SIZE, units="all"):
        """The view at `size`; every unit's tile ('all') unless `units` says 'top'."""
        view = WeightsView(session)
        view.show_combo.set_choice(units)
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        settle(qtbot, view)
        return view

    return make
