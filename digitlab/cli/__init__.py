"""The `digitlab` command: no sub-command opens the window; the commands are listed in
`cli.commands` (one module and one line each).

Every user-facing failure (missing data, bad model file, unreadable image, bad argument, Ctrl+C)
ends in one clear line on stderr and a non-zero exit, never a traceback. This module needs only
argparse, so `digitlab --help` answers at once; each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from digitlab import __version__
from digitlab.cli.args import DATA_DIR_HELP, THREADS_HELP, threads
from digitlab.cli.commands import COMMANDS, Command, command
from digitlab.core.errors import DigitlabError

TYPE_CHECKING = False  # not `typing`'s: importing typing is a tenth of a bare `--help`
if TYPE_CHECKING:
    from typing import Any

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error instead of usage + error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        import re

        # argparse quotes a bad choice whole; a 5 KB argument is not echoed back whole
        message = re.sub(r"'([^']{40})[^']{8,}'", r"'\1…'", message)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _CommandParser(_Parser):
    """A command's parser, filled by its module (`add_arguments`) the first time it parses or
    shows its help: `digitlab --help` lists the commands without importing their modules."""

    def __init__(self, *args: Any, command: Command | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._command = command

    def _filled(self) -> None:
        if self._command is not None:
            command, self._command = self._command, None
            command.load().add_arguments(self)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._filled()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._filled()
        return super().format_help()

    def format_usage(self) -> str:
        self._filled()
        return super().format_usage()


def _data_dir_option() -> argparse.ArgumentParser:
    """--data-dir, taken before or after the command (`digitlab evaluate M --data-dir D`)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=DATA_DIR_HELP)
    return common


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: the top-level options, then each command of the registry."""
    parser = _Parser(
        prog="digitlab",
        description="A desktop lab for looking inside small neural networks on handwritten "
        "digits. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"digitlab {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=DATA_DIR_HELP)
    parser.add_argument("--threads", type=threads, metavar="N", help=THREADS_HELP)
    parser.add_argument(
        "--lesson",
        dest="window_lesson",
        metavar="NAME",
        help="open the window in a lesson (see digitlab lessons)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    for each in COMMANDS:
        parents = [_data_dir_option()] if each.data_dir else []
        commands.add_parser(each.name, help=each.help, parents=parents, command=each)
    return parser


# What a terminal that cannot show a character gets instead (cp1252, ASCII, …): "->", not a
# UnicodeEncodeError in the middle of a message.
ASCII_FALLBACKS = {
    "→": "->", "←": "<-", "×": "x", "−": "-", "–": "-", "—": "-", "±": "+/-", "…": "...",
    "°": " deg", "≤": "<=", "≥": ">=", "‖": "||", "σ": "sigma", "Δ": "d", "₁": "1", "₂": "2",
    "’": "'", "“": '"', "”": '"', "²": "^2", "³": "^3", "·": ".",
}  # fmt: skip


def _fallback(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler behind ASCII_FALLBACKS; other characters become \\uXXXX."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(ASCII_FALLBACKS.get(c, ascii(c)[1:-1]) for c in text), error.end


def _safe_streams() -> None:
    """Output that never fails on the terminal's encoding, and messages that never land in
    stdout: with stderr closed (`2>&-`) Python's sys.stderr is None, and print(file=None)
    writes to stdout, into the JSON stream; send them to the null device instead."""
    import codecs
    import os

    codecs.register_error("digitlab-ascii", _fallback)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if stream is not None and not encoding.startswith("utf"):
            try:
                stream.reconfigure(errors="digitlab-ascii")  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                pass


def main(argv: Sequence[str] | None = None) -> int:
    _safe_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"digitlab {args.command}" if args.command else "digitlab"
    if args.command and args.window_lesson is not None:
        parser.error("--lesson opens the window in a lesson: give it without a command")
    empty = _empty_name(args)
    if empty is not None:  # `--out "$UNSET"` meant a file; "" is read as the current folder
        print(f"{prog}: error: {empty} is empty: give a file or folder name", file=sys.stderr)
        return EXIT_USAGE
    try:
        return command(args.command).load().run(args)
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except DigitlabError as exc:
        print(one_line(f"{prog}: {exc}"), file=sys.stderr)
        return EXIT_FAILED
    except ValueError as exc:  # bad hyper-parameter combinations caught by the core
        print(one_line(f"{prog}: error: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `digitlab predict *.png | head -1`: the reader has had enough
        _silence_stdout()
        return EXIT_FAILED
    except OSError as exc:  # a file the user named, or the output, cannot be written or read
        where = exc.filename or "cannot write the output"
        print(one_line(f"{prog}: {where}: {exc.strerror or exc}"), file=sys.stderr)
        return EXIT_FAILED


# The arguments that name a file or folder, by their dest, as a message calls them.
NAMED_PATHS = {
    "model": "MODEL", "model_a": "A", "model_b": "B", "run": "RUN", "path": "PATH",
    "images": "--images", "out": "--out", "png": "--png", "history": "--history",
    "data_dir": "--data-dir",
}  # fmt: skip


def _empty_name(args: argparse.Namespace) -> str | None:
    """The first file or folder argument given as "" (predict "" read the current folder,
    evaluate --images "" scored MNIST instead), or None."""
    for dest, name in NAMED_PATHS.items():
        value = getattr(args, dest, None)
        if isinstance(value, list) and "" in value:  # predict's IMAGE…
            return "an IMAGE"
        if value == "":
            return name
    return None


MAX_MESSAGE = 1000  # characters: a 5 KB path or value is not echoed back whole


def one_line(text: str) -> str:
    """A message as one line of at most MAX_MESSAGE characters (a file name may hold a newline,
    a value may be pages long)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_MESSAGE else f"{flat[: MAX_MESSAGE - 1]}…"


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so Python's final flush of a closed pipe says nothing."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run() -> None:
    """The console script: `main`, then exit with no Ctrl+C traceback from the interpreter's own
    shutdown (torch's clean-up takes a moment, and a Ctrl+C then is not worth a traceback)."""
    # Ctrl+C (or `kill -INT`) ends any command with one line and 130, also when the process was
    # started with SIGINT ignored (a script's background job): Python would then ignore it too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = main()
    except KeyboardInterrupt:  # before a command started (e.g. while parsing arguments)
        print("\ndigitlab: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
