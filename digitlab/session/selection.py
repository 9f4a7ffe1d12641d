"""What the user has picked to look at: a hidden unit, a class, a test image.

Views never talk to each other: one view selects (a click on a weight tile) and others follow
(the unit's detail, its top images) by listening here.
"""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import Signal


@dataclass(frozen=True)
class UnitRef:
    """Unit `index` of layer `layer` (0 = the first hidden layer, or the output layer)."""

    layer: int
    index: int


@dataclass(frozen=True)
class ImageRef:
    """Image `index` of a dataset split ('train' or 'test')."""

    split: str
    index: int


class Selection:
    unit_changed = Signal(UnitRef | None)
    class_changed = Signal(int | None)  # a digit
    image_changed = Signal(ImageRef | None)

    def __init__(self) -> None:
        self._unit: UnitRef | None = None
        self._class: int | None = None
        self._image: ImageRef | None = None

    @property
    def unit(self) -> UnitRef | None:
        return self._unit

    @property
    def digit(self) -> int | None:
        return self._class

    @property
    def image(self) -> ImageRef | None:
        return self._image

    def select_unit(self, unit: UnitRef | None) -> None:
        if unit != self._unit:
            self._unit = unit
            self.unit_changed.emit(unit)

    def select_class(self, digit: int | None) -> None:
        if digit != self._class:
            self._class = digit
            self.class_changed.emit(digit)

    def select_image(self, image: ImageRef | None) -> None:
        if image != self._image:
            self._image = image
            self.image_changed.emit(image)

    def clear(self) -> None:
        self.select_unit(None)
        self.select_class(None)
        self.select_image(None)
