"""Helpers of the robustness tests: a seeded database, child processes (importable by children too)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from annotator.model import Label, SuggestedSpan
from annotator.store import Store

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
REPO = HERE.parents[1]

LABELS = [
    Label("PERSON", "entity", "#ff0000", "1"),
    Label("ORG", "entity", "#00ff00", "2"),
    Label("GPE", "entity", "#0000ff", "3"),
    Label("TRADE", "issue", "#00ffff"),
    Label("HEALTH", "issue", "#ff00ff"),
]
WORDS = "the minister said trade talks with Berlin and Paris stalled over tariffs on steel 🇪🇺 Zoë".split()


def child_env() -> dict[str, str]:
    """Environment for child processes: the repo importable, no Qt display needed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def make_db(path: Path, articles: int = 6, seed: int = 0) -> list[str]:
    """Create a database with seeded articles, labels and suggestions; return the article ids."""
    rng = random.Random(seed)
    with Store(path) as store:
        store.ensure_labels(LABELS)
        texts = [" ".join(rng.choice(WORDS) for _ in range(40)) + f" ({i})" for i in range(articles)]
        ids = sorted(store.add_articles(texts).articles)
        results = []
        for aid in ids:
            text = store.article(aid).text
            spans = []
            for _ in range(12):
                start = rng.randrange(len(text) - 6)
                end = start + rng.randint(1, 6)
                layer = rng.choice(["entity", "issue"])
                label = rng.choice([lab.name for lab in LABELS if lab.layer == layer])
                spans.append(SuggestedSpan(start, end, label, layer, "spacy:test@1", 0.5))
            results.append((aid, spans))
        store.store_suggestions(results, ["spacy:test@1"])
    return ids


def run_cli(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """Run ``annotator ARGS`` in a child process."""
    return subprocess.run(
        [PYTHON, "-m", "annotator.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        **kw,
    )
