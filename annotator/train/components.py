"""spaCy components of a trained annotator pipeline (registered when this module is imported).

A trained pipeline marks issues in three or four steps:

``issue_candidates`` (:class:`CandidateRuler`)
    The taxonomy's issue ruler, writing its matches to ``doc.spans["issue_candidates"]`` and the
    matches of its exceptions to ``doc.spans["issue_candidates_blocked"]``.
``spancat`` (only with ``issue_model="spancat"``)
    spaCy's span categorizer over the candidates plus every 1- to 3-token n-gram
    (:func:`issue_candidates_suggester`), writing spans scoring at least 0.5 to
    ``doc.spans["issues_model"]``.
``issue_combiner`` (:class:`IssueCombiner`)
    Writes the final ``doc.spans["issues"]``: the span categorizer decides about every phrase it
    saw during training (accepted or rejected by the annotators); the taxonomy decides about
    phrases it never saw; exceptions of the taxonomy always win. Without a span categorizer it
    passes the taxonomy's matches on.
``issue_memory`` (:class:`annotator.train.memory.IssueMemory`)
    Applies the annotators' majority decision about each issue phrase they marked or rejected.

:class:`annotator.suggest.Suggester` recognises such a pipeline by the combiner's
``writes_issues`` attribute and gives the current taxonomy to every component with an
``add_taxonomy`` method instead of adding its own ruler.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

from annotator.suggest.ruler import IssueRuler
from annotator.suggest.taxonomy import Issue, Taxonomy
from annotator.train import issue_classifier, memory  # noqa: F401  registers them too

CANDIDATES_FACTORY = "annotator_issue_candidates"
COMBINER_FACTORY = "annotator_issue_combiner"
SUGGESTER = "annotator.issue_candidates.v1"
CANDIDATES = "issue_candidates"
BLOCKED = memory.BLOCKED_KEY
MODEL_KEY = "issues_model"
ISSUES_KEY = "issues"


def phrase_key(span: Span) -> str:
    """What a span says, independent of inflection: its lowercase lemmas (or words)."""
    return " ".join((t.lemma_ or t.text).lower() for t in span)


@Language.factory(
    CANDIDATES_FACTORY,
    default_config={"spans_key": CANDIDATES, "source": ""},
    assigns=["doc.spans"],
)
def make_candidate_ruler(nlp: Language, name: str, spans_key: str, source: str) -> CandidateRuler:
    """spaCy factory for :class:`CandidateRuler`."""
    return CandidateRuler(nlp, name, spans_key=spans_key, source=source)


class CandidateRuler:
    """The taxonomy's issue ruler, also marking where its exceptions match.

    The exception matches (``doc.spans[spans_key + "_blocked"]``) let the combiner drop a
    learned span that the taxonomy says is not that issue ("trade" in "trade union"). Two
    :class:`~annotator.suggest.ruler.IssueRuler` do the matching: one with the taxonomy, one
    whose patterns are the taxonomy's exceptions.
    """

    def __init__(self, nlp: Language, name: str, *, spans_key: str = CANDIDATES, source: str = ""):
        self.name = name
        self.spans_key = spans_key
        self.matches = IssueRuler(nlp, name, spans_key=spans_key, source=source)
        self.blocker = IssueRuler(nlp, name + "_blocked", spans_key=spans_key + "_blocked", source=source)

    @property
    def source(self) -> str:
        """Provenance of the taxonomy in use."""
        return self.matches.source

    def add_taxonomy(self, taxonomy: Taxonomy) -> None:
        """Match ``taxonomy`` from now on (and block where its exceptions match)."""
        self.matches.add_taxonomy(taxonomy)
        self.blocker.rules = []
        exceptions = tuple(
            Issue(i.label, i.description, None, i.colour, patterns=i.exceptions)
            for i in taxonomy.issues
            if i.exceptions
        )
        if exceptions:
            self.blocker.add_taxonomy(Taxonomy(taxonomy.name, taxonomy.version, exceptions))

    def __call__(self, doc: Doc) -> Doc:
        self.matches(doc)
        if self.blocker.rules:
            self.blocker(doc)
        else:
            key = self.spans_key + "_blocked"
            doc.spans[key] = SpanGroup(doc, name=key, spans=[])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({"matches": self.matches.to_bytes(), "blocker": self.blocker.to_bytes()})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> CandidateRuler:
        parts = srsly.msgpack_loads(data)
        self.matches.from_bytes(parts["matches"])
        self.blocker.from_bytes(parts["blocker"])
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        self.matches.to_disk(path / "matches")
        self.blocker.to_disk(path / "blocker")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> CandidateRuler:
        path = Path(path)
        self.matches.from_disk(path / "matches")
        self.blocker.from_disk(path / "blocker")
        return self


@registry.misc(SUGGESTER)
def build_issue_candidates_suggester(sizes: list[int], candidates_key: str = CANDIDATES):
    """Suggester for the span categorizer: every n-gram of ``sizes`` plus the ruler's matches."""

    def suggest(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        return issue_candidates_suggester(docs, sizes, candidates_key, ops=ops)

    return suggest


def issue_candidates_suggester(
    docs: Iterable[Doc], sizes: list[int], candidates_key: str, *, ops: Ops | None = None
) -> Ragged:
    """Token ranges ``[start, end)`` to score: n-grams of ``sizes`` and the taxonomy's matches."""
    ops = ops or get_current_ops()
    rows: list[tuple[int, int]] = []
    lengths: list[int] = []
    for doc in docs:
        found = {(i, i + n) for n in sizes for i in range(len(doc) - n + 1)}
        if candidates_key in doc.spans:
            found.update((s.start, s.end) for s in doc.spans[candidates_key])
        rows.extend(sorted(found))
        lengths.append(len(found))
    data = ops.asarray2i(rows) if rows else ops.xp.zeros((0, 0), dtype="i")
    return Ragged(data, ops.asarray1i(lengths))


@Language.factory(
    COMBINER_FACTORY,
    default_config={
        "spans_key": ISSUES_KEY,
        "model_key": MODEL_KEY,
        "candidates_key": CANDIDATES,
    },
    assigns=["doc.spans"],
)
def make_issue_combiner(
    nlp: Language, name: str, spans_key: str, model_key: str, candidates_key: str
) -> IssueCombiner:
    """spaCy factory for :class:`IssueCombiner`."""
    return IssueCombiner(name, spans_key=spans_key, model_key=model_key, candidates_key=candidates_key)


class IssueCombiner:
    """Merges the taxonomy's candidates and the span categorizer's issues into ``doc.spans["issues"]``.

    Parameters
    ----------
    name
        Component name.
    spans_key
        Where the final issues go.
    model_key
        Where the span categorizer writes the spans it accepts.
    candidates_key
        Where the taxonomy ruler writes its matches.

    Attributes
    ----------
    seen : set of tuple
        ``(label, phrase_key)`` of every taxonomy match and gold issue span in the training
        articles: for these the span categorizer decides, for any other match the taxonomy does.
    """

    writes_issues = True

    def __init__(self, name: str, *, spans_key: str, model_key: str, candidates_key: str):
        self.name = name
        self.spans_key = spans_key
        self.model_key = model_key
        self.candidates_key = candidates_key
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, doc: Doc) -> Doc:
        blocked: dict[str, list[tuple[int, int]]] = {}
        for s in doc.spans.get(self.candidates_key + "_blocked", ()):
            blocked.setdefault(s.label_, []).append((s.start, s.end))
        found: dict[tuple[int, int, str], float | None] = {}
        for s in doc.spans.get(self.candidates_key, ()):
            if (s.label_, phrase_key(s)) not in self.seen:
                found[(s.start, s.end, s.label_)] = None
        model = doc.spans.get(self.model_key)
        if model is not None:
            scores = model.attrs.get("scores")
            for i, s in enumerate(model):
                if any(a <= s.start and s.end <= b for a, b in blocked.get(s.label_, ())):
                    continue
                found[(s.start, s.end, s.label_)] = None if scores is None else float(scores[i])
        spans = [Span(doc, a, b, label=label) for a, b, label in sorted(found)]
        doc.spans[self.spans_key] = SpanGroup(
            doc, name=self.spans_key, spans=spans, attrs={"scores": [found[k] for k in sorted(found)]}
        )
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def _data(self) -> dict[str, Any]:
        return {"seen": sorted([label, key] for label, key in self.seen)}

    def _load(self, data: dict[str, Any]) -> None:
        self.seen = {(label, key) for label, key in data.get("seen", [])}

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps(self._data())

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> IssueCombiner:
        self._load(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "seen.json", self._data())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> IssueCombiner:
        self._load(srsly.read_json(Path(path) / "seen.json"))
        return self
