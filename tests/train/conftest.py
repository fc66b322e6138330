"""Fixtures for the training tests: a store of synthetic articles annotated through the Store."""

from __future__ import annotations

import json

import pytest
from train_helpers import annotate, synthetic_articles

from annotator import model as m
from annotator import ops
from annotator.paths import resource
from annotator.store import Store

WHO = "ann"


@pytest.fixture
def taxonomy_file(tmp_path):
    """The bundled taxonomy without TRADE's exceptions (so "trade union" is TRADE)."""
    data = json.loads(resource("taxonomy.json").read_text(encoding="utf-8"))
    for issue in data["issues"]:
        if issue["label"] == "TRADE":
            issue["exceptions"] = []
    data["name"] = "test-issues"
    path = tmp_path / "test-issues.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def blank_store(tmp_path):
    """Ten synthetic articles, eight annotated by hand (no model suggestions) and marked done."""
    store = Store(tmp_path / "news.db")
    ops.ensure_default_labels(store)
    store.ensure_labels([m.Label("MINISTRY", m.ENTITY, "#aa00aa")])
    arts = synthetic_articles(10, seed=2)
    store.add_articles([a.text for a in arts])
    for a in arts[:8]:
        annotate(store, WHO, m.article_id(a.text), a)
    yield store
    store.close()
