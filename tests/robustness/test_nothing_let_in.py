"""Nothing let in: no network at all, no code run from data, SQL always parameterised."""

from __future__ import annotations

import ast
import io
import json
import socket
from pathlib import Path

import pytest

from annotator import cli, importers, ops
from annotator.store import Store

PACKAGE = Path(__file__).resolve().parents[2] / "annotator"
EVIL = "x'); DROP TABLE articles;--"
EVIL_WHO = 'r"; DELETE FROM annotations; --'


@pytest.fixture
def no_network(monkeypatch):
    """Every way to open a connection raises; the attempts are recorded."""
    attempts: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[1:2] if name.startswith('socket.') else args[:1]}")
            raise OSError(f"network blocked by the test: {name}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", refuse("socket.sendto"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    yield attempts
    assert attempts == [], f"the app tried to use the network: {attempts}"


def _articles(tmp_path: Path) -> Path:
    recs = [
        {
            "text": "The European Commission in Brussels proposed new steel tariffs on China.",
            "spans": [{"start": 4, "end": 23, "label": "ORG"}],
            "_annotator_id": "ann",
        },
        {
            "text": "<img src=http://example.com/x.png><script>fetch('http://evil.test')</script> Merkel spoke."
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return path


def test_import_suggest_export_and_cli_make_no_connection(tmp_path, no_network, capsys):
    import spacy

    db = tmp_path / "net.db"
    with Store(db) as store:
        (res,) = ops.import_paths(store, [_articles(tmp_path)])
        assert res.ok, res.error
        summary = ops.suggest(store, nlp=spacy.blank("en"), entities=False)  # blank has no NER
        assert summary.articles == 2
        for fmt in ops.EXPORT_FORMATS:
            out = tmp_path / f"out.{fmt}"
            ops.export(store, fmt, out)
            assert out.exists()
    assert cli.main(["import", str(_articles(tmp_path)), "--db", str(db), "--annotator", "cli"]) == 0
    assert cli.main(["export", "--db", str(db), "--format", "doccano", "-o", str(tmp_path / "o.jsonl")]) == 0
    assert cli.main(["stats", "--db", str(db)]) == 0
    assert cli.main(["labels", "--db", str(db)]) == 0
    capsys.readouterr()


@pytest.mark.model
def test_suggest_with_the_real_model_makes_no_connection(tmp_path, no_network):
    with Store(tmp_path / "model.db") as store:
        ops.import_paths(store, [_articles(tmp_path)])
        summary = ops.suggest(store)
        assert summary.articles == 2 and summary.spans


# -- no code from data ------------------------------------------------------------------------

FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib", "cloudpickle"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}


def _sources():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20
    return files


def test_no_module_unpickles_or_evaluates_anything():
    problems = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import):
                problems += [
                    f"{where} imports {a.name}"
                    for a in node.names
                    if a.name.split(".")[0] in FORBIDDEN_MODULES
                ]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                problems.append(f"{where} imports from {node.module}")
            elif isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                if isinstance(f, ast.Name) and name in FORBIDDEN_CALLS:
                    problems.append(f"{where} calls {name}()")
                if (
                    name in ("load", "loads")
                    and isinstance(f, ast.Attribute)
                    and getattr(f.value, "id", "") == "yaml"
                ):
                    problems.append(f"{where} calls yaml.{name} (use safe_load)")
                if any(k.arg == "shell" and getattr(k.value, "value", False) is True for k in node.keywords):
                    problems.append(f"{where} runs a shell")
                if name == "load" and isinstance(f, ast.Attribute) and getattr(f.value, "id", "") == "torch":
                    problems.append(f"{where} calls torch.load")
    assert problems == []


def test_sql_is_built_only_from_constants():
    """No f-string or % or + puts a runtime value into SQL text, except placeholders and column names."""
    suspicious = []
    for path in sorted((PACKAGE / "store").rglob("*.py")) + [PACKAGE / "ops.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if not any(w in text for w in ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", " WHERE ")):
                continue
            for v in node.values:
                if isinstance(v, ast.FormattedValue):
                    src = ast.unparse(v.value)
                    # Allowed: placeholder lists, quoted column lists from constants, table names from
                    # the constant _TARGETS map, and the constant comparison operator in next_article.
                    if src.split(".")[-1].isupper():
                        continue  # a module constant (m.PENDING, ENTITY)
                    if not any(
                        ok in src
                        for ok in ("'?'", "marks", "_q(", "table", "where", "cols", "who_sql", "BUSY")
                    ):
                        suspicious.append(f"{path.name}:{node.lineno}: {{{src}}}")
    assert suspicious == [], "values may be formatted into SQL: " + "; ".join(suspicious)


def test_hostile_label_and_annotator_names_are_just_names(tmp_path):
    text = "Brussels and Berlin met."
    rec = {
        "text": text,
        "spans": [{"start": 0, "end": 8, "label": EVIL}, {"start": 13, "end": 19, "label": "GPE"}],
        "_annotator_id": EVIL_WHO,
        "answer": "accept",
    }
    path = tmp_path / "evil.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    with Store(tmp_path / "evil.db") as store:
        (res,) = ops.import_paths(store, [path])
        assert res.ok, res.error
        assert EVIL in [lab.name for lab in res.report.labels_created]
        assert store.article_count() == 1
        (aid,) = store.article_ids()
        anns = store.annotations(aid, EVIL_WHO)
        assert [(a.label, a.annotator) for a in anns] == [(EVIL, EVIL_WHO), ("GPE", EVIL_WHO)]
        assert EVIL_WHO in store.annotators()
        assert store.article_ids(annotator=EVIL_WHO, label=EVIL) == [aid]
        store.add_span(EVIL, aid, anns[1].span)  # the hostile name as the one deciding, too
        store.undo(EVIL)
        assert set(store.db.table_names()) >= {"articles", "annotations", "labels", "ledger"}
        buf = io.StringIO()
        ops.export(store, "prodigy", buf)
    (line,) = buf.getvalue().splitlines()
    out = json.loads(line)
    assert [s["label"] for s in out["spans"]] == [EVIL, "GPE"]
    again = tmp_path / "again.jsonl"
    again.write_text(buf.getvalue(), encoding="utf-8")
    (doc,) = importers.read(again).docs
    assert [(s.label, s.annotator) for s in doc.spans] == [(EVIL, EVIL_WHO), ("GPE", EVIL_WHO)]


def test_the_network_block_itself_works(no_network):
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("example.com", 80))
    with pytest.raises(OSError, match="blocked"):
        socket.socket().connect(("127.0.0.1", 9))
    no_network.clear()
