"""A spaCy pipeline component that marks taxonomy issues in ``doc.spans["issues"]``.

The component is registered as the spaCy factory ``annotator_issue_ruler`` and is a plain,
picklable object, so ``nlp.pipe(..., n_process=2)`` carries it into worker processes.

Matching works on lemmas when the pipeline has a lemmatizer, and falls back to word forms when
it has none:

* With lemmas (the English pipelines), a lemma in a pattern matches the token's lemma. Proper
  nouns keep their case as lemma ("Tariffs" in a title-case headline), so the capitalised and
  upper-case regular inflections of each lemma are accepted too.
* Without lemmas (``spacy.blank("en")``), a lemma matches the lowercase text of the token in its
  regular English inflections (tariff -> tariffs, impose -> imposed/imposes/imposing, ban ->
  banned), not irregular ones (rise -> rose). Patterns on ``POS``, ``TAG`` or ``DEP`` match
  nothing there, since a blank pipeline assigns none.

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
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.schemas import validate_token_pattern
from spacy.tokens import Doc, Span, SpanGroup

from annotator.errors import ModelError
from annotator.suggest.taxonomy import Taxonomy, load_taxonomy

FACTORY = "annotator_issue_ruler"
DEFAULT_NAME = "issue_ruler"
SPANS_KEY = "issues"

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
            for kind, patterns in (("pattern", issue.patterns), ("exception", issue.exceptions)):
                field = "patterns" if kind == "pattern" else "exceptions"
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
        if doc.has_annotation("LEMMA"):
            matcher, exceptions = self._lemma_matcher, self._lemma_exceptions
        else:
            matcher, exceptions = self._form_matcher, self._form_exceptions
        blocked: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in exceptions(doc):
            blocked.setdefault(self.vocab.strings[key], []).append((start, end))
        found: set[tuple[int, int, str]] = set()
        for key, start, end in matcher(doc):
            label = self.vocab.strings[key]
            if any(s <= start and end <= e for s, e in blocked.get(label, ())):
                continue
            found.add((start, end, label))
        spans = [Span(doc, start, end, label=label) for start, end, label in _outermost(found)]
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        """Apply the component to a stream of docs."""
        for doc in docs:
            yield self(doc)

    # Serialisation: nlp.to_disk / spacy.load keep the compiled rules.
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({"spans_key": self.spans_key, "source": self.source, "rules": self.rules})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> IssueRuler:
        self._load(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(
            path / "rules.json", {"spans_key": self.spans_key, "source": self.source, "rules": self.rules}
        )

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> IssueRuler:
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

    def _build(self) -> None:
        self._lemma_matcher = Matcher(self.vocab)
        self._lemma_exceptions = Matcher(self.vocab)
        self._form_matcher = Matcher(self.vocab)
        self._form_exceptions = Matcher(self.vocab)
        grouped: dict[tuple[str, str], list[list[dict[str, Any]]]] = {}
        for rule in self.rules:
            grouped.setdefault((rule["kind"], rule["label"]), []).append(rule["pattern"])
        for (kind, label), patterns in grouped.items():
            on_lemmas = [[_lemma_token(t) for t in p] for p in patterns]
            on_forms = [[_form_token(t) for t in p] for p in patterns]
            if kind == "pattern":
                self._lemma_matcher.add(label, on_lemmas)
                self._form_matcher.add(label, on_forms)
            else:
                self._lemma_exceptions.add(label, on_lemmas)
                self._form_exceptions.add(label, on_forms)


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


def _lemma_token(token: dict[str, Any]) -> dict[str, Any]:
    """Token spec for pipelines with lemmas: also accept proper-noun lemmas, which keep case."""
    value = token.get("LEMMA")
    terms = _lemma_terms(value)
    if terms is None:
        return token
    accepted = set(terms)
    for term in terms:
        for form in inflections(term):
            accepted.update({form.capitalize(), form.upper()})
    op = "NOT_IN" if isinstance(value, dict) and "NOT_IN" in value else "IN"
    return {**token, "LEMMA": {op: sorted(accepted)}}


def _form_token(token: dict[str, Any]) -> dict[str, Any]:
    """Token spec for pipelines without lemmas: the lemma's regular inflections, any case."""
    value = token.get("LEMMA")
    terms = _lemma_terms(value)
    if terms is None or "LOWER" in token:
        return token
    forms = sorted(set().union(*(inflections(t) for t in terms)))
    op = "NOT_IN" if isinstance(value, dict) and "NOT_IN" in value else "IN"
    out = {k: v for k, v in token.items() if k != "LEMMA"}
    out["LOWER"] = {op: forms}
    return out


def _lemma_terms(value: Any) -> list[str] | None:
    """The lemmas named by a LEMMA value, or None if it is absent or uses another operator."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and len(value) == 1:
        ((op, terms),) = value.items()
        if op in ("IN", "NOT_IN") and isinstance(terms, list) and all(isinstance(t, str) for t in terms):
            return list(terms)
    return None
