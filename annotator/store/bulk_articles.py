"""The articles of an import: which documents are here already, which are *twins* of an article
here (the same text but for line endings or Unicode normalisation: they go onto it, their
offsets mapped), which are near duplicates (reported, both kept), and the rows of the new ones.

Every look-up is made before anything of the import is written, so documents of one file are
never matched against each other: a file may hold an article twice, or two twins.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence

from annotator import model as m
from annotator.errors import SpanError
from annotator.store.bulk_rows import ImportReport
from annotator.store.rows import title_of, to_json, word_count
from annotator.store.twins import Twin

_CHUNK = 500  # ids per IN (...) look-up


@dataclasses.dataclass(slots=True)
class Placed:
    """Where each document of an import goes.

    ``ids`` is the article of each document (for a twin, the article here), ``existing`` the
    articles here before the import (twins' articles included), and ``new`` maps the position
    of each document that adds an article (the first of its text) to its normalised id.
    """

    ids: list[str]
    existing: set[str]
    new: dict[int, str]


def place(
    c: sqlite3.Connection, docs: list[m.ImportedDoc], report: ImportReport
) -> tuple[list[m.ImportedDoc], Placed]:
    """Find the articles of ``docs`` here; twins are replaced by the document put onto ours.

    Counts ``articles_known`` and fills ``twins`` and ``near_duplicates`` of ``report``.

    Raises
    ------
    SpanError
        A twin's span starts or ends inside a character written differently here.
    """
    pairs = [m.text_ids(d.text) for d in docs]
    ids = [aid for aid, _ in pairs]
    here = c.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None
    existing = _known(c, ids) if here else set()
    norm_of = {k: pairs[k][1] for k, aid in enumerate(ids) if aid not in existing}
    matches = _same_norm(c, sorted(set(norm_of.values()))) if here and norm_of else []
    if matches:
        docs = _onto_twins(docs, ids, norm_of, matches, existing, report)
    new: dict[int, str] = {}
    seen: set[str] = set()
    for k, aid in enumerate(ids):
        if aid in existing or aid in seen:
            report.articles_known += 1
        else:
            seen.add(aid)
            new[k] = norm_of[k]
    if matches:
        _near_duplicates(ids, new, matches, report)
    return docs, Placed(ids, existing, new)


def _known(c: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        found.update(
            r[0]
            for r in c.execute(f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        )
    return found


def _same_norm(c: sqlite3.Connection, norms: list[str]) -> list[tuple[str, str, str]]:
    """``(norm_id, id, text)`` of the articles here with one of ``norms``, by norm_id then rowid."""
    rows: list[tuple[str, str, str, int]] = []
    for i in range(0, len(norms), _CHUNK):
        chunk = norms[i : i + _CHUNK]
        rows += c.execute(
            f"SELECT norm_id, id, text, rowid FROM articles WHERE norm_id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
    rows.sort(key=lambda r: (r[0], r[3]))
    return [r[:3] for r in rows]


def _onto_twins(
    docs: list[m.ImportedDoc],
    ids: list[str],
    norm_of: dict[int, str],
    matches: list[tuple[str, str, str]],
    existing: set[str],
    report: ImportReport,
) -> list[m.ImportedDoc]:
    """Put documents that are twins of an article here onto it (``ids``, ``existing`` updated)."""
    found: dict[str, tuple[str, str]] = {}
    for nid, oid, text in matches:
        found.setdefault(nid, (oid, text))
    for k, norm in norm_of.items():
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
    return docs


def _near_duplicates(
    ids: list[str], new: dict[int, str], matches: list[tuple[str, str, str]], report: ImportReport
) -> None:
    """Report each new article whose normalised text is that of an article here."""
    by_norm: dict[str, list[str]] = {}
    for k, norm in new.items():
        by_norm.setdefault(norm, []).append(ids[k])
    for nid, oid, _ in matches:
        report.near_duplicates += [(aid, oid) for aid in by_norm.get(nid, ()) if aid != oid]


def moved_onto(d: m.ImportedDoc, twin: Twin, text: str) -> m.ImportedDoc:
    """``d`` with our ``text`` and its spans and suggestions mapped through ``twin``.

    Raises
    ------
    SpanError
        A span starts or ends inside a folded piece (a CRLF, a composed character).
    """

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


def article_row(aid: str, norm: str, d: m.ImportedDoc, stamp: str) -> tuple:
    """The ``articles`` row of a new document."""
    meta = to_json(d.meta) if d.meta else "{}"
    return (aid, norm, d.title or title_of(d.text), d.text, d.source, meta, word_count(d.text), stamp)
