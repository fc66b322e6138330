"""Bulk import: parsed documents written in one transaction, all of them or nothing.

:class:`BulkImport` is one call of :meth:`Store.import_docs <annotator.store.Store.import_docs>`:
it looks up which articles are here already (and which are *twins* of one here: the same text
but for line endings or Unicode normalisation), writes the new articles, turns the documents'
spans into annotations (checked against what the same annotator has here and earlier in the
file), rejected spans into rejected suggestions and predictions into suggestions, marks what
the file says was done, and records one ledger row per annotator.
"""

from __future__ import annotations

import bisect
import dataclasses
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from annotator import model as m
from annotator.errors import SpanError, StoreError
from annotator.model import ENTITY, Changes, Label
from annotator.store.labels import insert_label
from annotator.store.rows import auto_colour, now, title_of, to_json
from annotator.store.twins import Twin


@dataclass(slots=True)
class ImportReport:
    """What one import wrote."""

    articles_added: int = 0
    articles_known: int = 0
    annotations: int = 0
    rejections: int = 0
    suggestions: int = 0
    labels_created: list[Label] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    # (file's id, our id): the text differs only in line endings or normalisation from an
    # article here, and its spans went onto that article (offsets mapped).
    twins: list[tuple[str, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)


class BulkImport:
    """Write ``docs`` through ``conn``, inside the caller's transaction.

    Parameters
    ----------
    conn
        The store's connection, in a write transaction.
    docs
        The parsed documents, in file order.
    annotator
        Who made the spans the file does not attribute (None: such spans are an error).
    description
        What was imported (``format:path``), kept in the ledger.
    done
        Mark the articles the file says an annotator completed as done for them.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        docs: Sequence[m.ImportedDoc],
        annotator: str | None = None,
        *,
        description: str = "",
        done: bool = True,
    ):
        self.c = conn
        self.docs = list(docs)
        self.default = annotator.strip() if annotator and annotator.strip() else None
        self.description = description
        self.done = done
        self.report = ImportReport()
        self.stamp = now()
        self.known_labels: set[tuple[str, str]] = set()
        self.label_layers: dict[str, set[str]] = {}
        # (layer in the file, label) -> layer stored, for labels already known here. A label's
        # layers never change after its first span (see layer_for), but it is cleared whenever
        # a label is created all the same.
        self.stored_layer: dict[tuple[str, str], str] = {}
        self.ids: list[str] = []
        self.existing: set[str] = set()
        self.ann_rows: list[tuple] = []
        self.dec_rows: list[tuple] = []
        self.sugg_rows: list[tuple] = []
        self.state_rows: list[tuple] = []
        self.per_annotator: dict[str, int] = {}
        # Articles whose spans this import has queued already: where in ann_rows they are.
        self.spanned: dict[str, list[tuple[int, int]]] = {}

    def run(self) -> ImportReport:
        """Write everything; returns what was written (raises, writing nothing, on any error)."""
        report = self.report
        self._read_labels()
        self._find_existing()
        self.docs, norm_of = onto_twins(self.c, self.ids, self.docs, self.existing, report)
        self._insert_articles(norm_of)
        for aid, d in zip(self.ids, self.docs, strict=True):
            self._add_doc(aid, d)
        self._write_rows()
        self._write_ledger()
        report.annotations = len(self.ann_rows)
        report.suggestions = len(self.sugg_rows) - report.rejections
        report.changes = Changes(
            articles=frozenset(self.ids),
            labels=bool(report.labels_created),
            spans=bool(self.ann_rows or self.sugg_rows),
            states=bool(self.state_rows),
            counts=(("annotations", report.annotations), ("articles_added", report.articles_added)),
        )
        return report

    # -- articles --------------------------------------------------------------------------------

    def _read_labels(self) -> None:
        self.known_labels = {(r[0], r[1]) for r in self.c.execute("SELECT layer, name FROM labels")}
        for layer, name in self.known_labels:
            self.label_layers.setdefault(name, set()).add(layer)

    def _find_existing(self) -> None:
        self.ids = ids = [m.article_id(d.text) for d in self.docs]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            self.existing.update(
                r[0]
                for r in self.c.execute(
                    f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
                )
            )

    def _insert_articles(self, norm_of: dict[int, str]) -> None:
        report, c = self.report, self.c
        new_rows = []
        seen_new: set[str] = set()
        for k, (aid, d) in enumerate(zip(self.ids, self.docs, strict=True)):
            if aid in self.existing or aid in seen_new:
                report.articles_known += 1
                continue
            seen_new.add(aid)
            new_rows.append(
                (
                    aid,
                    norm_of[k],
                    d.title or title_of(d.text),
                    d.text,
                    d.source,
                    to_json(d.meta or {}),
                    len(d.text.split()),
                    self.stamp,
                )
            )
        if new_rows:
            norms = sorted({r[1] for r in new_rows})
            for i in range(0, len(norms), 500):
                chunk = norms[i : i + 500]
                for nid, oid in c.execute(
                    f"SELECT norm_id, id FROM articles WHERE norm_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ):
                    for r in new_rows:
                        if r[1] == nid and r[0] != oid:
                            report.near_duplicates.append((r[0], oid))
            c.executemany(
                "INSERT OR IGNORE INTO articles(id, norm_id, title, text, source, meta, words, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                new_rows,
            )
        report.articles_added = len(new_rows)

    # -- labels ----------------------------------------------------------------------------------

    def layer_for(self, span_layer: str, label: str) -> str:
        """The layer a span goes on: a label known on exactly one other layer moves it there."""
        layers = self.label_layers.get(label)
        if layers and span_layer not in layers and len(layers) == 1:
            return next(iter(layers))
        return span_layer

    def need_label(self, layer: str, label: str) -> None:
        """Create ``label`` on ``layer`` unless it is known."""
        if (layer, label) not in self.known_labels:
            created = insert_label(self.c, Label(label, layer, auto_colour(label)))
            self.report.labels_created += created
            self.known_labels.add((layer, label))
            self.label_layers.setdefault(label, set()).add(layer)
            self.stored_layer.clear()

    # -- spans -----------------------------------------------------------------------------------

    def _add_doc(self, aid: str, d: m.ImportedDoc) -> None:
        """Queue the rows of one document: its spans, suggestions and done states."""
        lo = len(self.ann_rows)
        if d.spans and (aid in self.existing or aid in self.spanned or not self._new_article_spans(aid, d)):
            self._spans_of(aid, d)
        if d.spans:
            self.spanned.setdefault(aid, []).append((lo, len(self.ann_rows)))
        for g in d.suggestions:
            layer = self.layer_for(g.layer, g.label)
            self.need_label(layer, g.label)
            self.sugg_rows.append((aid, layer, g.start, g.end, g.label, g.source, g.score))
        if self.done:
            for who in d.annotators:
                who = who or self.default
                if who:
                    self.report.annotators.add(who)
                    self.state_rows.append((aid, who, m.DONE, self.stamp))

    def _new_article_spans(self, aid: str, d: m.ImportedDoc) -> bool:
        """Rows for the spans of an article that had none here, in one tight pass.

        The same rows as :meth:`_spans_of`; False, with nothing queued, when a span has no
        annotator or entity spans overlap: :meth:`_spans_of` then raises the error it always has.
        """
        anns, rejected = [], []
        add_row = anns.append
        imported = m.ORIGIN_IMPORTED
        stamp, default, stored_layer = self.stamp, self.default, self.stored_layer
        taken: dict[str, set[tuple[int, int, str, str]]] = {}
        last_who, mine = None, set()
        for start, end, label, file_layer, who, answer in d.spans:
            who = who or default
            if who is None:
                return False
            layer = stored_layer.get((file_layer, label))
            if layer is None:
                layer = self.layer_for(file_layer, label)
                self.need_label(layer, label)  # may clear stored_layer
                stored_layer[(file_layer, label)] = layer
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
            add_row((aid, who, layer, start, end, label, imported, None, stamp))
        for mine in taken.values():
            if m.entities_overlap([k for k in mine if k[3] == ENTITY]):
                return False
        for who, mine in taken.items():
            self.per_annotator[who] = self.per_annotator.get(who, 0) + len(mine)
        self.ann_rows.extend(anns)
        for who, layer, start, end, label in rejected:
            self.sugg_rows.append((aid, layer, start, end, label, "import", None))
            self.dec_rows.append((aid, who, layer, start, end, label, "import", m.REJECTED, None, stamp))
        self.report.annotators.update(taken)
        self.report.annotators.update(who for who, *_ in rejected)
        self.report.rejections += len(rejected)
        return True

    def _taken_here(self, aid: str, d: m.ImportedDoc) -> dict[str, TakenSpans]:
        """The spans each annotator of ``d`` has on the article "here": in the database and in
        the rows of this import so far (a file may hold the same article twice)."""
        taken: dict[str, TakenSpans] = {}
        for who in {s.annotator or self.default for s in d.spans} - {None}:
            rows = list(
                self.c.execute(
                    'SELECT start, "end", label, layer FROM annotations WHERE article_id = ? AND annotator = ?',
                    (aid, who),
                )
                if aid in self.existing  # a new article has no spans here yet
                else ()
            )
            for lo, hi in self.spanned.get(aid, ()):
                rows += [(r[3], r[4], r[5], r[2]) for r in self.ann_rows[lo:hi] if r[1] == who]
            taken[who] = TakenSpans(rows)
        return taken

    def _spans_of(self, aid: str, d: m.ImportedDoc) -> None:
        """Rows for the spans of an article, checked against the spans it has here."""
        taken = self._taken_here(aid, d)
        for s in d.spans:
            who = s.annotator or self.default
            if who is None:
                raise StoreError(
                    f"{d.location}: the file does not say who made its spans",
                    hint="pass --annotator NAME",
                )
            layer = self.layer_for(s.layer, s.label)
            self.need_label(layer, s.label)
            self.report.annotators.add(who)
            if s.answer == "reject":
                self.sugg_rows.append((aid, layer, s.start, s.end, s.label, "import", None))
                self.dec_rows.append(
                    (aid, who, layer, s.start, s.end, s.label, "import", m.REJECTED, None, self.stamp)
                )
                self.report.rejections += 1
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
            self.ann_rows.append(
                (aid, who, layer, s.start, s.end, s.label, m.ORIGIN_IMPORTED, None, self.stamp)
            )
            self.per_annotator[who] = self.per_annotator.get(who, 0) + 1

    # -- writing ---------------------------------------------------------------------------------

    def _write_rows(self) -> None:
        c = self.c
        if self.sugg_rows:
            # Replace what an earlier import of the same source said about these articles.
            pairs = sorted({(r[0], r[5]) for r in self.sugg_rows})
            c.executemany("DELETE FROM suggestions WHERE article_id = ? AND source = ?", pairs)
            c.executemany(
                'INSERT INTO suggestions(article_id, layer, start, "end", label, source, score) VALUES (?,?,?,?,?,?,?)',
                self.sugg_rows,
            )
        c.executemany(
            'INSERT INTO annotations(article_id, annotator, layer, start, "end", label, origin, source, created_at)'
            " VALUES (?,?,?,?,?,?,?,?,?)",
            self.ann_rows,
        )
        c.executemany(
            'INSERT OR REPLACE INTO decisions(article_id, annotator, layer, start, "end", label, source, status,'
            " annotation_id, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            self.dec_rows,
        )
        c.executemany(
            "INSERT INTO article_states(article_id, annotator, state, updated_at) VALUES (?,?,?,?)"
            " ON CONFLICT(article_id, annotator) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
            " WHERE article_states.state IN ('todo', 'in_progress')",
            self.state_rows,
        )

    def _write_ledger(self) -> None:
        for who in sorted(self.report.annotators):
            self.c.execute(
                "INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (who, self.stamp)
            )
            self.c.execute(
                "INSERT INTO ledger(annotator, article_id, kind, at, detail) VALUES (?, NULL, 'import', ?, ?)",
                (
                    who,
                    self.stamp,
                    to_json({"from": self.description, "spans": self.per_annotator.get(who, 0)}),
                ),
            )


def onto_twins(
    c: sqlite3.Connection,
    ids: list[str],
    docs: list[m.ImportedDoc],
    existing: set[str],
    report: ImportReport,
) -> tuple[list[m.ImportedDoc], dict[int, str]]:
    """Put documents that are twins of an article here onto it (``ids``, ``existing`` updated).

    Also returns the normalised text id of every document that was not here, by position.
    """
    norm_of = {k: m.normalised_text_id(docs[k].text) for k, aid in enumerate(ids) if aid not in existing}
    if not norm_of:
        return docs, norm_of
    found: dict[str, tuple[str, str]] = {}
    keys = sorted(set(norm_of.values()))
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        for nid, oid, text in c.execute(
            f"SELECT norm_id, id, text FROM articles WHERE norm_id IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            found.setdefault(nid, (oid, text))
    for k, norm in norm_of.items() if found else ():
        hit = found.get(norm)
        if hit is None or hit[0] == ids[k]:
            continue
        twin = Twin(docs[k].text, hit[1])
        if not twin.ok:
            continue  # reported as a near duplicate, both kept
        docs[k] = moved_onto(docs[k], twin, hit[1])
        report.twins.append((ids[k], hit[0]))
        ids[k] = hit[0]
        existing.add(hit[0])
    return docs, norm_of


def moved_onto(d: m.ImportedDoc, twin: Twin, text: str) -> m.ImportedDoc:
    """``d`` with our ``text`` and its spans and suggestions mapped through ``twin``."""

    def moved(s):
        where = twin.span(s.start, s.end)
        if where is None:
            raise SpanError(
                f"{d.location}: span {s.start}-{s.end} ({s.label}) starts or ends inside a line ending"
                " or character written differently in the same article already here"
            )
        if isinstance(s, m.ImportedSpan):  # a NamedTuple, not a dataclass
            return s._replace(start=where[0], end=where[1])
        return dataclasses.replace(s, start=where[0], end=where[1])

    return dataclasses.replace(
        d,
        text=text,
        spans=[moved(s) for s in d.spans],
        suggestions=[moved(g) for g in d.suggestions],
    )


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
