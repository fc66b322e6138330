"""brat standoff pairs."""

from __future__ import annotations

import pytest

from annotator.errors import InputError
from annotator.importers import read

TEXT = "Google was founded by Larry Page in California.\nNorth and South Korea met.\n"


def pair(write_file, ann: str, text: str = TEXT, name: str = "doc"):
    write_file(f"{name}.txt", text)
    return write_file(f"{name}.ann", ann)


def test_real_brat_sample_t_lines_match_the_text(interop):
    ann = interop / "brat" / "brat-tutorial-news_040-text_span_annotation.ann"
    result = read(ann.with_suffix(".txt"))
    assert result.format == "brat"
    [doc] = result.docs
    assert doc.text == ann.with_suffix(".txt").read_text(encoding="utf-8")
    expected = [line.split("\t") for line in ann.read_text(encoding="utf-8").splitlines()]
    assert [(doc.text[s.start : s.end], s.label) for s in doc.spans] == [
        (shown, middle.split(" ")[0]) for _, middle, shown in expected
    ]
    assert [s.label for s in doc.spans] == ["Organization", "Person", "Person", "GPE"]
    assert doc.annotators == [None]
    assert doc.title == "Text span annotation"
    assert result.warnings == []


def test_other_lines_are_kept_in_meta_and_counted(write_file):
    ann = pair(
        write_file,
        "T1\tOrganization 0 6\tGoogle\n"
        "T2\tPerson 22 32\tLarry Page\n"
        "R1\tFounder Arg1:T2 Arg2:T1\n"
        "E1\tFound:T1 Agent:T2\n"
        "A1\tNegated E1\n"
        "N1\tReference T1 Wikidata:Q95\tGoogle\n"
        "#1\tAnnotatorNotes T1\tthe company\n",
    )
    result = read(ann)
    [doc] = result.docs
    assert [(doc.text[s.start : s.end], s.label) for s in doc.spans] == [
        ("Google", "Organization"),
        ("Larry Page", "Person"),
    ]
    assert doc.meta["brat"][0] == "R1\tFounder Arg1:T2 Arg2:T1"
    assert len(doc.meta["brat"]) == 5
    assert any("1 relation line" in w and "1 note line" in w for w in result.warnings)


def test_discontinuous_entity_becomes_one_span_per_fragment(write_file):
    # "North ... Korea": fragments 48-53 and 64-69
    ann = pair(write_file, "T1\tGPE 48 53;64 69\tNorth Korea\nT2\tGPE 58 69\tSouth Korea\n")
    result = read(ann)
    [doc] = result.docs
    texts = [(doc.text[s.start : s.end], s.label) for s in doc.spans]
    assert ("North", "GPE") in texts
    assert "T1" in " ".join(result.warnings) and "fragment" in " ".join(result.warnings)
    assert "T1\tGPE 48 53;64 69\tNorth Korea" in doc.meta["brat"]


def test_overlapping_and_nested_entities_keep_the_outermost(write_file):
    ann = pair(
        write_file,
        "T1\tLocation 58 69\tSouth Korea\nT2\tGPE 64 69\tKorea\nT3\tPerson 22 32\tLarry Page\nT4\tFirst 22 27\tLarry\n",
    )
    result = read(ann)
    [doc] = result.docs
    assert [(doc.text[s.start : s.end], s.label) for s in doc.spans] == [
        ("South Korea", "Location"),
        ("Larry Page", "Person"),
    ]
    joined = "\n".join(result.warnings)
    assert "T2 GPE 64-69 'Korea'" in joined and "T4" in joined and "dropped" in joined
    assert "T2\tGPE 64 69\tKorea" in doc.meta["brat"]


def test_nested_spans_whose_labels_are_issues_in_the_database_are_both_kept(write_file):
    """Only entities may not overlap: labels the database knows as issues are not dropped."""
    text = "Washington imposed new tariffs on Chinese steel on Monday.\n"
    ann = pair(
        write_file,
        "T1\tGPE 0 10\tWashington\nT2\tTARIFFS 23 30\ttariffs\nT3\tTRADE 23 47\ttariffs on Chinese steel\n",
        text,
    )
    result = read(ann, layers={"TARIFFS": frozenset({"issue"}), "TRADE": frozenset({"issue"})})
    [doc] = result.docs
    assert [(doc.text[s.start : s.end], s.label, s.layer) for s in doc.spans] == [
        ("Washington", "GPE", "entity"),
        ("tariffs", "TARIFFS", "issue"),
        ("tariffs on Chinese steel", "TRADE", "issue"),
    ]
    assert not any("dropped" in w for w in result.warnings)


def test_empty_ann_imports_the_text_without_spans(write_file):
    [doc] = read(pair(write_file, "")).docs
    assert doc.text == TEXT and doc.spans == [] and doc.annotators == []


@pytest.mark.parametrize(
    ("ann", "line", "message"),
    [
        (
            "T1\tOrganization 0 6\tGoogle\nT2\tPerson 22 32\tLarry Pag\n",
            2,
            "the .ann says the text is 'Larry Pag'",
        ),
        ("T1\tOrganization 0 6\tGoogle\n\nT2\tPerson 22 999\tx\n", 3, "outside the text"),
        ("T1\tOrganization 6 0\tGoogle\n", 1, "ends before it starts"),
        ("T1\tOrganization 6 6\t\n", 1, "empty"),
        ("T1\tOrganization zero six\tGoogle\n", 1, "cannot read type and offsets"),
        ("T1 Organization 0 6 Google\n", 1, "a T line needs"),
        ("X1\tsomething\n", 1, "unknown brat annotation line"),
    ],
)
def test_malformed_ann_names_the_ann_line(write_file, ann, line, message):
    path = pair(write_file, ann)
    with pytest.raises(InputError, match=message) as info:
        read(path.with_suffix(".txt"))
    assert f"{path}:{line}:" in str(info.value)


def test_missing_partner_file(write_file):
    txt = write_file("alone.txt", TEXT)
    with pytest.raises(InputError, match="alone.ann is not beside it"):
        read(txt, "brat")
    ann = write_file("orphan.ann", "T1\tX 0 1\tG\n")
    with pytest.raises(InputError, match="orphan.txt is not beside it"):
        read(ann)
