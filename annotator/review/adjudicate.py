"""The reviewer's choices on a disagreement, turned into the spans that go into gold.

Choices are plain strings so the UI, the CLI and stored decisions can share them:

``take:<annotator>``
    that annotator's spans in the region (none, if they marked nothing there);
``take_both``
    every distinct span of every annotator in the region; on the entity layer only when none of
    them overlap, since gold entity spans may not overlap;
``take_none``
    nothing;
``edit:<start>-<end>:<label>``, or a :class:`~annotator.model.Span`
    the reviewer's own span, on the disagreement's layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from annotator.errors import AnnotatorError, SpanError
from annotator.model import ENTITY, Span, check_no_entity_overlap, check_span
from annotator.review.disagreements import Consensus, Disagreement

TAKE = "take:"
TAKE_BOTH = "take_both"
TAKE_NONE = "take_none"
EDIT = "edit:"

_EDIT = re.compile(r"^edit:(\d+)-(\d+):(.+)$")


def choices(disagreement: Disagreement) -> list[str]:
    """The choice strings that make sense for ``disagreement``, for menus and messages."""
    options = [f"{TAKE}{name}" for name in disagreement.marked_by]
    spans = _distinct(disagreement)
    if len(spans) > 1 and (disagreement.layer != ENTITY or not _first_overlap(spans)):
        options.append(TAKE_BOTH)
    options += [TAKE_NONE, "edit:<start>-<end>:<label>"]
    return options


def resolve(disagreement: Disagreement, choice: str | Span, text: str | None = None) -> list[Span]:
    """The spans to put into gold for the reviewer's ``choice`` on ``disagreement``.

    Parameters
    ----------
    disagreement
        What the annotators disagreed on.
    choice
        ``take:<annotator>``, ``take_both``, ``take_none``, ``edit:<start>-<end>:<label>`` or
        a :class:`Span` (an edit).
    text
        The article text; when given, an edited span is checked against it.

    Returns
    -------
    list of Span
        Sorted by position; possibly empty.

    Raises
    ------
    AnnotatorError
        If the choice is unknown, names an annotator who is not part of the disagreement, or
        asks for ``take_both`` on entity spans that overlap. The message lists valid choices.
    SpanError
        If an edited span is empty, reversed, outside the text or on another layer.
    """
    if isinstance(choice, Span):
        return [_checked_edit(disagreement, choice, text)]
    if not isinstance(choice, str):
        raise AnnotatorError(f"a choice is a string or a Span, got {type(choice).__name__}")
    if choice == TAKE_NONE:
        return []
    if choice == TAKE_BOTH:
        spans = _distinct(disagreement)
        if disagreement.layer == ENTITY:
            clash = _first_overlap(spans)
            if clash:
                a, b = clash
                raise AnnotatorError(
                    f"cannot take both: entity spans {a.start}-{a.end} ({a.label}) and {b.start}-{b.end}"
                    f" ({b.label}) overlap, and gold entity spans may not overlap",
                    hint=f"choose one of {', '.join(f'{TAKE}{n}' for n in disagreement.marked_by)}, or edit",
                )
        return spans
    if choice.startswith(TAKE):
        name = choice[len(TAKE) :]
        if name not in disagreement.all_spans:
            raise AnnotatorError(
                f"{name!r} is not one of the annotators of this disagreement;"
                f" use one of {', '.join(f'{TAKE}{n}' for n in disagreement.all_spans)}"
            )
        return sorted(disagreement.all_spans[name], key=_position)
    match = _EDIT.match(choice)
    if match:
        start, end, label = int(match[1]), int(match[2]), match[3]
        return [_checked_edit(disagreement, Span(start, end, label, disagreement.layer), text)]
    raise AnnotatorError(f"unknown choice {choice!r}; use one of {', '.join(choices(disagreement))}")


def gold_spans(
    result: Consensus,
    decisions: Mapping[int, str | Span] | Iterable[str | Span],
    text: str | None = None,
) -> list[Span]:
    """The gold spans of one article: the consensus plus the resolved disagreements.

    Parameters
    ----------
    result
        The article's :func:`~annotator.review.disagreements.consensus`.
    decisions
        One choice per disagreement, by position in ``result.disagreements`` (a sequence in the
        same order, or a mapping from index to choice). Undecided disagreements are left out.
    text
        The article text, to check edited spans against.

    Raises
    ------
    SpanError
        If the chosen entity spans overlap each other or an agreed span.
    """
    if isinstance(decisions, Mapping):
        chosen = dict(decisions)
    else:
        chosen = dict(enumerate(decisions))
    spans = list(result.agreed)
    for i, choice in sorted(chosen.items()):
        if not 0 <= i < len(result.disagreements):
            raise AnnotatorError(f"no disagreement {i}; this article has {len(result.disagreements)}")
        spans.extend(resolve(result.disagreements[i], choice, text))
    gold = sorted(set(spans), key=lambda s: (s.layer, *_position(s)))
    check_no_entity_overlap(gold)
    return gold


def _position(s: Span) -> tuple[int, int, str]:
    return (s.start, s.end, s.label)


def _distinct(disagreement: Disagreement) -> list[Span]:
    return sorted({s for spans in disagreement.all_spans.values() for s in spans}, key=_position)


def _first_overlap(spans: list[Span]) -> tuple[Span, Span] | None:
    for i, a in enumerate(spans):
        for b in spans[i + 1 :]:
            if a.overlaps(b):
                return a, b
    return None


def _checked_edit(disagreement: Disagreement, span: Span, text: str | None) -> Span:
    if span.layer != disagreement.layer:
        raise SpanError(
            f"the edited span is on the {span.layer} layer but the disagreement is on {disagreement.layer}"
        )
    check_span(span.start, span.end, span.label, span.layer, len(text) if text is not None else span.end)
    return span


__all__ = ["EDIT", "TAKE", "TAKE_BOTH", "TAKE_NONE", "choices", "gold_spans", "resolve"]
