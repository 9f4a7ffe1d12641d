"""The `digitlab` command: no sub-command opens the window; train / evaluate / predict / screenshot.

Every user-facing failure (missing data, bad model file, unreadable image, bad argument) ends in
one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from digitlab import __version__
from digitlab.core.errors import DigitlabError

if TYPE_CHECKING:
    import numpy as np

    from digitlab.core.training import Snapshot

EXIT_USAGE = 2
EXIT_FAILED = 1


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error instead of usage + error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _hidden_sizes(text: str) -> tuple[int, ...]:
    """'100' → (100,), '100,50' → (100, 50), '0' / 'none' / '' → () (the 1-layer net)."""
    if text.strip().lower() in ("", "0", "none"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        msg = f"hidden sizes are numbers like 100 or 100,50: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"hidden sizes must be positive: {text!r}")
    return sizes


def _classes(text: str) -> tuple[int, ...] | None:
    from digitlab.core.data import parse_classes

    try:
        return parse_classes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _number(minimum: float, strict: bool):
    """An argparse type for floats above (strict) or at least `minimum`."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (value > minimum if strict else value >= minimum):
            raise argparse.ArgumentTypeError(
                f"must be {'above' if strict else 'at least'} {minimum:g}: {text!r}"
            )
        return value

    return parse


_positive_float = _number(0.0, strict=True)
_non_negative_float = _number(0.0, strict=False)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from digitlab.core.data import DATASETS
    from digitlab.core.model import ACTIVATIONS
    from digitlab.core.training import OPTIMIZERS, SCHEDULES

    parser = _Parser(
        prog="digitlab",
        description="A desktop lab for looking inside small neural networks on handwritten "
        "digits. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"digitlab {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="dataset folder (default: $DIGITLAB_DATA, else cache)"
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        metavar="N",
        help="torch CPU threads (default: all cores for the CLI, 1 beside the window)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = commands.add_parser("train", help="train a model and save it")
    train.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=(100,),
        metavar="H[,H…]",
        help="hidden layer sizes; 0 gives the 1-layer 784→10 net (default: 100)",
    )
    train.add_argument("--activation", choices=list(ACTIVATIONS), default="relu")
    train.add_argument("--epochs", type=_positive_int, default=3)
    train.add_argument(
        "--lr", type=_positive_float, help="learning rate (default: 1e-3 adam, 0.1 sgd)"
    )
    train.add_argument("--batch-size", type=_positive_int, default=64)
    train.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="constant",
        help="learning-rate schedule; cosine decays it to 0 by the last step",
    )
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    train.add_argument("--momentum", type=_non_negative_float, default=0.9, help="for sgd")
    train.add_argument("--weight-decay", type=_non_negative_float, default=0.0, help="L2")
    train.add_argument("--l1", type=_non_negative_float, default=0.0, help="L1 penalty on weights")
    train.add_argument(
        "--classes", type=_classes, metavar="C,C…", help="class subset, e.g. 0,1 (default: all)"
    )
    train.add_argument(
        "--augment", action="store_true", help="random shift/scale/rotation/pen per image"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--dataset", choices=sorted(DATASETS), default="mnist")
    train.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="cpu")
    train.add_argument("--out", required=True, metavar="PATH", help="where to write the model")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    evaluate = commands.add_parser("evaluate", help="test accuracy, per class, confusion matrix")
    evaluate.add_argument("model", metavar="MODEL", help="a model file (.pt)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")

    predict = commands.add_parser("predict", help="classify image files (one JSON line each)")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument("--model", metavar="PATH", help="default: the shipped 2-layer model")
    predict.add_argument("--no-fit", action="store_true", help="skip the 20 px box fitting")
    predict.add_argument("--no-centre", action="store_true", help="skip centring by mass")

    shot = commands.add_parser("screenshot", help="render the window in a demo state to a PNG")
    shot.add_argument("path", metavar="PATH")
    shot.add_argument("--size", default="1400x860", metavar="WxH")
    return parser


def _resolve_device(name: str) -> str:
    import torch

    if name != "auto":
        if name == "cuda" and not torch.cuda.is_available():
            raise DigitlabError("--device cuda: no CUDA device is available")
        if name == "mps" and not torch.backends.mps.is_available():
            raise DigitlabError("--device mps: no Apple GPU is available")
        return name
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


class _ProgressBar:
    """One line on stderr, redrawn at most 10×/s; plain lines per epoch when not a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.tty = quiet, sys.stderr.isatty()
        self.last = 0.0

    def update(self, snap: Snapshot) -> None:
        if self.quiet:
            return
        ended = snap.status != "running"
        if self.tty and (ended or time.perf_counter() - self.last >= 0.1):
            self.last = time.perf_counter()
            width = 24
            filled = int(width * snap.progress)
            rate = snap.samples_seen / snap.elapsed_s if snap.elapsed_s else 0.0
            eta = (snap.total_samples - snap.samples_seen) / rate if rate else 0.0
            line = (
                f"\repoch {snap.epoch + 1}/{snap.epochs} [{'#' * filled}{'.' * (width - filled)}] "
                f"{snap.progress:4.0%}  loss {snap.loss:.3f}  acc {snap.accuracy:6.2%}  "
                f"{rate / 1000:5.1f}k samples/s  ETA {eta:4.0f}s"
            )
            sys.stderr.write(line)
            sys.stderr.flush()
        if ended and snap.test_accuracy is not None:
            prefix = "\n" if self.tty else ""
            sys.stderr.write(
                f"{prefix}epoch {snap.epoch + 1}/{snap.epochs}: loss {snap.loss:.4f}  "
                f"test accuracy {snap.test_accuracy:.2%}\n"
            )


def _check_writable(path: Path) -> None:
    """Fail before training, not after, when the model could not be written."""
    from digitlab.core.errors import CheckpointError

    if path.is_dir():
        raise CheckpointError(f"--out {path} is a folder; give a file name such as {path}/m.pt")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise CheckpointError(f"cannot write the model to {folder}: {exc.strerror}") from None


def cmd_train(args: argparse.Namespace) -> int:
    from digitlab.core.data import load_dataset
    from digitlab.core.model import ModelSpec, new_model, save_checkpoint
    from digitlab.core.training import DEFAULT_LR, TrainConfig, train

    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    _check_writable(Path(args.out))
    device = _resolve_device(args.device)
    dataset = load_dataset(args.dataset, root=args.data_dir, classes=args.classes)
    spec = ModelSpec(
        hidden=args.hidden, activation=args.activation, num_classes=dataset.num_classes
    )
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=lr,
        optimizer=args.optimizer,
        momentum=args.momentum,
        weight_decay=args.weight_decay,
        l1=args.l1,
        seed=args.seed,
        augment=args.augment,
        schedule=args.schedule,
        snapshot_seconds=0.1,
        device=device,
    )
    model = new_model(spec, seed=args.seed)
    print(
        f"training {spec.describe()} on {args.dataset} "
        f"({len(dataset.train)} train / {len(dataset.test)} test images, classes "
        f"{','.join(map(str, dataset.classes))}) with {args.optimizer} lr {lr:g}, "
        f"batch {args.batch_size}, {args.epochs} epochs, seed {args.seed}, device {device}",
        file=sys.stderr,
    )
    bar = _ProgressBar(args.quiet)
    last = None
    started = time.perf_counter()
    try:
        for last in train(model, dataset, config):
            bar.update(last)
    except KeyboardInterrupt:
        print("\ninterrupted: no model written", file=sys.stderr)
        return 130
    wall = time.perf_counter() - started
    if last is None or last.status == "diverged":
        print(
            f"digitlab train: {last.message if last else 'no training step ran'}", file=sys.stderr
        )
        print("no model written", file=sys.stderr)
        return EXIT_FAILED
    meta = {
        "dataset": args.dataset,
        "classes": list(dataset.classes),
        "preprocessing": "mnist",
        "epochs": args.epochs,
        "test_accuracy": last.test_accuracy,
        "train": {
            "optimizer": args.optimizer,
            "lr": lr,
            "batch_size": args.batch_size,
            "momentum": args.momentum,
            "weight_decay": args.weight_decay,
            "l1": args.l1,
            "augment": args.augment,
            "schedule": args.schedule,
            "seed": args.seed,
        },
        "command": "digitlab " + " ".join(sys.argv[1:]),
    }
    path = save_checkpoint(args.out, model, meta)
    print(
        f"test accuracy {last.test_accuracy:.2%} after {args.epochs} "
        f"epoch{'s' if args.epochs != 1 else ''} "
        f"({wall:.1f} s, {last.samples_seen / max(last.elapsed_s, 1e-9):,.0f} samples/s); "
        f"wrote {path}"
    )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from digitlab.core.data import load_dataset
    from digitlab.core.metrics import evaluate
    from digitlab.core.model import load_checkpoint

    checkpoint = load_checkpoint(args.model)
    name = checkpoint.meta.get("dataset", "mnist")
    classes = checkpoint.classes
    dataset = load_dataset(name, root=args.data_dir, classes=classes)
    result = evaluate(checkpoint.model, dataset.test, classes)
    if args.json:
        spec = checkpoint.model.spec
        about = {
            "model": args.model,
            "dataset": name,
            "spec": spec.__dict__,
            "meta": checkpoint.meta,
        }
        print(json.dumps({**about, **result.as_dict()}, default=list))
        return 0
    print(
        f"{args.model}: {checkpoint.model.spec.describe()} on {name} ({result.total} test images)"
    )
    print(f"test accuracy {result.accuracy:.2%}\n")
    print("per class   " + "  ".join(f"{c:>6}" for c in classes))
    print("accuracy    " + "  ".join(f"{a:6.1%}" for a in result.per_class_accuracy))
    print("\nconfusion (rows: true class, columns: predicted)")
    print("      " + "".join(f"{c:>6}" for c in classes))
    for c, row in zip(classes, result.confusion):
        print(f"{c:>6}" + "".join(f"{v:>6}" for v in row))
    return 0


def read_image(path: str) -> np.ndarray:
    """An image file as a 2-D uint8 array; ImageError if it cannot be read."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    from digitlab.core.errors import ImageError

    try:
        with Image.open(path) as image:
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                # transparent background → composite onto white, so ink stays ink
                background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(background, image.convert("RGBA"))
            return np.asarray(image.convert("L"))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{path}: cannot read image ({exc})") from None


def cmd_predict(args: argparse.Namespace) -> int:
    import torch

    from digitlab.core.model import load_checkpoint
    from digitlab.core.preprocess import PreprocessOptions, to_mnist
    from digitlab.core.resources import shipped_model_path

    checkpoint = load_checkpoint(args.model or shipped_model_path("mlp"))
    options = PreprocessOptions(fit=not args.no_fit, centre=not args.no_centre)
    classes = checkpoint.classes
    failures = 0
    for path in args.images:
        try:
            pixels = to_mnist(read_image(path), options)
        except DigitlabError as exc:
            print(f"digitlab predict: {exc}", file=sys.stderr)
            failures += 1
            continue
        probs = checkpoint.model.probabilities(torch.from_numpy(pixels)[None])[0]
        answer = {
            "file": path,
            "digit": int(classes[int(probs.argmax())]),
            "probs": [round(float(p), 6) for p in probs],
        }
        if classes != tuple(range(10)):
            answer["classes"] = list(classes)
        print(json.dumps(answer), flush=True)
    if failures:
        print(f"digitlab predict: {failures} of {len(args.images)} files failed", file=sys.stderr)
    return EXIT_FAILED if failures else 0


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise DigitlabError(f"--size must look like 1400x860, got {text!r}") from None
    return width, height


def cmd_screenshot(args: argparse.Namespace) -> int:
    from digitlab.ui.app import save_screenshot

    path = save_screenshot(args.path, _size(args.size), data_dir=args.data_dir)
    print(f"wrote {path}")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from digitlab.ui.app import run_app

    return run_app(data_dir=args.data_dir, threads=args.threads)


COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "screenshot": cmd_screenshot,
    None: cmd_app,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.threads and args.command is not None:
        import torch

        torch.set_num_threads(args.threads)
    prog = f"digitlab {args.command}" if args.command else "digitlab"
    try:
        return COMMANDS[args.command](args)
    except DigitlabError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ValueError as exc:  # bad hyper-parameter combinations caught by the core
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a file the user named cannot be written or read
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_FAILED
