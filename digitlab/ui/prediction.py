"""What the net sees and what it says: the 28×28 input, enlarged, and one bar per class.

Both update in place on every stroke (`ImageItem.setImage`, `BarGraphItem.setOpts`), so they
keep up with the pen.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from digitlab.core.preprocess import BOX, CENTRE, SIZE, centre_of_mass

ACCENT = QColor("#2f81f7")
NEUTRAL_BAR = QColor("#8b949e")
GUIDE = QColor(120, 160, 220, 160)  # the faint 20 px box and centre marks
PLACEHOLDER_TEXT = "draw a digit"


def _palette_colours(widget: QWidget) -> tuple[QColor, QColor, QColor]:
    """(background, text, faint text) from the widget's palette, so plots fit the theme."""
    palette = widget.palette()
    background = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    faint = palette.color(QPalette.ColorRole.PlaceholderText)
    return background, text, faint


class ConfidenceBars(pg.PlotWidget):
    """One bar per output, labelled with the digit it stands for; the winner in the accent colour.

    A model may have a class subset such as (3, 5, 8): the bars follow `set_classes`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        background, self._text, self._faint = _palette_colours(self)
        self.setBackground(background)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.showGrid(y=True, alpha=0.15)
        plot.setYRange(0.0, 1.06, padding=0.0)  # fixed: 0..1 plus room for the "100%" label
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(self._faint))
            axis.setTextPen(pg.mkPen(self._text))
        plot.getAxis("left").setTicks([[(v, f"{v:.0%}") for v in (0.5, 1.0)], []])
        plot.getAxis("left").setWidth(44)
        plot.getAxis("bottom").setStyle(tickLength=0)
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.72, pen=None)
        plot.addItem(self._bars)
        self._classes: tuple[int, ...] = ()
        self._probabilities: np.ndarray | None = None
        self.set_classes(range(10))

    def sizeHint(self) -> QSize:
        return QSize(300, 180)

    def classes(self) -> tuple[int, ...]:
        return self._classes

    def set_classes(self, classes: Sequence[int]) -> None:
        """Label the bars with the digits the model's outputs stand for."""
        classes = tuple(int(c) for c in classes)
        if classes == self._classes:
            return
        self._classes = classes
        positions = list(range(len(classes)))
        self.getPlotItem().getAxis("bottom").setTicks(
            [[(i, str(c)) for i, c in enumerate(classes)]]
        )
        self.getPlotItem().setXRange(-0.6, len(classes) - 0.4, padding=0.0)
        self._bars.setOpts(x=positions, height=[0.0] * len(classes))
        self.set_probabilities(None)

    def probabilities(self) -> np.ndarray | None:
        return None if self._probabilities is None else self._probabilities.copy()

    def set_probabilities(
        self, probabilities: np.ndarray | None, placeholder: str = PLACEHOLDER_TEXT
    ) -> None:
        """Show one probability per class; None shows empty bars and the placeholder text."""
        count = len(self._classes)
        if probabilities is None:
            self._probabilities = None
            self._bars.setOpts(height=[0.0] * count, brushes=[NEUTRAL_BAR] * count)
            self.setTitle(placeholder, color=self._faint, size="13pt")
            return
        values = np.asarray(probabilities, dtype=np.float64).reshape(-1)
        if values.size != count:
            raise ValueError(f"{values.size} probabilities for {count} classes")
        self._probabilities = values
        top = int(np.argmax(values))
        brushes = [ACCENT if i == top else NEUTRAL_BAR for i in range(count)]
        self._bars.setOpts(height=values, brushes=brushes)
        self.setTitle(
            f"<b>{self._classes[top]}</b> · {100 * values[top]:.1f} %", color=ACCENT, size="15pt"
        )

    def title_text(self) -> str:
        """The headline as shown (for tests and status bars)."""
        return self.getPlotItem().titleLabel.text


class InputPreview(pg.GraphicsLayoutWidget):
    """The 28×28 input as the net gets it, enlarged with crisp pixels.

    A faint dashed square marks the 20 px box MNIST digits are fitted into, a faint cross the
    centre their centre of mass is moved to, and an accent dot this input's centre of mass.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(_palette_colours(self)[0])
        self.ci.setContentsMargins(0, 0, 0, 0)
        view = self.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        view.setMenuEnabled(False)
        view.setDefaultPadding(0.0)
        self._image_item = pg.ImageItem(np.zeros((SIZE, SIZE), np.float32), levels=(0.0, 1.0))
        view.addItem(self._image_item)
        margin = (SIZE - BOX) / 2
        box = QGraphicsRectItem(margin, margin, BOX, BOX)
        box_pen = pg.mkPen(GUIDE, width=1, style=Qt.PenStyle.DashLine)
        box_pen.setCosmetic(True)
        box.setPen(box_pen)
        view.addItem(box)
        target = CENTRE + 0.5  # pixel index 14 spans 14..15 in image coordinates
        self._target = pg.ScatterPlotItem(
            pos=[(target, target)], symbol="+", size=11, pen=None, brush=GUIDE
        )
        view.addItem(self._target)
        self._mass = pg.ScatterPlotItem(pos=[], symbol="o", size=6, pen=None, brush=ACCENT)
        view.addItem(self._mass)
        view.setRange(xRange=(0, SIZE), yRange=(0, SIZE), padding=0.0)
        self._view = view
        self._image = np.zeros((SIZE, SIZE), np.float32)

    def sizeHint(self) -> QSize:
        return QSize(168, 168)

    def image(self) -> np.ndarray:
        """A copy of the 28×28 input now shown."""
        return self._image.copy()

    def set_image(self, image: np.ndarray) -> None:
        """Show a (28, 28) float image in [0, 1] (levels stay fixed, so faint ink looks faint)."""
        self._image = np.asarray(image, dtype=np.float32).reshape(SIZE, SIZE)
        self._image_item.setImage(self._image, autoLevels=False, levels=(0.0, 1.0))
        if self._image.any():
            row, col = centre_of_mass(self._image)
            self._mass.setData(pos=[(col + 0.5, row + 0.5)])
        else:
            self._mass.setData(pos=[])
