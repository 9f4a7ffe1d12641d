"""`digitlab robustness`: accuracy of models on the test set under shift, scale, rotation, pen and
noise, with the window's preprocessing on and off (and its Normalise pen step on, off or both);
tables on stdout, figures with --png."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitlab.cli import args as types
from digitlab.cli.progress import ProgressLine
from digitlab.core.choices import plural
from digitlab.core.errors import DigitlabError

# The headline: the conditions a drawn digit meets on the pad (and the robust model's targets).
HEADLINE = (
    ("rot −30°", "rotation", -30.0),
    ("rot +30°", "rotation", 30.0),
    ("pen −1", "pen", -1.0),
    ("pen +1", "pen", 1.0),
    ("pen +2", "pen", 2.0),
    ("scale 0.5", "scale", 0.5),
    ("scale 1.5", "scale", 1.5),
    ("noise 0.2", "noise", 0.2),
)


def model_path(name: str) -> Path:
    """A model file, or the name of a shipped model (robust, mlp, linear)."""
    from digitlab.core.resources import resolve_model

    return resolve_model(name)


def _percent(value: float) -> str:
    return "     –" if value != value else f"{100 * value:6.1f}"


def _print_tables(result, dataset: str = "mnist", pen: str = "on") -> None:
    from digitlab.core.choices import DATASET_LABELS
    from digitlab.core.conditions import Condition

    names = result.models
    width = max(12, *(len(n) + 6 for n in names))
    settings = [(p, "" if p else " raw") for p in result.preprocessing]
    kinds = {c.kind for c in result.conditions}
    pen_text = {"on": "with Normalise pen", "off": "without Normalise pen",
                "both": "with Normalise pen unless 'pen off'"}[pen]  # fmt: skip
    print(f"accuracy % on the {DATASET_LABELS[dataset]} test set ({result.samples} images); "
          f"preprocessing on ({pen_text}) unless 'raw'\n")  # fmt: skip
    shown = [h for h in HEADLINE if h[1] in kinds]
    clean = next(c for c in result.conditions if c.is_clean)
    if shown or "shift" in kinds:
        print(f"{'model':<{width}}{'clean':>10}" + "".join(f"{h[0]:>10}" for h in shown)
              + (f"{'shift ±6':>10}" if "shift" in kinds else ""))  # fmt: skip
        for m, name in enumerate(names):
            for preprocess, suffix in settings:
                row = [result.value(m, preprocess, clean)]
                row += [result.value(m, preprocess, Condition(k, v)) for _, k, v in shown]
                worst = ""
                if "shift" in kinds:
                    worst = _percent(float(min(result.shift_grid(m, preprocess)[1].ravel())))
                cells = "".join(f"{_percent(v):>10}" for v in row)
                print(f"{name + suffix:<{width}}{cells}{worst:>10}")
        print("(shift ±6: the worst cell of the shift grid)\n")
    for kind in ("rotation", "scale", "pen", "noise"):
        if kind not in kinds:
            continue
        values = result.curve(0, result.preprocessing[0], kind)[0]
        print(f"{kind:<{width}}" + "".join(f"{v:>7g}" for v in values))
        for m, name in enumerate(names):
            for preprocess, suffix in settings:
                accuracy = result.curve(m, preprocess, kind)[1]
                print(f"{name + suffix:<{width}}" + "".join(f"{_percent(a):>7}" for a in accuracy))
        print()
    if "shift" in kinds:
        for m, name in enumerate(names):
            for preprocess, suffix in settings:
                values, grid = result.shift_grid(m, preprocess)
                print(f"shift: {name}{suffix} (rows dy, columns dx, MNIST px)")
                print("      " + "".join(f"{v:>+7g}" for v in values))
                for dy, row in zip(values, grid):
                    print(f"{dy:>+6g}" + "".join(f"{_percent(a):>7}" for a in row))
                print()


def write_figures(result, folder: Path) -> list[Path]:
    """One PNG per model: every model's curves and that model's shift heatmaps."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from digitlab.core.files import write_atomically
    from digitlab.ui.app import _application
    from digitlab.ui.plots.robustness_figure import RobustnessFigure
    from digitlab.ui.widgets.export import png_bytes, scene_picture

    app = _application()  # the folder is made by the first write: none is left empty
    figure = RobustnessFigure()
    figure.resize(1000, 900)
    figure.show()
    written = []
    try:
        for m, name in enumerate(result.models):
            figure.set_result(result, heatmap_model=m)
            app.processEvents()
            stem = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
            target = folder / f"robustness-{stem}.png"
            written.append(write_atomically(target, png_bytes(scene_picture(figure))))
    finally:
        figure.close()
        figure.deleteLater()
        app.processEvents()
    return written


def _one_dataset(datasets: dict[str, str]) -> str:
    """The dataset every model was trained on (its test set is the one swept); models of
    different datasets cannot share one sweep."""
    if len(datasets) > 1:
        from digitlab.core.choices import DATASET_LABELS

        each = ", ".join(f"{stem} on {DATASET_LABELS.get(d, d)}" for d, stem in datasets.items())
        raise DigitlabError(
            f"the models were trained on different datasets ({each}): sweep them separately"
        )
    return next(iter(datasets))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "models", nargs="+", metavar="MODEL", help="model files, or robust / mlp / linear (shipped)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--png", metavar="DIR", help="write the figures (one per model) here")
    parser.add_argument(
        "--kinds",
        type=types.kinds,
        default=["shift", "scale", "rotation", "pen", "noise"],
        metavar="K,K…",
        help="perturbations: shift,scale,rotation,pen,noise (default: all)",
    )
    parser.add_argument(
        "--preprocessing", choices=["both", "on", "off"], default="both",
        help="the window's MNIST preprocessing after the perturbation (default: both)",
    )  # fmt: skip
    parser.add_argument(
        "--normalise-pen", choices=["on", "off", "both"], default="on",
        help="the preprocessing's Normalise pen step: on (as the window), off, or both (each "
        "model twice, the second named 'MODEL pen off')",
    )  # fmt: skip
    parser.add_argument(
        "--limit", type=types.positive_int, metavar="N", help="the first N test images only"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress line")


def run(args: argparse.Namespace) -> int:
    import json

    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.conditions import PEN_CHOICES, pen_subjects
    from digitlab.core.data import load_dataset
    from digitlab.core.robustness import default_conditions, sweep

    if args.png:  # a path that cannot take the figures fails now, before the sweep
        from digitlab.core.files import check_output_folder

        check_output_folder(args.png, "--png")
    paths = [model_path(name) for name in args.models]
    pens = PEN_CHOICES[args.normalise_pen]
    subjects, stems, datasets = [], [], {}
    for path in paths:
        checkpoint = load_checkpoint(path)
        stem = path.stem if path.stem not in stems else str(path)
        stems.append(stem)
        subjects += pen_subjects(stem, checkpoint.network, checkpoint.classes, pens)
        datasets.setdefault(checkpoint.dataset, stem)
    dataset = _one_dataset(datasets)
    test = load_dataset(dataset, root=args.data_dir, download_missing=True).test
    count = min(args.limit or len(test), len(test))
    preprocessing = {"both": (True, False), "on": (True,), "off": (False,)}[args.preprocessing]
    conditions = default_conditions(args.kinds)  # the names were checked when parsing
    progress = ProgressLine(args.quiet or args.json)
    result = sweep(
        subjects, test.images[:count], test.labels[:count], conditions, preprocessing,
        progress=progress,
    )  # fmt: skip
    progress.clear()
    figures = write_figures(result, Path(args.png)) if args.png else []
    if args.json:
        pen = {subject.name: subject.normalise_pen for subject in subjects}
        print(json.dumps({**result.as_dict(), "dataset": dataset, "normalise_pen": pen,
                          "figures": [str(f) for f in figures]}))  # fmt: skip
        return 0
    _print_tables(result, dataset, args.normalise_pen)
    print(f"{plural(len(conditions), 'condition')} × {plural(len(preprocessing), 'setting')} × "
          f"{plural(count, 'image')} in {result.seconds:.1f} s")  # fmt: skip
    for figure in figures:
        print(f"wrote {figure}")
    return 0
