"""Training data: held-out split and what is read from the store."""

from __future__ import annotations

import pytest

from annotator import model as m
from annotator.model import SuggestedSpan
from annotator.store import Store
from annotator.train import collect_articles
from annotator.train.data import TrainingArticle, layers_of, split_held_out


def _arts(n, complete=True):
    return [TrainingArticle(f"a{i}", f"text {i}", complete=complete) for i in range(n)]


def test_split_is_seeded_by_article_and_holds_out_only_complete_articles():
    arts = _arts(10) + [TrainingArticle("partial", "x", complete=False)]
    train, held = split_held_out(arts, 0.2, seed=1)
    assert len(held) == 2 and len(train) == 9
    assert "partial" in {a.article_id for a in train}
    assert split_held_out(arts, 0.2, seed=1) == (train, held)
    assert {a.article_id for a in split_held_out(arts, 0.2, seed=2)[1]} != {a.article_id for a in held}


def test_split_keeps_one_for_training_and_holds_out_at_least_one():
    assert [len(x) for x in split_held_out(_arts(2), 0.9)] == [1, 1]
    assert [len(x) for x in split_held_out(_arts(3), 0.01)] == [2, 1]
    assert [len(x) for x in split_held_out(_arts(3), 0)] == [3, 0]
    with pytest.raises(ValueError):
        split_held_out(_arts(3), 1.0)


def test_layers():
    assert layers_of("both") == ("entity", "issue")
    assert layers_of("issue") == ("issue",)
    with pytest.raises(ValueError, match="entity, issue or both"):
        layers_of("ents")


def test_collect_reads_spans_rejections_corrections_and_done(tmp_path):
    store = Store(tmp_path / "t.db")
    store.ensure_labels([m.Label("ORG", m.ENTITY), m.Label("GPE", m.ENTITY), m.Label("TRADE", m.ISSUE)])
    text = "Acme sells to France. Trade union leaders met."
    other = "Nothing here yet."
    skipped = "Skipped article."
    store.add_articles([text, other, skipped])
    aid, oid, sid = m.article_id(text), m.article_id(other), m.article_id(skipped)
    src = "spacy:test@1"
    store.store_suggestions(
        [
            (
                aid,
                [
                    SuggestedSpan(0, 4, "GPE", m.ENTITY, src),
                    SuggestedSpan(14, 20, "GPE", m.ENTITY, src),
                    SuggestedSpan(22, 27, "TRADE", m.ISSUE, "taxonomy:t@1"),
                ],
            )
        ],
        [src, "taxonomy:t@1"],
    )
    sugg = {(s.start, s.label): s for s in store.suggestions(aid, "ann")}
    store.correct("ann", sugg[(0, "GPE")].id, label="ORG")
    store.accept("ann", sugg[(14, "GPE")].id)
    store.reject("ann", sugg[(22, "TRADE")].id)
    store.set_state("ann", aid, m.DONE)
    store.add_span("ann", oid, m.Span(0, 7, "ORG"))
    store.set_state("ann", sid, m.SKIPPED)

    arts = {a.article_id: a for a in collect_articles(store, "ann")}
    assert set(arts) == {aid, oid}
    done = arts[aid]
    assert done.complete and not arts[oid].complete
    assert set(done.spans) == {m.Span(0, 4, "ORG"), m.Span(14, 20, "GPE")}
    assert set(done.rejected) == {m.Span(0, 4, "GPE"), m.Span(22, 27, "TRADE", m.ISSUE)}
    assert done.layer_rejected(m.ISSUE) == [m.Span(22, 27, "TRADE", m.ISSUE)]
    assert collect_articles(store, "nobody") == []
    store.close()
