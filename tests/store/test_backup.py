"""same_file notices a database file deleted, moved or replaced; save_copy saves it anyway."""

from __future__ import annotations

import os

import pytest

from annotator import model as m
from annotator.errors import StoreError
from annotator.model import ENTITY, Label, Span
from annotator.store import Store
from annotator.store.backup import file_identity, same_file, save_copy

TEXT = "Angela Merkel met Joe Biden in Berlin."


def _open(path) -> Store:
    store = Store(path)
    store.ensure_labels([Label("PERSON", ENTITY), Label("ORG", ENTITY)])
    store.add_articles([TEXT])
    store.add_span("ana", m.article_id(TEXT), Span(0, 13, "PERSON"))
    return store


def _spans(path) -> list[tuple[int, int, str]]:
    with Store(path) as store:
        return [(a.start, a.end, a.label) for a in store.annotations(m.article_id(TEXT), "ana")]


def test_the_file_opened_is_the_same_file_until_it_is_deleted(tmp_path):
    store = _open(tmp_path / "a.db")
    try:
        assert same_file(store) and same_file(store)
        os.remove(tmp_path / "a.db")
        assert not same_file(store)
        # the connection still takes writes, into a file nobody will find again
        store.add_span("ana", m.article_id(TEXT), Span(18, 27, "PERSON"))
        assert not (tmp_path / "a.db").exists()
    finally:
        store.close()


def test_a_moved_or_replaced_file_is_not_the_same_file(tmp_path):
    moved, replaced = _open(tmp_path / "m.db"), _open(tmp_path / "r.db")
    try:
        assert same_file(moved) and same_file(replaced)
        os.rename(tmp_path / "m.db", tmp_path / "elsewhere.db")
        assert not same_file(moved)
        Store(tmp_path / "other.db").close()
        os.replace(tmp_path / "other.db", tmp_path / "r.db")
        assert (tmp_path / "r.db").exists() and not same_file(replaced)
    finally:
        moved.close()
        replaced.close()


def test_a_copy_saved_after_the_file_was_deleted_holds_every_write(tmp_path):
    store = _open(tmp_path / "a.db")
    try:
        os.remove(tmp_path / "a.db")
        store.add_span("ana", m.article_id(TEXT), Span(18, 27, "PERSON"))
        out = save_copy(store, tmp_path / "saved.db")
    finally:
        store.close()
    assert out == (tmp_path / "saved.db").absolute()
    assert sorted(_spans(out)) == [(0, 13, "PERSON"), (18, 27, "PERSON")]
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())
    assert file_identity(out) is not None and file_identity(tmp_path / "a.db") is None


def test_a_copy_is_never_written_over_the_store_s_own_name_or_a_database_in_use(tmp_path):
    store = _open(tmp_path / "a.db")
    busy = Store(tmp_path / "busy.db")
    busy.set_setting("open", "yes")  # open and written: its write-ahead log is there
    try:
        with pytest.raises(StoreError, match="under another name"):
            save_copy(store, tmp_path / "a.db")
        assert (tmp_path / "busy.db-wal").exists()
        with pytest.raises(StoreError, match="in use"):
            save_copy(store, tmp_path / "busy.db")
        with pytest.raises(StoreError, match="cannot write the copy"):
            save_copy(store, tmp_path / "no such folder" / "x.db")
    finally:
        store.close()
        busy.close()
