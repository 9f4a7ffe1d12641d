"""Tiling many small images into one: a grid of 28×28 weight images is ONE ImageItem.

Refreshing 100 separate items ~10×/s cost the GUI thread enough Python time to slow training by
a third; one mosaic built with numpy reshapes keeps a refresh to a few milliseconds. Pure numpy.
"""

from __future__ import annotations

import math

import numpy as np

GAP = 1  # blank pixels between tiles (NaN, drawn transparent)


def tile(
    images: np.ndarray,
    columns: int,
    gap: int = GAP,
    *,
    title_rows: int = 0,
    fill: float = np.nan,
) -> np.ndarray:
    """Lay (n, h, w) images out row by row, `columns` per row, into one 2-D array.

    Tiles are `gap` pixels apart, each with `title_rows` blank rows above it; blanks hold `fill`
    (NaN draws transparent). Vectorised: one padded copy and a transpose, no loop over tiles.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"tile needs (n, h, w) images, got shape {images.shape}")
    n, h, w = images.shape
    columns = max(1, min(int(columns), max(n, 1)))
    rows = max(1, math.ceil(n / columns))
    cell_h, cell_w = title_rows + h + gap, w + gap
    dtype = np.result_type(images.dtype, np.float32)
    cells = np.full((rows * columns, cell_h, cell_w), fill, dtype=dtype)
    cells[:n, title_rows : title_rows + h, :w] = images
    mosaic = cells.reshape(rows, columns, cell_h, cell_w).transpose(0, 2, 1, 3)
    return mosaic.reshape(rows * cell_h, columns * cell_w)[: rows * cell_h - gap, : -gap or None]


def tile_origin(
    index: int, columns: int, shape: tuple[int, int], gap: int = GAP, title_rows: int = 0
) -> tuple[int, int]:
    """(row, column) in the mosaic of tile `index`'s top-left pixel (below its title band)."""
    h, w = shape
    r, c = divmod(index, columns)
    return r * (title_rows + h + gap) + title_rows, c * (w + gap)


def tile_at(
    row: float,
    col: float,
    columns: int,
    shape: tuple[int, int],
    gap: int = GAP,
    title_rows: int = 0,
) -> tuple[int, int, int] | None:
    """Which tile (index, pixel row, pixel column) covers mosaic point (row, col); None in gaps."""
    h, w = shape
    r, y = divmod(int(math.floor(row)), title_rows + h + gap)
    c, x = divmod(int(math.floor(col)), w + gap)
    y -= title_rows
    if row < 0 or col < 0 or c >= columns or not (0 <= y < h and x < w):
        return None
    return r * columns + c, y, x


def grid_columns(n: int, shape: tuple[int, int] = (28, 28), aspect: float = 1.0) -> int:
    """Columns for n tiles of `shape`: a grid near `aspect` (width/height) with few empty cells.

    10 tiles give 5×2 rather than 4+4+2, 16 give 4×4, 300 give 17 columns.
    """
    if n <= 1:
        return 1
    h, w = shape

    def cost(columns: int) -> float:
        rows = math.ceil(n / columns)
        shape_error = abs(math.log(columns * w / (rows * h) / aspect))
        return shape_error + 5.0 * (rows * columns - n) / n

    # Round the cost so 5×2 and 2×5 tie exactly, then the wider grid wins (screens are wide).
    return min(range(n, 0, -1), key=lambda columns: round(cost(columns), 9))


def grid_for_room(n: int, tile: tuple[int, int], room: tuple[float, float], gap: int = GAP) -> int:
    """Columns that make n tiles of `tile` (h, w) as large as possible in `room` (w, h) px."""
    if n <= 1:
        return 1
    width, height = room
    if width <= 0 or height <= 0:
        return grid_columns(n, tile)
    h, w = tile

    def scale(columns: int) -> float:
        rows = math.ceil(n / columns)
        return min(width / (columns * (w + gap)), height / (rows * (h + gap)))

    return max(range(1, n + 1), key=lambda columns: (round(scale(columns), 6), columns))
