"""Loading real IDX files (written by the tests), class subsets, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torchvision import datasets

from digitlab.core import data
from digitlab.core.data import DataError, load_dataset, parse_classes
from tests.conftest import make_tiny_dataset, write_mnist_files


def test_loads_idx_files_into_tensors(tiny_mnist_dir: Path) -> None:
    expected = make_tiny_dataset()
    loaded = load_dataset("mnist", root=tiny_mnist_dir, download=False)
    assert loaded.train.images.dtype == torch.uint8
    assert loaded.train.images.shape == (512, 28, 28)
    assert torch.equal(loaded.train.images, expected.train.images)
    assert torch.equal(loaded.test.labels, expected.test.labels)
    assert loaded.num_classes == 10


def test_reads_a_folder_with_only_gz_files(tmp_path: Path) -> None:
    root = write_mnist_files(tmp_path, gz=True)
    loaded = load_dataset("mnist", root=root, download=False)
    assert len(loaded.train) == 512
    assert not list((root / "MNIST" / "raw").glob("*.part"))


def test_a_corrupt_gz_file_is_named(tmp_path: Path) -> None:
    root = write_mnist_files(tmp_path, gz=True)
    packed = root / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    packed.write_bytes(packed.read_bytes()[:20])
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz is corrupt"):
        load_dataset("mnist", root=root, download=False)
    assert not list((root / "MNIST" / "raw").glob("*.part"))


def test_as_float_is_flat_and_scaled(tiny_mnist_dir: Path) -> None:
    train = load_dataset("mnist", root=tiny_mnist_dir, download=False).train
    x = train.as_float()
    assert x.shape == (512, 784) and x.dtype == torch.float32
    assert float(x.max()) <= 1.0 and float(x.min()) >= 0.0
    assert torch.allclose(x[0] * 255, train.images[0].reshape(-1).float())


def test_class_subset_relabels_to_consecutive_outputs(tiny_mnist_dir: Path) -> None:
    full = load_dataset("mnist", root=tiny_mnist_dir, download=False)
    subset = load_dataset("mnist", root=tiny_mnist_dir, classes=(3, 5, 8), download=False)
    assert subset.classes == (3, 5, 8) and subset.num_classes == 3
    assert set(subset.train.labels.tolist()) == {0, 1, 2}
    threes = full.train.images[full.train.labels == 3]
    assert torch.equal(subset.train.images[subset.train.labels == 0], threes)
    assert len(subset.test) == int(sum((full.test.labels == c).sum() for c in (3, 5, 8)))


def test_a_subset_naming_a_class_absent_from_the_data(tmp_path: Path) -> None:
    tiny = make_tiny_dataset()
    few = tiny.train.labels < 5  # the files hold classes 0–4 only
    from digitlab.core.data import Dataset, Split

    small = Dataset(
        "t", Split(tiny.train.images[few], tiny.train.labels[few]), tiny.test, tiny.classes
    )
    root = write_mnist_files(tmp_path, small)
    loaded = load_dataset("mnist", root=root, classes=(3, 8), download=False)
    assert set(loaded.train.labels.tolist()) == {0}  # only the 3s; no 8s, and no crash


def test_missing_files_name_the_folder_and_files(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_dataset("mnist", root=tmp_path, download=False)
    text = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in text
    for name in data.RAW_FILES:
        assert name in text


def test_offline_download_failure_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    # Port 9 on loopback: refused at once, as a real offline machine would refuse.
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    with pytest.raises(DataError) as info:
        load_dataset("mnist", root=tmp_path, download=True)
    assert "download failed" in str(info.value)
    assert "train-images-idx3-ubyte" in str(info.value)


def test_truncated_file_is_a_clear_error(tiny_mnist_dir: Path) -> None:
    images = tiny_mnist_dir / "MNIST" / "raw" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:5000])
    with pytest.raises(DataError, match="corrupt"):
        load_dataset("mnist", root=tiny_mnist_dir, download=False)


def test_garbage_file_is_a_clear_error(tiny_mnist_dir: Path) -> None:
    labels = tiny_mnist_dir / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    labels.write_bytes(b"this is not an IDX file at all")
    with pytest.raises(DataError):
        load_dataset("mnist", root=tiny_mnist_dir, download=False)


def test_unknown_dataset_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown dataset"):
        load_dataset("cifar", root=tmp_path)


def test_data_root_precedence(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIGITLAB_DATA", str(tmp_path / "env"))
    assert data.data_root(tmp_path / "flag") == tmp_path / "flag"
    assert data.data_root() == tmp_path / "env"
    monkeypatch.delenv("DIGITLAB_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data.data_root() == tmp_path / "cache" / "digitlab"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0,1", (0, 1)), ("8, 3,5", (3, 5, 8)), ("", None), (None, None), ([1, 7], (1, 7))],
)
def test_parse_classes(text, expected) -> None:
    assert parse_classes(text) == expected


@pytest.mark.parametrize("text", ["1", "a,b", "1,1", "3,12"])
def test_parse_classes_rejects_bad_subsets(text: str) -> None:
    with pytest.raises(ValueError):
        parse_classes(text)
