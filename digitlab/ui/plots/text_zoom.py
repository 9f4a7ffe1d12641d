"""The window's text zoom inside the plots: axis ticks and labels, titles, legends, text items.

pyqtgraph draws its text at sizes fixed when an item is made ('9pt' titles, 8 pt ticks), which
the application font does not reach. `restyle_scene` sets every such size to the size its owner
gave it times the zoom factor. It remembers, on each item (Qt dynamic properties, which live as
long as the item), the owner's size and the size it applied, so it can run any number of times
without compounding, and a size the owner sets again later (a new title at '9pt') is taken as
the new base. An item whose owner never set a size counts as having the application's base
size. Text sized in pixels is left alone: its owner fits it to a cell or a tile.
"""

from __future__ import annotations

import math
import re

import pyqtgraph as pg
from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QGraphicsScene, QWidget

DEFAULT = -1.0  # "the owner set no size": the application's base size
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*pt\s*$")
_BASE, _APPLIED = "digitlab_zoom_base_", "digitlab_zoom_applied_"


def graphics_views(root: QWidget) -> list[pg.GraphicsView]:
    """Every pyqtgraph canvas in `root` (plot widgets and layout widgets alike)."""
    found = root.findChildren(pg.GraphicsView)
    return [root, *found] if isinstance(root, pg.GraphicsView) else found


def restyle_plots(root: QWidget, factor: float, base_points: float) -> int:
    """`restyle_scene` on the scene of every canvas in `root`; how many sizes it changed."""
    return sum(restyle_scene(view.scene(), factor, base_points) for view in graphics_views(root))


def restyle_scene(scene: QGraphicsScene | None, factor: float, base_points: float) -> int:
    """Scale the text of every item in `scene` to its owner's size × factor (a size of
    `base_points` where the owner set none); how many sizes changed."""
    if scene is None:
        return 0
    changed = 0
    items = scene.items()
    for item in items:
        if isinstance(item, pg.AxisItem):
            changed += _axis(item, factor, base_points)
        elif isinstance(item, pg.LabelItem):
            changed += _label(item, factor, base_points)
        elif isinstance(item, pg.TextItem):
            changed += _text_item(item, factor, base_points)
    for item in items:  # once their labels have their sizes: legends and title rows follow
        if isinstance(item, pg.LegendItem):
            _legend(item, factor, base_points, refit=changed > 0)
        elif isinstance(item, pg.PlotItem):
            changed += _title_row(item, factor)
    return changed


def _target(obj: QObject, slot: str, current: float, factor: float, base_points: float) -> float:
    """The size `slot` of `obj` should have: its owner's size (`current`, unless it is the size
    applied here last time) times `factor`."""
    applied = obj.property(_APPLIED + slot)
    if isinstance(applied, float) and _same(current, applied):
        base = obj.property(_BASE + slot)
    else:  # new to us, or its owner set it again since
        base = current
        obj.setProperty(_BASE + slot, float(base))
    if not isinstance(base, float):
        base = DEFAULT
    target = round((base_points if base == DEFAULT else base) * factor, 2)
    obj.setProperty(_APPLIED + slot, float(target))
    return target


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


def _points(css: object) -> float | None:
    """9.0 for '9pt'; DEFAULT for no size; None for a size in other units (left alone)."""
    if css is None:
        return DEFAULT
    match = _SIZE.match(css) if isinstance(css, str) else None
    return float(match.group(1)) if match else None


def _css(value: object) -> object:
    """A QColor given as a label's color= as CSS: written as Python's repr, it made Qt drop the
    whole style, and with it the size set here."""
    return value.name(QColor.NameFormat.HexArgb) if isinstance(value, QColor) else value


def _font(points: float, like: QFont | None = None) -> QFont:
    font = QFont(like if like is not None else QApplication.font())
    font.setPointSizeF(points)
    return font


def _axis(axis: pg.AxisItem, factor: float, base_points: float) -> int:
    changed = 0
    tick_font = axis.style.get("tickFont")
    current = DEFAULT if tick_font is None else tick_font.pointSizeF()
    if current == DEFAULT or current > 0:  # a pixel-sized font is its owner's to fit
        target = _target(axis, "tick", current, factor, base_points)
        if not _same(current, target):
            axis.setStyle(tickFont=_font(target, tick_font))
            changed += 1
    label = axis.label
    current = _points(axis.labelStyle.get("font-size"))
    if label is not None and current is not None:
        target = _target(axis, "label", current, factor, base_points)
        if not _same(current, target):
            style = {k: _css(v) for k, v in axis.labelStyle.items() if k != "font-size"}
            axis.labelStyle = {"font-size": f"{target:g}pt", **style}
            label.setHtml(axis.labelString())
            axis.setStyle()  # re-measures the room for ticks and label, and redraws
            axis.resizeEvent()  # puts the label back in the middle
            changed += 1
    vertical = axis.orientation in ("left", "right")
    fixed = axis.fixedWidth if vertical else axis.fixedHeight
    if fixed is not None:  # room its owner reserved for the tick labels grows with them
        slot = "width" if vertical else "height"
        target = float(round(_target(axis, slot, float(fixed), factor, float(fixed))))
        if not _same(float(fixed), target):
            (axis.setWidth if vertical else axis.setHeight)(int(target))
            changed += 1
    return changed


def _label(label: pg.LabelItem, factor: float, base_points: float) -> int:
    current = _points(label.opts.get("size"))
    if current is None:
        return 0
    target = _target(label, "size", current, factor, base_points)
    if _same(current, target):
        return 0
    label.setText(label.text, size=f"{target:g}pt")
    return 1


def _text_item(item: pg.TextItem, factor: float, base_points: float) -> int:
    font = item.textItem.font()
    if font.pointSizeF() <= 0:  # sized in pixels, to fit a cell
        return 0
    current = DEFAULT if font == QApplication.font() else font.pointSizeF()
    target = _target(item, "font", current, factor, base_points)
    if _same(current, target):
        return 0
    item.setFont(_font(target, font))
    return 1


def _legend(legend: pg.LegendItem, factor: float, base_points: float, refit: bool) -> None:
    """Entries added later take the legend's size: scale it too; fit the box to its labels
    when some text of the scene changed size."""
    current = _points(legend.opts.get("labelTextSize"))
    if current is not None:
        target = _target(legend, "size", current, factor, base_points)
        if not _same(current, target):
            legend.opts["labelTextSize"] = f"{target:g}pt"
    if refit:
        legend.updateSize()


def _title_row(plot: pg.PlotItem, factor: float) -> int:
    """A title sits in a row of fixed height (30 px, or what its owner set): it grows with the
    title, so a larger title is not cut off."""
    title = plot.titleLabel
    if not title.isVisible():
        return 0
    current = float(plot.layout.rowMaximumHeight(0))
    target = float(math.ceil(_target(plot, "title_row", current, factor, current)))
    if _same(current, target):
        return 0
    title.setMaximumHeight(target)
    plot.layout.setRowFixedHeight(0, target)
    return 1
