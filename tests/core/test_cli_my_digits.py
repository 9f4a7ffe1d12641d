"""`digitlab evaluate MODEL --images DIR`: one's own digits, scored like the test split."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from digitlab.cli import main
from digitlab.core import my_digits
from digitlab.core.checkpoint import save_checkpoint
from digitlab.core.metrics import confusion_matrix
from tests.conftest import make_tiny_dataset, random_network


def _folder(tmp_path, n: int = 30):
    images = make_tiny_dataset(n_train=10, n_test=n).test
    root = tmp_path / "mine"
    for i, (image, label) in enumerate(zip(images.images, images.labels)):
        my_digits.add(root, image, int(label), name=f"d{i}")
    return root, images


def test_a_folder_is_scored_like_the_test_split_with_skipped_files_listed(tmp_path, capsys):
    root, images = _folder(tmp_path)
    (root / "3" / "junk.png").write_text("not a picture")
    network = random_network(seed=3, bias=1.0)
    model = save_checkpoint(tmp_path / "m.safetensors", network)
    assert main(["evaluate", str(model), "--images", str(root), "--json"]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    predicted, _ = network.predict(images.images)
    expected = confusion_matrix(images.labels, predicted, 10)
    assert result["samples"] == 30 and result["confusion"] == expected.tolist()
    assert result["accuracy"] == float(np.mean(predicted == images.labels))
    assert len(result["skipped"]) == 1 and "junk.png" in result["skipped"][0]
    assert err.count("\n") == 1 and "skipped" in err and "junk.png" in err
    assert main(["evaluate", str(model), "--images", str(root)]) == 0
    table = capsys.readouterr().out
    assert "(30 images)" in table and "per class" in table and "confusion" in table


def test_a_digit_the_model_does_not_know_is_refused_in_one_line(tmp_path, capsys):
    root, _ = _folder(tmp_path, n=10)
    model = save_checkpoint(
        tmp_path / "m.safetensors", random_network(num_classes=2), {"classes": [0, 1]}
    )
    assert main(["evaluate", str(model), "--images", str(root)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not know" in err and "0 1" in err


def test_a_bad_label_or_an_empty_folder_is_one_line(tmp_path, capsys):
    model = save_checkpoint(tmp_path / "m.safetensors", random_network())
    (tmp_path / "empty").mkdir()
    assert main(["evaluate", str(model), "--images", str(tmp_path / "empty")]) == 1
    assert "no readable digit" in capsys.readouterr().err
    (tmp_path / "bad").mkdir()
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(tmp_path / "bad" / "a.png")
    (tmp_path / "bad" / "labels.csv").write_text("a.png,x\n")
    assert main(["evaluate", str(model), "--images", str(tmp_path / "bad")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a digit 0–9" in err
