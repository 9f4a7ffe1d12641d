"""Guards against a broken Qt binding: PySide6 6.12.0 on Python < 3.12 loses a reference to None
on every void call (QLabel.setText, ImageItem.setImage, …) and aborts the app within minutes of
live plotting. pyproject.toml caps the version; this test catches a relapse."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_void_qt_calls_keep_none_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
        label.setObjectName("y")
    assert sys.getrefcount(None) - before > -50
