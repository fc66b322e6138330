"""Train a pipeline from a database's annotations, write it beside the database and record it.

A trained pipeline is written to ``<db stem>.models/annotator-v<N>/``, with ``meta.json`` name
``annotator`` and version ``N``, so its suggestions carry the provenance
``spacy:en_annotator@N`` (entities) and ``spacy:en_annotator@N+taxonomy:<name>@<version>``
(issues).

The new pipeline is written in any case, but recorded as the one that suggests
(:func:`annotator.store.provenance.record_trained_model`) only when no trained layer is worse
than before on the held-out articles: a few dozen articles can make a model worse than the
one it started from. "Worse" means a lower F that is not chance: lower on at least
:data:`WORSE_CONFIDENCE` of bootstrap resamples of the held-out articles (with five or ten
held-out articles, F moves by a few points either way from which articles happen to be held
out).
"""

from __future__ import annotations

import json
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator import model as m
from annotator.errors import ModelError
from annotator.store.provenance import record_trained_model, trained_model, user_taxonomy
from annotator.train.collect import collect_articles
from annotator.train.data import TrainingArticle, layers_of, split_held_out
from annotator.train.progress import Cancel, Progress, check_cancelled
from annotator.train.report import TrainReport

if TYPE_CHECKING:
    from annotator.store import Store
    from annotator.train.trainer import TrainResult

WORSE_CONFIDENCE = 0.9  # a layer counts as worse when its F is lower on this share of resamples
MODEL_NAME = "annotator"
_VERSION_RE = re.compile(rf"^{MODEL_NAME}-v(\d+)$")


def models_dir(store: Store) -> Path:
    """Folder of the trained pipelines of a database: ``<db stem>.models`` beside it."""
    return store.path.with_name(store.path.stem + ".models")


def _next_version(folder: Path) -> int:
    found = [int(mt.group(1)) for p in folder.glob(f"{MODEL_NAME}-v*") if (mt := _VERSION_RE.match(p.name))]
    return max(found, default=0) + 1


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

    The new pipeline is written in any case, and recorded only when no trained layer is worse
    than before (see the module notes), or with ``force``.

    Parameters
    ----------
    store
        The database.
    annotator, gold
        Whose annotations (see :func:`~annotator.train.collect.collect_articles`).
    layer
        ``"entity"``, ``"issue"`` or ``"both"``. The layer not trained keeps the components of
        the pipeline trained before, if any.
    held_out
        Share of the complete articles held out for the before/after scores.
    epochs, seed
        Passes over the data; the seed of the split, the shuffles and spaCy.
    base, load_base
        The starting pipeline (default: the English model, as ``annotator suggest``);
        ``load_base`` returns a fresh one and overrides ``base`` (tests pass ``spacy.blank``).
    taxonomy
        The taxonomy (default: the database's own, else the bundled one).
    output
        Folder for the versioned pipelines (default :func:`models_dir`).
    progress, cancelled
        As in :mod:`annotator.ops`. A cancelled run writes nothing.
    force
        Record the new pipeline even if a layer scored lower than before.
    issue_model
        ``"memory"`` (default: the taxonomy plus the annotators' decisions per phrase) or
        ``"spancat"`` (a span categorizer first); see :mod:`annotator.train.trainer`.

    Raises
    ------
    ModelError
        When there are no annotated articles or the pipeline cannot be loaded.
    Cancelled
        When ``cancelled()`` turns true; nothing was written.
    """
    from annotator.suggest.taxonomy import load_taxonomy
    from annotator.train import components  # noqa: F401  registers the trained pipeline's parts
    from annotator.train.trainer import train_pipeline

    layers = layers_of(layer)
    articles, train_set, held = _articles(store, annotator, gold, held_out, seed)
    tax = load_taxonomy(taxonomy or user_taxonomy(store))
    result: TrainResult = train_pipeline(
        load_base or _loader(base),
        tax,
        train_set,
        held,
        layers=layers,
        rehearsal_texts=_rehearsal(store, articles, len(train_set), seed) if m.ENTITY in layers else [],
        epochs=epochs,
        seed=seed,
        keep=_previous(store, layers),
        issue_model=issue_model,
        progress=progress,
        cancelled=cancelled,
    )
    check_cancelled(cancelled, "training")
    return _adopt(store, result, output, "gold" if gold else str(annotator), tax.source, force)


def _loader(base: str | Path | None) -> Callable[[], Any]:
    """Loads a fresh copy of the starting pipeline ``base`` (None: the English model)."""
    from annotator.suggest import load_pipeline

    return lambda: load_pipeline(base)


def _adopt(
    store: Store,
    result: TrainResult,
    output: Path | None,
    trained_from: str,
    taxonomy_source: str,
    force: bool,
) -> TrainReport:
    """Write the trained pipeline as the next version in ``output`` (default :func:`models_dir`);
    record it as the one that suggests unless a layer is worse (or with ``force``)."""
    from annotator.suggest import pipeline_source

    folder = Path(output) if output is not None else models_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    base_source = pipeline_source(result.nlp)
    report = _report(result, folder, trained_from)
    report.adopted = force or not report.worse
    _write(result.nlp, report, {"base": base_source, "taxonomy": taxonomy_source})
    if report.adopted:
        record_trained_model(store, report.path)
    return report


def _articles(store: Store, annotator: str | None, gold: bool, held_out: float, seed: int):
    """The articles to train from, and their split into training and held-out articles.

    A ModelError when there are none.
    """
    articles = collect_articles(store, annotator, gold)
    if not articles:
        who = "the gold set" if gold else annotator
        raise ModelError(
            f"{who} has no annotated articles to train from",
            hint="accept, correct or reject suggestions and mark articles done first",
        )
    return (articles, *split_held_out(articles, held_out, seed))


def _rehearsal(store: Store, articles: list[TrainingArticle], count: int, seed: int) -> list[str]:
    """Texts of ``count`` articles nobody trains from, chosen with ``seed``: the rehearsal texts."""
    used = {a.article_id for a in articles}
    others = [aid for aid in store.article_ids() if aid not in used]
    random.Random(seed).shuffle(others)
    return [t for _, t in store.texts(others[:count])]


def _previous(store: Store, layers: tuple[str, ...]):
    """The pipeline trained before, whose other layer's components are kept (one layer trained)."""
    import spacy

    previous = trained_model(store)
    return spacy.load(previous) if previous is not None and len(layers) < 2 else None


def _report(result: TrainResult, folder: Path, trained_from: str) -> TrainReport:
    """The report of ``result``, the next version in ``folder``; its pipeline is named so in its meta."""
    from annotator.suggest import pipeline_source

    version = _next_version(folder)
    nlp = result.nlp
    nlp.meta["name"] = MODEL_NAME
    nlp.meta["version"] = str(version)
    nlp.meta["description"] = f"annotator pipeline trained from {trained_from}"
    fell = tuple(
        lay
        for lay in result.layers
        if result.before[lay].f is not None
        and result.after[lay].f is not None
        and result.after[lay].f < result.before[lay].f
    )
    return TrainReport(
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


def _write(nlp: Any, report: TrainReport, provenance: dict[str, str]) -> None:
    """Write the pipeline and its report to ``report.path``, whole or not at all.

    ``provenance`` (the base pipeline's and the taxonomy's sources) goes into its meta with the
    report.
    """
    nlp.meta["annotator"] = {**provenance, **report.to_dict()}
    part = report.path.with_name(f".{report.path.name}.part")
    shutil.rmtree(part, ignore_errors=True)
    try:
        nlp.to_disk(part)
        (part / "train-report.json").write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
        part.replace(report.path)
    finally:
        shutil.rmtree(part, ignore_errors=True)
