"""The names users choose from: datasets, activations, optimizers, schedules.

No imports at all, so the command line can build its `--help` without loading numpy or torch
(`digitlab --help` answers in a fraction of a second), and every layer agrees on the spelling.
"""

# Our name → torchvision's class name, which is also its folder under the data root.
DATASETS: dict[str, str] = {"mnist": "MNIST", "fashion": "FashionMNIST", "kmnist": "KMNIST"}
# What the window and messages call them.
DATASET_LABELS: dict[str, str] = {"mnist": "MNIST", "fashion": "Fashion-MNIST", "kmnist": "KMNIST"}

ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "sigmoid", "identity")
OPTIMIZERS: tuple[str, ...] = ("adam", "sgd")
SCHEDULES: tuple[str, ...] = ("constant", "cosine")
# Training-time distortions (`core.distort.AUGMENTATIONS`).
AUGMENT_NAMES: tuple[str, ...] = ("light", "robust")

# Learning rates that work out of the box for these nets (the CLI's and the window's defaults).
DEFAULT_LR: dict[str, float] = {"adam": 1e-3, "sgd": 0.1}


def parse_hidden(
    text: str, max_units: int | None = None, max_layers: int | None = None
) -> tuple[int, ...]:
    """'100', '100,50', '2,2,2', '' or '0' (no hidden layer) → sizes; ValueError if malformed.

    The window passes limits that keep its views responsive; the command line passes none and
    checks the memory a net needs instead.
    """
    cleaned = text.replace(" ", "").strip(",")
    if cleaned.lower() in ("", "0", "none"):
        return ()
    try:
        sizes = tuple(int(part) for part in cleaned.split(","))
    except ValueError:
        raise ValueError(f"hidden sizes are whole numbers like 100 or 100,50: {text!r}") from None
    if any(s < 1 for s in sizes):
        raise ValueError(f"hidden sizes are positive: {text!r}")
    if max_units is not None and any(s > max_units for s in sizes):
        raise ValueError(f"each hidden layer has 1 to {max_units} units: {text!r}")
    if max_layers is not None and len(sizes) > max_layers:
        raise ValueError(f"at most {max_layers} hidden layers: {text!r}")
    return sizes
