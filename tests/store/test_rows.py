"""Row mapping: the fast forms of word counts, titles and JSON are the plain ones."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from annotator.store.rows import title_of, to_json, word_count

# Every kind of whitespace and line break str.split() and str.splitlines() know, and text.
TEXT = st.text(
    alphabet=st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u3000ab é")), max_size=60
)


@given(TEXT)
def test_word_count_is_the_number_of_split_words(text):
    assert word_count(text) == len(text.split())


@given(TEXT, st.integers(min_value=0, max_value=2100))
def test_title_is_the_first_non_empty_line_however_long_the_text(text, pad):
    text = " " * pad + text  # past the 2,000 characters looked at first
    expected = next((line.strip()[:120] for line in text.splitlines() if line.strip()), "(empty)")
    assert title_of(text) == expected


# Long lines: mostly letters, now and then a space or a line break.
LONG = st.text(
    alphabet=st.sampled_from(list("a" * 40 + " " * 8 + "\n\r\x0b\u2028 \t")), min_size=1900, max_size=4500
)


@given(LONG, st.integers(min_value=0, max_value=300))
def test_title_of_a_long_first_line_is_its_first_120_characters(text, pad):
    text = " " * pad + text
    expected = next((line.strip()[:120] for line in text.splitlines() if line.strip()), "(empty)")
    assert title_of(text) == expected


def test_json_is_kept_with_sorted_keys_and_unicode_as_is():
    value = {"b": [1, 2.5, None], "a": {"z": "é\u2028"}}
    assert to_json(value) == json.dumps(value, ensure_ascii=False, sort_keys=True)
    assert to_json({}) == "{}"
