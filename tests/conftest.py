"""Shared fixtures. Tests run headless: Qt uses the offscreen platform."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_DATA = Path(os.environ.get("ANNOTATOR_SHARED_DATA", SHARED / "data"))


@pytest.fixture
def shared_data() -> Path:
    """The real sample files in ../shared/data; the test is skipped when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not here")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Never touch the user's real default database or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("ANNOTATOR_HOME", str(home))
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture
def issue_scores_fall(monkeypatch):
    """Training runs for real, then its issue layer's held-out F is set lower than before.

    The case the adoption rule is for: a model that learned less than the one it started from
    (a span categorizer trained on a few dozen real articles did). By default the held-out
    articles say so on every bootstrap resample; set ``["share"]`` of the returned dict lower
    for a fall within chance.
    """
    import dataclasses

    from annotator.train import trainer

    real = trainer.train_pipeline
    setting = {"share": 1.0}

    def lowered(*args, **kwargs):
        result = real(*args, **kwargs)
        before = result.before["issue"]
        result.after["issue"] = dataclasses.replace(before, f=(before.f or 0.0) - 0.1)
        result.worse_share["issue"] = setting["share"]
        return result

    monkeypatch.setattr(trainer, "train_pipeline", lowered)
    return setting
