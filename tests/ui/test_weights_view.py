"""The Weights view on a live session: what the panels hold, reflow, deltas, clicks, the detail."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

from digitlab.session.models import RUN_KEY
from digitlab.session.selection import UnitRef
from digitlab.ui.plots import mosaic
from digitlab.ui.plots.style import Scale, nice_ceiling, robust_limit
from digitlab.ui.plots.weight_panels import PanelHeader
from digitlab.ui.views.weights import EMPTY_TEXT
from tests.ui.conftest import train
from tests.ui.weights_helpers import (
    DEFAULT_SIZE,
    answer_with,
    bar_label,
    click,
    random_network,
    settle,
    tile_of,
)

# --- what is drawn ---------------------------------------------------------------------------


def test_mosaic_holds_the_first_layer_and_levels_say_their_scale(loaded_session, make_weights_view):
    view = make_weights_view(loaded_session)
    weights = loaded_session.models.current.network.weights
    panel = view.panels["weights0"]
    assert set(view.panels) == {"weights0", "weights1"}  # a shipped model: no change panels

    view.set_scale(Scale.MAXIMUM)
    view.refresh()
    peak = float(np.abs(weights[0]).max())
    for i in (0, 17, 255):
        np.testing.assert_array_equal(tile_of(panel, i), weights[0][i].reshape(28, 28))
    shown = nice_ceiling(peak)  # levels are a nice number just above the maximum
    assert peak <= shown <= 1.25 * peak
    np.testing.assert_allclose(panel.image.getLevels(), (-shown, shown), rtol=1e-6)
    np.testing.assert_allclose(panel.bar.levels(), (-shown, shown), rtol=1e-6)
    assert bar_label(panel) == f"±{shown:.2g} · max |w|"
    np.testing.assert_array_equal(view.panels["weights1"].array, weights[1])

    view.set_scale(Scale.ROBUST)
    view.refresh()
    robust = robust_limit(weights[0])
    assert robust == pytest.approx(np.percentile(np.abs(weights[0]), 99), rel=0.03)
    assert robust < 0.5 * peak  # a few large border weights no longer set the scale
    shown = nice_ceiling(robust)
    np.testing.assert_allclose(panel.image.getLevels(), (-shown, shown), rtol=1e-6)
    assert bar_label(panel) == f"±{shown:.2g} · 99th percentile of |w|"
    np.testing.assert_array_equal(tile_of(panel, 17), weights[0][17].reshape(28, 28))

    view.set_scale(Scale.EACH_UNIT)
    view.refresh()
    expected = weights[0][17] / np.abs(weights[0][17]).max()
    np.testing.assert_allclose(tile_of(panel, 17), expected.reshape(28, 28), rtol=1e-6)
    np.testing.assert_allclose(panel.image.getLevels(), (-1, 1))
    assert bar_label(panel) == "each unit ±1"


def test_tiles_reflow_from_wide_to_tall_and_keep_their_content(
    loaded_session, make_weights_view, qtbot
):
    view = make_weights_view(loaded_session, (1000, 330))
    panel = view.panels["weights0"]
    weights = loaded_session.models.current.network.weights[0]
    wide = panel.columns
    assert wide == mosaic.grid_for_room(256, (28, 28), panel.room())
    view.resize(330, 1000)
    qtbot.waitUntil(lambda: panel.columns < wide, timeout=3000)
    assert panel.columns == mosaic.grid_for_room(256, (28, 28), panel.room())
    assert wide >= 2 * panel.columns
    view.set_scale(Scale.MAXIMUM)
    view.refresh()
    for i in (0, 31, 255):
        np.testing.assert_array_equal(tile_of(panel, i), weights[i].reshape(28, 28))


def test_hover_names_unit_pixel_weight_and_bias(loaded_session, make_weights_view):
    view = make_weights_view(loaded_session)
    network = loaded_session.models.current.network
    panel = view.panels["weights0"]
    text = view.describe(panel.centre(12))
    w = network.weights[0][12, 14 * 28 + 14]
    assert text == f"unit 12 ← pixel (14, 14): w = {w:+.3g} · bias {network.biases[0][12]:+.2f}"
    row = view.describe(view.panels["weights1"].centre(7))
    assert row.startswith("class 7 ← unit ") and "bias" in row
    assert view.describe(QPointF(-50, -50)) == ""


# --- the live run ----------------------------------------------------------------------------


def test_change_panels_show_the_last_deltas_of_the_run(session, make_weights_view, qtbot):
    train(session, qtbot)
    assert session.models.current.key == RUN_KEY
    view = make_weights_view(session)
    view.set_scale(Scale.MAXIMUM)
    view.refresh()
    latest = session.run.latest
    assert latest.network is session.models.current.network
    deltas = latest.snapshot.deltas
    assert set(view.panels) == {"weights0", "deltas0", "weights1", "deltas1"}
    np.testing.assert_array_equal(view.panels["deltas1"].array, deltas[1])
    for i in (0, 9, 15):
        np.testing.assert_array_equal(tile_of(view.panels["deltas0"], i),
                                      deltas[0][i].reshape(28, 28))  # fmt: skip
    limit = float(np.abs(deltas[0]).max())
    assert limit <= view.panels["deltas0"].limit <= 1.25 * limit
    assert bar_label(view.panels["deltas0"]) == f"±{view.panels['deltas0'].limit:.2g} · max |Δw|"

    view.changes_box.setChecked(False)  # remembered, and the change panels go
    settle(qtbot, view)
    assert set(view.panels) == {"weights0", "weights1"}
    assert view.view_settings() == {"scale": "maximum", "changes": False, "units": "all"}


def test_settings_are_validated(session, make_weights_view):
    view = make_weights_view(session)
    view.apply_view_settings({"scale": "bogus", "changes": "yes", "units": 3})
    assert view.view_settings() == {"scale": "robust", "changes": True, "units": "all"}
    view.apply_view_settings({"scale": "each unit", "changes": False, "units": "top"})
    assert view.view_settings() == {"scale": "each unit", "changes": False, "units": "top"}
    view.apply_view_settings(["not", "a", "dict"])  # type: ignore[arg-type]
    assert view.scale() is Scale.EACH_UNIT


# --- selection and the detail ----------------------------------------------------------------


def test_clicking_a_tile_selects_the_unit_and_shows_its_numbers(
    loaded_session, make_weights_view, qtbot
):
    view = make_weights_view(loaded_session, (1000, 700))
    network = loaded_session.models.current.network
    click(qtbot, view, view.panels["weights0"].centre(40))
    assert loaded_session.selection.unit == UnitRef(0, 40)
    settle(qtbot, view)
    detail = view.detail
    assert detail.isVisible() and view.canvas.isVisible()  # beside the weights: room for both
    incoming = network.weights[0][40]
    assert detail.info.bias == pytest.approx(network.biases[0][40])
    assert detail.title.text() == "Hidden unit 40"
    stats = detail.stats.text()
    assert f"{network.biases[0][40]:+.3f}" in stats
    assert f"{np.abs(incoming).max():.3f}" in stats and f"{np.linalg.norm(incoming):.3f}" in stats
    np.testing.assert_allclose(detail.outgoing(), network.weights[1][:, 40])
    np.testing.assert_array_equal(detail.filter_image.image, incoming.reshape(28, 28))
    assert view.panels["weights0"].highlight.isVisible()

    click(qtbot, view, view.panels["weights1"].centre(3))  # an output row: class 3
    assert loaded_session.selection.unit == UnitRef(1, 3)
    settle(qtbot, view)
    assert detail.title.text().startswith("Class 3") and detail.outgoing() is None

    qtbot.mouseClick(detail.close_button, Qt.MouseButton.LeftButton)
    assert loaded_session.selection.unit is None
    settle(qtbot, view)
    assert not detail.isVisible()


def test_small_dock_shows_the_detail_instead_of_the_weights(
    loaded_session, make_weights_view, qtbot
):
    view = make_weights_view(loaded_session, (300, 250))
    loaded_session.selection.select_unit(UnitRef(0, 5))
    settle(qtbot, view)
    assert view.detail.isVisible() and not view.canvas.isVisible()
    loaded_session.selection.select_unit(None)
    settle(qtbot, view)
    assert view.canvas.isVisible() and not view.detail.isVisible()


def test_selection_is_cleared_when_the_unit_is_gone(loaded_session, make_weights_view, qtbot):
    view = make_weights_view(loaded_session)
    loaded_session.selection.select_unit(UnitRef(0, 200))
    settle(qtbot, view)
    answer_with(loaded_session, random_network(784, 16, 10))
    settle(qtbot, view)
    assert loaded_session.selection.unit is None and not view.detail.isVisible()
    loaded_session.selection.select_unit(UnitRef(0, 3))  # exists in both shapes: kept
    answer_with(loaded_session, random_network(784, 32, 10, seed=2))
    settle(qtbot, view)
    assert loaded_session.selection.unit == UnitRef(0, 3) and view.detail.isVisible()


# --- architectures -----------------------------------------------------------------------------


def test_one_layer_net_shows_titled_class_templates(session, make_weights_view, qtbot):
    network = random_network(784, 3)
    answer_with(session, network, classes=(3, 5, 8))
    view = make_weights_view(session)
    panel = view.panels["weights0"]
    assert panel.plan.title == "Class templates"
    assert panel.title_texts() == ["3", "5", "8"]
    assert panel.title_rows > 0 and panel.tile_px(panel.columns, panel.title_rows,
                                                  *panel.room()) >= 36  # fmt: skip
    view.set_scale(Scale.MAXIMUM)
    view.refresh()
    np.testing.assert_array_equal(tile_of(panel, 2), network.weights[0][2].reshape(28, 28))


def test_titles_only_for_few_tiles_drawn_large_enough(session, make_weights_view, qtbot):
    answer_with(session, random_network(784, 64, 10))
    view = make_weights_view(session, (1000, 700))
    panel = view.panels["weights0"]
    assert panel.title_texts() == [str(i) for i in range(64)]
    assert panel.tile_px(panel.columns, panel.title_rows, *panel.room()) >= 36
    top, left = panel.tile_origin(9)  # each title sits in the band above its tile
    x, y = panel.title_position(9)
    assert y < top and left < x < left + 28
    view.resize(*DEFAULT_SIZE)  # tiles too small to title: the titles go, the band with them
    qtbot.waitUntil(lambda: not panel.title_texts(), timeout=3000)
    assert panel.title_rows == 0
    assert panel.tile_px(panel.columns, 8, *panel.room()) < 36


@pytest.mark.parametrize("hidden", [1, 10, 64, 512])
def test_output_rows_are_labelled_with_classes_without_overlap(session, make_weights_view, hidden):
    answer_with(session, random_network(784, hidden, 10))
    view = make_weights_view(session)
    if hidden == 512:
        assert view.panels["weights0"].title_texts() == []
        assert view.panels["weights0"].title_rows == 0
    labels = view.panels["weights1"].row_label_positions()
    assert [text for text, _ in labels] == [str(c) for c in range(10)]
    line = QFontMetricsF(QFont(view.panels["weights1"].plot.getAxis("left").style["tickFont"]))
    gaps = np.diff([y for _, y in labels])
    assert gaps.min() >= line.height()  # each label's box clears the next


def test_row_labels_thin_out_rather_than_overlap_in_a_small_dock(session, make_weights_view):
    answer_with(session, random_network(784, 64, 10))
    view = make_weights_view(session, (300, 250))
    labels = view.panels["weights1"].row_label_positions()
    line = QFontMetricsF(QFont(view.panels["weights1"].plot.getAxis("left").style["tickFont"]))
    assert 2 <= len(labels) < 10
    assert np.diff([y for _, y in labels]).min() >= line.height()


def test_deeper_nets_get_a_heatmap_per_later_layer(session, make_weights_view):
    network = random_network(784, 16, 8, 10)
    answer_with(session, network)
    view = make_weights_view(session, (700, 700))
    assert [p.plan.title for p in view.panels.values() if not p.plan.is_delta] == [
        "Hidden units", "Layer 2 weights", "Output weights"]  # fmt: skip
    view.set_scale(Scale.MAXIMUM)
    view.refresh()
    np.testing.assert_array_equal(view.panels["weights1"].array, network.weights[1])


# --- states and cost ---------------------------------------------------------------------------


def test_no_model_shows_the_teaching_empty_state(session, make_weights_view):
    view = make_weights_view(session)
    assert view.showing_empty() and view.empty.isVisible()
    assert view.empty.text() == EMPTY_TEXT and "Start" in EMPTY_TEXT and "28×28" in EMPTY_TEXT


def test_a_hidden_view_waits_and_catches_up_on_show(loaded_session, make_weights_view, qtbot):
    view = make_weights_view(loaded_session)
    items = view.panels["weights0"].image
    view.refresh()
    assert view.panels["weights0"].image is items  # same architecture: same items, new data
    view.hide()
    network = random_network(784, 16, 10)
    answer_with(loaded_session, network)
    qtbot.wait(20)
    assert view.stale and view.panels["weights0"].plan.units == 256  # nothing redrawn
    view.show()
    settle(qtbot, view)
    assert not view.stale and view.panels["weights0"].plan.units == 16


def test_header_elides_instead_of_widening(loaded_session, make_weights_view, qtbot):
    view = make_weights_view(loaded_session, (240, 200))
    header: PanelHeader = view.panels["weights0"].header
    assert header.minimumWidth() == 0 and header.preferredWidth() == 0
    header.title = "A very long header that could never fit into a narrow dock at all"
    shown = header.shown_text()
    assert shown.endswith("…") and len(shown) < len(header.title)
    assert view.width() == 240


def test_run_weights_without_a_change_yet_say_so(session, make_weights_view):
    network = random_network(784, 16, 10)
    answer_with(session, network)  # the run's network, but no snapshot with deltas for it
    view = make_weights_view(session)
    panel = view.panels["deltas0"]
    assert not np.nan_to_num(panel.array).any() and panel.limit == 1.0
    assert panel.label == "no change yet"
    text = view.describe(panel.centre(2))
    assert text.startswith("unit 2 ← pixel (14, 14): Δw = +0") and "bias" not in text


def test_hover_line_never_widens_the_view(loaded_session, make_weights_view, qtbot):
    view = make_weights_view(loaded_session, (300, 250))
    hint = view.minimumSizeHint()
    view.hover.setText("unit 12 ← pixel (3, 14): w = +0.123 · bias +0.10 " * 5)
    qtbot.wait(20)
    assert view.minimumSizeHint() == hint and view.width() == 300


def test_a_template_unit_shows_its_image_and_no_outgoing_weights(session, make_weights_view, qtbot):
    network = random_network(784, 10)
    answer_with(session, network)
    view = make_weights_view(session)
    session.selection.select_unit(UnitRef(0, 7))
    settle(qtbot, view)
    assert view.detail.title.text() == "Class 7 template" and view.detail.outgoing() is None
    np.testing.assert_array_equal(view.detail.filter_image.image,
                                  network.weights[0][7].reshape(28, 28))  # fmt: skip
