"""Loading real IDX files (written by the tests), class subsets, and clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from digitlab.core import data
from digitlab.core.data import (
    DataError,
    Dataset,
    DatasetCache,
    Split,
    load_dataset,
    parse_classes,
    read_idx,
)
from tests.conftest import make_tiny_dataset, write_idx, write_mnist_files


def test_loads_idx_files_into_arrays(tiny_mnist_dir: Path) -> None:
    expected = make_tiny_dataset()
    loaded = load_dataset("mnist", root=tiny_mnist_dir, download_missing=False)
    assert loaded.train.images.dtype == np.uint8 and loaded.train.labels.dtype == np.int64
    assert loaded.train.images.shape == (512, 28, 28)
    assert np.array_equal(loaded.train.images, expected.train.images)
    assert np.array_equal(loaded.test.labels, expected.test.labels)
    assert loaded.num_classes == 10


def test_loading_needs_no_torch(tiny_mnist_dir: Path) -> None:
    import subprocess

    code = (
        "import sys; from digitlab.core.data import load_dataset; "
        f"load_dataset('mnist', root={str(tiny_mnist_dir)!r}, download_missing=False); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_reads_a_folder_with_only_gz_files(tmp_path: Path) -> None:
    root = write_mnist_files(tmp_path, gz=True)
    loaded = load_dataset("mnist", root=root, download_missing=False)
    assert len(loaded.train) == 512
    assert sorted(p.name for p in (root / "MNIST" / "raw").iterdir())[0].endswith(".gz")


def _flip_crc(data: bytes) -> bytes:
    return data[:-8] + bytes([data[-8] ^ 0xFF]) + data[-7:]


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[:20], lambda data: b"not gzip at all", _flip_crc],
    ids=["truncated", "not-gzip", "bad-crc"],
)
def test_a_corrupt_gz_file_is_named_with_what_to_do(tmp_path: Path, damage) -> None:
    root = write_mnist_files(tmp_path, gz=True)
    packed = root / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    packed.write_bytes(damage(packed.read_bytes()))
    with pytest.raises(
        DataError, match=r"labels-idx1-ubyte\.gz is damaged .*delete it to download"
    ):
        load_dataset("mnist", root=root, download_missing=False)


def test_as_float_is_flat_and_scaled(tiny_mnist_dir: Path) -> None:
    train = load_dataset("mnist", root=tiny_mnist_dir, download_missing=False).train
    x = train.as_float()
    assert x.shape == (512, 784) and x.dtype == np.float32
    assert float(x.max()) <= 1.0 and float(x.min()) >= 0.0
    np.testing.assert_allclose(x[0] * 255, train.images[0].reshape(-1), rtol=1e-6)


def test_class_subset_relabels_to_consecutive_outputs(tiny_mnist_dir: Path) -> None:
    full = load_dataset("mnist", root=tiny_mnist_dir, download_missing=False)
    subset = load_dataset("mnist", root=tiny_mnist_dir, classes=(3, 5, 8), download_missing=False)
    assert subset.classes == (3, 5, 8) and subset.num_classes == 3
    assert set(subset.train.labels.tolist()) == {0, 1, 2}
    threes = full.train.images[full.train.labels == 3]
    assert np.array_equal(subset.train.images[subset.train.labels == 0], threes)
    assert len(subset.test) == int(sum((full.test.labels == c).sum() for c in (3, 5, 8)))


def test_a_subset_naming_a_class_absent_from_the_data_is_refused(tmp_path: Path) -> None:
    tiny = make_tiny_dataset()
    few = tiny.train.labels < 5  # the files hold classes 0–4 only
    small = Dataset(
        "t", Split(tiny.train.images[few], tiny.train.labels[few]), tiny.test, tiny.classes
    )
    root = write_mnist_files(tmp_path, small)
    labels = root / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    with pytest.raises(DataError, match="has no images of class 8: the training split") as info:
        load_dataset("mnist", root=root, classes=(3, 8), download_missing=False)
    assert str(labels) in str(info.value)
    assert len(load_dataset("mnist", root=root, classes=(3, 4), download_missing=False).train)


def _without(split: Split, keep) -> Split:
    return Split(split.images[keep], split.labels[keep])


@pytest.mark.parametrize(
    ("which", "file", "message"),
    [
        ("train", "train-images-idx3-ubyte", "holds no images: the training split is empty"),
        ("test", "t10k-images-idx3-ubyte", "holds no images: the test split is empty"),
    ],
)
def test_an_empty_split_is_refused_naming_its_file(tmp_path, which, file, message) -> None:
    tiny = make_tiny_dataset()
    empty = Split(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64))
    train, test = (empty, tiny.test) if which == "train" else (tiny.train, empty)
    root = write_mnist_files(tmp_path, Dataset("t", train, test, tiny.classes))
    with pytest.raises(DataError, match=message) as info:
        load_dataset("mnist", root=root, download_missing=False)
    assert str(root / "MNIST" / "raw" / file) in str(info.value)


def test_a_subset_the_test_split_lacks_is_refused(tmp_path: Path) -> None:
    tiny = make_tiny_dataset()
    test = _without(tiny.test, tiny.test.labels < 8)  # no 8s or 9s to test on
    root = write_mnist_files(tmp_path, Dataset("t", tiny.train, test, tiny.classes))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte has no images of class 8, 9"):
        load_dataset("mnist", root=root, classes=(8, 9), download_missing=False)


def test_a_header_claiming_more_than_64_bits_of_data_is_named(tiny_mnist_dir: Path) -> None:
    import struct

    images = tiny_mnist_dir / "MNIST" / "raw" / "train-images-idx3-ubyte"
    images.write_bytes(struct.pack(">HBB3I", 0, 8, 3, 2**31, 2**31, 4))  # 2⁶⁴ ≡ 0 in int64
    with pytest.raises(DataError, match="truncated or padded") as info:
        load_dataset("mnist", root=tiny_mnist_dir, download_missing=False)
    assert str(images) in str(info.value)


def test_missing_files_name_the_folder_and_files(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_dataset("mnist", root=tmp_path, download_missing=False)
    text = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in text
    for name in data.RAW_FILES:
        assert name in text


def test_offline_download_fails_clearly_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    from torchvision import datasets

    # Port 9 on loopback: refused at once, as a real offline machine would refuse.
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    root = tmp_path / "data"
    root.mkdir()
    with pytest.raises(DataError) as info:
        load_dataset("fashion", root=root)
    message = str(info.value)
    assert message.startswith("Fashion-MNIST is missing: put train-images-idx3-ubyte")
    assert "the download failed: no connection to the servers" in message
    assert "\n" not in message
    assert "train-images-idx3-ubyte" in str(info.value)
    assert list(root.iterdir()) == []  # no empty FashionMNIST/raw, no temporary folder


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not an MNIST IDX file"),
        (b"this is not an IDX file at all", "not an MNIST IDX file"),
        (b"\x00\x00\x09\x01\x00\x00\x00\x02ab", "not an MNIST IDX file"),  # wrong type code
        (b"\x00\x00\x08\x01\x00\x00\x00\x05ab", "truncated"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01ab", "padded"),
    ],
    ids=["empty", "text", "bad-magic", "short", "long"],
)
def test_malformed_idx_files_are_named(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "labels"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        read_idx(path, 1)
    assert str(path) in str(info.value)


def test_truncated_images_file(tiny_mnist_dir: Path) -> None:
    images = tiny_mnist_dir / "MNIST" / "raw" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:5000])
    with pytest.raises(DataError, match="truncated"):
        load_dataset("mnist", root=tiny_mnist_dir, download_missing=False)


def test_labels_outside_the_digits_are_refused(tiny_mnist_dir: Path) -> None:
    labels = tiny_mnist_dir / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    values = np.zeros(512, np.uint8)
    values[7] = 42
    write_idx(labels, values)
    with pytest.raises(DataError, match="labels above 9"):
        load_dataset("mnist", root=tiny_mnist_dir, download_missing=False)


def test_images_and_labels_must_agree(tiny_mnist_dir: Path) -> None:
    write_idx(tiny_mnist_dir / "MNIST" / "raw" / "t10k-labels-idx1-ubyte", np.zeros(3, np.uint8))
    with pytest.raises(DataError, match="do not fit together"):
        load_dataset("mnist", root=tiny_mnist_dir, download_missing=False)


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


def test_the_cache_loads_once_per_request(tiny_mnist_dir: Path) -> None:
    calls = []

    def loader(name, root=None, classes=None, **_):
        calls.append((name, classes))
        return load_dataset(name, root=root, classes=classes, download_missing=False)

    cache = DatasetCache(loader, size=2)
    first = cache.get("mnist", str(tiny_mnist_dir))
    assert cache.get("mnist", str(tiny_mnist_dir)) is first
    cache.get("mnist", str(tiny_mnist_dir), (0, 1))
    cache.get("mnist", str(tiny_mnist_dir), (2, 3))  # evicts the oldest: the full set
    assert cache.get("mnist", str(tiny_mnist_dir)) is not first
    assert len(calls) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,1", (0, 1)),
        ("8, 3,5", (3, 5, 8)),
        ("0-4", (0, 1, 2, 3, 4)),
        ("0-2,7", (0, 1, 2, 7)),
        ("0-9", None),
        ("", None),
        ("all", None),
        (None, None),
        ([1, 7], (1, 7)),
    ],
)
def test_parse_classes(text, expected) -> None:
    assert parse_classes(text) == expected


@pytest.mark.parametrize(
    "text", ["1", "a,b", "1,1", "3,12", "4-2", "0-1-2", "-1,2", "0-1000000000", "9" * 5000]
)
def test_parse_classes_rejects_bad_subsets(text: str) -> None:
    with pytest.raises(ValueError):
        parse_classes(text)


def test_a_huge_range_of_classes_is_refused_at_once_in_a_short_message() -> None:
    with pytest.raises(ValueError, match="digits 0–9") as info:
        parse_classes("0-" + "9" * 30)  # expanding it first would take all the memory
    assert len(str(info.value)) < 120
    with pytest.raises(ValueError) as info:
        parse_classes("1" * 5000)
    assert len(str(info.value)) < 160 and "5,000 characters" in str(info.value)


def test_one_split_is_read_alone(tiny_mnist_dir, monkeypatch) -> None:
    """The window's test-set analyses read the 10 000 test digits, not the training images."""
    from digitlab.core import data

    read = []
    original = data.read_idx
    monkeypatch.setattr(
        data, "read_idx", lambda path, *a: read.append(path.name) or original(path, *a)
    )
    test = data.load_split("mnist", "test", root=tiny_mnist_dir)
    expected = data.load_dataset("mnist", root=tiny_mnist_dir, download_missing=False).test
    assert read[:2] == ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] and len(read) == 6
    assert np.array_equal(test.images, expected.images)
    assert np.array_equal(test.labels, expected.labels)
