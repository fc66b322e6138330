"""The format registry, write(), progress, record checks and token alignment."""

from __future__ import annotations

import dataclasses
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError, Cancelled, SpanError
from annotator.export import (
    BINARY_FORMATS,
    DEFAULT_FORMAT,
    FOLDER_FORMATS,
    FORMATS,
    PROGRESS_EVERY,
    ExportRecord,
    ExportSpan,
    write,
)
from annotator.export.base import tokenize
from annotator.model import Article, article_id


def stream(name: str, tmp_path):
    """What a writer of ``name`` writes to: a folder for brat, else a binary or text stream."""
    if name in FOLDER_FORMATS:
        folder = tmp_path / "out"
        folder.mkdir(exist_ok=True)
        return folder
    return io.BytesIO() if name in BINARY_FORMATS else io.StringIO()


def test_registry():
    assert set(FORMATS) == {"prodigy", "doccano", "spacy", "conll", "labelstudio", "brat"}
    assert DEFAULT_FORMAT == "prodigy"
    assert BINARY_FORMATS == {"spacy"}
    assert FOLDER_FORMATS == {"brat"}
    assert all(f.description for f in FORMATS.values())
    assert all(f.extension.startswith(".") for f in FORMATS.values() if not f.folder)


def test_unknown_format_names_the_valid_ones(plain_record):
    with pytest.raises(AnnotatorError) as caught:
        write("xml", [plain_record], io.StringIO())
    assert "xml" in str(caught.value)
    for name in FORMATS:
        assert name in str(caught.value)


@pytest.mark.parametrize("name", ["prodigy", "doccano", "conll"])
def test_text_formats_refuse_a_binary_stream(name, plain_record):
    with pytest.raises(AnnotatorError, match="text"):
        write(name, [plain_record], io.BytesIO())


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_progress_every_few_hundred_and_at_the_end(name, plain_record, tmp_path):
    total = 2 * PROGRESS_EVERY + 7
    calls: list[int] = []
    records = (_another_article(plain_record, i) for i in range(total))
    assert write(name, records, stream(name, tmp_path), progress=calls.append) == total
    assert calls == [PROGRESS_EVERY, 2 * PROGRESS_EVERY, total]


def _another_article(record: ExportRecord, number: int) -> ExportRecord:
    # Label Studio writes one task per article and brat one file pair: each record its own article.
    text = f"{record.article.text} ({number})"
    return dataclasses.replace(record, article=Article(article_id(text), text))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_progress_can_cancel(name, plain_record, tmp_path):
    def cancel(count: int) -> None:
        raise Cancelled("export cancelled")

    records = [_another_article(plain_record, i) for i in range(PROGRESS_EVERY + 1)]
    with pytest.raises(Cancelled):
        write(name, records, stream(name, tmp_path), progress=cancel)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_nothing_to_write(name, tmp_path):
    out = stream(name, tmp_path)
    assert write(name, [], out) == 0


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize(
    ("start", "end", "layer"),
    [(5, 5, "entity"), (6, 2, "entity"), (0, 999, "entity"), (-1, 3, "entity"), (0, 3, "topic")],
)
def test_bad_spans_are_refused(name, start, end, layer, tmp_path):
    text = "Apple hired Tim Cook."
    record = ExportRecord(Article(article_id(text), text), "alice", (ExportSpan(start, end, "ORG", layer),))
    with pytest.raises(SpanError, match=article_id(text)):
        write(name, [record], stream(name, tmp_path))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_bad_answer_is_refused(name, plain_record, tmp_path):
    record = ExportRecord(plain_record.article, "bob", (), answer="maybe")
    with pytest.raises(AnnotatorError, match="accept, reject, ignore"):
        write(name, [record], stream(name, tmp_path))


def test_default_warnings_are_logged(caplog):
    text = "Chancellor Merkel spoke."
    record = ExportRecord(
        Article(article_id(text), text),
        "alice",
        (ExportSpan(11, 17, "PERSON", "entity"), ExportSpan(14, 23, "ORG", "entity")),
    )
    write("conll", [record], io.StringIO())
    assert "overlaps" in caplog.text


ALIGN_TEXT = (
    "😀🇩🇪 Angela Merkel met Obama\u00a0in New\r\nYork on Tuesday.\r\nhealth-care 𝔘 U.S.\n\n"
    "  double  spaces \t tab\u00a0 nbsp\u2028(it's) end "
)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_token_bounds_match_spacy_char_span_expand(data):
    tokens = tokenize(ALIGN_TEXT)
    start = data.draw(st.integers(0, len(ALIGN_TEXT) - 1))
    end = data.draw(st.integers(start + 1, len(ALIGN_TEXT)))
    expected = tokens.doc.char_span(start, end, alignment_mode="expand")
    first, last = tokens.bounds(start, end)
    if expected is not None and len(expected):
        assert (first, last) == (expected.start, expected.end - 1)
    else:
        # spaCy gives up when the span is only the trailing space of a token: we give that token.
        assert first == last and tokens.starts[first] <= start < tokens.ends[first] + 1


def test_token_offsets_match_spacy():
    tokens = tokenize(ALIGN_TEXT)
    assert tokens.starts == [t.idx for t in tokens.doc]
    assert tokens.ends == [t.idx + len(t) for t in tokens.doc]
    assert tokens.ws == [int(bool(t.whitespace_)) for t in tokens.doc]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_lone_surrogate_in_text_is_written_as_valid_utf8(name, tmp_path):
    text = "broken \ud83d half Obama"
    start = text.index("Obama")
    record = ExportRecord(
        Article(article_id(text), text), "alice", (ExportSpan(start, start + 5, "PERSON", "entity"),)
    )
    path = tmp_path / f"out{FORMATS[name].extension}"
    if name in FOLDER_FORMATS:
        path.mkdir()
        assert write(name, [record], path) == 1
        path = path / f"{record.article.id[:16]}.txt"
    elif name in BINARY_FORMATS:
        with open(path, "wb") as out:
            assert write(name, [record], out) == 1
    else:
        with open(path, "w", encoding="utf-8") as out:
            assert write(name, [record], out) == 1
    assert path.stat().st_size > 0
