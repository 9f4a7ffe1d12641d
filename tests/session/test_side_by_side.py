"""Two nets trained side by side (A: the run, B: its partner) and the comparison of A with B."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.training import LocalTrainer
from digitlab.session import QueueDispatcher, Session
from digitlab.session.comparison import flips, why_not_comparable
from digitlab.session.models import DEFAULT_KEY, RUN_KEY
from digitlab.session.run import RunEnd, RunPhase
from digitlab.session.run_settings import RunSettings
from digitlab.session.side_by_side import PARTNER
from digitlab.session.split_predictions import PredictionsReport
from tests.conftest import make_tiny_dataset
from tests.session.conftest import Recorder, pump, tiny_cache

A_SETTINGS = RunSettings(hidden=(), epochs=2, lr=1e-2, batch_size=32)


class RecordingTrainer(LocalTrainer):
    """An in-process trainer that keeps the jobs it was given."""

    def __init__(self, jobs: list) -> None:
        super().__init__(tiny_cache())
        self._jobs = jobs

    def train(self, job, state):
        self._jobs.append(job)
        return super().train(job, state)


@pytest.fixture
def pair():
    tiny = make_tiny_dataset()
    jobs: list = []
    dispatcher = QueueDispatcher()
    session = Session(dispatcher, trainer_factory=lambda: RecordingTrainer(jobs),
                      test_set=lambda: tiny.test, train_set=lambda: tiny.train)  # fmt: skip
    yield session, dispatcher, jobs
    session.close()


def both_done(session: Session):
    return lambda: (session.run.phase is RunPhase.FINISHED
                    and session.partner_run.phase is RunPhase.FINISHED)  # fmt: skip


def start_pair(session: Session, dispatcher, hidden: str = "16") -> None:
    session.side_by_side.set_hidden(hidden)
    session.side_by_side.set_enabled(True)
    session.run.set_settings(A_SETTINGS)
    assert session.run.start()
    pump(dispatcher, both_done(session), timeout=60)


def test_b_trains_on_the_same_batches_with_its_own_architecture(pair) -> None:
    session, dispatcher, jobs = pair
    start_pair(session, dispatcher)
    assert len(jobs) == 2
    a, b = jobs
    assert a.spec.hidden == () and b.spec.hidden == (16,)
    # The shuffle and the augmentation draws are a function of these: same batches, same order.
    assert (a.config.seed, a.config.batch_size, a.config.samples, a.config.epochs) == (
        b.config.seed,
        b.config.batch_size,
        b.config.samples,
        b.config.epochs,
    )
    assert a.data == b.data
    assert session.partner_run.epochs_trained == pytest.approx(2.0)
    assert len(session.partner_run.curves.test_accuracy()[0]) == 2
    assert session.partner_run.model.key == PARTNER.key


def test_b_is_listed_compared_with_and_can_answer(pair) -> None:
    session, dispatcher, _ = pair
    session.start()
    pump(dispatcher, lambda: session.models.current is not None)
    start_pair(session, dispatcher)
    keys = [source.key for source in session.models.sources()]
    assert RUN_KEY in keys and PARTNER.key in keys
    assert session.comparison.key == PARTNER.key
    assert session.comparison.other.ref == session.partner_run.model.ref  # its last version
    assert session.models.current.key == RUN_KEY  # A answers the drawing

    a = session.models.current
    summaries = Recorder(session.comparison.disagreement.changed)
    session.comparison.disagreement.request(a, session.comparison.other)
    pump(dispatcher, lambda: len(summaries) > 0)
    summary = summaries.last
    assert summary.samples == len(make_tiny_dataset().test)
    assert 0.0 <= summary.agreement <= 1.0

    reports = Recorder(session.comparison.predictions.changed)
    assert session.comparison.answers(a) is None  # asked for, computed in the background
    pump(dispatcher, lambda: len(reports) > 0)
    b_report = session.comparison.answers(a)
    assert isinstance(b_report, PredictionsReport)
    session.test_predictions.request()
    pump(dispatcher, lambda: isinstance(session.test_predictions.current(), PredictionsReport))
    a_report = session.test_predictions.current()
    right_in_a = flips(a_report, b_report, "a")
    assert np.all(a_report.predicted[right_in_a] == a_report.labels[right_in_a])
    assert np.all(b_report.predicted[right_in_a] != b_report.labels[right_in_a])
    assert summary.a_only == len(right_in_a)
    assert summary.b_only == len(flips(a_report, b_report, "b"))

    session.models.select(PARTNER.key)
    assert session.models.current.ref == session.partner_run.model.ref
    session.run.reset()  # forgets B too; the default model answers again
    pump(dispatcher, lambda: session.models.current is not None
         and session.models.current.key == DEFAULT_KEY)  # fmt: skip
    assert PARTNER.key not in [source.key for source in session.models.sources()]
    assert session.comparison.other is None


def test_stop_stops_both_and_b_notices_are_labelled(pair) -> None:
    session, dispatcher, _ = pair
    notices = Recorder(session.notices.posted)
    session.side_by_side.set_enabled(True)
    session.run.set_settings(A_SETTINGS.replaced(epochs=50, pace=20.0))
    assert session.run.start()
    pump(dispatcher, lambda: session.partner_run.latest is not None and session.run.latest)
    session.run.stop()
    pump(dispatcher, both_done(session), timeout=30)
    assert session.partner_run.epochs_trained < 50
    texts = [notice.text for notice in notices.values]
    assert any(text.startswith("B: ") for text in texts)


def test_without_side_by_side_only_the_run_trains(pair) -> None:
    session, dispatcher, jobs = pair
    outcomes = Recorder(session.run.finished)
    session.run.set_settings(A_SETTINGS.replaced(epochs=1))
    assert session.run.start()
    pump(dispatcher, lambda: len(outcomes) > 0)
    assert outcomes.last.end is RunEnd.DONE
    assert len(jobs) == 1 and session.partner_run.model is None


def test_a_bad_architecture_for_b_is_refused_in_one_line(pair) -> None:
    session, _, _ = pair
    with pytest.raises(ValueError) as refused:
        session.side_by_side.set_hidden("ten")
    assert "\n" not in str(refused.value)
    assert session.side_by_side.hidden == (100,)


def test_models_of_other_classes_are_not_comparable(pair) -> None:
    session, dispatcher, _ = pair
    session.run.set_settings(A_SETTINGS.replaced(epochs=1, classes=(0, 1)))
    session.run.start()
    pump(dispatcher, lambda: session.run.phase is RunPhase.FINISHED)
    session.start()
    pump(dispatcher, lambda: session.models.entry(DEFAULT_KEY) is not None)
    problem = why_not_comparable(session.run.model, session.models.entry(DEFAULT_KEY))
    assert problem is not None and "0, 1" in problem and "\n" not in problem


def test_reset_while_both_train_stops_and_forgets_b(pair) -> None:
    session, dispatcher, _ = pair
    session.side_by_side.set_enabled(True)
    session.run.set_settings(A_SETTINGS.replaced(epochs=50, pace=20.0))
    assert session.run.start()
    pump(dispatcher, lambda: session.partner_run.latest is not None)
    session.run.reset()
    pump(dispatcher, lambda: not session.partner_run.phase.busy, timeout=30)
    assert session.partner_run.model is None and session.partner_run.phase is RunPhase.IDLE


def test_the_run_as_b_follows_its_evaluated_versions(pair) -> None:
    session, dispatcher, _ = pair
    session.comparison.choose(RUN_KEY)
    assert session.comparison.other is None  # no run yet
    session.run.set_settings(A_SETTINGS)
    session.run.start()
    pump(dispatcher, lambda: session.run.phase is RunPhase.FINISHED)
    assert session.comparison.other.ref == session.run.model.ref  # its last version
