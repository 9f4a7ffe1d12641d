"""`digitlab compare A B`: two models on the same test digits, side by side, and whether the
difference between them is more than chance (`core.compare`)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from digitlab.cli.args import MODEL_HELP

if TYPE_CHECKING:  # the module imports nothing heavy at its top (`digitlab --help`)
    from digitlab.core.compare import Comparison

SIGNIFICANT = 0.05  # the p-value below which the sentence calls a difference real


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_a", metavar="A", help=MODEL_HELP)
    parser.add_argument("model_b", metavar="B", help="the model to compare it with (as A)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def meaning(result: Comparison, a: str, b: str) -> str:
    """One sentence on what McNemar's p says about these two models."""
    p = result.test.p_value
    if result.a_only == result.b_only:
        return f"{a} and {b} each get the same number of digits the other misses: no difference."
    better, worse = (a, b) if result.a_only > result.b_only else (b, a)
    chance = (f"if both were equally good, the flipped digits would split this unevenly or worse "
              f"with probability {p:.2g}")  # fmt: skip
    if p < SIGNIFICANT:
        return f"p < {SIGNIFICANT:g}: {better} is really more accurate than {worse}; {chance}."
    return f"p ≥ {SIGNIFICANT:g}: no real difference shown; {chance}."


def run(args: argparse.Namespace) -> int:
    import json

    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.compare import check_comparable, compare
    from digitlab.core.data import load_dataset
    from digitlab.core.resources import resolve_model

    a, b = args.model_a, args.model_b
    first = load_checkpoint(resolve_model(a))
    second = load_checkpoint(resolve_model(b))
    check_comparable(first, second, (a, b))  # before the data is read
    classes = first.classes
    test = load_dataset(first.dataset, root=args.data_dir).test  # digit labels: compare maps them
    result = compare(first.network, second.network, test.images, test.labels, classes)
    if args.json:
        about = {
            "a": {"model": a, "spec": first.spec.describe()},
            "b": {"model": b, "spec": second.spec.describe()},
            "dataset": first.dataset,
        }
        print(json.dumps({**about, **result.as_dict()}, allow_nan=False))
        return 0
    print(f"A = {a}: {first.spec.describe()}")
    print(f"B = {b}: {second.spec.describe()}")
    print(f"on the {first.dataset} test set ({result.samples} images)\n")
    width = max(7, *(len(str(c)) + 1 for c in classes))  # "100.0%" and a gap
    print("accuracy     all" + "".join(f"{c:>{width}}" for c in classes))
    for name, overall, per in (("A", result.accuracy_a, result.per_class_a),
                               ("B", result.accuracy_b, result.per_class_b)):  # fmt: skip
        print(f"{name:<7}{overall:>9.2%}" + "".join(_percent(v, width) for v in per))
    print("\nflipped digits, right in one and wrong in the other (per true class)")
    for name, total, per in (("A only", result.a_only, result.a_only_per_class),
                             ("B only", result.b_only, result.b_only_per_class)):  # fmt: skip
        print(f"{name:<7}{total:>9}" + "".join(f"{v:>{width}}" for v in per))
    print(f"\nagreement (same answer, right or wrong): {result.agreement:.2%}")
    test_name = "exact binomial" if result.test.method == "exact" else "chi-square, corrected"
    print(f"McNemar's test ({test_name}): statistic {result.test.statistic:.3g}, "
          f"p = {result.test.p_value:.3g}")  # fmt: skip
    print(meaning(result, "A", "B"))
    return 0


def _percent(value: float, width: int) -> str:
    """A class's accuracy in a column; '–' for a class without test digits."""
    return f"{'–':>{width}}" if value != value else f"{value:>{width}.1%}"
