"""My digits: importing a folder into the set, and fine-tuning the answering model on the set
mixed with MNIST (here the tiny dataset), with the accuracies before and after."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core import my_digits as store
from digitlab.core.training import LocalTrainer
from digitlab.session import QueueDispatcher, Session
from digitlab.session.lessons import CHECKS
from digitlab.session.models import RUN_KEY
from digitlab.session.notices import Level
from digitlab.session.run import RunPhase
from digitlab.session.run_settings import RunSettings
from tests.conftest import make_tiny_dataset
from tests.session.conftest import Recorder, pump, tiny_cache


@pytest.fixture
def lab(tmp_path):
    dispatcher = QueueDispatcher()
    test = make_tiny_dataset().test
    session = Session(dispatcher, trainer_factory=lambda: LocalTrainer(tiny_cache()),
                      test_set=lambda: test, my_digits=tmp_path / "mine")  # fmt: skip
    yield dispatcher, session
    session.close()


def test_a_folder_is_imported_with_its_labels_and_its_bad_files_named(lab, tmp_path) -> None:
    dispatcher, session = lab
    source = tmp_path / "theirs"
    for name, label in (("a", 3), ("b", 3), ("c", 5)):
        digit = np.zeros((28, 28), np.uint8)  # a stroke of 40 × label on black, as kept
        digit[6:22, 12:16] = 40 * label
        store.add(source, digit, label, name=name)
    (source / "5" / "broken.png").write_bytes(b"not a png")
    said = Recorder(session.notices.posted)
    for _ in range(2):  # twice: the names stay unique
        session.my_digits.import_folder(source)
        pump(dispatcher, lambda: any(n.level is Level.WARNING for n in said.values))
        said.values.clear()
    pump(dispatcher, lambda: len(session.my_digits.digits) == 6)
    digits = session.my_digits.digits
    assert sorted(digits.labels.tolist()) == [3, 3, 3, 3, 5, 5]
    assert sorted(k.path.name for k in digits.kept if k.label == 5) == ["c-2.png", "c.png"]
    assert all(k.path.parent.parent == tmp_path / "mine" for k in digits.kept)
    fives = digits.images[digits.labels == 5]
    assert np.all(fives[:, 6:22, 12:16] == 200) and fives.sum() == 2 * 200 * 16 * 4
    session.my_digits.import_folder(source)
    pump(dispatcher, lambda: len(said.values) >= 2)
    info, warning = said.values[:2]
    assert "Imported 3 digits" in info.text
    assert warning.text.startswith("1 file skipped: broken.png (")
    session.my_digits.import_folder(tmp_path / "nowhere")
    pump(dispatcher, lambda: any(n.level is Level.ERROR for n in said.values))
    assert "no such folder" in said.values[-1].text


def _own_hand(n_per_class: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Digits the tiny dataset never shows: class c lights column band c, not row band c."""
    rng = np.random.default_rng(7)
    labels = np.repeat(np.arange(10), n_per_class)
    images = rng.integers(0, 60, (len(labels), 28, 28))
    for i, c in enumerate(labels):
        images[i, 4:24, 2 + 2 * c : 4 + 2 * c] += 180
    return np.clip(images, 0, 255).astype(np.uint8), labels


def test_fine_tuning_learns_the_set_and_keeps_the_test_digits(lab, tmp_path) -> None:
    dispatcher, session = lab
    run, tuning = session.run, session.fine_tuning
    run.set_settings(RunSettings(hidden=(32,), epochs=2, lr=1e-2, batch_size=32))
    assert run.start()
    pump(dispatcher, lambda: run.phase is RunPhase.FINISHED, timeout=60)
    session.models.select(RUN_KEY)
    before = session.models.current
    said = Recorder(session.notices.posted)
    assert not tuning.start(2) and "Nothing to fine-tune" in said.last.text  # no digits yet
    your_hand = [CHECKS[name] for name in ("ten_digits_kept", "fine_tuned")]  # the lesson's
    assert not any(check(session) for check in your_hand)
    images, labels = _own_hand()
    for i, (image, label) in enumerate(zip(images, labels)):
        store.add(tmp_path / "mine", image, int(label), name=f"d{i}")
    session.my_digits.reload()
    pump(dispatcher, lambda: len(session.my_digits.digits) == 30)
    assert CHECKS["ten_digits_kept"](session) and not CHECKS["fine_tuned"](session)
    assert tuning.start(3) and tuning.going and "with your 30 digits" in said.last.text
    assert not tuning.start(3)  # one run at a time
    sizes = []
    run.updated.connect(lambda update: sizes.append(update.snapshot.train_size))
    pump(dispatcher, lambda: not run.phase.busy, timeout=60)
    assert set(sizes) == {512 + 30 * 2}  # the set, twice: about a tenth of each epoch
    pump(dispatcher, lambda: None not in vars(tuning.figures()).values(), timeout=30)
    figures = tuning.figures()
    after = session.models.entry(RUN_KEY)
    assert after.ref != before.ref and not figures.going and figures.epochs == 3
    assert figures.set_before < 0.4 and figures.set_after > figures.set_before + 0.4
    assert figures.mnist_before > 0.9 and figures.mnist_after > 0.9
    assert CHECKS["fine_tuned"](session) and tuning.finished
