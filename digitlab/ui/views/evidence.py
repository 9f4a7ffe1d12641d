"""Evidence: which pixels of the drawing push toward the answer, and which toward another class.

Three maps on one colour scale: each pixel's push on the answer's logit, on a second class's
logit (the runner-up unless the user picks one), and their difference; red pushes up, blue down.
Below, the totals: pixels plus bias make each logit exactly (`core.evidence`), so a small 5 in a
corner that reads as 7 shows where it overlaps the 7's template more than the 5's.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from digitlab.core.evidence import Evidence, evidence
from digitlab.session import Session
from digitlab.session.comparison import why_not_comparable
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.text_strip import TextStrip
from digitlab.ui.widgets.view_body import EmptyState

RUNNER_UP = -1  # the combo's "runner-up" entry
NO_INPUT = "Draw a digit to see which pixels speak for and against each answer."


def second_class(logits: np.ndarray, top: int, chosen: int) -> int:
    """The output index to compare with: the chosen one, or the runner-up."""
    if 0 <= chosen < len(logits) and chosen != top:
        return chosen
    order = np.argsort(-logits)
    return int(order[1]) if order[0] == top else int(order[0])


def totals_text(found: Evidence, first: int, second: int, classes) -> str:
    def part(index: int) -> str:
        pixels = float(found.maps[index].sum())
        return (
            f"<b>{classes[index]}</b>: pixels {pixels:+.2f}, bias {found.bias[index]:+.2f} "
            f"→ logit {found.logits[index]:+.2f}"
        )

    gap = found.logits[first] - found.logits[second]
    return f"{part(first)} · {part(second)} · difference {gap:+.2f}"


class MapTitle(pg.LabelItem):
    """A map's title that asks for no width of its own, so the three maps share the row alike
    ('3 against 5' made its map a third wider than the others, and a narrow dock's maps small)."""

    def updateMin(self) -> None:  # noqa: N802 - pyqtgraph's name
        super().updateMin()
        self.setMinimumWidth(0)
        height = self._sizeHint[Qt.SizeHint.PreferredSize][1]
        self._sizeHint[Qt.SizeHint.PreferredSize] = (0, height)


class EvidenceView(View):
    view_id = "evidence"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.against = QComboBox()
        self.against.setToolTip("The class to compare the answer with")
        self.against.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.against.currentIndexChanged.connect(lambda _: self.schedule_refresh())
        self._classes: tuple[int, ...] = ()
        self.canvas = pg.GraphicsLayoutWidget()
        background, self._text, self._faint = style.colours(self)
        self.canvas.setBackground(background)
        colormap = style.diverging_colormap(style.is_dark(self))
        self.images, self.titles = self._map_row(self.canvas)
        # B's maps (a model to compare with, chosen in A vs B) for the same two classes.
        self.b_canvas = pg.GraphicsLayoutWidget()
        self.b_canvas.setBackground(background)
        self.b_images, self.b_titles = self._map_row(self.b_canvas)
        self.b_canvas.hide()
        # The maps are coloured here, through one lookup table, and handed over as RGBA: left
        # to colour them, pyqtgraph rebuilds a 256-colour table for each image on every stroke.
        # The bar only shows the scale.
        self._colours = colormap.getLookupTable(nPts=256, alpha=True)
        self._maps: list[np.ndarray] = []
        self.bar = style.colour_bar(colormap)
        self.canvas.addItem(self.bar, row=1, col=3)
        self._limit: float | None = None
        self.totals = TextStrip(lines=2)  # changes on every stroke: no relayout for it
        self.b_totals = TextStrip(lines=2)
        self.b_totals.hide()
        self.pages = EmptyState(self.canvas, NO_INPUT, margin=0)
        self.message = self.pages.message
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Compare with"))
        controls.addWidget(self.against)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.b_canvas, 1)
        layout.addWidget(self.b_totals)
        self.subscribe(session.prediction_changed, self.refresh_at_once)
        self.subscribe(session.comparison.changed, self.schedule_refresh)
        self.refresh()

    def _map_row(self, canvas: pg.GraphicsLayoutWidget) -> tuple[list, list]:
        """Three titled maps side by side on `canvas`."""
        images, titles = [], []
        for column in range(3):
            title = MapTitle("", color=self._text, size="9pt")
            canvas.addItem(title, row=0, col=column)
            box = canvas.addViewBox(row=1, col=column, lockAspect=True, invertY=True)
            box.setDefaultPadding(0.0)  # the map fills its box: in a narrow dock every px counts
            canvas.ci.layout.setColumnStretchFactor(column, 1)
            box.setMouseEnabled(False, False)
            box.setMenuEnabled(False)
            image = pg.ImageItem(np.zeros((28, 28, 4), np.uint8), axisOrder="row-major")
            box.addItem(image)
            images.append(image)
            titles.append(title)
        return images, titles

    def sizeHint(self) -> QSize:
        return QSize(560, 300)

    def _set_classes(self, classes: tuple[int, ...]) -> None:
        if classes == self._classes:
            return
        self._classes = classes
        self.against.blockSignals(True)
        self.against.clear()
        self.against.addItem("runner-up", RUNNER_UP)
        for index, digit in enumerate(classes):
            self.against.addItem(str(digit), index)
        self.against.blockSignals(False)

    def refresh(self) -> None:
        entry = self.session.models.current
        net_input = self.session.drawing.input
        if entry is None or net_input.empty:
            self.pages.show_message(NO_INPUT)
            self.b_canvas.hide()
            self.b_totals.hide()
            self.totals.clear()
            return
        self._set_classes(entry.classes)
        found = evidence(entry.network, net_input.image)
        first = int(np.argmax(found.logits))
        second = second_class(found.logits, first, self.against.currentData())
        maps = [found.maps[first], found.maps[second], found.versus(first, second)]
        limit = style.steady_limit(self._limit, style.symmetric_limit(np.stack(maps)))
        if limit != self._limit:  # the colour bar redraws only when its levels change
            self._limit = limit
            style.set_bar_levels(self.bar, limit, "push on the logit")
        names = (f"for {entry.classes[first]}", f"for {entry.classes[second]}",
                 f"{entry.classes[first]} against {entry.classes[second]}")  # fmt: skip
        self._maps = maps
        other = self.session.comparison.other
        comparable = other is not None and why_not_comparable(entry, other) is None
        prefix = "A " if comparable else ""
        self._draw_row(self.images, self.titles, maps, [prefix + n for n in names], limit)
        self.totals.setText(totals_text(found, first, second, entry.classes))
        if comparable:  # B's evidence for the same two classes, on A's scale
            theirs = evidence(other.network, net_input.image)
            b_maps = [theirs.maps[first], theirs.maps[second], theirs.versus(first, second)]
            self._draw_row(self.b_images, self.b_titles, b_maps, [f"B {n}" for n in names], limit)
            answer = entry.classes[int(np.argmax(theirs.logits))]
            self.b_totals.setText(
                f"B answers {answer}: " + totals_text(theirs, first, second, entry.classes)
            )
        self.b_canvas.setVisible(comparable)
        self.b_totals.setVisible(comparable)
        self.pages.show_content()

    def _draw_row(self, images, titles, maps, names, limit: float) -> None:
        for image, title, values, name in zip(images, titles, maps, names):
            index = np.clip((values / limit + 1.0) * 127.5, 0, 255).astype(np.uint8)
            image.setImage(self._colours[index.reshape(28, 28)], autoLevels=False)
            if title.text != name:  # a new title costs a relayout: only when it changes
                title.setText(name)

    def shown_maps(self) -> list[np.ndarray]:
        """The three maps on show (for tests); [] when there are none."""
        if not self.pages.showing_content:
            return []
        return [values.copy() for values in self._maps]


if __name__ == "__main__":
    sys.exit(run_alone(EvidenceView, size=(600, 320)))
