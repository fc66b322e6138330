"""Train a spaCy pipeline from annotated articles and score it before and after.

The entity layer updates the starting pipeline's entity recogniser from its own weights
(``nlp.resume_training``), mixing in *rehearsal* examples: the starting model's own entities on
other, unannotated texts, so the types nobody corrected are not forgotten. The issue layer
keeps the taxonomy and adds an *issue memory* (:mod:`annotator.train.memory`): the majority
decision of the annotators about each issue phrase they marked or rejected, applied to its
later mentions. With ``issue_model="spancat"`` a span categorizer over the taxonomy's matches
and every 1- to 3-token phrase decides the phrases it saw before the memory does (see
:mod:`annotator.train.components`); on a few dozen real articles it scored well below the
taxonomy in two of three splits, so it is not the default.

Rejected suggestions are negative evidence. On a complete article anything not marked is
already "not an entity / not an issue". On an incomplete article the entity recogniser learns
only the marked spans and, as "O" (outside), the tokens of rejected spans that nothing else
covers; every other token is missing (``-``) and teaches nothing. The span categorizer learns
from complete articles only, where every candidate that is not gold (rejected ones included) is
a negative.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotator.errors import Cancelled, ModelError
from annotator.model import ENTITY, ISSUE
from annotator.train.data import TrainingArticle

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from annotator.suggest.taxonomy import Taxonomy

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None

NER = "ner"
SPANCAT = "spancat"
CANDIDATES_PIPE = "issue_candidates"
COMBINER_PIPE = "issue_combiner"
MEMORY_PIPE = "issue_memory"
ISSUE_PIPES = (CANDIDATES_PIPE, SPANCAT, COMBINER_PIPE, MEMORY_PIPE)
ISSUE_MODELS = ("memory", "spancat")
BEFORE_RULER = "issue_ruler"
BATCH_SIZE = 8  # articles per entity update
# The span categorizer starts from nothing: it needs many small updates more than big batches.
SPAN_BATCH_SIZE = 1
DROPOUT = 0.2
NGRAM_SIZES = [1, 2, 3]

SPANCAT_MODEL: dict[str, Any] = {
    "@architectures": "spacy.SpanCategorizer.v1",
    "scorer": {"@layers": "spacy.LinearLogistic.v1"},
    "reducer": {"@layers": "spacy.mean_max_reducer.v1", "hidden_size": 128},
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": 96,
            # Lemmas let "tariffs" learn from "tariff"; a blank pipeline has none (all one row).
            "attrs": ["NORM", "LEMMA", "PREFIX", "SUFFIX", "SHAPE"],
            "rows": [5000, 5000, 1000, 2500, 1000],
            "include_static_vectors": False,
        },
        "encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2",
            "width": 96,
            "window_size": 1,
            "maxout_pieces": 3,
            "depth": 2,
        },
    },
}


@dataclass(frozen=True)
class LabelScore:
    """Precision, recall and F of one label (None when there is nothing to score)."""

    precision: float | None
    recall: float | None
    f: float | None
    support: int = 0  # gold spans of the label in the scored articles


@dataclass(frozen=True)
class LayerScore:
    """Scores of one layer on the held-out articles (spaCy's ``Scorer.score_spans``)."""

    precision: float | None
    recall: float | None
    f: float | None
    labels: dict[str, LabelScore] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "p": self.precision,
            "r": self.recall,
            "f": self.f,
            "labels": {
                k: {"p": v.precision, "r": v.recall, "f": v.f, "support": v.support}
                for k, v in self.labels.items()
            },
        }


@dataclass
class TrainResult:
    """A trained pipeline with its before and after scores.

    Attributes
    ----------
    nlp
        The trained pipeline (not yet written anywhere).
    before, after
        Per layer (``"entity"``, ``"issue"``), the scores on the held-out articles of the
        starting pipeline with the taxonomy, and of the trained pipeline.
    worse_share
        Per layer, the share of bootstrap resamples of the held-out articles on which the
        trained pipeline's F is lower than the starting one's (see :func:`worse_share`).
    """

    nlp: Any
    layers: tuple[str, ...]
    before: dict[str, LayerScore]
    after: dict[str, LayerScore]
    train_articles: int
    held_out_articles: int
    rehearsal_texts: int
    epochs: int
    seconds: float
    losses: dict[str, float]
    worse_share: dict[str, float] = field(default_factory=dict)


def _check(cancelled: Cancel, what: str) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled(f"training was cancelled {what}; nothing was written")


def train_pipeline(
    load_base: Callable[[], Language],
    taxonomy: Taxonomy,
    train: Sequence[TrainingArticle],
    held_out: Sequence[TrainingArticle],
    layers: Sequence[str] = (ENTITY, ISSUE),
    rehearsal_texts: Sequence[str] = (),
    epochs: int = 10,
    seed: int = 0,
    keep: Language | None = None,
    issue_model: str = "memory",
    progress: Progress = None,
    cancelled: Cancel = None,
) -> TrainResult:
    """Train the requested layers and score the starting and the trained pipeline.

    Parameters
    ----------
    load_base
        Returns a fresh copy of the starting pipeline (called twice: one copy scores the
        "before", the other is trained). ``spacy.blank("en")`` works: it gets a new entity
        recogniser.
    taxonomy
        The issue taxonomy: the "before" issues, and the candidates of the span categorizer.
    train, held_out
        Training and scoring articles (see :func:`annotator.train.data.split_held_out`).
    layers
        ``"entity"`` and/or ``"issue"``.
    rehearsal_texts
        Unannotated texts; the starting model's entities on (at most as many as there are
        training articles of) them are mixed into the entity training.
    epochs
        Passes over the training articles.
    seed
        Seeds the shuffles and spaCy, so a run can be repeated.
    keep
        A previously trained pipeline whose components of the layers not trained now are kept.
    issue_model
        ``"memory"`` (the taxonomy plus the issue memory) or ``"spancat"`` (a span categorizer
        decides the phrases it saw, then the memory).
    progress
        Called as ``progress(done, total)`` with steps (texts read, batches trained).
    cancelled
        Polled between batches; when it returns True, :class:`Cancelled` is raised.

    Returns
    -------
    TrainResult

    Raises
    ------
    Cancelled
        When ``cancelled()`` turns true.
    ModelError
        When there is nothing to learn from.
    """
    import spacy

    from annotator.suggest.ruler import add_issue_ruler

    t0 = time.perf_counter()
    layers = tuple(layer for layer in (ENTITY, ISSUE) if layer in layers)
    if not layers:
        raise ModelError("nothing to train: choose the entity layer, the issue layer or both")
    if not train:
        raise ModelError("no annotated articles to train from", hint="annotate and mark some articles done")
    if issue_model not in ISSUE_MODELS:
        raise ModelError(f"unknown issue model {issue_model!r}; choose one of: {', '.join(ISSUE_MODELS)}")
    spacy.util.fix_random_seed(seed)
    rng = random.Random(seed)

    before_nlp = load_base()
    add_issue_ruler(before_nlp, taxonomy, name=BEFORE_RULER)
    skip = [n for n in before_nlp.pipe_names if n == "parser" or n == "senter"]

    entity_train = [a for a in train if ENTITY in layers and (a.layer_spans(ENTITY) or a.complete)]
    memory_train = [
        a
        for a in train
        if ISSUE in layers and (a.complete or a.layer_spans(ISSUE) or a.layer_rejected(ISSUE))
    ]
    issue_train = [a for a in memory_train if a.complete] if issue_model == "spancat" else []
    rehearsal = list(rehearsal_texts)[: len(entity_train)] if ENTITY in layers else []
    texts = [a.text for a in held_out] + [a.text for a in memory_train] + rehearsal
    n_ner = len(entity_train) + len(rehearsal)
    batches = -(-n_ner // BATCH_SIZE) * (ENTITY in layers) + -(-len(issue_train) // SPAN_BATCH_SIZE)
    total = len(texts) + epochs * batches + len(held_out)
    done = 0

    def step(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    # One pass of the starting pipeline: "before" predictions on the held-out articles,
    # lemmas for the issue memory, candidates for the span categorizer, entities for rehearsal.
    pre: list[Doc] = []
    for doc in before_nlp.pipe(texts, disable=skip, batch_size=16):
        _check(cancelled, "while reading the articles")
        pre.append(doc)
        step()
    before_docs = pre[: len(held_out)]
    memory_docs = pre[len(held_out) : len(held_out) + len(memory_train)]
    issue_docs = (
        [d for d, a in zip(memory_docs, memory_train, strict=True) if a.complete] if issue_train else []
    )
    rehearsal_docs = pre[len(held_out) + len(memory_train) :]
    before = score_docs(before_docs, held_out, layers)

    nlp = load_base()
    _keep_components(nlp, keep, layers)
    losses: dict[str, float] = {}
    work: list[tuple[str, list]] = []
    fresh_ner = False
    if ENTITY in layers:
        examples = [_ner_example(nlp, a) for a in entity_train]
        taught = {a.text[s.start : s.end].lower() for a in entity_train for s in a.layer_spans(ENTITY)}
        taught |= {a.text[s.start : s.end].lower() for a in entity_train for s in a.layer_rejected(ENTITY)}
        examples += [_rehearsal_example(nlp, doc, taught) for doc in rehearsal_docs]
        fresh_ner = NER not in nlp.pipe_names
        ner = _entity_recogniser(nlp, examples)
        work.append((NER, examples))
        if fresh_ner:
            ner.initialize(lambda: examples, nlp=nlp)
    # Resuming keeps the starting weights of the entity recogniser (and copies them as the
    # rehearsal reference); it must come before the new span categorizer is added.
    optimizer = nlp.resume_training() if ENTITY in layers and not fresh_ner else nlp.create_optimizer()
    if ISSUE in layers:
        from annotator.train.memory import learn

        decisions = learn(memory_docs, memory_train)
        span_examples, seen, labels = _issue_examples(issue_docs, issue_train, taxonomy)
        spancat = _add_issue_components(nlp, taxonomy, seen, decisions, spancat=bool(span_examples))
        if spancat is not None:
            for label in labels:
                spancat.add_label(label)
            spancat.initialize(lambda: span_examples[:BATCH_SIZE], nlp=nlp)
            work.append((SPANCAT, span_examples))
    _check(cancelled, "before the first batch")

    from spacy.util import minibatch

    for _ in range(epochs):
        for name, examples in work:
            proc = nlp.get_pipe(name)
            rng.shuffle(examples)
            for batch in minibatch(examples, size=BATCH_SIZE if name == NER else SPAN_BATCH_SIZE):
                _check(cancelled, "between batches")
                proc.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
                step()

    after_docs = []
    for doc in nlp.pipe((a.text for a in held_out), disable=skip, batch_size=16):
        _check(cancelled, "while scoring")
        after_docs.append(doc)
        step()
    after = score_docs(after_docs, held_out, layers)
    shares = {lay: worse_share(before_docs, after_docs, held_out, lay, seed=seed) for lay in layers}
    return TrainResult(
        nlp=nlp,
        layers=layers,
        before=before,
        after=after,
        train_articles=len(train),
        held_out_articles=len(held_out),
        rehearsal_texts=len(rehearsal_docs),
        epochs=epochs,
        seconds=time.perf_counter() - t0,
        losses=losses,
        worse_share=shares,
    )


# -- entity layer ---------------------------------------------------------------------------------


def _entity_recogniser(nlp: Language, examples: list) -> Any:
    """The pipeline's entity recogniser with every label of the examples (added when missing)."""
    if NER not in nlp.pipe_names:
        ner = nlp.add_pipe(NER)
    else:
        ner = nlp.get_pipe(NER)
    labels = {e.label_ for eg in examples for e in eg.reference.ents}
    for label in sorted(labels - set(ner.labels)):
        ner.add_label(label)
    return ner


def _ner_example(nlp: Language, art: TrainingArticle):
    """An entity example: gold spans, rejected spans as "O", the rest O or missing (incomplete)."""
    from spacy.training import Example

    doc = nlp.make_doc(art.text)
    gold = [(s.start, s.end, s.label) for s in art.layer_spans(ENTITY)]
    tags = _biluo(doc, gold, missing="O" if art.complete else "-")
    if not art.complete:
        for s in art.layer_rejected(ENTITY):
            span = doc.char_span(s.start, s.end, alignment_mode="contract")
            if span is None:
                continue
            for i in range(span.start, span.end):
                if tags[i] == "-":
                    tags[i] = "O"
    return Example.from_dict(doc, {"entities": tags})


def _biluo(doc: Doc, spans: list[tuple[int, int, str]], missing: str) -> list[str]:
    """BILUO tags of character spans; a span that does not fit the tokens is missing."""
    import warnings

    from spacy.training import offsets_to_biluo_tags

    aligned = []
    for start, end, label in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            aligned.append((span.start_char, span.end_char, label))
    aligned.sort()
    kept, reach = [], -1
    for start, end, label in aligned:
        if start >= reach:
            kept.append((start, end, label))
            reach = end
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return offsets_to_biluo_tags(doc, kept, missing=missing)


def _rehearsal_example(nlp: Language, predicted: Doc, taught: set[str]):
    """The starting model's entities on an unannotated text as a training example.

    Entities whose text the annotators taught something about (marked or rejected) are missing
    rather than repeated, so rehearsal does not argue with the annotators.
    """
    from spacy.training import Example

    doc = nlp.make_doc(predicted.text)
    spans = [(e.start_char, e.end_char, e.label_) for e in predicted.ents]
    tags = _biluo(doc, spans, missing="O")
    lower = predicted.text.lower()
    for phrase in taught:
        if not phrase.strip():
            continue
        at = lower.find(phrase)
        while at != -1:
            span = doc.char_span(at, at + len(phrase), alignment_mode="expand")
            if span is not None:
                # Missing must cover whole entities: widen to the predicted entities it touches.
                lo, hi = span.start, span.end
                for e in predicted.ents:
                    if e.start < hi and lo < e.end:
                        lo, hi = min(lo, e.start), max(hi, e.end)
                for i in range(lo, hi):
                    tags[i] = "-"
            at = lower.find(phrase, at + 1)
    return Example.from_dict(doc, {"entities": tags})


# -- issue layer ----------------------------------------------------------------------------------


def _issue_examples(docs: Sequence[Doc], articles: Sequence[TrainingArticle], taxonomy: Taxonomy):
    """Span categorizer examples, the ``(label, phrase)`` pairs seen, and the labels."""
    from spacy.tokens import Doc as SpacyDoc
    from spacy.tokens import Span as SpacySpan
    from spacy.training import Example

    from annotator.train.components import CANDIDATES, MODEL_KEY, phrase_key

    examples = []
    seen: set[tuple[str, str]] = set()
    labels = {i.label for i in taxonomy.issues}
    for doc, art in zip(docs, articles, strict=True):
        predicted = doc.copy()
        predicted.spans[CANDIDATES] = [
            SpacySpan(predicted, c.start, c.end, label=c.label_) for c in doc.spans.get("issues", [])
        ]
        for key in list(predicted.spans):
            if key != CANDIDATES:
                del predicted.spans[key]
        predicted.ents = []
        seen.update((s.label_, phrase_key(s)) for s in predicted.spans[CANDIDATES])
        reference = SpacyDoc(
            doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc]
        )
        gold = []
        for s in art.layer_spans(ISSUE):
            span = doc.char_span(s.start, s.end, label=s.label, alignment_mode="expand")
            if span is None:
                continue
            gold.append(reference[span.start : span.end])
            gold[-1].label_ = s.label
            seen.add((s.label, phrase_key(span)))
            labels.add(s.label)
        reference.spans[MODEL_KEY] = gold
        examples.append(Example(predicted, reference))
    return examples, seen, sorted(labels)


def _add_issue_components(
    nlp: Language, taxonomy: Taxonomy, seen: set[tuple[str, str]], decisions: dict, spancat: bool
):
    """Add the candidate ruler, a new span categorizer if asked, the combiner and the memory.

    Returns the span categorizer, or None.
    """
    from annotator.train import components as c
    from annotator.train.memory import MEMORY_FACTORY

    for name in ISSUE_PIPES + (BEFORE_RULER,):
        if name in nlp.pipe_names:
            nlp.remove_pipe(name)
    ruler = nlp.add_pipe(c.CANDIDATES_FACTORY, name=CANDIDATES_PIPE, config={"source": taxonomy.source})
    ruler.add_taxonomy(taxonomy)
    categorizer = None
    if spancat:
        categorizer = nlp.add_pipe(
            SPANCAT,
            name=SPANCAT,
            config={
                "spans_key": c.MODEL_KEY,
                "threshold": 0.5,
                "max_positive": None,
                "suggester": {"@misc": c.SUGGESTER, "sizes": NGRAM_SIZES, "candidates_key": c.CANDIDATES},
                "model": SPANCAT_MODEL,
            },
        )
    combiner = nlp.add_pipe(c.COMBINER_FACTORY, name=COMBINER_PIPE)
    combiner.seen = set(seen) if spancat else set()
    nlp.add_pipe(MEMORY_FACTORY, name=MEMORY_PIPE).remember(decisions)
    return categorizer


def _keep_components(nlp: Language, keep: Language | None, layers: Sequence[str]) -> None:
    """Copy the components of the layers not trained now from a previously trained pipeline."""
    if keep is None:
        return
    if ENTITY not in layers and NER in keep.pipe_names:
        where = {}
        if NER in nlp.pipe_names:
            at = nlp.pipe_names.index(NER)
            nlp.remove_pipe(NER)
            if at < len(nlp.pipe_names):
                where = {"before": nlp.pipe_names[at]}
        nlp.add_pipe(NER, source=keep, **where)
    if ISSUE not in layers and COMBINER_PIPE in keep.pipe_names:
        for name in ISSUE_PIPES:
            if name in keep.pipe_names:
                nlp.add_pipe(name, source=keep)


# -- scoring --------------------------------------------------------------------------------------


def score_docs(docs: Sequence[Doc], articles: Sequence[TrainingArticle], layers: Sequence[str]) -> dict:
    """Score predicted docs against the articles' gold spans, per layer and label.

    Entities are ``doc.ents``; issues are ``doc.spans["issues"]`` (overlaps allowed). Uses
    ``spacy.scorer.Scorer.score_spans``.

    Returns
    -------
    dict of str to LayerScore
    """
    from spacy.scorer import Scorer
    from spacy.tokens import Doc as SpacyDoc
    from spacy.training import Example

    examples = []
    support: dict[str, dict[str, int]] = {ENTITY: {}, ISSUE: {}}
    for doc, art in zip(docs, articles, strict=True):
        ref = SpacyDoc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        aligned = _aligned(doc, art.layer_spans(ENTITY))
        for _, _, label in aligned:
            support[ENTITY][label] = support[ENTITY].get(label, 0) + 1
        ents = []
        for start, end, label in _without_overlaps(aligned):
            ents.append(ref[start:end])
            ents[-1].label_ = label
        ref.ents = ents
        issues = []
        for start, end, label in _aligned(doc, art.layer_spans(ISSUE)):
            issues.append(ref[start:end])
            issues[-1].label_ = label
            support[ISSUE][label] = support[ISSUE].get(label, 0) + 1
        ref.spans["issues"] = issues
        examples.append(Example(doc, ref))

    def issues_of(doc: Doc, attr: str):
        return doc.spans.get("issues", [])

    out: dict[str, LayerScore] = {}
    for layer in layers:
        if layer == ENTITY:
            res = Scorer.score_spans(examples, "ents")
            attr = "ents"
        else:
            res = Scorer.score_spans(
                examples, "issues", getter=issues_of, has_annotation=lambda doc: True, allow_overlap=True
            )
            attr = "issues"
        per = res.get(f"{attr}_per_type") or {}
        labels = {
            label: LabelScore(v["p"], v["r"], v["f"], support[layer].get(label, 0))
            for label, v in sorted(per.items())
        }
        for label, n in support[layer].items():
            labels.setdefault(label, LabelScore(0.0, 0.0, 0.0, n))
        out[layer] = LayerScore(res.get(f"{attr}_p"), res.get(f"{attr}_r"), res.get(f"{attr}_f"), labels)
    return out


RESAMPLES = 1000


def _predicted(doc: Doc, layer: str) -> set[tuple[int, int, str]]:
    spans = doc.ents if layer == ENTITY else doc.spans.get("issues", [])
    return {(s.start, s.end, s.label_) for s in spans}


def _gold(doc: Doc, art: TrainingArticle, layer: str) -> set[tuple[int, int, str]]:
    """Gold spans in ``doc``'s tokens as :func:`score_docs` scores them (entities without overlaps)."""
    aligned = _aligned(doc, art.layer_spans(layer))
    return set(_without_overlaps(aligned) if layer == ENTITY else aligned)


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The spans, in order, less each one overlapping a span kept before it.

    ``doc.ents`` may not overlap, and a gold span widened to whole tokens may touch the next.
    """
    kept, taken = [], set()
    for start, end, label in spans:
        if not taken & set(range(start, end)):
            kept.append((start, end, label))
            taken |= set(range(start, end))
    return kept


def worse_share(
    before_docs: Sequence[Doc],
    after_docs: Sequence[Doc],
    articles: Sequence[TrainingArticle],
    layer: str,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> float:
    """How often the trained pipeline scores a lower F than the starting one on resampled articles.

    A paired bootstrap over the held-out articles: draw as many articles as there are, with
    replacement, ``resamples`` times, and compare the two pipelines' F on each draw (both count
    exact spans with label, as :func:`score_docs`). A handful of held-out articles makes F jump
    by chance; a share near 1 means the trained pipeline is worse on nearly any such sample,
    one near 0.5 that the held-out articles cannot tell the two apart. 0.0 without articles.
    """
    import numpy as np

    if not articles:
        return 0.0
    counts = np.zeros((len(articles), 2, 3))  # article, before/after, tp/fp/fn
    for i, (b, a, art) in enumerate(zip(before_docs, after_docs, articles, strict=True)):
        gold = _gold(b, art, layer)
        for j, doc in enumerate((b, a)):
            pred = _predicted(doc, layer)
            counts[i, j] = (len(pred & gold), len(pred - gold), len(gold - pred))
    draws = np.random.default_rng(seed).integers(0, len(articles), size=(resamples, len(articles)))
    total = counts[draws].sum(axis=1)  # resample, before/after, tp/fp/fn
    tp, fp, fn = total[..., 0], total[..., 1], total[..., 2]
    denominator = 2 * tp + fp + fn
    f = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    return float((f[:, 1] < f[:, 0]).mean())


def _aligned(doc: Doc, spans) -> list[tuple[int, int, str]]:
    out = []
    for s in spans:
        span = doc.char_span(s.start, s.end, alignment_mode="expand")
        if span is not None:
            out.append((span.start, span.end, s.label))
    return out
