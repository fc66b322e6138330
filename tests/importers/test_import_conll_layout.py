"""CoNLL files whose columns are not just token and tag: GermEval, CoNLL-2003, GUM-style IO .tsv."""

from __future__ import annotations

import pytest

from annotator.errors import InputError
from annotator.importers import ReadOptions, detect_format, read


def ents(doc) -> list[tuple[str, str]]:
    return [(doc.text[s.start : s.end], s.label) for s in doc.spans]


GERMEVAL_LIKE = (
    "#\thttp://de.wikipedia.org/wiki/Toyota_Crown\t[2009-08-13]\t\n"
    "1\tDie\tO\tO\n2\tReichsvereinigung\tB-ORG\tO\n3\tder\tI-ORG\tO\n4\tJuden\tI-ORG\tO\n"
    "5\tin\tI-ORG\tO\n6\tDeutschland\tI-ORG\tB-LOC\n7\t#\tO\tO\n8\t.\tO\tO\n\n"
    "#\tswr.de vom 20.10.2005\t[2005-10-20]\t\n1\tIm\tO\tO\n2\tFall\tO\tO\n"
)


def test_index_column_comments_and_outer_tags(write_file):
    path = write_file("germeval.tsv", GERMEVAL_LIKE)
    assert detect_format(path) == "conll"
    result = read(path)
    first, second = result.docs
    assert first.text == "Die Reichsvereinigung der Juden in Deutschland # ."
    assert ents(first) == [("Reichsvereinigung der Juden in Deutschland", "ORG")]
    assert second.text == "Im Fall" and ents(second) == []
    assert any("columns 3, 4 all hold tags; read column 3 (the outer entities)" in w for w in result.warnings)
    nested = read(path, options=ReadOptions(tag_column=4))
    assert ents(nested.docs[0]) == [("Deutschland", "LOC")]


def test_real_germeval_dev_set_matches_seqeval(interop):
    path = interop / "conll" / "germeval2014_NER-de-dev.tsv"
    if not path.exists():
        pytest.skip("the GermEval sample is not in ../shared/data yet")
    get_entities = pytest.importorskip("seqeval.metrics.sequence_labeling").get_entities

    # seqeval reads the outer column of every sentence on its own: the reference count.
    outer, nested, sentence = [], [], []
    for line in path.read_text(encoding="utf-8").split("\n") + [""]:
        if not line.strip():
            if sentence:
                outer.append([c[2] for c in sentence])
                nested.append([c[3] for c in sentence])
            sentence = []
        elif not line.startswith("#\t"):
            sentence.append(line.split("\t"))
    result = read(path)
    assert len(result.docs) == len(outer) == 2200
    got = [[(d.text[s.start : s.end], s.label) for s in d.spans] for d in result.docs]
    assert sum(map(len, got)) == sum(len(get_entities(tags)) for tags in outer)
    assert not any(label.startswith("[") or "http" in text for doc in got for text, label in doc)
    assert got[0] == [("Ecce homo", "OTH"), ("Jesu", "PER")]
    with_nested = read(path, options=ReadOptions(tag_column=4))
    assert sum(len(d.spans) for d in with_nested.docs) == sum(len(get_entities(tags)) for tags in nested)


def test_conll2003_reads_the_last_of_two_tag_columns(write_file):
    path = write_file(
        "eng.train", "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n"
    )
    result = read(path, "conll")
    assert ents(result.docs[0]) == [("EU", "ORG"), ("German", "MISC")]
    assert any("read column 4 (the last, as in CoNLL-2003)" in w for w in result.warnings)
    chunks = read(path, "conll", options=ReadOptions(tag_column=3))
    assert ents(chunks.docs[0]) == [("EU", "NP"), ("rejects", "VP"), ("German call", "NP")]


def test_gum_style_io_tsv_is_conll_not_csv(write_file):
    path = write_file(
        "gum.tsv",
        "Pacific\tperson\nStandard\tperson\nowner\tperson\n,\tO\ndisplays\tO\nthe\tO\n"
        "Santorum\tsubstance\ncocktail\tsubstance\n.\tO\n\nHe\tperson\nleft\tO\n",
    )
    assert detect_format(path) == "conll"
    first, second = read(path).docs
    assert ents(first) == [("Pacific Standard owner", "person"), ("Santorum cocktail", "substance")]
    assert ents(second) == [("He", "person")]


def test_conll_named_txt_is_sniffed(write_file):
    path = write_file("train.txt", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n")
    assert detect_format(path) == "conll"
    assert detect_format(write_file("note.txt", "EU rejects German call.\nIt is a boycott.\n")) == "text"


@pytest.mark.parametrize(
    ("content", "option", "message"),
    [
        # A CoNLL-U file: no column holds entity tags; refused rather than guessed.
        (
            "1\tEU\teu\tPROPN\t_\t_\t2\tnsubj\t_\tSpaceAfter=No\n2\trejects\treject\tVERB\t_\t_\t0\troot\t_\t_\n",
            None,
            "cannot tell which of its 10 columns",
        ),
        ("1\tEU\tB-ORG\tO\n2\trejects\tO\tO\n", 1, "--tag-column 1 is not a column after the tokens"),
        ("1\tEU\tB-ORG\tO\n2\trejects\tO\tO\n", 5, "--tag-column 5 is not a column after the tokens"),
    ],
)
def test_columns_that_cannot_be_read_are_refused(write_file, content, option, message):
    path = write_file("a.conll", content)
    with pytest.raises(InputError, match=message) as info:
        read(path, options=ReadOptions(tag_column=option))
    assert str(path) in str(info.value)
