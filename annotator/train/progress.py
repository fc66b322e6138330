"""Progress and cancelling, as every function of :mod:`annotator.train` that takes a store uses them."""

from __future__ import annotations

from collections.abc import Callable

from annotator.errors import Cancelled

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def check_cancelled(cancelled: Cancel, what: str) -> None:
    """Raise :class:`~annotator.errors.Cancelled` for ``what`` when ``cancelled()`` turns true."""
    if cancelled is not None and cancelled():
        raise Cancelled(f"{what} was cancelled; nothing was written")
