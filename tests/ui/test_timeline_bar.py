"""The timeline in the window: the bar appears with a run, its slider moves every view to the
moment chosen (weights and their change, curves cursor, prediction), play walks to live and
stops, and the markers say when each class was learned."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.session.models import RUN_KEY
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.timeline_bar import TimelineBar, moment_text
from digitlab.ui.views.curves import CurvesView
from digitlab.ui.views.weights import MOMENT_TITLE, WeightsView
from tests.conftest import make_tiny_dataset
from tests.session.conftest import tiny_cache
from tests.ui.conftest import open_main_window, settings_file, show_widget, train


def test_the_slider_takes_every_view_to_the_moment(session, qtbot, tmp_path) -> None:
    window = open_main_window(qtbot, session, settings_file(tmp_path))
    toolbar = window.timeline.parentWidget()
    assert toolbar.isHidden()  # no run, no timeline
    train(session, qtbot, epochs=2, refresh_every=1)
    bar: TimelineBar = window.timeline
    assert not toolbar.isHidden() and bar.isEnabled()
    moments = session.timeline.moments
    assert bar.slider.maximum() == len(moments) - 1 == bar.slider.value()
    window.workspaces.switch("train")
    weights: WeightsView = window.view("weights")
    curves: CurvesView = window.view("curves")
    bar.slider.setValue(2)  # as a drag does
    qtbot.waitUntil(lambda: weights._entry is not None
                    and weights._entry.ref == moments[2].ref)  # fmt: skip
    deltas = [p for p in weights.panels.values() if p.plan.is_delta]
    assert deltas and all(p.header.title == MOMENT_TITLE for p in deltas)
    np.testing.assert_allclose(
        weights._deltas[0], moments[2].network.weights[0] - moments[1].network.weights[0]
    )
    assert all(line.isVisible() and line.value() == moments[2].epoch for line in curves.cursors)
    assert "epoch" in bar.label.text() and not bar.live_button.isChecked()
    chooser = window.view("model").combo
    assert chooser.itemText(chooser.findData(RUN_KEY)) == "Training run at epoch " + (
        f"{moments[2].epoch:.2f}"
    )
    window.workspaces.switch("draw")  # the bar stays through a workspace's own layout
    assert not toolbar.isHidden()
    bar.live_button.click()
    assert session.timeline.live and bar.slider.value() == len(moments) - 1
    assert not any(line.isVisible() for line in curves.cursors)
    session.run.reset()
    assert toolbar.isHidden()


def test_play_walks_the_moments_to_live_and_stops(session, qtbot) -> None:
    train(session, qtbot, epochs=1, refresh_every=1)
    bar = show_widget(qtbot, TimelineBar(session), (900, 60))
    count = len(session.timeline.moments)
    seen = []
    session.timeline.moved.connect(seen.append)
    bar.speed.setCurrentIndex(bar.speed.findData(30))
    bar.toggle_play()  # live: from the start
    assert bar.playing and session.timeline.position == 0
    qtbot.waitUntil(lambda: not bar.playing, timeout=10_000)
    assert session.timeline.live and seen[-1] is None
    assert [m for m in seen[:-1]] == list(session.timeline.moments[: count - 1])
    bar.slider.setFocus()
    session.timeline.seek(3)
    qtbot.keyClick(bar.slider, Qt.Key.Key_Left)
    assert session.timeline.position == 2
    bar.step(-1)
    assert session.timeline.position == 1 and bar.back.isEnabled()


def test_markers_show_when_each_class_was_learned(qapp, qtbot) -> None:
    test = make_tiny_dataset().test  # markers measure on the test split: the tiny one here
    session = Session(QtDispatcher(), trainer_factory=lambda: LocalTrainer(tiny_cache()),
                      test_set=lambda: test)  # fmt: skip
    qtbot.addWidget(bar := TimelineBar(session))
    train(session, qtbot, epochs=2, refresh_every=1)
    show_widget(qtbot, bar, (900, 60))
    bar = show_widget(qtbot, TimelineBar(session), (900, 60))
    session.timeline.measure()
    qtbot.waitUntil(lambda: bool(bar.slider.marks()[0]), timeout=20_000)
    learned, ends = bar.slider.marks()
    assert learned == session.timeline.learned_at(0.9)
    assert ends == [i for i, m in enumerate(session.timeline.moments) if m.epoch_end]
    assert len(ends) == 2
    bar.threshold.setCurrentIndex(bar.threshold.findData(0.98))
    assert bar.slider.marks()[0] == session.timeline.learned_at(0.98)
    session.close()


def test_the_label_reads_a_moment() -> None:
    from digitlab.session.history import HistoryEntry
    from tests.conftest import random_network

    moment = HistoryEntry(2340, 1000, 1.25, 0.3124, 0.9, 0.931, random_network())
    assert moment_text(moment, 10, None) == "epoch 1.25 · step 2 340 · loss 0.312 · test 93.1%"
    start = HistoryEntry(0, 0, 0.0, float("nan"), 0.0, None, random_network())
    assert moment_text(start, 10, None) == "epoch 0.00 · step 0"
    assert moment_text(None, 12, 2.5) == "<b>Live</b> · epoch 2.50 · 12 moments"
