"""Several annotators end to end: real-format exports in, merge, agreement, queue, gold out."""

from __future__ import annotations

import json

import pytest

from annotator import model as m
from annotator import ops
from annotator.cli import main
from annotator.store import Store

TEXT1 = "Angela Merkel met Joe Biden in Berlin to discuss steel tariffs and gas."
TEXT2 = "The European Union imposed sanctions on Russia over the war."

# alice (Prodigy), bob (doccano), carol (Label Studio): planted disagreements on TEXT1
#   Angela Merkel 0-13 PERSON: all agree
#   Joe Biden 18-27: alice PERSON, bob PERSON, carol ORG          -> label conflict
#   Berlin 31-37 GPE: alice, bob; carol marks "in Berlin" 28-37   -> boundary shift
#   gas 67-70 PRODUCT: only bob                                   -> one-sided
ALICE = [(0, 13, "PERSON"), (18, 27, "PERSON"), (31, 37, "GPE")]
BOB = [(0, 13, "PERSON"), (18, 27, "PERSON"), (31, 37, "GPE"), (67, 70, "PRODUCT")]
CAROL = [(0, 13, "PERSON"), (18, 27, "ORG"), (28, 37, "GPE")]
ALL2 = [(4, 18, "ORG"), (40, 46, "GPE")]


def _write_inputs(tmp_path):
    for s, e, _label in ALICE + BOB + CAROL:
        assert TEXT1[s:e].strip()
    alice = tmp_path / "alice.jsonl"
    alice.write_text(
        "\n".join(
            json.dumps(
                {
                    "text": t,
                    "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
                    "answer": "accept",
                    "_annotator_id": "alice",
                }
            )
            for t, spans in ((TEXT1, ALICE), (TEXT2, ALL2))
        )
        + "\n",
        encoding="utf-8",
    )
    bob = tmp_path / "bob.jsonl"
    bob.write_text(
        "\n".join(
            json.dumps({"text": t, "label": [[s, e, lab] for s, e, lab in spans]})
            for t, spans in ((TEXT1, BOB), (TEXT2, ALL2))
        )
        + "\n",
        encoding="utf-8",
    )
    carol = tmp_path / "carol.json"
    carol.write_text(
        json.dumps(
            [
                {
                    "id": i,
                    "data": {"text": t},
                    "annotations": [
                        {
                            "completed_by": {"email": "carol"},
                            "result": [
                                {
                                    "from_name": "label",
                                    "to_name": "text",
                                    "type": "labels",
                                    "value": {"start": s, "end": e, "labels": [lab]},
                                }
                                for s, e, lab in spans
                            ],
                        }
                    ],
                }
                for i, (t, spans) in enumerate(((TEXT1, CAROL), (TEXT2, ALL2)))
            ]
        ),
        encoding="utf-8",
    )
    return alice, bob, carol


def _annotators_db(tmp_path, name, path, who=None):
    db = tmp_path / f"{name}.db"
    argv = ["import", str(path), "--db", str(db)]
    if who:
        argv += ["--annotator", who]
    assert main(argv) == 0
    return db


@pytest.fixture
def merged(tmp_path):
    alice, bob, carol = _write_inputs(tmp_path)
    dbs = [
        _annotators_db(tmp_path, "alice", alice),
        _annotators_db(tmp_path, "bob", bob, who="bob"),
        _annotators_db(tmp_path, "carol", carol),
    ]
    review = tmp_path / "review.db"
    assert main(["merge", *map(str, dbs), "--db", str(review)]) == 0
    return review, dbs


def test_merge_puts_work_side_by_side_and_twice_changes_nothing(merged, capsys):
    review, dbs = merged
    with Store(review) as s:
        assert s.article_count() == 2
        aid = m.article_id(TEXT1)
        who = {
            w: sorted((a.start, a.end, a.label) for a in s.annotations(aid, w))
            for w in ("alice", "bob", "carol")
        }
        assert who == {"alice": sorted(ALICE), "bob": sorted(BOB), "carol": sorted(CAROL)}
        before = (
            s.conn.execute("SELECT count(*) FROM annotations").fetchone()[0],
            s.conn.execute("SELECT count(*) FROM ledger").fetchone()[0],
        )
    capsys.readouterr()
    assert main(["merge", *map(str, dbs), "--db", str(review)]) == 0
    out = capsys.readouterr().out
    assert "0 new articles" in out and "0 spans" in out
    with Store(review) as s:
        after = (
            s.conn.execute("SELECT count(*) FROM annotations").fetchone()[0],
            s.conn.execute("SELECT count(*) FROM ledger").fetchone()[0],
        )
    assert after == before


def test_merge_reports_line_ending_twins(tmp_path, capsys):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    with Store(a) as s:
        s.add_articles(["Line one.\nLine two."])
    with Store(b) as s:
        s.add_articles(["Line one.\r\nLine two."])
    assert main(["merge", str(b), "--db", str(a)]) == 0
    assert "only in line endings" in capsys.readouterr().out


def test_every_planted_disagreement_is_in_the_queue_with_its_class(merged):
    review, _ = merged
    with Store(review) as s:
        queue = ops.review_queue(s)
    assert [e.article_id for e, _, _ in queue] == [m.article_id(TEXT1)]  # TEXT2: full agreement
    _, consensus, open_ = queue[0]
    found = {(d.kind, d.layer, TEXT1[d.start : d.end]) for d in open_}
    assert found == {
        ("label_conflict", "entity", "Joe Biden"),
        ("boundary_shift", "entity", "in Berlin"),
        ("one_sided", "entity", "gas"),
    }
    assert [(sp.start, sp.end, sp.label) for sp in consensus.agreed] == [(0, 13, "PERSON")]


def test_agreement_figures(merged, capsys):
    review, _ = merged
    assert main(["agreement", "--db", str(review), "--json", "--no-model"]) == 0
    report = json.loads(capsys.readouterr().out)
    text = json.dumps(report)
    assert "alice" in text and "carol" in text
    with Store(review) as s:
        rep = ops.agreement(s, include_model=False)
    # alice vs bob on entities: alice's 3+2 spans all in bob's 4+2 -> P(alice|bob)=1, R=5/6
    pair = rep.pair("alice", "bob", "entity")
    assert pair.exact.f1 == pytest.approx(2 * 5 / (5 + 6))
    # alice vs carol: exact matches Merkel + TEXT2's two spans = 3 of 5 each way
    assert rep.pair("alice", "carol", "entity").exact.f1 == pytest.approx(3 / 5)


def test_review_settle_and_export_gold_holds_exactly_the_settled_spans(merged, tmp_path, capsys):
    review, _ = merged
    with Store(review) as s:
        assert ops.add_agreed_gold(s, "rita") == 3  # Merkel + TEXT2's two spans
        (_, consensus, open_) = ops.review_queue(s)[0]
        by_kind = {d.kind: d for d in open_}
        ops.settle(s, "rita", by_kind["label_conflict"], "take:alice")
        ops.settle(s, "rita", by_kind["boundary_shift"], "take:bob")
        ops.settle(s, "rita", by_kind["one_sided"], "take_none")
        assert ops.review_queue(s) == []
        # the reviewer can undo a settlement: it comes back to the queue
        s.undo("rita")
        assert len(ops.review_queue(s)[0][2]) == 1
        s.redo("rita")
        assert all(row["kind"] in ("agreed_gold", "adjudicate") for row in s.ledger("rita"))
    out = tmp_path / "gold.jsonl"
    assert main(["export", "--gold", "--db", str(review), "-o", str(out)]) == 0
    recs = {json.loads(x)["text"]: json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()}
    assert sorted((sp["start"], sp["end"], sp["label"]) for sp in recs[TEXT1]["spans"]) == [
        (0, 13, "PERSON"),
        (18, 27, "PERSON"),
        (31, 37, "GPE"),
    ]
    assert sorted((sp["start"], sp["end"], sp["label"]) for sp in recs[TEXT2]["spans"]) == sorted(ALL2)
    for fmt, name in (("doccano", "g.jsonl"), ("conll", "g.conll"), ("spacy", "g.spacy")):
        assert (
            main(["export", "--gold", "--format", fmt, "--db", str(review), "-o", str(tmp_path / name)]) == 0
        )
    # the annotators' own export is unchanged by the review
    capsys.readouterr()
    assert main(["export", "--db", str(review), "--annotator", "carol"]) == 0
    carol = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert sorted(
        (sp["start"], sp["end"], sp["label"]) for sp in next(r for r in carol if r["text"] == TEXT1)["spans"]
    ) == sorted(CAROL)


def test_feedback_report_after_review(merged, tmp_path, capsys):
    review, _ = merged
    with Store(review) as s:
        ops.add_agreed_gold(s, "rita")
        _, _, open_ = ops.review_queue(s)[0]
        for d in open_:
            ops.settle(s, "rita", d, "take:alice")
    html_file = tmp_path / "carol.html"
    assert main(["feedback", "--db", str(review), "--annotator", "carol", "-o", str(html_file)]) == 0
    page = html_file.read_text(encoding="utf-8")
    assert "<html" in page.lower() and "carol" in page
    capsys.readouterr()
    assert main(["feedback", "--db", str(review), "--annotator", "carol"]) == 0
    text = capsys.readouterr().out
    # carol called Joe Biden ORG where gold says PERSON, and included "in" before Berlin
    assert "ORG" in text and "PERSON" in text


def test_agreement_names_the_worst_articles_by_title(merged, capsys):
    review, _ = merged
    assert main(["agreement", "--db", str(review), "--no-model"]) == 0
    out = capsys.readouterr().out
    worst = out[out.index("worst") :]
    with Store(review) as s:
        titles = {s.article(a).title for a in s.article_ids()}
        ids = s.article_ids()
    assert any(t and t[:20] in worst for t in titles), worst
    assert all(f"({aid[:8]})" in worst for aid in ids)
    assert not any(aid in worst for aid in ids)  # no bare 24-character hashes
