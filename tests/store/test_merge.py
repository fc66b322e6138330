"""Merging another annotator's database into ours (store/merge.py)."""

from __future__ import annotations

import unicodedata

from annotator import model as m
from annotator import ops
from annotator.model import Span
from annotator.store import Store
from annotator.store.merge import merge_database


def test_merge_puts_a_line_ending_or_normalisation_twin_onto_our_article(tmp_path):
    """A CRLF (or NFD) copy of an article is reported and merged onto ours, offsets mapped."""
    lf = "Oil prices rose.\nThe EU agreed an embargo on Tuesday.\n"
    crlf = lf.replace("\n", "\r\n")
    nfc = "Cafe\u0301s in Zu\u0308rich closed. The EU said so."  # decomposed here ...
    nfd, nfc = nfc, unicodedata.normalize("NFC", nfc)  # ... composed in our database

    def db(name: str, who: str, texts: list[str]):
        with Store(tmp_path / name) as s:
            ops.ensure_default_labels(s)
            s.add_articles(texts)
            for t in texts:
                for word, label in (("EU", "ORG"), ("Tuesday", "DATE")):
                    if word in t:
                        i = t.index(word)
                        s.add_span(who, m.article_id(t), Span(i, i + len(word), label))
                s.set_state(who, m.article_id(t), m.DONE)
        return tmp_path / name

    ours, theirs = db("a.db", "alice", [lf, nfc]), db("b.db", "bob", [crlf, nfd])
    with Store(ours) as s:
        report = merge_database(s, theirs)
        assert len(report.twins) == 2 and report.near_duplicates == [] and report.unmapped == 0
        assert s.article_count() == 2
        for text in (lf, nfc):
            aid = m.article_id(text)
            bob = {(text[a.start : a.end], a.label) for a in s.annotations(aid, "bob")}
            alice = {(text[a.start : a.end], a.label) for a in s.annotations(aid, "alice")}
            assert bob == alice and ("EU", "ORG") in bob
            assert s.state("bob", aid) == m.DONE
        counts = s.conn.execute(
            "SELECT (SELECT count(*) FROM annotations), (SELECT count(*) FROM ledger)"
        ).fetchone()
        merge_database(s, theirs)
        assert (
            s.conn.execute(
                "SELECT (SELECT count(*) FROM annotations), (SELECT count(*) FROM ledger)"
            ).fetchone()
            == counts
        )
        assert s.article_count() == 2
