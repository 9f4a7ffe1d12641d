"""`digitlab probe`: how well a linear read-out finds the digit in each layer of a model."""

from __future__ import annotations

import argparse
import sys

from digitlab.cli.args import MODEL_HELP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    import json

    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.data import load_dataset
    from digitlab.core.probes import probe_layers
    from digitlab.core.resources import resolve_model

    checkpoint = load_checkpoint(resolve_model(args.model))
    classes = checkpoint.classes
    subset = classes if classes != tuple(range(10)) else None
    data = load_dataset(checkpoint.dataset, root=args.data_dir, classes=subset)

    def progress(fraction: float, text: str) -> None:
        if not args.json and sys.stderr.isatty():
            sys.stderr.write(f"\r{text:<24} {fraction:4.0%}")
            sys.stderr.flush()

    results = probe_layers(
        checkpoint.network, data.train.images, data.train.labels, data.test.images,
        data.test.labels, progress=progress,
    )  # fmt: skip
    if not args.json and sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 32 + "\r")
    if args.json:
        rows = [r.__dict__ for r in results]
        about = {"model": args.model, "spec": checkpoint.spec.describe()}
        print(json.dumps({**about, "probes": rows}, allow_nan=False))
        return 0
    print(f"{args.model}: {checkpoint.spec.describe()}, a softmax probe per layer "
          f"({len(data.train):,} train / {len(data.test):,} test images)")  # fmt: skip
    print(f"{'layer':<10} {'features':>8} {'train':>8} {'test':>8}")
    for r in results:
        print(f"{r.layer:<10} {r.features:>8} {r.train_accuracy:>8.2%} {r.test_accuracy:>8.2%}")
    return 0
