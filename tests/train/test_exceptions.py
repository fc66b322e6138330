"""Taxonomy exceptions from rejected issue suggestions: preview, apply, re-suggest."""

from __future__ import annotations

import json

import pytest
import spacy

from annotator import model as m
from annotator import ops, train
from annotator.errors import ModelError
from annotator.paths import resource
from annotator.store import Store
from annotator.suggest.taxonomy import load_taxonomy
from annotator.train.exceptions import with_exception

UNION = "The trade union called a strike at the port."
TALKS = "Trade talks with Japan resumed on Monday."
BOTH = "Trade unions oppose the new trade deal, and trade union leaders said so."


@pytest.fixture
def store(tmp_path, taxonomy_file):
    store = Store(tmp_path / "news.db")
    store.set_setting(train.USER_TAXONOMY, str(taxonomy_file))
    ops.ensure_default_labels(store, taxonomy_file)
    store.add_articles([UNION, TALKS, BOTH])
    ops.suggest(store, nlp=spacy.blank("en"), entities=False)
    yield store
    store.close()


def _trade(store, text):
    return sorted(
        text[s.start : s.end] for s in store.suggestions(m.article_id(text), "ann") if s.label == "TRADE"
    )


def test_preview_lists_every_matching_suggestion_with_context_and_changes_nothing(store):
    assert _trade(store, UNION) == ["trade"]
    pattern, matches = train.preview_exception(store, "TRADE", "trade unions", nlp=spacy.blank("en"))
    assert pattern == "trade unions"  # no lemmatizer in a blank pipeline: the words, lowercased
    pattern, matches = train.preview_exception(store, "TRADE", "trade union", nlp=spacy.blank("en"))
    assert pattern == "trade union"
    found = sorted((mt.article_id, mt.text) for mt in matches)
    assert found == sorted(
        [(m.article_id(UNION), "trade"), (m.article_id(BOTH), "Trade"), (m.article_id(BOTH), "trade")]
    )
    assert all("[" in mt.context and "union" in mt.context.lower() for mt in matches)
    assert _trade(store, UNION) == ["trade"]  # preview writes nothing
    assert store.get_setting(train.USER_TAXONOMY).endswith("test-issues.json")


def test_apply_removes_trade_union_suggestions_keeps_others_and_decisions(store, taxonomy_file):
    rejected = next(s for s in store.suggestions(m.article_id(UNION), "ann") if s.label == "TRADE")
    store.reject("ann", rejected.id)
    result = train.apply_exception(
        store, "TRADE", "trade union", nlp=spacy.blank("en"), suggest_nlp=spacy.blank("en")
    )
    assert len(result["removed"]) == 3 and result["articles"] == 2
    bundled = json.loads(resource("taxonomy.json").read_text(encoding="utf-8"))["version"]
    assert result["source"] == f"taxonomy:test-issues@{bundled + 1}"
    assert _trade(store, UNION) == []
    assert _trade(store, TALKS) == ["Trade talks"]
    assert _trade(store, BOTH) == ["trade deal"]
    # The rejection is still in the ledger of decisions.
    assert [d["decision"] for d in store.decisions("ann")] == ["rejected"]
    # The database's own taxonomy holds the exception; the file it came from is untouched.
    path = result["taxonomy"]
    assert path == store.path.with_name("news.taxonomy.json")
    assert train.user_taxonomy(store) == path
    assert "trade union" in load_taxonomy(path).issue("TRADE").exceptions
    trade = next(i for i in json.loads(taxonomy_file.read_text())["issues"] if i["label"] == "TRADE")
    assert trade["exceptions"] == []
    # Suggesting again uses it by default.
    ops.suggest(store, nlp=spacy.blank("en"), entities=False)
    assert _trade(store, UNION) == []


def test_with_exception_bumps_the_version_and_refuses_duplicates(taxonomy_file):
    tax = load_taxonomy(taxonomy_file)
    new = with_exception(tax, "TRADE", "trade fair")
    assert new.version == tax.version + 1 and new.issue("TRADE").exceptions == ("trade fair",)
    with pytest.raises(ModelError, match="already"):
        with_exception(new, "TRADE", "trade fair")
    with pytest.raises(ModelError, match="use one of"):
        with_exception(tax, "NOPE", "x")
