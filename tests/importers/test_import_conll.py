"""CoNLL / IOB files."""

from __future__ import annotations

import json

import pytest

from annotator.errors import InputError
from annotator.importers import read


def ents(doc) -> list[tuple[str, str]]:
    return [(doc.text[s.start : s.end], s.label) for s in doc.spans]


def tokens_of(path) -> list[list[tuple[str, str]]]:
    """Blocks of (token, tag) from a simple two-column file."""
    blocks, block = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            token, tag = line.split()
            block.append((token, tag))
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    return blocks


def test_real_spacy_iob_sample(interop):
    path = interop / "conll" / "spacy_ner-token-per-line.iob"
    result = read(path)
    assert result.format == "conll"
    [doc] = result.docs
    [block] = tokens_of(path)
    assert doc.text == " ".join(token for token, _ in block)
    assert ents(doc) == [
        ("Sebastian Thrun", "PERSON"),
        ("Google", "ORG"),
        ("2007", "DATE"),
        ("American", "NORP"),
        ("Thrun", "PERSON"),
        ("Recode", "ORG"),
        ("earlier this week", "DATE"),
    ]
    assert doc.annotators == [None]
    assert any("rebuilt" in w for w in result.warnings)


def test_real_doccano_conll_without_final_newline(interop):
    path = interop / "conll" / "doccano_test_example.conll"
    docs = read(path).docs
    assert [d.text for d in docs] == ["JAPAN GET", "Nadim Ladki"]
    assert [ents(d) for d in docs] == [[("JAPAN", "LOC")], [("Nadim Ladki", "PER")]]


def test_docstart_sections_are_articles_and_sentences_are_lines(write_file):
    path = write_file(
        "a.conll",
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n"
        "Blackburn NNP I-NP I-PER\n\n\n-DOCSTART- -X- -X- O\n\nBRUSSELS NNP B-NP B-LOC\n\n\n",
    )
    first, second = read(path).docs
    assert first.text == "EU rejects\nPeter Blackburn"
    assert ents(first) == [("EU", "ORG"), ("Peter Blackburn", "PER")]
    assert second.text == "BRUSSELS"
    assert first.location == f"{path}:1" and second.location == f"{path}:10"


def test_iob1_io_bioes_tabs_comments(write_file):
    path = write_file(
        "a.iob",
        "# sent_id = 1\n"
        "Peter\tI-PER\nBlackburn\tI-PER\nMary\tB-PER\nsaw\tO\n#hashtag\tO\n\n"
        "# text = io tags\n"
        "new   city\nyork   city\nis    o\nbig   o\n\n"
        "Big\tB-ORG\nCorp\tE-ORG\nand\tO\nX\tS-ORG",
    )
    result = read(path)
    iob1, io, bioes = result.docs
    assert iob1.text == "Peter Blackburn Mary saw #hashtag"
    assert ents(iob1) == [("Peter Blackburn", "PER"), ("Mary", "PER")]
    assert ents(io) == [("new york", "city")]  # IO types are kept as written
    assert ents(bioes) == [("Big Corp", "ORG"), ("X", "ORG")]
    assert any("IOB1" in w for w in result.warnings)


def test_annotator_text_round_trip_hook(write_file):
    text = "Dr. Ángela  Merkel visited\r\nParis.\n\nThe EU\u2028budget rose."
    lines = ["-DOCSTART- -X- -X- O", f"# annotator_text = {json.dumps(text)}"]
    lines += ["Dr.\tO", "Ángela\tB-PER", "Merkel\tI-PER", "visited\tO", "", "Paris\tB-GPE", ".\tO", ""]
    lines += ["The\tO", "EU\tB-ORG", "budget\tO", "rose\tO", ".\tO", ""]
    lines += ["-DOCSTART- -X- -X- O", f"# annotator_text = {json.dumps('Short one', ensure_ascii=False)}"]
    lines += ["Short\tB-X", "one\tO"]
    path = write_file("rt.conll", "\n".join(lines) + "\n")
    result = read(path)
    first, second = result.docs
    assert first.text == text
    assert ents(first) == [("Ángela  Merkel", "PER"), ("Paris", "GPE"), ("EU", "ORG")]
    assert second.text == "Short one" and ents(second) == [("Short", "X")]
    assert not any("rebuilt" in w for w in result.warnings)


def test_annotator_text_accepts_underscored_whitespace(write_file):
    lines = [
        "-DOCSTART- -X- -X- O",
        '# annotator_text = "New\\u00a0York rocks"',
        "New_York\tB-GPE",
        "rocks\tO",
    ]
    [doc] = read(write_file("a.conll", "\n".join(lines))).docs
    assert ents(doc) == [("New\xa0York", "GPE")]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("EU\tB-ORG\nrejects\n", 2, "expected a token and a tag"),
        (
            '-DOCSTART- -X- -X- O\n# annotator_text = "EU rejects"\nEU\tB-ORG\nrefuses\tO\n',
            4,
            "token 'refuses' not found",
        ),
        (
            '-DOCSTART- -X- -X- O\n# annotator_text = "EU rejects it"\nEU\tB-ORG\nrejects\tO\n',
            1,
            "after the last token",
        ),
        ("-DOCSTART- -X- -X- O\n# annotator_text = EU rejects\nEU\tB-ORG\n", 2, "not a JSON string"),
        ("-DOCSTART- -X- -X- O\n# annotator_text = 5\nEU\tB-ORG\n", 2, "must be a JSON string"),
        # A prefix that is no IOB prefix, or a prefix without a type, is a bad tag, not an IO type.
        ("Angela\tB-PER\nParis\tX-LOC\n", 2, "bad tag 'X-LOC'"),
        ("Paris\tB-\nis\tO\n", 1, "bad tag 'B-'"),
        ("Paris\tB-LOC\nCity\tI-\n", 2, "bad tag 'I-'"),
    ],
)
def test_malformed_conll_names_the_line(write_file, content, line, message):
    path = write_file("bad.conll", content)
    with pytest.raises(InputError, match=message) as info:
        read(path)
    assert f"{path}:{line}:" in str(info.value)


def test_only_comments_is_no_tokens(write_file):
    with pytest.raises(InputError, match="no tokens"):
        read(write_file("a.conll", "# just a comment\n\n"))
