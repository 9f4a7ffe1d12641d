"""`digitlab train`: train a net from the terminal with a progress bar, then save it."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from digitlab.cli.args import THREADS_HELP, threads
from digitlab.cli.options import add_options
from digitlab.core.choices import plural
from digitlab.core.errors import DigitlabError
from digitlab.core.hyperparams import CLI_OPTIONS, train_config

if TYPE_CHECKING:
    from digitlab.core.protocol import Snapshot

BAR_WIDTH = 24
HISTORY_MOMENTS = 200  # a run's history: snapshots spread over it (the memory cap thins more)


class ProgressBar:
    """One line on stderr, redrawn at most 10×/s; plain lines per epoch when not a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.tty = quiet, sys.stderr.isatty()
        self.last = 0.0

    def update(self, snap: Snapshot) -> None:
        if self.quiet:
            return
        ended = snap.status.evaluated or snap.status.finished  # an epoch's end or the run's
        if self.tty and (ended or time.perf_counter() - self.last >= 0.1):
            self.last = time.perf_counter()
            filled = int(BAR_WIDTH * snap.progress)
            rate = snap.samples_seen / snap.elapsed_s if snap.elapsed_s else 0.0
            eta = (snap.total_samples - snap.samples_seen) / rate if rate else 0.0
            line = (
                f"\repoch {snap.epoch + 1}/{snap.epochs} "
                f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
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


class RunRecorder:
    """The run's history as it trains: the start, every snapshot (thinned within the history's
    memory cap, epoch ends kept), and the curves of every snapshot, unthinned."""

    def __init__(self, spec, start) -> None:
        from digitlab.session.history import HistoryEntry, SnapshotHistory

        self.spec, self.history = spec, SnapshotHistory()
        self.train_rows: list[tuple[float, float, float]] = []
        self.test_rows: list[tuple[float, float]] = []
        nan = float("nan")
        self.history.add(HistoryEntry(0, 0, 0.0, nan, nan, None, start))

    def add(self, snap: Snapshot) -> None:
        from digitlab.session.history import HistoryEntry

        epoch = snap.samples_seen / snap.train_size if snap.train_size else 0.0
        self.train_rows.append((epoch, snap.loss, snap.accuracy))
        if snap.status.evaluated and snap.test_accuracy is not None:
            self.test_rows.append((epoch, snap.test_accuracy))
        self.history.add(HistoryEntry(snap.step, snap.samples_seen, epoch, snap.loss,
                                      snap.accuracy, snap.test_accuracy,
                                      snap.network(self.spec), snap.status.evaluated))  # fmt: skip

    def save(self, path: str, classes, settings: dict) -> None:
        import numpy as np

        from digitlab.core.run_file import save_run
        from digitlab.session.history import as_run_file

        train = np.array(self.train_rows, float).reshape(-1, 3)
        test = np.array(self.test_rows, float).reshape(-1, 2)
        save_run(path, as_run_file(self.history, self.spec, tuple(classes), settings, train, test))


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


SMALL_NET_WEIGHTS = 4_000_000


def default_threads(spec) -> int:  # noqa: ANN001 - a core.network.ModelSpec (imported lazily)
    """One torch thread for the nets this lab trains: at batch 64 a step's products are too
    small to share, and on a 2-core machine a second thread spent its time waiting (784→100→10:
    117 000 samples/s with one, 14 000 with two while another program ran). Large nets use every
    core."""
    import os

    return 1 if spec.parameter_count < SMALL_NET_WEIGHTS else max(1, os.cpu_count() or 1)


def _check_apart(out: str, history: str) -> None:
    """--out and --history must be two files: the history written second would replace the
    model, and the run would still say it wrote both."""
    import os

    same = os.path.realpath(out) == os.path.realpath(history)
    try:
        same = same or os.path.samefile(out, history)  # two names of one file (a hard link)
    except OSError:  # one of them is not there yet
        pass
    if same:
        raise DigitlabError(
            f"--out and --history both name {history}: the history would replace the model; "
            "give the history a name of its own, such as run.safetensors"
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--threads, one option per hyper-parameter of the table, --out and --quiet."""
    parser.add_argument(
        "--threads", type=threads, metavar="N", default=argparse.SUPPRESS, help=THREADS_HELP
    )
    add_options(parser, CLI_OPTIONS)
    parser.add_argument(
        "--out", required=True, metavar="PATH", help="where to write the model (.safetensors)"
    )
    parser.add_argument(
        "--history",
        metavar="RUN",
        help="also write the run's history (.safetensors): the weights at the start, at every "
        "epoch end and at thinned moments between (at most 64 MB), the curves and the settings",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Train, showing progress, and save the model with what trained it."""
    import torch

    from digitlab.core.checkpoint import save_checkpoint
    from digitlab.core.choices import DATASET_LABELS, DEFAULT_LR, input_size, is_colour
    from digitlab.core.data import load_dataset
    from digitlab.core.errors import DigitlabError
    from digitlab.core.files import check_output_path
    from digitlab.core.memory import check_trainable
    from digitlab.core.model import new_model, to_network
    from digitlab.core.network import ModelSpec
    from digitlab.core.pen_width import pen_meta
    from digitlab.core.protocol import SnapshotStatus
    from digitlab.core.training import train

    inputs = input_size(args.dataset)
    spec = ModelSpec(args.hidden, input_size=inputs)
    torch.set_num_threads(args.threads or default_threads(spec))
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    check_output_path(args.out, kind="model")
    if args.history:
        check_output_path(args.history, kind="run")
        _check_apart(args.out, args.history)
    if is_colour(args.dataset) and args.augment:
        raise DigitlabError(
            f"--augment distorts 28×28 digits; {DATASET_LABELS[args.dataset]} trains without it"
        )
    check_trainable(ModelSpec(args.hidden, args.activation, input_size=inputs), args.batch_size)
    device = _resolve_device(args.device)
    dataset = load_dataset(args.dataset, root=args.data_dir, classes=args.classes)
    spec = ModelSpec(
        hidden=args.hidden,
        activation=args.activation,
        num_classes=dataset.num_classes,
        input_size=inputs,
    )
    config = train_config(vars(args), lr=lr, device=device, snapshot_seconds=0.1)
    if args.history:  # about HISTORY_MOMENTS moments spread over the run, however fast it goes
        steps = args.epochs * -(-len(dataset.train) // args.batch_size)
        config = replace(config, snapshot_every=max(1, steps // HISTORY_MOMENTS))
    model = new_model(spec, seed=args.seed)
    print(
        f"training {spec.describe()} on {args.dataset} "
        f"({len(dataset.train)} train / {len(dataset.test)} test images, classes "
        f"{','.join(dataset.label_names)}) with {args.optimizer} lr {lr:g}, "
        f"batch {args.batch_size}, {plural(args.epochs, 'epoch')}, seed {args.seed}, "
        f"device {device}",
        file=sys.stderr,
    )
    bar = ProgressBar(args.quiet)
    recorder = RunRecorder(spec, to_network(model)) if args.history else None
    last = None
    started = time.perf_counter()
    try:
        for last in train(model, dataset, config):
            bar.update(last)
            if recorder is not None:
                recorder.add(last)
    except KeyboardInterrupt:
        print("\ndigitlab train: interrupted; no model written", file=sys.stderr)
        return 130
    wall = time.perf_counter() - started
    if last is None or last.status is SnapshotStatus.DIVERGED:
        reason = last.message if last else "no training step ran"
        print(f"digitlab train: {reason}; no model written", file=sys.stderr)
        return 1
    meta = {
        "dataset": args.dataset,
        "classes": list(dataset.classes),
        "image_shape": list(dataset.image_shape),
        "class_names": list(dataset.label_names),
        "preprocessing": "none" if is_colour(args.dataset) else "mnist",
        "epochs": args.epochs,
        "test_accuracy": last.test_accuracy,
        "train": config.recorded(),
        "command": "digitlab " + " ".join(sys.argv[1:]),
        **pen_meta(args.augment),
    }
    try:
        path = save_checkpoint(args.out, to_network(model), meta)
        if recorder is not None:
            recorder.save(args.history, dataset.classes, meta)
    except KeyboardInterrupt:  # the writes are atomic: the old files (if any) are still whole
        print(f"\ndigitlab train: interrupted while saving; {args.out} untouched", file=sys.stderr)
        return 130
    print(
        f"test accuracy {last.test_accuracy:.2%} after {plural(args.epochs, 'epoch')} "
        f"({wall:.1f} s, {last.samples_seen / max(last.elapsed_s, 1e-9):,.0f} samples/s); "
        f"wrote {path}" + (f" and its history {args.history}" if args.history else "")
    )
    return 0
