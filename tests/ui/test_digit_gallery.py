"""The digit galleries (Mistakes, Dataset, My digits): a caption is never cut in its cell."""

from __future__ import annotations

from PySide6.QtCore import Qt

from digitlab.ui.widgets.digit_gallery import WIDEST_CAPTION, DigitGallery


def test_the_most_confident_mistakes_keep_their_percentage_at_any_zoom(qtbot) -> None:
    """'8→7 100%' was cut to '8→7 1…': the very digits a lesson asks to click."""
    gallery = DigitGallery()
    qtbot.addWidget(gallery)
    for scale in (1.0, 1.5):  # View → Zoom sets a larger font
        font = gallery.font()
        font.setPointSizeF(font.pointSizeF() * scale)
        gallery.setFont(font)
        room = gallery.gridSize().width() - 6
        shown = gallery.fontMetrics().elidedText(WIDEST_CAPTION, Qt.TextElideMode.ElideRight, room)
        assert shown == WIDEST_CAPTION
