"""Small real databases for the list, palette, span-list, task and file-action tests."""

from __future__ import annotations

from pathlib import Path

from annotator.model import ENTITY, ISSUE, Label, SuggestedSpan
from annotator.store import Store
from annotator.ui.session import Session

ANNOTATOR = "ana"

TEXTS = [
    "Trade talks\nAngela Merkel met Siemens officials in Berlin to discuss tariffs.",
    "Energy prices\nGas prices rose again as Norway cut exports.",
    "Visa rules\nThe Home Office changed visa rules for students.",
    "Security summit\nNATO leaders met in Vilnius to discuss security.",
    "Farm subsidies\nFarmers in France protested against new subsidies.",
]

LABELS = [
    Label("PERSON", ENTITY, "#e69494", "1", "People, including fictional ones."),
    Label("ORG", ENTITY, "#94e6af", "2", "Companies, agencies, institutions."),
    Label("GPE", ENTITY, "#ca94e6", "3", "Countries, cities and states."),
    Label("TRADE", ISSUE, "#dd9888", "1", "Trade between countries."),
    Label("TARIFFS", ISSUE, "#8ddd88", None, "Tariffs and duties.", "TRADE"),
    Label("EXPORTS", ISSUE, "#88aadd", None, "Exports.", "TRADE"),
    Label("ENERGY", ISSUE, "#dddd88", "2", "Energy supply and prices."),
]


def span_of(text: str, phrase: str, label: str, layer: str = ENTITY, source: str = "test@1") -> SuggestedSpan:
    start = text.index(phrase)
    return SuggestedSpan(start, start + len(phrase), label, layer, source)


def make_store(path: Path, texts: list[str] = TEXTS) -> Store:
    """A database with labels, the given articles and a few suggestions on the first two."""
    store = Store(path)
    store.ensure_labels(LABELS)
    store.add_articles(texts)
    if texts is not TEXTS:
        return store
    ids = store.article_ids()
    t0, t1 = texts[0], texts[1]
    store.store_suggestions(
        [
            (
                ids[0],
                [
                    span_of(t0, "Angela Merkel", "PERSON"),
                    span_of(t0, "Siemens", "ORG"),
                    span_of(t0, "Berlin", "GPE"),
                    span_of(t0, "tariffs", "TARIFFS", ISSUE),
                ],
            ),
            (ids[1], [span_of(t1, "Norway", "GPE"), span_of(t1, "exports", "EXPORTS", ISSUE)]),
        ],
        ["test@1"],
    )
    return store


def make_session(tmp_path: Path, texts: list[str] = TEXTS) -> Session:
    return Session(make_store(tmp_path / "test.db", texts), ANNOTATOR)
