"""CIFAR-10 batches read without running them: tiny folders written here in the exact form of
torchvision's files (Python 2 pickles), and files that are damaged, foreign or hostile."""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from digitlab.core import cifar
from digitlab.core.cifar import FOLDER, load_cifar10, read_batch
from digitlab.core.errors import DataError

NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _py2(value: object) -> bytes:
    """`value` pickled as Python 2's cPickle (protocol 2) wrote CIFAR: str as byte strings, the
    array through numpy.core.multiarray._reconstruct, its pixels one byte string."""
    if isinstance(value, bool):
        return b"\x88" if value else b"\x89"
    if value is None:
        return b"N"
    if isinstance(value, int):
        if 0 <= value < 256:
            return b"K" + bytes([value])
        if 0 <= value < 65536:
            return b"M" + struct.pack("<H", value)
        return b"J" + struct.pack("<i", value)
    if isinstance(value, (str, bytes)):
        raw = value.encode("latin1") if isinstance(value, str) else value
        if len(raw) < 256:
            return b"U" + bytes([len(raw)]) + raw
        return b"T" + struct.pack("<I", len(raw)) + raw
    if isinstance(value, tuple):
        return b"(" + b"".join(map(_py2, value)) + b"t"
    if isinstance(value, list):
        return b"](" + b"".join(map(_py2, value)) + b"e"
    if isinstance(value, dict):
        return b"}(" + b"".join(_py2(k) + _py2(v) for k, v in value.items()) + b"u"
    if isinstance(value, np.ndarray):
        assert value.dtype == np.uint8
        dtype_state = _py2((3, "|", None, None, None, -1, -1, 0))
        dtype = b"cnumpy\ndtype\n" + _py2(("u1", 0, 1)) + b"R" + dtype_state + b"b"
        state = b"(" + _py2(1) + _py2(value.shape) + dtype + b"\x89" + _py2(value.tobytes()) + b"t"
        head = b"cnumpy.core.multiarray\n_reconstruct\n" + b"cnumpy\nndarray\n" + _py2((0,))
        return head + _py2("b") + b"\x87R" + state + b"b"
    raise TypeError(type(value))


def py2_pickle(value: object) -> bytes:
    return b"\x80\x02" + _py2(value) + b"."


def write_cifar(root: Path, per_batch: int = 10, test: int = 20, seed: int = 0) -> Path:
    """A CIFAR-10 folder under `root` with five tiny training batches, a test batch and the
    meta file; every class appears in every split."""
    rng = np.random.default_rng(seed)
    folder = root / FOLDER
    folder.mkdir(parents=True)
    for name, n in [*((f"data_batch_{i}", per_batch) for i in range(1, 6)), ("test_batch", test)]:
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        labels = [int(v) for v in np.arange(n) % 10]
        batch = {"batch_label": name, "labels": labels, "data": data,
                 "filenames": [f"img_{i}.png" for i in range(n)]}  # fmt: skip
        (folder / name).write_bytes(py2_pickle(batch))
    meta = {"num_cases_per_batch": per_batch, "label_names": NAMES, "num_vis": 3072}
    (folder / "batches.meta").write_bytes(py2_pickle(meta))
    return root


def test_a_written_folder_loads(tmp_path: Path) -> None:
    data = load_cifar10(write_cifar(tmp_path), download_missing=False)
    assert data.train.images.shape == (50, 32, 32, 3) and data.train.images.dtype == np.uint8
    assert data.test.images.shape == (20, 32, 32, 3)
    assert data.train.labels.dtype == np.int64 and data.train.labels[:12].tolist() == [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]  # fmt: skip
    assert data.class_names == tuple(NAMES) and data.num_classes == 10
    assert data.train.as_float().shape == (50, 3072)


def test_pixels_are_height_width_rgb(tmp_path: Path) -> None:
    """A row is 1024 red, 1024 green, 1024 blue values; pixel (y, x) is (R, G, B)."""
    root = write_cifar(tmp_path)
    row = np.concatenate([np.full(1024, 200), np.full(1024, 100), np.arange(1024) % 256])
    batch = {"labels": [3], "data": row.astype(np.uint8)[None]}
    (root / FOLDER / "test_batch").write_bytes(py2_pickle(batch))
    image = load_cifar10(root, download_missing=False).test.images[0]
    assert image[0, 0].tolist() == [200, 100, 0] and image[0, 5].tolist() == [200, 100, 5]
    assert image[1, 0].tolist() == [200, 100, 32]


def test_loading_needs_no_torch(tmp_path: Path) -> None:
    """The window's process reads CIFAR too, and it never loads torch."""
    code = (
        "import sys; from digitlab.core.cifar import load_cifar10; "
        f"load_cifar10({str(write_cifar(tmp_path))!r}, download_missing=False); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_file_written_by_python_3_and_numpy_2_loads(tmp_path: Path) -> None:
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2]}, 4))
    batch = read_batch(path)
    assert batch["data"].shape == (2, 3072) and batch["labels"] == [1, 2]


def _one_line(error: pytest.ExceptionInfo[DataError], path: Path) -> str:
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    return message


HOSTILE = {
    "os.system": lambda marker: b"\x80\x02cos\nsystem\n" + _py2((f"touch {marker}",)) + b"R.",
    "builtins.open": lambda marker: (
        b"\x80\x02c__builtin__\nopen\n" + _py2((str(marker), "w")) + b"R."
    ),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_batch_naming_anything_else_is_refused_without_running(kind: str, tmp_path: Path) -> None:
    root = write_cifar(tmp_path / "data")
    marker = tmp_path / "ran"
    path = root / FOLDER / "data_batch_3"
    path.write_bytes(HOSTILE[kind](marker))
    with pytest.raises(DataError) as error:
        load_cifar10(root, download_missing=False)
    assert "refused" in _one_line(error, path)
    assert not marker.exists()


def test_the_hostile_payload_is_live() -> None:
    """Plain pickle does run it: the refusal above is what keeps the marker from appearing."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        marker = Path(folder) / "ran"
        pickle.loads(HOSTILE["builtins.open"](marker), encoding="latin1").close()
        assert marker.exists()


def test_a_nested_foreign_object_is_refused(tmp_path: Path) -> None:
    """An admitted dict that holds a foreign object deep inside is refused all the same."""
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({"data": [{"x": Path("/")}], "labels": []}, 2))
    with pytest.raises(DataError, match="refused"):
        read_batch(path)


def test_a_truncated_batch_is_named(tmp_path: Path) -> None:
    root = write_cifar(tmp_path)
    path = root / FOLDER / "data_batch_2"
    path.write_bytes(path.read_bytes()[:1500])
    with pytest.raises(DataError) as error:
        load_cifar10(root, download_missing=False)
    assert "cut short" in _one_line(error, path)


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n not a pickle", b"hello world\n"])
def test_a_file_that_is_not_a_pickle_is_named(content: bytes, tmp_path: Path) -> None:
    root = write_cifar(tmp_path)
    path = root / FOLDER / "test_batch"
    path.write_bytes(content)
    with pytest.raises(DataError) as error:
        load_cifar10(root, download_missing=False)
    assert "not a CIFAR batch" in _one_line(error, path)


@pytest.mark.parametrize(
    ("batch", "words"),
    [
        ([1, 2, 3], "holds a list"),
        ({"data": np.zeros((2, 784), np.uint8), "labels": [0, 1]}, "expected N × 3072"),
        ({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, "1 labels"),
        ({"data": np.zeros((1, 3072), np.uint8), "labels": [10]}, "not all 0–9"),
    ],
)
def test_a_foreign_pickle_is_named(batch: object, words: str, tmp_path: Path) -> None:
    root = write_cifar(tmp_path)
    path = root / FOLDER / "data_batch_1"
    path.write_bytes(py2_pickle(batch))
    with pytest.raises(DataError) as error:
        load_cifar10(root, download_missing=False)
    assert words in _one_line(error, path)


def test_a_missing_folder_says_where_the_files_go(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        load_cifar10(tmp_path, download_missing=False)
    message = _one_line(error, tmp_path / FOLDER)
    assert "data_batch_1" in message and "batches.meta" in message and "--data-dir" in message


def test_a_failed_download_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """torchvision's helper stands in offline (and importing the real one takes seconds)."""
    from urllib.error import URLError

    def offline(*args: object, **kwargs: object) -> None:
        raise URLError("[Errno -3] Temporary failure in name resolution")

    utils = types.ModuleType("torchvision.datasets.utils")
    utils.download_and_extract_archive = offline  # type: ignore[attr-defined]
    for name in ("torchvision", "torchvision.datasets"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, utils.__name__, utils)
    with pytest.raises(DataError) as error:
        cifar.load_cifar10(tmp_path)
    assert "the download failed" in _one_line(error, tmp_path / FOLDER)
    assert list(tmp_path.iterdir()) == []
