"""``annotator self-test``: does this installation work? Open the window, suggest, close.

The check a wheel, a pipx install or the bundle gets in CI, and one a user can run when
something seems wrong: the demo articles go into a scratch database, the real main window
opens on it (offscreen unless a platform is set), suggests through the same background task as
File > Suggest, shows the spans, and closes. An error dialog counts as a failure: its text is
the message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.errors import AnnotatorError

ANNOTATOR = "self-test"
POLL_MS = 100


@dataclass(frozen=True)
class SelfTestResult:
    """What the self-test saw, as a user would have.

    Attributes
    ----------
    articles
        Articles in the article list.
    title
        The open article's title, as the window shows it.
    suggestions
        Suggestions stored by the suggest run.
    listed
        Spans the span list shows for the open article afterwards.
    shown_s, suggest_s
        Seconds from the start to the window shown, and of the suggest run.
    """

    articles: int
    title: str
    suggestions: int
    listed: int
    shown_s: float
    suggest_s: float

    def summary(self) -> str:
        return (
            f"window shown in {self.shown_s:.1f} s on {self.articles} demo articles;"
            f" suggested {self.suggestions} spans in {self.suggest_s:.1f} s;"
            f" {self.title!r} lists {self.listed} spans; closed cleanly"
        )


def _wait_for(task, timeout_s: float) -> str | None:
    """Run the event loop until ``task`` is done; the text of an error dialog shown meanwhile
    (closed at once), or of the time-out."""
    loop = QEventLoop()
    problem: list[str] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            problem.append(box.text() or box.informativeText())
            box.done(0)
            loop.exit(1)

    poller = QTimer()
    poller.timeout.connect(poll)
    poller.start(POLL_MS)
    QTimer.singleShot(int(timeout_s * 1000), lambda: (problem.append("timed out"), loop.exit(2)))
    task.done.connect(loop.quit)
    if task.is_running():
        loop.exec()
    poller.stop()
    return problem[0] if problem else None


def run_self_test(folder: Path, timeout_s: float = 600.0) -> SelfTestResult:
    """Open the window on the demo articles in ``folder/self-test.db``, suggest, close.

    Raises
    ------
    AnnotatorError
        When the window showed an error, nothing was suggested, or the spans are not listed.
    """
    from annotator import ops
    from annotator.store import Store
    from annotator.ui.app import _application, fit_to_screen
    from annotator.ui.main_window import MainWindow
    from annotator.ui.session import Session

    start = time.perf_counter()
    app = _application()
    store = Store(Path(folder) / "self-test.db")
    ops.load_demo(store)
    ops.ensure_default_labels(store)
    window = MainWindow(Session(store, ANNOTATOR))
    try:
        fit_to_screen(window)
        window.show()
        window.open_first_article()
        app.processEvents()
        shown_s = time.perf_counter() - start
        started = time.perf_counter()
        problem = _wait_for(window.run_suggest(), timeout_s)
        suggest_s = time.perf_counter() - started
        if problem:
            raise AnnotatorError(f"self-test failed: the window said {problem!r}")
        app.processEvents()
        result = SelfTestResult(
            articles=window.article_list.model.rowCount(),
            title=window.title_label.text(),
            suggestions=sum(store.stats()["suggestions"].values()),
            listed=window.span_list.model.rowCount(),
            shown_s=shown_s,
            suggest_s=suggest_s,
        )
    finally:
        window.close()
        app.processEvents()
        window.session.store.close()
        # Gone, not only hidden: a closed window left alive still gets the application's
        # events (a theme's palette change reached one whose database was closed).
        window.deleteLater()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if not result.suggestions or not result.listed:
        raise AnnotatorError(f"self-test failed: nothing was suggested ({result.summary()})")
    return result
