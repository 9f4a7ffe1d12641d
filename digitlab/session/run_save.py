"""What a trained model says about itself: its one-line description and its file's metadata,
and writing it to a file in the background."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from psygnal import SignalInstance

from digitlab.core.checkpoint import percent_text, save_checkpoint
from digitlab.core.choices import DATASET_LABELS
from digitlab.core.network import Network
from digitlab.core.pen_width import pen_meta
from digitlab.session.jobs import JobRunner
from digitlab.session.notices import Notices
from digitlab.session.run_settings import RunSettings


def describe(network: Network, settings: RunSettings, test_accuracy: float | None) -> str:
    """'784→16→10 relu · classes 0 1 · test 91.7 %', as model files are described."""
    parts = [network.spec.describe()]
    if settings.classes:
        parts.append("classes " + " ".join(str(c) for c in settings.classes))
    if settings.dataset != "mnist":
        parts.append(DATASET_LABELS.get(settings.dataset, settings.dataset))
    if test_accuracy is not None:
        parts.append(f"test {percent_text(test_accuracy)}")
    return " · ".join(parts)


def checkpoint_meta(
    settings: RunSettings,
    classes: tuple[int, ...],
    epochs: float,
    samples: int,
    test_accuracy: float | None,
) -> dict[str, Any]:
    """The metadata a model file of the window records (enough to train it again)."""
    return {
        "dataset": settings.dataset,
        "classes": list(classes),
        "preprocessing": "mnist",
        "epochs": round(epochs, 3),
        "samples_seen": samples,
        "test_accuracy": test_accuracy,
        "train": settings.config().recorded(),
        "source": "digitlab window",
        **pen_meta(settings.augment),
    }


def save_model(
    jobs: JobRunner,
    notices: Notices,
    saved: SignalInstance,
    network: Network,
    meta: dict[str, Any],
    path: str | Path,
) -> None:
    """Write the model in the background; `saved` (the path) and a notice follow, or an error."""
    target = Path(path)

    def done(written: Path) -> None:
        notices.info(f"Saved {written}", source=str(written))
        saved.emit(written)

    jobs.submit(
        lambda context: save_checkpoint(target, network, meta),
        on_done=done,
        on_error=lambda message: notices.error(f"Could not save: {message}", str(path)),
    )
