"""Which records an export holds: whose work, which answers, which layer, which suggestions.

The exporters turn :class:`~annotator.export.ExportRecord` objects into files; this module
reads the store (its public API only) and decides which records there are:

- Work: one record per article and annotator (``accept``, or ``ignore`` for a skipped
  article); the reviewed gold set with ``gold``.
- Rejections: each suggestion an annotator rejected is a binary record of that one span,
  answered ``reject``, after the article's other records (what ``prodigy db-out`` writes).
- Suggestions: with ``suggestions``, the current suggestions nobody has decided on (that
  ``annotator`` has not, when given), as records without an answer and without an annotator.
- Training files (spaCy, CoNLL, brat) hold one version of each article: gold where it was
  reviewed, else the work of its only annotator; an article two annotators worked on and no
  reviewer settled is refused, naming the ways out (:func:`one_version_per_article`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial

from annotator import model as m
from annotator.errors import AnnotatorError
from annotator.export import ExportRecord, ExportSpan
from annotator.store import Store

#: What ``--answer`` chooses: the annotators' accepted work, their rejections, or both.
ANSWERS = ("accept", "reject", "all")

# The source of the suggestions an import made from rejected spans: negative examples, not
# a suggester's output.
IMPORTED_REJECTIONS = "import"

_span = partial(tuple.__new__, ExportSpan)


def unix(iso: str) -> int:
    """Unix seconds of an ISO time, 0 when there is none."""
    if not iso:
        return 0
    try:
        return int(datetime.fromisoformat(iso).timestamp())
    except ValueError:
        return 0


def work_records(
    store: Store, annotator: str | None = None, gold: bool = False, include_gold: bool = False
) -> Iterator[ExportRecord]:
    """A record per article and annotator (``gold``: the gold set only), in article order.

    The gold set's records are left out unless ``gold`` or ``include_gold``.
    """
    if gold:
        annotator = m.GOLD
        include_gold = True
    # The store's rows are (start, end, label, layer, source, origin, score): the fields of
    # ExportSpan in order, so tuple.__new__ makes each span in C (no Python call per span).
    for article, who, spans, state, at in store.export_rows(annotator=annotator):
        if who == m.GOLD and not include_gold:
            continue
        yield ExportRecord(
            article=article,
            annotator=who,
            spans=tuple(map(_span, spans)),
            answer="ignore" if state == m.SKIPPED else "accept",
            timestamp=unix(at),
            session=who,
        )


def _rejections(store: Store, annotator: str | None) -> dict[str, list[tuple[str, ExportSpan, int]]]:
    """Article id -> ``(annotator, span, time)`` of each rejected suggestion."""
    found: dict[str, list[tuple[str, ExportSpan, int]]] = {}
    for row in store.decisions(annotator):
        if row["decision"] != m.REJECTED or row["annotator"] == m.GOLD:
            continue
        span = ExportSpan(row["start"], row["end"], row["label"], row["layer"], row["source"], m.REJECTED)
        found.setdefault(row["article_id"], []).append((row["annotator"], span, unix(row["at"] or "")))
    return found


def with_rejections(
    store: Store, records: Iterable[ExportRecord], annotator: str | None, keep_work: bool = True
) -> Iterator[ExportRecord]:
    """``records`` (or none of them, without ``keep_work``) with each article's rejections after them."""
    rejected = _rejections(store, annotator)

    def binary(article: m.Article) -> Iterator[ExportRecord]:
        for who, span, at in sorted(rejected.pop(article.id, ()), key=lambda r: (r[0], r[1].start, r[1].end)):
            yield ExportRecord(article, who, (span,), "reject", at, who, binary=True)

    current: m.Article | None = None
    for record in records:
        if current is not None and record.article.id != current.id:
            yield from binary(current)
        current = record.article
        if keep_work:
            yield record
    if current is not None:
        yield from binary(current)
    for article_id in sorted(rejected):  # articles with rejections and no other work
        yield from binary(store.article(article_id))


def _suggested(store: Store) -> Iterator[tuple[m.Article, list[ExportSpan]]]:
    for article, _, spans, _, _ in store.export_rows(suggestions=True):
        yield article, [s for s in map(_span, spans) if s.source != IMPORTED_REJECTIONS]


def undecided_suggestions(store: Store, annotator: str | None = None) -> Iterator[ExportRecord]:
    """A record per article with its suggestions nobody (or ``annotator``) decided on; no answer."""
    decided = {
        (d["article_id"], d["layer"], d["start"], d["end"], d["label"]) for d in store.decisions(annotator)
    }
    for article, spans in _suggested(store):
        aid = article.id
        spans = [s for s in spans if (aid, s.layer, s.start, s.end, s.label) not in decided]
        yield ExportRecord(article, None, tuple(spans), answer=None)


def with_predictions(store: Store, records: Iterable[ExportRecord]) -> Iterator[ExportRecord]:
    """``records`` with, after each article's, a record of its current suggestions (Label Studio)."""
    suggested = {article.id: spans for article, spans in _suggested(store) if spans}
    current: m.Article | None = None
    for record in records:
        if current is not None and record.article.id != current.id and current.id in suggested:
            yield ExportRecord(current, None, tuple(suggested[current.id]), answer=None)
        current = record.article
        yield record
    if current is not None and current.id in suggested:
        yield ExportRecord(current, None, tuple(suggested[current.id]), answer=None)


def one_version_per_article(store: Store, records: Iterable[ExportRecord]) -> Iterator[ExportRecord]:
    """Gold where reviewed, else the only annotator's record; several without gold are refused.

    ``records`` must include the gold records. The check runs over the store first, so a
    refusal comes before anything is written.

    Raises
    ------
    AnnotatorError
        Articles with work from several annotators and no gold version, naming the options.
    """
    people = {name for name in store.annotators() if name != m.GOLD}
    if len(people) > 1:
        _refuse_contradictions(store)
    group: list[ExportRecord] = []
    for record in records:
        if group and record.article.id != group[0].article.id:
            yield _chosen(group)
            group = []
        group.append(record)
    if group:
        yield _chosen(group)


def _chosen(group: list[ExportRecord]) -> ExportRecord:
    return next((r for r in group if r.annotator == m.GOLD), group[0])


def _refuse_contradictions(store: Store) -> None:
    by_article: dict[str, set[str]] = {}
    for article, who, *_ in store.export_rows():
        by_article.setdefault(article.id, set()).add(who)
    clashes = [
        (aid, sorted(names)) for aid, names in by_article.items() if len(names) > 1 and m.GOLD not in names
    ]
    if not clashes:
        return
    aid, names = clashes[0]
    many = len(clashes) > 1
    raise AnnotatorError(
        f"{len(clashes)} article{'s' if many else ''} {'have' if many else 'has'} work from several annotators"
        f" and no reviewed gold version (first: article {aid[:10]} by {', '.join(names)}); a training file"
        " holds one version of each article",
        "choose --annotator NAME, --gold (after `annotator review`), or --all-annotators for one copy"
        " per annotator",
    )


def only_layer(records: Iterable[ExportRecord], layer: str) -> Iterator[ExportRecord]:
    """``records`` with the spans of ``layer`` only; a rejection of the other layer is dropped."""
    for record in records:
        spans = tuple(s for s in record.spans if s.layer == layer)
        if record.binary and not spans:
            continue
        yield (
            record
            if len(spans) == len(record.spans)
            else ExportRecord(
                record.article,
                record.annotator,
                spans,
                record.answer,
                record.timestamp,
                record.session,
                record.binary,
            )
        )
