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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from annotator.errors import Cancelled, ModelError
from annotator.model import ENTITY, ISSUE
from annotator.train.data import TrainingArticle
from annotator.train.scoring import LabelScore, LayerScore, TrainScores, score_docs, worse_share

__all__ = ["LabelScore", "LayerScore", "TrainResult", "score_docs", "train_pipeline", "worse_share"]

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
CLASSIFIER_PIPE = "issue_classifier"
ISSUE_PIPES = (CANDIDATES_PIPE, SPANCAT, COMBINER_PIPE, CLASSIFIER_PIPE, MEMORY_PIPE)
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


@dataclass(kw_only=True)
class TrainResult(TrainScores):
    """A trained pipeline with its before and after scores (see :class:`TrainScores`).

    Attributes
    ----------
    nlp
        The trained pipeline (not yet written anywhere).
    losses
        The training losses per component.
    """

    nlp: Any
    losses: dict[str, float]


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
    epochs, seed
        Passes over the training articles; the seed of the shuffles and spaCy, so a run can
        be repeated.
    keep
        A previously trained pipeline whose components of the layers not trained now are kept.
    issue_model
        ``"memory"`` (the taxonomy plus the issue memory) or ``"spancat"`` (a span categorizer
        decides the phrases it saw, then the memory).
    progress, cancelled
        ``progress(done, total)`` counts steps (texts read, batches trained); ``cancelled`` is
        polled between batches, and :class:`Cancelled` raised when it returns True.

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
    t0 = time.perf_counter()
    layers = _checked_layers(layers, train, issue_model)
    rng = _seeded(seed)
    plan = _Plan.of(train, held_out, layers, rehearsal_texts, issue_model)
    steps = _Steps(progress, len(plan.texts) + epochs * plan.batches + len(held_out))
    first = _first_pass(load_base, taxonomy, plan, cancelled, steps)
    nlp = load_base()
    work, optimizer = _prepare(nlp, keep, taxonomy, plan, first)
    _check(cancelled, "before the first batch")
    losses = _update(nlp, work, optimizer, epochs, rng, cancelled, steps)
    after, shares = _last_pass(nlp, plan, first, cancelled, steps, seed)
    return TrainResult(
        nlp=nlp,
        layers=layers,
        before=first.before,
        after=after,
        train_articles=len(train),
        held_out_articles=len(held_out),
        rehearsal_texts=len(first.rehearsal_docs),
        epochs=epochs,
        seconds=time.perf_counter() - t0,
        losses=losses,
        worse_share=shares,
    )


def _seeded(seed: int) -> random.Random:
    """Seed spaCy (and numpy) for the run; returns the Python generator of the shuffles."""
    import spacy

    spacy.util.fix_random_seed(seed)
    return random.Random(seed)


class _FirstPass(NamedTuple):
    """What the starting pipeline made of the plan's texts, and its "before" scores."""

    skip: list[str]  # components left out of every pass (parser, senter)
    before: dict[str, LayerScore]
    before_docs: list[Doc]
    memory_docs: list[Doc]
    issue_docs: list[Doc]
    rehearsal_docs: list[Doc]


def _first_pass(load_base, taxonomy: Taxonomy, plan: _Plan, cancelled: Cancel, steps: _Steps) -> _FirstPass:
    """One pass of the starting pipeline: "before" predictions on the held-out articles,
    lemmas for the issue memory, candidates for the span categorizer, entities for rehearsal."""
    from annotator.suggest.ruler import add_issue_ruler

    before_nlp = load_base()
    add_issue_ruler(before_nlp, taxonomy, name=BEFORE_RULER)
    skip = [n for n in before_nlp.pipe_names if n == "parser" or n == "senter"]
    pre = _pipe(before_nlp, plan.texts, skip, cancelled, steps, "while reading the articles")
    before_docs, memory_docs, issue_docs, rehearsal_docs = plan.split(pre)
    before = score_docs(before_docs, plan.held_out, plan.layers)
    return _FirstPass(skip, before, before_docs, memory_docs, issue_docs, rehearsal_docs)


def _last_pass(nlp: Language, plan: _Plan, first: _FirstPass, cancelled: Cancel, steps: _Steps, seed: int):
    """The trained pipeline's scores on the held-out articles, and the share of resamples on
    which each layer is worse than before (see :func:`worse_share`)."""
    held_out = plan.held_out
    after_docs = _pipe(nlp, [a.text for a in held_out], first.skip, cancelled, steps, "while scoring")
    after = score_docs(after_docs, held_out, plan.layers)
    shares = {
        lay: worse_share(first.before_docs, after_docs, held_out, lay, seed=seed) for lay in plan.layers
    }
    return after, shares


def _checked_layers(layers: Sequence[str], train: Sequence[TrainingArticle], issue_model: str):
    """The layers to train in their order; a ModelError when there is nothing to train."""
    layers = tuple(layer for layer in (ENTITY, ISSUE) if layer in layers)
    if not layers:
        raise ModelError("nothing to train: choose the entity layer, the issue layer or both")
    if not train:
        raise ModelError("no annotated articles to train from", hint="annotate and mark some articles done")
    if issue_model not in ISSUE_MODELS:
        raise ModelError(f"unknown issue model {issue_model!r}; choose one of: {', '.join(ISSUE_MODELS)}")
    return layers


@dataclass(frozen=True)
class _Plan:
    """Which articles each component learns from, and the texts the starting pipeline reads."""

    held_out: Sequence[TrainingArticle]
    layers: tuple[str, ...]
    entity_train: list[TrainingArticle]
    memory_train: list[TrainingArticle]
    issue_train: list[TrainingArticle]
    rehearsal: list[str]

    @classmethod
    def of(cls, train, held_out, layers, rehearsal_texts, issue_model: str) -> _Plan:
        entity_train = [a for a in train if ENTITY in layers and (a.layer_spans(ENTITY) or a.complete)]
        memory_train = [
            a
            for a in train
            if ISSUE in layers and (a.complete or a.layer_spans(ISSUE) or a.layer_rejected(ISSUE))
        ]
        issue_train = [a for a in memory_train if a.complete] if issue_model == "spancat" else []
        rehearsal = list(rehearsal_texts)[: len(entity_train)] if ENTITY in layers else []
        return cls(held_out, layers, entity_train, memory_train, issue_train, rehearsal)

    @property
    def texts(self) -> list[str]:
        """Held-out texts, then the issue memory's, then the rehearsal texts."""
        return [a.text for a in self.held_out] + [a.text for a in self.memory_train] + self.rehearsal

    @property
    def batches(self) -> int:
        """Batches of one epoch, over the components trained."""
        n_ner = len(self.entity_train) + len(self.rehearsal)
        entity_batches = -(-n_ner // BATCH_SIZE) if ENTITY in self.layers else 0
        return entity_batches + -(-len(self.issue_train) // SPAN_BATCH_SIZE)

    def split(self, pre: list[Doc]) -> tuple[list[Doc], list[Doc], list[Doc], list[Doc]]:
        """The starting pipeline's docs of :attr:`texts` as (before, memory, issue, rehearsal)."""
        n_held, n_memory = len(self.held_out), len(self.memory_train)
        before_docs = pre[:n_held]
        memory_docs = pre[n_held : n_held + n_memory]
        issue_docs = (
            [d for d, a in zip(memory_docs, self.memory_train, strict=True) if a.complete]
            if self.issue_train
            else []
        )
        return before_docs, memory_docs, issue_docs, pre[n_held + n_memory :]


class _Steps:
    """Counts the steps done and reports them as ``progress(done, total)``."""

    def __init__(self, progress: Progress, total: int):
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def _pipe(nlp: Language, texts: Sequence[str], skip: list[str], cancelled: Cancel, steps: _Steps, what: str):
    """The docs of ``texts``, a step each, polling ``cancelled`` between them."""
    docs: list[Doc] = []
    for doc in nlp.pipe(texts, disable=skip, batch_size=16):
        _check(cancelled, what)
        docs.append(doc)
        steps()
    return docs


def _prepare(nlp: Language, keep: Language | None, taxonomy: Taxonomy, plan: _Plan, first: _FirstPass):
    """Keep the components of the layers not trained now, add and initialise the ones to train.

    Returns ``([(name, examples)], optimizer)``.
    """
    _keep_components(nlp, keep, plan.layers)
    work: list[tuple[str, list]] = []
    fresh_ner = False
    if ENTITY in plan.layers:
        entity_train = plan.entity_train
        examples = [_ner_example(nlp, a) for a in entity_train]
        taught = {a.text[s.start : s.end].lower() for a in entity_train for s in a.layer_spans(ENTITY)}
        taught |= {a.text[s.start : s.end].lower() for a in entity_train for s in a.layer_rejected(ENTITY)}
        examples += [_rehearsal_example(nlp, doc, taught) for doc in first.rehearsal_docs]
        fresh_ner = NER not in nlp.pipe_names
        ner = _entity_recogniser(nlp, examples)
        work.append((NER, examples))
        if fresh_ner:
            ner.initialize(lambda: examples, nlp=nlp)
    # Resuming keeps the starting weights of the entity recogniser (and copies them as the
    # rehearsal reference); it must come before the new span categorizer is added.
    optimizer = nlp.resume_training() if ENTITY in plan.layers and not fresh_ner else nlp.create_optimizer()
    if ISSUE in plan.layers:
        from annotator.train.memory import learn

        decisions = learn(first.memory_docs, plan.memory_train)
        span_examples, seen, labels = _issue_examples(first.issue_docs, plan.issue_train, taxonomy)
        spancat = _add_issue_components(nlp, taxonomy, seen, decisions, spancat=bool(span_examples))
        from annotator.train import issue_classifier

        rows, answers = issue_classifier.examples(first.memory_docs, plan.memory_train)
        nlp.get_pipe(CLASSIFIER_PIPE).weights = issue_classifier.fit(rows, answers)
        if spancat is not None:
            for label in labels:
                spancat.add_label(label)
            spancat.initialize(lambda: span_examples[:BATCH_SIZE], nlp=nlp)
            work.append((SPANCAT, span_examples))
    return work, optimizer


def _update(
    nlp: Language, work, optimizer, epochs: int, rng: random.Random, cancelled: Cancel, steps: _Steps
):
    """Train ``work``'s components for ``epochs`` passes; returns the losses."""
    from spacy.util import minibatch

    losses: dict[str, float] = {}
    for _ in range(epochs):
        for name, examples in work:
            proc = nlp.get_pipe(name)
            rng.shuffle(examples)
            for batch in minibatch(examples, size=BATCH_SIZE if name == NER else SPAN_BATCH_SIZE):
                _check(cancelled, "between batches")
                proc.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
                steps()
    return losses


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
    from annotator.suggest.ruler import WEAK_SUFFIX
    from annotator.train.issue_classifier import CLASSIFIER_FACTORY

    weak_key = c.CANDIDATES + WEAK_SUFFIX
    nlp.add_pipe(CLASSIFIER_FACTORY, name=CLASSIFIER_PIPE, config={"weak_key": weak_key})
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
