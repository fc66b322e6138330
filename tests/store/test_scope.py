"""The project's label scope: stored as the labels out of it, defaulting to names and issues."""

from __future__ import annotations

import pytest

from annotator import model as m
from annotator import ops
from annotator.errors import LabelError
from annotator.model import ENTITY, ISSUE, Label, SuggestedSpan
from annotator.store import Store, scope


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "scope.db") as s:
        yield s


def test_a_new_project_suggests_names_and_issues_only(store):
    ops.ensure_default_labels(store)
    inside = {(lab.layer, lab.name) for lab in scope.in_scope(store)}
    entities = {name for layer, name in inside if layer == ENTITY}
    assert entities == set(scope.DEFAULT_ENTITY_SCOPE)
    assert {lab.name for lab in store.labels(ISSUE)} == {name for layer, name in inside if layer == ISSUE}
    assert (ENTITY, "DATE") in scope.labels_off(store) and (ENTITY, "CARDINAL") in scope.labels_off(store)


def test_a_database_without_a_scope_keeps_every_label_and_a_choice_is_never_overwritten(store):
    store.ensure_labels([Label("DATE", ENTITY), Label("PERSON", ENTITY)])
    assert scope.labels_off(store) == frozenset()
    scope.set_scope(store, [(ENTITY, "DATE")], on=False)
    ops.ensure_default_labels(store)  # bundled labels created later: the choice stays
    assert scope.labels_off(store) == {(ENTITY, "DATE")}


def test_enable_and_disable_by_name_and_new_labels_are_in_scope(store):
    ops.ensure_default_labels(store)
    scope.set_scope(store, scope.resolve(store, ["DATE", "TRADE"]), on=True)
    scope.set_scope(store, scope.resolve(store, ["TRADE"]), on=False)
    off = scope.labels_off(store)
    assert (ENTITY, "DATE") not in off and (ISSUE, "TRADE") in off
    store.ensure_labels([Label("RECALL", ISSUE)])
    assert (ISSUE, "RECALL") in {(lab.layer, lab.name) for lab in scope.in_scope(store)}


def test_an_unknown_name_lists_the_labels(store):
    ops.ensure_default_labels(store)
    with pytest.raises(LabelError, match="no label 'DATES'.*CARDINAL"):
        scope.resolve(store, ["DATES"])


def test_suggest_writes_only_what_is_in_scope(store):
    """ops.suggest drops the labels out of scope before they are stored."""
    import spacy

    ops.ensure_default_labels(store)
    scope.set_scope(store, [(ISSUE, "TARIFFS")], on=False)
    text = "Steel tariffs and visa rules changed."
    store.add_articles([text])
    ops.suggest(store, nlp=spacy.blank("en"), entities=False)
    labels = {s.label for s in store.suggestions(m.article_id(text), "ana")}
    assert "TARIFFS" not in labels and labels  # the visa rules are still suggested


def test_shift_a_and_reject_all_touch_only_the_labels_given(store):
    store.ensure_labels([Label("PERSON", ENTITY), Label("DATE", ENTITY)])
    text = "Ann came on Monday and Bob on Friday."
    store.add_articles([text])
    aid = m.article_id(text)
    src = "spacy:x@1"
    spans = [
        SuggestedSpan(0, 3, "PERSON", ENTITY, src),
        SuggestedSpan(12, 18, "DATE", ENTITY, src),
        SuggestedSpan(23, 26, "PERSON", ENTITY, src),
        SuggestedSpan(30, 36, "DATE", ENTITY, src),
    ]
    store.store_suggestions([(aid, spans)], [src])
    store.accept_all("ana", aid, {(ENTITY, "PERSON")})
    assert [a.label for a in store.annotations(aid, "ana")] == ["PERSON", "PERSON"]
    ch = store.reject_all("ana", aid)
    assert ch.count("rejected") == 2
    assert {s.status for s in store.suggestions(aid, "ana") if s.label == "DATE"} == {m.REJECTED}
    store.undo("ana")  # one action: both rejections go
    assert {s.status for s in store.suggestions(aid, "ana") if s.label == "DATE"} == {m.PENDING}


def test_the_article_list_counts_only_pending_in_scope(store):
    store.ensure_labels([Label("PERSON", ENTITY), Label("DATE", ENTITY)])
    text = "Ann came on Monday."
    store.add_articles([text])
    aid = m.article_id(text)
    src = "spacy:x@1"
    store.store_suggestions(
        [(aid, [SuggestedSpan(0, 3, "PERSON", ENTITY, src), SuggestedSpan(12, 18, "DATE", ENTITY, src)])],
        [src],
    )
    assert store.article_rows([aid], "ana")[0].pending == 2
    assert store.article_rows([aid], "ana", hidden={(ENTITY, "DATE")})[0].pending == 1
