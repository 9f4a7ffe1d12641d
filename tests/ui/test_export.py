"""The views' export button: a PNG written off the GUI thread, numbers as a pasteable table."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QGuiApplication, QImage

from digitlab.ui.widgets.export import ExportButton, scene_picture, table_text


def notices_of(session) -> list:
    posted: list = []
    session.notices.posted.connect(posted.append)
    return posted


def test_save_writes_the_plots_picture_as_png(session, qtbot, tmp_path) -> None:
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(320, 200)
    plot.plot([0, 1, 2], [2, 0, 1])
    button = ExportButton(session, lambda: scene_picture(plot), lambda: "", "curve")
    posted = notices_of(session)
    target = tmp_path / "curve.png"
    button.save_to(str(target))
    qtbot.waitUntil(lambda: len(posted) > 0, timeout=5000)
    assert "Saved" in posted[-1].text
    saved = QImage(str(target))
    assert (saved.width(), saved.height()) == (320, 200)


def test_an_unwritable_path_is_one_error_line(session, qtbot, tmp_path) -> None:
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    button = ExportButton(session, lambda: image, lambda: "", "x")
    posted = notices_of(session)
    (tmp_path / "a file").write_text("kept")
    button.save_to(str(tmp_path / "a file" / "x.png"))  # a file where the folder should be
    qtbot.waitUntil(lambda: len(posted) > 0, timeout=5000)
    assert posted[-1].level.value == "error" and "a file" in posted[-1].text
    assert "\n" not in posted[-1].text and (tmp_path / "a file").read_text() == "kept"


def test_a_saved_picture_replaces_an_old_one_and_leaves_nothing_else(session, qtbot, tmp_path):
    """Written beside and renamed over (core.files.write_atomically): no temporary file stays."""
    target = tmp_path / "x.png"
    target.write_bytes(b"old picture")
    image = QImage(30, 20, QImage.Format.Format_RGB32)
    posted = notices_of(session)
    ExportButton(session, lambda: image, lambda: "", "x").save_to(str(target))
    qtbot.waitUntil(lambda: len(posted) > 0, timeout=5000)
    assert QImage(str(target)).size().width() == 30 and sorted(tmp_path.iterdir()) == [target]


def test_copy_puts_a_tab_separated_table_on_the_clipboard(session) -> None:
    text = table_text(["class", "accuracy"], [[0, 0.98765432], [1, 1.0]])
    ExportButton(session, QImage, lambda: text, "x").copy_numbers()
    assert QGuiApplication.clipboard().text() == "class\taccuracy\n0\t0.987654\n1\t1\n"
