"""The personal set on disk: add, relabel, delete, list, and loading any folder of digits."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitlab.core import my_digits
from digitlab.core.my_digits import LabelError, load_folder


def _digit(value: int = 200) -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    image[6:22, 12:16] = value
    return image


def test_add_writes_a_28x28_png_in_the_class_folder_and_never_over_another(tmp_path):
    first = my_digits.add(tmp_path, _digit(), 7, name="mine")
    second = my_digits.add(tmp_path, _digit().astype(np.float32) / 255.0, 7, name="mine")
    assert first == tmp_path / "7" / "mine.png" and second == tmp_path / "7" / "mine-2.png"
    pixels = np.asarray(Image.open(second))
    assert pixels.shape == (28, 28) and pixels.dtype == np.uint8
    assert np.array_equal(pixels, _digit())
    assert [(k.path.name, k.label) for k in my_digits.list_set(tmp_path)] == [
        ("mine-2.png", 7),
        ("mine.png", 7),
    ]


def test_add_refuses_a_label_that_is_no_digit(tmp_path):
    with pytest.raises(LabelError, match="not a digit 0–9"):
        my_digits.add(tmp_path, _digit(), 12)


def test_relabel_moves_and_delete_removes(tmp_path):
    path = my_digits.add(tmp_path, _digit(), 1)
    moved = my_digits.relabel(tmp_path, path, 4)
    assert moved.parent == tmp_path / "4" and not path.exists()
    assert [k.label for k in my_digits.list_set(tmp_path)] == [4]
    my_digits.delete(moved)
    my_digits.delete(moved)  # already gone: fine
    assert my_digits.list_set(tmp_path) == []
    assert my_digits.list_set(tmp_path / "missing") == []


def test_a_folder_loads_with_bad_files_skipped_one_line_each(tmp_path):
    my_digits.add(tmp_path, _digit(), 3)
    Image.fromarray(255 - np.kron(_digit(), np.ones((4, 4), np.uint8))).save(
        tmp_path / "3" / "big.png"
    )
    (tmp_path / "3" / "notes.txt").write_text("hello")
    (tmp_path / "5").mkdir()
    (tmp_path / "5" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnothing")
    (tmp_path / "5" / ".hidden.png.tmp").write_bytes(b"")
    (tmp_path / "loose.png").write_bytes(b"")
    loaded = load_folder(tmp_path)
    assert loaded.images.shape == (2, 28, 28) and loaded.images.dtype == np.uint8
    assert loaded.labels.tolist() == [3, 3]
    big = loaded.images[[p.name for p in loaded.paths].index("big.png")]
    assert big[14, 14] > 200 and big[0, 0] == 0  # dark on light, 112 px: made the MNIST way
    lines = sorted(str(s) for s in loaded.skipped)
    assert len(lines) == 3 and all("\n" not in line for line in lines)
    assert any("notes.txt" in line for line in lines) and any(
        "broken.png" in line for line in lines
    )
    assert any("loose.png" in line and "class folder" in line for line in lines)


def test_a_labels_csv_names_files_and_a_bad_label_refuses_in_one_line(tmp_path):
    Image.fromarray(_digit()).save(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text("file,label\na.png,8\nmissing.png,2\n\n")
    loaded = load_folder(tmp_path)
    assert loaded.labels.tolist() == [8] and len(loaded.skipped) == 1
    assert "missing.png" in str(loaded.skipped[0])
    (tmp_path / "labels.csv").write_text("a.png,11\n")
    with pytest.raises(LabelError, match=r"labels.csv line 1: label '11' is not a digit 0–9"):
        load_folder(tmp_path)
    (tmp_path / "labels.csv").unlink()
    (tmp_path / "10").mkdir()
    with pytest.raises(LabelError, match="label '10'"):
        load_folder(tmp_path)


def test_an_empty_or_missing_folder(tmp_path):
    assert len(load_folder(tmp_path)) == 0
    with pytest.raises(my_digits.DigitlabError, match="no such folder"):
        load_folder(tmp_path / "nope")


@pytest.mark.parametrize("text", ["", "file,label\n", "\n\n"])
def test_a_labels_csv_that_lists_nothing_is_named(tmp_path, text):
    (tmp_path / "labels.csv").write_text(text)
    Image.fromarray(_digit()).save(tmp_path / "a.png")  # an image the file forgot to list
    with pytest.raises(LabelError, match=r"labels\.csv lists no images"):
        load_folder(tmp_path)


def test_a_file_given_as_the_folder_is_called_a_file(tmp_path):
    (tmp_path / "digit.png").write_bytes(b"\x89PNG")
    with pytest.raises(my_digits.DigitlabError, match=r"digit\.png is a file, not a folder"):
        load_folder(tmp_path / "digit.png")


def test_a_28x28_digit_saved_dark_on_light_reads_as_its_light_on_dark_twin(tmp_path):
    """A 28×28 file is the net's input as it is, unless its border says the ink is dark (a digit
    exported from a paint program): it read as a white page with a black hole before."""
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 12:15] = 255
    digit[4:7, 9:12] = 180  # grey anti-aliasing keeps its level
    Image.fromarray(digit).save(tmp_path / "light.png")
    Image.fromarray(255 - digit).save(tmp_path / "dark.png")
    light = my_digits.read_digit(tmp_path / "light.png")
    np.testing.assert_array_equal(light, digit)  # a kept digit or MNIST's: exactly as it was
    np.testing.assert_array_equal(my_digits.read_digit(tmp_path / "dark.png"), digit)


def test_a_file_a_labels_csv_names_twice_counts_once_and_is_listed(tmp_path):
    """Named twice (the same label, or two): it was read and scored twice."""
    Image.fromarray(_digit()).save(tmp_path / "a.png")
    Image.fromarray(_digit(90)).save(tmp_path / "b.png")
    (tmp_path / "labels.csv").write_text("a.png,8\nb.png,1\na.png,3\n./a.png,8\n")
    loaded = load_folder(tmp_path)
    assert loaded.labels.tolist() == [8, 1] and len(loaded) == 2
    assert [str(s) for s in loaded.skipped] == [
        f"{tmp_path / 'a.png'}: labels.csv line 3 names it again (line 1 counts)",
        f"{tmp_path / 'a.png'}: labels.csv line 4 names it again (line 1 counts)",
    ]
