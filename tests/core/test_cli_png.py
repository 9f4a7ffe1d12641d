"""`digitlab evaluate MODEL --png PATH`: the confusion matrix with its top images as a PNG."""

from __future__ import annotations

from PIL import Image

from digitlab.cli import main
from tests.core.test_cli import train_tiny


def test_evaluate_writes_the_top_image_confusion_picture(tiny_mnist_dir, tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert train_tiny(tiny_mnist_dir, model, "--hidden", "8", "--lr", "1e-2") == 0
    capsys.readouterr()
    picture = tmp_path / "out" / "confusion.png"
    code = main(["--data-dir", str(tiny_mnist_dir), "evaluate", str(model), "--png", str(picture)])
    assert code == 0 and "test accuracy" in capsys.readouterr().out
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.width >= 600 and image.height >= 400
        assert len(image.convert("RGB").getcolors(1 << 16) or []) > 20  # digits, colours, text


def test_an_unwritable_png_path_is_one_line_before_any_work(tmp_path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code = main(
        ["evaluate", str(tmp_path / "no-model.safetensors"), "--png", str(blocker / "x.png")]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and "a-file" in err and "x.png" in err
