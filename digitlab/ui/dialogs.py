"""File dialogs shared by the menus and the views, remembering the last folder used."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

if TYPE_CHECKING:
    from digitlab.session.state import Session

MODEL_FILTER = "digitlab models (*.safetensors *.pt *.pth);;All files (*)"
_last_folder = {"value": ""}


RUN_FILTER = "digitlab runs (*.safetensors);;All files (*)"
IMAGE_FILTER = (
    "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pgm *.ppm *.pbm *.ico *.tga)"
    ";;All files (*)"
)


def _ask_open(parent: QWidget | None, title: str, file_filter: str) -> str | None:
    """A file to open, starting in the last folder used; None if the user cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, _last_folder["value"], file_filter)
    if not path:
        return None
    _last_folder["value"] = str(Path(path).parent)
    return path


def ask_model_file(parent: QWidget | None) -> str | None:
    """A model file to open, or None if the user cancelled."""
    return _ask_open(parent, "Open model file", MODEL_FILTER)


def ask_image_file(parent: QWidget | None) -> str | None:
    """A picture to put on the pad (a scanned or photographed digit), or None."""
    return _ask_open(parent, "Open image", IMAGE_FILTER)


def ask_run_file(parent: QWidget | None) -> str | None:
    """A run file to open (digitlab train --history, or File → Save run…), or None."""
    return _ask_open(parent, "Open run", RUN_FILTER)


def ask_save_path(
    parent: QWidget | None, suggested_name: str, title: str = "Save model",
    kind: str = "digitlab models",
) -> str | None:  # fmt: skip
    """Where to save a model or a run (with the .safetensors suffix added when none was
    typed)."""
    start = Path(_last_folder["value"] or Path.home()) / suggested_name
    path, _ = QFileDialog.getSaveFileName(parent, title, str(start), f"{kind} (*.safetensors)")
    if not path:
        return None
    _last_folder["value"] = str(Path(path).parent)
    return path if Path(path).suffix else f"{path}.safetensors"


def _confirm_forgetting(
    parent: QWidget | None, epochs_trained: float, title: str, text: str,
    button: QMessageBox.StandardButton,
) -> bool:  # fmt: skip
    """Ask before trained weights are lost (not for a net that never trained); True: go on."""
    if epochs_trained <= 0:
        return True
    cancel = QMessageBox.StandardButton.Cancel
    return QMessageBox.question(parent, title, text, button | cancel, cancel) == button


def confirm_reset(parent: QWidget | None, epochs_trained: float) -> bool:
    """Reset forgets trained weights for good: ask first."""
    return _confirm_forgetting(
        parent, epochs_trained, "Forget the trained weights?",
        f"Reset forgets the weights trained for {epochs_trained:.3g} epochs, and their curves. "
        "Save them first (Ctrl+S) to keep them.",
        QMessageBox.StandardButton.Reset,
    )  # fmt: skip


def confirm_replace_run(parent: QWidget | None, epochs_trained: float, by: str) -> bool:
    """Training another model (`by`: "Fine-tuning") takes the run's place, and its unsaved
    weights with it: ask first."""
    return _confirm_forgetting(
        parent, epochs_trained, "Replace the trained run?",
        f"{by} trains in the run's place: the run trained for {epochs_trained:.3g} epochs, "
        "and its curves, are forgotten. Save it first (Ctrl+S) to keep it.",
        QMessageBox.StandardButton.Discard,
    )  # fmt: skip


def save_trained_model(parent: QWidget | None, session: Session) -> None:
    """Ask where, then save the run's net (the menu's Save and the run view's button)."""
    run = session.run
    if run.network is None:
        session.notices.warning("Nothing to save yet: train a model first")
        return
    sizes = "-".join(str(s) for s in run.network.spec.sizes)
    path = ask_save_path(parent, f"{run.settings.dataset}-{sizes}.safetensors")
    if path:
        run.save(path)
