"""`digitlab evaluate`: test accuracy, per class, and the confusion matrix of a model file, on
the test split or on a folder of the user's own digits (`--images DIR`), scored the same way."""

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
    parser.add_argument(
        "--images",
        metavar="DIR",
        help="score a folder of digit images instead of the test split (class subfolders 0-9, "
        "or a labels.csv of file,label); unreadable files are listed and skipped",
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

        check_output_path(png, kind="png")  # an unwritable path fails now, before any work
    checkpoint = load_checkpoint(resolve_model(args.model))
    classes = checkpoint.classes
    folder = getattr(args, "images", None)
    _refuse_for_pictures(checkpoint, args.model, folder, png)
    skipped: list[str] = []
    if folder:
        split, skipped = _folder_split(folder, classes)
        where, kind = folder, "images"
    else:
        subset = classes if classes != tuple(range(10)) else None
        split = load_dataset(checkpoint.dataset, root=args.data_dir, classes=subset).test
        where, kind = checkpoint.dataset, "test images"
    result = evaluate(checkpoint.network, split, classes)
    spec = checkpoint.spec
    if png:
        _write_png(png, checkpoint, split, result, str(args.model))
    if args.json:
        about = {
            "model": args.model,
            "dataset": checkpoint.dataset,
            "spec": {**spec.__dict__, "hidden": list(spec.hidden)},
            "meta": checkpoint.meta,
        }
        extra = {"images": folder, "skipped": skipped} if folder else {}
        print(json.dumps({**about, **extra, **result.as_dict()}, allow_nan=False))
        return 0
    print(f"{args.model}: {spec.describe()} on {where} ({result.total} {kind})")
    print(f"{'accuracy' if folder else 'test accuracy'} {result.accuracy:.2%}\n")
    names = checkpoint.label_names  # '0'…'9', or 'airplane'… for CIFAR-10
    w = max(6, *(len(n) for n in names))
    print("per class   " + "  ".join(f"{c:>{w}}" for c in names))
    print("accuracy    " + "  ".join(f"{a:{w}.1%}" for a in result.per_class_accuracy))
    print("\nconfusion (rows: true class, columns: predicted)")
    print(" " * w + "".join(f"{c:>{w}}" for c in names))
    for c, row in zip(names, result.confusion):
        print(f"{c:>{w}}" + "".join(f"{v:>{w}}" for v in row))
    return 0


def _refuse_for_pictures(checkpoint, name: str, folder: str | None, png: str | None) -> None:
    """A CIFAR-10 model is scored on its test split only: a folder of digits means nothing to it,
    and the confusion picture draws 28×28 digits."""
    from digitlab.core.choices import DATASET_LABELS
    from digitlab.core.errors import DigitlabError

    if not checkpoint.is_colour:
        return
    label = DATASET_LABELS[checkpoint.dataset]
    if folder:
        raise DigitlabError(
            f"{name} is a {label} model: it reads 32×32 colour pictures, not a folder of digits; "
            f"evaluate it without --images (on the {label} test split)"
        )
    if png:
        raise DigitlabError(
            f"--png draws digit models' confusion with their digits; {name} is a {label} model "
            f"(its confusion is printed, and shown in the window)"
        )


def _folder_split(folder: str, classes: tuple[int, ...]):
    """The folder's digits as a split whose labels index `classes`, and the skipped files (each
    also said on stderr, one line); a digit the model has no output for is refused."""
    import sys

    import numpy as np

    from digitlab.cli import one_line
    from digitlab.core.data import Split
    from digitlab.core.errors import DigitlabError
    from digitlab.core.metrics import output_indices
    from digitlab.core.my_digits import load_folder

    loaded = load_folder(folder)
    skipped = [one_line(str(each)) for each in loaded.skipped]
    for line in skipped:
        print(f"digitlab evaluate: skipped {line}", file=sys.stderr)
    foreign = sorted(set(loaded.labels.tolist()) - set(classes))
    if foreign:
        path = loaded.paths[int(np.flatnonzero(loaded.labels == foreign[0])[0])]
        raise DigitlabError(
            f"{path} is labelled {foreign[0]}, a digit the model does not know (its classes: "
            f"{' '.join(map(str, classes))})"
        )
    if not len(loaded):
        raise DigitlabError(f"{folder} holds no readable digit images")
    return Split(loaded.images, output_indices(loaded.labels, classes)), skipped


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
