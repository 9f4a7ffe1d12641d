"""The digit galleries (Mistakes, Dataset, My digits): a caption is never cut in its cell."""

from __future__ import annotations

import numpy as np

from digitlab.ui.widgets.digit_gallery import WIDEST_CAPTION, DigitGallery


def test_the_most_confident_mistakes_keep_their_percentage_at_any_zoom(qtbot) -> None:
    """'8→7 100%' was cut to '8→7 1…': Qt sized each item by its 56 px digit, whatever the
    cell's width, and these are the very digits a lesson asks to click."""
    gallery = DigitGallery()
    qtbot.addWidget(gallery)
    gallery.resize(400, 200)
    gallery.show()
    captions = [WIDEST_CAPTION, "1→7 98%"]
    gallery.set_digits(np.zeros((2, 28, 28), np.uint8), np.arange(2), lambda row: captions[row])
    for scale in (1.0, 1.5):  # View → Zoom sets a larger font
        font = gallery.font()
        font.setPointSizeF(font.pointSizeF() * scale)
        gallery.setFont(font)
        gallery.doItemsLayout()
        needed = gallery.fontMetrics().horizontalAdvance(WIDEST_CAPTION)
        for row in range(2):
            assert gallery.visualRect(gallery.model().index(row, 0)).width() >= needed + 4
