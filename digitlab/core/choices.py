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

# Learning rates that work out of the box for these nets (the CLI's and the window's defaults).
DEFAULT_LR: dict[str, float] = {"adam": 1e-3, "sgd": 0.1}
