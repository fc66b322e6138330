"""The UI's one error presenter: a dialog with the plain message, the traceback under details."""

from __future__ import annotations

import logging
import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from annotator.errors import AnnotatorError

log = logging.getLogger(__name__)


def error_message(exc: BaseException) -> str:
    """The text a user reads: an AnnotatorError's own message, else "Unexpected error: …"."""
    if isinstance(exc, AnnotatorError):
        return str(exc)
    text = str(exc) or type(exc).__name__
    return f"Unexpected error: {text}"


def error_details(exc: BaseException) -> str:
    """The formatted traceback (kept from a worker thread when the exception crossed threads)."""
    text = getattr(exc, "__traceback_text__", None)
    if text:
        return text
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def error_box(parent: QWidget | None, exc: BaseException, title: str = "annotator") -> QMessageBox:
    """Build (without showing) the message box :func:`show_error` shows.

    Parameters
    ----------
    parent
        The window the box belongs to.
    exc
        The error to present.
    title
        Window title.

    Returns
    -------
    QMessageBox
        A box with the plain message as text and the traceback as detailed text, so it is
        only visible under "Show Details…".
    """
    expected = isinstance(exc, AnnotatorError)
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Warning if expected else QMessageBox.Icon.Critical)
    box.setText(error_message(exc))
    box.setDetailedText(error_details(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_error(parent: QWidget | None, exc: BaseException, title: str = "annotator") -> QMessageBox:
    """Present ``exc`` to the user in a modal message box and return the box once closed.

    An :class:`~annotator.errors.AnnotatorError` shows its own message; anything else
    "Unexpected error: …" and is logged. The traceback is only under "Show Details…".
    """
    if not isinstance(exc, AnnotatorError):
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    box = error_box(parent, exc, title)
    box.exec()
    return box
