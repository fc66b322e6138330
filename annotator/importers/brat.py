"""brat standoff: ``doc.txt`` with ``doc.ann`` beside it.

Decisions, since brat can express more than an annotator article can hold:

- Each ``T`` line is an entity span. The text column must match the ``.txt`` slice
  (whitespace may differ), or the file is refused with the ``.ann`` line number.
- A discontinuous entity (``T2 Money 456 468;470 475``) becomes one span per fragment, with
  the same label: the spans cover exactly the characters the annotator selected and never the
  text in the gap. Its raw line is kept in ``meta["brat"]`` and a warning says so.
- brat allows overlapping and nested entities; an annotator may not (issues may: a label the
  database knows as an issue only, e.g. TARIFFS, goes to the issue layer and is never dropped).
  Among entities the outermost, earliest wins: entities overlapping one already kept are dropped, their raw ``T`` lines are kept
  in ``meta["brat"]``, and a warning names each dropped one.
- Relations, events, attributes, normalisations and notes (``R E A M N #``) are kept as raw
  lines in ``meta["brat"]``, counted in the warnings.
- An attribute ``A1<TAB>Layer T7 issue`` (what annotator's brat export writes) puts that entity
  on the issue layer, where it may overlap others; it is not kept in meta.
- An article counts as done for the importing annotator when it has at least one entity: brat
  creates an empty ``.ann`` for every document, annotated or not.
"""

from __future__ import annotations

import re
from pathlib import Path

from annotator.errors import InputError, SpanError
from annotator.importers.base import (
    Where,
    default_title,
    non_overlapping,
    path_text,
    read_text,
    split_lines,
    stored_layer,
    validate,
)
from annotator.model import ENTITY, ISSUE, ImportedDoc, ImportedSpan, check_span

_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")
OTHER_KINDS = {
    "R": "relation",
    "*": "relation",
    "E": "event",
    "A": "attribute",
    "M": "attribute",
    "N": "normalisation",
    "#": "note",
}


def pair(path: Path) -> tuple[Path, Path]:
    """The ``(.txt, .ann)`` pair for either file of it."""
    if path.suffix == ".ann":
        return path.with_suffix(".txt"), path
    return path, path.with_suffix(".ann")


def read(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read one brat document from its ``.txt`` or ``.ann`` file.

    Parameters
    ----------
    path
        Either file of the pair; the other must be beside it.

    Returns
    -------
    tuple[list[ImportedDoc], list[str]]
        One document and the warnings (dropped overlaps, split fragments, kept raw lines).

    Raises
    ------
    InputError
        A missing partner file, a malformed ``.ann`` line, offsets outside the text, or a
        ``T`` line whose text does not match the ``.txt``; always with the ``.ann`` line.
    """
    txt_path, ann_path = pair(path)
    if not txt_path.is_file():
        raise InputError(str(path), f"brat text file {txt_path.name} is not beside it")
    if not ann_path.is_file():
        raise InputError(str(path), f"brat annotation file {ann_path.name} is not beside it")
    text = read_text(txt_path)
    ann = read_text(ann_path, allow_empty=True)

    warnings: list[str] = []
    entities, raw_lines, counts, split = _parse_ann(ann, text, ann_path)
    on_issues = _issue_ids(raw_lines, counts)
    issues, ents = [], []
    for e in entities:
        (issues if e[0] in on_issues or stored_layer(ENTITY, e[3]) == ISSUE else ents).append(e)
    kept, dropped = non_overlapping(ents, key=lambda e: (e[1], e[2]))
    for tid, start, end, label, line in dropped:
        warnings.append(
            f"{ann_path}: {tid} {label} {start}-{end} {text[start:end]!r} overlaps another entity"
            " and was dropped (its line is kept in meta['brat'])"
        )
        if line not in raw_lines:
            raw_lines.append(line)
    if split:
        warnings.append(
            f"{ann_path}: discontinuous entities {', '.join(split)} were imported as one span per fragment"
        )
    if counts:
        kinds = ", ".join(f"{n} {kind} line{'s' if n > 1 else ''}" for kind, n in counts.items())
        warnings.append(f"{ann_path}: {kinds} kept in meta['brat'], not imported as annotations")

    spans = [ImportedSpan(start, end, label, ENTITY) for _, start, end, label, _ in kept]
    spans += [ImportedSpan(start, end, label, ISSUE) for _, start, end, label, _ in issues]
    doc = ImportedDoc(
        text=text,
        location=str(ann_path),
        title=default_title(text),
        source=path_text(txt_path),
        meta={"brat": raw_lines} if raw_lines else {},
        spans=spans,
        annotators=[None] if spans else [],
    )
    return [validate(doc, Where(ann_path))], warnings


_LAYER_ATTRIBUTE = re.compile(rf"^A\d+\tLayer (T\d+) {ISSUE}$")


def _issue_ids(raw_lines: list[str], counts: dict[str, int]) -> set[str]:
    """Ids of the entities a ``Layer`` attribute puts on the issue layer; those lines are dropped."""
    found = set()
    for line in list(raw_lines):
        match = _LAYER_ATTRIBUTE.match(line)
        if match:
            found.add(match.group(1))
            raw_lines.remove(line)
            counts["attribute"] -= 1
    if not counts.get("attribute", 1):
        del counts["attribute"]
    return found


def _parse_ann(
    ann: str, text: str, ann_path: Path
) -> tuple[list[tuple[str, int, int, str, str]], list[str], dict[str, int], list[str]]:
    """The lines of an ``.ann`` file: entity fragments, raw lines kept, other kinds counted.

    Returns ``(entities, raw_lines, counts, split)``: one ``(id, start, end, label, raw line)``
    per fragment of each ``T`` line, the raw lines to keep in meta (discontinuous entities and
    every line of another kind), how many lines of each other kind, and the ids of the
    discontinuous entities.
    """
    entities: list[tuple[str, int, int, str, str]] = []
    raw_lines: list[str] = []
    counts: dict[str, int] = {}
    split: list[str] = []
    for number, line in enumerate(split_lines(ann), start=1):
        if not line.strip():
            continue
        where = Where(ann_path, line=number)
        kind = line[0]
        if kind == "T":
            tid, fragments, label = _entity(line, text, where)
            if len(fragments) > 1:
                split.append(tid)
                raw_lines.append(line)
            entities.extend((tid, s, e, label, line) for s, e in fragments)
        elif kind in OTHER_KINDS:
            raw_lines.append(line)
            counts[OTHER_KINDS[kind]] = counts.get(OTHER_KINDS[kind], 0) + 1
        else:
            raise where.error(
                f"unknown brat annotation line starting with {kind!r}; expected T, R, E, A, M, N, * or #"
            )
    return entities, raw_lines, counts, split


def _entity(line: str, text: str, where: Where) -> tuple[str, list[tuple[int, int]], str]:
    parts = line.split("\t", 2)
    if len(parts) < 2:
        raise where.error("a T line needs: ID<TAB>Type start end<TAB>text")
    tid, middle = parts[0], parts[1]
    shown = parts[2] if len(parts) == 3 else None
    label, _, offsets = middle.partition(" ")
    if not label or not _OFFSETS.match(offsets):
        raise where.error(f"{tid}: cannot read type and offsets from {middle!r}; expected 'Type start end'")
    fragments = []
    for fragment in offsets.split(";"):
        start, end = (int(x) for x in fragment.split(" "))
        try:
            check_span(start, end, label, ENTITY, len(text))
        except SpanError as exc:
            raise where.error(f"{tid}: {exc.message}") from None
        fragments.append((start, end))
    if shown is not None:
        actual = " ".join(text[s:e] for s, e in fragments)
        if actual != shown and actual.split() != shown.split():
            raise where.error(
                f"{tid}: the .ann says the text is {shown!r} but the .txt has {actual!r} there;"
                " the files do not belong together or the .txt was edited"
            )
    return tid, fragments, label
