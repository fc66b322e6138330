"""Fixtures for the suggesters: a fast blank pipeline and, for ``model`` tests, the English one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.paths import resource


@pytest.fixture
def blank_suggester():
    """Issues only, on ``spacy.blank("en")`` (no lemmatizer): fast."""
    import spacy

    from annotator.suggest import Suggester

    return Suggester(nlp=spacy.blank("en"), entities=False)


@pytest.fixture(scope="session")
def english():
    """Entities and issues with the installed English pipeline (loaded once per session)."""
    from annotator.suggest import Suggester

    return Suggester()


@pytest.fixture(scope="session")
def demo_files() -> list[Path]:
    files = sorted(resource("demo").glob("*.txt"))
    assert files, "resources/demo has no articles"
    return files


@pytest.fixture
def write_taxonomy(tmp_path):
    """Write a taxonomy dict (or raw text) to a file and return its path."""

    def write(data, name: str = "taxonomy.json") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return path

    return write
