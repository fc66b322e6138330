"""The window rows: open and decide in the real window (offscreen), and the scale child.

The only module of the bench that imports Qt and the window: the runner imports it only when
a window row runs, and the import contracts name it as the bench's one entry to them.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, QRectF, QTimer
from PySide6.QtGui import QImage, QPainter, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from annotator import model as m
from annotator.bench.baselines import bare_insert_times
from annotator.bench.context import Bench
from annotator.bench.corpus import ANNOTATOR, SEED, corpus, prodigy_line
from annotator.bench.databases import window_db
from annotator.bench.timing import Row, child_env, median, p95, percentile, remove_db, rss_mb
from annotator.store import Store
from annotator.ui.app import freeze_startup_objects
from annotator.ui.article_view import ArticleView
from annotator.ui.main_window import MainWindow
from annotator.ui.session import Session
from annotator.ui.undecided_on_done import LEAVE
from annotator.ui.undecided_on_done import SETTING as UNDECIDED_SETTING

#: decide-import: the window's articles (500 words, with suggestions), enough for every action,
#: and the actions timed with nothing else writing (the row's baseline).
BUSY_WINDOW_ARTICLES = 150
BUSY_IMPORTER = "importer"
IDLE_ACTIONS = 60


def qt_app() -> QApplication:
    """The application (made once, offscreen unless a platform is set)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication.instance() or QApplication([sys.argv[0]])


def _bare_formats(view, spans) -> dict:
    """The format a bare document gives each ``(layer, label)`` of ``spans``: the view's own for
    entities; for issues, which the view draws as lines under the text rather than as formats,
    an underline in the same colour (the nearest a bare QTextDocument comes to showing them)."""
    out = {}
    for _, _, lab, lay in spans:
        if (lay, lab) in out:
            continue
        if lay == "entity":
            out[(lay, lab)] = view._format(lay, lab, True)
        else:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(view.line_colour(lay, lab))
            out[(lay, lab)] = fmt
    return out


def _bare_document(text: str, spans, font, width: int, height: int, formats) -> None:
    """The baseline of "open": a bare QTextDocument with the text and formats, laid out and drawn."""
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setPlainText(text)
    cur = QTextCursor(doc)
    cur.beginEditBlock()
    for s, e, lab, lay in spans:
        cur.setPosition(s)
        cur.setPosition(e, QTextCursor.MoveMode.KeepAnchor)
        cur.mergeCharFormat(formats.get((lay, lab)) or QTextCharFormat())
    cur.endEditBlock()
    doc.setTextWidth(width)
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    doc.drawContents(painter, QRectF(0, 0, width, height))
    painter.end()


def _bench_store(db) -> Store:
    """The bench's database, with Enter told to leave undecided suggestions (no question asked:
    the rows time actions, not an annotator reading a dialog)."""
    store = Store(db)
    store.set_setting(UNDECIDED_SETTING, LEAVE)
    return store


class WindowRows:
    """Open and decide, measured in the real window (offscreen) over one database."""

    def __init__(self, bench: Bench):
        self.bench = bench
        self.app = qt_app()
        self.db = bench.work / "window.db"
        self.ids = window_db(self.db, [(500, 40), (5000, 3), (20_000, 3)])
        self.session = Session(_bench_store(self.db), ANNOTATOR)
        self.window = MainWindow(self.session)
        self.window.resize(1280, 800)
        self.window.show()
        self.app.processEvents()
        freeze_startup_objects()  # as annotator.ui.app.run does once the window is shown
        self.view = self.window.view
        self._paints = _PaintCounter(self.view.viewport())

    def close(self) -> None:
        self.window.close()
        self.session.store.close()
        self.window.deleteLater()
        self.app.processEvents()

    def _paint(self) -> None:
        """Let the event loop run what the action queued (signals, repaints); paint the view if it did not."""
        before = self._paints.count
        self.app.processEvents()
        if self._paints.count == before:
            self.view.viewport().repaint()

    def measure_open(self, words: int, repeat: int) -> tuple[float, float, int]:
        """Median seconds to open an article of ``words`` words (ours, bare document) and its spans."""
        view = ArticleView(self.session)
        view.resize(self.view.size())
        view.show()
        self.app.processEvents()
        ids = self.ids[words]
        texts = {aid: self.session.store.article(aid).text for aid in ids}
        spans = {
            aid: [(s.start, s.end, s.label, s.layer) for s in self.session.store.suggestions(aid)]
            for aid in ids
        }
        formats = _bare_formats(view, [sp for aid in ids for sp in spans[aid]])
        vp = view.viewport()
        paints = _PaintCounter(vp)

        def ours_once(aid: str) -> float:
            view.load(None)
            self.app.processEvents()
            t0 = time.perf_counter()
            view.load(aid)
            # Drawn once, like the baseline: by the event loop as a user sees it, else by hand.
            before = paints.count
            self.app.processEvents()
            if paints.count == before:
                vp.repaint()
            return time.perf_counter() - t0

        def base_once(aid: str) -> float:
            t0 = time.perf_counter()
            _bare_document(texts[aid], spans[aid], view.font(), vp.width(), vp.height(), formats)
            return time.perf_counter() - t0

        a, b = [], []
        for i in range(max(repeat, 3)):
            aid = ids[i % len(ids)]
            if i % 2:
                a.append(ours_once(aid))
                b.append(base_once(aid))
            else:
                b.append(base_once(aid))
                a.append(ours_once(aid))
        view.close()
        view.deleteLater()
        self.app.processEvents()
        return median(a), median(b), len(spans[ids[0]])

    def row_open(self, repeat: int) -> list[Row]:
        rows = []
        for words in (500, 20_000):
            ours, base, n_spans = self.measure_open(words, max(repeat, 5))
            rows.append(
                Row(
                    f"open-{words}",
                    f"open an article of {words:,} words and {n_spans:,} spans",
                    "ms",
                    ours * 1000,
                    base * 1000,
                    ours / base,
                    "<= 2x",
                    ours / base <= 2.0,
                    {"words": words, "spans": n_spans},
                )
            )
        return rows

    def measure_decide(self, words: int, actions: int) -> dict[str, list[float]]:
        """Seconds per accept, reject and relabel (keyboard path: write, signal, view update)."""
        view = self.view
        ids = list(self.ids[words])
        times: dict[str, list[float]] = {"accept": [], "reject": [], "relabel": []}
        kinds = list(times)
        self.session.open_article(ids.pop(0))
        self._paint()
        for i in range(actions):
            if len(view.pending()) < 2:
                self.session.open_article(ids.pop(0))
                self._paint()
            if view.focused is None or view.focused.kind != "suggestion":
                view.focus_next(1)
                self._paint()
            kind = kinds[i % 3]
            f = view.focused
            t0 = time.perf_counter()
            if kind == "accept":
                view.accept_focused()
            elif kind == "reject":
                view.reject_focused()
            else:
                if f.layer == m.ENTITY:
                    other = "ORG" if f.label != "ORG" else "PERSON"
                else:
                    other = "ECONOMY" if f.label != "ECONOMY" else "TRADE"
                view.apply_label(f.layer, other)
            self._paint()
            times[kind].append(time.perf_counter() - t0)
        return times

    def row_decide(self, actions: int) -> list[Row]:
        base = bare_insert_times(self.db.parent / "insert-base.db", max(actions, 30))
        rows = []
        for words, limit in ((500, 10.0), (20_000, 20.0)):
            times = self.measure_decide(words, actions)
            every = [t for ts in times.values() for t in ts]
            ours = p95(every) * 1000
            b95 = p95(base) * 1000
            rows.append(
                Row(
                    f"decide-{words}",
                    f"accept/reject/relabel p95, {words:,}-word article",
                    "ms",
                    ours,
                    b95,
                    ours / b95,
                    f"<= {limit:g} ms",
                    ours <= limit,
                    {
                        "actions": len(every),
                        **{f"{k}_p95_ms": p95(v) * 1000 for k, v in times.items()},
                        **{f"{k}_median_ms": median(v) * 1000 for k, v in times.items()},
                        "baseline": "one INSERT + commit, WAL, synchronous=FULL",
                    },
                )
            )
        return rows

    # -- decide while another program imports ---------------------------------------------

    def _busy_corpus(self, count: int) -> Path:
        """The corpus as another annotator's Prodigy JSONL (so their work is not the window's)."""
        path = self.bench.work / f"busy-{count}.jsonl"
        if not path.exists():
            with open(path, "w", encoding="utf-8") as fh:
                for a in corpus(count):
                    fh.write(prodigy_line(a, BUSY_IMPORTER) + "\n")
        return path

    def measure_during_import(self, articles: int, interval: float) -> dict:
        """The window acting every ``interval`` s, alone and then while ``articles`` are imported."""
        db = self.bench.work / "window-busy.db"
        remove_db(db)
        window_db(db, [(500, BUSY_WINDOW_ARTICLES)])
        corpus = self._busy_corpus(articles)
        session = Session(_bench_store(db), ANNOTATOR)
        window = MainWindow(session)
        window.resize(1280, 800)
        window.show()
        window.open_first_article()
        self.app.processEvents()
        try:
            alone = _BusyDriver(self.app, window)
            count = iter(range(IDLE_ACTIONS))
            alone.drive(lambda: next(count, None) is not None, interval)
            alone.stop()
            before, t0 = _written(session.store), time.perf_counter()
            busy, ticks = _BusyDriver(self.app, window), _Ticks()
            proc = _start_import(corpus, db)
            ticks.timer.start()
            busy.drive(lambda: proc.poll() is None, interval)
            ticks.timer.stop()
            busy.stop()
            seconds = time.perf_counter() - t0
            _, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"the import beside the window failed: {err.strip()[-800:]}")
            self.app.processEvents()
            after = _written(session.store)
            lost = {k: busy.acted[k] - (after[k] - before[k]) for k in busy.acted}
            total = session.store.article_count()
        finally:
            window.close()
            session.store.close()
            window.deleteLater()
            self.app.processEvents()
        return {
            "alone": alone.latencies,
            "busy": busy.latencies,
            "acted": busy.acted,
            "durations": busy.durations,
            "waits": busy.waits,
            "lost": lost,
            "import_seconds": seconds,
            "articles_after": total,
            "articles_expected": BUSY_WINDOW_ARTICLES + articles,
            "longest_freeze_ms": ticks.longest_gap() * 1000,
        }

    def row_decide_during_import(self, articles: int) -> Row:
        got = self.measure_during_import(articles, self.bench.args.busy_interval_ms / 1000)
        every = [t for ts in got["busy"].values() for t in ts]
        alone = [t for ts in got["alone"].values() for t in ts]
        ours, base = percentile(every, 0.99) * 1000, percentile(alone, 0.99) * 1000
        # Any difference counts (more written than acted on would be as wrong as less).
        intact = not any(got["lost"].values()) and got["articles_expected"] == got["articles_after"]
        return Row(
            "decide-import",
            f"accept/reject/next p99 while another process imports {articles:,} articles",
            "ms",
            ours,
            base,
            ours / base,
            "<= 100 ms, none lost",
            ours <= 100 and intact,
            {
                "actions": len(every),
                "lost": got["lost"],
                "articles_lost": got["articles_expected"] - got["articles_after"],
                "max_ms": max(every, default=float("nan")) * 1000,
                **{f"{k}_p99_ms": percentile(v, 0.99) * 1000 for k, v in got["busy"].items()},
                **{f"{k}_median_ms": median(v) * 1000 for k, v in got["busy"].items()},
                "action_alone_p99_ms": percentile(got["durations"], 0.99) * 1000,
                "actions_that_waited_for_the_lock": got["waits"],
                "longest_freeze_ms": got["longest_freeze_ms"],
                "import_seconds": got["import_seconds"],
                "interval_ms": self.bench.args.busy_interval_ms,
                "baseline": f"the same actions in the same window, {IDLE_ACTIONS} of them, nothing else writing",
            },
        )


class _Ticks:
    """A timer every few ms on the GUI thread: a gap between its ticks is the window frozen."""

    def __init__(self, ms: int = 5):
        self.stamps: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(ms)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def longest_gap(self) -> float:
        s = self.stamps
        return max((b - a for a, b in zip(s, s[1:], strict=False)), default=float("nan"))


def _run_events_until(due: float) -> None:
    """The window's event loop runs, idle or not, until ``due`` (a perf_counter time)."""
    left = due - time.perf_counter()
    if left > 0:
        loop = QEventLoop()
        QTimer.singleShot(max(int(left * 1000), 1), loop.quit)
        loop.exec()


class _BusyDriver:
    """Accept, reject and next (mark done, open the next article) at a steady pace in one window.

    An action is due every ``interval`` seconds, as keys a user presses; its latency runs from
    when it was due to when it is written and drawn, so an action that waits holds up the ones
    after it, as the user's next keys would be (no coordinated omission).
    """

    CYCLE = ("accept", "reject", "accept", "accept", "reject", "accept", "reject", "next")

    def __init__(self, app: QApplication, window: MainWindow):
        self.app = app
        self.window = window
        self.view = window.view
        self.acted = {"accept": 0, "reject": 0, "next": 0}
        self.latencies: dict[str, list[float]] = {"accept": [], "reject": [], "next": []}
        self.durations: list[float] = []  # of the action alone, from its start
        self.waits = 0  # actions whose write waited for the other program's lock
        window.session.write_waiting.connect(self._on_session_write_waiting)

    def _on_session_write_waiting(self, waiting: bool) -> None:
        self.waits += waiting

    def stop(self) -> None:
        self.window.session.write_waiting.disconnect(self._on_session_write_waiting)

    def _paint(self) -> None:
        self.app.processEvents()
        self.view.viewport().repaint()

    def _prepare(self, kind: str) -> str:
        """Focus a suggestion for an accept or reject; with none left in the article, next instead."""
        view = self.view
        if kind != "next" and (view.focused is None or view.focused.kind != "suggestion"):
            view.focus_next(1)
            self._paint()
        if view.focused is None or view.focused.kind != "suggestion":
            return "next"
        return kind

    def _act(self, kind: str) -> None:
        if kind == "accept":
            self.view.accept_focused()
        elif kind == "reject":
            self.view.reject_focused()
        else:
            self.view.done_and_next()
        self._paint()

    def drive(self, going, interval: float) -> None:
        """Act every ``interval`` seconds while ``going()`` is true."""
        due = time.perf_counter()
        i = 0
        kind = self._prepare(self.CYCLE[0])
        while going():
            _run_events_until(due)
            start = time.perf_counter()
            self._act(kind)
            end = time.perf_counter()
            self.latencies[kind].append(end - due)
            self.durations.append(end - start)
            self.acted[kind] += 1
            i += 1
            due += interval
            kind = self._prepare(self.CYCLE[i % len(self.CYCLE)])


def _written(store: Store) -> dict[str, int]:
    """What the annotator's actions left in the database: decisions by kind, articles done."""
    decided = Counter(d["decision"] for d in store.decisions(ANNOTATOR))
    return {
        "accept": decided[m.ACCEPTED],
        "reject": decided[m.REJECTED],
        "next": store.progress(ANNOTATOR)[0],
    }


def _start_import(corpus: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "annotator",
            "import",
            str(corpus),
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(shown_hook=False),
    )


class _PaintCounter(QObject):
    """Counts the paint events of a widget (to tell whether the event loop drew it)."""

    def __init__(self, target):
        super().__init__(target)
        self.count = 0
        target.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def scale_child(db: Path, steps: int) -> dict:
    """In a fresh process: open the window on ``db``, scroll the article list, report RSS and steps."""
    app = qt_app()
    rss0 = rss_mb()
    session = Session(_bench_store(db), ANNOTATOR)
    window = MainWindow(session)
    window.resize(1280, 800)
    window.show()
    window.open_first_article()
    app.processEvents()
    table = window.article_list.table
    bar = table.verticalScrollBar()
    rng = random.Random(SEED)
    jumps, pages = [], []
    for _ in range(steps):
        value = rng.randint(0, bar.maximum())
        t0 = time.perf_counter()
        bar.setValue(value)
        table.viewport().repaint()
        jumps.append(time.perf_counter() - t0)
    bar.setValue(bar.maximum() // 3)
    table.viewport().repaint()
    for _ in range(steps):
        t0 = time.perf_counter()
        bar.triggerAction(bar.SliderAction.SliderPageStepAdd)
        table.viewport().repaint()
        pages.append(time.perf_counter() - t0)
    app.processEvents()
    return {
        "rows": window.article_list.model.rowCount(),
        "rss_mb": rss_mb(),
        "rss_qt_mb": rss0,
        "jump_ms": median(jumps) * 1000,
        "jump_p95_ms": p95(jumps) * 1000,
        "page_ms": median(pages) * 1000,
        "page_p95_ms": p95(pages) * 1000,
        "fetches": window.article_list.model.fetches,
    }
