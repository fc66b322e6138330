"""Label Studio offsets counted in UTF-16 units after an emoji (Label Studio issue #1347)."""

from __future__ import annotations

import json

import pytest

from annotator.errors import InputError
from annotator.importers import ReadOptions, read

TEXT = "Fans 🎉🎉 cheered as Angela Merkel met Obama in Berlin."


def utf16(text: str, part: str) -> tuple[int, int]:
    """Offsets of ``part`` in ``text`` counted as JavaScript counts them."""
    start = text.index(part)
    before = len(text[:start].encode("utf-16-le")) // 2
    return before, before + len(part.encode("utf-16-le")) // 2


def task(regions: list[tuple[int, int, str, str | None]]) -> dict:
    result = []
    for start, end, label, shown in regions:
        value = {"start": start, "end": end, "labels": [label]}
        if shown is not None:
            value["text"] = shown
        result.append({"from_name": "label", "to_name": "text", "type": "labels", "value": value})
    return {"data": {"text": TEXT}, "annotations": [{"completed_by": 1, "result": result}]}


def covered(doc) -> list[tuple[str, str]]:
    return [(doc.text[s.start : s.end], s.label) for s in doc.spans]


WANT = [("Angela Merkel", "PERSON"), ("Obama", "PERSON"), ("Berlin", "GPE")]


@pytest.mark.parametrize("with_text", [False, True])
def test_utf16_offsets_are_converted_with_a_warning(write_file, with_text):
    regions = [(*utf16(TEXT, part), label, part if with_text else None) for part, label in WANT]
    path = write_file("ls.json", json.dumps([task(regions)], ensure_ascii=False))
    result = read(path)
    assert covered(result.docs[0]) == WANT
    assert any("UTF-16 units" in w and "converted" in w for w in result.warnings)


def test_code_point_offsets_stay_as_they_are(write_file):
    regions = [(TEXT.index(part), TEXT.index(part) + len(part), label, None) for part, label in WANT]
    result = read(write_file("ls.json", json.dumps([task(regions)], ensure_ascii=False)))
    assert covered(result.docs[0]) == WANT
    assert not any("UTF-16" in w for w in result.warnings)


def test_regions_that_disagree_are_refused_with_the_reason(write_file):
    start = TEXT.index("Obama")
    regions = [(*utf16(TEXT, "Angela Merkel"), "PERSON", None), (start, start + 5, "PERSON", None)]
    path = write_file("ls.json", json.dumps([{"data": {"text": "ok"}}, task(regions)], ensure_ascii=False))
    with pytest.raises(InputError, match="--offsets") as info:
        read(path)
    assert f"{path}: record 2" in str(info.value) and "UTF-16" in str(info.value)


def test_offsets_option_decides(write_file):
    # "Obama" read as code points is "Obama"; read as UTF-16 units it is two characters off.
    start = TEXT.index("Obama")
    path = write_file("ls.json", json.dumps([task([(start, start + 5, "PERSON", None)])], ensure_ascii=False))
    assert covered(read(path, options=ReadOptions(offsets="codepoints")).docs[0]) == [("Obama", "PERSON")]
    forced = read(path, options=ReadOptions(offsets="utf16")).docs[0]
    assert covered(forced) == [(TEXT[start - 2 : start + 3], "PERSON")]
    with pytest.raises(InputError, match="unknown offsets"):
        read(path, options=ReadOptions(offsets="bytes"))
