"""Put annotator in the desktop's application menu: a freedesktop ``.desktop`` entry and icons.

``annotator install-desktop`` writes them under ``$XDG_DATA_HOME`` (``~/.local/share``), where
GNOME, KDE, Xfce and the other freedesktop desktops look for a user's own applications; nothing
needs root. The entry starts this very installation by its absolute path (the bundle's
executable, the console script of the venv or pipx, or ``python -m annotator``), so the menu
works even when that folder is not on the desktop session's ``PATH``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.paths import resource

DESKTOP_FILE = "annotator.desktop"
ICON_NAME = "annotator"
_PNG_RE = re.compile(r"annotator-(\d+)\.png$")
# Characters that make the desktop entry spec ask for a quoted Exec argument.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def data_home() -> Path:
    """``$XDG_DATA_HOME``, else ``~/.local/share``: where a user's menu entries and icons go."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launch_command() -> list[str]:
    """The command that starts this installation, as absolute paths.

    The bundle's executable when frozen; else the ``annotator`` script beside the interpreter
    (a venv's or pipx's ``bin``); else the interpreter with ``-m annotator``.
    """
    exe = Path(sys.executable)
    if getattr(sys, "frozen", False):
        return [str(exe.resolve())]
    # Not resolved: a venv's python is a link to the base interpreter, whose bin has no script.
    script = exe.with_name("annotator.exe" if os.name == "nt" else "annotator")
    if script.is_file():
        return [str(script.absolute())]
    return [str(exe.absolute()), "-m", "annotator"]


def _exec_quote(arg: str) -> str:
    """One Exec argument, quoted as the desktop entry spec says (and ``%`` doubled)."""
    arg = arg.replace("%", "%%")
    if not any(ch in _RESERVED for ch in arg):
        return arg
    escaped = re.sub(r'(["`$\\])', r"\\\1", arg)
    # The whole value is a desktop-file string too, whose own escape for a backslash is \\.
    return '"' + escaped.replace("\\", "\\\\") + '"'


def desktop_entry(command: Sequence[str] | None = None) -> str:
    """The ``.desktop`` entry (``resources/annotator.desktop``) starting ``command``.

    Parameters
    ----------
    command
        The program and its leading arguments; :func:`launch_command` when None.
    """
    command = list(command) if command is not None else launch_command()
    template = resource(DESKTOP_FILE).read_text(encoding="utf-8")
    return template.replace("@EXEC@", " ".join(_exec_quote(a) for a in command))


def icon_files() -> list[tuple[Path, str]]:
    """The bundled icons with the hicolor theme folder each belongs in (``48x48``, ``scalable``)."""
    icons = resource("icons")
    sizes = {
        int(m.group(1)): png for png in icons.glob(f"{ICON_NAME}-*.png") if (m := _PNG_RE.search(png.name))
    }
    return [(icons / f"{ICON_NAME}.svg", "scalable")] + [(sizes[n], f"{n}x{n}") for n in sorted(sizes)]


def installed_paths(home: Path | None = None) -> list[Path]:
    """Where :func:`install_desktop` writes: the entry first, then one file per icon size."""
    home = home or data_home()
    paths = [home / "applications" / DESKTOP_FILE]
    for src, size in icon_files():
        paths.append(home / "icons" / "hicolor" / size / "apps" / f"{ICON_NAME}{src.suffix}")
    return paths


def install_desktop(home: Path | None = None, command: Sequence[str] | None = None) -> list[Path]:
    """Write the menu entry and the icons; the paths written.

    Parameters
    ----------
    home
        The data folder to write under; :func:`data_home` when None.
    command
        What the entry starts; :func:`launch_command` when None.

    Raises
    ------
    AnnotatorError
        When a file cannot be written (the message names it).
    """
    entry, *icon_paths = installed_paths(home)
    written: list[Path] = []
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(desktop_entry(command), encoding="utf-8")
        written.append(entry)
        for (src, _size), dest in zip(icon_files(), icon_paths, strict=True):
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            written.append(dest)
    except OSError as e:
        raise AnnotatorError(
            f"cannot write {e.filename or entry.parent}: {e.strerror or e}",
            hint="give a folder you can write to with --data-home",
        ) from None
    _refresh_menu_caches(entry.parent)
    return written


def uninstall_desktop(home: Path | None = None) -> list[Path]:
    """Remove what :func:`install_desktop` wrote; the paths removed."""
    removed = []
    for path in installed_paths(home):
        if path.is_file():
            path.unlink()
            removed.append(path)
    if removed:
        _refresh_menu_caches(removed[0].parent)
    return removed


def _refresh_menu_caches(applications: Path) -> None:
    """Tell the desktop, where its tool is installed, that the menu changed (most desktops
    also notice by themselves)."""
    tool = shutil.which("update-desktop-database")
    if tool:
        subprocess.run([tool, "-q", str(applications)], check=False, capture_output=True)
