"""The synthetic corpus: news-like articles with spans, generated from a fixed seed.

News-like sentences of common words, capitalised names of people, organisations and places,
and issue words from the bundled taxonomy (tariffs, visas, sanctions ...), with spans on them,
so every row sees realistic spans. The same number and seed give the same article.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GENERATOR_VERSION = 1
SEED = 20240605
ANNOTATOR = "bench"
ANNOTATORS3 = ("ann", "bob", "cat")
# The sources the bench's databases give their suggestions.
ENTITY_SOURCE = "spacy:bench@1"
ISSUE_SOURCE = "taxonomy:news-issues@3"

_FILLER = """the a of to in and that for on with as at by from it its was is are were be been has have
had will would could should may said says saying after before over under about against between during
while since because but also not more most new first last year years week month day time government
officials minister ministry country countries city state people report reports plan plans policy
policies deal talks meeting announced told added expected agreed warned called move measures rules
proposal decision support pressure concerns leaders lawmakers spokesman spokeswoman statement
according analysts market markets companies company industry workers prices price costs growth data
figures percent billion million rise fall higher lower public private national regional local
international global major key recent current former several many some other further early late next
""".split()
_FIRST = """Maria John Ahmed Li Olga Pierre Fatima Kenji Anna Carlos Ingrid Samuel Priya Tomas Aisha David
Elena Hiroshi Grace Mohammed Sofia Lukas Nadia Victor Chen Amara Jonas Leila Marco Yuki""".split()
_LAST = """Schmidt Okafor Tanaka Rossi Novak Haddad Larsen Fernandez Kim Dubois Petrov Mensah Nakamura
Silva Johansson Moreau Kowalski Osei Yamamoto Garcia Ivanova Brennan Costa Lindqvist Adeyemi Weber
Morales Hashemi Sato Bauer""".split()
_ORGS = [
    "European Commission",
    "World Trade Organization",
    "United Nations",
    "Federal Reserve",
    "Ministry of Finance",
    "Siemens",
    "Toyota",
    "Reuters",
    "Greenpeace",
    "World Bank",
    "International Monetary Fund",
    "Bank of England",
    "Samsung",
    "Red Cross",
    "Nato",
]
_PLACES = """Germany France China Japan Brazil Canada Mexico India Nigeria Kenya Egypt Turkey Poland Spain
Italy Sweden Norway Vietnam Indonesia Australia Chile Peru Ghana Ukraine Russia Iran Korea Brussels
Washington Beijing Tokyo Berlin Paris London Geneva Nairobi Lagos Delhi""".split()
# Issue words and phrases the bundled taxonomy matches, with the label it gives them.
_ISSUES = [
    ("tariffs", "TARIFFS"),
    ("tariff", "TARIFFS"),
    ("visas", "VISAS"),
    ("visa", "VISAS"),
    ("sanctions", "SANCTIONS"),
    ("embargo", "SANCTIONS"),
    ("export controls", "SANCTIONS"),
    ("trade", "TRADE"),
    ("exports", "TRADE"),
    ("oil", "ENERGY"),
    ("natural gas", "ENERGY"),
    ("emissions", "CLIMATE"),
    ("climate change", "CLIMATE"),
    ("immigration", "IMMIGRATION"),
    ("asylum", "IMMIGRATION"),
    ("inflation", "ECONOMY"),
    ("interest rates", "ECONOMY"),
    ("housing", "HOUSING"),
    ("semiconductors", "TECHNOLOGY"),
    ("hospitals", "HEALTH"),
    ("election", "ELECTIONS"),
    ("police", "CRIME"),
    ("schools", "EDUCATION"),
    ("diplomats", "DIPLOMACY"),
    ("military", "SECURITY"),
]


@dataclass(frozen=True, slots=True)
class SynthArticle:
    """One generated article: text, title and the spans put into it (``start, end, label, layer``)."""

    n: int
    text: str
    title: str
    spans: tuple[tuple[int, int, str, str], ...]

    @property
    def words(self) -> int:
        return len(self.text.split())


def make_article(n: int, words: int = 500, seed: int = SEED) -> SynthArticle:
    """Article number ``n`` of the corpus, ``words`` words long (deterministic for ``n`` and ``seed``).

    About one word in eight starts an entity (two-word names, organisations, places) and one in
    twenty-five is an issue word: 500 words carry about 40 entity and 20 issue spans.
    """
    rng = random.Random(seed * 1_000_003 + n * 7919 + words)
    rand = rng.random
    choice = rng.choice
    parts: list[str] = []
    spans: list[tuple[int, int, str, str]] = []
    pos = 0
    count = 0
    sentence_left = 0
    in_paragraph = 0
    while count < words:
        if sentence_left == 0:
            if parts:
                parts.append(".")
                pos += 1
                in_paragraph += 1
                if in_paragraph >= 5:
                    parts.append("\n\n")
                    pos += 2
                    in_paragraph = 0
                else:
                    parts.append(" ")
                    pos += 1
            sentence_left = rng.randint(12, 24)
            first = True
        else:
            parts.append(" ")
            pos += 1
            first = False
        r = rand()
        if r < 0.08:
            kind = rand()
            if kind < 0.45:
                token, label = f"{choice(_FIRST)} {choice(_LAST)}", "PERSON"
            elif kind < 0.7:
                token, label = choice(_ORGS), "ORG"
            else:
                token, label = choice(_PLACES), "GPE"
            layer = "entity"
        elif r < 0.125:
            token, label = choice(_ISSUES)
            layer = "issue"
            if first:
                token = token.capitalize()
        else:
            token = choice(_FILLER)
            if first:
                token = token.capitalize()
            label = None
        parts.append(token)
        if label is not None:
            spans.append((pos, pos + len(token), label, layer))
        pos += len(token)
        n_words = token.count(" ") + 1
        count += n_words
        sentence_left = max(0, sentence_left - n_words)
    parts.append(".")
    text = "".join(parts)
    title = " ".join(text.split()[:8]).rstrip(".,") + f" ({n})"
    return SynthArticle(n, text, title, tuple(spans))


def corpus(count: int, words: int = 500, seed: int = SEED, start: int = 0) -> Iterator[SynthArticle]:
    """``count`` articles of the corpus, numbered from ``start``."""
    for n in range(start, start + count):
        yield make_article(n, words, seed)


def prodigy_line(a: SynthArticle, annotator: str = ANNOTATOR) -> str:
    """The article as one Prodigy task: its spans accepted by ``annotator``."""
    return json.dumps(
        {
            "text": a.text,
            "meta": {"title": a.title, "n": a.n},
            "spans": [{"start": s, "end": e, "label": lab, "layer": lay} for s, e, lab, lay in a.spans],
            "answer": "accept",
            "_annotator_id": annotator,
        },
        ensure_ascii=False,
    )


def write_corpus(path: Path, count: int, words: int = 500, seed: int = SEED) -> int:
    """Write ``count`` articles as Prodigy JSONL; returns the number of words."""
    total = 0
    with open(path, "w", encoding="utf-8") as fh:
        for a in corpus(count, words, seed):
            fh.write(prodigy_line(a) + "\n")
            total += a.words
    return total


def variant(a: SynthArticle, i: int) -> SynthArticle:
    """Annotator ``i``'s version of the article's spans: a few dropped, shifted or relabelled."""
    rng = random.Random(a.n * 31 + i)
    spans = []
    for s, e, label, layer in a.spans:
        r = rng.random()
        if r < 0.08:
            continue
        if r < 0.14 and layer == "issue":
            label = "ECONOMY" if label != "ECONOMY" else "TRADE"
        elif r < 0.14:
            label = "ORG" if label != "ORG" else "GPE"
        elif r < 0.18 and " " in a.text[s:e]:
            e = s + a.text[s:e].index(" ")
        spans.append((s, e, label, layer))
    return SynthArticle(a.n, a.text, a.title, tuple(spans))
