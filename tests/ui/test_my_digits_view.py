"""The My digits view: keep by button or key, captions with the model's answer, relabel/delete."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from digitlab.core import my_digits as store
from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.session.fine_tune import FineTuneFigures
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.my_digits import CONFUSION_HEIGHT, WRONG, MyDigitsView, fine_tune_text
from tests.session.conftest import tiny_cache
from tests.ui.conftest import show_widget


@pytest.fixture
def session(qapp, qtbot, tmp_path):
    """The shipped 2-layer model answering; the set in the test's folder."""
    session = Session(
        QtDispatcher(),
        trainer_factory=lambda: LocalTrainer(tiny_cache()),
        my_digits=tmp_path / "mine",
    )
    session.start("mlp")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    yield session
    session.close()


def _draw_one(session: Session) -> None:
    pad = np.zeros((280, 280), np.uint8)
    pad[40:240, 130:160] = 255  # a stroke: a 1
    session.drawing.set_canvas(pad)


def _captions(view: MyDigitsView) -> list[str]:
    model = view.gallery.digits
    return [
        model.data(model.index(row), Qt.ItemDataRole.DisplayRole) for row in range(model.rowCount())
    ]


def _kept_files(tmp_path) -> list[str]:
    return sorted(p.parent.name for p in (tmp_path / "mine").rglob("*.png"))


def test_keep_by_button_and_key_shows_the_label_and_the_answer(qtbot, session, tmp_path):
    view = show_widget(qtbot, MyDigitsView(session), (600, 420))
    qtbot.waitUntil(lambda: session.my_digits.loaded, timeout=5_000)  # read when shown
    assert _captions(view) == []
    _draw_one(session)
    qtbot.mouseClick(view.keep_buttons[1], Qt.MouseButton.LeftButton)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_7)
    qtbot.waitUntil(lambda: _kept_files(tmp_path) == ["1", "7"])  # written in the background
    # The set is read again after each write: wait for the one with both digits, scored.
    qtbot.waitUntil(lambda: "of 2 right" in view.summary.text() and len(_captions(view)) == 2,
                    timeout=10_000)  # fmt: skip
    captions = _captions(view)
    assert captions[0] == "1 → 1" and captions[1] == f"7 → 1 {WRONG}"
    assert "1 of 2 right (50.0" in view.summary.text()


def test_relabel_and_delete_from_the_context_menu(qtbot, session, tmp_path):
    for label in (3, 5):
        store.add(tmp_path / "mine", np.eye(28, dtype=np.uint8) * 255, label)
    view = show_widget(qtbot, MyDigitsView(session), (600, 420))
    qtbot.waitUntil(lambda: "of 2 right" in view.summary.text(), timeout=10_000)
    menu = view.context_menu(0)
    relabel = menu.actions()[0].menu()
    assert [a.text() for a in relabel.actions()] == [str(d) for d in range(10)]
    assert not relabel.actions()[3].isEnabled()  # its own label
    relabel.actions()[8].trigger()
    qtbot.waitUntil(lambda: [k.label for k in session.my_digits.digits.kept] == [8, 5])
    qtbot.waitUntil(lambda: _captions(view)[0].startswith("5"), timeout=10_000)
    view.context_menu(1).actions()[-1].trigger()  # delete the 8
    qtbot.waitUntil(lambda: _kept_files(tmp_path) == ["5"])
    qtbot.waitUntil(lambda: len(_captions(view)) == 1, timeout=10_000)


def test_an_empty_pad_keeps_nothing(qtbot, session, tmp_path):
    view = show_widget(qtbot, MyDigitsView(session), (600, 420))
    notices = []
    session.notices.posted.connect(notices.append)
    assert not view.keep(4)
    assert not (tmp_path / "mine").exists() and "draw a digit" in notices[-1].text


def test_keys_reach_the_view_from_the_gallery(qtbot, session, tmp_path):
    view = show_widget(qtbot, MyDigitsView(session), (600, 420))
    qtbot.waitUntil(lambda: session.my_digits.loaded)  # read when shown
    _draw_one(session)
    qtbot.keyClick(view.gallery, Qt.Key.Key_2)
    qtbot.keyClick(view.gallery, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # not a keep
    qtbot.waitUntil(lambda: _kept_files(tmp_path) == ["2"])
    qtbot.wait(100)  # and no second file comes
    assert _kept_files(tmp_path) == ["2"]


def test_import_and_fine_tune_from_the_view(qtbot, session, tmp_path, tiny_mnist_dir, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DATA", str(tiny_mnist_dir))  # MNIST's test accuracy, before
    view = show_widget(qtbot, MyDigitsView(session), (600, 420))
    qtbot.waitUntil(lambda: session.my_digits.loaded, timeout=5_000)
    assert not view.tune_button.isEnabled() and view.tuned.text() == ""
    source = tmp_path / "theirs"
    for label in (1, 7):
        store.add(source, np.full((28, 28), 100, np.uint8), label, name="x")
    view.import_folder(source)
    qtbot.waitUntil(lambda: len(session.my_digits.digits) == 2, timeout=5_000)
    qtbot.waitUntil(view.tune_button.isEnabled)
    view.epochs.setValue(1)
    assert view.fine_tune() and not view.fine_tune()  # one at a time
    qtbot.waitUntil(lambda: view.tuned.text().startswith("Fine-tuned:"), timeout=60_000)
    qtbot.waitUntil(lambda: "…" not in view.tuned.text(), timeout=30_000)
    assert "MNIST test " in view.tuned.text() and ", your digits " in view.tuned.text()


def test_the_fine_tune_line_reads_before_and_after() -> None:
    figures = FineTuneFigures(2, 0.984, None, 0.61, 0.89, False)
    assert fine_tune_text(figures) == (
        "Fine-tuned: MNIST test 98.4\u00a0% → …, your digits 61.0\u00a0% → 89.0\u00a0%"
    )
    assert fine_tune_text(None) == ""


def test_every_model_is_scored_and_the_confusion_is_shown(qtbot, session, tmp_path):
    view = show_widget(qtbot, MyDigitsView(session), (640, 480))
    qtbot.waitUntil(lambda: session.my_digits.loaded, timeout=5_000)
    _draw_one(session)
    for count, digit in enumerate((1, 1, 7), start=1):  # one stroke kept as 1, 1 and 7
        view.keep(digit)
        qtbot.waitUntil(lambda n=count: len(session.my_digits.digits) == n, timeout=5_000)
    view.score_every_model()
    qtbot.waitUntil(lambda: view.every.text().count(" of 3") == 3, timeout=30_000)
    rows = session.my_digits_scores.result.rows
    assert [row.label for row in rows] == [
        "Shipped robust 3-layer",
        "Shipped 2-layer",
        "Shipped 1-layer",
    ]
    for row in rows:  # the same stroke twice as 1 and once as 7: at most 2 of 3 right
        assert row.total == 3 and row.right <= 2
    view.show_combo.setCurrentIndex(1)
    cells = lambda: view.confusion._cells  # noqa: E731 - built with the first matrix
    qtbot.waitUntil(lambda: cells() is not None and bool(cells().labels), timeout=10_000)
    score = session.my_digits.score.latest
    assert view.pages.currentWidget() is view.confusion
    assert sum(int(text) for text in cells().texts()) == 3 == score.evaluation.total
    view.resize(640, 240)  # a short dock: the matrix keeps its size and the view scrolls to it
    qtbot.wait(50)
    assert view.confusion.height() >= CONFUSION_HEIGHT
    view.show_combo.setCurrentIndex(0)  # the gallery scrolls itself: no minimum
    assert view.pages.minimumHeight() == 0


def test_fine_tuning_another_model_asks_before_it_replaces_a_trained_run(
    qtbot, session, tmp_path, monkeypatch
) -> None:
    """It discarded an unsaved trained run unasked."""
    from PySide6.QtWidgets import QMessageBox

    from digitlab.ui import dialogs
    from tests.ui.conftest import train

    train(session, qtbot)  # a run with trained weights, not saved
    session.models.select("mlp")
    qtbot.waitUntil(lambda: session.models.current.key == "mlp", timeout=30_000)
    view = show_widget(qtbot, MyDigitsView(session), (600, 420))
    qtbot.waitUntil(lambda: session.my_digits.loaded, timeout=5_000)
    store.add(tmp_path / "mine", np.full((28, 28), 100, np.uint8), 3, name="x")
    session.my_digits.reload()
    qtbot.waitUntil(lambda: len(session.my_digits.digits) == 1, timeout=5_000)
    asked = []

    def answer(button):
        def question(parent, title, text, *rest):
            asked.append(text)
            return button

        return question

    run_weights = session.run.network
    monkeypatch.setattr(dialogs.QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    assert not view.fine_tune() and "Save it first (Ctrl+S)" in asked[0]
    assert session.run.network is run_weights and not session.fine_tuning.going
    monkeypatch.setattr(dialogs.QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    assert view.fine_tune() and len(asked) == 2
