"""Export then import gives back the same articles and spans, in every format that carries spans."""

from __future__ import annotations

import pytest

from annotator import model as m
from annotator import ops
from annotator.model import Label, Span
from annotator.store import Store

TEXTS = [
    "Olaf Scholz met Emmanuel Macron in Berlin on Monday to discuss tariffs on Chinese steel.",
    "Visa rules for students from India change in May, the Home Office said.\r\nCritics in London objected.",
    "Der Präsident 🇺🇸 sprach mit NATO über Sicherheit\u00a0und Energie. Ölembargo 🛢️ droht.",
]


def _spans(text: str) -> list[Span]:
    def at(word: str, label: str, layer: str = m.ENTITY) -> Span:
        i = text.index(word)
        return Span(i, i + len(word), label, layer)

    if text.startswith("Olaf"):
        return [
            at("Olaf Scholz", "PERSON"),
            at("Emmanuel Macron", "PERSON"),
            at("Berlin", "GPE"),
            at("Monday", "DATE"),
            at("tariffs", "TARIFFS", m.ISSUE),
            at("tariffs on Chinese steel", "TRADE", m.ISSUE),
            at("Chinese", "NORP"),
        ]
    if text.startswith("Visa"):
        return [
            at("India", "GPE"),
            at("Home Office", "ORG"),
            at("London", "GPE"),
            at("Visa rules", "VISAS", m.ISSUE),
        ]
    return [at("NATO", "ORG"), at("Sicherheit", "SECURITY", m.ISSUE), at("Ölembargo", "ENERGY", m.ISSUE)]


@pytest.fixture
def source(tmp_path):
    s = Store(tmp_path / "src.db")
    ops.ensure_default_labels(s)
    s.add_articles(TEXTS)
    for t in TEXTS:
        aid = m.article_id(t)
        for sp in _spans(t):
            s.add_span("kim", aid, sp)
        s.set_state("kim", aid, m.DONE)
    yield s
    s.close()


def _content(store: Store, who: str, layers=(m.ENTITY, m.ISSUE)):
    out = {}
    for t in TEXTS:
        aid = m.article_id(t)
        assert store.has_article(aid), f"article {t[:20]!r} did not come back with the same text"
        out[aid] = sorted(
            (a.layer, a.start, a.end, a.label) for a in store.annotations(aid, who) if a.layer in layers
        )
    return out


@pytest.mark.parametrize(
    ("fmt", "suffix", "layers", "tokens"),
    [
        ("prodigy", "jsonl", (m.ENTITY, m.ISSUE), False),
        ("prodigy", "jsonl", (m.ENTITY, m.ISSUE), True),
        ("doccano", "jsonl", (m.ENTITY, m.ISSUE), False),
        ("spacy", "spacy", (m.ENTITY, m.ISSUE), False),
        # CoNLL carries the entity layer only; the exact text needs --keep-text.
        ("conll", "conll", (m.ENTITY,), False),
        ("labelstudio", "json", (m.ENTITY, m.ISSUE), False),
        ("brat", "brat", (m.ENTITY, m.ISSUE), False),
    ],
)
def test_export_then_import_gives_back_the_same(source, tmp_path, fmt, suffix, layers, tokens):
    out = tmp_path / f"out.{suffix}"
    n = ops.export(source, fmt, out, annotator="kim", tokens=tokens, keep_text=fmt == "conll")
    assert n == len(TEXTS)
    with Store(tmp_path / "dst.db") as dst:
        results = ops.import_paths(dst, [out], annotator="kim")
        assert all(r.ok for r in results), [str(r.error) for r in results]
        assert dst.article_count() == len(TEXTS)
        got = _content(dst, "kim", layers)
    want = _content(source, "kim", layers)
    assert got == want


def test_suggestions_export_has_the_same_shape(source, tmp_path):
    aid = m.article_id(TEXTS[0])
    source.store_suggestions(
        [(aid, [m.SuggestedSpan(0, 11, "PERSON", m.ENTITY, "spacy:x@1")])], ["spacy:x@1"]
    )
    import json

    out = tmp_path / "sugg.jsonl"
    ops.export(source, "prodigy", out, suggestions=True)
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    rec = next(r for r in recs if r["text"] == TEXTS[0])
    assert rec["spans"][0]["source"] == "spacy:x@1"
    assert (rec["spans"][0]["start"], rec["spans"][0]["end"]) == (0, 11)
    # Suggestions are tasks still to be answered: no answer, so no import takes them as accepted.
    assert {"text", "spans", "_input_hash", "_task_hash", "meta"} <= set(rec)
    assert "answer" not in rec and "_is_binary" not in rec
    assert "tokens" not in rec

    ops.export(source, "prodigy", out, suggestions=True, tokens=True)
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    rec = next(r for r in recs if r["text"] == TEXTS[0])
    assert rec["spans"][0]["token_start"] == 0 and rec["spans"][0]["token_end"] == 1
    assert {"text", "tokens", "spans", "_input_hash", "_task_hash", "meta"} <= set(rec)


def test_ledger_export_lists_every_decision(source, tmp_path):
    aid = m.article_id(TEXTS[0])
    source.ensure_labels([Label("PERSON", m.ENTITY)])
    source.store_suggestions(
        [
            (
                aid,
                [
                    m.SuggestedSpan(0, 4, "PERSON", m.ENTITY, "spacy:x@1"),
                    m.SuggestedSpan(16, 24, "ORG", m.ENTITY, "spacy:x@1"),
                ],
            )
        ],
        ["spacy:x@1"],
    )
    sugg = {s.label: s for s in source.suggestions(aid, "eve")}
    source.correct("eve", sugg["PERSON"].id, end=11)
    source.reject("eve", sugg["ORG"].id)
    out = tmp_path / "ledger.jsonl"
    ops.export(source, "ledger", out, annotator="eve")
    import json

    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    decisions = {(r["label"], r["decision"]) for r in rows if r["type"] == "decision"}
    assert decisions == {("PERSON", "corrected"), ("ORG", "rejected")}
    corrected = next(r for r in rows if r["type"] == "decision" and r["decision"] == "corrected")
    assert corrected["result"] == {"start": 0, "end": 11, "label": "PERSON"}
    actions = [r for r in rows if r["type"] == "action"]
    assert [a["kind"] for a in actions] == ["correct", "reject"]
    assert all(a["annotator"] == "eve" and a["at"] for a in actions)
