"""CoNLL / IOB: one token per line with its tag (which column: :mod:`.conll_layout`).

Tags may be IOB2 (``B-``/``I-``), IOB1 (``I-`` may start an entity), BIOES/BILOU (``E-``,
``S-``, ``L-``, ``U-``) or IO (no prefix at all: consecutive tokens with the same tag are one
entity). ``O`` is outside. A tag that looks prefixed but is not (``X-LOC``, ``B-``) is
refused with its line. Columns are separated by tabs or spaces; a ``#`` line is a comment
unless it is a token line for the token ``#`` (as many columns as the token lines and a tag
where they have theirs: ``#<TAB>O``, ``# B-X``). GermEval's ``#<TAB>source<TAB>[date]`` lines
are comments.

Articles: with ``-DOCSTART-`` lines (or ``# annotator_text`` comments) in the file, each
section between them is one article; otherwise each blank-line-separated block is one.

Text: by default rebuilt, tokens joined with one space and sentences with a newline (the
ReadResult warns that it was rebuilt). When a ``# annotator_text = "<JSON string>"`` comment
precedes the tokens (our exporter writes one), that string is the exact article text and each
token is looked up in it in order, skipping only whitespace, so offsets round-trip exactly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from annotator.importers import conll_layout, jsontext
from annotator.importers.base import Where, options, path_text, read_text, split_lines, validate
from annotator.importers.conll_layout import OUTSIDE, PREFIXED, Layout, is_tag
from annotator.model import ENTITY, ImportedDoc, ImportedSpan

__all__ = ["DOCSTART", "is_tag", "looks_like", "read"]

DOCSTART = "-DOCSTART-"
TEXT_COMMENT = re.compile(r"^#\s*annotator_text\s*=\s*(.*)$")
# Looks prefixed ("X-LOC", "B-", "b-per") but is not a tag PREFIXED reads: refused, not an IO type.
LOOKS_PREFIXED = re.compile(r"^[A-Za-z]-")
looks_like = conll_layout.looks_like


@dataclass
class _Token:
    text: str
    tag: str
    line: int


@dataclass
class _Section:
    line: int
    exact_text: str | None = None
    sentences: list[list[_Token]] = field(default_factory=list)


def read(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read a CoNLL / IOB file into articles.

    Parameters
    ----------
    path
        A ``.conll``, ``.iob``, ``.bio`` or tagged ``.tsv`` file.

    Returns
    -------
    tuple[list[ImportedDoc], list[str]]
        Articles in file order and warnings (whether text was rebuilt, which tag scheme).

    Raises
    ------
    InputError
        A token line with a single column, an unreadable ``annotator_text``, a token not found
        in it, or no tokens at all; with the line number.
    """
    lines = split_lines(read_text(path))
    layout = conll_layout.detect(_token_rows(lines), path, options().tag_column)
    sections = _sections(path, lines, layout)
    docs = []
    rebuilt = 0
    schemes: set[str] = set()
    for section in sections:
        if not section.sentences and section.exact_text is None:
            continue
        if section.exact_text is None:
            text, offsets = _rebuild(section)
            rebuilt += 1
        else:
            text, offsets = section.exact_text, _locate(path, section)
        spans = []
        for sentence, sentence_offsets in zip(section.sentences, offsets, strict=True):
            for first, last, label in _entities(sentence, schemes):
                spans.append(
                    ImportedSpan(sentence_offsets[first][0], sentence_offsets[last][1], label, ENTITY)
                )
        where = Where(path, line=section.line)
        doc = ImportedDoc(
            text=text, location=str(where), source=path_text(path), spans=spans, annotators=[None]
        )
        docs.append(validate(doc, where))
    if not docs:
        raise Where(path).error("contains no tokens")
    warnings = [f"{path}: {layout.note}"] if layout.note else []
    if rebuilt:
        warnings.append(
            f"{path}: text of {rebuilt} article{'s' if rebuilt > 1 else ''} rebuilt from tokens "
            "(one space between tokens, one line per sentence); original spacing is lost"
        )
    if "IOB1" in schemes:
        warnings.append(f"{path}: some entities start with I- (IOB1 style); read as entity starts")
    return docs, warnings


def _token_rows(lines: list[str]) -> list[tuple[int, list[str]]]:
    """``(line number, columns)`` of the lines that can only be token lines."""
    return [
        (number, line.split())
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.startswith("#") and not _is_docstart(line)
    ]


def _sections(path: Path, lines: list[str], layout: Layout) -> list[_Section]:
    # Articles are sections between -DOCSTART- / annotator_text markers if the file has any,
    # otherwise blank-line blocks: a file of sentences without markers is a list of snippets.
    by_marker = any(_is_docstart(line) or TEXT_COMMENT.match(line) for line in lines)
    sections: list[_Section] = []
    current: _Section | None = None
    sentence: list[_Token] = []

    def end_sentence() -> None:
        nonlocal sentence
        if sentence and current is not None:
            current.sentences.append(sentence)
        sentence = []

    for number, line in enumerate(lines, start=1):
        where = Where(path, line=number)
        if not line.strip():
            end_sentence()
            if not by_marker:
                current = None
            continue
        if _is_docstart(line):
            end_sentence()
            current = _Section(number)
            sections.append(current)
            continue
        marker = TEXT_COMMENT.match(line)
        if marker:
            end_sentence()
            if current is None or current.sentences or current.exact_text is not None:
                current = _Section(number)
                sections.append(current)
            current.exact_text = _exact_text(marker.group(1), where)
            continue
        columns = line.split()
        if line.startswith("#") and not layout.is_token_line(columns):
            continue  # a comment
        if len(columns) < 2:
            raise where.error(f"expected a token and a tag separated by a tab or space, got {line.strip()!r}")
        if len(columns) <= layout.tag:
            raise where.error(f"expected {layout.columns} columns, got {len(columns)}")
        tag = columns[layout.tag]
        if LOOKS_PREFIXED.match(tag) and not PREFIXED.match(tag):
            raise where.error(
                f"bad tag {tag!r}: use O, B-TYPE, I-TYPE (or E-, S-, L-, U-) or a bare TYPE (IO tags)"
            )
        if current is None:
            current = _Section(number)
            sections.append(current)
        sentence.append(_Token(columns[layout.token], tag, number))
    end_sentence()
    return sections


def _is_docstart(line: str) -> bool:
    return line.split(maxsplit=1)[:1] == [DOCSTART]


def _exact_text(raw: str, where: Where) -> str:
    try:
        value = jsontext.loads(where.path, raw, where.line or 1)
    except json.JSONDecodeError as exc:
        raise where.error(f"annotator_text is not a JSON string: {exc.msg}") from None
    if not isinstance(value, str):
        raise where.error(f"annotator_text must be a JSON string, got {type(value).__name__}")
    jsontext.check_surrogates(where.path, raw, where.line or 1)
    return value


def _rebuild(section: _Section) -> tuple[str, list[list[tuple[int, int]]]]:
    parts: list[str] = []
    offsets: list[list[tuple[int, int]]] = []
    position = 0
    for i, sentence in enumerate(section.sentences):
        if i:
            parts.append("\n")
            position += 1
        sentence_offsets = []
        for j, token in enumerate(sentence):
            if j:
                parts.append(" ")
                position += 1
            parts.append(token.text)
            sentence_offsets.append((position, position + len(token.text)))
            position += len(token.text)
        offsets.append(sentence_offsets)
    return "".join(parts), offsets


def _locate(path: Path, section: _Section) -> list[list[tuple[int, int]]]:
    text = section.exact_text or ""
    position = 0
    offsets = []
    for sentence in section.sentences:
        sentence_offsets = []
        for token in sentence:
            while position < len(text) and text[position].isspace():
                position += 1
            if not _matches(text, position, token.text):
                found = text[position : position + len(token.text) + 10]
                raise Where(path, line=token.line).error(
                    f"token {token.text!r} not found in annotator_text at offset {position}"
                    f" (the text there is {found!r})"
                )
            sentence_offsets.append((position, position + len(token.text)))
            position += len(token.text)
        offsets.append(sentence_offsets)
    rest = text[position:]
    if rest.strip():
        raise Where(path, line=section.line).error(
            f"annotator_text goes on after the last token with {rest.strip()[:30]!r}; tokens are missing"
        )
    return offsets


def _matches(text: str, position: int, token: str) -> bool:
    if text.startswith(token, position):
        return True
    # Writers that keep one token per column replace whitespace inside a token with "_".
    piece = text[position : position + len(token)]
    return len(piece) == len(token) and all(
        t == c or (t == "_" and c.isspace()) for t, c in zip(token, piece, strict=True)
    )


def _entities(sentence: list[_Token], schemes: set[str]) -> list[tuple[int, int, str]]:
    """Entities of one sentence as (first token, last token, label)."""
    found: list[tuple[int, int, str]] = []
    open_start: int | None = None
    open_label = ""

    def close(last: int) -> None:
        nonlocal open_start
        if open_start is not None:
            found.append((open_start, last, open_label))
        open_start = None

    for i, token in enumerate(sentence):
        tag = token.tag
        if tag in OUTSIDE:
            close(i - 1)
            continue
        match = PREFIXED.match(tag)
        prefix, label = match.groups() if match else ("", tag)
        continues = open_start is not None and open_label == label
        if prefix in ("B", "S", "U") or not continues:
            if prefix == "I" and not continues:
                schemes.add("IOB1")
            close(i - 1)
            open_start, open_label = i, label
        if prefix in ("E", "S", "L", "U"):
            close(i)
    close(len(sentence) - 1)
    return found
