"""Plain text: one article per ``.txt`` file."""

from __future__ import annotations

from pathlib import Path

from annotator.importers.base import Where, default_title, path_text, read_text, validate
from annotator.model import ImportedDoc


def read(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read one article from a UTF-8 text file.

    The title is the first non-empty line (trimmed, at most about 120 characters); the text is
    kept exactly, line endings included.

    Parameters
    ----------
    path
        A ``.txt`` file.

    Returns
    -------
    tuple[list[ImportedDoc], list[str]]
        One document and no warnings.
    """
    text = read_text(path)
    where = Where(path)
    doc = ImportedDoc(text=text, location=str(where), title=default_title(text), source=path_text(path))
    return [validate(doc, where)], []
