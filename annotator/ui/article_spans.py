"""The open article's spans as the article view shows them: what is drawn, what is pending.

:class:`ArticleSpans` holds one annotator's suggestions and annotations of the open article,
the marks drawn for them, the issue underlines with their lanes, and the pending suggestions
in text order. After one action it takes the action's rows (:meth:`ArticleSpans.apply`) and
says which marks changed, so the view formats again only there. Plain Python, no Qt.
"""

from __future__ import annotations

import bisect
import html
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice

from annotator import model as m
from annotator.model import Annotation, Label, Span, SuggestionRow

SUGGESTION = "suggestion"
ANNOTATION = "annotation"

# A mark is what the view draws for one span: (start, end, layer, label, pending).
Mark = tuple[int, int, str, str, bool]
# An issue underline: (start, end, label, pending, lane).
IssueLine = tuple[int, int, str, bool, int]

# Where a pending suggestion goes in text order: (start, end, layer, id) of a SuggestionRow.
_pending_key: Callable[[SuggestionRow], tuple[int, int, str, int]] = operator.itemgetter(2, 3, 1, 0)

_ORIGIN_TEXT = {
    m.ORIGIN_ACCEPTED: "accepted",
    m.ORIGIN_CORRECTED: "accepted, corrected",
    m.ORIGIN_MANUAL: "added by hand",
    m.ORIGIN_IMPORTED: "imported",
}


@dataclass(frozen=True, slots=True)
class FocusedSpan:
    """The span keyboard actions apply to: a pending suggestion or an annotation."""

    kind: str
    id: int
    start: int
    end: int
    layer: str
    label: str


def focus_of_suggestion(s: SuggestionRow) -> FocusedSpan:
    return FocusedSpan(SUGGESTION, s.id, s.start, s.end, s.layer, s.label)


def focus_of_annotation(a: Annotation) -> FocusedSpan:
    return FocusedSpan(ANNOTATION, a.id, a.start, a.end, a.layer, a.label)


class SortedRanges:
    """Tuples ``(start, end, ...)`` kept sorted, found by the range they overlap.

    A span overlapping ``[a, b)`` starts before ``b`` and at most the longest span's length
    before ``a``: two bisections bound the search (the longest length only ever grows, so it
    stays an upper bound after a removal). Given a ``source`` (a function returning the
    tuples), the list is only made when first used: opening an article needs none of it.
    """

    __slots__ = ("_items", "_longest", "_source")

    def __init__(self, items: Iterable[tuple] = (), source: Callable[[], Iterable[tuple]] | None = None):
        self._items: list[tuple] | None = None
        self._longest = 0
        self._source = source
        if source is None:
            self._build(items)

    def _build(self, items: Iterable[tuple]) -> None:
        self._items = sorted(items)
        self._longest = max((x[1] - x[0] for x in self._items), default=0)
        self._source = None

    @property
    def items(self) -> list[tuple]:
        if self._items is None:
            self._build(self._source())
        return self._items

    def add(self, item: tuple) -> None:
        bisect.insort(self.items, item)
        if item[1] - item[0] > self._longest:
            self._longest = item[1] - item[0]

    def discard(self, item: tuple) -> None:
        items = self.items
        i = bisect.bisect_left(items, item)
        if i < len(items) and items[i] == item:
            del items[i]

    def overlapping(self, a: int, b: int) -> list[tuple]:
        items = self.items
        lo = bisect.bisect_left(items, (a - self._longest,))
        hi = bisect.bisect_left(items, (b,), lo)
        return [x for x in items[lo:hi] if x[1] > a and x[0] < b]

    def overlapping_any(self, ranges: Iterable[tuple[int, int]]) -> list[tuple]:
        """The items overlapping one of ``ranges``, each once, in order."""
        found: set[tuple] = set()
        for a, b in ranges:
            found.update(self.overlapping(a, b))
        return sorted(found)


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``ranges`` sorted, with overlapping and touching ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def issue_lanes(issue_marks: list[Mark]) -> list[IssueLine]:
    """Give each issue mark the lowest lane free over its range (marks sorted by start)."""
    lane_ends: list[int] = []
    out = []
    for start, end, _layer, label, pending in issue_marks:
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(end)
        out.append((start, end, label, pending, lane))
    return out


class ArticleSpans:
    """One annotator's spans of the open article, the marks drawn for them and the pending order.

    Attributes
    ----------
    suggestions, annotations : dict
        By id; suggestions of every status, annotations of the annotator.
    marks : set of Mark
        What is drawn: accepted spans and pending suggestions.
    mark_index : SortedRanges
        The marks by position.
    issue_lines : list of IssueLine
        The issue underlines with their lanes, in text order.
    lanes : int
        How many lanes of underlines are drawn (how far below its line a repaint reaches).
    """

    def __init__(self) -> None:
        self.suggestions: dict[int, SuggestionRow] = {}
        self.annotations: dict[int, Annotation] = {}
        self.marks: set[Mark] = set()
        # The same spans by position, so an action finds what overlaps it without a scan of
        # every span.
        self.mark_index = SortedRanges()
        self._issue_marks = SortedRanges()
        self._suggestion_index = SortedRanges()
        self._annotation_index = SortedRanges()
        # Pending suggestions in text order, kept sorted as decisions come and go (the window
        # asks for them after every keypress: never a sort of every suggestion).
        self.pending: list[SuggestionRow] = []
        self._pending_keys: list[tuple[int, int, str, int]] = []
        self.issue_lines: list[IssueLine] = []
        self.lanes = 1

    # -- reading -----------------------------------------------------------------------------

    def read(self, suggestions: list[SuggestionRow], annotations: list[Annotation]) -> set[Mark]:
        """Take every span of the article as read from the store; returns the marks drawn before."""
        self.suggestions = sugg = {s.id: s for s in suggestions}
        self.annotations = anns = {a.id: a for a in annotations}
        # Made when an action first needs them, from the spans as they are then (apply makes
        # them before it changes anything).
        self._suggestion_index = SortedRanges(source=lambda: ((s.start, s.end, s.id) for s in sugg.values()))
        self._annotation_index = SortedRanges(source=lambda: ((a.start, a.end, a.id) for a in anns.values()))
        # The store reads them sorted by (start, end, layer, label, id): already in the pending
        # order but where two labels share a span. Keys are made in C (_pending_key), and
        # sorted only when not in order.
        pending = [s for s in suggestions if s.status == m.PENDING]
        keys = list(map(_pending_key, pending))
        if any(map(operator.gt, keys, islice(keys, 1, None))):
            keyed = sorted(zip(keys, pending, strict=True))
            pending, keys = [s for _, s in keyed], [k for k, _ in keyed]
        self.pending, self._pending_keys = pending, keys
        marks = {(a.start, a.end, a.layer, a.label, False) for a in annotations}
        marks |= {(s.start, s.end, s.layer, s.label, True) for s in pending}
        old, self.marks = self.marks, marks
        self.mark_index = SortedRanges(source=lambda: marks)
        if old != marks:
            self._issue_marks = SortedRanges(mk for mk in marks if mk[2] == m.ISSUE)
            self._set_issue_lines(issue_lanes(self._issue_marks.items))
        return old

    def apply(self, up: m.SpanUpdate) -> tuple[set[Mark], list[tuple[int, int]]] | None:
        """Take one action's rows: ``up``'s spans replace ours in its ranges.

        Returns the marks that changed and the ranges to repaint (their own and those of
        underlines that moved to another lane), or None when what is drawn is the same.
        """
        ranges = up.ranges
        if not ranges:
            return None
        for index in (self._suggestion_index, self._annotation_index, self.mark_index):
            index.items  # noqa: B018 - made from the spans as they are before this update
        old_s = self._suggestion_index.overlapping_any(ranges)
        old_a = self._annotation_index.overlapping_any(ranges)
        # What is drawn there now: the marks of those spans (each mark is one span's).
        region_old = {
            (s.start, s.end, s.layer, s.label, True)
            for s in (self.suggestions[i] for _, _, i in old_s)
            if s.status == m.PENDING
        }
        region_old |= {
            (a.start, a.end, a.layer, a.label, False) for a in (self.annotations[i] for _, _, i in old_a)
        }
        self._remove(old_s, old_a)
        self._insert(up.suggestions, up.annotations)
        region_new = {(a.start, a.end, a.layer, a.label, False) for a in up.annotations}
        region_new |= {
            (s.start, s.end, s.layer, s.label, True) for s in up.suggestions if s.status == m.PENDING
        }
        if region_old == region_new:
            return None
        return self._replace_marks(region_old, region_new)

    def _remove(self, old_s: list[tuple], old_a: list[tuple]) -> None:
        for key in old_s:
            self._suggestion_index.discard(key)
            s = self.suggestions.pop(key[2])
            if s.status == m.PENDING:
                self._drop_pending(s)
        for key in old_a:
            self._annotation_index.discard(key)
            del self.annotations[key[2]]

    def _insert(self, suggestions: Iterable[SuggestionRow], annotations: Iterable[Annotation]) -> None:
        for s in suggestions:
            self.suggestions[s.id] = s
            self._suggestion_index.add((s.start, s.end, s.id))
            if s.status == m.PENDING:
                key = _pending_key(s)
                i = bisect.bisect_left(self._pending_keys, key)
                self._pending_keys.insert(i, key)
                self.pending.insert(i, s)
        for a in annotations:
            self.annotations[a.id] = a
            self._annotation_index.add((a.start, a.end, a.id))

    def _replace_marks(self, old: set[Mark], new: set[Mark]) -> tuple[set[Mark], list[tuple[int, int]]]:
        changed = old ^ new
        for mk in old - new:
            self.marks.discard(mk)
            self.mark_index.discard(mk)
            if mk[2] == m.ISSUE:
                self._issue_marks.discard(mk)
        for mk in new - old:
            if mk not in self.marks:
                self.marks.add(mk)
                self.mark_index.add(mk)
                if mk[2] == m.ISSUE:
                    self._issue_marks.add(mk)
        dirty = [(mk[0], mk[1]) for mk in changed]
        if any(mk[2] == m.ISSUE for mk in changed):
            old_lines = self.issue_lines
            self._set_issue_lines(issue_lanes(self._issue_marks.items))
            # Lanes of other issues may move too: repaint every underline that changed.
            dirty += [(ln[0], ln[1]) for ln in set(old_lines) ^ set(self.issue_lines)]
        return changed, dirty

    def _set_issue_lines(self, lines: list[IssueLine]) -> None:
        self.issue_lines = lines
        self.lanes = 1 + max((ln[4] for ln in lines), default=0)

    def _drop_pending(self, s: SuggestionRow) -> None:
        key = _pending_key(s)
        i = bisect.bisect_left(self._pending_keys, key)
        if i < len(self._pending_keys) and self._pending_keys[i] == key:
            del self._pending_keys[i]
            del self.pending[i]

    # -- lookups -----------------------------------------------------------------------------

    def lookup(self, kind: str, span_id: int) -> FocusedSpan | None:
        """The span as it is drawn now (a suggestion only while pending), or None."""
        if kind == SUGGESTION:
            s = self.suggestions.get(span_id)
            return focus_of_suggestion(s) if s is not None and s.status == m.PENDING else None
        if kind == ANNOTATION:
            a = self.annotations.get(span_id)
            return focus_of_annotation(a) if a is not None else None
        return None

    def next_pending(self, anchor: tuple, step: int) -> SuggestionRow | None:
        """The pending suggestion after (``step`` 1) or before (-1) ``anchor``, wrapping around.

        ``anchor`` is a pending key ``(start, end, layer, id)``.
        """
        pend = self.pending
        if not pend:
            return None
        if step > 0:
            return pend[bisect.bisect_right(self._pending_keys, anchor) % len(pend)]
        return pend[bisect.bisect_left(self._pending_keys, anchor) - 1]  # -1 wraps to the last

    def annotation_over(
        self, layer: str, start: int, end: int, label: str | None = None
    ) -> Annotation | None:
        """An annotation on ``layer`` over exactly ``[start, end)`` (with ``label``, when given)."""
        for a in self.annotations.values():
            if (a.layer, a.start, a.end) == (layer, start, end) and label in (None, a.label):
                return a
        return None

    def annotation_of(self, span: Span) -> Annotation | None:
        """The annotation that is ``span``."""
        return self.annotation_over(span.layer, span.start, span.end, span.label)

    def spans_at(self, offset: int) -> list[FocusedSpan]:
        """Visible spans covering ``offset``: annotations before suggestions, smallest first."""
        out = [focus_of_annotation(a) for a in self.annotations.values() if a.start <= offset < a.end]
        out += [
            focus_of_suggestion(s)
            for s in self.suggestions.values()
            if s.status == m.PENDING and s.start <= offset < s.end
        ]
        out.sort(key=lambda f: (f.kind != ANNOTATION, f.layer != m.ENTITY, f.end - f.start))
        return out

    def issue_lines_at(self, offset: int) -> list[tuple[str, bool, int]]:
        """Issue underlines drawn under ``offset``: ``(label, pending, lane)``."""
        return [(lab, p, lane) for a, b, lab, p, lane in self.issue_lines if a <= offset < b]

    def tooltip(self, offset: int, labels: dict[tuple[str, str], Label]) -> str:
        """Rich-text tooltip for the spans at ``offset``; every piece of data is escaped."""
        parts = []
        for f in self.spans_at(offset):
            lab = labels.get((f.layer, f.label))
            desc = lab.description if lab else ""
            if f.kind == ANNOTATION:
                a = self.annotations[f.id]
                state = _ORIGIN_TEXT.get(a.origin, a.origin)
                source = a.source or "you"
            else:
                s = self.suggestions[f.id]
                state = "suggested, not decided yet"
                source = s.source + (f" (score {s.score:.2f})" if s.score is not None else "")
            layer = "issue" if f.layer == m.ISSUE else "entity"
            lines = [f"<b>{html.escape(f.label)}</b> <i>{layer}</i>"]
            if desc:
                lines.append(html.escape(desc))
            lines.append(f"source: {html.escape(source)}")
            lines.append(f"state: {html.escape(state)}")
            parts.append("<br>".join(lines))
        return "<hr>".join(parts)
