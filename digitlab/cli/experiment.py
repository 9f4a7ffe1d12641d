"""`digitlab experiment list` and `digitlab experiment run NAME`: the classic small-net
experiments from the terminal, each with its table, figure and conclusion."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from digitlab.cli.args import threads
from digitlab.cli.options import SEED_HELP, seed
from digitlab.cli.progress import ProgressLine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["list", "run"])
    parser.add_argument("name", nargs="?", metavar="NAME", help="the experiment to run")
    parser.add_argument("--quick", action="store_true", help="a smaller, faster version")
    parser.add_argument("--seed", type=seed, default=0, help=SEED_HELP)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", metavar="DIR", help="write result.json and figure.png here")
    parser.add_argument(
        "--threads", type=threads, default=1, metavar="N",
        help="torch threads (default 1: the nets are tiny, one thread is quickest)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from digitlab.core.experiments import EXPERIMENTS

    # A missing or unknown name is a bad argument: ValueError, which the CLI shows as one with
    # exit code 2.
    if args.action == "list":
        if args.name:
            raise ValueError(f"'experiment list' takes no name (got {args.name[:40]!r})")
        for experiment in EXPERIMENTS.values():
            print(f"{experiment.number:>2}  {experiment.name:<15} {experiment.question}")
        return 0
    if not args.name:
        raise ValueError("name the experiment to run (see digitlab experiment list)")
    if args.name not in EXPERIMENTS:
        raise ValueError(
            f"no experiment {args.name[:40]!r}; the experiments are {', '.join(EXPERIMENTS)}"
        )
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    import json

    from digitlab.core.experiments import EXPERIMENTS, Settings, run_experiment, table_lines
    from digitlab.core.files import check_output_folder, check_output_path

    out = Path(args.out) if args.out else None
    if out is not None:  # checked now; made by the first write, so a stopped run leaves none
        check_output_folder(args.out, "--out")
        check_output_path(out / "result.json", kind="json")
        check_output_path(out / "figure.png", kind="png")
    experiment = EXPERIMENTS[args.name]
    progress = ProgressLine(args.json)
    if getattr(args, "data_dir", None):  # where the experiments' MNIST subsets come from
        os.environ["DIGITLAB_DATA"] = str(Path(args.data_dir).expanduser().resolve())
    settings = Settings(quick=args.quick, seed=args.seed)
    result = run_experiment(args.name, settings, progress, threads=args.threads)
    progress.clear()
    written = _write(result, out) if out is not None else []
    if args.json:
        print(json.dumps({**result.as_dict(), "files": [str(p) for p in written]}))
        return 0
    print(f"{experiment.title}\n\nQuestion: {experiment.question}\nMethod: {experiment.method}\n")
    for table in result.tables:
        print("\n".join(table_lines(table)) + "\n")
    verdict = {True: "agrees", False: "disagrees", None: "mixed"}[result.agrees]
    print(f"Result ({verdict}): {result.conclusion}")
    mode = "quick" if args.quick else "full"
    print(f"({mode} run, seed {args.seed}, {result.seconds:.1f} s)")
    for path in written:
        print(f"wrote {path}")
    return 0


def _write(result, out: Path) -> list[Path]:
    """result.json and figure.png (offscreen, pyqtgraph's exporter), each written atomically."""

    from digitlab.core.experiments.storage import result_json
    from digitlab.core.files import write_atomically

    written = [write_atomically(out / "result.json", result_json(result))]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from digitlab.ui.app import _application
    from digitlab.ui.plots.experiment_figure import ExperimentFigure, figure_size
    from digitlab.ui.widgets.export import png_bytes, scene_picture

    app = _application()
    figure = ExperimentFigure()
    figure.resize(*figure_size(result))
    figure.show_result(result)
    figure.show()
    app.processEvents()
    try:
        written.append(write_atomically(out / "figure.png", png_bytes(scene_picture(figure))))
    finally:
        figure.close()
        figure.deleteLater()
        app.processEvents()
    return written
