"""Which Qt this is, from QtCore alone: no widget library, no window, no display needed."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import qVersion


def qt_version() -> str:
    """The Qt run-time version with the binding's, e.g. ``"6.11.3 (PySide6 6.11.3)"``."""
    return f"{qVersion()} (PySide6 {PySide6.__version__})"
