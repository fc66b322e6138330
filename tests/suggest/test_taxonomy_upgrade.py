"""A database labelled with the first bundled taxonomy (news-issues v1) keeps working with the current one."""

from __future__ import annotations

import spacy

from annotator import model as m
from annotator import ops
from annotator.store import Store

TEXT = "The strike over pensions hit the election campaign as tariffs rose."
# The issue labels of news-issues v1 as a database made with it holds them.
V1 = [
    ("TRADE", None),
    ("TARIFFS", "TRADE"),
    ("SANCTIONS", "TRADE"),
    ("ENERGY", None),
    ("CLIMATE", None),
    ("IMMIGRATION", None),
    ("VISAS", "IMMIGRATION"),
    ("SECURITY", None),
    ("DIPLOMACY", None),
    ("ECONOMY", None),
    ("LABOUR", "ECONOMY"),
    ("HOUSING", None),
    ("TECHNOLOGY", None),
    ("HEALTH", None),
    ("ELECTIONS", None),
    ("CRIME", None),
    ("EDUCATION", None),
]
V1_SOURCE = "taxonomy:news-issues@1"


def test_v1_labels_annotations_and_suggestions_survive_the_new_taxonomy(tmp_path):
    with Store(tmp_path / "old.db") as store:
        store.ensure_labels(
            [m.Label(name, m.ISSUE, "#aabbcc", parent=parent, description="v1") for name, parent in V1]
        )
        store.add_articles([TEXT])
        aid = m.article_id(TEXT)
        strike = m.Span(TEXT.index("strike"), TEXT.index("strike") + 6, "LABOUR", m.ISSUE)
        store.add_span("ann", aid, strike)
        store.store_suggestions(
            [(aid, [m.SuggestedSpan(57, 64, "TARIFFS", m.ISSUE, V1_SOURCE)])], [V1_SOURCE]
        )

        created = {lab.name for lab in ops.ensure_default_labels(store)}
        # The new topics arrive; every v1 label is kept as the database had it.
        assert {"DISASTERS", "RIGHTS", "GOVERNANCE"} <= created and not created & {n for n, _ in V1}
        labels = {lab.name: lab for lab in store.labels() if lab.layer == m.ISSUE}
        assert labels["LABOUR"].parent == "ECONOMY" and labels["LABOUR"].description == "v1"

        summary = ops.suggest(store, nlp=spacy.blank("en"), entities=False)
        assert set(summary.spans) == {"taxonomy:news-issues@3"}
        suggested = {(TEXT[s.start : s.end], s.label, s.source) for s in store.suggestions(aid, "ann")}
        # v1's suggestion is replaced by the current one's; the annotator's span stays, with its v1 label.
        assert ("tariffs", "TARIFFS", "taxonomy:news-issues@3") in suggested
        assert not any(src == V1_SOURCE for _, _, src in suggested)
        assert [(a.span.label, TEXT[a.span.start : a.span.end]) for a in store.annotations(aid, "ann")] == [
            ("LABOUR", "strike")
        ]
