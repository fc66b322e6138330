"""The ledger: undo and redo across restarts, per annotator, and the spans each action touched."""

from __future__ import annotations

import pytest
from store_helpers import TEXT, sugg

from annotator import model as m
from annotator.errors import NothingToDo
from annotator.model import Span
from annotator.store import Store


def test_undo_redo_across_restart(tmp_path, store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.reject("ann", sugg(store, article, "Bob").id)
    store.add_span("ann", article, Span(32, 36, "PERSON"))
    path = store.path
    store.close()

    s2 = Store(path)
    s2.undo("ann")  # the added span
    assert [a.label for a in s2.annotations(article, "ann")] == ["PERSON"]
    s2.undo("ann")  # the rejection
    assert sugg(s2, article, "Bob").status == "pending"
    s2.close()

    s3 = Store(path)
    s3.redo("ann")
    assert sugg(s3, article, "Bob").status == "rejected"
    s3.redo("ann")
    assert [TEXT[a.start : a.end] for a in s3.annotations(article, "ann")] == ["Alice Smith", "talk"]
    with pytest.raises(NothingToDo):
        s3.redo("ann")
    # undo everything, down to the article state
    for _ in range(3):
        s3.undo("ann")
    assert s3.annotations(article, "ann") == []
    assert s3.state("ann", article) == m.TODO
    with pytest.raises(NothingToDo):
        s3.undo("ann")
    s3.close()


def test_a_new_action_ends_redo(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.undo("ann")
    store.reject("ann", sugg(store, article, "Bob").id)
    with pytest.raises(NothingToDo):
        store.redo("ann")


def test_undo_is_per_annotator(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.accept("bob", sugg(store, article, "Paris", "bob").id)
    store.undo("ann")
    assert store.annotations(article, "ann") == []
    assert len(store.annotations(article, "bob")) == 1


def test_touched_spans_name_every_span_an_action_changed(store, article):
    mark = store.ledger_mark()
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    assert set(store.touched_spans(mark + 1)) == {(article, "ann", 0, 11)}
    ann = store.annotations(article, "ann")[0]
    mark = store.ledger_mark()
    store.update_span("ann", ann.id, start=6)  # moved: both places
    assert set(store.touched_spans(mark + 1)) == {(article, "ann", 0, 11), (article, "ann", 6, 11)}
    mark = store.ledger_mark()
    store.set_state("ann", article, m.DONE)  # no span changed
    assert store.touched_spans(mark + 1) == []
    last = store.last_action("ann")["id"]
    store.undo("ann")
    store.undo("ann")  # the move, replayed backwards
    assert set(store.touched_spans(last - 1, last - 1)) == {(article, "ann", 0, 11), (article, "ann", 6, 11)}
