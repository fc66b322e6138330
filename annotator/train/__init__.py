"""Suggestions that learn from the annotators: train, re-suggest, order by uncertainty.

The functions here take an open :class:`~annotator.store.Store`, report progress through an
optional ``progress(done, total)``, stop when ``cancelled()`` turns true (raising
:class:`~annotator.errors.Cancelled` with nothing written) and return plain data, like
:mod:`annotator.ops`. The training itself (:mod:`annotator.train.trainer`) works on plain
:class:`~annotator.train.data.TrainingArticle` values and never sees the store.

A trained pipeline is written beside the database, ``<db stem>.models/annotator-v<N>/``, with
``meta.json`` name ``annotator`` and version ``N``, so its suggestions carry the provenance
``spacy:en_annotator@N`` (entities) and ``spacy:en_annotator@N+taxonomy:<name>@<version>``
(issues). Its path is kept in the store setting ``trained_model``; ``annotator suggest`` and the
window use it from then on unless another model is named.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator import model as m
from annotator.errors import Cancelled, ModelError
from annotator.train.data import TrainingArticle, layers_of, split_held_out

if TYPE_CHECKING:
    from annotator.store import Store
    from annotator.train.trainer import LayerScore, TrainResult

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None

WORSE_CONFIDENCE = 0.9  # a layer counts as worse when its F is lower on this share of resamples
TRAINED_MODEL = "trained_model"  # store setting: folder of the pipeline suggestions use by default
USER_TAXONOMY = "taxonomy"  # store setting: the database's own taxonomy file (with exceptions)
MODEL_NAME = "annotator"
_VERSION_RE = re.compile(rf"^{MODEL_NAME}-v(\d+)$")

__all__ = [
    "TRAINED_MODEL",
    "USER_TAXONOMY",
    "TrainReport",
    "TrainingArticle",
    "collect_articles",
    "models_dir",
    "refresh_suggestions",
    "split_held_out",
    "train",
    "trained_model",
    "user_taxonomy",
]


def _check(cancelled: Cancel, what: str) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled(f"{what} was cancelled; nothing was written")


# -- where things live ---------------------------------------------------------------------------


def models_dir(store: Store) -> Path:
    """Folder of the trained pipelines of a database: ``<db stem>.models`` beside it."""
    return store.path.with_name(store.path.stem + ".models")


def trained_model(store: Store) -> Path | None:
    """The trained pipeline recorded for the database, if it still exists."""
    value = store.get_setting(TRAINED_MODEL)
    if value and (Path(value) / "meta.json").is_file():
        return Path(value)
    return None


def user_taxonomy(store: Store) -> Path | None:
    """The database's own taxonomy file (written when an exception is applied), if it exists."""
    value = store.get_setting(USER_TAXONOMY)
    if value and Path(value).is_file():
        return Path(value)
    return None


def _next_version(folder: Path) -> int:
    found = [int(mt.group(1)) for p in folder.glob(f"{MODEL_NAME}-v*") if (mt := _VERSION_RE.match(p.name))]
    return max(found, default=0) + 1


# -- training data -------------------------------------------------------------------------------


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


# -- training ------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}"


@dataclass
class TrainReport:
    """What a training run did: scores before and after on the held-out articles, and where it went.

    Attributes
    ----------
    path
        Folder of the written pipeline.
    source
        Provenance its entity suggestions carry (``spacy:en_annotator@3``).
    """

    path: Path
    version: int
    source: str
    layers: tuple[str, ...]
    before: dict[str, LayerScore]
    after: dict[str, LayerScore]
    train_articles: int
    held_out_articles: int
    rehearsal_texts: int
    epochs: int
    seconds: float
    trained_from: str
    refreshed: dict[str, Any] = field(default_factory=dict)
    adopted: bool = True
    worse: tuple[str, ...] = ()  # layers that are worse beyond chance: the pipeline is not adopted
    fell: tuple[str, ...] = ()  # layers whose held-out F fell, worse or within chance
    worse_share: dict[str, float] = field(default_factory=dict)  # see trainer.worse_share

    @property
    def verdict(self) -> str:
        """Whether the new pipeline now makes the suggestions, and why not when it does not."""

        def fell(layers: tuple[str, ...]) -> str:
            return ", ".join(
                f"{lay} {_pct(self.before[lay].f)} -> {_pct(self.after[lay].f)},"
                f" lower on {_pct(self.worse_share.get(lay))}% of resamples"
                for lay in layers
            )

        if self.adopted:
            chance = tuple(lay for lay in self.fell if lay not in self.worse)
            note = (
                f" (held-out F fell within chance on {self.held_out_articles} articles: {fell(chance)})"
                if chance
                else ""
            )
            forced = f" (forced: held-out F fell: {fell(self.worse)})" if self.worse else ""
            return f"adopted: suggestions now come from {self.source}{note}{forced}"
        return (
            f"not adopted: held-out F fell ({fell(self.worse)}), so suggestions keep coming from the model"
            " used before; annotate more articles, train one layer (--layer), or adopt it anyway (--force)"
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "path": str(self.path),
            "version": self.version,
            "source": self.source,
            "layers": list(self.layers),
            "trained_from": self.trained_from,
            "train_articles": self.train_articles,
            "held_out_articles": self.held_out_articles,
            "rehearsal_texts": self.rehearsal_texts,
            "epochs": self.epochs,
            "seconds": round(self.seconds, 1),
            "before": {k: v.to_dict() for k, v in self.before.items()},
            "after": {k: v.to_dict() for k, v in self.after.items()},
            "adopted": self.adopted,
            "worse": list(self.worse),
            "fell": list(self.fell),
            "worse_share": dict(self.worse_share),
        }

    def format_table(self) -> str:
        """Precision, recall and F per layer and label, before and after, as a text table."""

        def pct(x: float | None) -> str:
            return "   -" if x is None else f"{100 * x:4.0f}"

        lines = [
            f"trained {self.source} from {self.trained_from}: {self.train_articles} articles"
            f" ({self.rehearsal_texts} rehearsal texts), {self.epochs} epochs, {self.seconds:.0f} s",
            f"held out: {self.held_out_articles} articles",
        ]
        for layer in self.layers:
            b, a = self.before[layer], self.after[layer]
            lines.append("")
            lines.append(f"{layer:<22} {'gold':>5}   before P    R    F   after P    R    F")
            lines.append(
                f"{'all':<22} {sum(s.support for s in a.labels.values()):>5}"
                f"   {pct(b.precision)} {pct(b.recall)} {pct(b.f)}  {pct(a.precision)} {pct(a.recall)} {pct(a.f)}"
            )
            for label in sorted(set(b.labels) | set(a.labels)):
                bl, al = b.labels.get(label), a.labels.get(label)
                n = (al or bl).support
                lines.append(
                    f"  {label:<20} {n:>5}"
                    f"   {pct(bl and bl.precision)} {pct(bl and bl.recall)} {pct(bl and bl.f)}"
                    f"  {pct(al and al.precision)} {pct(al and al.recall)} {pct(al and al.f)}"
                )
        lines += ["", self.verdict]
        return "\n".join(lines)


def train(
    store: Store,
    annotator: str | None = None,
    gold: bool = False,
    layer: str = "both",
    held_out: float = 0.2,
    epochs: int = 10,
    seed: int = 0,
    base: str | Path | None = None,
    taxonomy: str | Path | None = None,
    output: Path | None = None,
    load_base: Callable[[], Any] | None = None,
    progress: Progress = None,
    cancelled: Cancel = None,
    force: bool = False,
    issue_model: str = "memory",
) -> TrainReport:
    """Train a pipeline from the stored annotations, write it beside the database and record it.

    The new pipeline is written in any case, but recorded as the one that suggests only when no
    trained layer is worse than before on the held-out articles (or with ``force``): a few dozen
    articles can make a model worse than the one it started from. "Worse" means a lower F that
    is not chance: lower on at least :data:`WORSE_CONFIDENCE` of bootstrap resamples of the
    held-out articles (with five or ten held-out articles, F moves by a few points either way
    from which articles happen to be held out).

    Parameters
    ----------
    store
        The database.
    annotator, gold
        Whose annotations (see :func:`collect_articles`).
    layer
        ``"entity"``, ``"issue"`` or ``"both"``. The layer not trained keeps the components of
        the pipeline trained before, if any.
    held_out
        Share of the complete articles held out for the before/after scores.
    epochs, seed
        Passes over the data; the seed of the split, the shuffles and spaCy.
    base
        The starting pipeline (default: the English model, as ``annotator suggest``).
    taxonomy
        The taxonomy (default: the database's own, else the bundled one).
    output
        Folder for the versioned pipelines (default :func:`models_dir`).
    load_base
        Returns a fresh starting pipeline; overrides ``base`` (tests pass ``spacy.blank``).
    progress, cancelled
        See the module docstring. A cancelled run writes nothing.
    force
        Record the new pipeline even if a layer scored lower than before.
    issue_model
        ``"memory"`` (default: the taxonomy plus the annotators' decisions per phrase) or
        ``"spancat"`` (a span categorizer first); see :mod:`annotator.train.trainer`.

    Returns
    -------
    TrainReport

    Raises
    ------
    ModelError
        When there are no annotated articles or the pipeline cannot be loaded.
    Cancelled
        When ``cancelled()`` turns true; nothing was written.
    """
    import spacy

    from annotator.suggest import load_pipeline, pipeline_source
    from annotator.suggest.taxonomy import load_taxonomy
    from annotator.train import components  # noqa: F401  registers the trained pipeline's parts
    from annotator.train.trainer import train_pipeline

    layers = layers_of(layer)
    articles = collect_articles(store, annotator, gold)
    if not articles:
        who = "the gold set" if gold else annotator
        raise ModelError(
            f"{who} has no annotated articles to train from",
            hint="accept, correct or reject suggestions and mark articles done first",
        )
    train_set, held = split_held_out(articles, held_out, seed)
    tax = load_taxonomy(taxonomy or user_taxonomy(store))
    if load_base is None:

        def load_base():
            return load_pipeline(base)

    used = {a.article_id for a in articles}
    others = [aid for aid in store.article_ids() if aid not in used]
    random.Random(seed).shuffle(others)
    rehearsal = [t for _, t in store.texts(others[: len(train_set)])] if m.ENTITY in layers else []
    previous = trained_model(store)
    keep = spacy.load(previous) if previous is not None and len(layers) < 2 else None
    result: TrainResult = train_pipeline(
        load_base,
        tax,
        train_set,
        held,
        layers=layers,
        rehearsal_texts=rehearsal,
        epochs=epochs,
        seed=seed,
        keep=keep,
        issue_model=issue_model,
        progress=progress,
        cancelled=cancelled,
    )
    _check(cancelled, "training")
    folder = Path(output) if output is not None else models_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    version = _next_version(folder)
    nlp = result.nlp
    base_source = pipeline_source(nlp)
    nlp.meta["name"] = MODEL_NAME
    nlp.meta["version"] = str(version)
    nlp.meta["description"] = f"annotator pipeline trained from {'gold' if gold else annotator}"
    trained_from = "gold" if gold else str(annotator)
    fell = tuple(
        lay
        for lay in result.layers
        if result.before[lay].f is not None
        and result.after[lay].f is not None
        and result.after[lay].f < result.before[lay].f
    )
    report = TrainReport(
        path=folder / f"{MODEL_NAME}-v{version}",
        version=version,
        source=pipeline_source(nlp),
        layers=result.layers,
        before=result.before,
        after=result.after,
        train_articles=result.train_articles,
        held_out_articles=result.held_out_articles,
        rehearsal_texts=result.rehearsal_texts,
        epochs=result.epochs,
        seconds=result.seconds,
        trained_from=trained_from,
        fell=fell,
        worse=tuple(lay for lay in fell if result.worse_share.get(lay, 1.0) >= WORSE_CONFIDENCE),
        worse_share=dict(result.worse_share),
    )
    report.adopted = force or not report.worse
    nlp.meta["annotator"] = {"base": base_source, "taxonomy": tax.source, **report.to_dict()}
    part = folder / f".{MODEL_NAME}-v{version}.part"
    shutil.rmtree(part, ignore_errors=True)
    try:
        nlp.to_disk(part)
        (part / "train-report.json").write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
        part.replace(report.path)
    finally:
        shutil.rmtree(part, ignore_errors=True)
    if report.adopted:
        store.set_setting(TRAINED_MODEL, str(report.path))
    return report


# -- suggestions from the trained pipeline ------------------------------------------------------


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
    _check(cancelled, "re-suggesting")
    sources = sorted(old | set(suggester.sources.values()))
    changes = store.store_suggestions(results, sources) if results else m.Changes()
    return {
        "articles": len(results),
        "suggestions": sum(len(f) for _, f in results),
        "sources": dict(suggester.sources),
        "seconds": time.perf_counter() - t0,
        "changes": changes,
    }


def model_sources(store: Store, layers: set[str]) -> set[str]:
    """Sources of model and taxonomy suggestions on the given layers (not imported ones)."""
    out = set()
    for src, _ in store.suggestion_sources():
        if m.ISSUE in layers and "taxonomy:" in src:
            out.add(src)
        elif m.ENTITY in layers and src.startswith("spacy:") and "taxonomy:" not in src:
            out.add(src)
    return out


# -- active learning -----------------------------------------------------------------------------


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


# -- taxonomy exceptions -------------------------------------------------------------------------


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
    _check(cancelled, "previewing the exception")
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
    store.set_setting(USER_TAXONOMY, str(path))
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
