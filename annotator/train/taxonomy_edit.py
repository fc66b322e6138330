"""Turn a wrong issue match into an exception of the database's own taxonomy, and re-suggest.

"``phrase`` is not ``label``": :func:`preview_exception` lists the suggestions it would remove,
:func:`apply_exception` writes the taxonomy beside the database, records it in the store
(:func:`annotator.store.provenance.record_user_taxonomy`) and re-suggests the issues it touches.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from annotator import model as m
from annotator.store.provenance import record_user_taxonomy, user_taxonomy
from annotator.train.progress import Cancel, Progress, check_cancelled
from annotator.train.refresh import refresh_suggestions

if TYPE_CHECKING:
    from annotator.store import Store


def _exception_pipeline():
    """The English model's tokenizer and lemmatizer: what the issue ruler matches against."""
    from annotator.suggest import load_pipeline

    return load_pipeline(None, exclude=["parser", "ner"])


def preview_exception(
    store: Store,
    label: str,
    phrase: str,
    annotator: str | None = None,
    nlp: Any = None,
    progress: Progress = None,
    cancelled: Cancel = None,
) -> tuple[str, list]:
    """The pending issue suggestions an exception "``phrase`` is not ``label``" would remove.

    Parameters
    ----------
    store
        The database.
    label
        The issue (it must be in the database's taxonomy).
    phrase
        Words as written ("trade unions"); they are turned into lemmas.
    annotator
        Only suggestions still pending for this annotator (None: every current suggestion).
    nlp
        The pipeline whose tokenizer and lemmatizer the issue ruler uses (default: the English
        model without parser and entity recogniser).

    Returns
    -------
    (pattern, list of ExceptionMatch)
        The exception as lemmas, and every suggestion it would remove with its context.
    """
    from annotator.suggest.taxonomy import load_taxonomy
    from annotator.train.exceptions import blocked_by, exception_phrase

    taxonomy = load_taxonomy(user_taxonomy(store))
    taxonomy.issue(label)  # the error lists the valid labels
    nlp = nlp if nlp is not None else _exception_pipeline()
    pattern = exception_phrase(nlp, phrase)
    words = [w for w in phrase.lower().split() if w]
    todo = []
    for aid, text in store.texts():
        low = text.lower()
        if not all(w[:4] in low for w in words):  # cheap filter before spaCy
            continue
        found = [
            (s.id, s.start, s.end)
            for s in store.suggestions(aid, annotator)
            if s.layer == m.ISSUE and s.label == label and (annotator is None or s.status == m.PENDING)
        ]
        if found:
            todo.append((aid, text, found))
    check_cancelled(cancelled, "previewing the exception")
    matches = blocked_by(nlp, label, pattern, todo)
    if progress is not None:
        progress(len(todo), len(todo))
    return pattern, matches


def apply_exception(
    store: Store,
    label: str,
    phrase: str,
    annotator: str | None = None,
    nlp: Any = None,
    suggest_nlp: Any = None,
    progress: Progress = None,
    cancelled: Cancel = None,
) -> dict[str, Any]:
    """Add the exception to the database's own taxonomy and re-suggest the issues it touches.

    The taxonomy file is ``<db stem>.taxonomy.json`` beside the database: a copy of the one in
    use (the database's own, else the bundled one) with the exception and a new version. It is
    recorded in the store setting ``taxonomy``, which ``annotator suggest`` and the window use
    from then on. The articles with a matching suggestion get new issue suggestions (the
    matching ones are gone; decisions are kept).

    Returns
    -------
    dict
        ``{"pattern", "taxonomy" (path), "source", "removed": [ExceptionMatch], "articles"}``.
    """
    from annotator.suggest.taxonomy import load_taxonomy
    from annotator.train.exceptions import with_exception

    pattern, matches = preview_exception(store, label, phrase, None, nlp=nlp, cancelled=cancelled)
    current = load_taxonomy(user_taxonomy(store))
    updated = with_exception(current, label, pattern)
    path = store.path.with_name(store.path.stem + ".taxonomy.json")
    part = path.with_name(f".{path.name}.part")
    part.write_text(json.dumps(updated.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    try:
        load_taxonomy(part)  # never record a file that does not load
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    record_user_taxonomy(store, path)
    articles = sorted({mt.article_id for mt in matches})
    refreshed = {"articles": 0}
    if articles:
        refreshed = refresh_suggestions(
            store,
            annotator or "",
            taxonomy=path,
            entities=False,
            issues=True,
            articles=articles,
            nlp=suggest_nlp,
            progress=progress,
            cancelled=cancelled,
        )
    return {
        "pattern": pattern,
        "taxonomy": path,
        "source": updated.source,
        "removed": matches,
        "articles": refreshed["articles"],
    }
