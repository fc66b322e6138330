"""What every text-based reader shares: decoding, empty and binary files, BOM and CRLF."""

from __future__ import annotations

import pytest

from annotator.errors import InputError
from annotator.importers import read

TEXT_FORMATS = {
    "a.txt": "text",
    "a.jsonl": "jsonl",
    "a.json": "json",
    "a.conll": "conll",
    "a.csv": "csv",
    "a.ann": "brat",
}


@pytest.mark.parametrize("name", sorted(TEXT_FORMATS))
def test_empty_file_is_an_error(write_file, name):
    if name == "a.ann":
        path = write_file("a.txt", "")
        write_file("a.ann", "")
    else:
        path = write_file(name, "")
    with pytest.raises(InputError, match="empty") as info:
        read(path, TEXT_FORMATS[name])
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", sorted(TEXT_FORMATS))
def test_whitespace_only_file_is_empty(write_file, name):
    path = write_file(name, "  \n\n\t\n")
    if name == "a.ann":
        path = write_file("a.txt", "\n\n")
    with pytest.raises(InputError, match="empty"):
        read(path, TEXT_FORMATS[name])


@pytest.mark.parametrize("name", sorted(TEXT_FORMATS))
def test_non_utf8_bytes_are_named_with_the_line(write_file, name):
    content = "first line\nsecond line\ncaf\xe9 au lait\n".encode("latin-1")
    if name == "a.ann":
        path = write_file("a.txt", content)
        write_file("a.ann", "")
    else:
        path = write_file(name, content)
    with pytest.raises(InputError) as info:
        read(path, TEXT_FORMATS[name])
    message = str(info.value)
    assert f"{path.with_suffix('.txt') if name == 'a.ann' else path}:3" in message
    assert "UTF-8" in message
    assert "0xe9" in message


@pytest.mark.parametrize("name", sorted(TEXT_FORMATS))
def test_binary_file_is_refused(write_file, name):
    content = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    if name == "a.ann":
        path = write_file("a.txt", content)
        write_file("a.ann", "")
    else:
        path = write_file(name, content)
    with pytest.raises(InputError, match="binary"):
        read(path, TEXT_FORMATS[name])


def test_utf16_is_named(write_file):
    path = write_file("a.txt", "hello".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read(path)


def test_zip_is_named(write_file):
    path = write_file("a.jsonl", b"PK\x03\x04\x14\x00\x00\x00")
    with pytest.raises(InputError, match="zip"):
        read(path)


def test_bom_is_stripped_and_offsets_count_from_after_it(write_file, write_jsonl):
    path = write_file("a.jsonl", "\ufeff" + '{"text": "EU rejects", "label": [[0, 2, "ORG"]]}\n')
    doc = read(path).docs[0]
    assert doc.text == "EU rejects"
    assert doc.text[doc.spans[0].start : doc.spans[0].end] == "EU"
    text_doc = read(write_file("b.txt", "\ufeffTitle\r\nBody")).docs[0]
    assert text_doc.text == "Title\r\nBody"


def test_crlf_text_is_kept_and_offsets_count_the_cr(write_file):
    write_file("doc.txt", "Intro\r\nGoogle rocks.\r\n")
    ann = write_file("doc.ann", "T1\tORG 7 13\tGoogle\r\n")
    doc = read(ann).docs[0]
    assert doc.text == "Intro\r\nGoogle rocks.\r\n"
    assert doc.text[7:13] == "Google"
    assert (doc.spans[0].start, doc.spans[0].end) == (7, 13)
