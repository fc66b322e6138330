"""Fixtures for the importer tests: small files written into ``tmp_path``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write ``content`` (str as UTF-8 exactly, bytes as is) to ``tmp_path/name``; return the path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def write_jsonl(write_file) -> Callable[[str, list], Path]:
    """Write records as JSON Lines."""

    def write(name: str, records: list) -> Path:
        return write_file(name, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))

    return write


@pytest.fixture
def interop(shared_data: Path) -> Path:
    """The real interchange samples in ../shared/data/interop (skipped when absent)."""
    return shared_data / "interop"


@pytest.fixture
def spans_of() -> Callable:
    """``spans_of(doc)``: (covered text, label, layer, annotator, answer) of every span, in order."""

    def spans(doc) -> list[tuple]:
        return [(doc.text[s.start : s.end], s.label, s.layer, s.annotator, s.answer) for s in doc.spans]

    return spans
