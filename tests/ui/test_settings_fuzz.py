"""Stored settings are untrusted: whatever a settings file holds, every view opens."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings

from digitlab.ui import settings as stored
from digitlab.ui.main_window import MainWindow
from digitlab.ui.views import VIEWS

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("spec", VIEWS, ids=lambda spec: spec.id)
def test_any_stored_view_settings_are_taken_or_dropped(qtbot, session, spec) -> None:
    view = spec.create(session)
    qtbot.addWidget(view)
    keys = sorted(view.view_settings()) or ["anything"]

    @FUZZ
    @given(values=st.dictionaries(st.sampled_from(keys), json_values))  # read_section: a dict
    def apply(values) -> None:
        view.apply_view_settings(values)
        json.dumps(view.view_settings(), allow_nan=False)  # what it stores next is valid JSON

    apply()


# --- the settings file itself: read only from a regular file; a store that cannot be saved is
# said once --------------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path):
    """QSettings' user and system folders pointed at tmp_path (restored afterwards)."""
    native, user, system = (QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                            QSettings.Scope.SystemScope)  # fmt: skip
    before = [Path(QSettings(native, scope, "p", "p").fileName()).parent.parent
              for scope in (user, system)]  # fmt: skip
    QSettings.setPath(native, user, str(tmp_path / "cfg"))
    QSettings.setPath(native, system, str(tmp_path / "etc"))
    yield tmp_path / "cfg"
    QSettings.setPath(native, user, str(before[0]))
    QSettings.setPath(native, system, str(before[1]))


def _opened_without_blocking(fifos: list[Path]):
    """open_settings() in a thread: if it blocks on a pipe, a writer unblocks it and the test
    fails rather than hangs."""
    opened: list = []
    thread = threading.Thread(target=lambda: opened.append(stored.open_settings()), daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        for fifo in fifos:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
        raise AssertionError("reading the settings blocked on a pipe")
    return opened[0]


@pytest.mark.parametrize("where", ["store", "organisation"])
def test_a_pipe_for_a_settings_file_is_never_read(config, where) -> None:
    (config / "digitlab").mkdir(parents=True)
    fifo = config / "digitlab" / "digitlab.conf" if where == "store" else config / "digitlab.conf"
    os.mkfifo(fifo)
    settings = _opened_without_blocking([fifo])
    problem = stored.save_problem(settings)
    assert problem and str(fifo) in problem and "remove it" in problem and "\n" not in problem
    settings.setValue("x", 1)  # the window still keeps settings while it runs
    assert stored.sync_problem(settings) is None and settings.value("x") in (1, "1")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # and the pipe is left alone


def test_a_huge_settings_file_is_not_read(config) -> None:
    """A sparse 4 GB file where the settings are: QSettings would read it whole on start (7 GB
    of memory, seconds deaf to Ctrl+C); it is left alone and the window keeps its settings."""
    (config / "digitlab").mkdir(parents=True)
    huge = config / "digitlab" / "digitlab.conf"
    with open(huge, "wb") as handle:
        handle.truncate(4 * 2**30)
    settings = stored.open_settings()
    problem = stored.save_problem(settings)
    assert problem and str(huge) in problem and "4,096 MB" in problem and "\n" not in problem
    settings.setValue("x", 1)
    assert stored.sync_problem(settings) is None and huge.stat().st_size == 4 * 2**30


def _folder_for_file(config: Path) -> Path:
    (config / "digitlab" / "digitlab.conf").mkdir(parents=True)
    return config / "digitlab" / "digitlab.conf"


def _config_is_a_file(config: Path) -> Path:
    config.parent.mkdir(exist_ok=True)
    config.write_text("not a folder")
    return config


@pytest.mark.parametrize(
    ("make", "words"),
    [(_folder_for_file, "is a folder"), (_config_is_a_file, "is a file, not a folder")],
    ids=["folder-for-the-file", "config-folder-is-a-file"],
)
def test_settings_that_cannot_be_kept_are_said_once_in_the_status_bar(
    qtbot, session, config, capsys, make, words
) -> None:
    culprit = make(config)
    settings = stored.open_settings()
    problem = stored.save_problem(settings)
    assert problem and str(culprit) in problem and words in problem
    shown: list[str] = []
    session.notices.posted.connect(lambda notice: shown.append(notice.text))
    window = MainWindow(session, settings)
    qtbot.addWidget(window)
    assert window.statusBar().currentMessage() == problem
    window.close()  # the save fails, as said: not said again
    assert shown == [problem] and capsys.readouterr().err == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes whatever the mode says")
@pytest.mark.parametrize("case", ["unreadable-file", "read-only-folder"])
def test_permissions_that_lose_the_settings_are_named(config, case) -> None:
    folder = config / "digitlab"
    folder.mkdir(parents=True)
    target = folder / "digitlab.conf"
    if case == "unreadable-file":
        target.write_text("[General]\nversion=2\n")
        target.chmod(0)
    else:
        folder.chmod(0o555)
    try:
        problem = stored.save_problem(stored.open_settings())
    finally:
        folder.chmod(0o755)
        if target.exists():
            target.chmod(0o644)
    assert problem and str(target if case == "unreadable-file" else folder) in problem


def test_a_save_that_fails_at_the_end_is_one_line_on_stderr(qtbot, session, config, capsys):
    """Fine at the start, failing at exit (the folder became a file meanwhile): one line, since
    the status bar is going."""
    settings = stored.open_settings()
    assert stored.save_problem(settings) is None
    window = MainWindow(session, settings)
    qtbot.addWidget(window)
    config.mkdir(parents=True, exist_ok=True)
    (config / "digitlab").write_text("in the way")
    window.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "digitlab: the settings cannot be saved in" in err
    assert str(config / "digitlab") in err and "Traceback" not in err


def test_a_read_only_settings_file_is_named_even_for_root(config, monkeypatch) -> None:
    """(root may write anything: the file's mode is what QSettings goes by, so it is what is
    checked; here os.access answers as it would for a user.)"""
    target = config / "digitlab" / "digitlab.conf"
    target.parent.mkdir(parents=True)
    target.write_text("[General]\nversion=2\n")
    real = os.access
    monkeypatch.setattr(stored.os, "access", lambda path, mode: real(path, mode) and (
        mode != os.W_OK or Path(path) != target))  # fmt: skip
    settings = stored.open_settings()
    problem = stored.save_problem(settings)
    assert problem and str(target) in problem and f"chmod u+w {target}" in problem
    assert settings.value("version") in (2, "2")  # still read
