"""Feedback for one annotator: what the reviewer changed in their work, and their habits.

The annotator's spans are compared with the gold spans, both given as annotators of an
:class:`~annotator.review.spans.ArticleSpans` (gold under its own name, ``"gold"`` by default).
Spans are paired one to one: exact matches first, then overlapping spans by overlap. Each pair
or leftover span becomes one :class:`Change`; pairs whose boundaries differ are read against the
text to find habits ("includes determiners", "includes trailing punctuation", ...).
"""

from __future__ import annotations

import html
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.errors import AnnotatorError
from annotator.model import Span
from annotator.review.spans import ArticleSpans, check_layers, match_spans

KEPT = "kept"
ADDED = "added"  # the reviewer added a span the annotator missed
REMOVED = "removed"  # the reviewer removed a span of the annotator
RELABELLED = "relabelled"
MOVED = "boundaries_moved"
RELABELLED_AND_MOVED = "relabelled_and_moved"
CHANGE_KINDS = (KEPT, ADDED, REMOVED, RELABELLED, MOVED, RELABELLED_AND_MOVED)

OUTSIDE = "O"

INCLUDES_DETERMINERS = "includes determiners"
LEAVES_OUT_DETERMINERS = "leaves out determiners"
INCLUDES_PUNCTUATION = "includes trailing punctuation"
INCLUDES_WHITESPACE = "includes whitespace"
STARTS_EARLY = "starts too early"
STARTS_LATE = "starts too late"
EXTENDS_TOO_FAR = "extends too far"
STOPS_SHORT = "stops short"

DETERMINERS = frozenset("a an the this that these those his her its their our my your some any".split())
_PUNCTUATION = set(string.punctuation) | set("“”‘’«»–—…")


@dataclass(frozen=True)
class Change:
    """One of the annotator's spans next to what gold has there.

    ``before`` is the annotator's span (None when the reviewer added one), ``after`` the gold
    span (None when the reviewer removed it). ``habits`` name the boundary habits this change
    shows.
    """

    article_id: str
    layer: str
    kind: str
    before: Span | None
    after: Span | None
    before_text: str = ""
    after_text: str = ""
    habits: tuple[str, ...] = ()


@dataclass(frozen=True)
class Habit:
    """A boundary habit: how often it occurred and a few examples (article, annotator, gold)."""

    name: str
    count: int
    share: float  # of the annotator's boundary changes
    examples: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class FeedbackReport:
    """What the reviewer changed in one annotator's work, by kind, label and habit.

    Attributes
    ----------
    annotator, gold
        Whose work, compared with which reference.
    articles
        Number of articles both the annotator and gold have.
    counts
        Change kind -> number, for every kind in :data:`CHANGE_KINDS`.
    confusion
        (annotator label, gold label) -> number; ``"O"`` stands for no span.
    habits
        Boundary habits, most frequent first.
    changes
        Every change except the kept spans, in article and text order.
    """

    annotator: str
    gold: str
    layers: tuple[str, ...]
    articles: int
    counts: dict[str, int]
    confusion: dict[tuple[str, str], int]
    habits: tuple[Habit, ...]
    changes: tuple[Change, ...]
    contexts: dict[tuple[str, int, int], tuple[str, str, str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def labels(self) -> list[str]:
        """Every label in the confusion table, ``"O"`` last."""
        found = {label for pair in self.confusion for label in pair} - {OUTSIDE}
        return [*sorted(found), OUTSIDE]

    def habit(self, name: str) -> Habit | None:
        """The habit called ``name``, or None if it was not seen."""
        return next((h for h in self.habits if h.name == name), None)

    def to_dict(self) -> dict:
        """JSON-ready form."""

        def span(s: Span | None):
            return None if s is None else {"start": s.start, "end": s.end, "label": s.label, "layer": s.layer}

        return {
            "annotator": self.annotator,
            "gold": self.gold,
            "layers": list(self.layers),
            "articles": self.articles,
            "counts": dict(self.counts),
            "confusion": [
                {"annotator": a, "gold": g, "n": n} for (a, g), n in sorted(self.confusion.items())
            ],
            "habits": [
                {
                    "name": h.name,
                    "count": h.count,
                    "share": h.share,
                    "examples": [list(e) for e in h.examples],
                }
                for h in self.habits
            ],
            "changes": [
                {
                    "article_id": c.article_id,
                    "layer": c.layer,
                    "kind": c.kind,
                    "before": span(c.before),
                    "after": span(c.after),
                    "before_text": c.before_text,
                    "after_text": c.after_text,
                    "habits": list(c.habits),
                }
                for c in self.changes
            ],
        }

    def to_text(self, examples: int = 1) -> str:
        """A plain-text summary for the command line: changes by kind, habits, label swaps."""
        lines = [
            f"{self.annotator} against {self.gold}: {_articles(self.articles)} ({', '.join(self.layers)})"
        ]
        lines += [f"  {kind.replace('_', ' '):<22} {self.counts.get(kind, 0):>6}" for kind in CHANGE_KINDS]
        if self.habits:
            lines.append("habits:")
            for h in self.habits:
                shown = "; ".join(f"{a!r} -> {g!r}" for _, a, g in h.examples[:examples])
                lines.append(f"  {h.name:<30} {h.count:>5} ({h.share:.0%})  e.g. {shown}")
        swaps = sorted(((n, a, g) for (a, g), n in self.confusion.items() if a != g), reverse=True)
        if swaps:
            lines.append("labels changed (yours -> gold):")
            lines += [f"  {a} -> {g}: {n}" for n, a, g in swaps[:10]]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """A self-contained HTML page (inline style, no scripts); every text is escaped."""
        e = html.escape
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>Feedback for {e(self.annotator)}</title>",
            "<style>body{font-family:sans-serif;margin:2em;max-width:70em}"
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .5em}"
            "th{background:#eee;white-space:nowrap}td.n{text-align:right}.ann{background:#fdd}.gold{background:#dfd}"
            ".ctx{color:#555}</style></head><body>",
            f"<h1>Feedback for {e(self.annotator)}</h1>",
            f"<p>{_articles(self.articles)} compared with {e(self.gold)}; layers: {e(', '.join(self.layers))}.</p>",
            "<h2>What the reviewer changed</h2><table><tr><th>change</th><th>spans</th></tr>",
        ]
        for kind in CHANGE_KINDS:
            parts.append(
                f'<tr><td>{e(kind.replace("_", " "))}</td><td class="n">{self.counts.get(kind, 0)}</td></tr>'
            )
        parts.append("</table><h2>Boundary habits</h2>")
        if self.habits:
            parts.append(
                "<table><tr><th>habit</th><th>times</th><th>share</th><th>examples (yours → gold)</th></tr>"
            )
            for h in self.habits:
                examples = "<br>".join(
                    f'<span class="ann">{e(a)}</span> → <span class="gold">{e(g)}</span>'
                    for _, a, g in h.examples
                )
                parts.append(
                    f'<tr><td>{e(h.name)}</td><td class="n">{h.count}</td>'
                    f'<td class="n">{h.share:.0%}</td><td>{examples}</td></tr>'
                )
            parts.append("</table>")
        else:
            parts.append("<p>None found.</p>")
        labels = self.labels
        parts.append("<h2>Labels (rows: yours, columns: gold)</h2><table><tr><th></th>")
        parts.extend(f"<th>{e(label)}</th>" for label in labels)
        parts.append("</tr>")
        for row in labels:
            cells = "".join(
                f'<td class="n">{self.confusion.get((row, col), "") or ""}</td>' for col in labels
            )
            parts.append(f"<tr><th>{e(row)}</th>{cells}</tr>")
        parts.append("</table><h2>Changes</h2>")
        if self.changes:
            parts.append(
                "<table><tr><th>article</th><th>layer</th><th>change</th><th>yours</th><th>gold</th><th>context</th></tr>"
            )
            for c in self.changes:
                parts.append(
                    f"<tr><td>{e(c.article_id)}</td><td>{e(c.layer)}</td><td>{e(c.kind.replace('_', ' '))}</td>"
                    f"<td>{_span_cell(c.before, c.before_text, 'ann')}</td>"
                    f"<td>{_span_cell(c.after, c.after_text, 'gold')}</td>"
                    f'<td class="ctx">{self._context_html(c)}</td></tr>'
                )
            parts.append("</table>")
        else:
            parts.append("<p>The reviewer kept everything.</p>")
        parts.append("</body></html>")
        return "\n".join(parts)

    def _context_html(self, change: Change) -> str:
        spans = [s for s in (change.before, change.after) if s is not None]
        start, end = min(s.start for s in spans), max(s.end for s in spans)
        found = self.contexts.get((change.article_id, start, end))
        if not found:
            return ""
        before, middle, after = found
        return f"…{html.escape(before)}<b>{html.escape(middle)}</b>{html.escape(after)}…"


def _span_cell(span: Span | None, text: str, css: str) -> str:
    if span is None:
        return "—"
    return f'<span class="{css}">{html.escape(text)}</span> <small>{html.escape(span.label)}</small>'


def feedback_report(
    articles: Sequence[ArticleSpans],
    annotator: str,
    gold: str = "gold",
    layer: str | None = None,
    examples: int = 3,
    context: int = 40,
) -> FeedbackReport:
    """Compare one annotator's spans with gold and describe the differences.

    Parameters
    ----------
    articles
        Articles whose ``spans`` hold both ``annotator`` and ``gold``; others are skipped.
    annotator
        Whose work to describe.
    gold
        Name under which the gold spans are given.
    layer
        ``"entity"``, ``"issue"`` or None for both.
    examples
        Examples kept per habit.
    context
        Characters of text shown on each side of a change in the HTML page.

    Returns
    -------
    FeedbackReport

    Raises
    ------
    AnnotatorError
        If no article has both the annotator and gold.
    """
    layers = check_layers(layer)
    tally = _Tally(examples, context)
    compared = 0
    for art in articles:
        if annotator not in art.spans or gold not in art.spans:
            continue
        compared += 1
        for lay in layers:
            exact, overlapping, removed, added = match_spans(
                art.layer_spans(annotator, lay), art.layer_spans(gold, lay), same_label=False
            )
            tally.keep(exact)
            for before, after in [*overlapping, *((a, None) for a in removed), *((None, g) for g in added)]:
                tally.change(art, lay, before, after)
    if not compared:
        raise AnnotatorError(
            f"no article has spans from both {annotator!r} and {gold!r}",
            hint="review some of the annotator's articles first",
        )
    return FeedbackReport(
        annotator=annotator,
        gold=gold,
        layers=layers,
        articles=compared,
        counts=dict(tally.counts),
        confusion=dict(tally.confusion),
        habits=tally.habits(),
        changes=tuple(tally.changes),
        contexts=tally.contexts,
    )


def _change_kind(before: Span | None, after: Span | None) -> str:
    """What the reviewer did to ``before`` (the annotator's span) to get ``after`` (gold's)."""
    if before is None:
        return ADDED
    if after is None:
        return REMOVED
    if (before.start, before.end) == (after.start, after.end):
        return RELABELLED
    return MOVED if before.label == after.label else RELABELLED_AND_MOVED


class _Tally:
    """The counts, changes, habits and contexts of a :class:`FeedbackReport` as they are found."""

    def __init__(self, examples: int, context: int) -> None:
        self.examples, self.context = examples, context
        self.counts: Counter = Counter({kind: 0 for kind in CHANGE_KINDS})
        self.confusion: Counter = Counter()
        self.changes: list[Change] = []
        self.habit_counts: Counter = Counter()
        self.habit_examples: dict[str, list[tuple[str, str, str]]] = {}
        self.contexts: dict[tuple[str, int, int], tuple[str, str, str]] = {}
        self.moved = 0  # boundary changes: what habit shares are of

    def keep(self, exact: Sequence[tuple[Span, Span]]) -> None:
        """Count spans gold has exactly as the annotator made them."""
        self.counts[KEPT] += len(exact)
        self.confusion.update((s.label, s.label) for s, _ in exact)

    def change(self, art: ArticleSpans, layer: str, before: Span | None, after: Span | None) -> None:
        """Count one span the reviewer added, removed, relabelled or moved."""
        text = art.text
        self.confusion[(before.label if before else OUTSIDE, after.label if after else OUTSIDE)] += 1
        kind = _change_kind(before, after)
        habits: tuple[str, ...] = ()
        if kind in (MOVED, RELABELLED_AND_MOVED):
            habits = boundary_habits(text, before, after)
            self.moved += 1
        self.counts[kind] += 1
        before_text = text[before.start : before.end] if before else ""
        after_text = text[after.start : after.end] if after else ""
        for h in habits:
            self.habit_counts[h] += 1
            kept = self.habit_examples.setdefault(h, [])
            if len(kept) < self.examples:
                kept.append((art.article_id, before_text, after_text))
        self.changes.append(
            Change(art.article_id, layer, kind, before, after, before_text, after_text, habits)
        )
        spans = [s for s in (before, after) if s is not None]
        start, end = min(s.start for s in spans), max(s.end for s in spans)
        self.contexts[(art.article_id, start, end)] = (
            text[max(0, start - self.context) : start],
            text[start:end],
            text[end : end + self.context],
        )

    def habits(self) -> tuple[Habit, ...]:
        """The habits seen, most frequent first."""
        return tuple(
            Habit(name, n, n / self.moved, tuple(self.habit_examples[name]))
            for name, n in sorted(self.habit_counts.items(), key=lambda item: (-item[1], item[0]))
        )


def boundary_habits(text: str, mine: Span, gold: Span) -> tuple[str, ...]:
    """Name the boundary habits shown by ``mine`` where ``gold`` has other boundaries.

    Parameters
    ----------
    text
        The article text.
    mine, gold
        Overlapping spans of the annotator and of gold.

    Returns
    -------
    tuple of str
        At most one habit for the start and one for the end, e.g. ``"includes determiners"``
        when the annotator's span starts with "the" or "a" that gold leaves out.
    """
    found = []
    if mine.start < gold.start:
        extra = text[mine.start : gold.start]
        if extra.isspace():
            found.append(INCLUDES_WHITESPACE)
        elif _words(extra) and all(w in DETERMINERS for w in _words(extra)):
            found.append(INCLUDES_DETERMINERS)
        else:
            found.append(STARTS_EARLY)
    elif mine.start > gold.start:
        missing = text[gold.start : mine.start]
        if _words(missing) and all(w in DETERMINERS for w in _words(missing)):
            found.append(LEAVES_OUT_DETERMINERS)
        else:
            found.append(STARTS_LATE)
    if mine.end > gold.end:
        extra = text[gold.end : mine.end]
        if extra.isspace():
            found.append(INCLUDES_WHITESPACE)
        elif all(ch in _PUNCTUATION or ch.isspace() for ch in extra):
            found.append(INCLUDES_PUNCTUATION)
        else:
            found.append(EXTENDS_TOO_FAR)
    elif mine.end < gold.end:
        found.append(STOPS_SHORT)
    return tuple(dict.fromkeys(found))


def _words(fragment: str) -> list[str]:
    return fragment.lower().split()


__all__ = [
    "ADDED",
    "CHANGE_KINDS",
    "INCLUDES_DETERMINERS",
    "INCLUDES_PUNCTUATION",
    "KEPT",
    "MOVED",
    "RELABELLED",
    "RELABELLED_AND_MOVED",
    "REMOVED",
    "Change",
    "FeedbackReport",
    "Habit",
    "boundary_habits",
    "feedback_report",
]


def _articles(n: int) -> str:
    return f"{n} article{'s' * (n != 1)}"
