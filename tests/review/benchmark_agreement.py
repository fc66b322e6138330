"""Speed of compute_agreement on a realistic corpus.

Run: ``/work/venv/bin/python tests/review/benchmark_agreement.py [articles]``. The default is the
target case: 1,000 articles x 3 annotators, 500 words and 60 spans (40 entity, 20 issue) each.
"""

from __future__ import annotations

import random
import sys
import time

from annotator.model import ENTITY, ISSUE, Span
from annotator.review.spans import ArticleSpans

ENTITY_LABELS = ["PERSON", "ORG", "GPE", "NORP", "DATE", "LAW", "EVENT", "MONEY"]
ISSUE_LABELS = [
    f"issue.{name}" for name in "health tax housing energy migration defence education climate".split()
]


def make_corpus(
    n_articles: int = 1000,
    annotators: tuple[str, ...] = ("ann", "bob", "cat"),
    words: int = 500,
    entities: int = 40,
    issues: int = 20,
    seed: int = 7,
) -> list[ArticleSpans]:
    """Articles of ``words`` words where each annotator copies a hidden truth imperfectly."""
    rng = random.Random(seed)
    vocab = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        for _ in range(6000)
    ]
    articles = []
    for a in range(n_articles):
        pieces, offsets, pos = [], [], 0
        for w in range(words):
            word = rng.choice(vocab)
            if w and rng.random() < 0.08:
                word += rng.choice(",.;")
            offsets.append((pos, pos + len(word.rstrip(",.;"))))
            pieces.append(word)
            pos += len(word) + 1
        text = " ".join(pieces)
        slots = sorted(rng.sample(range(0, words - 3, 3), entities))
        truth = []
        for w in slots:
            n = rng.randint(1, 2)
            truth.append(Span(offsets[w][0], offsets[w + n - 1][1], rng.choice(ENTITY_LABELS), ENTITY))
        for _ in range(issues):
            w = rng.randrange(words - 8)
            truth.append(
                Span(offsets[w][0], offsets[w + rng.randint(1, 7)][1], rng.choice(ISSUE_LABELS), ISSUE)
            )
        spans = {}
        for name in annotators:
            mine = []
            for s in truth:
                r = rng.random()
                if r < 0.80:
                    mine.append(s)
                elif r < 0.87:  # stop one word short or run one word on, where that is possible
                    w_end = next(i for i, o in enumerate(offsets) if o[1] == s.end)
                    if w_end + 1 < words and (s.layer == ISSUE or w_end + 1 not in slots):
                        mine.append(Span(s.start, offsets[w_end + 1][1], s.label, s.layer))
                    else:
                        mine.append(s)
                elif r < 0.92:
                    labels = ENTITY_LABELS if s.layer == ENTITY else ISSUE_LABELS
                    mine.append(Span(s.start, s.end, rng.choice(labels), s.layer))
            spans[name] = _drop_entity_overlaps(mine)
        articles.append(ArticleSpans(f"a{a:05d}", text, spans))
    return articles


def _drop_entity_overlaps(spans: list[Span]) -> list[Span]:
    kept, last_end = [], -1
    for s in sorted(spans, key=lambda s: (s.layer, s.start)):
        if s.layer == ENTITY:
            if s.start < last_end:
                continue
            last_end = s.end
        kept.append(s)
    return kept


def main(n: int = 1000) -> None:
    from annotator.review.agreement import compute_agreement

    corpus = make_corpus(n)
    compute_agreement(corpus[:5])  # warm up: load spaCy once
    best = best_cpu = float("inf")
    for _ in range(3):
        t, cpu = time.perf_counter(), time.process_time()
        report = compute_agreement(corpus)
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    print(report.format_table(worst=3))
    print(
        f"compute_agreement: {n} articles x 3 annotators: best of 3 {best:.2f} s wall, {best_cpu:.2f} s CPU"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
