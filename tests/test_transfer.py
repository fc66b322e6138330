"""annotator.transfer: what an export holds (answers, suggestions, versions, layers) and a folder
import as one transaction, as a user of `annotator import` / `annotator export` gets them."""

from __future__ import annotations

import io
import json

import pytest

from annotator import cli, ops
from annotator import model as m
from annotator.errors import AnnotatorError
from annotator.store import Store

TEXT = "Angela Merkel met Joe Biden in Berlin to discuss steel tariffs."
OTHER = "The European Union imposed sanctions on Russia."


def at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def task(text, spans, who="alice", **extra) -> dict:
    return {
        "text": text,
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
        "_annotator_id": who,
        **extra,
    }


def jsonl(path, records) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def lines(out: io.StringIO) -> list[dict]:
    return [json.loads(x) for x in out.getvalue().splitlines()]


@pytest.fixture
def judged(tmp_path):
    """alice's work on TEXT, one rejection imported from a file and one made on a suggestion."""
    source = jsonl(
        tmp_path / "alice.jsonl",
        [
            task(TEXT, [(*at(TEXT, "Angela Merkel"), "PERSON")], answer="accept", _is_binary=False),
            task(TEXT, [(*at(TEXT, "Berlin"), "ORG")], answer="reject", _is_binary=True),
        ],
    )
    with Store(tmp_path / "a.db") as s:
        ops.ensure_default_labels(s)
        assert all(r.ok for r in ops.import_paths(s, [source]))
        aid = m.article_id(TEXT)
        biden = m.SuggestedSpan(*at(TEXT, "Joe Biden"), "ORG", m.ENTITY, "spacy:x@1", 0.4)
        s.store_suggestions([(aid, [biden])], ["spacy:x@1"])
        (suggestion,) = [x for x in s.suggestions(aid, "alice") if x.source == "spacy:x@1"]
        s.reject("alice", suggestion.id)
        yield s


def rejections(store: Store) -> set[tuple[str, int, int, str]]:
    return {
        (d["annotator"], d["start"], d["end"], d["label"])
        for d in store.decisions()
        if d["decision"] == m.REJECTED
    }


def test_rejections_leave_as_binary_reject_tasks_and_come_back_as_rejections(judged, tmp_path):
    out = io.StringIO()
    ops.export(judged, "prodigy", out)
    tasks = lines(out)
    assert [(t["answer"], t["_is_binary"], len(t["spans"])) for t in tasks] == [
        ("accept", False, 1),
        ("reject", True, 1),
        ("reject", True, 1),
    ]
    assert {(t["spans"][0]["label"], t["_annotator_id"]) for t in tasks[1:]} == {("ORG", "alice")}
    path = tmp_path / "out.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    with Store(tmp_path / "again.db") as again:
        assert all(r.ok for r in ops.import_paths(again, [path]))
        assert (
            rejections(again)
            == rejections(judged)
            == {
                ("alice", *at(TEXT, "Berlin"), "ORG"),
                ("alice", *at(TEXT, "Joe Biden"), "ORG"),
            }
        )
        spans = [(a.start, a.end, a.label) for a in again.annotations(m.article_id(TEXT), "alice")]
        assert spans == [(*at(TEXT, "Angela Merkel"), "PERSON")]  # no rejection became accepted
        assert again.state("alice", m.article_id(TEXT)) == m.DONE


def test_answer_filters_and_other_formats_refuse_rejections(judged):
    accepted, rejected = io.StringIO(), io.StringIO()
    ops.export(judged, "prodigy", accepted, answer="accept")
    ops.export(judged, "prodigy", rejected, answer="reject")
    assert [t["answer"] for t in lines(accepted)] == ["accept"]
    assert [t["answer"] for t in lines(rejected)] == ["reject", "reject"]
    with pytest.raises(AnnotatorError, match="prodigy format only"):
        ops.export(judged, "doccano", io.StringIO(), answer="reject")


def test_suggestions_export_writes_only_undecided_ones_unanswered(judged, tmp_path):
    aid = m.article_id(TEXT)
    steel = m.SuggestedSpan(*at(TEXT, "steel tariffs"), "TARIFFS", m.ISSUE, "taxonomy:t@1", None)
    biden = m.SuggestedSpan(*at(TEXT, "Joe Biden"), "ORG", m.ENTITY, "spacy:x@1", 0.4)
    judged.store_suggestions([(aid, [biden, steel])], ["spacy:x@1", "taxonomy:t@1"])
    out = io.StringIO()
    ops.export(judged, "prodigy", out, suggestions=True)
    (record,) = lines(out)
    assert "answer" not in record
    assert [(s["label"], s["source"]) for s in record["spans"]] == [("TARIFFS", "taxonomy:t@1")]
    path = tmp_path / "sugg.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        assert all(r.ok for r in ops.import_paths(fresh, [path], annotator="bob"))
        assert fresh.annotations(aid, "bob") == []
        assert [(x.label, x.source, x.status) for x in fresh.suggestions(aid, "bob")] == [
            ("TARIFFS", "taxonomy:t@1", m.PENDING)
        ]


@pytest.fixture
def team(tmp_path):
    """alice and bob disagree on TEXT; only alice did OTHER."""
    with Store(tmp_path / "team.db") as s:
        ops.ensure_default_labels(s)
        s.add_articles([TEXT, OTHER])
        a, b = m.article_id(TEXT), m.article_id(OTHER)
        s.add_span("alice", a, m.Span(*at(TEXT, "Joe Biden"), "PERSON"))
        s.add_span("bob", a, m.Span(*at(TEXT, "Joe Biden"), "ORG"))
        s.add_span("alice", a, m.Span(*at(TEXT, "steel tariffs"), "TARIFFS", m.ISSUE))
        s.add_span("alice", b, m.Span(*at(OTHER, "European Union"), "ORG"))
        yield s


def docs_of(path):
    import spacy
    from spacy.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def test_training_export_holds_one_version_per_article(team, tmp_path):
    out = tmp_path / "train.spacy"
    with pytest.raises(AnnotatorError, match="--annotator NAME, --gold .*--all-annotators") as info:
        ops.export(team, "spacy", out)
    assert "1 article has work from several annotators" in str(info.value)
    assert not out.exists()
    # A reviewer settles the article: gold is its version, alice's the other article's.
    team.add_agreed_gold("rev", m.article_id(TEXT), [m.Span(*at(TEXT, "Joe Biden"), "PERSON")])
    assert ops.export(team, "spacy", out) == 2
    docs = docs_of(out)
    assert [(d.user_data["annotator"], [(e.text, e.label_) for e in d.ents]) for d in docs] == [
        ("gold", [("Joe Biden", "PERSON")]),
        ("alice", [("European Union", "ORG")]),
    ]
    assert ops.export(team, "spacy", out, all_annotators=True) == 3


def test_layer_filters_every_export_and_doccano_warns_about_overlaps(team, tmp_path):
    out, warned = io.StringIO(), []
    ops.export(team, "doccano", out, annotator="alice", warn=warned.append)
    assert warned == []
    team.add_span("alice", m.article_id(TEXT), m.Span(*at(TEXT, "steel"), "TRADE", m.ISSUE))
    ops.export(team, "doccano", io.StringIO(), annotator="alice", warn=warned.append)
    assert len(warned) == 1 and "1 record holds overlapping spans" in warned[0] and "--layer" in warned[0]
    entities = io.StringIO()
    ops.export(team, "doccano", entities, annotator="alice", layer="entity", warn=warned.append)
    assert [[label for *_, label in r["label"]] for r in lines(entities)] == [["PERSON"], ["ORG"]]
    assert len(warned) == 1
    issues = tmp_path / "issues.jsonl"
    ops.export(team, "prodigy", issues, annotator="alice", layer="issue")
    assert {s["layer"] for r in map(json.loads, issues.read_text().splitlines()) for s in r["spans"]} == {
        "issue"
    }


def test_a_folder_imports_all_or_nothing_unless_skip_bad(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    jsonl(folder / "a.jsonl", [task(TEXT, [(*at(TEXT, "Berlin"), "GPE")])])
    (folder / "b.jsonl").write_text('{"text": "broken\n', encoding="utf-8")
    jsonl(folder / "c.jsonl", [task(OTHER, [(*at(OTHER, "Russia"), "GPE")])])
    db = tmp_path / "x.db"
    assert cli.main(["import", str(folder), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"{folder / 'b.jsonl'}:1: invalid JSON" in err
    assert "nothing was imported: 1 of 3 files cannot be imported" in err and "--skip-bad" in err
    with Store(db) as s:
        assert s.article_count() == 0
    assert cli.main(["import", str(folder), "--db", str(db), "--skip-bad"]) == 0
    captured = capsys.readouterr()
    assert f"skipped 1 of 3 files: {folder / 'b.jsonl'}" in captured.err
    assert "a.jsonl (jsonl): 1 new article" in captured.out
    with Store(db) as s:
        assert s.article_count() == 2


def test_all_or_nothing_through_ops_rolls_back_and_reads_every_file(tmp_path):
    good = jsonl(tmp_path / "a.jsonl", [task(TEXT, [])])
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"text": 3}\n', encoding="utf-8")
    worse = tmp_path / "c.jsonl"
    worse.write_text('{"text": "x", "answer": "maybe"}\n', encoding="utf-8")
    with Store(tmp_path / "x.db") as s:
        results = ops.import_paths(s, [good, bad, worse], all_or_nothing=True)
        assert [(r.ok, r.rolled_back) for r in results] == [(True, True), (False, False), (False, False)]
        assert results[0].report is None and s.article_count() == 0


def test_cli_export_new_formats_and_options(team, tmp_path, capsys):
    db = str(team.path)
    out = tmp_path / "ls.json"
    assert cli.main(["export", "--db", db, "--format", "labelstudio", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"wrote 2 tasks to {out}" in err and "ls.label_config.xml" in err
    assert '<Labels name="issue" toName="text">' in (tmp_path / "ls.label_config.xml").read_text()
    assert cli.main(["export", "--db", db, "--format", "brat"]) != 0
    assert "-o FOLDER" in capsys.readouterr().err
    assert cli.main(["export", "--db", db, "--format", "conll"]) != 0
    assert "--all-annotators" in capsys.readouterr().err
    assert cli.main(["export", "--db", db, "--format", "conll", "--annotator", "bob", "--keep-text"]) == 0
    assert capsys.readouterr().out.startswith("-DOCSTART- -X- O O\n# annotator_text = ")
