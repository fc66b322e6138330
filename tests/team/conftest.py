"""Fixtures of the team tests: a corpus database of 60 articles of different lengths."""

from __future__ import annotations

import pytest
from team_helpers import make_corpus


@pytest.fixture
def corpus(tmp_path):
    store = make_corpus(tmp_path / "corpus.db")
    yield store
    store.close()
