"""Issue classifier: which of the taxonomy's matches this team marks, learned so that it carries over.

The issue memory (:mod:`annotator.train.memory`) repeats decisions about the very phrases the
annotators saw. This component generalises from them: a logistic regression over every match
of the taxonomy (its strong patterns and its weak ones, kept or not) decides whether to suggest
it, from features that mean something on an article nobody annotated:

* the issue, and whether the pattern is weak and has another issue within a sentence;
* how much of the article is about that issue (its share of the article's strong matches);
* the phrase's lemmas and part of speech, alone and with the issue (what the team said of a
  word it met before);
* the words around it (what a phrase next to "police" or "court" tends to be).

Trained on the matches of the training articles: a match overlapping a marked issue phrase is
positive, one on a finished article that overlaps none (or was rejected) negative. With too
few examples of either kind it stays inactive and passes the taxonomy's decision through.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from annotator.model import ISSUE
from annotator.suggest.ruler import WEAK_SUFFIX, sentence_index
from annotator.train.data import TrainingArticle

CLASSIFIER_FACTORY = "annotator_issue_classifier"
ISSUES_KEY = "issues"
THRESHOLD = 0.4  # below the even odds: a missed issue costs the annotator more than a wrong one
MIN_EXAMPLES = 20  # of each class, before the classifier decides anything
L2 = 2.0
EPOCHS = 300

Candidate = tuple[int, int, str, bool]  # token start, end, issue, weak


def candidates(doc: Doc, key: str = ISSUES_KEY, weak_key: str | None = None) -> list[Candidate]:
    """The issues a doc holds plus its weak matches not kept, each flagged weak or not."""
    weak_key = weak_key or key + WEAK_SUFFIX
    weak = {(s.start, s.end, s.label_) for s in doc.spans.get(weak_key, ())}
    found = {(s.start, s.end, s.label_) for s in doc.spans.get(key, ())}
    return [(a, b, label, (a, b, label) in weak) for a, b, label in sorted(found | weak)]


def features(doc: Doc, cands: Sequence[Candidate]) -> list[dict[str, float]]:
    """Sparse features of each candidate (see the module docstring)."""
    sentence = sentence_index(doc)
    strong = [c for c in cands if not c[3]]
    near = {sentence[c[0]] for c in strong}
    counts: dict[str, int] = {}
    for c in strong:
        counts[c[2]] = counts.get(c[2], 0) + 1
    total = max(1, len(strong))
    out = []
    for start, end, label, weak in cands:
        lemma = " ".join((t.lemma_ or t.text).lower() for t in doc[start:end])
        s = sentence[start]
        close = bool({s - 1, s, s + 1} & near)
        f = {
            f"issue={label}": 1.0,
            "weak": float(weak),
            "weak&alone": float(weak and not close),
            "share": counts.get(label, 0) / total,
            "many": min(counts.get(label, 0), 10) / 10,
            f"lemma={lemma}": 1.0,
            f"lemma|issue={lemma}|{label}": 1.0,
            f"pos={doc[end - 1].pos_}": 1.0,
            f"pos|issue={doc[end - 1].pos_}|{label}": 1.0,
        }
        if start > 0:
            f[f"before={(doc[start - 1].lemma_ or doc[start - 1].text).lower()}"] = 1.0
        if end < len(doc):
            f[f"after={(doc[end].lemma_ or doc[end].text).lower()}"] = 1.0
        out.append(f)
    return out


def examples(docs: Sequence[Doc], articles: Sequence[TrainingArticle]) -> tuple[list[dict], list[int]]:
    """Features and 0/1 answers of the candidates of annotated docs (unknown ones left out)."""
    rows: list[dict] = []
    answers: list[int] = []
    for doc, art in zip(docs, articles, strict=True):
        cands = candidates(doc)
        gold = _token_spans(doc, art.layer_spans(ISSUE))
        rejected = _token_spans(doc, art.layer_rejected(ISSUE))
        for c, f in zip(cands, features(doc, cands), strict=True):
            if _overlaps(c, gold):
                answers.append(1)
            elif art.complete or _overlaps(c, rejected):
                answers.append(0)
            else:
                continue
            rows.append(f)
    return rows, answers


def fit(rows: Sequence[dict], answers: Sequence[int]) -> dict[str, float]:
    """Logistic-regression weights (with ``"bias"``), or {} when there is too little to learn from."""
    import numpy as np

    if min(sum(answers), len(answers) - sum(answers)) < MIN_EXAMPLES:
        return {}
    vocab: dict[str, int] = {}
    for f in rows:
        for k in f:
            vocab.setdefault(k, len(vocab))
    x = np.zeros((len(rows), len(vocab)), dtype=np.float64)
    for i, f in enumerate(rows):
        for k, v in f.items():
            x[i, vocab[k]] = v
    y = np.asarray(answers, dtype=np.float64)
    w, b = np.zeros(len(vocab)), 0.0
    for _ in range(EPOCHS):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = p - y
        w -= 0.5 * (x.T @ g + L2 * w) / len(y)
        b -= 0.5 * g.mean()
    weights = {k: float(w[j]) for k, j in vocab.items() if abs(w[j]) > 1e-4}
    weights["bias"] = float(b)
    return weights


@Language.factory(
    CLASSIFIER_FACTORY, default_config={"spans_key": ISSUES_KEY, "weak_key": ""}, assigns=["doc.spans"]
)
def make_issue_classifier(nlp: Language, name: str, spans_key: str, weak_key: str) -> IssueClassifier:
    """spaCy factory for :class:`IssueClassifier`."""
    return IssueClassifier(name, spans_key=spans_key, weak_key=weak_key or None)


class IssueClassifier:
    """Keeps the candidates the learned weights score at :data:`THRESHOLD` or more."""

    def __init__(self, name: str, *, spans_key: str = ISSUES_KEY, weak_key: str | None = None):
        self.name = name
        self.spans_key = spans_key
        self.weak_key = weak_key
        self.weights: dict[str, float] = {}

    def score(self, doc: Doc, cands: Sequence[Candidate]) -> list[float]:
        import math

        bias = self.weights.get("bias", 0.0)
        out = []
        for f in features(doc, cands):
            z = bias + sum(self.weights.get(k, 0.0) * v for k, v in f.items())
            out.append(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))
        return out

    def __call__(self, doc: Doc) -> Doc:
        if not self.weights:
            return doc
        cands = candidates(doc, self.spans_key, self.weak_key)
        keep = [c for c, p in zip(cands, self.score(doc, cands), strict=True) if p >= THRESHOLD]
        spans = [Span(doc, a, b, label=label) for a, b, label, _ in keep]
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({"spans_key": self.spans_key, "weights": self.weights})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> IssueClassifier:
        data = srsly.msgpack_loads(data)
        self.spans_key, self.weights = data["spans_key"], dict(data["weights"])
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "weights.json", {"spans_key": self.spans_key, "weights": self.weights})

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> IssueClassifier:
        data: Any = srsly.read_json(Path(path) / "weights.json")
        self.spans_key, self.weights = data["spans_key"], dict(data["weights"])
        return self


def _token_spans(doc: Doc, spans) -> list[tuple[int, int]]:
    out = []
    for s in spans:
        span = doc.char_span(s.start, s.end, alignment_mode="expand")
        if span is not None:
            out.append((span.start, span.end))
    return out


def _overlaps(c: Candidate, spans: list[tuple[int, int]]) -> bool:
    return any(a < c[1] and c[0] < b for a, b in spans)
