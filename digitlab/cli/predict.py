"""`digitlab predict`: classify image files, one JSON line each, without importing torch."""

from __future__ import annotations

import argparse
import sys

from digitlab.cli import one_line
from digitlab.cli.args import MODEL_HELP


def _say(text: str) -> None:
    """One line per problem on stderr, whatever the file's name holds (newlines too)."""
    print(one_line(f"digitlab predict: {text}"), file=sys.stderr)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument("--model", metavar="MODEL", help=f"{MODEL_HELP} (default: robust)")
    parser.add_argument("--no-fit", action="store_true", help="skip the 20 px box fitting")
    parser.add_argument("--no-centre", action="store_true", help="skip centring by mass")
    parser.add_argument(
        "--normalise-pen",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="bring a stroke much thinner or thicker than MNIST's toward its width (default: on, "
        "as in the window; the robust model was trained through it)",
    )


def run(args: argparse.Namespace) -> int:
    import json

    import numpy as np

    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.choices import plural
    from digitlab.core.errors import DigitlabError
    from digitlab.core.images import read_image
    from digitlab.core.pen_width import expects_normalised_pen
    from digitlab.core.preprocess import PreprocessOptions, to_mnist
    from digitlab.core.resources import resolve_model

    checkpoint = load_checkpoint(resolve_model(args.model))
    if checkpoint.is_colour:
        return _predict_pictures(checkpoint, args.images)
    options = PreprocessOptions(
        fit=not args.no_fit, centre=not args.no_centre, normalise_pen=args.normalise_pen
    )
    if not args.normalise_pen and expects_normalised_pen(checkpoint.meta):
        _say("note: this model was trained with Normalise pen on; without it, thin and thick "
             "pens are read less well")  # fmt: skip
    classes = checkpoint.classes
    failures = empty = 0
    for path in args.images:
        try:
            pixels = to_mnist(read_image(path), options)
        except DigitlabError as exc:
            _say(str(exc))
            failures += 1
            continue
        answer: dict = {"file": path}
        if not pixels.any():
            empty += 1
            answer.update(empty=True, digit=None, probs=None)
            _say(f"{path} has no ink (a blank image): no answer")
        else:
            probs = checkpoint.network.probabilities(pixels[None])[0]
            if not np.isfinite(probs).all():  # the loader refuses such models; never print NaN
                _say(f"{path}: the model's outputs are not finite numbers (its weights are out "
                     "of range)")  # fmt: skip
                failures += 1
                continue
            answer.update(
                digit=int(classes[int(probs.argmax())]),
                probs=[round(float(p), 6) for p in probs],
            )
        if classes != tuple(range(10)):
            answer["classes"] = list(classes)
        print(json.dumps(answer, allow_nan=False), flush=True)
    if failures or empty:
        parts = [f"{failures} unreadable"] * bool(failures) + [f"{empty} blank"] * bool(empty)
        _say(f"{' and '.join(parts)} of {plural(len(args.images), 'file')}")
    return 1 if failures or empty else 0


def _predict_pictures(checkpoint, paths: list[str]) -> int:
    """A CIFAR-10 model's answers: each file read as a 32×32 colour picture (no digit
    preprocessing), one JSON line with the class name and the probabilities."""
    import json

    from digitlab.core.choices import plural
    from digitlab.core.errors import DigitlabError
    from digitlab.core.picture import read_picture

    names, failures = checkpoint.label_names, 0
    for path in paths:
        try:
            pixels = read_picture(path)
        except DigitlabError as exc:
            _say(str(exc))
            failures += 1
            continue
        probs = checkpoint.network.probabilities(pixels[None])[0]
        answer = {"file": path, "class": names[int(probs.argmax())],
                  "probs": [round(float(p), 6) for p in probs], "classes": list(names)}  # fmt: skip
        print(json.dumps(answer, allow_nan=False), flush=True)
    if failures:
        _say(f"{failures} unreadable of {plural(len(paths), 'file')}")
    return 1 if failures else 0
