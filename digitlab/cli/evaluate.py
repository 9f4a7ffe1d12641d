"""`digitlab evaluate`: test accuracy, per class, and the confusion matrix of a model file."""

from __future__ import annotations

import argparse

from digitlab.cli.args import MODEL_HELP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--png",
        metavar="PATH",
        help="also write the confusion matrix with each cell's most confident image as a PNG",
    )


def run(args: argparse.Namespace) -> int:
    import json

    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.data import load_dataset
    from digitlab.core.metrics import evaluate
    from digitlab.core.resources import resolve_model

    png = getattr(args, "png", None)
    if png:
        from digitlab.core.files import check_output_path

        check_output_path(png)  # an unwritable path fails now, before any work
    checkpoint = load_checkpoint(resolve_model(args.model))
    classes = checkpoint.classes
    subset = classes if classes != tuple(range(10)) else None
    dataset = load_dataset(checkpoint.dataset, root=args.data_dir, classes=subset)
    result = evaluate(checkpoint.network, dataset.test, classes)
    spec = checkpoint.spec
    if png:
        _write_png(png, checkpoint, dataset.test, result, str(args.model))
    if args.json:
        about = {
            "model": args.model,
            "dataset": checkpoint.dataset,
            "spec": {**spec.__dict__, "hidden": list(spec.hidden)},
            "meta": checkpoint.meta,
        }
        print(json.dumps({**about, **result.as_dict()}, allow_nan=False))
        return 0
    print(f"{args.model}: {spec.describe()} on {checkpoint.dataset} ({result.total} test images)")
    print(f"test accuracy {result.accuracy:.2%}\n")
    print("per class   " + "  ".join(f"{c:>6}" for c in classes))
    print("accuracy    " + "  ".join(f"{a:6.1%}" for a in result.per_class_accuracy))
    print("\nconfusion (rows: true class, columns: predicted)")
    print("      " + "".join(f"{c:>6}" for c in classes))
    for c, row in zip(classes, result.confusion):
        print(f"{c:>6}" + "".join(f"{v:>6}" for v in row))
    return 0


def _write_png(path: str, checkpoint, test, result, name: str) -> None:
    """The confusion matrix with each cell's most confident test image, as a PNG."""
    from pathlib import Path

    from digitlab.core.files import write_atomically
    from digitlab.core.metrics import predict_probabilities
    from digitlab.core.mistakes import top_per_cell
    from digitlab.ui.confusion_picture import confusion_png

    probabilities = predict_probabilities(checkpoint.network, test.images)
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities[range(len(predicted)), predicted]
    top = top_per_cell(test.labels, predicted, confidence, len(result.classes))
    title = f"{Path(name).name}: test accuracy {result.accuracy:.2%}"
    picture = confusion_png(
        result.confusion, result.per_class_accuracy, result.classes, test.images, top, title
    )
    write_atomically(path, picture)
