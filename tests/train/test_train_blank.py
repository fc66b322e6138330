"""Training on a blank English pipeline: fast, and the same code path as the real model."""

from __future__ import annotations

import json

import pytest
import spacy
from conftest import WHO

from annotator import model as m
from annotator import ops, train
from annotator.errors import Cancelled, ModelError
from annotator.suggest import Suggester
from annotator.suggest.entity_rules import SOURCE as RULES


def _blank():
    return spacy.blank("en")


def test_train_writes_a_versioned_pipeline_with_scores_and_records_it(blank_store):
    seen = []
    report = train.train(
        blank_store,
        annotator=WHO,
        epochs=2,
        load_base=_blank,
        progress=lambda d, t: seen.append((d, t)),
        force=True,
    )
    assert report.path == blank_store.path.with_name("news.models") / "annotator-v1"
    assert report.source == "spacy:en_annotator@1"
    assert (report.path / "meta.json").is_file()
    assert json.loads((report.path / "train-report.json").read_text())["version"] == 1
    assert train.trained_model(blank_store) == report.path
    assert report.train_articles + report.held_out_articles == 8 and report.held_out_articles == 2
    assert set(report.before) == set(report.after) == {"entity", "issue"}
    assert "MINISTRY" in report.after["entity"].labels
    assert seen and seen[-1][0] == seen[-1][1]
    table = report.format_table()
    assert "MINISTRY" in table and "before P" in table

    again = train.train(blank_store, annotator=WHO, layer="issue", epochs=1, load_base=_blank, force=True)
    assert again.version == 2 and again.layers == ("issue",)
    assert train.trained_model(blank_store).name == "annotator-v2"
    # The entity layer was not trained this time: it is kept from version 1.
    assert "ner" in spacy.load(again.path).pipe_names


def test_a_trained_pipeline_suggests_with_its_own_provenance(blank_store):
    report = train.train(blank_store, annotator=WHO, epochs=2, load_base=_blank, force=True)
    suggester = Suggester(model=report.path)
    assert suggester.sources == {
        "entity": f"spacy:en_annotator@1+{RULES}",
        "issue": "spacy:en_annotator@1+taxonomy:news-issues@3",
    }
    spans = suggester.suggest_one("The Ministry of Finance blamed tariffs for rising prices.")
    assert {s.source for s in spans} <= set(suggester.sources.values())

    summary = ops.suggest(blank_store)  # the recorded pipeline is the default
    assert set(summary.spans) <= {f"spacy:en_annotator@1+{RULES}", "spacy:en_annotator@1+taxonomy:news-issues@3"}


def test_refresh_replaces_old_model_suggestions_on_unfinished_articles_only(blank_store):
    report = train.train(blank_store, annotator=WHO, epochs=1, load_base=_blank, force=True)
    ids = blank_store.article_ids()
    done, todo = ids[0], ids[-1]
    old = "spacy:en_core_web_sm@3.8.0"
    for aid in (done, todo):
        blank_store.store_suggestions([(aid, [m.SuggestedSpan(0, 3, "ORG", m.ENTITY, old)])], [old])
    result = train.refresh_suggestions(blank_store, WHO)
    assert result["articles"] == 2  # the two articles not marked done
    assert result["sources"]["entity"] == f"{report.source}+{RULES}"
    assert any(s.source == old for s in blank_store.suggestions(done))
    assert not any(s.source == old for s in blank_store.suggestions(todo))


def test_cancel_writes_nothing(blank_store):
    calls = {"n": 0}

    def cancelled():
        calls["n"] += 1
        return calls["n"] > 12

    with pytest.raises(Cancelled):
        train.train(blank_store, annotator=WHO, epochs=3, load_base=_blank, cancelled=cancelled)
    folder = train.models_dir(blank_store)
    assert not folder.exists() or not any(folder.iterdir())
    assert train.trained_model(blank_store) is None
    assert blank_store.get_setting(train.TRAINED_MODEL) is None


def test_nothing_to_train_from_says_what_to_do(blank_store):
    with pytest.raises(ModelError, match="mark articles done"):
        train.train(blank_store, annotator="nobody", load_base=_blank, force=True)


def test_uncertainty_order_ranks_unfinished_articles(blank_store):
    train.train(blank_store, annotator=WHO, epochs=1, load_base=_blank, force=True)
    ranked = train.uncertainty_order(blank_store, WHO, base="")
    unfinished = set(blank_store.article_ids(annotator=WHO, state=m.TODO))
    assert {aid for aid, _ in ranked} == unfinished and len(ranked) == 2
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True) and all(s >= 0 for s in scores)


def test_uncertainty_needs_a_trained_model(blank_store):
    with pytest.raises(ModelError, match="annotator train"):
        train.uncertainty_order(blank_store, WHO, base="")


def test_a_pipeline_that_scores_lower_on_held_out_articles_is_written_but_not_adopted(
    blank_store, issue_scores_fall
):
    report = train.train(blank_store, annotator=WHO, epochs=2, load_base=_blank)
    assert report.worse == tuple(lay for lay in report.layers if report.after[lay].f < report.before[lay].f)
    assert report.worse, "this small run should score lower on some layer"
    assert not report.adopted
    assert (report.path / "meta.json").is_file()
    assert train.trained_model(blank_store) is None
    assert "not adopted: held-out F fell" in report.format_table()
    forced = train.train(blank_store, annotator=WHO, epochs=2, load_base=_blank, force=True)
    assert forced.worse and forced.adopted and train.trained_model(blank_store) == forced.path
    assert "adopted: suggestions now come from spacy:en_annotator@2 (forced" in forced.format_table()


def test_a_fall_within_chance_on_few_held_out_articles_does_not_stop_adoption(blank_store, issue_scores_fall):
    issue_scores_fall["share"] = 0.6  # lower on 60% of resamples: the held-out articles cannot tell
    report = train.train(blank_store, annotator=WHO, epochs=2, load_base=_blank)
    assert report.fell == ("issue",) and report.worse == ()
    assert report.adopted and train.trained_model(blank_store) == report.path
    assert "held-out F fell within chance on 2 articles: issue" in report.verdict
    assert "lower on 60% of resamples" in report.verdict
    assert report.to_dict()["worse_share"]["issue"] == 0.6


def test_the_span_categorizer_can_still_be_chosen_for_issues(blank_store):
    report = train.train(
        blank_store,
        annotator=WHO,
        layer="issue",
        epochs=2,
        load_base=_blank,
        issue_model="spancat",
        force=True,
    )
    names = spacy.load(report.path).pipe_names
    assert names[-5:] == ["issue_candidates", "spancat", "issue_combiner", "issue_classifier", "issue_memory"]
    default = train.train(blank_store, annotator=WHO, layer="issue", epochs=2, load_base=_blank, force=True)
    assert "spancat" not in spacy.load(default.path).pipe_names
    text = "Officials blamed tariffs and pension reform."
    said = {
        (text[s.start : s.end], s.label)
        for s in Suggester(model=default.path, entities=False).suggest_one(text)
    }
    # The taxonomy's match, and the phrase the annotators marked that the taxonomy does not know.
    assert {("tariffs", "TARIFFS"), ("pension reform", "ECONOMY")} <= said


def test_an_unknown_issue_model_is_refused_with_the_choices(blank_store):
    with pytest.raises(ModelError, match="memory, spancat"):
        train.train(blank_store, annotator=WHO, load_base=_blank, issue_model="crf")


def test_worse_share_is_a_paired_bootstrap_over_the_held_out_articles():
    from spacy.tokens import Span as SpacySpan

    from annotator.train.data import TrainingArticle
    from annotator.train.trainer import worse_share

    nlp = spacy.blank("en")
    texts = [f"Anna Keller met Li Wei in Kenya on day {i}." for i in range(6)]
    arts = [
        TrainingArticle(str(i), t, (m.Span(0, 11, "PERSON", m.ENTITY), m.Span(16, 22, "PERSON", m.ENTITY)))
        for i, t in enumerate(texts)
    ]

    def docs(right: set[int]):
        out = []
        for i, t in enumerate(texts):
            doc = nlp(t)
            doc.ents = [
                SpacySpan(doc, 0, 2, "PERSON"),
                SpacySpan(doc, 3, 5, "PERSON" if i in right else "GPE"),
            ]
            out.append(doc)
        return out

    everything, half = docs(set(range(6))), docs({0, 1, 2})
    assert worse_share(everything, half, arts, m.ENTITY) > 0.95  # worse on every article it differs
    assert worse_share(half, everything, arts, m.ENTITY) == 0.0
    assert worse_share(half, half, arts, m.ENTITY) == 0.0  # never strictly lower
    assert worse_share([], [], [], m.ENTITY) == 0.0
