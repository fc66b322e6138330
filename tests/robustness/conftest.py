"""Fixtures for the robustness tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from _helpers import make_db


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    """A database with seeded articles, labels and suggestions."""
    path = tmp_path / "work.db"
    make_db(path)
    return path
