"""Find the shipped models and assets from a checkout and from an installed wheel.

In the repository they sit at the top level (models/, assets/); the wheel maps them into the
package as digitlab/models and digitlab/assets (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

import digitlab

# The default first: 784→400→200→10 trained to survive what people do on a pad (models/README.md).
SHIPPED_MODELS = {
    "robust": "robust.safetensors",
    "mlp": "mlp.safetensors",
    "linear": "linear.safetensors",
}
_PACKAGE = Path(digitlab.__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder `models` or `assets`, wherever this copy of digitlab keeps it."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE.parent / name


def shipped_model_path(name: str = "robust") -> Path:
    """Path of a shipped model: 'robust' (784→400→200→10, the default), 'mlp' (784→256→10) or
    'linear' (784→10)."""
    if name not in SHIPPED_MODELS:
        raise KeyError(f"no shipped model {name!r}; there are {', '.join(SHIPPED_MODELS)}")
    return resource_dir("models") / SHIPPED_MODELS[name]


def resolve_model(text: str | None) -> Path:
    """What a user typed where a model is expected: a shipped model's name (robust, mlp, linear;
    found wherever digitlab is installed, from any folder), else a model file's path. None is
    the default model. A shipped name wins over a file of that name in the current folder
    (write ./mlp for the file). A missing file is a CheckpointError that names the choices."""
    if text is None:
        return shipped_model_path()
    if text in SHIPPED_MODELS:
        return shipped_model_path(text)
    path = Path(text)
    if not path.exists() and not path.is_symlink():
        from digitlab.core.errors import CheckpointError

        raise CheckpointError(
            f"{path}: no such model file (give a model file's path, or a shipped model's name: "
            f"{', '.join(SHIPPED_MODELS)})"
        )
    return path


MODEL_HELP = f"a model file, or a shipped model: {', '.join(SHIPPED_MODELS)}"
