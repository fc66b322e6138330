"""Where an export lands: a file or folder written under a temporary name, renamed when complete.

- The temporary name is ``.NAME.PID.XXXXXXXX.part`` beside the target: two exports to the same
  path, in two processes or two threads, never write into each other's file.
- What the system refuses (a folder that does not exist, a full disk, no permission) is an
  :class:`~annotator.errors.OutputError` naming the path the user gave, never the temporary
  one; nothing is left at either name.
- On every way out (an error, a cancel, Ctrl+C, the SIGTERM the CLI turns into
  ``KeyboardInterrupt``) the temporary file or folder is removed. One left by a process that
  could not clean up (SIGKILL, a power cut) is removed by the next export to the same path:
  its process id is in its name, and that process is gone.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO

from annotator.errors import AnnotatorError, OutputError

_SUFFIX = ".part"


def _prefix(target: Path) -> str:
    return f".{target.name}."


def _part_name(target: Path) -> re.Pattern[str]:
    """The temporary names of exports to ``target``: ours (with a process id), or an older
    version's ``.NAME.part``."""
    return re.compile(re.escape(f".{target.name}") + r"(?:\.(\d+)\.[0-9a-f]{8})?" + re.escape(_SUFFIX))


def _running(pid: int) -> bool:
    if os.name != "posix":
        return True  # no cheap and harmless test: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove the temporary files and folders of exports to ``target`` whose process is gone.

    Returns
    -------
    list[Path]
        What was removed.
    """
    pattern = _part_name(target)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed  # the folder is not there: the export itself will say so
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None:
            continue
        pid = int(found.group(1)) if found.group(1) else None
        if pid is not None and (pid == os.getpid() or _running(pid)):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _problem(target: Path, exc: OSError, folder: bool) -> OutputError:
    """A plain message for what the system refused, about ``target``."""
    what = "folder" if folder else "file"
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return OutputError(
            f"cannot write {target}: the disk is full",
            "nothing was written; free some space or export to another disk",
        )
    if code == errno.ENOENT and not target.parent.is_dir():
        return OutputError(
            f"cannot write {target}: the folder {target.parent} does not exist",
            "create it first, or choose another folder",
        )
    if code == errno.EROFS:
        return OutputError(
            f"cannot write {target}: {target.parent} is on a read-only disk", "export to another folder"
        )
    if code in (errno.EACCES, errno.EPERM):
        return OutputError(
            f"cannot write {target}: you may not write in {target.parent}", "export to another folder"
        )
    if code == errno.EISDIR or (not folder and target.is_dir()):
        return OutputError(f"cannot write {target}: it is a folder", f"give the name of a {what}")
    return OutputError(f"cannot write {target}: {exc.strerror or exc}")


def _about_us(exc: OSError, target: Path) -> bool:
    """True when ``exc`` is the system refusing our files (not, say, a model file that is missing)."""
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    if not names:
        return True  # a write or flush: the file being written
    ours = str(target.parent / _prefix(target))
    return any(n in (str(target), str(target.parent)) or n.startswith(ours) for n in names)


def _new_part(target: Path, folder: bool) -> Path:
    """A new temporary file or folder for ``target``, made with the usual permissions (umask)."""
    while True:
        part = target.with_name(f"{_prefix(target)}{os.getpid()}.{secrets.token_hex(4)}{_SUFFIX}")
        try:
            if folder:
                os.mkdir(part)
            else:
                os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return part


def _check_target(target: Path, folder: bool) -> None:
    if not folder and target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder", "give the name of a file")
    if folder and target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise AnnotatorError(f"{target} exists and is not an empty folder", "give the name of a new folder")


def write_file(target: Path, binary: bool, write: Callable[[IO], int]) -> int:
    """Run ``write(stream)`` into a temporary file that becomes ``target`` when it returns.

    Parameters
    ----------
    target
        The path the user gave.
    binary
        Open the stream for bytes, else for UTF-8 text with ``\\n`` line ends.
    write
        Writes the export; returns the count it reports. Whatever it raises is raised again,
        after the temporary file is removed.

    Returns
    -------
    int
        What ``write`` returned.

    Raises
    ------
    OutputError
        The folder does not exist, the disk is full, writing there is not allowed.
    """
    _check_target(target, folder=False)
    remove_stale_parts(target)
    part: Path | None = None
    try:
        part = _new_part(target, folder=False)
        mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": "\n"}
        with open(part, **mode) as fh:
            count = write(fh)
        os.replace(part, target)
        part = None
    except OSError as exc:
        if not _about_us(exc, target):
            raise
        raise _problem(target, exc, folder=False) from exc
    finally:
        if part is not None:
            part.unlink(missing_ok=True)
    return count


def write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` as :func:`write_file` does."""
    write_file(target, False, lambda fh: fh.write(text))


def write_folder(target: Path, write: Callable[[Path], int]) -> int:
    """Run ``write(folder)`` into a new temporary folder that becomes ``target`` when it returns.

    ``target`` must not exist or be an empty folder; the folders above it are made if missing.
    Otherwise as :func:`write_file`.
    """
    _check_target(target, folder=True)
    part: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(target)
        part = _new_part(target, folder=True)
        count = write(part)
        if target.exists():
            target.rmdir()
        part.rename(target)
        part = None
    except OSError as exc:
        if not _about_us(exc, target):
            raise
        raise _problem(target, exc, folder=True) from exc
    finally:
        if part is not None:
            shutil.rmtree(part, ignore_errors=True)
    return count
