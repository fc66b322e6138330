"""Issues in context: none inside a name or a job title, and generic words only beside another issue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from suggest_helpers import found, issue, taxonomy

from annotator.errors import ModelError
from annotator.model import ISSUE
from annotator.suggest import Suggester, load_taxonomy
from annotator.suggest.evaluate import load_gold

EVAL_SET = Path(__file__).resolve().parents[1] / "eval" / "wikinews.jsonl"


def _suggester(write_taxonomy, *issues, entities=()):
    nlp = spacy.blank("en")
    if entities:
        ruler = nlp.add_pipe("entity_ruler")
        ruler.add_patterns([{"label": label, "pattern": text} for text, label in entities])
    path = write_taxonomy(taxonomy(*issues))
    return Suggester(nlp=nlp, entities=False, taxonomy=path)


def issues(suggester, text):
    return found(suggester.suggest_one(text), text, ISSUE)


def test_no_issue_inside_a_name_but_the_named_topic_itself_counts(write_taxonomy):
    s = _suggester(
        write_taxonomy,
        issue("HEALTH", patterns=["health", "covid-19"]),
        issue("CLIMATE", patterns=["paris agreement"]),
        entities=[("World Health Organization", "ORG"), ("COVID-19", "ORG"), ("Paris Agreement", "LAW")],
    )
    text = "The World Health Organization said COVID-19 harms health; the Paris Agreement holds."
    assert issues(s, text) == {("COVID-19", "HEALTH"), ("health", "HEALTH"), ("Paris Agreement", "CLIMATE")}


def test_no_issue_in_a_job_title_or_an_office(write_taxonomy):
    s = _suggester(write_taxonomy, issue("HEALTH", patterns=["health"]), issue("TRADE", patterns=["trade"]))
    assert issues(s, "The Health Minister and the Minister of Trade met.") == set()
    assert issues(s, "Health spending and trade grew.") == {("Health", "HEALTH"), ("trade", "TRADE")}


def test_a_weak_word_needs_another_issue_nearby(write_taxonomy):
    s = _suggester(write_taxonomy, issue("ECONOMY", patterns=["deficit"], weak=["budget"]))
    assert issues(s, "The budget was printed on blue paper.") == set()
    assert issues(s, "The budget widened the deficit.") == {("budget", "ECONOMY"), ("deficit", "ECONOMY")}
    # The sentence before or after counts as nearby; two sentences away does not.
    assert ("budget", "ECONOMY") in issues(s, "The deficit grew. The budget was late.")
    assert issues(s, "The deficit grew. Rain fell. Then the budget came.") == {("deficit", "ECONOMY")}


def test_a_weak_word_capitalised_beside_another_is_a_name_even_with_no_entities(write_taxonomy):
    # No entity recogniser here: "European Union" and "Labour Party" are told by their capitals.
    s = _suggester(write_taxonomy, issue("LABOUR", patterns=["strike"], weak=["union", "labour"]))
    text = "The European Union and the Labour Party backed the strike."
    assert issues(s, text) == {("strike", "LABOUR")}
    assert issues(s, "The union called a strike.") == {("union", "LABOUR"), ("strike", "LABOUR")}
    assert issues(s, "Union leaders called a strike.") == {("Union", "LABOUR"), ("strike", "LABOUR")}


def test_weak_patterns_are_checked_like_patterns(write_taxonomy):
    path = write_taxonomy(taxonomy(issue("ECONOMY", weak=["Budget"])))
    with pytest.raises(ModelError, match=r"issue ECONOMY: weak\[1\] 'Budget' must be lowercase"):
        load_taxonomy(path)
    # An issue may consist of weak patterns only, and round-trips through to_dict.
    tax = load_taxonomy(write_taxonomy(taxonomy(issue("ECONOMY", patterns=[], weak=["budget"]))))
    assert tax.issue("ECONOMY").weak == ("budget",) and tax.to_dict()["issues"][0]["weak"] == ["budget"]


def test_the_bundled_taxonomy_covers_general_news_with_a_definition_each():
    tax = load_taxonomy()
    labels = {i.label for i in tax.issues}
    # Every label of the first bundled taxonomy is still here, so existing databases keep working.
    assert {
        "TRADE",
        "TARIFFS",
        "SANCTIONS",
        "ENERGY",
        "CLIMATE",
        "IMMIGRATION",
        "VISAS",
        "SECURITY",
        "DIPLOMACY",
        "ECONOMY",
        "LABOUR",
        "HOUSING",
        "TECHNOLOGY",
        "HEALTH",
        "ELECTIONS",
        "CRIME",
        "EDUCATION",
    } <= labels
    assert {"DISASTERS", "RIGHTS", "GOVERNANCE"} <= labels
    for i in tax.issues:
        many = 5 if i.parent else 15
        assert i.description.endswith(".") and len(i.patterns) + len(i.weak) >= many, i.label
    assert tax.issue("ELECTIONS").parent == "GOVERNANCE" and tax.issue("LABOUR").parent is None


def test_the_evaluation_set_names_source_date_and_licence_for_every_article():
    gold = load_gold(EVAL_SET)
    assert len(gold) >= 50
    assert {a.split for a in gold} == {"dev", "test"}
    for a in gold:
        assert a.meta["url"].startswith("https://en.wikinews.org/wiki/"), a.meta
        assert a.meta["date"] and "CC BY 2.5" in a.meta["licence"]
        assert a.entities and all(a.text[s:e] == a.text[s:e].strip() for s, e, _ in a.entities + a.issues)
    assert sum(len(a.issues) for a in gold) > 500
    json.loads(EVAL_SET.read_text(encoding="utf-8").splitlines()[0])
