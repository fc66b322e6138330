"""Named bad-input cases: each gives the project's own error naming the file and line, or imports exactly."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from annotator import importers, ops
from annotator.errors import InputError
from annotator.store import Store

EMOJI_TEXT = "Zoë 👩‍🔬 met 𝒜lice in 🇫🇷 Paris\u00a0Nord and Ḃob.\r\nThen 😀 Berlin."


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "bad.db")
    yield s
    s.close()


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _counts(store: Store) -> tuple:
    return store.conn.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM annotations), (SELECT count(*) FROM labels)"
    ).fetchone()


def _fails(
    store: Store, path: Path, fmt: str | None = None, line: int | None = None, record: int | None = None
):
    """Import must fail with InputError naming the file (and line/record), writing nothing."""
    before = _counts(store)
    with pytest.raises(InputError) as info:
        importers.read(path, fmt)
    err = info.value
    assert str(path) in str(err) or path.with_suffix(".ann").name in str(err), str(err)
    if line is not None:
        assert err.line == line, str(err)
    if record is not None:
        assert err.record == record, str(err)
    (res,) = ops.import_paths(store, [path], format=fmt, annotator="me")
    assert res.error is not None and _counts(store) == before
    return err


@pytest.mark.parametrize("name", ["a.txt", "a.jsonl", "a.json", "a.conll", "a.csv", "a.spacy"])
def test_empty_file(tmp_path, store, name):
    _fails(store, _write(tmp_path / name, b""))


@pytest.mark.parametrize("name", ["a.txt", "a.jsonl", "a.json", "a.conll", "a.csv", "a.spacy"])
def test_binary_file(tmp_path, store, name):
    _fails(store, _write(tmp_path / name, bytes(range(256)) * 8))


@pytest.mark.parametrize(
    "name, content",
    [
        ("a.txt", b"fine line\nbad \xff byte\n"),
        ("a.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9"}\n'),
        ("a.conll", b"Paris B-LOC\nis O\n\xc3( O\n"),
        ("a.csv", b"text\nfine\nna\xefve\n"),
    ],
)
def test_invalid_utf8_names_the_line(tmp_path, store, name, content):
    err = _fails(store, _write(tmp_path / name, content))
    assert err.line == (3 if name.endswith(".conll") or name.endswith(".csv") else 2)


def test_utf8_bom_is_dropped_and_offsets_stay_right(tmp_path, store):
    rec = {"text": "Paris is big.", "spans": [{"start": 0, "end": 5, "label": "GPE"}], "answer": "accept"}
    path = _write(tmp_path / "bom.jsonl", b"\xef\xbb\xbf" + json.dumps(rec).encode() + b"\n")
    (doc,) = importers.read(path).docs
    assert doc.text == "Paris is big." and doc.text[doc.spans[0].start : doc.spans[0].end] == "Paris"
    text = _write(tmp_path / "bom.txt", b"\xef\xbb\xbfHello world")
    assert importers.read(text).docs[0].text == "Hello world"


def test_crlf_lines_and_text(tmp_path, store):
    recs = [
        {"text": f"Line {i} in Rome.", "spans": [{"start": 10, "end": 14, "label": "GPE"}]} for i in range(3)
    ]
    path = _write(tmp_path / "crlf.jsonl", "".join(json.dumps(r) + "\r\n" for r in recs))
    docs = importers.read(path, "prodigy").docs
    assert [d.text[d.spans[0].start : d.spans[0].end] for d in docs] == ["Rome"] * 3
    # A CRLF text keeps its \r: brat offsets count the characters as written.
    txt = _write(tmp_path / "doc.txt", "One\r\nTwo Oslo\r\n")
    _write(tmp_path / "doc.ann", "T1\tGPE 9 13\tOslo\n")
    (doc,) = importers.read(txt).docs
    assert doc.text == "One\r\nTwo Oslo\r\n" and doc.text[doc.spans[0].start : doc.spans[0].end] == "Oslo"
    conll = _write(tmp_path / "c.conll", "Oslo B-GPE\r\nis O\r\n\r\n")
    (doc,) = importers.read(conll).docs
    assert doc.text[doc.spans[0].start : doc.spans[0].end] == "Oslo"


def _spans_in(text: str) -> list[dict]:
    out = []
    for word, label in (
        ("𝒜lice", "PERSON"),
        ("🇫🇷 Paris\u00a0Nord", "GPE"),
        ("Ḃob", "PERSON"),
        ("😀 Berlin", "GPE"),
    ):
        i = text.index(word)
        out.append({"start": i, "end": i + len(word), "label": label})
    return out


def test_non_bmp_nbsp_and_crlf_offsets_stay_code_points_end_to_end(tmp_path, store):
    spans = _spans_in(EMOJI_TEXT)
    rec = {"text": EMOJI_TEXT, "spans": spans, "answer": "accept", "_annotator_id": "ann"}
    path = _write(tmp_path / "emoji.jsonl", json.dumps(rec, ensure_ascii=False) + "\n")
    (res,) = ops.import_paths(store, [path])
    assert res.ok, res.error
    (aid,) = store.article_ids()
    assert store.article(aid).text == EMOJI_TEXT
    stored = [(a.start, a.end, a.label) for a in store.annotations(aid, "ann")]
    assert stored == [(s["start"], s["end"], s["label"]) for s in spans]
    buf = io.StringIO()
    ops.export(store, "prodigy", buf)
    exported = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert exported[0]["text"] == EMOJI_TEXT
    assert [(s["start"], s["end"], s["label"]) for s in exported[0]["spans"]] == stored
    again = _write(tmp_path / "again.jsonl", buf.getvalue())
    (doc,) = importers.read(again).docs
    assert [(s.start, s.end, s.label) for s in doc.spans] == stored
    assert [doc.text[s.start : s.end] for s in doc.spans] == [
        EMOJI_TEXT[s["start"] : s["end"]] for s in spans
    ]


def test_a_10_mb_article(tmp_path, store):
    text = ("Brussels and Berlin argued over steel tariffs again. " * 200 + "\n") * 1000
    assert len(text.encode()) > 10_000_000
    path = _write(tmp_path / "huge.txt", text)
    t0 = time.perf_counter()
    (res,) = ops.import_paths(store, [path])
    took = time.perf_counter() - t0
    assert res.ok, res.error
    assert store.article(store.article_ids()[0]).text == text
    assert took < 30, f"a 10 MB article took {took:.1f} s"


def test_a_200000_line_jsonl(tmp_path, store):
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(200_000):
            fh.write(json.dumps({"text": f"Item {i}: Lagarde spoke in Frankfurt."}) + "\n")
    t0 = time.perf_counter()
    (res,) = ops.import_paths(store, [path])
    took = time.perf_counter() - t0
    assert res.ok, res.error
    assert store.article_count() == 200_000
    print(f"200,000-line JSONL imported in {took:.1f} s")
    assert took < 60, f"200,000 lines took {took:.1f} s"


@pytest.mark.parametrize(
    "name, content, line, record",
    [
        ("w.jsonl", '{"text": "ok"}\n[1, 2]\n', 2, None),
        ("w.jsonl", '{"text": "ok"}\n"just a string"\n', 2, None),
        # No text but spans: refused (a record with neither is skipped, see tests/importers).
        (
            "w.jsonl",
            '{"text": "ok"}\n{"title": "no text", "spans": [{"start": 0, "end": 1, "label": "X"}]}\n',
            2,
            None,
        ),
        ("w.jsonl", '{"text": 42}\n', 1, None),
        ("w.jsonl", '{"text": "ok", "spans": "not a list"}\n', 1, None),
        ("w.jsonl", '{"text": "ok", "spans": [{"start": "0", "end": 1, "label": "X"}]}\n', 1, None),
        ("w.json", '[{"text": "ok"}, 7]', None, 2),
        ("w.json", '{"data": {"text": "ok"}, "annotations": {"result": 1}}', None, 1),
        (
            "w.json",
            '[{"data": {"text": "ok"}, "annotations": [{"result": [{"type": "labels", "value": 3}]}]}]',
            None,
            1,
        ),
        ("w.jsonl", '{"text": "ok", "label": [[0, 1]]}\n', 1, None),
        ("w.jsonl", '{"text": "ok", "entities": [{"start_offset": 0}]}\n', 1, None),
    ],
)
def test_json_of_the_wrong_shape(tmp_path, store, name, content, line, record):
    _fails(store, _write(tmp_path / name, content), line=line, record=record)


@pytest.mark.parametrize(
    "spans",
    [
        [{"start": 0, "end": 99, "label": "X"}],
        [{"start": -1, "end": 2, "label": "X"}],
        [{"start": 4, "end": 2, "label": "X"}],
        [{"start": 2, "end": 2, "label": "X"}],
        [{"start": 0, "end": 4, "label": "X"}, {"start": 2, "end": 6, "label": "Y"}],
    ],
)
def test_bad_spans_are_refused_with_their_line(tmp_path, store, spans):
    recs = [{"text": "fine text here"}, {"text": "Rome and Oslo", "spans": spans, "answer": "accept"}]
    _fails(store, _write(tmp_path / "s.jsonl", "".join(json.dumps(r) + "\n" for r in recs)), line=2)
    ann = "".join(f"T{i}\tX {s['start']} {s['end']}\tx\n" for i, s in enumerate(spans))
    _write(tmp_path / "b.txt", "Rome and Oslo")
    if spans[0]["start"] >= 0 and len(spans) == 1:
        _fails(store, _write(tmp_path / "b.ann", ann))


def test_overlapping_issue_spans_are_fine(tmp_path, store):
    rec = {
        "text": "Rome and Oslo",
        "spans": [
            {"start": 0, "end": 8, "label": "TRADE", "layer": "issue"},
            {"start": 5, "end": 13, "label": "HEALTH", "layer": "issue"},
        ],
    }
    (res,) = ops.import_paths(store, [_write(tmp_path / "i.jsonl", json.dumps(rec) + "\n")], annotator="me")
    assert res.ok, res.error


def test_unknown_labels_are_created_and_reported(tmp_path, store):
    rec = {"text": "Rome and Oslo", "spans": [{"start": 0, "end": 4, "label": "NEVER_SEEN"}]}
    (res,) = ops.import_paths(store, [_write(tmp_path / "u.jsonl", json.dumps(rec) + "\n")], annotator="me")
    assert res.ok, res.error
    assert [(lab.name, lab.layer) for lab in res.report.labels_created] == [("NEVER_SEEN", "entity")]
    assert "NEVER_SEEN" in [lab.name for lab in store.labels("entity")]


def test_ann_whose_text_does_not_match_its_txt(tmp_path, store):
    txt = _write(tmp_path / "m.txt", "Rome and Oslo are cities.")
    _write(tmp_path / "m.ann", "T1\tGPE 0 4\tRome\nT2\tGPE 9 13\tBern\n")
    err = _fails(store, txt)
    assert err.line == 2 and "m.ann" in str(err)
