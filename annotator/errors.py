"""One error hierarchy for the whole core.

Every message says what happened and, where it helps, what to do next. The CLI turns an
:class:`AnnotatorError` into one line and a non-zero exit; the window shows it in a dialog.
"""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base of every error the core raises on purpose.

    Parameters
    ----------
    message
        What happened, in plain words.
    hint
        Optional next step for the user ("run `annotator labels add ...`").
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputError(AnnotatorError):
    """A file given to an importer is not what it claims to be.

    The message names the file and, when known, the line or record.
    """

    exit_code = 2

    def __init__(self, path: str, message: str, line: int | None = None, record: int | None = None):
        where = str(path)
        if line is not None:
            where += f":{line}"
        elif record is not None:
            where += f": record {record}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line
        self.record = record
        self.detail = message


class SpanError(AnnotatorError):
    """A span is empty, reversed, outside the text or overlaps another entity span."""


class LabelError(AnnotatorError):
    """A label is unknown, duplicated or given on the wrong layer."""


class StoreError(AnnotatorError):
    """The database cannot be opened, read or written."""


class NewerDatabaseError(StoreError):
    """The database was written by a newer version of annotator; it is left untouched."""


class OutputError(AnnotatorError):
    """A file or folder an export writes cannot be written (no such folder, a full disk, no permission)."""


class NotFoundError(AnnotatorError):
    """An article, span, suggestion or label that was asked for does not exist."""


class ModelError(AnnotatorError):
    """A spaCy pipeline or taxonomy cannot be loaded."""


class ClusterError(AnnotatorError):
    """A Dask cluster cannot be reached or used (``annotator suggest --cluster``)."""


class NothingToDo(AnnotatorError):
    """Undo or redo found nothing to undo or redo."""

    exit_code = 0


class Cancelled(AnnotatorError):
    """Long work was cancelled by the user; nothing of it was written."""
