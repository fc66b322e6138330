"""CSV (or tab-separated) tables with one article per row.

A ``text`` column is required (any case); ``title`` becomes the title; ``id`` and every other
column go into meta. Rows are located by the line they start on (a quoted cell may span lines);
a cell may be as long as the file (the csv module's own limit is 131,072 characters).
"""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

from annotator.importers.base import SKIPPED_EMPTY, Notes, Where, path_text, read_text, split_lines, validate
from annotator.model import ImportedDoc

_LIMIT_LOCK = threading.Lock()


def allow_cells_of(length: int) -> None:
    """Let the csv module read a cell of ``length`` characters (the whole file, at most).

    Its default limit, 131,072 characters, is less than one long article. The limit belongs to
    the process: it is only ever raised here, never set back, since a reader in another thread
    may be relying on the higher value meanwhile.
    """
    with _LIMIT_LOCK:
        if csv.field_size_limit() > length:
            return
        try:
            csv.field_size_limit(length + 1)
        except OverflowError:  # beyond a C long (32 bits on Windows)
            csv.field_size_limit(2**31 - 1)


def read(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read a CSV file with a ``text`` column.

    Parameters
    ----------
    path
        A ``.csv`` (comma, semicolon or tab separated, sniffed from the header) or ``.tsv`` file.

    Returns
    -------
    tuple[list[ImportedDoc], list[str]]
        One document per row and warnings.

    Raises
    ------
    InputError
        No ``text`` column (naming the columns found) or a malformed row. A row whose text
        cell is empty is skipped, with a warning that counts such rows.
    """
    content = read_text(path)
    header_line = split_lines(content)[0] if content else ""
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        counts = {d: header_line.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    allow_cells_of(len(content))
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise Where(path, line=1).error(f"cannot read the header row: {exc}") from None
    names = [name.strip() for name in header]
    lowered = [name.lower() for name in names]
    if "text" not in lowered:
        found = ", ".join(repr(n) for n in names) or "none"
        raise Where(path, line=1).error(f"there is no 'text' column; the columns are {found}")
    text_col = lowered.index("text")
    title_col = lowered.index("title") if "title" in lowered else None

    docs = []
    notes = Notes()
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise Where(path, line=reader.line_num).error(f"malformed CSV row: {exc}") from None
        where = Where(path, line=line)
        line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise where.error(f"the row has {len(row)} cells but the header has {len(names)} columns")
        text = row[text_col]
        if not text.strip():
            notes.add(SKIPPED_EMPTY.replace("records", "rows"), where)
            continue
        meta = {
            name: value
            for i, (name, value) in enumerate(zip(names, row, strict=True))
            if i not in (text_col, title_col)
        }
        title = " ".join(row[title_col].split()) if title_col is not None else ""
        doc = ImportedDoc(text=text, location=str(where), title=title, source=path_text(path), meta=meta)
        docs.append(validate(doc, where))
    if not docs:
        raise Where(path).error("has a header but no rows" if not notes.render() else "has no row with text")
    return docs, notes.render()
