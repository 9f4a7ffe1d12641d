"""The weight view: numpy tiling without Qt, then the widget offscreen with pytest-qt."""

from __future__ import annotations

import time

import numpy as np
import pytest

from digitlab.ui.weights import (
    IMAGE_SIDE,
    WeightView,
    grid_columns,
    per_neuron,
    tile,
    tile_at,
    tile_origin,
    unit_ticks,
)

RNG = np.random.default_rng(0)


def net(*sizes: int, scale: float = 0.1) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Random weights (out, in) and biases for layer sizes like (784, 16, 10)."""
    weights = [RNG.normal(0, scale, (b, a)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
    return weights, [RNG.normal(0, scale, b).astype(np.float32) for b in sizes[1:]]


def tile_pixels(mosaic: np.ndarray, index: int, columns: int, title_rows: int) -> np.ndarray:
    top, left = tile_origin(index, columns, (IMAGE_SIDE, IMAGE_SIDE), 1, title_rows)
    return mosaic[top : top + IMAGE_SIDE, left : left + IMAGE_SIDE]


# --- tiling: no Qt -------------------------------------------------------------------------


def test_tile_places_each_image_row_by_row_with_gaps():
    images = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    mosaic = tile(images, columns=3, gap=1)
    assert mosaic.shape == (2 * 2 + 1, 3 * 3 + 2)
    for i in range(5):
        top, left = tile_origin(i, 3, (2, 3), gap=1)
        np.testing.assert_array_equal(mosaic[top : top + 2, left : left + 3], images[i])
    assert np.isnan(mosaic[2]).all()  # the gap row
    assert np.isnan(mosaic[:, 3]).all()  # the gap column
    assert np.isnan(mosaic[3:, 8:]).all()  # the missing sixth tile


def test_tile_title_band_and_no_gap():
    images = RNG.normal(size=(4, 3, 3))
    mosaic = tile(images, columns=2, gap=0, title_rows=2, fill=0.0)
    assert mosaic.shape == (2 * (2 + 3), 6)
    np.testing.assert_array_equal(mosaic[7:10, 3:6], images[3])
    assert not mosaic[:2].any()


def test_tile_at_inverts_tile_origin_and_rejects_gaps():
    for index in (0, 7, 15):
        top, left = tile_origin(index, 4, (28, 28), 1, 7)
        assert tile_at(top + 3.5, left + 5.2, 4, (28, 28), 1, 7) == (index, 3, 5)
    assert tile_at(28.5, 5, 4, (28, 28), 1, 0) is None  # in the gap row
    assert tile_at(2, 5, 4, (28, 28), 1, 7) is None  # in the title band
    assert tile_at(-1, 5, 4, (28, 28), 1, 0) is None


def test_grid_columns_prefers_full_near_square_grids():
    assert grid_columns(1) == 1
    assert grid_columns(10) == 5
    assert grid_columns(16) == 4
    assert grid_columns(100) == 10
    for n in (2, 3, 7, 50, 300):
        columns = grid_columns(n)
        rows = -(-n // columns)
        assert 1 <= columns <= n and rows * columns - n < columns


def test_per_neuron_scales_rows_to_one_and_keeps_dead_rows():
    matrix = np.array([[0.5, -1.0], [0.0, 0.0], [0.1, 0.05]])
    np.testing.assert_allclose(per_neuron(matrix), [[0.5, -1.0], [0, 0], [1.0, 0.5]])


def test_unit_ticks_stay_few_and_centred():
    assert unit_ticks(3) == [(0.5, "0"), (1.5, "1"), (2.5, "2")]
    assert len(unit_ticks(300)) <= 10


# --- the widget ----------------------------------------------------------------------------


@pytest.fixture
def view(qtbot):
    widget = WeightView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def test_one_layer_shows_ten_templates_equal_to_the_weights(view):
    (w,), biases = net(784, 10)
    view.show_weights([w], biases, [w * 0.01], tuple(range(10)))
    mosaic = view.mosaics()["weights0"]
    assert view.tile_titles("weights0") == [str(c) for c in range(10)]
    assert view.headers()["weights0"] == "Output templates (784→10)"
    for i in range(10):
        np.testing.assert_array_equal(tile_pixels(mosaic, i, 5, 7), w[i].reshape(28, 28))
    assert view.levels()["weights0"] == pytest.approx(np.abs(w).max())

    view.set_shared_scale(False)  # each template by its own max: what the image shows changes
    mosaic = view.mosaics()["weights0"]
    for i in range(10):
        expected = w[i].reshape(28, 28) / np.abs(w[i]).max()
        np.testing.assert_allclose(tile_pixels(mosaic, i, 5, 7), expected, rtol=1e-6)
    assert view.levels()["weights0"] == pytest.approx(1.0)
    assert not view.shared_scale()


def test_two_layer_shows_hidden_filters_and_the_class_by_unit_matrix(view):
    weights, biases = net(784, 16, 10)
    view.show_weights(weights, biases, None, tuple(range(10)))
    mosaics = view.mosaics()
    assert set(mosaics) == {"weights0", "deltas0", "weights1", "deltas1"}
    columns = 4  # 16 filters: a 4×4 grid
    for i in (0, 5, 15):
        np.testing.assert_array_equal(
            tile_pixels(mosaics["weights0"], i, columns, 7), weights[0][i].reshape(28, 28)
        )
    np.testing.assert_array_equal(mosaics["weights1"], weights[1])
    assert mosaics["weights1"].shape == (10, 16)
    assert view.tile_titles("weights0")[3] == f"3  {biases[0][3]:+.2f}"  # bias in the title
    assert view.headers()["weights0"] == "Hidden filters (784→16)"
    assert view.headers()["weights1"] == "Output weights (16→10)"
    assert view.headers()["deltas1"] == "Change since last refresh"
    assert not np.nan_to_num(mosaics["deltas1"]).any()  # no deltas yet: neutral


def test_second_update_reuses_the_items_and_shows_the_given_deltas(view):
    weights, biases = net(784, 16, 10)
    view.show_weights(weights, biases, None, tuple(range(10)))
    items = {name: view.image_item(name) for name in view.mosaics()}
    deltas = [RNG.normal(0, 0.01, w.shape).astype(np.float32) for w in weights]
    moved = [w + d for w, d in zip(weights, deltas)]
    view.show_weights(moved, biases, deltas, tuple(range(10)))
    assert all(view.image_item(name) is item for name, item in items.items())
    mosaics = view.mosaics()
    np.testing.assert_array_equal(view.image_item("weights1").image, moved[1])
    np.testing.assert_array_equal(mosaics["deltas1"], deltas[1])
    np.testing.assert_array_equal(
        tile_pixels(mosaics["deltas0"], 9, 4, 7), deltas[0][9].reshape(28, 28)
    )
    assert view.levels()["deltas0"] == pytest.approx(np.abs(deltas[0]).max())  # its own scale
    low, high = view.image_item("deltas0").getLevels()
    assert low == -high == pytest.approx(-np.abs(deltas[0]).max())


def test_architecture_change_rebuilds(view):
    weights, biases = net(784, 10)
    view.show_weights(weights, biases, None, tuple(range(10)))
    old = view.image_item("weights0")
    weights, biases = net(784, 100, 50, 10)
    view.show_weights(weights, biases, None, tuple(range(10)))
    assert view.image_item("weights0") is not old
    assert set(view.mosaics()) == {f"{kind}{i}" for kind in ("weights", "deltas") for i in range(3)}
    assert view.mosaics()["weights1"].shape == (50, 100)
    assert view.headers()["weights1"] == "Hidden layer 2 weights (100→50)"
    assert view.tile_titles("weights0") == []  # 100 units: hover instead of titles
    view.clear()
    assert view.mosaics() == {}


@pytest.mark.parametrize("hidden", [1, 300])
def test_extreme_hidden_sizes(view, hidden):
    weights, biases = net(784, hidden, 10)
    view.show_weights(weights, biases, weights, tuple(range(10)))
    mosaic = view.mosaics()["weights0"]
    columns = grid_columns(hidden, (28 + 7 * (hidden <= 32), 28))
    title_rows = 7 if hidden <= 32 else 0
    last = hidden - 1
    np.testing.assert_array_equal(
        tile_pixels(mosaic, last, columns, title_rows), weights[0][last].reshape(28, 28)
    )
    assert view.mosaics()["weights1"].shape == (10, hidden)


def test_bottleneck_and_odd_shapes_do_not_crash(view):
    for sizes in [(784, 2, 2, 10), (20, 5, 3), (784, 3)]:
        weights, biases = net(*sizes)
        view.show_weights(weights, biases, weights, tuple(range(sizes[-1])))
        assert len(view.mosaics()) == 2 * (len(sizes) - 1)
    nan_weights = [np.full((10, 784), np.nan, dtype=np.float32)]
    view.show_weights(nan_weights, [np.zeros(10)], None, tuple(range(10)))
    assert view.levels()["weights0"] == 1.0


def test_class_subset_labels_tiles_and_rows_with_its_digits(view):
    weights, biases = net(784, 3)
    view.show_weights(weights, biases, None, (3, 5, 8))
    assert view.tile_titles("weights0") == ["3", "5", "8"]
    assert view.tile_titles("deltas0") == ["3", "5", "8"]
    weights, biases = net(784, 16, 3)
    view.show_weights(weights, biases, None, (3, 5, 8))
    ticks = view._panels["weights1"].plot.getAxis("left")._tickLevels  # noqa: SLF001
    assert [label for _pos, label in ticks[0]] == ["3", "5", "8"]


def test_hover_names_the_unit_and_its_value(view, qtbot):
    weights, biases = net(784, 100, 10)
    view.show_weights(weights, biases, None, tuple(range(10)))
    qtbot.wait(10)
    text = view.describe("weights0", view.panel_center("weights0", tile=42))
    assert text.startswith("unit 42 ← pixel (14, 14)")
    assert f"{weights[0][42, 14 * 28 + 14]:+.4g}" in text and f"{biases[0][42]:+.4f}" in text
    text = view.describe("weights1", view.panel_center("weights1", tile=7))
    assert text.startswith("class 7 ← unit 50")


def test_refresh_is_cheap_for_300_hidden_units(view, qtbot):
    weights, biases = net(784, 300, 10)
    view.show_weights(weights, biases, weights, tuple(range(10)))
    start = time.perf_counter()
    for _ in range(5):
        view.show_weights(weights, biases, weights, tuple(range(10)))
    assert (time.perf_counter() - start) / 5 < 0.05
