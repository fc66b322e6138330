"""A spaCy pipeline component that marks taxonomy issues in ``doc.spans["issues"]``.

The component is registered as the spaCy factory ``annotator_issue_ruler`` and is a plain,
picklable object, so ``nlp.pipe(..., n_process=2)`` carries it into worker processes.

Matching works on lemmas when the pipeline has a lemmatizer, and falls back to word forms when
it has none:

* With lemmas (the English pipelines), a lemma in a pattern matches the token's lemma. Proper
  nouns keep their case as lemma ("Tariffs" in a title-case headline), so a lemma that is a
  capitalised or upper-case regular inflection of a pattern lemma counts as that lemma.
* Without lemmas (``spacy.blank("en")``), a lemma matches the lowercase text of the token in its
  regular English inflections (tariff -> tariffs, impose -> imposed/imposes/imposing, ban ->
  banned), not irregular ones (rise -> rose). Patterns on ``POS``, ``TAG`` or ``DEP`` match
  nothing there, since a blank pipeline assigns none.

Both work the same way: each token's lemma is mapped to the pattern lemma it stands for (a dict
look-up built from the patterns), and the patterns are matched against a lightweight copy of the
doc carrying those lemmas. Plain lemma phrases go through a ``PhraseMatcher`` on ``LEMMA``; token
patterns with other attributes or operators through a ``Matcher``.

Identical matches are reported once, a match inside a longer match of the same issue is dropped
("trade" inside "trade talks"), and matches of different issues may overlap.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.attrs import ENT_IOB, ENT_TYPE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.schemas import validate_token_pattern
from spacy.tokens import Doc, Span, SpanGroup

from annotator.errors import ModelError
from annotator.suggest.taxonomy import Taxonomy, load_taxonomy

FACTORY = "annotator_issue_ruler"
DEFAULT_NAME = "issue_ruler"
SPANS_KEY = "issues"
WEAK_SUFFIX = "_weak"  # doc.spans[spans_key + WEAK_SUFFIX]: the weak matches

_VOWELS = "aeiou"


@Language.factory(
    FACTORY,
    default_config={"spans_key": SPANS_KEY, "source": ""},
    assigns=["doc.spans"],
)
def make_issue_ruler(nlp: Language, name: str, spans_key: str, source: str) -> IssueRuler:
    """spaCy factory for :class:`IssueRuler` (``nlp.add_pipe("annotator_issue_ruler")``)."""
    return IssueRuler(nlp, name, spans_key=spans_key, source=source)


class IssueRuler:
    """Marks the issues of a taxonomy in ``doc.spans[spans_key]``.

    Parameters
    ----------
    nlp
        The pipeline; its tokenizer splits lemma phrases into tokens.
    name
        Component name.
    spans_key
        Span group the issues are written to (replaced on every call).
    source
        Provenance of the taxonomy, ``taxonomy:<name>@<version>``.
    """

    def __init__(
        self, nlp: Language, name: str = DEFAULT_NAME, *, spans_key: str = SPANS_KEY, source: str = ""
    ):
        self.name = name
        self.spans_key = spans_key
        self.source = source
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.rules: list[dict[str, Any]] = []
        self._build()

    def add_taxonomy(self, taxonomy: Taxonomy) -> None:
        """Replace the rules with the patterns and exceptions of ``taxonomy``.

        Raises
        ------
        ModelError
            If spaCy rejects a pattern; the message names the file, the issue and the pattern.
        """
        where = taxonomy.path or taxonomy.name
        rules: list[dict[str, Any]] = []
        for issue in taxonomy.issues:
            for kind, patterns in (
                ("pattern", issue.patterns), ("weak", issue.weak), ("exception", issue.exceptions)
            ):
                field = {"pattern": "patterns", "weak": "weak", "exception": "exceptions"}[kind]
                for n, pattern in enumerate(patterns, 1):
                    tokens = self._to_tokens(pattern)
                    errors = validate_token_pattern(tokens)
                    if errors:
                        raise ModelError(
                            f"{where}: issue {issue.label}: {field}[{n}] {pattern!r} is not a valid spaCy"
                            f" token pattern: {'; '.join(errors)}",
                            hint="see https://spacy.io/usage/rule-based-matching",
                        )
                    rules.append({"label": issue.label, "kind": kind, "pattern": tokens})
        self.rules = rules
        self.source = taxonomy.source
        try:
            self._build()
        except ValueError as exc:
            raise ModelError(f"{where}: spaCy rejected a pattern: {exc}") from exc

    @property
    def labels(self) -> list[str]:
        """Issue labels this component can assign."""
        return sorted({r["label"] for r in self.rules})

    def __call__(self, doc: Doc) -> Doc:
        """Write the issue spans of ``doc`` to ``doc.spans[spans_key]``."""
        shadow = self._with_pattern_lemmas(doc)
        blocked: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in _run(self._exceptions, shadow):
            blocked.setdefault(self.vocab.strings[key], []).append((start, end))
        found = self._matches(self._matchers, shadow, blocked)
        weak = {m for m in self._matches(self._weak, shadow, blocked) - found if not _capitalised_name(doc, *m[:2])}
        if weak:
            sentence = sentence_index(doc)
            strong = {sentence[start] for start, _, _ in found}
            found |= {m for m in weak if {sentence[m[0]] - 1, sentence[m[0]], sentence[m[0]] + 1} & strong}
        found = {m for m in found if not _in_name(doc, *m[:2]) and not _in_title(doc, *m[:2])}
        # Every weak match, kept or not, for a learner that decides them (annotator.train).
        weak_key = self.spans_key + WEAK_SUFFIX
        doc.spans[weak_key] = SpanGroup(
            doc, name=weak_key, spans=[Span(doc, a, b, label=lab) for a, b, lab in sorted(weak)
                                       if not _in_name(doc, a, b) and not _in_title(doc, a, b)]
        )
        spans = [Span(doc, start, end, label=label) for start, end, label in _outermost(found)]
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans)
        return doc

    def _matches(self, matchers, shadow: Doc, blocked) -> set[tuple[int, int, str]]:
        found: set[tuple[int, int, str]] = set()
        for key, start, end in _run(matchers, shadow):
            label = self.vocab.strings[key]
            if not any(s <= start and end <= e for s, e in blocked.get(label, ())):
                found.add((start, end, label))
        return found

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        """Apply the component to a stream of docs."""
        for doc in docs:
            yield self(doc)

    # Serialisation: nlp.to_disk / spacy.load keep the compiled rules.
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The compiled rules and provenance, as msgpack bytes."""
        return srsly.msgpack_dumps({"spans_key": self.spans_key, "source": self.source, "rules": self.rules})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> IssueRuler:
        """Restore what :meth:`to_bytes` wrote."""
        self._load(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the compiled rules and provenance to ``path/rules.json``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(
            path / "rules.json", {"spans_key": self.spans_key, "source": self.source, "rules": self.rules}
        )

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> IssueRuler:
        """Restore what :meth:`to_disk` wrote."""
        self._load(srsly.read_json(Path(path) / "rules.json"))
        return self

    def _load(self, data: dict[str, Any]) -> None:
        self.spans_key = data["spans_key"]
        self.source = data["source"]
        self.rules = data["rules"]
        self._build()

    def _to_tokens(self, pattern: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
        if isinstance(pattern, str):
            return [{"LEMMA": t.text} for t in self.tokenizer(pattern) if not t.is_space]
        return copy.deepcopy(pattern)

    def _lemma_doc(self, lemmas: list[str]) -> Doc:
        return Doc(self.vocab, words=lemmas, lemmas=lemmas)

    def _with_pattern_lemmas(self, doc: Doc) -> Doc:
        """A copy of ``doc`` (words, tags, entities) whose lemmas are mapped to pattern lemmas."""
        has_lemmas = doc.has_annotation("LEMMA")
        attrs = [a for a in (TAG, POS, MORPH) if doc.has_annotation(a)]
        if doc.has_annotation("ENT_IOB"):
            attrs += [ENT_IOB, ENT_TYPE]
        attrs += [LEMMA, LOWER]
        array = doc.to_array(attrs)
        lookup = self._lemma_lookup if has_lemmas else self._form_lookup
        column = array[:, -2] if has_lemmas else array[:, -1]
        array[:, -2] = [lookup.get(h, h) for h in column.tolist()]
        shadow = Doc(self.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        if len(doc):
            shadow.from_array(attrs[:-1], array[:, :-1])
        return shadow

    def _build(self) -> None:
        # Plain lemma phrases go to a PhraseMatcher (a trie: cost grows with the text, not with
        # the number of patterns); anything else to a Matcher.
        kinds = ("pattern", "weak", "exception")
        phrases = {kind: PhraseMatcher(self.vocab, attr="LEMMA") for kind in kinds}
        general = {kind: Matcher(self.vocab) for kind in kinds}
        grouped: dict[tuple[str, str, bool], list[list[dict[str, Any]]]] = {}
        for rule in self.rules:
            simple = all(
                set(spec) == {"LEMMA"} and isinstance(spec["LEMMA"], str) for spec in rule["pattern"]
            )
            grouped.setdefault((rule["kind"], rule["label"], simple), []).append(rule["pattern"])
        for (kind, label, simple), patterns in grouped.items():
            if simple:
                docs = [self._lemma_doc([spec["LEMMA"] for spec in p]) for p in patterns]
                phrases[kind].add(label, docs)
            else:
                general[kind].add(label, patterns)
        self._matchers = (phrases["pattern"], general["pattern"])
        self._weak = (phrases["weak"], general["weak"])
        self._exceptions = (phrases["exception"], general["exception"])
        # Map token lemmas (or, without a lemmatizer, lowercase words) to the pattern lemma they
        # stand for; keys and values are string-store hashes.
        terms = sorted({t for rule in self.rules for spec in rule["pattern"] for t in _lemma_terms(spec)})
        strings = self.vocab.strings
        self._lemma_lookup: dict[int, int] = {}
        self._form_lookup: dict[int, int] = {}
        term_set = set(terms)
        # A term's own capitalised forms first, so "Housing" means housing, not house.
        for term in terms:
            for cased in (term.capitalize(), term.upper()):
                if cased != term:
                    self._lemma_lookup.setdefault(strings.add(cased), strings.add(term))
        for term in terms:
            target = strings.add(term)
            for form in sorted(inflections(term)):
                for cased in (form.capitalize(), form.upper()):
                    if cased != term:
                        self._lemma_lookup.setdefault(strings.add(cased), target)
                if form != term and form not in term_set:
                    self._form_lookup.setdefault(strings.add(form), target)


def add_issue_ruler(
    nlp: Language,
    taxonomy: Taxonomy | str | Path | None = None,
    *,
    name: str = DEFAULT_NAME,
    spans_key: str = SPANS_KEY,
) -> IssueRuler:
    """Add (or replace) the issue ruler of ``taxonomy`` at the end of ``nlp``.

    Parameters
    ----------
    nlp
        Any spaCy pipeline, ``spacy.blank("en")`` included.
    taxonomy
        A :class:`Taxonomy`, a taxonomy file, or None for the bundled default.
    name
        Component name; an existing component of that name is replaced.
    spans_key
        Span group the issues are written to.

    Returns
    -------
    IssueRuler
        The added component.

    Raises
    ------
    ModelError
        If the taxonomy cannot be loaded or a pattern is invalid.
    """
    if not isinstance(taxonomy, Taxonomy):
        taxonomy = load_taxonomy(taxonomy)
    if name in nlp.component_names:
        nlp.remove_pipe(name)
    ruler = nlp.add_pipe(
        FACTORY, name=name, last=True, config={"spans_key": spans_key, "source": taxonomy.source}
    )
    try:
        ruler.add_taxonomy(taxonomy)
    except ModelError:
        nlp.remove_pipe(name)
        raise
    return ruler


def inflections(lemma: str) -> set[str]:
    """Regular English inflections of ``lemma``, itself included (lowercase).

    Over-generation ("visaed") is harmless: those strings do not occur in text.
    """
    lemma = lemma.lower()
    forms = {lemma}
    if not lemma.isalpha() or len(lemma) < 2:
        return forms
    consonant_y = lemma.endswith("y") and lemma[-2] not in _VOWELS
    if lemma.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(lemma + "es")
    elif consonant_y:
        forms.add(lemma[:-1] + "ies")
    else:
        forms.add(lemma + "s")
        if lemma.endswith("o"):
            forms.add(lemma + "es")
    if lemma.endswith("e"):
        forms.add(lemma + "d")
        forms.add(lemma + "ing" if lemma.endswith(("ee", "ye", "oe")) else lemma[:-1] + "ing")
    elif consonant_y:
        forms.update({lemma[:-1] + "ied", lemma + "ing"})
    else:
        forms.update({lemma + "ed", lemma + "ing"})
    if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", lemma):
        # Short consonant-vowel-consonant words double the last letter: ban -> banned.
        forms.update({lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"})
    return forms


# Entity labels whose names hold no issue ("Health" in "World Health Organization"); events and
# laws may be the topic themselves ("Iraq War", "Paris Agreement").
_NAMES = {"PERSON", "ORG", "FAC", "GPE", "LOC", "NORP", "PRODUCT", "WORK_OF_ART"}
# A topic word before these, or after "minister of", is part of a job title or an office's name.
_TITLE_AFTER = {
    "minister", "ministers", "ministry", "secretary", "secretaries", "department", "commissioner",
    "spokesperson", "spokesman", "spokeswoman", "czar", "tsar", "representative", "adviser", "advisor",
    "official", "officials", "correspondent", "editor", "council", "agency", "office",
}
_TITLE_BEFORE = {"minister", "ministry", "secretary", "department", "commissioner", "secretariat"}
_SENTENCE_END = {".", "!", "?"}


def _in_name(doc: Doc, start: int, end: int) -> bool:
    """Whether tokens ``start:end`` lie inside a name and are not the whole name."""
    for ent in doc.ents:
        if ent.start <= start and end <= ent.end and (ent.start, ent.end) != (start, end):
            if ent.label_ in _NAMES:
                return True
    return False


def _capitalised_name(doc: Doc, start: int, end: int) -> bool:
    """A capitalised word beside another ("European Union", "Labour Party"): part of a name.

    Used for weak words, which are generic: a pipeline without entities (``spacy.blank``) or
    a name the model missed still keeps "Union" in "European Union" from naming the topic.
    """
    if not all(t.is_title for t in doc[start:end]):
        return False
    return (start > 0 and doc[start - 1].is_title) or (end < len(doc) and doc[end].is_title)


def _in_title(doc: Doc, start: int, end: int) -> bool:
    """"health" in "health minister" or "Minister of Health" names an office, not the topic."""
    if end < len(doc) and doc[end].lower_ in _TITLE_AFTER:
        return True
    before = [t.lower_ for t in doc[max(0, start - 3) : start]]
    return len(before) >= 2 and before[-1] in {"of", "for"} and any(w in _TITLE_BEFORE for w in before[:-1])


def sentence_index(doc: Doc) -> list[int]:
    """The sentence number of each token (``doc.sents`` when set, else split at . ! ? and line breaks)."""
    index, n = [], 0
    if doc.has_annotation("SENT_START"):
        for token in doc:
            if token.is_sent_start and token.i:
                n += 1
            index.append(n)
        return index
    for token in doc:
        index.append(n)
        if token.text in _SENTENCE_END or "\n" in token.text or "\n" in token.whitespace_:
            n += 1
    return index


def _run(matchers: tuple[PhraseMatcher, Matcher], doc: Doc) -> list[tuple[int, int, int]]:
    """Matches of every non-empty matcher (an empty one would warn on each call)."""
    return [m for matcher in matchers if len(matcher) for m in matcher(doc)]


def _outermost(found: set[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop matches that lie inside a longer match of the same issue, sorted by position.

    "trade talks" already says TRADE; a nested "trade" of the same issue is noise. Matches of
    different issues may overlap.
    """
    kept: list[tuple[int, int, str]] = []
    reach: dict[str, int] = {}
    for start, end, label in sorted(found, key=lambda m: (m[0], -m[1], m[2])):
        if end <= reach.get(label, -1):
            continue
        reach[label] = max(end, reach.get(label, -1))
        kept.append((start, end, label))
    return sorted(kept)


def _lemma_terms(spec: dict[str, Any]) -> list[str]:
    """The lemmas a token spec names with ``LEMMA`` (a string, or ``IN``/``NOT_IN`` lists)."""
    value = spec.get("LEMMA")
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for op in ("IN", "NOT_IN") for t in value.get(op, []) if isinstance(t, str)]
    return []
