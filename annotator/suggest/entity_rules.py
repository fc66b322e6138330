"""Entity rules: the project's annotation conventions applied to a statistical recogniser's output.

The English pipelines are trained on OntoNotes, whose boundaries differ from ours
(``resources/guidelines.md``) and which sees a name one sentence at a time. This component runs
after the recogniser and, on the whole article:

* trims what is not the name: a leading determiner ("the [United States]"), a trailing
  possessive, a job title or honorific before a person ("President [Trump]");
* drops job-title fragments taken for organisations ("State" in "Secretary of State",
  "Health" in "Health Minister");
* labels a name after a personal title as a person ("Minister [Jane Doe]" when the model
  said ORG or nothing);
* drops a one-word "person" the article never introduces by full name or title (a shop or a
  brand, most often);
* labels a name of two or three words that starts with a common given name as a person
  (``resources/given_names.txt``, our own list);
* keeps one label per name in the article: a surname or full name seen as a person is a person
  at every mention; an acronym introduced in parentheses after an organisation is that
  organisation's label everywhere ("Federal Security Service (FSB)");
* marks the organisations every news article names without context, from a short list of
  our own (platforms, agencies, outlets): "Facebook", "WHO", "Reuters".

It only reads token text, shape and (when present) part of speech, so it is cheap next to the
recogniser and works on ``spacy.blank("en")`` plus an entity ruler in tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from annotator.paths import resource
from annotator.suggest.entity_words import (
    DETERMINERS,
    HEADWORDS,
    NAME_LABELS,
    NOT_ENTITIES,
    NOT_NAMES,
    NUMBERISH,
    PERSON_TITLES,
    PORTFOLIOS,
    REGNAL,
    RELABEL,
    STORMS,
    TITLE_HEADS,
    TITLES,
)

FACTORY = "annotator_entity_rules"
DEFAULT_NAME = "entity_rules"
GAZETTEER = "entities.json"
GIVEN_NAMES = "given_names.txt"
SOURCE = "rules:annotator-entities@2"

@Language.factory(FACTORY, default_config={"gazetteer": True}, assigns=["doc.ents"], requires=["doc.ents"])
def make_entity_rules(nlp: Language, name: str, gazetteer: bool) -> EntityRules:
    """spaCy factory for :class:`EntityRules` (``nlp.add_pipe("annotator_entity_rules")``)."""
    return EntityRules(name, gazetteer=gazetteer, nlp=nlp)


def load_gazetteer() -> dict[str, dict[str, str]]:
    """The bundled names: ``{"exact": {text: label}, "caseless": {text: label}}``."""
    data = json.loads(resource(GAZETTEER).read_text(encoding="utf-8"))
    exact: dict[str, str] = {}
    caseless: dict[str, str] = {}
    for label, names in data["exact"].items():
        exact.update(dict.fromkeys(names, label))
    for label, names in data["caseless"].items():
        caseless.update({n.lower(): label for n in names})
    return {"exact": exact, "caseless": caseless}


class EntityRules:
    """Applies the project's entity conventions to ``doc.ents`` (see the module docstring).

    Parameters
    ----------
    name
        Component name.
    gazetteer
        Also mark the bundled names (``resources/entities.json``).
    nlp
        The pipeline, whose tokenizer splits the listed names into words.
    """

    def __init__(self, name: str = DEFAULT_NAME, *, gazetteer: bool = True, nlp: Language | None = None):
        self.name = name
        self.gazetteer = load_gazetteer() if gazetteer else {"exact": {}, "caseless": {}}
        self._index = _gazetteer_index(nlp, self.gazetteer)
        self._given = load_given_names()
        self._demonyms = _demonyms_of(n for n, label in self.gazetteer["exact"].items() if label == "GPE")

    def __call__(self, doc: Doc) -> Doc:
        spans = [s for s in (self._trim(doc, e) for e in doc.ents) if s is not None]
        spans = [_by_headword(s) for s in spans if not _title_fragment(doc, s) and not _not_a_name(s)]
        spans = [_given_named(s, self._given) for s in spans]
        spans = _without_lone_people(doc, self._titled_people(doc, spans))
        spans = self._gazetteer_names(doc, spans)
        spans = _acronyms(doc, spans)
        spans = _demonyms(_regnal(doc, spans), self._demonyms)
        spans = _one_label_per_name(doc, spans)
        doc.ents = filter_spans(spans)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        """Apply the component to a stream of docs."""
        for doc in docs:
            yield self(doc)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return b""

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> EntityRules:
        return self

    def to_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> None:
        return None

    def from_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> EntityRules:
        return self

    def _trim(self, doc: Doc, ent: Span) -> Span | None:
        start, end, label = ent.start, ent.end, ent.label_
        for i in range(start + 1, end):  # "World Health Organization (WHO": the name ends at "("
            if doc[i].text in {"(", ")", "[", "]"}:
                end = i
                break
        while start < end and _drop_first(doc, start, end, label, self.gazetteer["exact"]):
            start += 1
        while end > start and (doc[end - 1].text in {"'s", "’s", "'", "’"} or doc[end - 1].is_punct):
            end -= 1
        if start >= end:
            return None
        return ent if (start, end) == (ent.start, ent.end) else Span(doc, start, end, label=label)

    def _titled_people(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """A capitalised name right after a personal title is a person."""
        by_start = {s.start: s for s in spans}
        covered = {i for s in spans for i in range(s.start, s.end)}
        out = list(spans)
        for token in doc:
            if token.i + 1 >= len(doc) or token.lower_.rstrip(".") not in PERSON_TITLES or not token.is_title:
                continue
            if token.i in covered:  # "General" in "General Motors"
                continue
            i = token.i + 1
            end = i
            while end < len(doc) and _name_word(doc[end]) and end - i < 4:
                end += 1
            if end == i:
                continue
            current = by_start.get(i)
            if current is not None and current.label_ in {"PERSON"}:
                continue
            if current is not None and current.label_ not in {
                "ORG",
                "NORP",
                "GPE",
                "FAC",
                "PRODUCT",
                "WORK_OF_ART",
            }:
                continue
            if current is None and any(s.start < end and i < s.end for s in spans):
                continue
            if current is not None:
                out.remove(current)
                end = max(end, current.end) if current.end - i <= 4 else end
            out.append(Span(doc, i, end, label="PERSON"))
        return out

    def _gazetteer_names(self, doc: Doc, spans: list[Span]) -> list[Span]:
        index = self._index
        if not index:
            return spans
        found: list[Span] = []
        i, n_tokens = 0, len(doc)
        while i < n_tokens:
            token = doc[i]
            match = None
            for words, label, caseless in index.get(token.lower_, ()):
                end = i + len(words)
                if end > n_tokens:
                    continue
                got = [t.lower_ if caseless else t.text for t in doc[i:end]]
                if got == words and (not caseless or len(words) > 1 or token.is_title):
                    match = Span(doc, i, end, label=label)
                    break
            if match is None:
                i += 1
                continue
            found.append(match)
            i = match.end
        if not found:
            return spans
        # A listed name wins over what the model said of the same tokens, unless the model's
        # name holds it ("the [Tunisian Parliament]", "[Facebook Live]").
        found = [
            f
            for f in found
            if not any(
                s.start <= f.start and f.end <= s.end and len(s) > len(f) and s.label_ in NAME_LABELS
                for s in spans
            )
        ]
        # A person stays a person ("Jordan", "Chad" are first names too).
        found = [
            f
            for f in found
            if not (
                f.label_ == "GPE"
                and any(s.start == f.start and s.end == f.end and s.label_ == "PERSON" for s in spans)
            )
        ]
        kept = [s for s in spans if not any(f.start < s.end and s.start < f.end for f in found)]
        return kept + found


def _demonyms_of(places: Iterable[str]) -> set[str]:
    """Regular demonyms of place names ending in a vowel: Samoa -> Samoan(s), Korea -> Korean(s)."""
    out: set[str] = set()
    for place in places:
        last = place.split()[-1]
        if last.isalpha() and last[-1] in "ao" and len(last) > 3:
            stem = last if last[-1] == "a" else last[:-1] + "a"
            out.update({stem + "n", stem + "ns"})
    return out


def _gazetteer_index(nlp: Language | None, gazetteer: dict[str, dict[str, str]]) -> dict:
    """Listed names by their first word (lowercase), longest first: one look-up per token."""
    tokenizer = nlp.tokenizer if nlp is not None else None
    index: dict[str, list[tuple[list[str], str, bool]]] = {}
    for caseless, names in ((False, gazetteer["exact"]), (True, gazetteer["caseless"])):
        for name, label in names.items():
            words = [t.text for t in tokenizer(name)] if tokenizer is not None else name.split()
            if caseless:
                words = [w.lower() for w in words]
            index.setdefault(words[0].lower(), []).append((words, label, caseless))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


def _not_a_name(span: Span) -> bool:
    """Lowercase words, numbers and times, diseases, a lone title: not a name."""
    if span.label_ not in NAME_LABELS:
        return False
    text = span.text
    if not any(t.text[:1].isupper() or t.text[:1].isdigit() for t in span):
        return True
    if NOT_NAMES.match(text) or NUMBERISH.match(text) or text in NOT_ENTITIES:
        return True
    return len(span) == 1 and text.lower().rstrip(".") in TITLES and span.label_ != "ORG"


def load_given_names() -> frozenset[str]:
    """The bundled given names (``resources/given_names.txt``)."""
    text = resource(GIVEN_NAMES).read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def _given_named(span: Span, given: frozenset[str]) -> Span:
    """A name of two or three capitalised words that starts with a given name is a person
    ("Paul Rivera", "Connie Moganedi" taken for an organisation), unless its last word says
    what else it is ("Paul Hamlyn Foundation")."""
    if span.label_ not in {"ORG", "GPE", "FAC", "LOC"} or not 2 <= len(span) <= 3 or span[0].text not in given:
        return span
    if not all(t.is_title and t.is_alpha for t in span[1:]):
        return span
    if any(span[-1].lower_ in words for words in HEADWORDS.values()) or span[-1].lower_ in PORTFOLIOS:
        return span
    return Span(span.doc, span.start, span.end, label="PERSON")


def _by_headword(span: Span) -> Span:
    """Relabel a name of two or more words by its last word ("... Correctional Facility" is FAC)."""
    if len(span) < 2 or span.label_ not in {"PERSON", "ORG", "FAC", "LOC", "GPE", "EVENT"}:
        return span
    head = span[-1].lower_
    for label, words in HEADWORDS.items():
        if head in words and span[-1].is_title:
            if label != span.label_ and not (label == "LOC" and span.label_ == "GPE"):
                return Span(span.doc, span.start, span.end, label=label)
            return span
    return span


def _drop_first(doc: Doc, start: int, end: int, label: str, exact: dict[str, str]) -> bool:
    token = doc[start]
    low = token.lower_
    if low in DETERMINERS:
        return end - start > 1 and doc[start:end].text not in exact
    if label == "PERSON" and end - start > 1:
        bare = low.rstrip(".")
        return bare in TITLES and bare not in REGNAL
    return False


def _name_word(token) -> bool:
    text = token.text
    if not text[:1].isupper() or token.is_punct:
        return False
    if token.pos_ and token.pos_ not in {"PROPN", "NOUN", "ADJ", "X", ""}:
        return False
    return text.lower().rstrip(".") not in TITLES or len(text) <= 2


def _title_fragment(doc: Doc, span: Span) -> bool:
    """ "State" in "Secretary of State", "Health" in "Health Minister": not an organisation."""
    if span.label_ not in {"ORG", "GPE", "NORP"}:
        return False
    words = [t.lower_ for t in span]
    if not all(w in PORTFOLIOS for w in words):
        return False
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    before = [t.lower_ for t in doc[max(0, span.start - 3) : span.start]]
    return after in TITLE_HEADS or (
        len(before) >= 2
        and before[-1] in {"of", "for"}
        and any(w in {"secretary", "minister", "ministry", "department"} for w in before)
    )


def _acronyms(doc: Doc, spans: list[Span]) -> list[Span]:
    """An acronym in parentheses after a name takes its label, at every mention."""
    ends = {s.end: s for s in spans}
    labels: dict[str, str] = {}
    for s in spans:
        e = s.end
        if (
            e + 2 < len(doc)
            and doc[e].text == "("
            and doc[e + 2].text == ")"
            and s.label_ in {"ORG", "GPE", "FAC", "EVENT"}
        ):
            acro = doc[e + 1]
            if acro.is_upper and 2 <= len(acro.text) <= 8 and acro.is_alpha:
                labels[acro.text] = s.label_
    del ends
    if not labels:
        return spans
    taken = {i for s in spans for i in range(s.start, s.end)}
    out = [s for s in spans if not (len(s) == 1 and s.text in labels and s.label_ != labels[s.text])]
    have = {s.start for s in out}
    for token in doc:
        if token.text in labels and token.i not in have and (token.i not in taken or token.i not in have):
            if any(s.start <= token.i < s.end and len(s) > 1 for s in out):
                continue
            out.append(Span(doc, token.i, token.i + 1, label=labels[token.text]))
    return out


_BEFORE_NAMES = TITLES | REGNAL


def _without_lone_people(doc: Doc, spans: list[Span]) -> list[Span]:
    """Drop one-word "persons" the article never introduces as people.

    News names a person in full ("Jane Doe") or with a title ("President Doe") before a surname
    stands alone. A capitalised word the recogniser calls a person, with neither anywhere in
    the article, is most often a shop, a brand or a place ("Woolworths, Coles and ALDI"); left
    in, one label per name would make every mention of it a person.
    """
    known = {t.text for s in spans if s.label_ == "PERSON" and len(s) > 1 for t in s}
    known |= {t.text for t in doc[1:] if doc[t.i - 1].lower_.rstrip(".") in _BEFORE_NAMES}
    return [
        s
        for s in spans
        if not (s.label_ == "PERSON" and len(s) == 1 and s.text not in known and (s[0].is_title or s[0].is_upper))
    ]


def _one_label_per_name(doc: Doc, spans: list[Span]) -> list[Span]:
    """One label per name in an article.

    A name (or a person's surname, a storm's name) seen as a person (or a named storm) has that
    label at every mention; otherwise a name the model labelled differently at different
    mentions takes its most frequent label.
    """
    short: dict[str, str] = {}
    for s in spans:
        if s.label_ == "PERSON" or (s.label_ == "EVENT" and s[0].lower_ in STORMS):
            short[s.text] = s.label_
            if len(s) > 1 and doc[s.end - 1].is_title:
                short.setdefault(doc[s.end - 1].text, s.label_)
    votes: dict[str, dict[str, int]] = {}
    for s in spans:
        votes.setdefault(s.text, {}).setdefault(s.label_, 0)
        votes[s.text][s.label_] += 1
    out: list[Span] = []
    covered: set[int] = set()
    for s in spans:
        label = short.get(s.text) if s.label_ in RELABEL else None
        if label is None and s.label_ in RELABEL:
            counts = votes[s.text]
            best = max(counts, key=counts.get)
            label = best if counts[best] > counts[s.label_] and best in RELABEL else None
        if label is not None and label != s.label_:
            s = Span(doc, s.start, s.end, label=label)
        out.append(s)
        covered.update(range(s.start, s.end))
    for token in doc:
        label = short.get(token.text)
        if label and token.i not in covered and token.is_title and not token.is_sent_start:
            out.append(Span(doc, token.i, token.i + 1, label=label))
    return out


def _regnal(doc: Doc, spans: list[Span]) -> list[Span]:
    """"Queen [Elizabeth II]" is "[Queen Elizabeth II]": a regnal title is part of the name."""
    out = []
    for s in spans:
        if s.label_ == "PERSON" and s.start > 0:
            before = doc[s.start - 1]
            if before.is_title and before.lower_ in REGNAL and not any(o.end > s.start - 1 >= o.start for o in spans):
                s = Span(doc, s.start - 1, s.end, label="PERSON")
        out.append(s)
    return out


def _demonyms(spans: list[Span], demonyms: set[str]) -> list[Span]:
    """"American Samoans" taken for an organisation: a people named after a country is NORP."""
    return [
        Span(s.doc, s.start, s.end, label="NORP")
        if s.label_ in {"ORG", "PERSON", "GPE"} and s[-1].text in demonyms
        else s
        for s in spans
    ]
