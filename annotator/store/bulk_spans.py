"""The spans of an import: each document's spans become annotation rows (checked against what the
same annotator has on the article here and earlier in the file), rejected spans become rejected
suggestions, and unknown labels are created on the way.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Callable, Iterable
from itertools import chain, repeat
from operator import itemgetter

from annotator import model as m
from annotator.errors import SpanError, StoreError
from annotator.model import ENTITY, Label
from annotator.store.bulk_rows import ImportReport, Pending
from annotator.store.labels import insert_label
from annotator.store.rows import auto_colour

_FILE_KEY = itemgetter(3, 2)  # (layer in the file, label)
_KIND = itemgetter(3, 2, 4, 5)  # (layer in the file, label, annotator, answer)
_ACCEPTED = frozenset({"accept"})


class ImportLabels:
    """The labels while importing: the layer each span goes on, and the labels created."""

    def __init__(self, c: sqlite3.Connection, report: ImportReport):
        self.c = c
        self.report = report
        self.known = {(r[0], r[1]) for r in c.execute("SELECT layer, name FROM labels")}
        self.layers: dict[str, set[str]] = {}
        for layer, name in self.known:
            self.layers.setdefault(name, set()).add(layer)
        # (layer in the file, label) -> layer stored. A label's layers never change once it has
        # a span here (see layer_for), so an entry never goes stale.
        self.stored: dict[tuple[str, str], str] = {}

    def layer_for(self, span_layer: str, label: str) -> str:
        """The layer a span goes on: a label known on exactly one other layer moves it there."""
        layers = self.layers.get(label)
        if layers and span_layer not in layers and len(layers) == 1:
            return next(iter(layers))
        return span_layer

    def need(self, layer: str, label: str) -> None:
        """Create ``label`` on ``layer`` unless it is known."""
        if (layer, label) not in self.known:
            self.report.labels_created += insert_label(self.c, Label(label, layer, auto_colour(label)))
            self.known.add((layer, label))
            self.layers.setdefault(label, set()).add(layer)

    def stored_layer(self, file_layer: str, label: str) -> str:
        """:meth:`layer_for`, the label created if need be (cached)."""
        layer = self.stored.get((file_layer, label))
        if layer is None:
            layer = self.layer_for(file_layer, label)
            self.need(layer, label)
            self.stored[(file_layer, label)] = layer
        return layer

    def all_stay(self, pairs: Iterable[tuple[str, str]]) -> bool:
        """Whether every (layer in the file, label) is known and keeps its spans on that layer."""
        stored = self.stored
        return all(stored.get(pair) == pair[0] for pair in pairs)

    def layers_of(self, spans: list[m.ImportedSpan]) -> list[str]:
        """The stored layer of each span, in order (labels created in the order of the spans)."""
        try:
            return list(map(self.stored.__getitem__, map(_FILE_KEY, spans)))
        except KeyError:
            return [self.stored_layer(s[3], s[2]) for s in spans]


class SpanRows:
    """Turns each document's spans into rows of ``pending``.

    ``repeats`` names the (article, annotator) pairs with spans in more than one document of
    the file: their accepted spans are kept, to check the later documents against them.
    """

    def __init__(
        self,
        labels: ImportLabels,
        pending: Pending,
        report: ImportReport,
        default: str | None,
        stamp: str,
        repeats: set[tuple[str, str]],
    ):
        self.labels = labels
        self.pending = pending
        self.report = report
        self.default = default
        self.stamp = stamp
        self.repeats = repeats
        self.kept: dict[tuple[str, str], list[tuple[int, int, str, str]]] = {}
        self.seen: set[str] = set()  # articles with spans queued already
        self.per_annotator: dict[str, int] = {}

    def add_new(self, aid: str, d: m.ImportedDoc) -> bool:
        """Rows for the spans of an article with none here yet, in one tight pass.

        The same rows as :meth:`add_checked`; False, with nothing queued, when a span has no
        annotator or entity spans overlap: :meth:`add_checked` then raises the error it always has.
        """
        spans = d.spans
        kinds = set(map(_KIND, spans))  # what tells the spans apart, but for their place
        if len({k[2] for k in kinds}) > 1 or {k[3] for k in kinds} != _ACCEPTED:
            return self._add_new_mixed(aid, d)
        who = spans[0][4] or self.default
        if who is None:
            return False
        if self.labels.all_stay({k[:2] for k in kinds}):
            if len(set(spans)) < len(spans):
                return self._add_new_mixed(aid, d)  # the same span twice: skip the copies in order
            if m.entities_overlap([s for s in spans if s[3] == ENTITY]):
                return False
            keys = spans
        else:
            layers = self.labels.layers_of(spans)
            # A span moved to its label's layer may now be a copy of another: keep the first.
            keys = list(
                dict.fromkeys((s[0], s[1], s[2], layer) for s, layer in zip(spans, layers, strict=True))
            )
            if m.entities_overlap([k for k in keys if k[3] == ENTITY]):
                return False
        # The rows' values, one after the other (see Pending), from the fields of the spans.
        starts, ends, labels, layers = list(zip(*keys, strict=True))[:4]
        n = len(keys)
        rows = zip(
            repeat(aid, n), repeat(who, n), layers, starts, ends, labels, repeat(self.stamp, n), strict=True
        )
        self.pending.annotations += chain.from_iterable(rows)
        self._keep(aid, who, keys)
        self.per_annotator[who] = self.per_annotator.get(who, 0) + len(keys)
        self.report.annotators.add(who)
        return True

    def _add_new_mixed(self, aid: str, d: m.ImportedDoc) -> bool:
        """:meth:`add_new` for an article with several annotators, rejected or repeated spans."""
        anns, rejected = [], []
        add_row = anns.append
        stamp, default = self.stamp, self.default
        stored_layer = self.labels.stored_layer
        taken: dict[str, set[tuple[int, int, str, str]]] = {}
        last_who, mine = None, set()
        for start, end, label, file_layer, who, answer in d.spans:
            who = who or default
            if who is None:
                return False
            layer = stored_layer(file_layer, label)
            if answer == "reject":
                rejected.append((who, layer, start, end, label))
                continue
            if who != last_who:  # a file rarely has several annotators on one article
                mine = taken.setdefault(who, set())
                last_who = who
            key = (start, end, label, layer)
            if key in mine:
                continue
            mine.add(key)
            add_row((aid, who, layer, start, end, label, stamp))
        for mine in taken.values():
            if m.entities_overlap([k for k in mine if k[3] == ENTITY]):
                return False
        for who, mine in taken.items():
            self.per_annotator[who] = self.per_annotator.get(who, 0) + len(mine)
            self._keep(aid, who, ((r[3], r[4], r[5], r[2]) for r in anns if r[1] == who))
        self.pending.annotations += chain.from_iterable(anns)
        for who, layer, start, end, label in rejected:
            self._reject(aid, who, layer, start, end, label)
        self.report.annotators.update(taken)
        self.report.annotators.update(who for who, *_ in rejected)
        return True

    def add_checked(
        self, aid: str, d: m.ImportedDoc, taken_of: Callable[[str, str], Iterable[tuple] | None]
    ) -> None:
        """Rows for the spans of an article, checked against the spans it has here: in the
        database (``taken_of(aid, who)``, None for an article new here) and earlier in this
        file (a file may hold the same article twice).

        Raises
        ------
        StoreError
            A span has no annotator and the import names none.
        SpanError
            An entity span overlaps one the same annotator has here.
        """
        default = self.default
        taken = {
            who: TakenSpans([*(taken_of(aid, who) or ()), *self.kept.get((aid, who), ())])
            for who in {s.annotator or default for s in d.spans} - {None}
        }
        for s in d.spans:
            who = s.annotator or default
            if who is None:
                raise StoreError(
                    f"{d.location}: the file does not say who made its spans",
                    hint="pass --annotator NAME",
                )
            layer = self.labels.stored_layer(s.layer, s.label)
            self.report.annotators.add(who)
            if s.answer == "reject":
                self._reject(aid, who, layer, s.start, s.end, s.label)
                continue
            mine = taken[who]
            key = (s.start, s.end, s.label, layer)
            if key in mine.keys:
                continue
            if layer == ENTITY and mine.overlaps_entity(s.start, s.end):
                raise SpanError(
                    f"{d.location}: {s.label} {s.start}-{s.end} of {who} overlaps an entity span {who} already"
                    " has in this database or earlier in this file"
                )
            mine.add(key)
            self.pending.annotations += (aid, who, layer, s.start, s.end, s.label, self.stamp)
            self._keep(aid, who, (key,))
            self.per_annotator[who] = self.per_annotator.get(who, 0) + 1

    def _reject(self, aid: str, who: str, layer: str, start: int, end: int, label: str) -> None:
        self.pending.suggestions.append((aid, layer, start, end, label, "import", None))
        self.pending.decisions.append(
            (aid, who, layer, start, end, label, "import", m.REJECTED, None, self.stamp)
        )
        self.report.rejections += 1

    def _keep(self, aid: str, who: str, keys: Iterable[tuple]) -> None:
        if (aid, who) in self.repeats:
            self.kept.setdefault((aid, who), []).extend(k[:4] for k in keys)


class TakenSpans:
    """One annotator's spans on one article while importing: constant-time duplicate tests and
    logarithmic entity-overlap tests (a linear scan per span made imports quadratic in spans).
    """

    __slots__ = ("disjoint", "ends", "keys", "starts")

    def __init__(self, rows: Iterable[tuple[int, int, str, str]]):
        self.keys: set[tuple[int, int, str, str]] = {(r[0], r[1], r[2], r[3]) for r in rows}
        ents = sorted((k[0], k[1]) for k in self.keys if k[3] == ENTITY)
        self.starts = [a for a, _ in ents]
        self.ends = [b for _, b in ents]
        # Entity spans of one annotator never overlap in the store; if some do, scan them all.
        self.disjoint = all(self.starts[i + 1] >= self.ends[i] for i in range(len(ents) - 1))

    def overlaps_entity(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps one of the entity spans."""
        if not self.disjoint:
            return any(a < end and start < b for a, b in zip(self.starts, self.ends, strict=True))
        # Disjoint and sorted by start, so ends are sorted too: only the last entity that
        # starts before ``end`` can reach past ``start``.
        i = bisect.bisect_left(self.starts, end)
        return i > 0 and self.ends[i - 1] > start

    def add(self, key: tuple[int, int, str, str]) -> None:
        """Count ``key`` (start, end, label, layer) as taken."""
        self.keys.add(key)
        if key[3] == ENTITY:
            i = bisect.bisect_left(self.starts, key[0])
            self.starts.insert(i, key[0])
            self.ends.insert(i, key[1])
