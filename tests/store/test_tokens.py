"""The token boundary cache: per article and tokenizer, never waiting nor raising."""

from __future__ import annotations

import sqlite3


def test_token_bounds_are_kept_per_article_and_tokenizer(store, article):
    other = next(iter(store.add_articles(["Another text."]).articles))
    assert store.token_bounds([article, other], "tok@1") == {}
    assert store.put_token_bounds("tok@1", [(article, b"\x01\x02"), (other, b"\x03")])
    assert store.put_token_bounds("else@1", [(article, b"\x09")])
    assert store.token_bounds([article, other], "tok@1") == {article: b"\x01\x02", other: b"\x03"}
    assert store.token_bounds([other], "tok@1") == {other: b"\x03"}
    assert store.token_bounds([article], "tok@2") == {}
    # A new version of the tokenizer supersedes the old one's rows; another tokenizer's stay.
    assert store.put_token_bounds("tok@2", [(article, b"\x04")])
    assert store.token_bounds([article, other], "tok@1") == {other: b"\x03"}
    assert store.token_bounds([article], "tok@2") == {article: b"\x04"}
    assert store.token_bounds([article], "else@1") == {article: b"\x09"}
    assert store.drop_token_bounds() == 3
    assert store.token_bounds([article, other], "tok@2") == {}


def test_token_bounds_go_with_their_article(store):
    aid = next(iter(store.add_articles(["Deleted later."]).articles))
    store.put_token_bounds("tok@1", [(aid, b"\x01")])
    with store.transaction():
        store.conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
    assert store.conn.execute("SELECT count(*) FROM token_bounds").fetchone()[0] == 0


def test_caching_token_bounds_never_waits_for_a_lock_nor_raises(store, article, monkeypatch):
    from annotator.store import connection as store_module

    monkeypatch.setattr(store_module, "LOCK_WAIT_S", 30.0)
    other = sqlite3.connect(str(store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        assert store.put_token_bounds("tok@1", [(article, b"\x01")]) is False
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0  # restored
    store.conn.execute("PRAGMA query_only = ON")  # as good as a read-only file
    try:
        assert store.put_token_bounds("tok@1", [(article, b"\x01")]) is False
    finally:
        store.conn.execute("PRAGMA query_only = OFF")
    assert store.token_bounds([article], "tok@1") == {}
    assert not store.conn.in_transaction
    assert store.put_token_bounds("tok@1", [(article, b"\x01")]) is True
    assert store.token_bounds([article], "tok@1") == {article: b"\x01"}
