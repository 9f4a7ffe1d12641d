"""Model files of format version 1 (torch zip files written by digitlab 0.1), read safely.

`torch.load(weights_only=True)` runs no code from the file, but a file can still lie: a 3 KB file
can hold tensors that are views of one number claiming gigabytes, which become real memory the
moment they are copied. So the numbers the tensors claim are counted before any is copied, and
must fit the file that holds them.

The window's process never imports torch (seconds and hundreds of MB), so there the file is read
by a helper process, one per file: it is killed on a timeout, its death is one line, it ends
with its parent even when the parent is killed, and an exiting parent kills it (atexit), so no
helper outlives the window even when the thread that waited for it was abandoned.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import numpy as np

from digitlab.core.errors import CheckpointError

LEGACY_VERSION = 1
FORMAT = "digitlab-checkpoint"
# Far more than any digitlab net (the shipped robust 784→400→200→10 has 0.4 M); 200 MB of floats.
MAX_LEGACY_NUMBERS = 50_000_000
# A helper that has not answered by then is killed (it starts Python and imports torch: ~3 s).
HELPER_TIMEOUT_S = 120.0

Legacy = tuple[Any, dict[str, np.ndarray], Any]  # spec fields, arrays by name, metadata
_helpers: set[multiprocessing.process.BaseProcess] = set()
_helpers_lock = threading.Lock()


def read_legacy(path: Path) -> Legacy:
    """Spec, arrays and metadata of a digitlab 0.1 torch file; CheckpointError on any problem."""
    if "torch" in sys.modules:
        return read_legacy_here(path)
    return read_in_helper(path)


def read_in_helper(path: Path, target: Callable[..., None] | None = None) -> Legacy:
    """Read the file in a fresh process (spawned: no torch, no threads inherited) and wait for
    its answer, its death or the timeout, whichever comes first. `target` is for the tests."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    helper = context.Process(
        target=target or _serve, args=(path, sender), name="digitlab-model-reader", daemon=True
    )
    with _helpers_lock:
        _helpers.add(helper)
    try:
        helper.start()
        sender.close()
        return _answer(path, helper, receiver)
    finally:
        _end(helper)
        receiver.close()


def _answer(path: Path, helper: multiprocessing.process.BaseProcess, receiver: Connection) -> Any:
    ready = wait([receiver, helper.sentinel], timeout=HELPER_TIMEOUT_S)
    if not ready:
        raise CheckpointError(
            f"{path}: reading this old model file took over {HELPER_TIMEOUT_S:g} s; "
            "it was stopped (convert it with a digitlab that reads it, or train a new one)"
        )
    try:
        kind, value = receiver.recv() if receiver in ready or receiver.poll() else ("died", None)
    except (EOFError, OSError):  # it died while sending
        kind, value = "died", None
    if kind == "ok":
        return value
    if kind == "error":
        raise CheckpointError(str(value))
    helper.join(1.0)
    raise CheckpointError(
        f"{path}: the process reading this old model file ended without an answer "
        f"(exit code {helper.exitcode}); try again, or open a .safetensors model"
    )


def _end(helper: multiprocessing.process.BaseProcess) -> None:
    """Kill the helper if it still runs, and reap it."""
    try:
        if helper.is_alive():
            helper.kill()
        helper.join(5.0)
    except (AssertionError, ValueError, OSError):  # never started, or already closed
        pass
    with _helpers_lock:
        _helpers.discard(helper)


@atexit.register
def _end_all_helpers() -> None:
    """At exit (the window runs atexit handlers before os._exit) no helper is left behind."""
    with _helpers_lock:
        helpers = list(_helpers)
    for helper in helpers:
        _end(helper)


def _die_with_parent() -> None:
    """In the helper: end at once when the parent is gone (killed, crashed, or exited)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="digitlab-parent-watch", daemon=True).start()
    if sys.platform.startswith("linux"):  # also while a C call holds the GIL from the thread
        import ctypes
        import signal

        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _serve(path: Path, sender: Connection) -> None:
    """The helper: read the file, send ('ok', result) or ('error', message), and end."""
    _die_with_parent()
    try:
        answer: tuple[str, Any] = ("ok", read_legacy_here(path))
    except CheckpointError as exc:
        answer = ("error", str(exc))
    except BaseException as exc:  # MemoryError, a torch bug: still one line in the parent
        answer = ("error", f"{path} is not a digitlab model ({_short(exc)})")
    sender.send(answer)
    sender.close()


def _short(exc: BaseException) -> str:
    from digitlab.core.checkpoint import short_reason

    return short_reason(exc)


MAX_PLAIN_VALUES = 100_000  # spec and metadata hold a few dozen values
MAX_PLAIN_DEPTH = 64
MAX_PLAIN_TEXT = 10_000


def _plain(value: Any) -> Any:
    """Spec and metadata as plain JSON data: a tensor or other object there becomes its type's
    name (a tensor in the metadata is never copied). Every value is counted as it is visited,
    shared ones each time, so a pickle that nests one list in itself ten times ("billion
    laughs": 34 KB that would expand to gigabytes) stops at MAX_PLAIN_VALUES with a ValueError."""
    seen = 0

    def walk(item: Any, depth: int) -> Any:
        nonlocal seen
        seen += 1
        if seen > MAX_PLAIN_VALUES:
            raise ValueError(f"its spec and metadata hold over {MAX_PLAIN_VALUES:,} values")
        if depth > MAX_PLAIN_DEPTH:
            raise ValueError(f"its spec or metadata is nested over {MAX_PLAIN_DEPTH} deep")
        if isinstance(item, dict):
            return {str(key)[:200]: walk(inner, depth + 1) for key, inner in item.items()}
        if isinstance(item, (list, tuple)):
            return [walk(inner, depth + 1) for inner in item]
        if isinstance(item, str):
            return item[:MAX_PLAIN_TEXT]
        if item is None or isinstance(item, (bool, float)):
            return item
        if isinstance(item, int):
            return item if -(2**63) <= item < 2**63 else "<int>"
        return f"<{type(item).__name__}>"

    return walk(value, 0)


def read_legacy_here(path: Path) -> Legacy:
    """Read the file in this process (torch is imported here)."""
    import torch

    from digitlab.core.checkpoint import unsupported_version

    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle, zip and unpickler errors: a zip that is not a model
        raise CheckpointError(f"{path} is not a digitlab model (unreadable torch file: "
                              f"{_short(exc)})") from None  # fmt: skip
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is not a digitlab model (a torch file without digitlab's model description)"
        )
    version = payload.get("version")
    if version == LEGACY_VERSION + 1:
        raise CheckpointError(
            f"{path} is not a digitlab model (a torch file that claims version 2; digitlab "
            "writes version 2 model files as safetensors, never as torch files)"
        )
    if version != LEGACY_VERSION:
        raise unsupported_version(path, version)
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path}: the model file is damaged (no weights)")
    for name, tensor in state.items():
        if tensor.dtype != torch.float32 or tensor.layout != torch.strided:
            kind = tensor.dtype if tensor.layout == torch.strided else tensor.layout
            raise CheckpointError(f"{path}: the model file is damaged ({str(name)[:40]} is "
                                  f"{kind}; digitlab models hold float32 weights)")  # fmt: skip
    _check_claimed_size(path, state)
    arrays = {}
    for name, tensor in state.items():
        try:
            arrays[str(name)[:200]] = np.array(tensor.detach().numpy(), np.float32, copy=True)
        except (RuntimeError, TypeError, ValueError) as exc:  # a view numpy cannot take
            raise CheckpointError(f"{path}: the model file is damaged ({_short(exc)})") from None
    try:
        spec, meta = _plain(payload.get("spec")), _plain(payload.get("meta", {}))
    except ValueError as exc:
        raise CheckpointError(f"{path}: the model file is damaged ({exc})") from None
    return spec, arrays, meta


def _check_claimed_size(path: Path, state: dict[Any, Any]) -> None:
    """The numbers the tensors claim, counted before any is copied: at most what the file holds
    (each stored number takes 4 bytes) and at most MAX_LEGACY_NUMBERS."""
    claimed = sum(int(tensor.numel()) for tensor in state.values())
    if claimed > MAX_LEGACY_NUMBERS:
        raise CheckpointError(
            f"{path}: the model file is damaged (its weights claim {claimed:,} numbers; a "
            f"digitlab model has at most {MAX_LEGACY_NUMBERS:,})"
        )
    size = path.stat().st_size
    if 4 * claimed > size:
        raise CheckpointError(
            f"{path}: the model file is damaged (its weights claim {claimed:,} numbers, but the "
            f"file holds only {size:,} bytes)"
        )
