"""Shared fixtures: a tiny synthetic dataset (no files, no download) and the real MNIST."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from digitlab.core import experiments  # noqa: E402
from digitlab.core.data import Dataset, Split  # noqa: E402
from digitlab.core.experiments import (  # noqa: E402
    Experiment,
    ExperimentCancelled,
    ExperimentResult,
    Line,
    Panel,
    Settings,
    Table,
)
from digitlab.core.network import ModelSpec, Network  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def make_tiny_dataset(n_train: int = 512, n_test: int = 128, seed: int = 0) -> Dataset:
    """Ten easy classes: class c lights up row band c of the 28×28 image, plus noise."""
    rng = np.random.default_rng(seed)

    def split(n: int) -> Split:
        labels = np.arange(n, dtype=np.int64) % 10
        images = rng.integers(0, 60, (n, 28, 28), dtype=np.int64)
        for c in range(10):
            rows = slice(2 + 2 * c, 4 + 2 * c)
            images[labels == c, rows, 4:24] += 180
        return Split(np.clip(images, 0, 255).astype(np.uint8), labels)

    return Dataset(name="tiny", train=split(n_train), test=split(n_test), classes=tuple(range(10)))


def random_network(
    hidden: tuple[int, ...] = (16, 8), num_classes: int = 10, seed: int = 0, bias: float = 0.0
) -> Network:
    """Small random weights (σ 0.1) and biases (σ `bias`): a net to test the plumbing with."""
    rng = np.random.default_rng(seed)
    spec = ModelSpec(hidden=hidden, num_classes=num_classes)
    return Network.from_arrays(
        spec,
        [rng.normal(0, 0.1, shape).astype(np.float32) for shape in spec.layer_shapes],
        [rng.normal(0, bias, shape[0]).astype(np.float32) for shape in spec.layer_shapes],
    )


def count_to(settings: Settings, progress, cancelled) -> ExperimentResult:
    """A small real computation: the sum of 1..n, with progress and cancel between steps."""
    n, total = (10 if settings.quick else 20) + settings.seed, 0
    for i in range(1, n + 1):
        if cancelled():
            raise ExperimentCancelled
        progress(i / n, f"adding {i}")
        total += i
    panel = Panel("running sum", "i", "sum", [Line("sum", [1.0, float(n)], [1.0, float(total)])])
    table = Table(["n", "sum"], [[n, total]])
    conclusion = f"The sum of 1..{n} is {total}."
    return ExperimentResult("counting", settings, [table], [panel], conclusion,
                            total == n * (n + 1) // 2)  # fmt: skip


@pytest.fixture
def with_counting(monkeypatch):
    """The catalogue plus one quick experiment, so the plumbing is tested in milliseconds."""
    catalogue = dict(experiments.EXPERIMENTS)
    catalogue["counting"] = Experiment(99, "counting", "Counting", "Does 1+…+n = n(n+1)/2?",
                                       "Add the numbers one by one.", count_to)  # fmt: skip
    monkeypatch.setattr(experiments, "EXPERIMENTS", catalogue)
    return catalogue


@pytest.fixture
def tiny_dataset() -> Dataset:
    return make_tiny_dataset()


def mnist_root() -> Path | None:
    root = os.environ.get("DIGITLAB_DATA")
    if root and (Path(root) / "MNIST" / "raw").is_dir():
        return Path(root)
    shared = REPO.parent / "shared" / "data"
    return shared if (shared / "MNIST" / "raw").is_dir() else None


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST (from DIGITLAB_DATA, or ../shared/data); skipped when it is absent."""
    root = mnist_root()
    if root is None:
        pytest.skip("real MNIST not available: set DIGITLAB_DATA")
    os.environ.setdefault("DIGITLAB_DATA", str(root))  # code under test finds it as users' does
    from digitlab.core.data import load_dataset

    return load_dataset("mnist", root=root, download_missing=False)


def write_idx(path: Path, array, gz: bool = False) -> None:
    """Write a uint8 array in the IDX format MNIST uses (magic 0x08 = ubyte, then the dims)."""
    import gzip
    import struct

    import numpy as np

    data = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 0x08, data.ndim) + struct.pack(f">{data.ndim}I", *data.shape)
    payload = header + data.tobytes()
    if gz:
        path = path.with_name(path.name + ".gz")
        payload = gzip.compress(payload)
    path.write_bytes(payload)


def write_mnist_files(root: Path, dataset: Dataset | None = None, gz: bool = False) -> Path:
    """Lay a dataset out as torchvision expects (root/MNIST/raw/*-ubyte); returns root."""
    dataset = dataset or make_tiny_dataset()
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for prefix, split in (("train", dataset.train), ("t10k", dataset.test)):
        write_idx(raw / f"{prefix}-images-idx3-ubyte", split.images, gz)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", split.labels, gz)
    return root


@pytest.fixture
def tiny_mnist_dir(tmp_path: Path) -> Path:
    """A data root holding the tiny dataset as real IDX files."""
    return write_mnist_files(tmp_path / "data")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say out loud how many tests the missing MNIST skipped: a quiet `s` is easy to miss."""
    skipped = terminalreporter.stats.get("skipped", [])
    for_data = [r for r in skipped if "MNIST" in str(getattr(r, "longrepr", ""))]
    if for_data:
        terminalreporter.write_line(
            f"{len(for_data)} tests skipped for want of the real MNIST: set DIGITLAB_DATA to the "
            "folder that holds MNIST/raw/ to run them",
            yellow=True,
        )
