"""Planted disagreements are found, classified and carry every annotator's version."""

from __future__ import annotations

from review_helpers import MEETING, issue, meeting, span

from annotator.model import ENTITY, ISSUE
from annotator.review.disagreements import (
    BOUNDARY_SHIFT,
    LABEL_AND_BOUNDARY,
    LABEL_CONFLICT,
    ONE_SIDED,
    consensus,
    find_disagreements,
    review_queue,
)
from annotator.review.spans import ArticleSpans

T = MEETING


def by_kind(disagreements):
    found = {}
    for d in disagreements:
        found.setdefault((d.layer, d.kind), []).append(d)
    return found


def test_each_planted_entity_disagreement_is_found_with_its_versions():
    found = by_kind(find_disagreements(meeting(), layer=ENTITY))
    assert sorted(found) == [(ENTITY, BOUNDARY_SHIFT), (ENTITY, LABEL_CONFLICT), (ENTITY, ONE_SIDED)]

    (conflict,) = found[(ENTITY, LABEL_CONFLICT)]
    assert conflict.article_id == "meeting"
    assert conflict.region == (T.index("European"), T.index("European") + len("European Union"))
    assert conflict.versions == {
        "ann": span(T, "European Union", "ORG"),
        "bob": span(T, "European Union", "ORG"),
        "cat": span(T, "European Union", "NORP"),
    }

    (shift,) = found[(ENTITY, BOUNDARY_SHIFT)]
    assert shift.versions["cat"] == span(T, "Merkel", "PERSON")
    assert shift.versions["ann"] == shift.versions["bob"] == span(T, "Angela Merkel", "PERSON")
    assert shift.region == (T.index("Angela"), T.index("Merkel") + len("Merkel"))

    (one_sided,) = found[(ENTITY, ONE_SIDED)]
    assert one_sided.versions == {"ann": span(T, "Monday", "DATE"), "bob": None, "cat": None}
    assert one_sided.marked_by == ("ann",)


def test_agreed_spans_go_to_consensus_and_not_to_disagreements():
    result = consensus(meeting())
    assert result.annotators == ("ann", "bob", "cat")
    assert set(result.agreed) == {span(T, "Berlin", "GPE"), issue(T, "met Angela Merkel", "diplomacy")}
    assert all(T[d.start : d.end] != "Berlin" for d in result.disagreements)


def test_issue_labels_on_the_same_words_are_one_label_conflict():
    (conflict,) = find_disagreements(meeting(), layer=ISSUE)
    assert conflict.kind == LABEL_CONFLICT
    assert conflict.layer == ISSUE
    assert {a: v.label for a, v in conflict.versions.items()} == {
        "ann": "health",
        "bob": "economy",
        "cat": "health",
    }


def test_overlapping_issues_with_different_labels_do_not_cluster_together():
    t = "The tax on health care was cut."
    art = ArticleSpans(
        "i",
        t,
        {
            "A": [issue(t, "tax on health care", "health"), issue(t, "tax", "tax")],
            "B": [issue(t, "health care", "health"), issue(t, "tax", "tax")],
        },
    )
    found = find_disagreements(art)
    assert [(d.kind, d.versions["A"].label) for d in found] == [(BOUNDARY_SHIFT, "health")]
    assert consensus(art).agreed == (issue(t, "tax", "tax"),)


def test_split_spans_keep_every_piece_and_mixed_differences_get_their_own_kind():
    t = "New York City Council voted."
    art = ArticleSpans(
        "split",
        t,
        {
            "A": [span(t, "New York City Council", "ORG")],
            "B": [span(t, "New York City", "GPE"), span(t, "Council", "ORG")],
        },
    )
    (d,) = find_disagreements(art)
    assert d.kind == LABEL_AND_BOUNDARY
    assert d.all_spans["B"] == (span(t, "New York City", "GPE"), span(t, "Council", "ORG"))
    assert d.versions["B"] == span(t, "New York City", "GPE")  # the piece covering most


def test_model_suggestions_are_not_an_annotator():
    art = meeting()
    with_model = ArticleSpans(
        art.article_id, art.text, {**art.spans, "model": [span(T, "President", "TITLE")]}
    )
    assert find_disagreements(with_model, model="model") == find_disagreements(art)


def test_review_queue_puts_the_article_with_most_disagreements_first():
    art = meeting()
    calm = ArticleSpans("calm", art.text, {n: art.spans["ann"] for n in ("ann", "bob", "cat")})
    queue = review_queue([calm, art])
    assert [e.article_id for e in queue] == ["meeting", "calm"]
    top = queue[0]
    assert (top.disagreements, top.label_conflicts, top.boundary_shifts, top.one_sided) == (4, 2, 1, 1)
    assert top.agreed == 2
    assert queue[1].disagreements == 0


def test_disagreement_is_json_ready():
    import json

    (d, *_) = find_disagreements(meeting())
    assert json.loads(json.dumps(d.to_dict()))["article_id"] == "meeting"
