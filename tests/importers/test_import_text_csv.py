"""Plain text files and CSV tables."""

from __future__ import annotations

import csv

import pytest

from annotator.errors import InputError
from annotator.importers import read


def test_text_file_is_one_article_titled_by_its_first_line(write_file):
    path = write_file("news.txt", "\n\n   Storm hits   the coast  \nBody text here.\n")
    result = read(path)
    assert result.format == "text"
    [doc] = result.docs
    assert doc.text == "\n\n   Storm hits   the coast  \nBody text here.\n"
    assert doc.title == "Storm hits the coast"
    assert doc.source == str(path)
    assert doc.spans == [] and doc.annotators == []


def test_long_title_is_cut_at_a_word(write_file):
    doc = read(write_file("a.txt", "word " * 60)).docs[0]
    assert len(doc.title) <= 120
    assert doc.title.endswith("…")
    assert doc.title[:-1].split() == ["word"] * len(doc.title[:-1].split())


def test_real_wikinews_articles(shared_data):
    paths = sorted((shared_data / "articles").glob("wikinews_*.txt"))
    assert paths
    texts = []
    for path in paths:
        [doc] = read(path).docs
        assert doc.text == path.read_text(encoding="utf-8")
        assert doc.title and len(doc.title) <= 120 and "\n" not in doc.title
        texts.append(doc.text)
    assert any("\xa0" in text for text in texts)  # NBSPs are kept: offsets count them


def test_csv_text_title_id_and_meta(write_file):
    path = write_file(
        "a.csv",
        'id,title,text,url\n7,First,"Line one\nline two, with comma",http://x\n8,,Second text,\n',
    )
    result = read(path)
    assert result.format == "csv"
    first, second = result.docs
    assert first.text == "Line one\nline two, with comma"
    assert first.title == "First"
    assert first.meta == {"id": "7", "url": "http://x"}
    assert first.location == f"{path}:2"
    assert second.location == f"{path}:4"  # the quoted cell spans two lines
    assert second.title == ""


def test_csv_semicolon_and_case_insensitive_text_column(write_file):
    docs = read(write_file("a.csv", "Text;Source\nHello;paper\n")).docs
    assert docs[0].text == "Hello" and docs[0].meta == {"Source": "paper"}


def test_csv_without_text_column_names_the_columns(write_file):
    path = write_file("a.csv", "body,headline\nx,y\n")
    with pytest.raises(InputError) as info:
        read(path)
    assert f"{path}:1" in str(info.value)
    assert "'body', 'headline'" in str(info.value)


def test_csv_rows_with_an_empty_text_cell_are_skipped_and_counted(write_file):
    path = write_file("a.csv", "text,title\nok,A\n,B\n  ,C\n")
    result = read(path)
    assert [d.text for d in result.docs] == ["ok"]
    assert result.warnings == [
        f"rows with no text and no annotations were skipped (2 times, first at {path}:3)"
    ]
    with pytest.raises(InputError, match="no row with text"):
        read(write_file("b.csv", "text,title\n,B\n"))


def test_csv_ragged_row_names_the_line(write_file):
    path = write_file("a.csv", "text,title\nok,A\nbad,B,extra\n")
    with pytest.raises(InputError, match="3 cells") as info:
        read(path)
    assert f"{path}:3" in str(info.value)


def test_csv_header_only(write_file):
    with pytest.raises(InputError, match="no rows"):
        read(write_file("a.csv", "text,title\n"))


@pytest.fixture
def default_csv_limit():
    """The csv module's limit as a fresh process has it (131,072 characters), restored after."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


@pytest.mark.parametrize("name", ["long.csv", "long.tsv"])
def test_a_cell_longer_than_the_csv_modules_limit_imports_exactly(write_file, default_csv_limit, name):
    text = ("Trade talks resumed in Geneva, said the minister. " * 4000).strip()
    assert len(text) > 131_072
    sep = "\t" if name.endswith(".tsv") else ","
    path = write_file(name, f'title{sep}text\nLong{sep}"{text}"\nShort{sep}ok\n')
    long, short = read(path).docs
    assert long.text == text and long.title == "Long" and short.text == "ok"
    assert csv.field_size_limit() > len(text)
