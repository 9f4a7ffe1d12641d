"""The answer: one bar per class, the winner in the accent colour, updated on every stroke.

The bars are one BarGraphItem updated in place (`setOpts`), so they keep up with the pen. An empty
pad shows no bars and says so: an answer for no ink would be a guess.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from digitlab.core.checkpoint import percent_text
from digitlab.session import Answer, Session
from digitlab.ui.picture_models import is_picture_model
from digitlab.ui.plots import style
from digitlab.ui.plots.picture_cells import SHORT_NAMES
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.text_strip import TextStrip

EMPTY_TEXT = {Answer.EMPTY: "draw a digit", Answer.NO_MODEL: "no model loaded",
              Answer.PICTURES: "drop a picture on the pad"}  # fmt: skip


class ConfidenceBars(QWidget):
    """One bar per output, labelled with the digit it stands for, under the answer in words
    (a `TextStrip`: a plot title would re-lay the plot out on every stroke)."""

    def __init__(self) -> None:
        super().__init__()
        self.plot_widget = pg.PlotWidget()
        background, self._text, self._faint = style.colours(self)
        self.plot_widget.setBackground(background)
        self.headline = TextStrip(lines=1, centred=True, point_size=14)
        self.headline.setAutoFillBackground(True)
        palette = self.headline.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        self.headline.setPalette(palette)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.headline)
        layout.addWidget(self.plot_widget, 1)
        plot = self.plot_widget.getPlotItem()
        style.quiet_plot(plot)
        plot.showGrid(y=True, alpha=0.15)
        plot.setYRange(0.0, 1.06, padding=0.0)
        style.style_axes(plot, self._text, self._faint)
        plot.getAxis("left").setTicks([[(v, f"{v:.0%}") for v in (0.5, 1.0)], []])
        plot.getAxis("left").setWidth(40)
        plot.getAxis("bottom").setStyle(tickLength=0)
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.72, pen=None)
        plot.addItem(self._bars)
        self._classes: tuple[int, ...] = ()
        self._names: tuple[str, ...] = ()
        self._probabilities: np.ndarray | None = None
        self.set_classes(range(10))
        self.setMinimumSize(160, 110)

    def sizeHint(self) -> QSize:
        return QSize(300, 220)

    def classes(self) -> tuple[int, ...]:
        return self._classes

    def set_classes(self, classes: Sequence[int], names: Sequence[str] | None = None) -> None:
        """The classes the bars stand for, labelled by `names` (CIFAR-10's) or their digits."""
        classes = tuple(int(c) for c in classes)
        names = tuple(names) if names is not None else tuple(str(c) for c in classes)
        if (classes, names) == (self._classes, self._names):
            return
        self._classes, self._names = classes, names
        plot = self.plot_widget.getPlotItem()
        plot.getAxis("bottom").setTicks([list(enumerate(names))])
        plot.setXRange(-0.6, len(classes) - 0.4, padding=0.0)
        self._bars.setOpts(x=list(range(len(classes))), height=[0.0] * len(classes))

    def probabilities(self) -> np.ndarray | None:
        return None if self._probabilities is None else self._probabilities.copy()

    def set_probabilities(self, probabilities: np.ndarray | None, placeholder: str = "") -> None:
        """One probability per class; None shows empty bars and the placeholder."""
        count = len(self._classes)
        if probabilities is None:
            self._probabilities = None
            self._bars.setOpts(height=[0.0] * count, brushes=[style.NEUTRAL] * count)
            self.headline.setText(placeholder, self._faint)
            return
        values = np.asarray(probabilities, dtype=np.float64).reshape(-1)
        if values.size != count:
            raise ValueError(f"{values.size} probabilities for {count} classes")
        self._probabilities = values
        top = int(np.argmax(values))
        brushes = [style.ACCENT if i == top else style.NEUTRAL for i in range(count)]
        self._bars.setOpts(height=values, brushes=brushes)
        self.headline.setText(
            f"<b>{self._names[top]}</b> · {percent_text(values[top])}", style.ACCENT
        )

    def title_text(self) -> str:
        return self.headline.text()


class PredictionView(View):
    view_id = "prediction"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.bars = ConfidenceBars()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.bars)
        self.subscribe(session.prediction_changed, self.refresh_at_once)
        self.subscribe(session.models.loading, self.refresh_at_once)
        self.refresh()

    def refresh(self) -> None:
        prediction = self.session.prediction
        entry = self.session.models.current
        names = [SHORT_NAMES[c] for c in prediction.classes] if is_picture_model(entry) else None
        self.bars.set_classes(prediction.classes, names)
        if prediction.state is Answer.READY:
            self.bars.set_probabilities(prediction.probabilities)
        elif prediction.state is Answer.NO_MODEL and self.session.models.is_loading():
            self.bars.set_probabilities(None, "loading the model…")
        else:
            self.bars.set_probabilities(None, EMPTY_TEXT[prediction.state])


if __name__ == "__main__":
    sys.exit(run_alone(PredictionView, size=(360, 260)))
