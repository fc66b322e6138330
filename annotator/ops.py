"""Operations: one function per thing a user asks for, shared by the CLI and the window.

Each takes an open :class:`~annotator.store.Store` plus plain arguments, reports progress
through an optional ``progress(done, total)`` callable, stops when ``cancelled()`` turns true
(raising :class:`~annotator.errors.Cancelled` with nothing half-written), and returns plain data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator import model as m
from annotator.errors import AnnotatorError, Cancelled
from annotator.model import Label
from annotator.paths import resource
from annotator.store import Store, adjudication_labels, provenance, scope

# Import and export live in annotator.transfer; their names stay importable from here.
from annotator.transfer import EXPORT_FORMATS as EXPORT_FORMATS
from annotator.transfer import FileResult as FileResult
from annotator.transfer import export as export
from annotator.transfer import export_records as export_records
from annotator.transfer import import_paths as import_paths
from annotator.transfer import ledger_rows as ledger_rows

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def _check(cancelled: Cancel) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled("cancelled; nothing of the unfinished part was written")


# -- labels ------------------------------------------------------------------------------------


def default_entity_labels() -> list[Label]:
    """The bundled entity labels (``resources/labels.json``), validated."""
    from annotator.suggest import load_entity_labels

    return load_entity_labels()


def ensure_default_labels(store: Store, taxonomy: Path | None = None) -> list[Label]:
    """Create the bundled entity labels and the taxonomy's issue labels that are missing.

    A database getting the bundled entity labels for the first time also gets the default label
    scope (names and issues; see :mod:`annotator.store.scope`).
    """
    from annotator.suggest.taxonomy import load_taxonomy

    labels = default_entity_labels() + load_taxonomy(taxonomy).labels()
    created = store.ensure_labels(labels)
    scope.apply_default_scope(store, created)
    return created


# -- suggest -----------------------------------------------------------------------------------


@dataclass
class SuggestSummary:
    """What a suggest run wrote."""

    articles: int = 0
    words: int = 0
    spans: dict[str, int] = field(default_factory=dict)  # source -> count
    seconds: float = 0.0
    changes: m.Changes = field(default_factory=m.Changes)
    # Articles the pipeline failed on: (id, title, error); they keep what they had before.
    failed: list[tuple[str, str, str]] = field(default_factory=list)

    def count(self, text: str, spans) -> None:
        """Add one article's words and spans (per source)."""
        for s in spans:
            self.spans[s.source] = self.spans.get(s.source, 0) + 1
        self.words += len(text.split())


def suggest(
    store: Store,
    model: str | Path | None = None,
    taxonomy: Path | None = None,
    articles: Sequence[str] | None = None,
    progress: Progress = None,
    cancelled: Cancel = None,
    n_process: int = 1,
    batch_size: int = 64,
    entities: bool = True,
    issues: bool = True,
    nlp=None,
    commit_every: int = 256,
    cluster: str | None = None,
) -> SuggestSummary:
    """Suggest entity and issue spans for articles (all when ``articles`` is None).

    Suggestions of the same sources, and of earlier model or taxonomy versions on the same
    layers, are replaced; decisions already made are kept (they are keyed by span). Written in batches of ``commit_every`` articles so a cancel or crash keeps
    the finished batches, each whole. ``cluster`` runs the suggester on a Dask cluster
    (``local:N`` or a scheduler address, see :mod:`annotator.suggest.cluster`).
    """
    from annotator.suggest import Suggester
    from annotator.suggest.failures import Failed
    from annotator.train import components  # noqa: F401  registers the parts of a trained pipeline

    t0 = time.perf_counter()
    # The database's trained pipeline and own taxonomy (see `annotator train`), when recorded.
    if model is None and nlp is None:
        model = provenance.trained_model(store)
    if taxonomy is None:
        taxonomy = provenance.user_taxonomy(store)
    suggester = Suggester(model=model, taxonomy=taxonomy, entities=entities, issues=issues, nlp=nlp)
    store.ensure_labels(suggester.labels())
    # Only what the project's label scope holds is suggested (dates and numbers are not, by default).
    off = scope.labels_off(store)
    # Replace what any earlier model or taxonomy version suggested on these layers, so a new
    # pipeline (a trained one, say) does not leave its predecessor's suggestions beside its own.
    layers = {layer for layer, on in ((m.ENTITY, entities), (m.ISSUE, issues)) if on}
    sources = sorted(provenance.model_sources(store, layers) | set(suggester.sources.values()))
    pairs = list(store.texts(articles))
    total = len(pairs)
    summary = SuggestSummary()
    batch: list[tuple[str, list]] = []
    done = 0

    def flush() -> None:
        nonlocal batch
        if batch:
            summary.changes = summary.changes | store.store_suggestions(batch, sources)
            batch = []

    texts = [t for _, t in pairs]  # sized: a cluster cuts its tasks to the number of texts
    if n_process > 1:
        # spaCy hands whole batches to the workers in turn: with few batches one worker gets
        # most of the texts (100 articles in batches of 64 ran slower on 2 processes than on 1).
        batch_size = max(1, min(batch_size, -(-total // (4 * n_process))))
    results = suggester.suggest(
        texts, batch_size=batch_size, n_process=n_process, cancelled=cancelled, cluster=cluster, keep_going=True
    )
    for (aid, text), spans in zip(pairs, results, strict=True):
        done += 1
        if isinstance(spans, Failed):  # the others go on; this one is named at the end
            summary.failed.append((aid, store.article(aid).title, spans.error))
        else:
            if off:
                spans = [s for s in spans if (s.layer, s.label) not in off]
            batch.append((aid, spans))
            summary.count(text, spans)
        if len(batch) >= commit_every:
            flush()
        if progress:  # every article: the window shows n of N and the time left (it throttles)
            progress(done, total)
    _check(cancelled)
    flush()
    summary.articles = done
    summary.seconds = time.perf_counter() - t0
    return summary


# -- demo --------------------------------------------------------------------------------------


def demo_paths() -> list[Path]:
    """The bundled demo articles."""
    folder = resource("demo")
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []


def load_demo(store: Store) -> m.Changes:
    """Add the bundled demo articles and the default labels (suggestions are a separate step)."""
    ensure_default_labels(store)
    articles = []
    for p in demo_paths():
        text = p.read_text(encoding="utf-8")
        title = text.strip().splitlines()[0].strip() if text.strip() else p.stem
        articles.append(m.Article(m.article_id(text), text, title, f"demo:{p.name}", {"demo": True}))
    return store.add_articles(articles)


# -- several annotators: merge, agreement, review, gold ------------------------------------------

MODEL = "model"  # the pseudo-annotator whose spans are the current suggestions


def merge(store: Store, paths: Sequence[str | Path], progress: Progress = None) -> list:
    """Merge other annotators' databases into ``store``, each in one transaction.

    One report per database; when ``store`` holds a team plan (``annotator assign``), a last
    one says who has not returned what (:class:`annotator.team.TeamReturns`).
    """
    from annotator.store.merge import merge_database
    from annotator.team import returns_report

    reports = []
    for i, p in enumerate(paths):
        reports.append(merge_database(store, p))
        if progress:
            progress(i + 1, len(paths))
    returns = returns_report(store)
    return reports if returns is None else [*reports, returns]


def span_columns(
    store: Store,
    include_model: bool = False,
    include_gold: bool = False,
    min_annotators: int = 1,
    articles: Sequence[str] | None = None,
):
    """Every article with each annotator's spans, as columns (``review.SpanColumns``).

    An annotator counts for an article when they have spans on it or marked it done or skipped
    (then with no spans: they found nothing). Articles with fewer than ``min_annotators`` humans
    are left out. With ``include_model``, the annotator ``model`` holds the current suggestions.
    """
    from annotator.review.spans import SpanColumns

    rows = store.annotation_rows(articles)
    present: dict[str, set[str]] = {}
    for aid, who in {r[:2] for r in rows}:
        present.setdefault(aid, set()).add(who)
    if not include_gold and any(m.GOLD in names for names in present.values()):
        rows = [r for r in rows if r[1] != m.GOLD]
        present = {aid: names - {m.GOLD} for aid, names in present.items() if names - {m.GOLD}}
    for aid, who, state in store.article_states(articles=articles):
        if state in (m.DONE, m.SKIPPED) and (who != m.GOLD or include_gold):
            present.setdefault(aid, set()).add(who)
    if include_model:
        if any(MODEL in names for names in present.values()):
            rows = [r for r in rows if r[1] != MODEL]
        rows += [(aid, MODEL, s.layer, s.start, s.end, s.label) for aid, s in store.suggestion_spans()]
    wanted = None if articles is None else set(articles)
    ids: list[str] = []
    texts: list[str] = []
    annotators: list[tuple[str, ...]] = []
    for aid, text in store.texts(sorted(present) if wanted is None else sorted(wanted & set(present))):
        here = present[aid]
        if sum(w not in (m.GOLD, MODEL) for w in here) < min_annotators:
            continue
        ids.append(aid)
        texts.append(text)
        names = sorted(here)
        annotators.append(tuple(names + [MODEL] if include_model and MODEL not in here else names))
    index = {aid: i for i, aid in enumerate(ids)}
    if len(index) < len(present) or include_model:  # rows of articles left out, or suggestions
        rows = [r for r in rows if r[0] in index]
    aid_col, who_col, layer, start, end, label = zip(*rows, strict=True) if rows else ((),) * 6
    return SpanColumns(
        ids, texts, annotators, list(map(index.__getitem__, aid_col)), who_col, layer, start, end, label
    )


def article_spans(
    store: Store,
    include_model: bool = False,
    include_gold: bool = False,
    min_annotators: int = 1,
    articles: Sequence[str] | None = None,
):
    """Every article with each annotator's spans (``review.ArticleSpans``), for review functions.

    The content of :func:`span_columns`, one :class:`~annotator.review.spans.ArticleSpans` per article.
    """
    return span_columns(store, include_model, include_gold, min_annotators, articles).articles()


def agreement_columns(store: Store, include_model: bool = True, planned: bool = True):
    """The spans agreement is measured on (``review.spans.SpanColumns``): the articles with work
    from two annotators, with a team plan (``annotator assign``) and ``planned`` its overlap only;
    the model's suggestions among them when ``include_model`` and there are any.

    Raises
    ------
    AnnotatorError
        When no article has work from two annotators.
    """
    from annotator.team import planned_sample

    sample = planned_sample(store) if planned else None
    columns = span_columns(store, include_model=include_model, min_annotators=2, articles=sample)
    if not len(columns):
        raise AnnotatorError(
            "no article has work from two annotators yet"
            + (f" in the planned overlap ({len(sample)} articles)" if sample else ""),
            hint="merge other databases with `annotator merge`"
            + (", or use --all-articles" if sample else ""),
        )
    if not (include_model and MODEL in columns.annotator) and any(MODEL in names for names in columns.annotators):
        columns = columns.without(MODEL)
    return columns


def agreement(
    store: Store, layer: str | None = None, include_model: bool = True, planned: bool = True, columns=None
):
    """Agreement between annotators (and the model as a pseudo-annotator) on shared articles.

    With a team plan recorded (``annotator assign``) and ``planned``, on its overlap sample only.
    ``columns`` from :func:`agreement_columns` (read once, for this and :func:`label_confusion`).
    """
    from annotator.review.agreement import compute_agreement

    if columns is None:
        columns = agreement_columns(store, include_model, planned)
    model = MODEL if include_model and MODEL in columns.annotator else None
    return compute_agreement(columns, layer=layer, model=model, tokens=article_tokens(store, columns))


def article_tokens(store: Store, columns):
    """Token boundaries of the texts of ``columns`` (``review.agreement.TextTokens``), cached.

    Boundaries come from the store's cache when the same tokenizer (name and version) made
    them; spaCy is imported only for the articles without, and what it makes is cached when the
    database can be written (read-only or locked: not cached, nothing fails).
    """
    from annotator.review.agreement import pack_bounds, text_tokens, tokenizer_name

    ids = columns.article_ids
    name = tokenizer_name()
    cached = store.token_bounds(ids, name)
    tokens = text_tokens(columns.texts, [cached.get(aid) for aid in ids], name)
    if tokens.made:
        packed = ((ids[i], pack_bounds(*tokens.bounds[i])) for i in tokens.made)
        store.put_token_bounds(tokens.tokenizer, packed)
    return tokens


def _open_disagreements(store: Store, art, layer: str | None):
    """``(consensus, disagreements not yet settled)`` of one article."""
    from annotator.review.disagreements import consensus

    result = consensus(art, layer=layer)
    settled = {(d["layer"], d["start"], d["end"], d["labels"]) for d in store.adjudications(art.article_id)}
    return result, [
        d
        for d in result.disagreements
        if (d.layer, *d.region, "") not in settled
        and (d.layer, *d.region, adjudication_labels(_labels_of(d))) not in settled
    ]


def _labels_of(disagreement) -> set[str] | None:
    """The labels an issue disagreement is about (None on the entity layer: the whole region)."""
    if disagreement.layer != m.ISSUE:
        return None
    return {s.label for group in disagreement.all_spans.values() for s in group}


def review_queue(store: Store, layer: str | None = None, articles: Sequence[str] | None = None):
    """Articles with open disagreements, worst first: ``[(QueueEntry, Consensus, open)]``.

    Disagreements already settled by a reviewer are left out, and so are articles with none
    left. ``articles`` limits the queue to those ids (to recompute one after a decision).
    """
    from annotator.review.disagreements import review_queue

    arts = article_spans(store, min_annotators=2, articles=articles)
    by_id = {a.article_id: a for a in arts}
    out = []
    for entry in review_queue(arts, layer=layer):
        result, open_ = _open_disagreements(store, by_id[entry.article_id], layer)
        if open_:
            out.append((entry, result, open_))
    out.sort(key=lambda t: (-len(t[2]), t[0].article_id))
    return out


def article_review(store: Store, article_id: str, layer: str | None = None):
    """``(consensus, open disagreements)`` of one article; ``(None, [])`` with fewer than two annotators."""
    arts = article_spans(store, min_annotators=2, articles=[article_id])
    if not arts:
        return None, []
    return _open_disagreements(store, arts[0], layer)


def add_agreed_gold(store: Store, reviewer: str, articles: Sequence[str] | None = None) -> int:
    """Put every span all annotators agree on into gold; returns how many were added."""
    from annotator.review.disagreements import consensus

    added = 0
    for art in article_spans(store, min_annotators=2, articles=articles):
        result = consensus(art)
        if result.agreed:
            added += store.add_agreed_gold(reviewer, art.article_id, result.agreed).count("gold")
    return added


def label_confusion(columns) -> dict:
    """Per layer, which label one annotator gave where another gave a different one
    (:class:`annotator.review.confusion.Confusion`), on :func:`agreement_columns`' articles;
    the model and gold are not annotators here."""
    from annotator.review.confusion import label_confusion as confusion

    arts = columns.articles()
    return {layer: confusion(arts, layer, exclude={MODEL, m.GOLD}) for layer in (m.ENTITY, m.ISSUE)}


def settle(store: Store, reviewer: str, disagreement, choice, text: str | None = None) -> m.Changes:
    """Apply a reviewer's choice (``take:NAME``, ``take_both``, ``take_none``, or an edited Span)."""
    from annotator.review.adjudicate import resolve

    spans = resolve(disagreement, choice, text)
    label = choice if isinstance(choice, str) else "edit"
    return store.settle(
        reviewer,
        disagreement.article_id,
        disagreement.layer,
        disagreement.region,
        spans,
        label,
        _labels_of(disagreement),
    )


def feedback(store: Store, annotator: str, layer: str | None = None):
    """The feedback report of one annotator against gold."""
    from annotator.review.feedback import feedback_report

    arts = [a for a in article_spans(store, include_gold=True) if m.GOLD in a.spans and annotator in a.spans]
    if not arts:
        raise AnnotatorError(f"no article has both gold spans and work by {annotator!r}", hint="review first")
    return feedback_report(arts, annotator, gold=m.GOLD, layer=layer)
