"""The public API: the registry, format detection, folder expansion and read()."""

from __future__ import annotations

import json

import pytest

from annotator import model as m
from annotator.errors import InputError
from annotator.importers import FORMATS, ReadResult, detect_format, expand_paths, read

ALL = ["text", "jsonl", "json", "prodigy", "doccano", "labelstudio", "brat", "conll", "spacy", "csv"]


def test_registry_has_every_format_with_a_reader():
    assert sorted(FORMATS) == sorted(ALL)
    for name, fmt in FORMATS.items():
        assert fmt.name == name
        assert callable(fmt.read)
        assert fmt.description


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.txt", "Some article.\n", "text"),
        ("a.jsonl", '{"text": "x"}\n{"text": "y"}\n', "jsonl"),
        ("a.jsonl", '{"data": {"text": "x"}, "annotations": []}\n', "labelstudio"),
        ("a.json", '[{"text": "x"}]', "json"),
        ("a.json", '{"text": "x"}', "json"),
        ("a.json", '{"text": "x"}\n{"text": "y"}\n', "jsonl"),
        ("a.json", '[\n  {"data": {"text": "x"}, "predictions": []}\n]', "labelstudio"),
        ("a.json", '{"data": {"text": "x"}}', "labelstudio"),
        ("a.conll", "EU B-ORG\n", "conll"),
        ("a.iob", "EU\tB-ORG\n", "conll"),
        ("a.bio", "EU\tB-ORG\n", "conll"),
        ("a.tsv", "EU\tB-ORG\nrejects\tO\n", "conll"),
        ("a.tsv", "id\ttext\n1\tHello there\n", "csv"),
        ("a.csv", "text\nhello\n", "csv"),
        ("a.spacy", b"\x00", "spacy"),
    ],
)
def test_detect_format_from_extension_and_content(write_file, name, content, expected):
    assert detect_format(write_file(name, content)) == expected


def test_detect_format_brat_pair_from_either_file(write_file):
    txt = write_file("doc.txt", "Google rocks.\n")
    ann = write_file("doc.ann", "T1\tORG 0 6\tGoogle\n")
    assert detect_format(txt) == "brat"
    assert detect_format(ann) == "brat"


def test_detect_format_unknown_names_the_file_and_the_formats(write_file):
    path = write_file("notes.docx", "whatever")
    with pytest.raises(InputError) as info:
        detect_format(path)
    message = str(info.value)
    assert str(path) in message
    for name in ALL:
        assert name in message


def test_detect_format_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        detect_format(tmp_path / "nope.txt")


def test_expand_paths_walks_folders_sorted_skips_hidden_and_pairs_brat(tmp_path, write_file):
    write_file("b/z.txt", "z")
    write_file("b/a.jsonl", '{"text": "a"}\n')
    write_file("b/doc.txt", "Google rocks.")
    write_file("b/doc.ann", "T1\tORG 0 6\tGoogle\n")
    write_file("b/.hidden.txt", "secret")
    write_file("b/.git/config.txt", "secret")
    write_file("b/sub/c.csv", "text\nc\n")
    write_file("b/annotation.conf", "[entities]")
    write_file("b/README.md", "# readme")
    single = write_file("one.txt", "one")
    found = expand_paths([tmp_path / "b", single, tmp_path / "b" / "doc.ann"])
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["b/a.jsonl", "b/doc.txt", "b/sub/c.csv", "b/z.txt", "one.txt"]


def test_expand_paths_explicit_pair_counts_once(write_file):
    txt = write_file("doc.txt", "Google rocks.")
    ann = write_file("doc.ann", "T1\tORG 0 6\tGoogle\n")
    assert expand_paths([ann, txt]) == [txt]


def test_expand_paths_missing_path(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        expand_paths([tmp_path / "missing"])


def test_read_returns_a_read_result(write_file):
    path = write_file("a.jsonl", json.dumps({"text": "Hello world"}) + "\n")
    result = read(path)
    assert isinstance(result, ReadResult)
    assert result.path == path
    assert result.format == "jsonl"
    assert [d.text for d in result.docs] == ["Hello world"]
    assert result.warnings == []


def test_read_with_explicit_format_overrides_detection(write_file):
    path = write_file("weird.data", "EU\tB-ORG\nrejects\tO\n")
    result = read(path, "conll")
    assert result.format == "conll"
    assert result.docs[0].text == "EU rejects"


def test_read_unknown_format_lists_the_formats(write_file):
    path = write_file("a.txt", "x")
    with pytest.raises(InputError, match="unknown format 'xml'.*brat"):
        read(path, "xml")


def test_read_a_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match="folder"):
        read(tmp_path, "text")


def test_every_real_sample_imports(interop):
    # Every importable file of the real samples reads without error, each to at least one doc.
    files = [p for p in expand_paths([interop]) if not p.name.startswith("LICENSE")]
    # The nine samples SOURCES.md lists first; later additions (GermEval, a Prodigy DocBin) too.
    assert len(files) >= 9
    assert {p.parent.name for p in files} == {"brat", "conll", "doccano", "labelstudio", "prodigy", "spacy"}
    for path in files:
        result = read(path)
        assert result.docs, path


def _task(text, spans, who):
    return {
        "text": text,
        "spans": [{"start": a, "end": b, "label": label} for a, b, label in spans],
        "_annotator_id": who,
        "answer": "accept",
    }


def test_the_same_article_twice_in_one_file_keeps_each_span_once(tmp_path, write_jsonl):
    from annotator import ops
    from annotator.store import Store

    text = "Anna Keller met Li Wei in Kenya."
    path = write_jsonl(
        "twice.jsonl",
        [
            _task(text, [(0, 11, "PERSON"), (26, 31, "GPE")], "alice"),
            _task(text, [(0, 11, "PERSON"), (16, 22, "PERSON")], "alice"),  # a second session
            _task(text, [(0, 11, "PERSON")], "bob"),  # Prodigy's db-out: one line per annotator
        ],
    )
    with Store(tmp_path / "t.db") as store:
        (result,) = ops.import_paths(store, [path])
        assert result.error is None
        aid = store.article_ids()[0]
        spans = sorted(
            (who, a.start, a.end, a.label) for who in ("alice", "bob") for a in store.annotations(aid, who)
        )
        assert spans == [
            ("alice", 0, 11, "PERSON"),
            ("alice", 16, 22, "PERSON"),
            ("alice", 26, 31, "GPE"),
            ("bob", 0, 11, "PERSON"),
        ]


def test_overlapping_entities_in_two_copies_of_an_article_are_refused_with_the_line(tmp_path, write_jsonl):
    from annotator import ops
    from annotator.store import Store

    text = "Anna Keller met Li Wei in Kenya."
    path = write_jsonl(
        "clash.jsonl",
        [_task(text, [(0, 11, "PERSON")], "alice"), _task(text, [(5, 11, "ORG")], "alice")],
    )
    with Store(tmp_path / "t.db") as store:
        (result,) = ops.import_paths(store, [path])
        assert result.error is not None and "clash.jsonl:2:" in str(result.error)
        assert "earlier in this file" in str(result.error)
        assert store.article_count() == 0  # nothing of the file was written


# -- into a store: layers a file does not name, overlaps, line-ending twins --------------------------

TEXT = "Washington imposed new tariffs on Chinese steel on Monday."
WASHINGTON = (0, 10, "GPE")
TARIFFS = (23, 30, "TARIFFS")  # "tariffs"
TRADE = (23, 47, "TRADE")  # "tariffs on Chinese steel"


def _import(tmp_path, name: str, record: dict, annotator: str | None = "bob"):
    path = tmp_path / name
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    from annotator import ops
    from annotator.store import Store

    store = Store(tmp_path / f"{name}.db")
    ops.ensure_default_labels(store)
    (result,) = ops.import_paths(store, [path], annotator=annotator)
    return store, result


def _rows(store) -> set[tuple]:
    return {(a.layer, a.start, a.end, a.label) for a in store.all_annotations()}


def test_overlapping_issue_spans_from_a_file_naming_no_layer_import(tmp_path):
    """doccano and Prodigy files name no layer: TARIFFS and TRADE are issues, which may overlap."""
    records = {
        "doccano.jsonl": {"text": TEXT, "label": [list(WASHINGTON), list(TARIFFS), list(TRADE)]},
        "prodigy.jsonl": {
            "text": TEXT,
            "spans": [
                dict(zip(("start", "end", "label"), s, strict=True)) for s in (WASHINGTON, TARIFFS, TRADE)
            ],
            "answer": "accept",
            "_annotator_id": "bob",
        },
    }
    for name, record in records.items():
        store, result = _import(tmp_path, name, record)
        assert result.ok, f"{name}: {result.error}"
        assert _rows(store) == {
            (m.ENTITY, *WASHINGTON),
            (m.ISSUE, *TARIFFS),
            (m.ISSUE, *TRADE),
        }
        store.close()


def test_overlapping_entities_in_a_file_are_still_refused_with_the_line_and_nothing_written(tmp_path):
    import sqlite3

    from annotator import ops
    from annotator.store import Store

    ok = {"text": "Oslo is cold.", "label": [[0, 4, "GPE"]]}
    bad = {"text": TEXT, "label": [[0, 10, "GPE"], [4, 15, "ORG"]]}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ok) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    store = Store(tmp_path / "bad.db")
    ops.ensure_default_labels(store)
    (result,) = ops.import_paths(store, [path], annotator="bob")
    assert not result.ok
    assert f"{path}:2:" in str(result.error) and "overlap" in str(result.error)
    store.close()
    with sqlite3.connect(tmp_path / "bad.db") as c:
        assert c.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        assert c.execute("SELECT count(*) FROM annotations").fetchone() == (0,)


def test_import_puts_a_line_ending_twin_onto_the_article_already_here(tmp_path):
    """carol's export has CRLF where alice's had LF: one article, both annotators' spans on it."""
    from annotator import ops
    from annotator.store import Store

    lf = "Oil prices rose.\nThe EU agreed an embargo on Tuesday.\n"
    crlf = lf.replace("\n", "\r\n")
    i, j = lf.index("EU"), crlf.index("Tuesday")
    files = {
        "alice.jsonl": {"text": lf, "label": [[i, i + 2, "ORG"]]},
        "carol.jsonl": {"text": crlf, "label": [[j, j + 7, "DATE"]]},
    }
    with Store(tmp_path / "review.db") as s:
        ops.ensure_default_labels(s)
        for name, record in files.items():
            path = tmp_path / name
            path.write_text(json.dumps(record) + "\n", encoding="utf-8")
            (result,) = ops.import_paths(s, [path], annotator=name.split(".")[0])
            assert result.ok, result.error
        assert s.article_count() == 1
        assert result.report.twins == [(m.article_id(crlf), m.article_id(lf))]
        aid = m.article_id(lf)
        got = {(a.annotator, lf[a.start : a.end], a.label) for a in s.all_annotations()}
        assert got == {("alice", "EU", "ORG"), ("carol", "Tuesday", "DATE")}
        assert s.state("carol", aid) == m.DONE
