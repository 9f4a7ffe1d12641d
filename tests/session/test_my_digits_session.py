"""My digits in the session: keeping the pad's input, relabel and delete, and the model's score."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core import my_digits as store
from digitlab.session import Session
from digitlab.session.models import ModelEntry, ModelKind, ModelSource
from digitlab.session.my_digits import SetScore
from tests.conftest import make_tiny_dataset, random_network
from tests.session.conftest import Recorder, pump


@pytest.fixture
def session(dispatcher, tmp_path):
    session = Session(dispatcher, my_digits=tmp_path / "mine")
    yield session
    session.close()


def _draw(session: Session, row: int) -> None:
    canvas = np.zeros((280, 280), np.uint8)
    canvas[60 + 10 * row : 220, 120:160] = 255
    session.drawing.set_canvas(canvas)


def test_keep_stores_the_pads_input_with_its_label(session, dispatcher, tmp_path) -> None:
    changed = Recorder(session.my_digits.changed)
    assert len(session.my_digits.digits) == 0 and not session.my_digits.loaded  # being read
    pump(dispatcher, lambda: session.my_digits.loaded)
    assert not session.my_digits.keep(3)  # an empty pad: nothing kept, a notice
    _draw(session, 0)
    assert session.my_digits.keep(3)  # written in the background
    pump(dispatcher, lambda: len(session.my_digits.digits) == 1)
    digits = session.my_digits.digits
    path = digits.kept[0].path
    assert path.parent == tmp_path / "mine" / "3" and path.is_file()
    assert digits.labels.tolist() == [3] and changed.last is digits
    assert np.array_equal(digits.images[0], store.read_digit(path))
    assert np.abs(digits.images[0] / 255.0 - session.drawing.input.image).max() <= 0.5 / 255 + 1e-6


def test_nothing_is_kept_before_the_folder_is_read(session, dispatcher) -> None:
    said = Recorder(session.notices.posted)
    _draw(session, 0)
    assert not session.my_digits.keep(2)  # the first ask starts the read
    assert "still being read" in said.last.text
    pump(dispatcher, lambda: session.my_digits.loaded)
    assert session.my_digits.keep(2)


def test_relabel_and_delete_change_disk_and_memory_alike(session, dispatcher, tmp_path) -> None:
    session.my_digits.reload()
    pump(dispatcher, lambda: session.my_digits.loaded)
    _draw(session, 0)
    session.my_digits.keep(1)
    _draw(session, 3)
    session.my_digits.keep(1)
    pump(dispatcher, lambda: len(session.my_digits.digits) == 2)
    first, second = (k.path for k in session.my_digits.digits.kept)
    session.my_digits.relabel(first, 7)
    pump(dispatcher, lambda: sorted(k.label for k in session.my_digits.digits.kept) == [1, 7])
    session.my_digits.delete(second)
    pump(dispatcher, lambda: len(session.my_digits.digits) == 1)
    kept = session.my_digits.digits.kept
    assert [k.label for k in kept] == [7] and len(session.my_digits.digits.images) == 1
    assert not second.exists() and kept[0].path.parent.name == "7"
    session.my_digits.reload()
    pump(dispatcher, lambda: session.my_digits.digits.kept is not kept)
    assert [(k.path, k.label) for k in session.my_digits.digits.kept] == [(kept[0].path, 7)]


def test_the_score_follows_the_model_and_the_set(session, dispatcher, tmp_path) -> None:
    tiny = make_tiny_dataset(n_train=10, n_test=20).test
    for i, (image, label) in enumerate(zip(tiny.images, tiny.labels)):
        store.add(tmp_path / "mine", image, int(label), name=f"d{i}")
    network = random_network(seed=1, bias=1.0)
    entry = ModelEntry(
        ModelSource("test", ModelKind.FILE, "test"), network, tuple(range(10)), "random"
    )
    scores = Recorder(session.my_digits.score.changed)
    assert session.my_digits.fetch(entry) is None  # the folder is being read
    pump(dispatcher, lambda: session.my_digits.loaded)
    assert session.my_digits.fetch(entry) is None  # being scored
    pump(dispatcher, lambda: len(scores) > 0)
    score = scores.last
    assert isinstance(score, SetScore) and score.evaluation.total == 20 and score.left_out == 0
    order = [int(k.path.stem[1:]) for k in score.digits.kept]
    predicted, _ = network.predict(tiny.images[order])
    assert score.answers.tolist() == predicted.tolist()
    assert score.evaluation.accuracy == float(np.mean(predicted == tiny.labels[order]))
    assert session.my_digits.fetch(entry) is score
    session.my_digits.delete(score.digits.kept[0].path)
    pump(dispatcher, lambda: len(session.my_digits.digits) == 19)
    pump(dispatcher, lambda: session.my_digits.fetch(entry) is not None)
    assert session.my_digits.fetch(entry).evaluation.total == 19


def test_a_model_without_some_digits_leaves_them_out(session, dispatcher, tmp_path) -> None:
    for label in (0, 1, 7):
        store.add(tmp_path / "mine", np.full((28, 28), 200, np.uint8), label)
    entry = ModelEntry(
        ModelSource("pair", ModelKind.FILE, "pair"), random_network(num_classes=2), (0, 1), "0/1"
    )
    session.my_digits.fetch(entry)
    pump(dispatcher, lambda: session.my_digits.fetch(entry) is not None)
    score = session.my_digits.fetch(entry)
    assert score.left_out == 1 and score.evaluation.total == 2 and set(score.answers) <= {0, 1}
