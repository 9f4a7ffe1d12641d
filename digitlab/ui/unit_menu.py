"""Right-click on a hidden unit, in any view that draws units: act on it in the neuron lab.

One menu for the hidden-unit, activation and weight views: switch the unit off, clamp it to a
value, or restore it (`session.edits`), plus showing the Neuron lab. The views only say which
unit was clicked; what an edit is lives in the session.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from digitlab.session import Session
from digitlab.session.selection import UnitRef


def is_hidden(session: Session, unit: UnitRef) -> bool:
    entry = session.models.current
    hidden = entry.network.spec.hidden if entry is not None else ()
    return 0 <= unit.layer < len(hidden) and 0 <= unit.index < hidden[unit.layer]


def offer_unit_actions(parent: QWidget, session: Session, unit: UnitRef, where: QPoint) -> None:
    """Select the unit and show the menu at `where` (global); nothing for an output unit."""
    session.selection.select_unit(unit)
    if not is_hidden(session, unit):
        return
    edits = session.edits
    edit = edits.edit_of(unit.layer, unit.index)
    menu = QMenu(parent)
    title = menu.addAction(f"Hidden layer {unit.layer + 1}, unit {unit.index}")
    title.setEnabled(False)
    off = menu.addAction("Switch off")
    clamp = menu.addAction("Clamp to…")
    restore = menu.addAction("Restore")
    restore.setEnabled(edit is not None)
    chosen = menu.exec(where)
    if chosen is off:
        edits.switch_off(unit.layer, unit.index)
    elif chosen is clamp:
        start = edit.value if edit is not None and edit.value is not None else 5.0
        value, ok = QInputDialog.getDouble(parent, "Clamp a unit",
                                           f"Output of unit {unit.index} for every input:",
                                           start, -100.0, 100.0, 2)  # fmt: skip
        if ok:
            edits.clamp(unit.layer, unit.index, value)
    elif chosen is restore:
        edits.restore(unit.layer, unit.index)
