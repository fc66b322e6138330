"""One article the pipeline fails on is named, and every other article gets its suggestions."""

from __future__ import annotations

import spacy
from spacy.language import Language

from annotator import cli, ops
from annotator.errors import ModelError
from annotator.store import Store
from annotator.suggest import Suggester, dask_worker, workers
from annotator.suggest.cluster import _spans
from annotator.suggest.failures import Failed

POISON = "Zyxwv"


@Language.component("test_fails_on_poison")
def _fails_on_poison(doc):
    if POISON in doc.text:
        raise ValueError(f"cannot read {POISON!r}\nsecond line of the error")
    return doc


def _suggester(poisoned: bool = True) -> Suggester:
    nlp = spacy.blank("en")
    if poisoned:
        nlp.add_pipe("test_fails_on_poison")
    return Suggester(nlp=nlp, entities=False)  # the taxonomy's issues


TEXTS = [f"Trade talks on tariffs, article {i}." for i in range(10)]
TEXTS[6] = f"The {POISON} article about tariffs."


def test_the_failing_text_is_a_marker_in_its_place_and_the_others_have_spans():
    got = list(_suggester().suggest(TEXTS, batch_size=4, keep_going=True))
    clean = list(_suggester(poisoned=False).suggest(TEXTS))
    assert len(got) == len(TEXTS)
    assert got[6] == Failed("ValueError: cannot read 'Zyxwv'")  # its first line
    assert all(clean) and got[:6] + got[7:] == clean[:6] + clean[7:]


def test_without_keep_going_the_failure_names_the_text():
    try:
        list(_suggester().suggest(TEXTS, batch_size=4))
    except ModelError as e:
        assert "text 7" in str(e) and "cannot read" in str(e)
    else:
        raise AssertionError("no error")


def test_a_long_text_with_one_failing_piece_fails_whole():
    from annotator.suggest.pieces import Pieces

    long = ("Tariffs again. " * 40 + "\n\n") * 3 + f"{POISON}.\n\n" + "Tariffs again. " * 40
    p = Pieces([long, "short"], limit=700)
    parts = list(p.texts())
    assert len(parts) > 2
    results = [Failed("x") if POISON in t else [] for t in parts]
    assert list(p.join(results)) == [Failed("x"), []]


def test_forked_workers_carry_the_failure(monkeypatch):
    if not workers.available():
        return
    got = list(_suggester().suggest(TEXTS, n_process=2, batch_size=2, keep_going=True))
    assert isinstance(got[6], Failed) and all(isinstance(g, list) and g for i, g in enumerate(got) if i != 6)


def test_a_dask_task_sends_the_error_as_text_and_the_client_reads_it_back(monkeypatch):
    monkeypatch.setitem(dask_worker.INSTALLED, "s", _suggester())
    wire = dask_worker.suggest_chunk("s", TEXTS[5:8])
    assert isinstance(wire[1], str) and "cannot read" in wire[1]
    back = _spans(wire)
    assert back[1] == Failed(wire[1]) and back[0] and back[2]


def test_suggest_writes_the_others_and_keeps_the_failed_articles_old_suggestions(tmp_path):
    store = Store(tmp_path / "f.db")
    store.add_articles(TEXTS)
    ops.suggest(store, nlp=spacy.blank("en"), entities=False)  # a first run everywhere
    poisoned = next(a for a, t in store.texts(None) if POISON in t)
    before = store.suggestions(poisoned)
    assert before
    ops.ensure_default_labels(store)
    summary = ops.suggest(store, nlp=_suggester().nlp, entities=False)
    assert [(aid, error) for aid, _, error in summary.failed] == [(poisoned, "ValueError: cannot read 'Zyxwv'")]
    assert summary.failed[0][1] == store.article(poisoned).title
    assert store.suggestions(poisoned) == before
    assert all(store.suggestions(a) for a in store.article_ids())
    store.close()


def test_the_command_names_the_article_by_title_and_id_and_exits_1(tmp_path, capsys, monkeypatch):
    db = tmp_path / "c.db"
    store = Store(db)
    store.add_articles(TEXTS)
    poisoned = next(a for a, t in store.texts(None) if POISON in t)
    store.close()
    monkeypatch.setattr("annotator.suggest.load_pipeline", lambda model=None: _suggester().nlp)
    code = cli.main(["suggest", "--db", str(db), "--layer", "issue"])
    out = capsys.readouterr()
    assert code == 1
    assert "on 9 articles" in out.out
    assert f"'The {POISON} article about tariffs.' (id {poisoned}): ValueError: cannot read" in out.err
