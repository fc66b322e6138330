"""The user's window settings (dock sizes, View toggles, theme), outside any database.

One INI file per user (``~/.config/annotator/annotator.ini`` on Linux). Tests point it at a
folder of their own (``QSettings.setPath``), so they never read or write the user's.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings


def settings() -> QSettings:
    """The window's settings file."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "annotator", "annotator")


def read_list(key: str) -> list[str]:
    """A list of strings kept under ``key`` (empty when unset)."""
    value = settings().value(key, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def write(key: str, value) -> None:
    """Keep ``value`` under ``key`` (written to disk at once)."""
    s = settings()
    s.setValue(key, value)
    s.sync()
