"""Records with the texts that break exporters: emoji outside the BMP, NBSP, CRLF, spans off
token boundaries and issue spans overlapping each other and an entity."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from annotator.export import ExportRecord, ExportSpan
from annotator.model import ENTITY, ISSUE, Article, article_id

TRICKY_TEXT = (
    "😀🇩🇪 Angela Merkel met Obama\u00a0in New\r\nYork on Tuesday.\r\n"
    "Tax cuts and health-care costs rose 𝔘 percent.\n\n"
    "The U.S. economy grew."
)


def at(text: str, part: str) -> tuple[int, int]:
    """Offsets of the first ``part`` in ``text``."""
    start = text.index(part)
    return start, start + len(part)


def span(text: str, part: str, label: str, layer: str = ENTITY, **kw) -> ExportSpan:
    return ExportSpan(*at(text, part), label, layer, **kw)


def article(text: str, **kw) -> Article:
    return Article(article_id(text), text, **kw)


@dataclass(frozen=True)
class Tricky:
    """The tricky record and the spans in it, by role."""

    record: ExportRecord
    merkel: ExportSpan  # entity on token boundaries, with provenance and score
    obama: ExportSpan  # entity followed by NBSP
    new_york: ExportSpan  # entity across CRLF
    off_boundary: ExportSpan  # entity "ealth-ca": starts and ends inside tokens
    tax: ExportSpan  # issue over the off-boundary entity
    health: ExportSpan  # issue overlapping `tax` and the entity
    economy: ExportSpan  # entity after the non-BMP characters


@pytest.fixture
def tricky() -> Tricky:
    text = TRICKY_TEXT
    merkel = span(
        text, "Angela Merkel", "PERSON", source="spacy:en_core_web_sm@3.8.0", origin="accepted", score=0.93
    )
    obama = span(text, "Obama", "PERSON", origin="manual")
    new_york = span(text, "New\r\nYork", "GPE", source="spacy:en_core_web_sm@3.8.0", origin="corrected")
    off_boundary = span(text, "ealth-ca", "ORG", origin="manual")
    tax = span(text, "Tax cuts and health-care costs", "TAXES", ISSUE, source="taxonomy:news-issues@3")
    health = span(text, "health-care costs rose", "HEALTH", ISSUE, source="taxonomy:news-issues@3")
    economy = span(text, "U.S.", "GPE")
    record = ExportRecord(
        article=article(text, title="Merkel meets Obama", source="wire", meta={"section": "world"}),
        annotator="alice",
        # Deliberately unsorted: writers sort.
        spans=(health, economy, tax, new_york, off_boundary, obama, merkel),
        answer="accept",
        timestamp=1707211049,
    )
    return Tricky(record, merkel, obama, new_york, off_boundary, tax, health, economy)


@pytest.fixture
def plain_record() -> ExportRecord:
    text = "Apple hired Tim Cook in Cupertino."
    return ExportRecord(
        article(text),
        "bob",
        (span(text, "Apple", "ORG"), span(text, "Tim Cook", "PERSON"), span(text, "Cupertino", "GPE")),
        timestamp=1700000000,
        session="news-bob",
    )
