"""`annotator self-test`: the real window on the demo articles, a real suggest, a clean close."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError, ModelError
from annotator.paths import resource
from annotator.ui.self_test import run_self_test


@pytest.mark.model
def test_the_window_opens_on_the_demo_suggests_and_closes(tmp_path, qapp):
    result = run_self_test(tmp_path)
    first_demo = sorted(resource("demo").glob("*.txt"))[0].read_text(encoding="utf-8").splitlines()[0]
    assert result.articles == 8
    assert result.title == first_demo.strip()
    assert result.suggestions > 100 and result.listed > 10
    assert "closed cleanly" in result.summary()
    assert not _windows_left(qapp)


def test_an_error_dialog_fails_the_self_test_with_its_message(tmp_path, qapp, monkeypatch):
    from annotator import ops

    def broken(*args, **kwargs):
        raise ModelError("cannot load a spaCy pipeline (tried nothing)")

    monkeypatch.setattr(ops, "suggest", broken)
    with pytest.raises(AnnotatorError, match="cannot load a spaCy pipeline"):
        run_self_test(tmp_path, timeout_s=60)
    assert not _windows_left(qapp)


def _windows_left(qapp) -> list:
    """The self-test's main windows still alive (hidden or not): a closed window left behind
    still gets the application's events, e.g. a later palette change."""
    from annotator.ui.main_window import MainWindow

    return [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
