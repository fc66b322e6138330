"""Synthetic news articles with a consistent pattern the starting model gets wrong, and an
annotator that works through the store the way a person would."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from annotator import model as m
from annotator.errors import SpanError
from annotator.store import Store

MINISTRIES = [
    "Ministry of Finance",
    "Ministry of Defence",
    "Ministry of Health",
    "Ministry of Agriculture",
    "Ministry of Transport",
    "Ministry of Education",
    "Ministry of Justice",
    "Ministry of Energy",
    "Ministry of Labour",
    "Ministry of Culture",
    "Ministry of Fisheries",
    "Ministry of Tourism",
]
PEOPLE = [
    "Anna Keller",
    "Rahul Mehta",
    "Maria Santos",
    "John Whitfield",
    "Olga Petrova",
    "Kwame Mensah",
    "Li Wei",
    "Sofia Rossi",
    "David Cohen",
    "Fatima Haddad",
]
COUNTRIES = ["France", "Brazil", "Kenya", "Japan", "Canada", "Poland", "Chile", "Egypt", "Norway", "India"]
# Issue phrases the bundled taxonomy does not know; the annotators mark them consistently.
NEW_ISSUES = [
    ("drought", "CLIMATE"),
    ("heatwave", "CLIMATE"),
    ("pension reform", "ECONOMY"),
    ("pensions", "ECONOMY"),
    ("wildfires", "CLIMATE"),
    ("budget deficit", "ECONOMY"),
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


@dataclass
class Planted:
    """A text with the spans an annotator would mark and the taxonomy matches they would reject."""

    text: str
    spans: list[m.Span] = field(default_factory=list)
    wrong: list[tuple[int, int]] = field(default_factory=list)  # issue regions that are not issues


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[m.Span] = []
        self.wrong: list[tuple[int, int]] = []
        self.pos = 0

    def add(self, text: str, label: str | None = None, layer: str = m.ENTITY, wrong: bool = False) -> None:
        if label:
            self.spans.append(m.Span(self.pos, self.pos + len(text), label, layer))
        if wrong:
            self.wrong.append((self.pos, self.pos + len(text)))
        self.parts.append(text)
        self.pos += len(text)

    def done(self) -> Planted:
        return Planted("".join(self.parts), self.spans, self.wrong)


def synthetic_article(rng: random.Random) -> Planted:
    """One short news article: ministries (MINISTRY), people, countries, new issue phrases."""
    w = _Writer()
    for _ in range(rng.randint(4, 6)):
        kind = rng.randrange(5)
        ministry = rng.choice(MINISTRIES)
        person = rng.choice(PEOPLE)
        country = rng.choice(COUNTRIES)
        phrase, issue = rng.choice(NEW_ISSUES)
        if kind == 0:
            w.add("The ")
            w.add(ministry, "MINISTRY")
            w.add(f" said on {rng.choice(DAYS)} that ")
            w.add(person, "PERSON")
            w.add(" would travel to ")
            w.add(country, "GPE")
            w.add(" to discuss the ")
            w.add(phrase, issue, m.ISSUE)
            w.add(". ")
        elif kind == 1:
            w.add(person, "PERSON")
            w.add(", a spokesperson for the ")
            w.add(ministry, "MINISTRY")
            w.add(", warned that the ")
            w.add(phrase, issue, m.ISSUE)
            w.add(" would hurt farmers in ")
            w.add(country, "GPE")
            w.add(". ")
        elif kind == 2:
            w.add("Officials at the ")
            w.add(ministry, "MINISTRY")
            w.add(" blamed ")
            w.add("tariffs", "TARIFFS", m.ISSUE)
            w.add(" and ")
            w.add(phrase, issue, m.ISSUE)
            w.add(" for rising prices. ")
        elif kind == 3:
            w.add("Children played on the basketball ")
            w.add("court", wrong=True)
            w.add(" near the ")
            w.add(ministry, "MINISTRY")
            w.add(" while ")
            w.add(person, "PERSON")
            w.add(" spoke about ")
            w.add("inflation", "ECONOMY", m.ISSUE)
            w.add(". ")
        else:
            w.add("In ")
            w.add(country, "GPE")
            w.add(", the ")
            w.add("election", "ELECTIONS", m.ISSUE)
            w.add(" campaign turned to the ")
            w.add(phrase, issue, m.ISSUE)
            w.add(", and the ")
            w.add(ministry, "MINISTRY")
            w.add(" promised action. ")
    return w.done()


def synthetic_articles(n: int, seed: int = 0) -> list[Planted]:
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        art = synthetic_article(rng)
        if art.text not in seen:
            seen.add(art.text)
            out.append(art)
    return out


def annotate(store: Store, who: str, article_id: str, planted: Planted, done: bool = True) -> None:
    """Work through an article's suggestions as a careful annotator would.

    A suggestion that is exactly a planted span is accepted; one with the planted boundaries
    and another label is corrected; one inside a region that is not an issue, or overlapping a
    planted entity without matching it, is rejected; any other suggestion is trusted and
    accepted. Planted spans nobody suggested are added by hand; the article is marked done.
    """
    planted_spans = set(planted.spans)
    for s in store.suggestions(article_id, who):
        span = s.span
        same_place = [p for p in planted.spans if (p.layer, p.start, p.end) == (s.layer, s.start, s.end)]
        if span in planted_spans:
            store.accept(who, s.id)
        elif same_place:
            store.correct(who, s.id, label=same_place[0].label)
        elif s.layer == m.ISSUE and any(a <= s.start and s.end <= b for a, b in planted.wrong):
            store.reject(who, s.id)
        elif s.layer == m.ENTITY and any(p.layer == m.ENTITY and p.overlaps(span) for p in planted.spans):
            store.reject(who, s.id)
        elif s.layer == m.ENTITY and any(a.span.overlaps(span) for a in store.annotations(article_id, who)):
            store.reject(who, s.id)
        else:
            store.accept(who, s.id)
    have = {a.span for a in store.annotations(article_id, who)}
    for p in planted.spans:
        if p not in have:
            try:
                store.add_span(who, article_id, p)
            except SpanError:
                pass
    if done:
        store.set_state(who, article_id, m.DONE)
