"""The issue classifier generalises what the annotators decided to phrases they never saw."""

from __future__ import annotations

import spacy

from annotator import model as m
from annotator.suggest.ruler import add_issue_ruler
from annotator.suggest.taxonomy import parse_taxonomy
from annotator.train import issue_classifier as ic
from annotator.train.data import TrainingArticle

TAXONOMY = parse_taxonomy(
    {
        "name": "t",
        "version": 1,
        "issues": [
            {
                "label": "EDUCATION",
                "description": "Schools.",
                "parent": None,
                "colour": "#aabbcc",
                "patterns": ["school", "student", "university", "college", "teacher"],
            },
            {
                "label": "LABOUR",
                "description": "Work.",
                "parent": None,
                "colour": "#ccbbaa",
                "patterns": ["strike", "union", "wage", "walkout", "pension"],
            },
        ],
    }
)
# News where the schools are scenery (a strike at a school) and the strikes are the story.
TEXTS = [
    "Teachers went on strike at the school over wages.",
    "The union called a strike; the university stayed open.",
    "A student said the strike over pensions was right.",
    "Wage talks failed and the union planned a walkout near the school.",
] * 6


def _nlp():
    nlp = spacy.blank("en")
    add_issue_ruler(nlp, TAXONOMY)
    return nlp


def _article(text: str) -> TrainingArticle:
    spans = []
    for word in ("strike", "wages", "union", "pensions", "Wage", "walkout"):
        at = text.find(word)
        if at >= 0:
            spans.append(m.Span(at, at + len(word), "LABOUR", m.ISSUE))
    return TrainingArticle(m.article_id(text), text, tuple(spans), (), complete=True)


def test_an_issue_the_team_never_marks_is_dropped_even_for_a_new_word():
    nlp = _nlp()
    articles = [_article(t) for t in TEXTS]
    rows, answers = ic.examples(list(nlp.pipe(TEXTS)), articles)
    weights = ic.fit(rows, answers)
    assert weights and weights["issue=EDUCATION"] < 0 < weights["issue=LABOUR"]
    clf = ic.IssueClassifier("issue_classifier")
    clf.weights = weights
    # "college" never occurred in training; the team's habit with EDUCATION carries over.
    doc = clf(nlp("The college shut during the strike."))
    assert [(s.text, s.label_) for s in doc.spans["issues"]] == [("strike", "LABOUR")]


def test_too_few_examples_leave_the_taxonomy_alone_and_weights_round_trip(tmp_path):
    nlp = _nlp()
    rows, answers = ic.examples(list(nlp.pipe(TEXTS[:2])), [_article(t) for t in TEXTS[:2]])
    assert ic.fit(rows, answers) == {}
    clf = ic.IssueClassifier("issue_classifier")
    doc = clf(nlp("The college shut during the strike."))
    assert {s.text for s in doc.spans["issues"]} == {"college", "strike"}
    clf.weights = {"bias": -1.0, "issue=LABOUR": 3.0}
    clf.to_disk(tmp_path / "c")
    again = ic.IssueClassifier("x").from_disk(tmp_path / "c")
    assert (
        again.weights == clf.weights
        and ic.IssueClassifier("y").from_bytes(clf.to_bytes()).weights == clf.weights
    )
