"""JSON that Python's parser takes but nothing after it can: lone surrogates and deep nesting.

Each is refused as the file's own problem, with its line (and column), before anything is
written; a proper surrogate pair is an emoji and imports.
"""

from __future__ import annotations

import json

import pytest

from annotator import importers, ops
from annotator.cli import main
from annotator.errors import InputError
from annotator.importers.jsontext import lone_surrogate_escape
from annotator.store import Store

DEEP = 100_000


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "edge.db")
    yield s
    s.close()


def _refused(store, path, line):
    with pytest.raises(InputError) as info:
        importers.read(path)
    assert info.value.line == line, str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: ")
    (res,) = ops.import_paths(store, [path], annotator="me")
    assert isinstance(res.error, InputError) and res.error.line == line
    assert store.article_count() == 0
    return str(info.value)


@pytest.mark.parametrize(
    ("name", "content", "line", "column"),
    [
        ("text.jsonl", '{"text": "ok"}\n{"text": "bad \\ud800 here"}\n', 2, 15),
        ("low.jsonl", '{"text": "ok"}\n{"text": "bad \\uDC00"}\n', 2, 15),
        ("title.jsonl", '{"text": "ok", "meta": {"title": "x\\ud83d"}}\n', 1, 36),
        (
            "label.jsonl",
            '{"text": "Paris", "spans": [{"start": 0, "end": 5, "label": "\\udbff"}]}\n',
            1,
            62,
        ),
        ("array.json", '[\n  {"text": "ok"},\n  {"text": "half \\ud800\\u0041"}\n]\n', 3, 18),
        ("ls.json", '[{"data": {"text": "a \\udfff b"}, "annotations": []}]\n', 1, 23),
    ],
)
def test_a_lone_surrogate_escape_is_refused_at_its_line_and_column(
    write_file, store, name, content, line, column
):
    message = _refused(store, write_file(name, content), line)
    assert f"(column {column})" in message and "surrogate pair without its other half" in message


def test_a_surrogate_pair_is_one_emoji_and_escaped_backslashes_are_letters(write_file, store):
    path = write_file("ok.jsonl", '{"text": "smile \\ud83d\\ude00"}\n{"text": "literal \\\\ud800"}\n')
    emoji, literal = importers.read(path).docs
    assert emoji.text == "smile 😀" and literal.text == "literal \\ud800"
    (res,) = ops.import_paths(store, [path], annotator="me")
    assert res.ok and store.article_count() == 2


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("no escapes at all", None),
        ('"\\u00e9"', None),
        ('"\\ud83d\\ude00"', None),
        ('"\\ud83d"', (1, "d83d")),
        ('"\\ude00"', (1, "de00")),
        ('"\\ud83d\\ud83d\\ude00"', (1, "d83d")),
        ('"\\\\ud83d"', None),
        ('"\\\\\\ud83d"', (3, "d83d")),
    ],
)
def test_lone_surrogate_escape(text, found):
    assert lone_surrogate_escape(text) == found


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl", "deep"])
def test_json_nested_100000_levels_is_refused_with_its_line(write_file, store, name):
    nested = "[" * DEEP + "]" * DEEP
    if name == "deep.json":
        content = '[{"text": "ok"},\n' + nested + "]"
        column = DEEP  # the outer array is one level more
    else:
        content = '{"text": "ok"}\n{"text": "b", "meta": ' + nested + "}\n"
        column = len('{"text": "b", "meta": ') + DEEP
    message = _refused(store, write_file(name, content), 2)
    assert f"nested {DEEP + 1:,} levels deep (deepest at column {column})" in message


def test_a_conll_exact_text_with_a_lone_surrogate_is_refused(write_file, store):
    path = write_file("a.conll", '# annotator_text = "Paris \\ud800"\nParis\tB-GPE\n\\ud800\tO\n')
    _refused(store, path, 1)


def test_a_file_name_that_is_not_utf8_imports_with_a_readable_source(tmp_path, store):
    folder = tmp_path / "archive"
    folder.mkdir()
    with open(bytes(folder) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(b"Trade talks resumed.\n")
    (res,) = ops.import_paths(store, [folder], annotator="me")
    assert res.ok, res.error
    (row,) = store.conn.execute("SELECT source FROM articles").fetchall()
    assert row[0] == f"{folder}/caf\ufffd.txt"


def test_text_the_store_cannot_hold_is_the_files_error_not_an_unexpected_one(write_file, store, monkeypatch):
    # A reader that let a lone surrogate through (none does: this is the net under them).
    path = write_file("ok.jsonl", json.dumps({"text": "fine"}) + "\n")
    real = importers.read

    def leaky(*args, **kwargs):
        result = real(*args, **kwargs)
        result.docs[0].text = "fine \ud800"
        return result

    monkeypatch.setattr(importers, "read", leaky)
    (res,) = ops.import_paths(store, [path], annotator="me")
    assert isinstance(res.error, InputError)
    assert str(res.error).startswith(f"{path}: holds text that is not valid Unicode (U+D800)")
    assert store.article_count() == 0


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"text": "ok"}\n{"text": "bad \\ud800"}\n', "surrogate pair without its other half"),
        ('{"text": "ok"}\n{"text": "b", "meta": ' + "[" * DEEP + "]" * DEEP + "}\n", "nested"),
    ],
)
def test_the_command_says_which_file_and_line(write_file, tmp_path, capsys, content, says):
    path = write_file("news.jsonl", content)
    code = main(["import", str(path), "--db", str(tmp_path / "cli.db")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"annotator: error: {path}:2: ") and says in err and "unexpected" not in err
