"""Re-suggest the articles an annotator has not finished, from the current pipeline and taxonomy."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator import model as m
from annotator.store.provenance import model_sources, trained_model, user_taxonomy
from annotator.train.progress import Cancel, Progress, check_cancelled

if TYPE_CHECKING:
    from annotator.store import Store


def refresh_suggestions(
    store: Store,
    annotator: str,
    model: str | Path | None = None,
    taxonomy: str | Path | None = None,
    entities: bool = True,
    issues: bool = True,
    articles: Sequence[str] | None = None,
    progress: Progress = None,
    cancelled: Cancel = None,
    nlp: Any = None,
    batch_size: int = 32,
) -> dict[str, Any]:
    """Re-suggest the articles ``annotator`` has not finished, replacing every model suggestion there.

    Unlike :func:`annotator.ops.suggest`, which replaces only suggestions of the same source,
    this drops the pending suggestions of *every* earlier model and taxonomy version on those
    articles (imported suggestions stay), so the annotator sees one current set. Decisions are
    kept: they are keyed by span. Articles marked done or skipped are not touched.

    Parameters
    ----------
    store
        The database.
    annotator
        Whose unfinished articles.
    model
        Pipeline (default: the recorded trained one, else the English model).
    taxonomy
        Taxonomy (default: the database's own, else the bundled one).
    entities, issues
        Which layers to re-suggest.
    articles
        Only these articles (still skipping finished ones).
    progress, cancelled
        As everywhere; articles are written in one transaction at the end, so a cancel leaves
        the old suggestions.
    nlp
        An already loaded pipeline (tests).

    Returns
    -------
    dict
        ``{"articles": n, "suggestions": n, "sources": {layer: source}}``.
    """
    from annotator.suggest import Suggester
    from annotator.train import components  # noqa: F401

    finished = {aid for aid, _, state in store.article_states(annotator) if state in (m.DONE, m.SKIPPED)}
    ids = [aid for aid in (articles if articles is not None else store.article_ids()) if aid not in finished]
    if nlp is None and model is None:
        model = trained_model(store)
    suggester = Suggester(
        model=model,
        taxonomy=taxonomy or user_taxonomy(store),
        entities=entities,
        issues=issues,
        nlp=nlp,
    )
    store.ensure_labels(suggester.labels())
    layers = {layer for layer, on in ((m.ENTITY, entities), (m.ISSUE, issues)) if on}
    old = model_sources(store, layers)
    pairs = list(store.texts(ids))
    results = []
    t0 = time.perf_counter()
    spans = suggester.suggest((t for _, t in pairs), batch_size=batch_size, cancelled=cancelled)
    for i, ((aid, _), found) in enumerate(zip(pairs, spans, strict=True)):
        results.append((aid, found))
        if progress is not None:
            progress(i + 1, len(pairs))
    check_cancelled(cancelled, "re-suggesting")
    sources = sorted(old | set(suggester.sources.values()))
    changes = store.store_suggestions(results, sources) if results else m.Changes()
    return {
        "articles": len(results),
        "suggestions": sum(len(f) for _, f in results),
        "sources": dict(suggester.sources),
        "seconds": time.perf_counter() - t0,
        "changes": changes,
    }
