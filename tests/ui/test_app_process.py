"""The real `digitlab` process: it starts without torch, quits cleanly on Quit, SIGTERM or
Ctrl+C (settings saved, trainer gone), and `digitlab screenshot` renders without touching the
user's files."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digitlab.ui.startup_probe import children


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    env.update(extra)
    return env


def launch(tmp_path: Path, idle_s: float = 0.0) -> subprocess.Popen:
    env = environment(
        tmp_path, DIGITLAB_STARTUP_PROBE=str(time.time()), DIGITLAB_STARTUP_IDLE=str(idle_s)
    )
    return subprocess.Popen(
        [sys.executable, "-m", "digitlab"], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def milestones(process: subprocess.Popen, until: str, timeout: float = 60) -> dict[str, str]:
    seen: dict[str, str] = {}
    deadline = time.time() + timeout
    while until not in seen and time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        name, _, value = line.strip().partition(" ")
        seen[name] = value
    return seen


def test_the_window_starts_answers_and_quits_without_torch(tmp_path) -> None:
    process = launch(tmp_path)
    seen = milestones(process, "rss")
    assert process.wait(30) == 0, process.stderr.read()
    assert {"painted", "built", "model", "rss"} <= set(seen)
    assert float(seen["painted"]) < float(seen["built"])  # plots come after the first paint
    rss = seen["rss"].split()
    assert rss[2] == "0" and rss[4] == "1"  # no trainer process while idle
    assert "Traceback" not in process.stderr.read()
    assert (tmp_path / "cfg" / "digitlab" / "digitlab.conf").is_file()  # settings were saved


def test_no_torch_in_the_windows_process(tmp_path) -> None:
    """Even opening a digitlab 0.1 model file (a torch file) leaves torch out of the window."""
    import torch

    from digitlab.core.checkpoint import FORMAT, load_checkpoint
    from digitlab.core.resources import shipped_model_path

    network = load_checkpoint(shipped_model_path("linear")).network
    torch.save(
        {
            "format": FORMAT, "version": 1, "spec": {"hidden": [], "num_classes": 10},
            "state_dict": {"layers.0.weight": torch.from_numpy(network.weights[0].copy()),
                           "layers.0.bias": torch.from_numpy(network.biases[0].copy())},
            "meta": {},
        },
        tmp_path / "old.pt",
    )  # fmt: skip
    code = (
        "import sys, numpy as np\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtCore import QSettings\n"
        "app = QApplication([])\n"
        "from digitlab.session import Session\n"
        "from digitlab.ui.dispatch import QtDispatcher\n"
        "from digitlab.ui.main_window import MainWindow\n"
        "s = Session(QtDispatcher())\n"
        f"w = MainWindow(s, QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))\n"
        "w.build_plot_views(); w.show(); s.start('mlp')\n"
        "while s.models.current is None: app.processEvents()\n"
        "s.drawing.set_canvas(np.pad(np.full((100, 30), 255, np.uint8), 90))\n"
        f"s.models.open_file({str(tmp_path / 'old.pt')!r})\n"
        f"while s.models.current.key != {str(tmp_path / 'old.pt')!r}: app.processEvents()\n"
        "for _ in range(20): app.processEvents()\n"
        "assert s.prediction.probabilities is not None\n"
        "print(','.join(m for m in ('torch', 'torchvision') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=environment(tmp_path), capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_ctrl_c_closes_the_window_like_quit(tmp_path) -> None:
    """Closed as Quit does, with the exit status a shell gives a signal: 130 for Ctrl+C (the
    same handler takes SIGTERM and SIGHUP: see the next test)."""
    number = signal.SIGINT
    process = launch(tmp_path, idle_s=60)
    seen = milestones(process, "model")
    assert "model" in seen, process.stderr.read()
    process.send_signal(number)
    assert process.wait(10) == 128 + number
    assert "Traceback" not in process.stderr.read()
    assert (tmp_path / "cfg" / "digitlab" / "digitlab.conf").is_file()


def test_sigterm_and_sighup_are_routed_like_ctrl_c(qapp) -> None:
    """One real process per behaviour above; here, that every stop signal reaches it."""
    from PySide6.QtWidgets import QWidget

    from digitlab.ui.app import _route_signals

    window = QWidget()
    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        came = _route_signals(window)
        handlers = {signal.getsignal(n) for n in before}
        assert len(handlers) == 1 and handlers.pop() not in before.values()
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
        assert came == [signal.SIGTERM]
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(-1)


@pytest.mark.own_trainer
def test_killing_the_window_takes_its_trainer_with_it(tmp_path) -> None:
    """Whatever ends the window, its trainer process (hundreds of MB) must not outlive it."""
    code = (
        "import time\n"
        "from digitlab.session import QueueDispatcher, Session\n"
        "s = Session(QueueDispatcher()); s.run.prepare()\n"
        "print('ready', flush=True); time.sleep(120)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                               env=environment(tmp_path))  # fmt: skip
    assert process.stdout.readline().strip() == "ready"
    deadline = time.time() + 20
    while not children(process.pid) and time.time() < deadline:
        time.sleep(0.1)
    trainers = children(process.pid)
    assert trainers, "the trainer process was not started"
    process.kill()
    process.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(Path(f"/proc/{pid}").exists() for pid in trainers):
        time.sleep(0.1)
    alive = [pid for pid in trainers if Path(f"/proc/{pid}").exists()]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "the trainer outlived the window"


def test_screenshot_of_one_view_leaves_the_users_files_alone(tmp_path) -> None:
    lookalike = tmp_path / "shot.ini"  # 0.1 deleted a file of this name next to the picture
    lookalike.write_text("mine")
    out = subprocess.run(
        [sys.executable, "-m", "digitlab", "screenshot", str(tmp_path / "shot.png"), "--view",
         "prediction", "--size", "420x300", "--no-train"],
        env=environment(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    from PIL import Image

    assert Image.open(tmp_path / "shot.png").size == (420, 300)
    assert lookalike.read_text() == "mine"
    assert not (tmp_path / "cfg").exists()  # the user's settings were not even created


def test_screenshot_names_an_unknown_view(tmp_path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "digitlab", "screenshot", str(tmp_path / "x.png"), "--view",
         "nope"], env=environment(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2  # a bad argument
    assert "no view 'nope'" in out.stderr and "weights" in out.stderr


def test_a_pipe_for_the_settings_file_does_not_keep_the_window_from_painting(tmp_path) -> None:
    fifo = tmp_path / "cfg" / "digitlab" / "digitlab.conf"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    process = launch(tmp_path)  # it closes itself once it has painted and answered
    try:
        out, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:  # it blocked on the pipe: a writer frees it, then it goes
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert {"painted", "rss"} <= {line.split(" ")[0] for line in out.splitlines()}
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # left as it was
    assert "Traceback" not in err


def _wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_sigterm_stops_a_screenshot_and_leaves_nothing(tmp_path) -> None:
    """SIGTERM (Ctrl+C and a closed terminal take the same handler, next test): no picture,
    no temporary folder, one line, 143."""
    number = signal.SIGTERM
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "shot.png"
    process = subprocess.Popen(
        [sys.executable, "-m", "digitlab", "screenshot", str(out), "--no-train", "--size",
         "420x300"],
        env=environment(tmp_path, TMPDIR=str(temp)), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: any(temp.glob("digitlab-screenshot-*")) or process.poll() is not None,
                  "the screenshot to start")  # fmt: skip
        process.send_signal(number)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + number, err
    lines = [line for line in err.splitlines() if line.strip() and "propagateSizeHints" not in line]
    assert lines == ["digitlab screenshot: interrupted"], err
    assert not out.exists() and list(temp.iterdir()) == []


def test_every_stop_signal_stops_a_screenshot() -> None:
    from digitlab.ui.screenshot import STOP_SIGNALS, Interrupted, _stop_on_signals

    assert {signal.SIGINT, signal.SIGTERM, signal.SIGHUP} <= set(STOP_SIGNALS)
    for number in STOP_SIGNALS:
        with _stop_on_signals() as stop:
            signal.getsignal(number)(number, None)
            with pytest.raises(Interrupted) as stopped:
                stop.check()
        assert stopped.value.number == number
        assert signal.getsignal(number) is not stop.note  # put back
