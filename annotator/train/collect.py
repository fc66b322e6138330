"""Training data from a database: one annotator's (or the gold set's) annotated articles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator import model as m
from annotator.errors import ModelError
from annotator.train.data import TrainingArticle

if TYPE_CHECKING:
    from annotator.store import Store


def collect_articles(store: Store, annotator: str | None = None, gold: bool = False) -> list[TrainingArticle]:
    """The annotated articles of one annotator (or the gold set), as training data.

    An article counts when the annotator has spans or rejections on it or marked it done;
    skipped articles are left out. It is *complete* when marked done (for gold: when any
    annotator marked it done). Rejected spans are the rejected suggestions and the original
    span of each suggestion corrected into something else (for gold: of every annotator).

    Parameters
    ----------
    store
        The database.
    annotator
        Whose work; ignored with ``gold``.
    gold
        Use the reviewed gold set instead.

    Returns
    -------
    list of TrainingArticle
        In import order.
    """
    if not gold and not annotator:
        raise ModelError("say whose annotations to train from: an annotator name or the gold set")
    who = m.GOLD if gold else annotator
    spans: dict[str, list[m.Span]] = {}
    for a in store.all_annotations(who):
        spans.setdefault(a.article_id, []).append(a.span)
    states = {aid: state for aid, _, state in store.article_states(who)}
    done = {aid for aid, state in states.items() if state == m.DONE}
    if gold:
        done = {aid for aid, w, state in store.article_states() if state == m.DONE and w != m.GOLD}
        done &= set(spans)
    rejected: dict[str, list[m.Span]] = {}
    for d in store.decisions(None if gold else who):
        if gold and d["annotator"] == m.GOLD:
            continue
        original = m.Span(d["start"], d["end"], d["label"], d["layer"])
        result = d["result"]
        if d["decision"] == m.REJECTED or (
            d["decision"] == m.CORRECTED
            and result is not None
            and (result["start"], result["end"], result["label"]) != (d["start"], d["end"], d["label"])
        ):
            rejected.setdefault(d["article_id"], []).append(original)
    if gold:
        rejected = {aid: r for aid, r in rejected.items() if aid in spans}
    skipped = {aid for aid, state in states.items() if state == m.SKIPPED}
    ids = (set(spans) | done | set(rejected)) - skipped
    out = []
    for aid, text in store.texts(sorted(ids)):
        out.append(
            TrainingArticle(
                aid,
                text,
                tuple(spans.get(aid, ())),
                tuple(sorted(set(rejected.get(aid, ())), key=lambda s: s.key)),
                complete=aid in done,
            )
        )
    return out
