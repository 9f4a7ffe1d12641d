"""The bottleneck across a run's timeline: the axes only grow, so the points move, not the axes."""

from __future__ import annotations

from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.session.models import RUN_KEY
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.plots.style import grown_range
from digitlab.ui.views.bottleneck import BottleneckView
from tests.conftest import make_tiny_dataset
from tests.session.conftest import tiny_cache
from tests.ui.conftest import show_widget, train


def test_a_grown_range_never_shrinks() -> None:
    first = grown_range(None, 0.0, 10.0)
    assert first[0] <= 0.0 and first[1] >= 10.0
    assert grown_range(first, 2.0, 3.0) == first  # smaller data: the same axis
    wider = grown_range(first, -5.0, 4.0)
    assert wider[0] <= -5.0 and wider[1] >= first[1]


def test_scrubbing_a_run_keeps_its_axes(qapp, qtbot) -> None:
    test = make_tiny_dataset().test
    session = Session(QtDispatcher(), trainer_factory=lambda: LocalTrainer(tiny_cache()),
                      test_set=lambda: test)  # fmt: skip
    view = show_widget(qtbot, BottleneckView(session), (600, 400))
    train(session, qtbot, hidden=(2,), epochs=2, refresh_every=1)
    session.models.select(RUN_KEY)
    timeline = session.timeline
    seen = []
    for index in (len(timeline.moments) - 1, 0, 2, len(timeline.moments) // 2):
        timeline.seek(index)
        ref = session.models.current.ref
        shown = lambda r=ref: view.drawn is not None and view.drawn.ref == r  # noqa: E731
        qtbot.waitUntil(shown, timeout=20_000)
        seen.append(dict(view._ranges))
    for before, after in zip(seen, seen[1:]):
        for key, (x, y) in after.items():
            old_x, old_y = before[key]
            assert x[0] <= old_x[0] and x[1] >= old_x[1] and y[0] <= old_y[0] and y[1] >= old_y[1]
    session.run.reset()
    assert view._ranges == {}
    session.close()
