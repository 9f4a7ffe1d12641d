"""The names users choose from: datasets, activations, optimizers, schedules.

No imports at all, so the command line can build its `--help` without loading numpy or torch
(`digitlab --help` answers in a fraction of a second), and every layer agrees on the spelling.
"""

# Our name → torchvision's class name, which is also its folder under the data root (CIFAR-10's
# batches live in torchvision's `cifar-10-batches-py` instead: `core.cifar`).
DATASETS: dict[str, str] = {
    "mnist": "MNIST", "fashion": "FashionMNIST", "kmnist": "KMNIST", "cifar10": "CIFAR10",
}  # fmt: skip
# What the window and messages call them.
DATASET_LABELS: dict[str, str] = {
    "mnist": "MNIST", "fashion": "Fashion-MNIST", "kmnist": "KMNIST", "cifar10": "CIFAR-10",
}  # fmt: skip
# Each image's shape: (height, width) grey or (height, width, 3) RGB; the net takes its product.
DATASET_SHAPES: dict[str, tuple[int, ...]] = {
    "mnist": (28, 28), "fashion": (28, 28), "kmnist": (28, 28), "cifar10": (32, 32, 3),
}  # fmt: skip
# The ten classes' names, class i first (KMNIST's are romanised hiragana, as torchvision has them).
DIGIT_NAMES: tuple[str, ...] = tuple("0123456789")
CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "mnist": DIGIT_NAMES,
    "fashion": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                "Sneaker", "Bag", "Ankle boot"),
    "kmnist": ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
    "cifar10": ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                "truck"),
}  # fmt: skip


def input_size(dataset: str) -> int:
    """How many inputs a net on `dataset` takes: 784 for the 28×28 sets, 3072 for CIFAR-10."""
    size = 1
    for side in DATASET_SHAPES.get(dataset, (28, 28)):
        size *= side
    return size


def dataset_of_input_size(size: int) -> str | None:
    """The first dataset whose images have `size` pixel values (784 → mnist), or None."""
    return next((name for name in DATASETS if input_size(name) == size), None)


def is_colour(dataset: str) -> bool:
    """True for datasets of RGB pictures (CIFAR-10), whose models read no drawings."""
    return len(DATASET_SHAPES.get(dataset, (28, 28))) == 3


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
        raise ValueError(
            f"hidden sizes are whole numbers like 100 or 100,50: {clipped(text)}"
        ) from None
    if any(s < 1 for s in sizes):
        raise ValueError(f"hidden sizes are positive: {clipped(text)}")
    if max_units is not None and any(s > max_units for s in sizes):
        raise ValueError(f"each hidden layer has 1 to {max_units} units: {clipped(text)}")
    if max_layers is not None and len(sizes) > max_layers:
        raise ValueError(f"at most {max_layers} hidden layers: {clipped(text)}")
    return sizes


MAX_THREADS = 256  # more torch threads than any machine this runs on has cores

# The training-time distortions' numbers (`core.distort.AUGMENTATIONS` is built from these, and
# `train --help` describes them from the same numbers).
AUGMENT_RECIPES: dict[str, dict[str, object]] = {
    "light": {},  # the Augmentation defaults: ±2 px, scale 0.85…1.1, ±12°, pen ±0.6 px
    "robust": {
        "max_shift": 7.0,
        "scale_range": (0.8, 1.2),
        "max_degrees": 35.0,
        "pen_range": (-1.5, 2.5),
        "thin_share": 0.5,
        "keep_fraction": 0.25,
        "preprocess": True,
        "normalise_pen": True,
    },
}
AUGMENT_DEFAULTS: dict[str, object] = {
    "max_shift": 2.0,
    "scale_range": (0.85, 1.1),
    "max_degrees": 12.0,
    "pen_range": (-0.6, 0.6),
    "thin_share": 0.0,
    "keep_fraction": 0.0,
    "preprocess": False,
    "normalise_pen": False,
}


def augment_recipe(name: str) -> dict[str, object]:
    """Every number of the augmentation `name`: its own, then the defaults."""
    return {**AUGMENT_DEFAULTS, **AUGMENT_RECIPES[name]}


def describe_augment(name: str) -> str:
    """'±7 px, ±35°, scale 0.8…1.2, pen −1.5…+2.5 px, …' from the recipe itself, so help texts
    cannot drift from the code."""
    recipe = augment_recipe(name)
    low, high = recipe["pen_range"]  # type: ignore[misc]
    small, large = recipe["scale_range"]  # type: ignore[misc]
    text = (
        f"±{recipe['max_shift']:g} px, ±{recipe['max_degrees']:g}°, scale {small:g}…{large:g}, "
        f"pen {low:g}…{high:+g} px".replace("-", "−")
    )
    if recipe["preprocess"]:
        text += ", through the app's preprocessing"
        text += " with Normalise pen" if recipe["normalise_pen"] else ""
    return text


def plural(count: int, word: str) -> str:
    """'1 epoch', '2 epochs'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def clipped(text: str, limit: int = 40) -> str:
    """A value the user typed, quoted, at most `limit` characters of it: a 5 KB argument is not
    echoed back whole in a one-line message."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"
