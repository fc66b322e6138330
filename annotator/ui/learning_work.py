"""The Model menu's work, run on a worker thread with a store of its own, and what it hands back.

Each function takes the worker's store first and ``progress``/``cancelled`` as keywords
(:func:`annotator.ui.worker.run_on_store`), calls :mod:`annotator.train` and returns plain data.
No Qt here.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.errors import Cancelled

TRAINING = "Training from the annotations"
RESUGGESTING = "Re-suggesting the articles not done yet"


@dataclass
class RetrainOutcome:
    """What a retrain run did.

    Attributes
    ----------
    report
        The core's :class:`~annotator.train.TrainReport` (the model is written and recorded).
    refreshed
        What :func:`annotator.train.refresh_suggestions` returned; None when re-suggesting was
        cancelled or failed (the suggestions are then as they were).
    refresh_error
        The error re-suggesting raised, if any.
    """

    report: Any
    refreshed: dict[str, Any] | None
    refresh_error: BaseException | None = None


@dataclass(frozen=True)
class IssueTarget:
    """The issue suggestion an exception is made from."""

    suggestion_id: int
    article_id: str
    label: str
    start: int
    end: int
    text: str  # the suggested words
    phrase: str  # the words around them proposed as the exception ("trade union")


def retrain(
    store,
    *,
    who: str,
    load_base: Callable[[], Any] | None,
    epochs: int,
    force: bool,
    progress: Callable[..., None],
    cancelled: Callable[[], bool],
) -> RetrainOutcome:
    """Train on ``who``'s annotations, then re-suggest the articles not done with the new model."""
    from annotator import train

    report = train.train(
        store,
        annotator=who,
        layer="both",
        epochs=epochs,
        load_base=load_base,
        progress=lambda d, t: progress(d, t, TRAINING),
        cancelled=cancelled,
        force=force,
    )
    if not report.adopted:
        # Scored lower than before on held-out articles: the suggestions stay as they are.
        return RetrainOutcome(report, None)
    # The model is written and recorded now: a cancel or failure of the re-suggesting keeps
    # it and leaves the old suggestions, and the user is told so.
    try:
        refreshed = train.refresh_suggestions(
            store, who, progress=lambda d, t: progress(d, t, RESUGGESTING), cancelled=cancelled
        )
    except Cancelled:
        return RetrainOutcome(report, None)
    except Exception as exc:  # noqa: BLE001 - delivered to the GUI with the report
        exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
        return RetrainOutcome(report, None, exc)
    return RetrainOutcome(report, refreshed)


def uncertainty(store, *, who: str, base: str | Path | None, progress, cancelled) -> list[tuple[str, float]]:
    """``[(article_id, uncertainty)]`` of ``who``'s unfinished articles, most uncertain first."""
    from annotator import train

    return train.uncertainty_order(store, who, base=base, progress=progress, cancelled=cancelled)


def preview_exception(store, *, label: str, phrase: str, who: str, nlp: Any, progress, cancelled):
    """``(pattern, matches, titles)``: the pending suggestions the exception would remove."""
    from annotator import train

    pattern, matches = train.preview_exception(
        store, label, phrase, annotator=who, nlp=nlp, progress=progress, cancelled=cancelled
    )
    titles = {r.id: r.title for r in store.article_rows(sorted({mt.article_id for mt in matches}), who)}
    return pattern, matches, titles


def apply_exception(store, *, label: str, phrase: str, nlp: Any, suggest_nlp: Any, progress, cancelled):
    """Add the exception to the taxonomy and re-suggest where it matched (see :func:`annotator.train.apply_exception`)."""
    from annotator import train

    return train.apply_exception(
        store, label, phrase, nlp=nlp, suggest_nlp=suggest_nlp, progress=progress, cancelled=cancelled
    )


def exception_phrase_around(text: str, start: int, end: int) -> str:
    """The suggested words with the word after them ("trade" in "trade union" -> "trade union").

    The word before is used when nothing follows; the words alone when neither exists.
    """
    after = re.match(r"[ \t\-]*([^\W_][\w'’-]*)", text[end:])
    if after:
        return " ".join((text[start:end] + text[end : end + after.end()]).split())
    before = re.search(r"([^\W_][\w'’-]*)[ \t\-]*$", text[:start])
    if before:
        return " ".join((text[before.start() : end]).split())
    return " ".join(text[start:end].split())
