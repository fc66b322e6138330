"""Active learning: the unfinished articles the trained model is least sure about come first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from annotator import model as m
from annotator.errors import ModelError
from annotator.store.provenance import trained_model
from annotator.train.progress import Cancel, Progress

if TYPE_CHECKING:
    from annotator.store import Store


def uncertainty_order(
    store: Store,
    annotator: str,
    model: str | Path | None = None,
    base: str | Path | None = None,
    progress: Progress = None,
    cancelled: Cancel = None,
) -> list[tuple[str, float]]:
    """The articles ``annotator`` has not finished, the ones the model is least sure about first.

    See :mod:`annotator.train.active` for what "uncertain" means. Ties keep import order.

    Parameters
    ----------
    store
        The database.
    annotator
        Whose unfinished (to-do or in-progress) articles.
    model
        The trained pipeline (default: the recorded one).
    base
        The starting pipeline the entity disagreements are counted against (default: the
        English model; pass ``""`` to count issue margins only).
    progress, cancelled
        As everywhere; nothing is written in any case.

    Returns
    -------
    list of (article_id, uncertainty)

    Raises
    ------
    ModelError
        If no trained pipeline is recorded and none is given.
    """
    import spacy

    from annotator.suggest import load_pipeline
    from annotator.train import components  # noqa: F401
    from annotator.train.active import article_uncertainty

    path = model or trained_model(store)
    if path is None:
        raise ModelError("no trained pipeline yet", hint="run `annotator train` first")
    nlp = spacy.load(path)
    reference = None if base == "" else load_pipeline(base)
    finished = {aid for aid, _, state in store.article_states(annotator) if state in (m.DONE, m.SKIPPED)}
    pairs = [(aid, text) for aid, text in store.texts() if aid not in finished]
    scores = article_uncertainty(
        nlp, [t for _, t in pairs], reference=reference, progress=progress, cancelled=cancelled
    )
    ranked = sorted(
        enumerate(zip((aid for aid, _ in pairs), scores, strict=True)), key=lambda t: (-t[1][1], t[0])
    )
    return [pair for _, pair in ranked]
