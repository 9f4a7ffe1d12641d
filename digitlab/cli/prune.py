"""`digitlab prune`: zero the smallest weights of a model, optionally retrain the rest with the
pruned ones held at zero, and save it: how much of a net does the work (`core.pruning`)."""

from __future__ import annotations

import argparse
import sys

from digitlab.cli.args import MODEL_HELP, number, whole
from digitlab.cli.options import seed
from digitlab.core.hyperparams import HYPERPARAMS

MAX_EPOCHS = int(HYPERPARAMS["epochs"].bounds[1])  # type: ignore[index]
RETRAIN_LR = 1e-3  # Adam's usual rate; the net is already trained, so no larger


def fraction(text: str) -> float:
    """An argparse type: the core's check, so the message is the same everywhere."""
    from digitlab.core.pruning import check_fraction

    try:
        return check_fraction(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument(
        "--fraction", type=fraction, required=True, metavar="F",
        help="share of the weights to zero, the smallest first: 0 to below 1 (0.9: nine in ten)",
    )  # fmt: skip
    parser.add_argument(
        "--scope", choices=("layer", "global"), default="layer",
        help="layer: that share of each layer; global: the smallest of the whole net, wherever "
        "they are (default: layer)",
    )  # fmt: skip
    parser.add_argument(
        "--retrain", type=whole(0, MAX_EPOCHS, "--retrain epochs"), default=0, metavar="EPOCHS",
        help="then train the weights left for this many epochs, the pruned ones held at zero "
        "(default: 0, no retraining)",
    )  # fmt: skip
    parser.add_argument(
        "--lr", type=number(0.0, strict=True, maximum=1.0, what="the learning rate"),
        default=RETRAIN_LR, metavar="LR", help=f"Adam's learning rate when retraining "
        f"(default: {RETRAIN_LR:g})",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=seed, default=0, metavar="N",
        help="the order of the images when retraining (default: 0)",
    )  # fmt: skip
    parser.add_argument(
        "--out", required=True, metavar="PATH", help="where to write the pruned model"
    )


def _retrain(args, pruned, masks, dataset):
    """The pruned net trained `args.retrain` epochs with its masks; None when it diverged."""
    from digitlab.core.model import from_network, to_network
    from digitlab.core.protocol import SnapshotStatus, TrainConfig
    from digitlab.core.training import train

    if getattr(args, "threads", None):
        import torch

        torch.set_num_threads(args.threads)
    config = TrainConfig(epochs=args.retrain, lr=args.lr, seed=args.seed, snapshot_seconds=1.0)
    model = from_network(pruned)
    last = None
    for last in train(model, dataset, config, masks=masks):
        if last.status.evaluated:
            print(f"retrain epoch {last.epoch + 1}/{last.epochs}: "
                  f"test accuracy {last.test_accuracy:.2%}", file=sys.stderr)  # fmt: skip
    if last is None or last.status is SnapshotStatus.DIVERGED:
        print(f"digitlab prune: {last.message if last else 'no step ran'}; no model written",
              file=sys.stderr)  # fmt: skip
        return None, config
    return to_network(model), config


def _in_model_order(dataset, classes: tuple[int, ...]):
    """The data with label i standing for the model's classes[i]: a subset loads in sorted
    order, and a model may list its classes in another (an '8 vs 3' net)."""
    from dataclasses import replace

    import numpy as np

    from digitlab.core.data import Split

    if tuple(dataset.classes) == classes:
        return dataset
    position = np.array([classes.index(digit) for digit in dataset.classes])
    train, test = (Split(s.images, position[s.labels]) for s in (dataset.train, dataset.test))
    return replace(dataset, train=train, test=test, classes=classes)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from digitlab.core.checkpoint import load_checkpoint, save_checkpoint
    from digitlab.core.choices import plural
    from digitlab.core.data import load_dataset
    from digitlab.core.files import check_output_path
    from digitlab.core.pruning import accuracy_on, prune, zero_fraction
    from digitlab.core.resources import resolve_model

    check_output_path(args.out, kind="model")  # an unwritable path fails now, before any work
    checkpoint = load_checkpoint(resolve_model(args.model))
    classes = checkpoint.classes
    subset = classes if classes != tuple(range(10)) else None
    dataset = _in_model_order(load_dataset(checkpoint.dataset, root=args.data_dir,
                                           classes=subset), classes)  # fmt: skip
    test = dataset.test
    digits = np.asarray(classes)[test.labels]  # the labels are the model's output indices

    def accuracy(network) -> float:
        return accuracy_on(network, test.images, digits, classes)

    pruned, masks = prune(checkpoint.network, args.fraction, args.scope)
    total = sum(w.size for w in pruned.weights)
    removed = total - sum(int(m.sum()) for m in masks)
    where = "of each layer" if args.scope == "layer" else "of the whole net"
    print(f"{args.model}: {checkpoint.spec.describe()}, {total:,} weights; zeroing the smallest "
          f"{100 * args.fraction:g}% {where} ({removed:,} weights)")  # fmt: skip
    before, after = accuracy(checkpoint.network), accuracy(pruned)
    print(f"test accuracy before pruning   {before:.2%}")
    print(f"test accuracy after pruning    {after:.2%}")
    result, retrained = pruned, None
    pruning = {"fraction": args.fraction, "scope": args.scope, "source": str(args.model),
               "weights_zeroed": removed, "weights": total, "accuracy_before": before,
               "accuracy_pruned": after, "retrain_epochs": args.retrain}  # fmt: skip
    if args.retrain:
        result, config = _retrain(args, pruned, masks, dataset)
        if result is None:
            return 1
        retrained = accuracy(result)
        print(f"test accuracy after retraining {retrained:.2%} ({plural(args.retrain, 'epoch')}, "
              "the pruned weights held at zero)")  # fmt: skip
        pruning["retrain"] = config.recorded()
    meta = {key: value for key, value in checkpoint.meta.items() if key not in ("date", "command")}
    meta.update(
        test_accuracy=retrained if retrained is not None else after,
        pruning={**pruning, "zero_fraction": zero_fraction(result)},
        command="digitlab " + " ".join(sys.argv[1:]),
    )
    path = save_checkpoint(args.out, result, meta)
    print(f"wrote {path}")
    return 0
