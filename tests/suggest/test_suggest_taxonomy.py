"""The bundled taxonomy and entity labels, and the checks that guard user files."""

from __future__ import annotations

import json
import re

import pytest
from suggest_helpers import issue, taxonomy

from annotator.errors import ModelError
from annotator.model import ENTITY, ISSUE
from annotator.paths import resource
from annotator.suggest import load_entity_labels, load_taxonomy, parse_taxonomy

ONTONOTES = {
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "NORP",
    "FAC",
    "EVENT",
    "PRODUCT",
    "LAW",
    "WORK_OF_ART",
    "LANGUAGE",
    "DATE",
    "TIME",
    "MONEY",
    "PERCENT",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
}


def test_default_taxonomy_is_news_issues_version_3():
    tax = load_taxonomy()
    assert (tax.name, tax.version) == ("news-issues", 3)
    assert tax.source == "taxonomy:news-issues@3"
    assert tax.path == resource("taxonomy.json")


def test_default_taxonomy_covers_the_news_policy_issues():
    tax = load_taxonomy()
    labels = {i.label for i in tax.issues}
    assert len(labels) >= 12
    for needed in (
        "TRADE",
        "TARIFFS",
        "SANCTIONS",
        "ENERGY",
        "IMMIGRATION",
        "VISAS",
        "SECURITY",
        "DIPLOMACY",
        "ECONOMY",
        "TECHNOLOGY",
        "CLIMATE",
        "HEALTH",
        "ELECTIONS",
        "CRIME",
    ):
        assert needed in labels
    assert tax.issue("TARIFFS").parent == "TRADE"
    assert tax.issue("VISAS").parent == "IMMIGRATION"
    assert tax.ancestors("TARIFFS") == ["TRADE"]
    assert {i.label for i in tax.children("TRADE")} == {"TARIFFS", "SANCTIONS"}


def test_default_taxonomy_colours_and_keys_are_distinct_and_every_issue_is_described():
    tax = load_taxonomy()
    colours = [i.colour for i in tax.issues]
    assert len(set(colours)) == len(colours)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    keys = [i.key for i in tax.issues if i.key is not None]
    assert len(set(keys)) == len(keys) and set(keys) <= set("0123456789")
    assert all(i.description.endswith(".") for i in tax.issues)
    assert all(i.patterns for i in tax.issues)
    assert "trade union" in tax.issue("TRADE").exceptions


def test_taxonomy_labels_are_issue_layer_labels_with_parent_colour_and_key():
    tax = load_taxonomy()
    labels = tax.labels()
    assert [lab.name for lab in labels] == [i.label for i in tax.issues]
    assert {lab.layer for lab in labels} == {ISSUE}
    tariffs = next(lab for lab in labels if lab.name == "TARIFFS")
    assert tariffs.parent == "TRADE" and tariffs.colour == tax.issue("TARIFFS").colour
    assert next(lab for lab in labels if lab.name == "TRADE").key == "1"


def test_unknown_issue_names_the_valid_ones():
    with pytest.raises(ModelError, match=r"no issue 'TRADES'.*TRADE, TARIFFS"):
        load_taxonomy().issue("TRADES")


def test_taxonomy_round_trips_through_its_file_format(write_taxonomy):
    tax = load_taxonomy()
    again = load_taxonomy(write_taxonomy(tax.to_dict()))
    assert again.issues == tax.issues
    assert again.source == tax.source


def test_a_string_version_is_kept_in_the_source(write_taxonomy):
    tax = load_taxonomy(write_taxonomy(taxonomy(version="2024.1")))
    assert tax.source == "taxonomy:test-issues@2024.1"


def test_default_entity_labels_are_the_ontonotes_labels():
    labels = load_entity_labels()
    assert {lab.name for lab in labels} == ONTONOTES
    assert {lab.layer for lab in labels} == {ENTITY}
    assert len({lab.colour for lab in labels}) == len(labels)
    keyed = {lab.key: lab.name for lab in labels if lab.key}
    assert sorted(keyed) == list("123456789")
    assert {"PERSON", "ORG", "GPE", "LOC", "DATE", "MONEY"} <= set(keyed.values())
    assert all(lab.description for lab in labels)


def test_entity_label_colours_are_light_enough_for_dark_text():
    # Dark text must stay readable on every label background, in light and dark themes.
    for lab in load_entity_labels() + load_taxonomy().labels():
        r, g, b = (int(lab.colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        assert 0.45 < luminance < 0.9, lab.name


BAD_TAXONOMIES = [
    ("not json", "{", r"not valid JSON"),
    ("a list", "[]", r"expected a JSON object"),
    ("no issues", taxonomy(issues=[]), r"'issues' must be a non-empty list"),
    ("bad name", taxonomy(name="my issues"), r"'name' must be"),
    ("bad version", taxonomy(version=-1), r"'version' must be"),
    ("unknown top field", taxonomy(issue=[]), r"unknown field\(s\) 'issue'"),
    ("lowercase label", taxonomy(issue("trade")), r"label 'trade'; labels are UPPER_SNAKE"),
    (
        "duplicate label",
        taxonomy(issue("TRADE"), issue("TRADE", colour="#445566")),
        r"issue TRADE: the label is used twice",
    ),
    (
        "missing colour",
        taxonomy({k: v for k, v in issue().items() if k != "colour"}),
        r"issue TRADE: missing field\(s\) 'colour'",
    ),
    ("bad colour", taxonomy(issue(colour="red")), r"issue TRADE: 'colour' must be a hex colour"),
    (
        "unknown parent",
        taxonomy(issue("TARIFFS", parent="TRAED")),
        r"issue TARIFFS: parent 'TRAED' is not an issue",
    ),
    (
        "parent cycle",
        taxonomy(issue("A", parent="B"), issue("B", parent="A", colour="#445566")),
        r"issue A: parents form a cycle: A -> B -> A",
    ),
    (
        "duplicate key",
        taxonomy(issue("A", key="1"), issue("B", key="1", colour="#445566")),
        r"issue B: key '1' is already used by A",
    ),
    ("long key", taxonomy(issue(key="F1")), r"issue TRADE: 'key' must be null or one character"),
    ("no patterns", taxonomy(issue(patterns=[])), r"issue TRADE: 'patterns' must list at least one pattern"),
    ("patterns not a list", taxonomy(issue(patterns="tariff")), r"issue TRADE: 'patterns' must be a list"),
    (
        "uppercase phrase",
        taxonomy(issue(patterns=["Tariff"])),
        r"issue TRADE: patterns\[1\] 'Tariff' must be lowercase",
    ),
    (
        "empty phrase",
        taxonomy(issue(patterns=["tariff", "  "])),
        r"issue TRADE: patterns\[2\] is an empty phrase",
    ),
    ("number pattern", taxonomy(issue(patterns=[3])), r"issue TRADE: patterns\[1\] must be a lemma phrase"),
    (
        "uppercase LEMMA",
        taxonomy(issue(patterns=[[{"LEMMA": "Tariff"}]])),
        r"LEMMA value 'Tariff' must be lowercase",
    ),
    (
        "bad exception",
        taxonomy(issue(exceptions=[{}])),
        r"issue TRADE: exceptions\[1\] must be a lemma phrase",
    ),
    ("typo in field", taxonomy(issue(pattern=["x"])), r"issue TRADE: unknown field\(s\) 'pattern'"),
]


@pytest.mark.parametrize("data, message", [b[1:] for b in BAD_TAXONOMIES], ids=[b[0] for b in BAD_TAXONOMIES])
def test_bad_taxonomy_files_are_refused_naming_the_file_and_the_problem(write_taxonomy, data, message):
    path = write_taxonomy(data, name="mine.json")
    with pytest.raises(ModelError, match=message) as caught:
        load_taxonomy(path)
    assert str(path) in str(caught.value)


def test_missing_taxonomy_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match=r"nope\.json does not exist"):
        load_taxonomy(tmp_path / "nope.json")


def test_parse_taxonomy_names_where_the_data_came_from():
    with pytest.raises(ModelError, match=r"^settings: issue TRADE: 'colour'"):
        parse_taxonomy(taxonomy(issue(colour="#12")), "settings")


def test_pattern_spacy_rejects_is_reported_with_file_issue_and_pattern(write_taxonomy):
    import spacy

    from annotator.suggest.ruler import add_issue_ruler

    path = write_taxonomy(taxonomy(issue(patterns=["tariff", [{"LEMMA": "duty", "OP": "sometimes"}]])))
    nlp = spacy.blank("en")
    with pytest.raises(
        ModelError, match=r"issue TRADE: patterns\[2\] .* not a valid spaCy token pattern"
    ) as caught:
        add_issue_ruler(nlp, load_taxonomy(path))
    assert str(path) in str(caught.value)
    assert "issue_ruler" not in nlp.pipe_names


@pytest.mark.parametrize(
    "data, message",
    [
        ({"labels": [{"label": "person"}]}, r"label number 1 has name 'person'"),
        ({"labels": [{"label": "PERSON", "colour": "pink"}]}, r"label PERSON: 'colour' must be a hex colour"),
        (
            {"labels": [{"label": "PERSON", "key": "1"}, {"label": "ORG", "key": "1"}]},
            r"label ORG: key '1' is already used by PERSON",
        ),
        ({"labels": [{"label": "PERSON"}, {"label": "PERSON"}]}, r"label PERSON is listed twice"),
        ([], r"expected an object with a 'labels' list"),
    ],
)
def test_bad_entity_label_files_are_refused(tmp_path, data, message):
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match=message) as caught:
        load_entity_labels(path)
    assert str(path) in str(caught.value)
