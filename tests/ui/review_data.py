"""A merged review database: three annotators on the same articles with planted disagreements.

Written with ``store.add_span`` under each annotator's name and marked done, as a merge of
their databases leaves them. ``rita`` reviews.
"""

from __future__ import annotations

from pathlib import Path

from annotator import model as m
from annotator.model import ENTITY, ISSUE, Label, Span
from annotator.store import Store

REVIEWER = "rita"
ANNOTATORS = ("alice", "bob", "carol")

TEXT1 = "Angela Merkel met Joe Biden in Berlin to discuss steel tariffs and gas."
TEXT2 = "The European Union imposed sanctions on Russia over the war."
TEXT3 = "Gas prices rose as Norway cut exports to Germany."

LABELS = [
    Label("PERSON", ENTITY, "#e69494", "1"),
    Label("ORG", ENTITY, "#94e6af", "2"),
    Label("GPE", ENTITY, "#ca94e6", "3"),
    Label("PRODUCT", ENTITY, "#af94e6", "4"),
    Label("TRADE", ISSUE, "#dd9888", "1"),
    Label("TARIFFS", ISSUE, "#8ddd88", None, "", "TRADE"),
]


def at(text: str, phrase: str, label: str, layer: str = ENTITY) -> Span:
    start = text.index(phrase)
    return Span(start, start + len(phrase), label, layer)


# TEXT1, planted:
#   Angela Merkel PERSON: all agree                                 -> gold on open
#   Joe Biden: alice PERSON, bob PERSON, carol ORG                  -> label conflict (entity)
#   Berlin GPE: alice, bob; carol "in Berlin"                       -> boundary shift (entity)
#   gas PRODUCT: only bob                                           -> one-sided (entity)
#   "steel tariffs": alice TRADE, bob and carol TARIFFS             -> label conflict (issue)
# TEXT2: everyone agrees (not in the queue). TEXT3: Germany agreed; Norway not marked by carol.
WORK = {
    "alice": {
        TEXT1: [
            at(TEXT1, "Angela Merkel", "PERSON"),
            at(TEXT1, "Joe Biden", "PERSON"),
            at(TEXT1, "Berlin", "GPE"),
            at(TEXT1, "steel tariffs", "TRADE", ISSUE),
        ],
        TEXT2: [at(TEXT2, "European Union", "ORG"), at(TEXT2, "Russia", "GPE")],
        TEXT3: [at(TEXT3, "Norway", "GPE"), at(TEXT3, "Germany", "GPE")],
    },
    "bob": {
        TEXT1: [
            at(TEXT1, "Angela Merkel", "PERSON"),
            at(TEXT1, "Joe Biden", "PERSON"),
            at(TEXT1, "Berlin", "GPE"),
            at(TEXT1, "gas", "PRODUCT"),
            at(TEXT1, "steel tariffs", "TARIFFS", ISSUE),
        ],
        TEXT2: [at(TEXT2, "European Union", "ORG"), at(TEXT2, "Russia", "GPE")],
        TEXT3: [at(TEXT3, "Norway", "GPE"), at(TEXT3, "Germany", "GPE")],
    },
    "carol": {
        TEXT1: [
            at(TEXT1, "Angela Merkel", "PERSON"),
            at(TEXT1, "Joe Biden", "ORG"),
            at(TEXT1, "in Berlin", "GPE"),
            at(TEXT1, "steel tariffs", "TARIFFS", ISSUE),
        ],
        TEXT2: [at(TEXT2, "European Union", "ORG"), at(TEXT2, "Russia", "GPE")],
        TEXT3: [at(TEXT3, "Germany", "GPE")],
    },
}

A1, A2, A3 = (m.article_id(t) for t in (TEXT1, TEXT2, TEXT3))


def build_review_store(path: Path) -> Store:
    """The merged database described above, open."""
    store = Store(path)
    store.ensure_labels(LABELS)
    store.add_articles(
        [
            m.Article(m.article_id(t), t, title)
            for t, title in ((TEXT1, "Summit"), (TEXT2, "Sanctions"), (TEXT3, "Gas"))
        ]
    )
    for who, work in WORK.items():
        store.add_annotator(who)
        for text, spans in work.items():
            aid = m.article_id(text)
            for sp in spans:
                store.add_span(who, aid, sp)
            store.set_state(who, aid, m.DONE)
    return store


def spans_of(annotations) -> set[tuple[int, int, str, str]]:
    """``{(start, end, label, layer)}`` of annotations or spans."""
    return {(a.start, a.end, a.label, a.layer) for a in annotations}


def gold(session, aid: str = A1) -> set[tuple[int, int, str, str]]:
    """The gold spans of ``aid`` in the session's database, as :func:`spans_of` gives them."""
    return spans_of(session.store.gold_spans(aid))
