"""Our CoNLL, Label Studio and brat files as their real readers take them: spaCy's converter,
doccano's CoNLL rules, label-studio-converter, and annotator's own importers."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from annotator.export import ExportRecord, ExportSpan, labelstudio, write
from annotator.importers import read
from annotator.model import ENTITY, ISSUE


def entities(record: ExportRecord) -> list[tuple[str, str]]:
    text = record.article.text
    return [(squash(text[s.start : s.end]), s.label) for s in sorted(record.spans) if s.layer == ENTITY]


def squash(text: str) -> str:
    """Text without whitespace: a reader that rebuilds text from tokens puts one space between them."""
    return "".join(text.split())


def test_default_conll_is_plain_two_column_iob2_one_block_per_article(tricky, plain_record):
    out = io.StringIO()
    write("conll", [tricky.record, plain_record], out)
    raw = out.getvalue()
    blocks = [b for b in raw.split("\n\n") if b.strip()]
    assert len(blocks) == 2  # one example per article
    # doccano 1.8.4's CoNLL import: every line is a token and a tag separated by one tab.
    for line in raw.splitlines():
        assert not line or (line.count("\t") == 1 and all(line.split("\t"))), line
    assert "-DOCSTART-" not in raw and "#" not in raw.replace("\t#", "")
    # Our own importer reads it back one article per block, entity texts intact.
    docs = [(squash(d.text[s.start : s.end]), s.label) for d in _reread(raw) for s in d.spans]
    assert docs == entities(tricky.record) + entities(plain_record)


def _reread(raw: str):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.conll"
        path.write_text(raw, encoding="utf-8")
        return read(path).docs


@pytest.mark.parametrize("keep_text", [False, True])
def test_spacy_convert_finds_exactly_our_entities(tricky, plain_record, tmp_path, keep_text):
    path = tmp_path / "out.conll"
    with open(path, "w", encoding="utf-8") as out:
        write("conll", [tricky.record, plain_record], out, keep_text=keep_text)
    if keep_text:  # the opt-in text line is ours; spaCy's converter must still find no entity in it
        path.write_text(
            "".join(x for x in path.read_text(encoding="utf-8").splitlines(True) if not x.startswith("#")),
            encoding="utf-8",
        )
    done = subprocess.run(
        [sys.executable, "-m", "spacy", "convert", str(path), str(tmp_path), "-c", "ner"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(tmp_path / "out.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) == 2  # one Doc per article
    got = [(squash(e.text), e.label_) for d in docs for e in d.ents]
    assert got == entities(tricky.record) + entities(plain_record)


def test_label_studio_task_shape(tricky):
    suggestions = ExportRecord(
        tricky.record.article,
        None,
        (ExportSpan(*tricky.obama[:2], "PERSON", ENTITY, "spacy:en_core_web_sm@3.8.0", "suggestion", 0.5),),
        answer=None,
    )
    skipped = ExportRecord(tricky.record.article, "bob", (), answer="ignore")
    out = io.StringIO()
    assert write("labelstudio", [tricky.record, skipped, suggestions], out) == 1
    (task,) = json.loads(out.getvalue())
    assert task["data"]["text"] == tricky.record.article.text
    alice, bob = task["annotations"]
    assert (alice["completed_by"], alice["was_cancelled"], bob["was_cancelled"], bob["result"]) == (
        "alice",
        False,
        True,
        [],
    )
    regions = {(r["from_name"], r["value"]["text"], tuple(r["value"]["labels"])) for r in alice["result"]}
    assert ("issue", "Tax cuts and health-care costs", ("TAXES",)) in regions
    assert ("label", "Angela Merkel", ("PERSON",)) in regions
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "spacy:en_core_web_sm@3.8.0" and prediction["score"] == 0.5
    assert prediction["result"][0]["score"] == 0.5


def test_label_studio_converter_reads_our_tasks(tricky, plain_record, tmp_path):
    converter = pytest.importorskip("label_studio_converter")
    path = tmp_path / "tasks.json"
    with open(path, "w", encoding="utf-8") as out:
        write("labelstudio", [tricky.record, plain_record], out)
    labels = {s.label: s.layer for r in (tricky.record, plain_record) for s in r.spans}
    config = labelstudio.config(
        [k for k, v in labels.items() if v == ENTITY], [k for k, v in labels.items() if v == ISSUE]
    )
    converter.Converter(config=config, project_dir=str(tmp_path)).convert_to_json_min(
        str(path), str(tmp_path / "min"), is_dir=False
    )
    rows = json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))
    for row, record in zip(rows, (tricky.record, plain_record), strict=True):
        assert row["annotator"] == record.annotator
        text = record.article.text
        got = sorted(
            (v["start"], v["end"], v["labels"][0], layer)
            for control, layer in (("label", ENTITY), ("issue", ISSUE))
            for v in row.get(control, [])
        )
        assert got == sorted((s.start, s.end, s.label, s.layer) for s in record.spans)
        assert all(v["text"] == text[v["start"] : v["end"]] for v in row.get("label", []))


def test_brat_folder_layout(tricky, tmp_path):
    assert write("brat", [tricky.record], tmp_path) == 1
    stem = tmp_path / tricky.record.article.id[:16]
    assert stem.with_suffix(".txt").read_bytes().decode("utf-8") == tricky.record.article.text
    ann = stem.with_suffix(".ann").read_text(encoding="utf-8").splitlines()
    assert ann[0] == "T1\tPERSON 4 17\tAngela Merkel"  # code points: the emoji and flag count 1 + 2
    assert sum(line.startswith("A") and line.endswith(" issue") for line in ann) == 2
    conf = (tmp_path / "annotation.conf").read_text(encoding="utf-8")
    assert "[attributes]\nLayer\tArg:<ENTITY>, Value:issue" in conf and "TAXES" in conf
    (doc,) = read(stem.with_suffix(".txt")).docs
    got = sorted((s.start, s.end, s.label, s.layer) for s in doc.spans)
    assert got == sorted((s.start, s.end, s.label, s.layer) for s in tricky.record.spans)
