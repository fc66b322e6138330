"""The issue memory: the annotators' decision per phrase, learned and applied to new text."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span as SpacySpan

from annotator import model as m
from annotator.train.data import TrainingArticle
from annotator.train.memory import BLOCKED_KEY, MIN_DROP, IssueMemory, learn


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def _issue(text: str, phrase: str, label: str, nth: int = 0) -> m.Span:
    at = -1
    for _ in range(nth + 1):
        at = text.index(phrase, at + 1)
    return m.Span(at, at + len(phrase), label, m.ISSUE)


def _article(text, spans=(), rejected=(), complete=True):
    return TrainingArticle(m.article_id(text), text, tuple(spans), tuple(rejected), complete)


def _learn(nlp, articles):
    return learn([nlp(a.text) for a in articles], articles)


def test_a_phrase_marked_as_an_issue_is_remembered_and_one_rejected_twice_is_not_that_issue(nlp):
    a = "The campaign went on. A gas leak hit the city."
    b = "Another gas leak. The campaign ended."
    arts = [
        _article(a, [_issue(a, "campaign", "ELECTIONS")], [_issue(a, "gas", "ENERGY")]),
        _article(b, [_issue(b, "campaign", "ELECTIONS")], [_issue(b, "gas", "ENERGY")]),
    ]
    assert _learn(nlp, arts) == {("campaign",): {"ELECTIONS": True}, ("gas",): {"ENERGY": False}}


def test_one_rejection_is_not_enough_to_silence_a_phrase(nlp):
    assert MIN_DROP == 2
    a = "A gas leak hit the city."
    assert _learn(nlp, [_article(a, [], [_issue(a, "gas", "ENERGY")])]) == {}


def test_unmarked_mentions_in_done_articles_vote_against_and_a_tie_decides_nothing(nlp):
    a = "Oil prices rose. The oil spill spread."
    arts = [_article(a, [_issue(a, "Oil", "ENERGY")])]  # the second "oil" was left unmarked
    assert _learn(nlp, arts) == {}
    b = "Oil prices rose. The oil spill spread. Oil exports fell."
    arts = [_article(b, [_issue(b, "Oil", "ENERGY"), _issue(b, "Oil", "ENERGY", nth=1)])]
    assert _learn(nlp, arts) == {("oil",): {"ENERGY": True}}


def test_an_unfinished_article_votes_only_with_what_was_marked_or_rejected(nlp):
    a = "Oil prices rose. The oil spill spread. More oil."
    arts = [_article(a, [_issue(a, "Oil", "ENERGY")], complete=False)]
    assert _learn(nlp, arts) == {("oil",): {"ENERGY": True}}


def test_a_mention_inside_a_longer_issue_has_no_say(nlp):
    a = "The trade deal was signed. Trade grew."
    arts = [_article(a, [_issue(a, "trade deal", "TRADE"), _issue(a, "Trade", "TRADE")])]
    assert _learn(nlp, arts) == {("trade", "deal"): {"TRADE": True}, ("trade",): {"TRADE": True}}


def test_a_relabelled_suggestion_teaches_both_labels(nlp):
    a = "Pensions will rise. Pensions are paid."
    spans = [_issue(a, "Pensions", "ECONOMY"), _issue(a, "Pensions", "ECONOMY", nth=1)]
    rejected = [_issue(a, "Pensions", "LABOUR"), _issue(a, "Pensions", "LABOUR", nth=1)]
    assert _learn(nlp, [_article(a, spans, rejected)]) == {("pensions",): {"ECONOMY": True, "LABOUR": False}}


def _doc_with_issues(nlp, text, issues, blocked=()):
    doc = nlp(text)
    spans = []
    for phrase, label in issues:
        s = doc.char_span(text.index(phrase), text.index(phrase) + len(phrase), label=label)
        spans.append(s)
    doc.spans["issues"] = spans
    doc.spans["issues"].attrs["scores"] = [0.9] * len(spans)
    doc.spans[BLOCKED_KEY] = [
        doc.char_span(text.index(p), text.index(p) + len(p), label=label) for p, label in blocked
    ]
    return doc


def _issues(doc):
    return [(s.text, s.label_) for s in doc.spans["issues"]]


def test_the_memory_drops_relabels_and_adds_issues(nlp):
    memory = IssueMemory("issue_memory")
    memory.remember(
        {
            ("gas",): {"ENERGY": False},
            ("campaign",): {"ELECTIONS": True},
            ("pensions",): {"ECONOMY": True, "LABOUR": False},
        }
    )
    text = "A gas leak during the campaign. Pensions rose. Tariffs too."
    doc = _doc_with_issues(nlp, text, [("gas", "ENERGY"), ("Pensions", "LABOUR"), ("Tariffs", "TARIFFS")])
    doc = memory(doc)
    assert _issues(doc) == [("campaign", "ELECTIONS"), ("Pensions", "ECONOMY"), ("Tariffs", "TARIFFS")]
    # Suggestions the memory kept keep their score; added ones have none.
    assert doc.spans["issues"].attrs["scores"] == [None, None, 0.9]


def test_the_memory_adds_nothing_over_an_issue_of_the_same_label_or_where_an_exception_matches(nlp):
    memory = IssueMemory("issue_memory")
    memory.remember({("trade",): {"TRADE": True}, ("union",): {"LABOUR": True}})
    text = "The trade deal and the trade union."
    doc = _doc_with_issues(nlp, text, [("trade deal", "TRADE")], blocked=[("trade union", "TRADE")])
    assert _issues(memory(doc)) == [("trade deal", "TRADE"), ("union", "LABOUR")]


def test_the_memory_survives_saving_and_loading(nlp, tmp_path):
    memory = IssueMemory("issue_memory")
    decisions = {("gas",): {"ENERGY": False}, ("trade", "deal"): {"TRADE": True}}
    memory.remember(decisions)
    memory.to_disk(tmp_path / "memory")
    assert IssueMemory("m").from_disk(tmp_path / "memory").decisions == decisions
    assert IssueMemory("m").from_bytes(memory.to_bytes()).decisions == decisions
    doc = nlp("A new trade deal.")
    doc.spans["issues"] = []
    assert _issues(memory(doc)) == [("trade deal", "TRADE")]
    assert memory.knows(SpacySpan(doc, 2, 4, label="TRADE"))
    assert not memory.knows(SpacySpan(doc, 2, 4, label="ECONOMY"))
