"""Taxonomy exceptions learnt from rejected issue suggestions.

An annotator rejects TRADE on "trade" in "trade union"; :func:`with_exception` adds the phrase
"trade union" to the exceptions of TRADE, after which the issue ruler drops any TRADE match that
lies inside a match of "trade union". :func:`blocked_by` finds, before anything changes, which
current suggestions the exception would remove, so they can be previewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from annotator.errors import ModelError
from annotator.suggest.taxonomy import Issue, Taxonomy

if TYPE_CHECKING:
    from spacy.language import Language


@dataclass(frozen=True, slots=True)
class ExceptionMatch:
    """A current suggestion an exception would remove."""

    article_id: str
    suggestion_id: int
    start: int
    end: int
    label: str
    text: str  # the suggested words
    context: str  # the words around them, the suggestion in [brackets]


def exception_phrase(nlp: Language, phrase: str) -> str:
    """The phrase as lowercase lemmas, the form taxonomy patterns take ("trade unions" -> "trade union").

    With a pipeline that has no lemmatizer the words are only lowercased.
    """
    doc = nlp(" ".join(phrase.split()))
    words = [(t.lemma_ or t.text).lower() for t in doc if not t.is_space]
    if not words:
        raise ModelError(f"the exception phrase {phrase!r} is empty")
    return " ".join(words)


def with_exception(taxonomy: Taxonomy, label: str, pattern: str) -> Taxonomy:
    """A copy of ``taxonomy`` with ``pattern`` among the exceptions of ``label`` and a new version.

    The version goes up by one (a number) or gets ``.1`` appended (a string) so suggestions made
    with the new rules carry a new provenance.

    Raises
    ------
    ModelError
        If the taxonomy has no issue ``label`` (the message lists the valid ones) or the
        exception is there already.
    """
    issue = taxonomy.issue(label)
    if pattern in issue.exceptions:
        raise ModelError(f"{label} already has the exception {pattern!r} in {taxonomy.source}")
    issues: list[Issue] = [
        replace(i, exceptions=(*i.exceptions, pattern)) if i.label == label else i for i in taxonomy.issues
    ]
    version = taxonomy.version + 1 if isinstance(taxonomy.version, int) else f"{taxonomy.version}.1"
    return replace(taxonomy, version=version, issues=tuple(issues))


def blocked_by(
    nlp: Language,
    label: str,
    pattern: str,
    suggestions: Sequence[tuple[str, str, Sequence[tuple[int, int, int]]]],
    context: int = 40,
) -> list[ExceptionMatch]:
    """Which suggestions of ``label`` lie inside a match of the exception ``pattern``.

    Parameters
    ----------
    nlp
        A pipeline with the same tokenizer (and lemmatizer, if any) the issue ruler uses.
    label
        The issue.
    pattern
        The exception as lowercase lemmas (see :func:`exception_phrase`).
    suggestions
        ``(article_id, text, [(suggestion_id, start, end), ...])`` of the suggestions of
        ``label`` to check.
    context
        Characters of context either side in :attr:`ExceptionMatch.context`.

    Returns
    -------
    list of ExceptionMatch
        In the order given.
    """
    from annotator.suggest.ruler import IssueRuler

    probe = IssueRuler(nlp, "exception_probe", spans_key="exception_probe")
    probe.add_taxonomy(
        Taxonomy("exception-probe", 1, (Issue(label, "probe", None, "#000000", patterns=(pattern,)),))
    )
    skip = [n for n in nlp.pipe_names if n in ("parser", "ner", "senter") or "issue" in n or n == "spancat"]
    out: list[ExceptionMatch] = []
    texts = [text for _, text, _ in suggestions]
    for (aid, text, found), doc in zip(suggestions, nlp.pipe(texts, disable=skip), strict=True):
        regions = [(s.start_char, s.end_char) for s in probe(doc).spans["exception_probe"]]
        for sid, start, end in found:
            if any(a <= start and end <= b for a, b in regions):
                left = text[max(0, start - context) : start]
                right = text[end : end + context]
                snippet = " ".join(f"{left}[{text[start:end]}]{right}".split())
                out.append(ExceptionMatch(aid, sid, start, end, label, text[start:end], snippet))
    return out
