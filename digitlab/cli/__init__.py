"""The `digitlab` command: no sub-command opens the window; train / evaluate / probe / robustness /
predict / screenshot.

Every user-facing failure (missing data, bad model file, unreadable image, bad argument, Ctrl+C)
ends in one clear line on stderr and a non-zero exit, never a traceback. This module needs only
argparse, so `digitlab --help` answers at once; each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence

from digitlab import __version__
from digitlab.cli import args as types
from digitlab.core.choices import (
    ACTIVATIONS,
    AUGMENT_NAMES,
    DATASETS,
    LIMITS,
    MAX_THREADS,
    OPTIMIZERS,
    SCHEDULES,
    describe_augment,
)
from digitlab.core.errors import DigitlabError

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


MODEL_HELP = "a model file, or a shipped model: robust, mlp or linear"
DATA_DIR_HELP = "dataset folder (default: $DIGITLAB_DATA, else the user cache)"
THREADS_HELP = f"torch CPU threads for train, 1 to {MAX_THREADS} (default: all cores)"
SEED_HELP = f"0 to {LIMITS['seed'][1]:.0f}, as in the window (default: 0)"


def _data_dir_option() -> argparse.ArgumentParser:
    """--data-dir, taken before or after the command (`digitlab evaluate M --data-dir D`)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=DATA_DIR_HELP)
    return common


def _add_train(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser(
        "train", help="train a model and save it", parents=[_data_dir_option()]
    )
    train.add_argument(
        "--threads", type=types.threads, metavar="N", default=argparse.SUPPRESS,
        help=THREADS_HELP,
    )  # fmt: skip
    train.add_argument(
        "--hidden",
        type=types.hidden_sizes,
        default=(100,),
        metavar="H[,H…]",
        help="hidden layer sizes; 0 gives the 1-layer 784→10 net (default: 100)",
    )
    train.add_argument("--activation", choices=ACTIVATIONS, default="relu")
    train.add_argument(
        "--epochs", type=types.epochs, default=3, help=f"1 to {LIMITS['epochs'][1]:g} (default: 3)"
    )
    train.add_argument(
        "--lr", type=types.learning_rate, help="learning rate (default: 1e-3 adam, 0.1 sgd)"
    )
    train.add_argument(
        "--batch-size", type=types.batch_size, default=64,
        help=f"1 to {LIMITS['batch_size'][1]:g} (default: 64)",
    )  # fmt: skip
    train.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="constant",
        help="learning-rate schedule; cosine decays it to 0 by the last step",
    )
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    train.add_argument(
        "--momentum", type=types.momentum, default=0.9,
        help=f"for sgd: 0 to {LIMITS['momentum'][1]:g} (default: 0.9)",
    )  # fmt: skip
    train.add_argument(
        "--weight-decay", type=types.weight_decay, default=0.0,
        help=f"L2 penalty, 0 to {LIMITS['weight_decay'][1]:g} (default: 0)",
    )  # fmt: skip
    train.add_argument(
        "--l1", type=types.l1, default=0.0,
        help=f"L1 penalty on the weights, 0 to {LIMITS['l1'][1]:g} (default: 0)",
    )  # fmt: skip
    train.add_argument(
        "--classes",
        type=types.classes,
        metavar="C,C…",
        help="class subset: 0,1 or 0-4 (default: all)",
    )
    train.add_argument(
        "--augment",
        nargs="?",
        const="light",
        default="",
        choices=AUGMENT_NAMES,
        help="random shift/scale/rotation/pen per image: light (the default when named: "
        f"{describe_augment('light')}) or robust ({describe_augment('robust')})",
    )
    train.add_argument("--seed", type=types.seed, default=0, help=SEED_HELP)
    train.add_argument("--dataset", choices=sorted(DATASETS), default="mnist")
    train.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="cpu")
    train.add_argument(
        "--out", required=True, metavar="PATH", help="where to write the model (.safetensors)"
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="digitlab",
        description="A desktop lab for looking inside small neural networks on handwritten "
        "digits. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"digitlab {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=DATA_DIR_HELP)
    parser.add_argument("--threads", type=types.threads, metavar="N", help=THREADS_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_train(commands)

    evaluate = commands.add_parser(
        "evaluate", help="test accuracy, per class, confusion matrix", parents=[_data_dir_option()]
    )
    evaluate.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument(
        "--png",
        metavar="PATH",
        help="also write the confusion matrix with each cell's most confident image as a PNG",
    )

    probe = commands.add_parser(
        "probe",
        help="a linear probe per layer: how readable the digit is at each depth",
        parents=[_data_dir_option()],
    )
    probe.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    probe.add_argument("--json", action="store_true", help="print one JSON object")

    robust = commands.add_parser(
        "robustness",
        help="accuracy under shift, scale, rotation, pen and noise (tables; figures with --png)",
        parents=[_data_dir_option()],
    )
    robust.add_argument(
        "models", nargs="+", metavar="MODEL", help="model files, or robust / mlp / linear (shipped)"
    )
    robust.add_argument("--json", action="store_true", help="print one JSON object")
    robust.add_argument("--png", metavar="DIR", help="write the figures (one per model) here")
    robust.add_argument(
        "--kinds",
        type=types.kinds,
        default=["shift", "scale", "rotation", "pen", "noise"],
        metavar="K,K…",
        help="perturbations: shift,scale,rotation,pen,noise (default: all)",
    )
    robust.add_argument(
        "--preprocessing", choices=["both", "on", "off"], default="both",
        help="the window's MNIST preprocessing after the perturbation (default: both)",
    )  # fmt: skip
    robust.add_argument(
        "--limit", type=types.positive_int, metavar="N", help="the first N test images only"
    )
    robust.add_argument("--quiet", action="store_true", help="no progress line")

    experiment = commands.add_parser(
        "experiment",
        help="the classic small-net experiments: list, or run one",
        parents=[_data_dir_option()],
    )
    experiment.add_argument("action", choices=["list", "run"])
    experiment.add_argument("name", nargs="?", metavar="NAME", help="the experiment to run")
    experiment.add_argument("--quick", action="store_true", help="a smaller, faster version")
    experiment.add_argument("--seed", type=types.seed, default=0, help=SEED_HELP)
    experiment.add_argument("--json", action="store_true", help="print one JSON object")
    experiment.add_argument("--out", metavar="DIR", help="write result.json and figure.png here")
    experiment.add_argument(
        "--threads", type=types.threads, default=1, metavar="N",
        help="torch threads (default 1: the nets are tiny, one thread is quickest)",
    )  # fmt: skip

    predict = commands.add_parser("predict", help="classify image files (one JSON line each)")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument("--model", metavar="MODEL", help=f"{MODEL_HELP} (default: robust)")
    predict.add_argument("--no-fit", action="store_true", help="skip the 20 px box fitting")
    predict.add_argument("--no-centre", action="store_true", help="skip centring by mass")

    shot = commands.add_parser(
        "screenshot",
        help="render the window (or one view) in a demo state to a PNG",
        parents=[_data_dir_option()],
    )
    shot.add_argument("path", metavar="PATH", nargs="?", help="the picture file to write (.png)")
    shot.add_argument("--size", type=types.window_size, default=(1400, 860), metavar="WxH")
    shot.add_argument("--view", metavar="ID", help="render one view alone (see --list-views)")
    shot.add_argument("--list-views", action="store_true", help="print the view ids and exit")
    shot.add_argument(
        "--no-train", action="store_true", help="skip the short demo run (needs no MNIST)"
    )
    return parser


def _command(name: str | None) -> Callable[[argparse.Namespace], int]:
    """The function behind a sub-command, imported only when it runs."""
    if name == "train":
        from digitlab.cli.train import cmd_train

        return cmd_train
    if name == "evaluate":
        from digitlab.cli.evaluate import cmd_evaluate

        return cmd_evaluate
    if name == "probe":
        from digitlab.cli.probe import cmd_probe

        return cmd_probe
    if name == "robustness":
        from digitlab.cli.robustness import cmd_robustness

        return cmd_robustness
    if name == "experiment":
        from digitlab.cli.experiment import cmd_experiment

        return cmd_experiment
    if name == "predict":
        from digitlab.cli.predict import cmd_predict

        return cmd_predict
    from digitlab.cli.window import cmd_app, cmd_screenshot

    return cmd_screenshot if name == "screenshot" else cmd_app


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
    try:
        if args.threads and args.command == "train":
            import torch

            torch.set_num_threads(args.threads)
        return _command(args.command)(args)
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
    try:
        code = main()
    except KeyboardInterrupt:  # before a command started (e.g. while parsing arguments)
        print("\ndigitlab: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
