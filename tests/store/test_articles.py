"""Articles: adding them (a known text is skipped) and where each annotator is with them."""

from __future__ import annotations

from store_helpers import TEXT

from annotator import model as m


def test_reimport_of_the_same_text_is_a_no_op(store):
    first = store.add_articles([TEXT, "Another article."])
    again = store.add_articles([TEXT])
    assert len(first.articles) == 2
    assert again.articles == frozenset()
    assert store.article_count() == 2
    assert store.article(m.article_id(TEXT)).title == TEXT


def test_states_progress_and_next(store, article):
    other = next(iter(store.add_articles(["Second text about visas."]).articles))
    assert store.progress("ann") == (0, 2)
    assert store.next_article("ann") == article
    store.set_state("ann", article, m.DONE)
    assert store.progress("ann") == (1, 2)
    assert store.next_article("ann", after=article) == other
    assert store.article_ids("ann", state=m.DONE) == [article]
    assert store.article_ids("ann", state=m.TODO) == [other]
    assert store.article_ids("ann", search="VISAS") == [other]
    rows = store.article_rows([article, other], "ann")
    assert (rows[0].state, rows[0].pending, rows[1].state) == ("done", 5, "todo")
