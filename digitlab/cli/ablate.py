"""`digitlab ablate`: switch each unit of a hidden layer off alone and see what the net loses,
overall and per digit (`core.ablation`)."""

from __future__ import annotations

import argparse

from digitlab.cli.args import MODEL_HELP, whole

SHOWN_CLASSES = 3  # per unit, the digits it matters most for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument(
        "--layer", type=whole(1, what="the layer"), metavar="N",
        help="the hidden layer, 1 = the first (default: the last, next to the outputs)",
    )  # fmt: skip
    parser.add_argument(
        "--top", type=whole(1, what="--top"), default=20, metavar="K",
        help="how many units to show, largest drop first (default: 20)",
    )  # fmt: skip
    parser.add_argument(
        "--json", action="store_true", help="print the whole table (every unit) as one JSON object"
    )


def _points(fraction: float) -> str:
    """A drop of accuracy in percentage points: '0.83 pp' (negative: a gain)."""
    return f"{100 * fraction:.2f} pp"


def run(args: argparse.Namespace) -> int:
    import json

    from digitlab.core.ablation import ablation_table, layer_problem
    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.data import load_dataset
    from digitlab.core.resources import resolve_model

    checkpoint = load_checkpoint(resolve_model(args.model))
    hidden = len(checkpoint.spec.hidden)
    layer = hidden - 1 if args.layer is None else args.layer - 1  # counted from 1 by users
    problem = layer_problem(hidden, layer)
    if problem:  # before the data is read
        raise ValueError(f"{args.model} {problem}")
    dataset = load_dataset(checkpoint.dataset, root=args.data_dir)  # labels are digits 0–9
    test = dataset.test
    table = ablation_table(checkpoint.network, test.images, test.labels, checkpoint.classes, layer)
    ordered = table.sorted_by_drop()
    if args.json:
        about = {"model": args.model, "dataset": checkpoint.dataset,
                 "spec": checkpoint.spec.describe()}  # fmt: skip
        print(json.dumps({**about, **ordered.as_dict()}, allow_nan=False))
        return 0
    units = len(table)
    print(f"{args.model}: {checkpoint.spec.describe()}, hidden layer {layer + 1} ({units} units), "
          f"on the {checkpoint.dataset} test set ({table.samples} images)")  # fmt: skip
    print(f"accuracy with every unit on: {table.intact_accuracy:.2%}")
    shown = min(args.top, units)
    more = "; --top K for more" if shown < units else ""
    print(f"each unit switched off alone, largest drop first ({shown} of {units}{more}):\n")
    print(f"{'unit':>6}  {'accuracy':>9}  {'drop':>10}  matters most for (digit: its drop)")
    for row in range(shown):
        hurt = ordered.hurts_most(row, SHOWN_CLASSES)
        digits = ", ".join(f"{digit}: {_points(drop)}" for digit, drop in hurt) or "–"
        print(f"{ordered.units[row]:>6}  {ordered.accuracy[row]:>9.2%}  "
              f"{_points(ordered.drop[row]):>10}  {digits}")  # fmt: skip
    harmless = int((table.drop == 0).sum())
    better = int((table.drop < 0).sum())
    print(f"\nswitched off alone, {harmless} of {units} units leave the accuracy as it is "
          f"and {better} raise it")  # fmt: skip
    return 0
