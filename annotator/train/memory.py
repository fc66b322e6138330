"""Issue memory: what the annotators decided about an issue phrase, applied to its later mentions.

A few dozen annotated articles are too few for a span categorizer to learn issues from (on
real news it scored well below the taxonomy it started from in two of three splits, a little
above in the third), but they do say, phrase by phrase, what the team wants: "gas" in these
articles is not ENERGY, "campaign" and "polling" are ELECTIONS issues, "police" is CRIME. INCEpTION's string-matching recommender works from the
same observation. The memory records, for each issue phrase marked or rejected in the training
articles, what happened to each of its mentions there, and keeps the majority decision:

* "is this issue": every later mention of the phrase gets the issue (unless an issue with the
  same label overlaps it), whether the taxonomy suggested it or not;
* "is not this issue": a suggestion of the phrase with that issue is dropped.

A suggestion the annotators relabelled is both: not the old issue, and the new one.

Mentions are counted only where the whole article is known. On an article marked done, each
mention of a phrase is a vote for every issue label the phrase was marked or rejected with:
"yes" where the mention is exactly an issue span with that label, "no" where it is not (and no
vote where it lies inside or around another issue span: part of a longer phrase, or holding a
shorter one). On an article not done only the marked spans ("yes") and the rejected
suggestions ("no") vote. A decision needs a strict majority, and "no" needs at least
:data:`MIN_DROP` votes, so one mention an annotator missed does not silence a phrase.

Phrases are matched by their lowercase lemmas, as the taxonomy matches them ("tariffs" is
"tariff"). Entities have no memory: on the same real articles it made the retrained entity
recogniser slightly worse, which learns names from context better than a list does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from annotator.model import ISSUE
from annotator.train.data import TrainingArticle

MEMORY_FACTORY = "annotator_issue_memory"
ISSUES_KEY = "issues"
BLOCKED_KEY = "issue_candidates_blocked"  # where the taxonomy's exceptions match (components.py)
MIN_DROP = 2  # mentions needed before a phrase's suggestions are dropped
MAX_WORDS = 8  # longer phrases are not remembered

Key = tuple[str, ...]


def phrase_words(tokens: Iterable) -> Key:
    """A phrase as the memory matches it: its lowercase lemmas (or words)."""
    return tuple((t.lemma_ or t.text).lower() for t in tokens)


class _Index:
    """Finds the mentions of many phrases in a doc, longest first."""

    def __init__(self, keys: Iterable[Key]):
        self.by_first: dict[str, list[Key]] = {}
        for key in keys:
            self.by_first.setdefault(key[0], []).append(key)
        for keys_ in self.by_first.values():
            keys_.sort(key=len, reverse=True)

    def find(self, doc: Doc) -> list[tuple[int, int, Key]]:
        """Every mention ``(start, end, key)`` in token offsets; mentions may overlap."""
        if not self.by_first:
            return []
        words = phrase_words(doc)
        out = []
        for i, w in enumerate(words):
            for key in self.by_first.get(w, ()):
                n = len(key)
                if words[i : i + n] == key:
                    out.append((i, i + n, key))
        return out


def _tokens(doc: Doc, spans) -> dict[tuple[int, int], set[str]]:
    out: dict[tuple[int, int], set[str]] = {}
    for s in spans:
        span = doc.char_span(s.start, s.end)
        if span is not None and 0 < len(span) <= MAX_WORDS:
            out.setdefault((span.start, span.end), set()).add(s.label)
    return out


def learn(docs: Sequence[Doc], articles: Sequence[TrainingArticle]) -> dict[Key, dict[str, bool]]:
    """The majority decision about every issue phrase and label marked or rejected in ``articles``.

    ``docs`` are the articles' texts tokenised and lemmatised by the pipeline that will use
    the memory. Returns, per phrase, ``{label: True}`` for "is this issue" and ``{label: False}``
    for "is not"; a label without a majority is left out. See the module docstring for how
    mentions are counted.
    """
    votes: dict[Key, dict[str, list[int]]] = {}  # phrase -> label -> [yes, no]
    per_doc = []
    for doc, art in zip(docs, articles, strict=True):
        gold = _tokens(doc, art.layer_spans(ISSUE))
        rejected = _tokens(doc, art.layer_rejected(ISSUE))
        per_doc.append((doc, art, gold, rejected))
        for where in (gold, rejected):
            for (a, b), labels in where.items():
                for label in labels:
                    votes.setdefault(phrase_words(doc[a:b]), {}).setdefault(label, [0, 0])
    index = _Index(votes)
    for doc, art, gold, rejected in per_doc:
        if art.complete:
            covered = [False] * (len(doc) + 1)
            for a, b in gold:
                for i in range(a, b):
                    covered[i] = True
            for a, b, key in index.find(doc):
                here = gold.get((a, b))
                if here is None and any(covered[a:b]):
                    continue  # part of a longer issue, or around a shorter one: no say
                for label, count in votes[key].items():
                    count[0 if here and label in here else 1] += 1
        else:
            for (a, b), labels in gold.items():
                for label in labels:
                    votes[phrase_words(doc[a:b])][label][0] += 1
            for (a, b), labels in rejected.items():
                for label in labels - gold.get((a, b), set()):
                    votes[phrase_words(doc[a:b])][label][1] += 1
    decided: dict[Key, dict[str, bool]] = {}
    for key, labels in votes.items():
        for label, (yes, no) in labels.items():
            if yes > no or (no > yes and no >= MIN_DROP):
                decided.setdefault(key, {})[label] = yes > no
    return decided


@Language.factory(MEMORY_FACTORY, default_config={"spans_key": ISSUES_KEY}, assigns=["doc.spans"])
def make_issue_memory(nlp: Language, name: str, spans_key: str) -> IssueMemory:
    """spaCy factory for :class:`IssueMemory`."""
    return IssueMemory(name, spans_key=spans_key)


class IssueMemory:
    """Applies the remembered decisions to the issues in ``doc.spans[spans_key]``.

    A suggested issue whose phrase the memory decided is not that issue is dropped, and every
    mention of a phrase decided an issue gets that issue (score None) unless an issue with the
    same label overlaps it, or an exception of the taxonomy for that label matches there
    ("trade" in "trade union" stays out of TRADE).

    Attributes
    ----------
    decisions : dict
        Phrase (lowercase lemmas) to ``{label: is it that issue}``; see :func:`learn`.
    """

    def __init__(self, name: str, *, spans_key: str = ISSUES_KEY):
        self.name = name
        self.spans_key = spans_key
        self.decisions: dict[Key, dict[str, bool]] = {}
        self._index = _Index(())

    def remember(self, decisions: dict[Key, dict[str, bool]]) -> None:
        """Use ``decisions`` (from :func:`learn`) from now on."""
        self.decisions = {k: dict(v) for k, v in decisions.items()}
        self._index = _Index(k for k, v in self.decisions.items() if any(v.values()))

    def knows(self, span: Span) -> bool:
        """Whether the memory has decided about the phrase of ``span`` as its issue."""
        return span.label_ in self.decisions.get(phrase_words(span), {})

    def __call__(self, doc: Doc) -> Doc:
        if not self.decisions or self.spans_key not in doc.spans:
            return doc
        group = doc.spans[self.spans_key]
        scores = group.attrs.get("scores")
        blocked: dict[str, list[tuple[int, int]]] = {}
        for s in doc.spans.get(BLOCKED_KEY, ()):
            blocked.setdefault(s.label_, []).append((s.start, s.end))
        found: dict[tuple[int, int, str], float | None] = {}
        for i, s in enumerate(group):
            if self.decisions.get(phrase_words(s), {}).get(s.label_) is not False:
                found.setdefault((s.start, s.end, s.label_), scores[i] if scores else None)
        taken: dict[str, list[bool]] = {}
        for a, b, label in found:
            mask = taken.setdefault(label, [False] * (len(doc) + 1))
            for i in range(a, b):
                mask[i] = True
        for a, b, key in self._index.find(doc):
            for label, yes in self.decisions[key].items():
                mask = taken.setdefault(label, [False] * (len(doc) + 1))
                if not yes or any(mask[a:b]) or any(x <= a and b <= y for x, y in blocked.get(label, ())):
                    continue
                found[(a, b, label)] = None
                for i in range(a, b):
                    mask[i] = True
        keys = sorted(found)
        doc.spans[self.spans_key] = SpanGroup(
            doc,
            name=self.spans_key,
            spans=[Span(doc, a, b, label=label) for a, b, label in keys],
            attrs={"scores": [found[k] for k in keys]},
        )
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def _data(self) -> dict[str, Any]:
        return {
            "decisions": [
                [list(k), label, yes]
                for k, labels in sorted(self.decisions.items())
                for label, yes in sorted(labels.items())
            ]
        }

    def _load(self, data: dict[str, Any]) -> None:
        decisions: dict[Key, dict[str, bool]] = {}
        for words, label, yes in data.get("decisions", []):
            decisions.setdefault(tuple(words), {})[label] = bool(yes)
        self.remember(decisions)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps(self._data())

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> IssueMemory:
        self._load(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "decisions.json", self._data())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> IssueMemory:
        self._load(srsly.read_json(Path(path) / "decisions.json"))
        return self
