"""Property-based fuzzing of every importer: generated and mutated files.

Each file either imports, or fails with the project's own error naming the file; never another
exception. Through ``ops.import_paths`` on a Store, a failed file writes nothing at all.

``ANNOTATOR_FUZZ_EXAMPLES`` sets the examples per format (default keeps the module near a minute).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import importers, ops
from annotator.errors import AnnotatorError
from annotator.store import Store

EXAMPLES = int(os.environ.get("ANNOTATOR_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# Characters that break naive code: line separators, NBSP, BOM, combining marks, non-BMP.
TRICKY = "\r\n\t \u00a0\u2028\u2029\ufeff\u0301é€𝄞😀🇪🇺\x00\x1f\"'\\,;<>&"
CHARS = st.one_of(
    st.sampled_from(TRICKY),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(blacklist_categories=("Cs",)),
)
TEXT = st.text(CHARS, min_size=1, max_size=80)
LABEL = st.one_of(
    st.sampled_from(["PERSON", "ORG", "GPE", "x'); DROP TABLE articles;--", "B-I", "", " ", "O"]),
    st.text(CHARS, max_size=12),
    st.integers(-3, 99),
)


@st.composite
def docs(draw, max_docs: int = 4):
    """(text, [(start, end, label)]) tuples; offsets are mostly valid, sometimes wild."""
    out = []
    for _ in range(draw(st.integers(1, max_docs))):
        text = draw(TEXT)
        spans = []
        for _ in range(draw(st.integers(0, 4))):
            if draw(st.booleans()):
                start = draw(st.integers(0, len(text) - 1))
                end = draw(st.integers(start + 1, len(text)))
            else:
                start = draw(st.integers(-3, len(text) + 3))
                end = draw(st.integers(-3, len(text) + 3))
            spans.append((start, end, draw(LABEL)))
        out.append((text, spans))
    return out


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` as written, or with bytes flipped, cut, inserted, deleted or duplicated."""
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete", "dup", "none"]))
        if not data or kind == "none":
            continue
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
        elif kind == "cut":
            data = data[:i]
        elif kind == "insert":
            data = data[:i] + draw(st.binary(min_size=1, max_size=8)) + data[i:]
        elif kind == "delete":
            data = data[:i] + data[i + draw(st.integers(1, 8)) :]
        else:
            j = draw(st.integers(i, min(len(data), i + 40)))
            data = data[:j] + data[i:j] + data[j:]
    return data


def _js(records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# -- serialisers: docs -> {file name: bytes} -------------------------------------------------


def as_text(ds):
    return {"a.txt": ds[0][0].encode()}


def as_prodigy(ds):
    recs = [
        {
            "text": t,
            "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in sp],
            "answer": "accept",
            "_annotator_id": "p1",
        }
        for t, sp in ds
    ]
    return {"a.jsonl": _js(recs).encode()}


def as_doccano(ds):
    recs = [{"id": i, "text": t, "label": [[s, e, lab] for s, e, lab in sp]} for i, (t, sp) in enumerate(ds)]
    return {"a.jsonl": _js(recs).encode()}


def as_doccano_entities(ds):
    recs = [
        {"text": t, "entities": [{"start_offset": s, "end_offset": e, "label": lab} for s, e, lab in sp]}
        for t, sp in ds
    ]
    return {"a.jsonl": _js(recs).encode()}


def as_labelstudio(ds):
    tasks = []
    for i, (t, sp) in enumerate(ds):
        result = [
            {
                "id": f"r{j}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": s, "end": e, "labels": [lab]},
            }
            for j, (s, e, lab) in enumerate(sp)
        ]
        tasks.append({"id": i, "data": {"text": t}, "annotations": [{"completed_by": 1, "result": result}]})
    return {"a.json": json.dumps(tasks, ensure_ascii=False).encode()}


def as_brat(ds):
    text, spans = ds[0]
    lines = [
        f"T{i + 1}\t{lab}\t{s} {e}\t{text[max(0, s) : max(0, e)]}" for i, (s, e, lab) in enumerate(spans)
    ]
    return {"a.txt": text.encode(), "a.ann": ("\n".join(lines) + "\n").encode()}


def as_conll(ds):
    out = []
    for text, spans in ds:
        for k, tok in enumerate(text.split() or ["x"]):
            tag = "O" if not spans else f"{'B' if k % 2 == 0 else 'I'}-{spans[0][2]}"
            out.append(f"{tok} {tag}")
        out.append("")
    return {"a.conll": "\n".join(out).encode()}


def as_csv(ds):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "title", "text"])
    for i, (t, _) in enumerate(ds):
        w.writerow([i, t[:10], t])
    return {"a.csv": buf.getvalue().encode()}


_NLP = []


def as_docbin(ds):
    import spacy
    from spacy.tokens import DocBin

    if not _NLP:
        _NLP.append(spacy.blank("en"))
    nlp = _NLP[0]
    db = DocBin(store_user_data=True)
    for text, spans in ds:
        doc = nlp(text)
        ents = []
        for s, e, lab in spans:
            if isinstance(lab, str) and lab.strip():
                span = (
                    doc.char_span(max(0, s), max(0, e), label=lab, alignment_mode="expand") if s < e else None
                )
                if span is not None and all(span.end <= x.start or span.start >= x.end for x in ents):
                    ents.append(span)
        doc.ents = ents
        db.add(doc)
    return {"a.spacy": db.to_bytes()}


FORMATS = {
    "text": (as_text, "text"),
    "prodigy": (as_prodigy, "prodigy"),
    "jsonl-prodigy": (as_prodigy, None),
    "doccano": (as_doccano, "doccano"),
    "doccano-entities": (as_doccano_entities, None),
    "labelstudio": (as_labelstudio, "labelstudio"),
    "brat": (as_brat, "brat"),
    "conll": (as_conll, "conll"),
    "csv": (as_csv, "csv"),
    "spacy": (as_docbin, "spacy"),
}


@pytest.fixture(scope="module")
def fuzz_store():
    folder = Path(tempfile.mkdtemp(prefix="annotator-fuzz-"))
    store = Store(folder / "fuzz.db")
    yield folder, store
    store.close()
    shutil.rmtree(folder, ignore_errors=True)


COUNTS = (
    "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM annotations),"
    " (SELECT count(*) FROM suggestions), (SELECT count(*) FROM decisions), (SELECT count(*) FROM labels),"
    " (SELECT count(*) FROM article_states), (SELECT count(*) FROM ledger)"
)


def check_one(folder: Path, store: Store, files: dict[str, bytes], fmt: str | None) -> None:
    case = Path(tempfile.mkdtemp(dir=folder))
    for name, data in files.items():
        (case / name).write_bytes(data)
    path = case / next(iter(files))
    names = [str(case / n) for n in files]
    try:
        importers.read(path, fmt)
    except AnnotatorError as e:
        assert any(n in str(e) for n in names), f"the error does not name the file: {e}"
    before = store.conn.execute(COUNTS).fetchone()
    results = ops.import_paths(store, [path], format=fmt, annotator="fuzz")
    after = store.conn.execute(COUNTS).fetchone()
    for res in results:
        if res.error is not None:
            assert isinstance(res.error, AnnotatorError)
            assert any(n in str(res.error) for n in names), f"the error does not name the file: {res.error}"
            assert after == before, f"a failed import wrote something: {before} -> {after}"
        else:
            assert after[0] == before[0] + res.report.articles_added
    assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    shutil.rmtree(case, ignore_errors=True)


@pytest.mark.parametrize("name", list(FORMATS))
def test_generated_and_mutated_files_import_or_fail_cleanly(name, fuzz_store):
    serialise, fmt = FORMATS[name]
    folder, store = fuzz_store

    @FUZZ
    @given(data=st.data(), ds=docs())
    def run(data, ds):
        files = serialise(ds)
        files = {n: data.draw(mutated(b), label=n) for n, b in files.items()}
        check_one(folder, store, files, fmt)

    run()


@FUZZ
@given(
    blob=st.binary(max_size=300),
    suffix=st.sampled_from([".txt", ".jsonl", ".json", ".conll", ".csv", ".spacy", ".tsv", ".ann"]),
)
def test_random_bytes_under_every_extension(blob, suffix):
    folder = Path(tempfile.mkdtemp(prefix="annotator-bytes-"))
    try:
        path = folder / f"x{suffix}"
        path.write_bytes(blob)
        try:
            importers.read(path)
        except AnnotatorError as e:
            assert str(folder) in str(e), f"the error does not name the file: {e}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(CHARS, max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "spans",
                    "start",
                    "end",
                    "label",
                    "labels",
                    "entities",
                    "data",
                    "annotations",
                    "result",
                    "value",
                    "answer",
                    "_annotator_id",
                    "meta",
                    "tokens",
                    "token_start",
                    "token_end",
                    "completions",
                    "predictions",
                    "start_offset",
                    "end_offset",
                    "id",
                    "user",
                    "title",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@FUZZ
@given(
    value=JSON_VALUES,
    lines=st.booleans(),
    fmt=st.sampled_from([None, "jsonl", "prodigy", "doccano", "labelstudio", "json"]),
)
def test_json_of_any_shape(value, lines, fmt):
    folder = Path(tempfile.mkdtemp(prefix="annotator-json-"))
    try:
        if lines:
            items = value if isinstance(value, list) else [value]
            path = folder / "x.jsonl"
            path.write_text("".join(json.dumps(v) + "\n" for v in items), encoding="utf-8")
        else:
            path = folder / "x.json"
            path.write_text(json.dumps(value), encoding="utf-8")
        try:
            importers.read(path, fmt)
        except AnnotatorError as e:
            assert str(path) in str(e), f"the error does not name the file: {e}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
