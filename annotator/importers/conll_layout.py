"""Which column of a CoNLL file holds the token and which the tags, told from the content.

Real files differ: spaCy's and doccano's have a token and a tag; CoNLL-2003 has a token, a
part of speech, a chunk tag and the entity tag (the last column); GermEval 2014 has a token
index, the token, the outer entity tag and the nested entity tag. The rules:

- A line with a different number of columns from the others is read the old way: token
  first, tag last. A file whose token lines all have the same number of columns is looked at
  column by column.
- A first column that holds only numbers (``1``, ``2``... or CoNLL-U's ``1-2``) is an index;
  the token is the next column.
- A column after the token whose every value is ``O`` or a prefixed tag (``B-PER``) is a tag
  column. With several, they are nesting levels when they come right after the token, one
  after the other (GermEval): the first, outer one is read. Otherwise
  they are different annotations (CoNLL-2003's chunks and entities) and the last is read, as
  the CoNLL convention has it. Either way a warning names the columns and ``--tag-column``.
- With no such column, the last column is read as IO tags (``person``, ``O``) when all its
  values look like labels; anything else is refused rather than guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from annotator.importers.base import Where

PREFIXED = re.compile(r"^([BIESLU])-(.+)$")
OUTSIDE = frozenset({"O", "o"})
INDEX = re.compile(r"^\d+(?:[-.]\d+)?$")
# What an IO tag looks like: a word, maybe with dots, colons or dashes (not a date, URL, "_").
LABEL_LIKE = re.compile(r"^[^\W\d_][\w.:-]*$")


def is_tag(value: str) -> bool:
    """True for ``O`` and prefixed tags (``B-PER``)."""
    return value in OUTSIDE or PREFIXED.match(value) is not None


@dataclass(frozen=True)
class Layout:
    """Where the token and the tag are on a token line (0-based; ``tag`` -1 is the last column).

    ``columns`` is the number of columns of every token line, None when it varies. ``labels``
    are the values of the tag column, used to tell a token line for the token ``#`` from a
    comment. ``note`` is a warning about the choice, when there was one to make.
    """

    columns: int | None
    token: int
    tag: int
    labels: frozenset[str]
    note: str | None = None

    def is_token_line(self, columns: list[str]) -> bool:
        """Whether a line starting with ``#`` is a token line (``#<TAB>O``), not a comment."""
        if self.columns is not None and len(columns) != self.columns:
            return False
        if len(columns) < 2 or len(columns) <= self.tag:
            return False
        tag = columns[self.tag]
        return is_tag(tag) or tag in self.labels


def detect(rows: list[tuple[int, list[str]]], path, wanted: int | None = None) -> Layout:
    """The layout of a file from its token lines ``(line number, columns)``.

    Parameters
    ----------
    rows
        Every line that is not blank, a comment, ``-DOCSTART-`` or ``annotator_text``.
    path
        The file, for messages.
    wanted
        The tag column the user named (1 = first), or None.

    Raises
    ------
    InputError
        ``wanted`` is not a column after the token, or no column can be read as tags.
    """
    counts = Counter(len(columns) for _, columns in rows)
    if not rows or len(counts) > 1 or next(iter(counts)) < 3:
        return _simple(rows, path, wanted)
    n = next(iter(counts))
    token = 1 if all(INDEX.match(columns[0]) for _, columns in rows) else 0
    if wanted is not None:
        if not token < wanted - 1 < n:
            raise Where(path).error(
                f"--tag-column {wanted} is not a column after the tokens (column {token + 1} of {n})"
            )
        return _layout(rows, n, token, wanted - 1)
    candidates = [c for c in range(token + 1, n) if all(is_tag(columns[c]) for _, columns in rows)]
    if len(candidates) == 1:
        return _layout(rows, n, token, candidates[0])
    if candidates:
        return _choose(rows, n, token, candidates)
    last = n - 1
    if last > token and all(v in OUTSIDE or LABEL_LIKE.match(v) for v in (c[last] for _, c in rows)):
        return _layout(rows, n, token, last)
    raise Where(path, line=rows[0][0]).error(
        f"cannot tell which of its {n} columns holds the entity tags (none holds only O, B-/I- tags"
        " or plain labels); name it with --tag-column N"
    )


def _simple(rows: list[tuple[int, list[str]]], path, wanted: int | None) -> Layout:
    """Token first, tag last (or the wanted column) on every line."""
    tag = -1
    if wanted is not None:
        if wanted < 2:
            raise Where(path).error(f"--tag-column {wanted} is not a column after the tokens (column 1)")
        tag = wanted - 1
        for number, columns in rows:
            if len(columns) <= tag:
                raise Where(path, line=number).error(
                    f"--tag-column {wanted}: this line has only {len(columns)} columns"
                )
    labels = frozenset(columns[tag] for _, columns in rows if len(columns) >= 2)
    counts = {len(columns) for _, columns in rows}
    return Layout(next(iter(counts)) if len(counts) == 1 else None, 0, tag, labels)


def _layout(
    rows: list[tuple[int, list[str]]], n: int, token: int, tag: int, note: str | None = None
) -> Layout:
    return Layout(n, token, tag, frozenset(columns[tag] for _, columns in rows), note)


def _choose(rows: list[tuple[int, list[str]]], n: int, token: int, candidates: list[int]) -> Layout:
    first, *later = candidates
    named = ", ".join(str(c + 1) for c in candidates)
    # GermEval: the tag columns come right after the token, one per level of nesting.
    # CoNLL-2003: a part-of-speech column comes first, and the chunks before the entities.
    if candidates == list(range(token + 1, token + 1 + len(candidates))):
        note = (
            f"columns {named} all hold tags; read column {first + 1} (the outer entities);"
            f" --tag-column {later[0] + 1} reads the nested ones"
        )
        return _layout(rows, n, token, first, note)
    note = (
        f"columns {named} all hold tags; read column {candidates[-1] + 1} (the last, as in"
        f" CoNLL-2003); --tag-column N reads another"
    )
    return _layout(rows, n, token, candidates[-1], note)


def looks_like(head: str) -> bool:
    """Whether the start of a file reads as one token per line with tags (sniffing a ``.tsv``).

    Most lines have the same number (two or more) of whitespace-free columns and one column
    after the first holds only ``O`` and prefixed tags, or the last holds IO labels among
    which ``O`` is common. A table with a ``text`` column is not.
    """
    lines = head.splitlines()[:400]
    first = next((line for line in lines if line.strip() and not line.startswith("#")), "")
    if "text" in (cell.strip().lower() for cell in first.split("\t")):
        return False
    rows = [
        line.split()
        for line in lines
        if line.strip() and not line.startswith("#") and line.split(maxsplit=1)[0] != "-DOCSTART-"
    ]
    if not rows:
        return False
    n, most = Counter(map(len, rows)).most_common(1)[0]
    if n < 2 or most < 0.9 * len(rows):
        return False
    rows = [row for row in rows if len(row) == n]
    if any(all(is_tag(row[c]) for row in rows) for c in range(1, n)):
        return True
    last = [row[-1] for row in rows]
    outside = sum(value in OUTSIDE for value in last)
    return outside >= 0.3 * len(last) and all(v in OUTSIDE or LABEL_LIKE.match(v) for v in last)
