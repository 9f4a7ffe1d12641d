"""A real-window check: digitlab under Xvfb with a window manager, driven through the X server.

Offscreen Qt hides what only a real window shows (the window manager's frame, wheel events,
focus). For each screen size this starts Xvfb and openbox, opens digitlab, draws a digit with
mouse events, switches every workspace (Ctrl+1…7), scrolls the wheel over a settings field,
opens a lesson from the Lessons menu, starts it, drags the timeline back, records the window,
saves a screenshot at each stage and quits with Ctrl+Q.
It fails on a traceback, a title shown cut short, a window (frame included) outside the
screen, a wheel that changed a field, a drawing that did not arrive, or a lesson that did not
open. Needs: Xvfb, xdotool, openbox, ImageMagick's `import` (Debian: xvfb xdotool openbox
imagemagick, and Qt's xcb libraries).

    python .ci/real_window.py [--out DIR] [--sizes 1366x768,1024x640,1920x1080]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = ("Xvfb", "xdotool", "openbox", "import")
SIDE_BY_SIDE_SIZE = "1366x768"  # trains two nets: once is enough
WORKSPACES = ("draw", "train", "inside", "breaks", "experiments", "intervene", "compare")


class Failed(Exception):
    pass


class Desktop:
    """An X server with a window manager on a free display number."""

    def __init__(self, size: str, folder: Path) -> None:
        self.size, self.folder, self.processes = size, folder, []
        self.display = f":{_free_display()}"
        self.env = {**os.environ, "DISPLAY": self.display}
        self.env.pop("QT_QPA_PLATFORM", None)  # the real xcb platform

    def __enter__(self) -> Desktop:
        self._start(["Xvfb", self.display, "-screen", "0", f"{self.size}x24", "-nolisten", "tcp"])
        _until(lambda: self.x(["getdisplaygeometry"], check=False).returncode == 0, 10, "Xvfb")
        self._start(["openbox"])
        time.sleep(1.0)
        return self

    def __exit__(self, *_: object) -> None:
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()

    def _start(self, argv: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, **kwargs)  # fmt: skip
        self.processes.append(process)
        return process

    def x(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True,
                              check=check, timeout=30)  # fmt: skip

    def shoot(self, name: str) -> None:
        subprocess.run(["import", "-window", "root", str(self.folder / f"{self.size}-{name}.png")],
                       env=self.env, check=True, timeout=30)  # fmt: skip


def _free_display() -> int:
    for number in range(60, 99):
        taken = Path(f"/tmp/.X11-unix/X{number}"), Path(f"/tmp/.X{number}-lock")
        if not any(path.exists() for path in taken):
            return number
    raise Failed("no free X display number")


def _until(ready, seconds: float, what: str) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise Failed(f"timed out waiting for {what}")


def check_size(size: str, out: Path) -> list[str]:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as home, Desktop(size, out) as desk:
        report_file = Path(home) / "report.json"
        env = {**desk.env, "XDG_CONFIG_HOME": home, "HOME": home,
               "DIGITLAB_WINDOW_REPORT": str(report_file)}  # fmt: skip
        log = open(Path(home) / "stderr.txt", "w+")  # noqa: SIM115 - read back at the end
        app = subprocess.Popen([sys.executable, "-m", "digitlab"], env=env,
                               stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip

        def report() -> dict:
            try:
                return json.loads(report_file.read_text())
            except (OSError, ValueError):
                return {}

        def settle(seconds: float = 1.2) -> dict:
            time.sleep(seconds)  # two reports later
            return report()

        def inspect(stage: str, state: dict) -> None:
            desk.shoot(stage)
            screen, frame = state.get("screen"), state.get("frame")
            if screen and frame and not _inside(frame, screen):
                problems.append(f"{size} {stage}: the window {frame} is outside {screen}")
            for title in state.get("cut_titles", []):
                problems.append(f"{size} {stage}: the title {title!r} is cut short")

        try:
            _until(lambda: report().get("pad") is not None, 60, "the window and its pad")
            window = desk.x(["search", "--sync", "--name", "^digitlab$"]).stdout.split()[0]
            desk.x(["windowactivate", "--sync", window], check=False)
            state = settle()
            inspect("start", state)
            x, y, width, height = state["pad"]
            desk.x(["mousemove", str(x + width // 2), str(y + height // 5), "mousedown", "1"])
            for step in range(1, 31):  # a 1, top to bottom, in small moves
                desk.x(["mousemove", str(x + width // 2 - step), str(y + height // 5 + step * 5)])
            desk.x(["mouseup", "1"])
            state = settle()
            if not state.get("drawn"):
                problems.append(f"{size}: the drawing did not reach the session")
            inspect("drawn", state)
            for number, name in enumerate(WORKSPACES, start=1):
                desk.x(["key", f"ctrl+{number}"])
                try:  # a busy machine can hold the report back (the first Experiments visit
                    _until(lambda n=name: report().get("workspace") == n, 8, name)  # imports torch)
                except Failed:
                    pass  # said below, from the settled state
                state = settle()
                if state.get("workspace") != name:
                    problems.append(f"{size}: Ctrl+{number} showed {state.get('workspace')}")
                inspect(name, state)
                if name == "compare" and size == SIDE_BY_SIDE_SIZE:
                    problems += train_side_by_side(desk, settle, inspect, size)
                if name == "train" and state.get("lr_field"):
                    fx, fy, fw, fh = state["lr_field"]
                    before = state.get("lr")
                    desk.x(["mousemove", str(fx + fw // 2), str(fy + fh // 2)])
                    desk.x(["click", "--repeat", "3", "5"])  # the wheel, down
                    after = settle().get("lr")
                    if after != before:
                        problems.append(f"{size}: the wheel changed the learning rate "
                                        f"{before} → {after}")  # fmt: skip
            desk.x(["key", "alt+l"])  # the Lessons menu
            time.sleep(0.8)
            desk.x(["key", "Return"])  # its first lesson
            state = settle(2.0)
            if not state.get("lesson"):
                problems.append(f"{size}: the lesson did not open from the Lessons menu")
            inspect("lesson", state)
            problems += travel_in_time(desk, settle, inspect, Path(home), size)
            desk.x(["key", "ctrl+q"])
            app.wait(20)
        except (Failed, subprocess.SubprocessError, KeyError, IndexError, TypeError) as exc:
            problems.append(f"{size}: {type(exc).__name__}: {exc}")
            desk.shoot("failed")
        finally:
            if app.poll() is None:
                app.kill()
                app.wait(10)
            log.seek(0)
            errors = log.read()
            if "Traceback" in errors:
                problems.append(f"{size}: a traceback:\n{errors[-3000:]}")
    return problems


def train_side_by_side(desk: Desktop, settle, inspect, size: str) -> list[str]:
    """In the Compare workspace: B without a hidden layer (typed into its field), tick *Train B
    beside the run*, press Start with the mouse; both nets train and the view says where they
    disagree."""
    state = settle().get("compare") or {}
    if not all(state.get(name) for name in ("beside", "hidden", "start")):
        return [f"{size}: the A vs B controls or Start are not on screen: {state}"]

    def click(rect: list[int]) -> None:
        x, y, width, height = rect
        desk.x(["mousemove", str(x + width // 2), str(y + height // 2), "click", "1"])

    click(state["hidden"])
    desk.x(["key", "ctrl+a"])
    desk.x(["type", "0"])
    desk.x(["key", "Return"])
    click(state["beside"])
    time.sleep(0.5)
    click(state["start"])
    problems: list[str] = []
    try:
        _until(lambda: "right only in A" in (settle(0.5).get("compare") or {}).get("summary", "")
               and settle(0).get("compare", {}).get("b_phase") == "finished", 180,
               "both nets trained and compared")  # fmt: skip
    except Failed as exc:
        problems.append(f"{size}: side by side: {exc}")
    state = settle()
    if (state.get("compare") or {}).get("b_hidden") != []:
        problems.append(f"{size}: B's hidden layers typed as 0 became {state['compare']}")
    inspect("compare-trained", state)
    return problems


def travel_in_time(desk: Desktop, settle, inspect, home: Path, size: str) -> list[str]:
    """In the lesson (784→10, three steps a second): Start, drag the timeline's slider back
    with the mouse, and see the weights follow; then record the window live (Ctrl+R, Return,
    Ctrl+R to stop) and find the GIF in the home folder."""
    problems = []
    desk.x(["key", "space"])  # Start
    _until(lambda: ((settle(0.5).get("timeline") or {}).get("moments") or 0) >= 8, 30,
           "the run's first moments")  # fmt: skip
    state = settle(0.2)
    x, y, width, height = state["timeline"]["slider"]
    desk.x(["mousemove", str(x + width - 6), str(y + height // 2), "mousedown", "1"])
    for step in range(1, 31):  # to a quarter of the way, in small moves
        desk.x(["mousemove", str(x + width - 6 - step * (width * 3 // 4) // 30),
                str(y + height // 2)])  # fmt: skip
    desk.x(["mouseup", "1"])
    state = settle()
    timeline = state.get("timeline") or {}
    if timeline.get("live") or timeline.get("position", -1) >= timeline.get("moments", 0) // 2:
        problems.append(f"{size}: dragging the slider back did not move the timeline: {timeline}")
    elif timeline.get("weights_version") != timeline.get("answering_version"):
        problems.append(f"{size}: the weights view did not follow the timeline: {timeline}")
    inspect("timeline", state)
    desk.x(["key", "ctrl+r"])  # File → Record…: the whole window, live while the run goes
    time.sleep(1.0)
    desk.x(["key", "Return"])
    time.sleep(2.0)
    desk.x(["key", "ctrl+r"])  # stop: the file is written in the background
    target = home / "digitlab-window.gif"
    try:
        _until(target.exists, 30, "the recording's file")
    except Failed:
        problems.append(f"{size}: recording from the window wrote no {target.name}")
    return problems


def _inside(inner: list[int], outer: list[int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox and y >= oy and x + w <= ox + ow and y + h <= oy + oh


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="real-window", help="folder for the screenshots")
    parser.add_argument("--sizes", default="1366x768,1024x640,1920x1080")
    args = parser.parse_args()
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        print(f"real-window check: missing {', '.join(missing)} (apt-get install xvfb xdotool "
              "openbox imagemagick)", file=sys.stderr)  # fmt: skip
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    problems = []
    for size in args.sizes.split(","):
        found = check_size(size, out)
        print(f"real window {size}: {'ok' if not found else f'{len(found)} problem(s)'}")
        problems += found
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    print(f"screenshots in {out}/")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
