"""The store: articles, labels, suggestions, annotations and the decision ledger in one SQLite file.

Every public write is one transaction and returns a :class:`~annotator.model.Changes` summary;
when the call returns the decision is on disk (WAL, ``synchronous=FULL``). Reads return frozen
dataclasses from :mod:`annotator.model`. Nothing here imports Qt.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from annotator import model as m
from annotator.errors import (
    LabelError,
    NewerDatabaseError,
    NotFoundError,
    NothingToDo,
    SpanError,
    StoreError,
)
from annotator.model import (
    ENTITY,
    LAYERS,
    Annotation,
    Article,
    Changes,
    Label,
    Span,
    SuggestedSpan,
    Suggestion,
    SuggestionRow,
)
from annotator.store.schema import migrations
from annotator.store.twins import Twin

BUSY_TIMEOUT_MS = 10_000
# How long a write keeps retrying while another program holds the write lock, in seconds.
LOCK_WAIT_S = 60.0
_WORD = re.compile(r"\S+")


def now() -> str:
    """The current time as an ISO-8601 UTC string with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """What the article list shows for one article and one annotator."""

    id: str
    title: str
    state: str
    pending: int
    accepted: int
    words: int


@dataclass(slots=True)
class ImportReport:
    """What one import wrote."""

    articles_added: int = 0
    articles_known: int = 0
    annotations: int = 0
    rejections: int = 0
    suggestions: int = 0
    labels_created: list[Label] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    # (file's id, our id): the text differs only in line endings or normalisation from an
    # article here, and its spans went onto that article (offsets mapped).
    twins: list[tuple[str, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_ANNOTATION_COLS = (
    "id",
    "article_id",
    "annotator",
    "layer",
    "start",
    "end",
    "label",
    "origin",
    "source",
    "created_at",
)
_DECISION_COLS = (
    "article_id",
    "annotator",
    "layer",
    "start",
    "end",
    "label",
    "source",
    "status",
    "annotation_id",
    "decided_at",
)
_STATE_COLS = ("article_id", "annotator", "state", "updated_at")
_ADJ_COLS = ("article_id", "layer", "start", "end", "labels", "choice", "reviewer", "at")
_TARGETS = {
    "adjudication": ("adjudications", _ADJ_COLS, ("article_id", "layer", "start", "end", "labels")),
    "annotation": ("annotations", _ANNOTATION_COLS, ("id",)),
    "decision": ("decisions", _DECISION_COLS, ("article_id", "annotator", "layer", "start", "end", "label")),
    "state": ("article_states", _STATE_COLS, ("article_id", "annotator")),
}


# Columns a ledger row written before they existed lacks (undo/redo of older actions).
_ROW_DEFAULTS: dict[str, dict[str, Any]] = {"adjudication": {"labels": ""}}


def adjudication_labels(labels: Iterable[str] | None) -> str:
    """The ``labels`` key of a settlement: ``""`` for a whole region (the entity layer, and
    settlements made before issue settlements were kept per label), else the sorted label
    names as a JSON list."""
    return "" if labels is None else json.dumps(sorted(set(labels)), ensure_ascii=False)


def _q(col: str) -> str:
    return f'"{col}"'


# The action undo (newest still done, not an import or merge) or redo (oldest undone) replays.
_NEXT_UNDO = (
    "SELECT id, article_id, kind, at, detail FROM ledger WHERE annotator = ?"
    " AND undone = 0 AND kind != 'import' AND kind NOT LIKE 'merged:%' ORDER BY id DESC LIMIT 1"
)
_NEXT_REDO = (
    "SELECT id, article_id, kind, at, detail FROM ledger WHERE annotator = ?"
    " AND undone = 1 ORDER BY id ASC LIMIT 1"
)


class Store:
    """One annotator database.

    Parameters
    ----------
    path
        The SQLite file. Created (with the schema) when it does not exist.
    verify
        ``"now"`` (the default) runs ``PRAGMA quick_check`` over the whole file before anything
        else. ``"background"`` (for the window: the check reads every page, about 2 s for
        100,000 articles) only checks that the file is an annotator database, then runs the
        full check on its own read-only connection in a thread: reads go on meanwhile, and the
        first write waits for the verdict and raises :class:`StoreError` if the file is
        damaged, so a damaged file is still never written. A file that needs a schema upgrade
        or is not yet in WAL mode is always checked first.

    Raises
    ------
    NewerDatabaseError
        The file was written by a newer version of annotator; it is not touched.
    StoreError
        The file is not a database, is corrupt, or cannot be opened.
    """

    def __init__(self, path: str | os.PathLike[str], verify: str = "now"):
        if verify not in ("now", "background"):
            raise ValueError(f"verify must be 'now' or 'background', not {verify!r}")
        self.path = Path(path)
        self.backup_path: Path | None = None
        self._verifying: threading.Thread | None = None
        self._damage: str | None = None
        existed = self.path.exists() and self.path.stat().st_size > 0
        if not existed:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the folder for {self.path}: {e.strerror}") from None
        try:
            conn = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db = Database(conn, execute_plugins=False)
            if existed:
                if verify == "background" and self._can_verify_later():
                    self._verify_in_background()
                else:
                    self._check_readable()
            self._migrate(existed)
            self._set_wal()
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as e:
            raise StoreError(self._explain(e)) from None
        self.conn = conn

    # -- opening ---------------------------------------------------------------------------

    def _explain(self, e: sqlite3.Error) -> str:
        text = str(e)
        if "not a database" in text or "malformed" in text:
            return f"{self.path} is not an annotator database or is damaged ({text}); it was left untouched"
        if "locked" in text or "busy" in text:
            return f"{self.path} is locked by another program; close it and try again"
        if "readonly" in text or "read-only" in text:
            return f"{self.path} is read-only; open a copy or change its permissions"
        if "unable to open" in text:
            return f"cannot open {self.path}: check that the folder exists and is writable"
        if "disk" in text and "full" in text:
            return f"the disk holding {self.path} is full; nothing was written"
        if "disk I/O error" in text:
            return f"cannot write {self.path}: disk I/O error (is the disk full or failing?); nothing was written"
        return f"{self.path}: {text}"

    def _check_readable(self) -> None:
        row = self.db.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            raise StoreError(self._damaged(row))

    def _damaged(self, row: tuple | None) -> str:
        return f"{self.path} is damaged (integrity check: {row[0] if row else 'no answer'}); it was left untouched"

    def _can_verify_later(self) -> bool:
        """True when opening writes nothing: the schema is current and the file is in WAL mode.

        Reading the schema and the migrations also refuses a file that is not a database.
        """
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            return False
        applied = {a.name for a in migrations.applied(self.db)}
        return bool(applied) and all(mig.name in applied for mig in migrations._migrations)

    def _verify_in_background(self) -> None:
        def check() -> None:
            try:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
                try:
                    row = conn.execute("PRAGMA quick_check").fetchone()
                finally:
                    conn.close()
                if row is None or row[0] != "ok":
                    self._damage = self._damaged(row)
            except sqlite3.Error as e:
                self._damage = self._explain(e)

        self._verifying = threading.Thread(target=check, name="annotator-verify", daemon=True)
        self._verifying.start()

    @property
    def verified(self) -> bool | None:
        """None while a background check runs; then True, or False when the file is damaged."""
        if self._verifying is not None and self._verifying.is_alive():
            return None
        return self._damage is None

    def _await_verified(self) -> None:
        if self._verifying is not None:
            self._verifying.join()
        if self._damage is not None:
            raise StoreError(self._damage)

    def _set_wal(self) -> None:
        try:
            mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as e:
            if "readonly" in str(e) or "read-only" in str(e):
                raise
            mode = None
        if mode != "wal" and not os.access(self.path, os.W_OK):
            raise StoreError(f"{self.path} is read-only; open a copy or change its permissions")

    def _migrate(self, existed: bool) -> None:
        known = {mig.name for mig in migrations._migrations}
        applied = [a.name for a in migrations.applied(self.db)]
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise NewerDatabaseError(
                f"{self.path} was written by a newer version of annotator (schema step {unknown[-1]!r});"
                " it was left untouched",
                hint="upgrade annotator to open it",
            )
        if existed and not applied and self.db.table_names():
            raise StoreError(
                f"{self.path} is a SQLite database but not an annotator database; it was left untouched"
            )
        pending = migrations.pending(self.db)
        if not pending:
            return
        if existed and applied:
            self.backup_path = self._backup(applied[-1])
        if not os.access(self.path, os.W_OK):
            raise StoreError(f"{self.path} is read-only; open a copy or change its permissions")
        migrations.apply(self.db)

    def _backup(self, version: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.stem}.backup-{version}-{stamp}{self.path.suffix or '.db'}")
        # Written under a temporary name and renamed when whole: a crash mid-copy must never
        # leave a file that looks like a backup but holds nothing.
        part = target.with_name(f".{target.name}.part")
        part.unlink(missing_ok=True)
        dest = sqlite3.connect(str(part))
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, target)
        return target

    @classmethod
    def schema_steps(cls) -> list[str]:
        """Names of the migrations this version knows, in order."""
        return [mig.name for mig in migrations._migrations]

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with BEGIN IMMEDIATE so writers queue, never deadlock."""
        self._await_verified()
        conn = self.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield conn
            return
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if ("locked" in str(e) or "busy" in str(e)) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise StoreError(self._explain(e)) from None
        try:
            yield conn
        except sqlite3.Error as e:
            # A full disk, an I/O error or a damaged page mid-write: roll back, say it plainly.
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise StoreError(self._explain(e)) from e
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(self._explain(e)) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group several writes into one transaction (all or nothing)."""
        try:
            with self._write():
                yield self
        except sqlite3.DatabaseError as e:
            raise StoreError(self._explain(e)) from None

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: "ok" for a healthy database."""
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    # -- settings and annotators --------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_setting(self, key: str, value: str | None) -> None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is not None and row[0] == value:
            return  # unchanged: no write (the window sets it on every start)
        with self._write() as c:
            c.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))

    def add_annotator(self, name: str) -> None:
        """Register an annotator name (no-op when known)."""
        name = _check_annotator(name)
        if self.conn.execute("SELECT 1 FROM annotators WHERE name = ?", (name,)).fetchone():
            return  # known: no write (the window adds its annotator on every start)
        with self._write() as c:
            c.execute("INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (name, now()))

    def annotators(self) -> list[str]:
        """Every annotator who has a name here or any work, sorted."""
        rows = self.conn.execute(
            "SELECT name FROM annotators UNION SELECT DISTINCT annotator FROM annotations"
            " UNION SELECT DISTINCT annotator FROM decisions ORDER BY 1"
        ).fetchall()
        return [r[0] for r in rows]

    # -- articles ----------------------------------------------------------------------------

    def add_articles(self, articles: Iterable[Article | dict | str]) -> Changes:
        """Add articles (text, or Article/dict with text/title/source/meta); known texts are skipped."""
        added: set[str] = set()
        with self._write():
            for a in articles:
                aid, is_new = self._insert_article(_as_article(a))
                if is_new:
                    added.add(aid)
        return Changes(articles=frozenset(added), counts=(("articles_added", len(added)),))

    def _insert_article(self, a: Article) -> tuple[str, bool]:
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO articles(id, norm_id, title, text, source, meta, words, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a.id,
                m.normalised_text_id(a.text),
                a.title or _title_of(a.text),
                a.text,
                a.source,
                _json(a.meta or {}),
                len(_WORD.findall(a.text)),
                now(),
            ),
        )
        return a.id, cur.rowcount == 1

    def article(self, article_id: str) -> Article:
        row = self.conn.execute(
            "SELECT id, text, title, source, meta FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return Article(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"))

    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def article_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def article_ids(
        self,
        annotator: str | None = None,
        state: str | None = None,
        label: str | None = None,
        search: str | None = None,
    ) -> list[str]:
        """Ids of the articles matching the filters, in import order.

        ``state`` needs ``annotator``; ``label`` keeps articles where the annotator has a span
        or a suggestion (of any status) with that label; ``search`` is a case-insensitive substring of
        the title or text.
        """
        sql = "SELECT a.id FROM articles a"
        where: list[str] = []
        args: list[Any] = []
        if state is not None:
            if state not in m.STATES:
                raise StoreError(f"unknown state {state!r}; use one of {', '.join(m.STATES)}")
            if state == m.TODO:
                where.append(
                    "NOT EXISTS (SELECT 1 FROM article_states s WHERE s.article_id = a.id AND s.annotator = ?"
                    " AND s.state != 'todo')"
                )
                args.append(annotator or "")
            else:
                where.append(
                    "EXISTS (SELECT 1 FROM article_states s WHERE s.article_id = a.id AND s.annotator = ?"
                    " AND s.state = ?)"
                )
                args += [annotator or "", state]
        if label is not None:
            where.append(
                "(EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = a.id AND n.annotator = ? AND n.label = ?)"
                " OR EXISTS (SELECT 1 FROM suggestions g WHERE g.article_id = a.id AND g.label = ?))"
            )
            args += [annotator or "", label, label]
        if search:
            where.append("(instr(lower(a.title), lower(?)) > 0 OR instr(lower(a.text), lower(?)) > 0)")
            args += [search, search]
        if not where:
            # Every id: read the id index (covering, a few MB) and sort by rowid here, rather
            # than walk the whole table with its texts in rowid order (100,000 articles: 0.4 s
            # from a cold cache down to 0.12 s; this runs when the window starts).
            return [r[1] for r in sorted(self.conn.execute("SELECT rowid, id FROM articles").fetchall())]
        sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.rowid"
        return [r[0] for r in self.conn.execute(sql, args)]

    def article_rows(
        self, ids: Sequence[str], annotator: str, hidden: Iterable[tuple[str, str]] = ()
    ) -> list[ArticleRow]:
        """List rows (title, state, pending suggestions, accepted spans) for the given ids.

        Suggestions of the ``hidden`` ``(layer, label)`` pairs (out of the label scope) are not
        counted as pending.
        """
        if not ids:
            return []
        hide = sorted(f"{layer}:{label}" for layer, label in hidden)
        hidden_where = (
            f" AND (g.layer || ':' || g.label) NOT IN ({','.join('?' * len(hide))})" if hide else ""
        )
        out: dict[str, ArticleRow] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = list(ids[chunk_start : chunk_start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"""
                SELECT a.id, a.title, a.words,
                  coalesce((SELECT state FROM article_states s WHERE s.article_id = a.id AND s.annotator = ?), 'todo'),
                  (SELECT count(*) FROM (SELECT DISTINCT layer, start, "end", label FROM suggestions g
                    WHERE g.article_id = a.id{hidden_where} AND NOT EXISTS (
                      SELECT 1 FROM decisions d WHERE d.article_id = g.article_id AND d.annotator = ?
                      AND d.layer = g.layer AND d.start = g.start AND d."end" = g."end" AND d.label = g.label))),
                  (SELECT count(*) FROM annotations n WHERE n.article_id = a.id AND n.annotator = ?)
                FROM articles a WHERE a.id IN ({marks})
                """,
                [annotator, *hide, annotator, annotator, *chunk],
            ).fetchall()
            for r in rows:
                out[r[0]] = ArticleRow(r[0], r[1], r[3], r[4], r[5], r[2])
        return [out[i] for i in ids if i in out]

    def texts(self, ids: Sequence[str] | None = None) -> Iterator[tuple[str, str]]:
        """``(id, text)`` of the given articles (all when None), in import order."""
        if ids is None:
            yield from self.conn.execute("SELECT id, text FROM articles ORDER BY rowid")
            return
        for chunk_start in range(0, len(ids), 500):
            chunk = list(ids[chunk_start : chunk_start + 500])
            marks = ",".join("?" * len(chunk))
            yield from self.conn.execute(
                f"SELECT id, text FROM articles WHERE id IN ({marks}) ORDER BY rowid", chunk
            )

    def find_articles(self, prefixes: Sequence[str]) -> list[str]:
        """Resolve article ids or unique id prefixes (as typed on the command line)."""
        found = []
        for p in prefixes:
            rows = self.conn.execute("SELECT id FROM articles WHERE id LIKE ? || '%'", (p,)).fetchall()
            if not rows:
                raise NotFoundError(f"no article id starts with {p!r}", hint="`annotator stats` lists counts")
            if len(rows) > 1:
                raise NotFoundError(f"{len(rows)} article ids start with {p!r}; give more characters")
            found.append(rows[0][0])
        return found

    # -- labels ------------------------------------------------------------------------------

    def labels(self, layer: str | None = None) -> list[Label]:
        sql = "SELECT name, layer, colour, key, description, parent FROM labels"
        args: list[Any] = []
        if layer is not None:
            sql += " WHERE layer = ?"
            args.append(layer)
        sql += " ORDER BY layer, position, name"
        return [Label(*r) for r in self.conn.execute(sql, args)]

    def label(self, layer: str, name: str) -> Label:
        row = self.conn.execute(
            "SELECT name, layer, colour, key, description, parent FROM labels WHERE layer = ? AND name = ?",
            (layer, name),
        ).fetchone()
        if row is None:
            raise LabelError(f"no {layer} label {name!r}", hint="`annotator labels` lists them")
        return Label(*row)

    def ensure_labels(self, labels: Iterable[Label]) -> list[Label]:
        """Create the labels not yet known; returns the ones created (existing ones are kept as they are)."""
        created: list[Label] = []
        with self._write() as c:
            for lab in labels:
                created += self._ensure_label(c, lab)
        return created

    def _ensure_label(self, c: sqlite3.Connection, lab: Label) -> list[Label]:
        if lab.layer not in LAYERS:
            raise LabelError(
                f"unknown layer {lab.layer!r} for label {lab.name!r}; use one of {', '.join(LAYERS)}"
            )
        if not lab.name or not lab.name.strip():
            raise LabelError("a label needs a name")
        pos = c.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM labels WHERE layer = ?", (lab.layer,)
        ).fetchone()[0]
        cur = c.execute(
            "INSERT OR IGNORE INTO labels(layer, name, colour, key, description, parent, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                lab.layer,
                lab.name,
                lab.colour or _auto_colour(lab.name),
                lab.key,
                lab.description,
                lab.parent,
                pos,
            ),
        )
        return [lab] if cur.rowcount == 1 else []

    def update_label(
        self,
        layer: str,
        name: str,
        *,
        colour: str | None = None,
        key: str | None = None,
        description: str | None = None,
        clear_key: bool = False,
    ) -> Changes:
        """Recolour, rebind or describe a label. A key already bound on the layer is moved."""
        self.label(layer, name)
        if colour is not None and not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
            raise LabelError(f"colour {colour!r} is not of the form #rrggbb")
        with self._write() as c:
            if colour is not None:
                c.execute("UPDATE labels SET colour = ? WHERE layer = ? AND name = ?", (colour, layer, name))
            if key is not None or clear_key:
                if key is not None:
                    c.execute("UPDATE labels SET key = NULL WHERE layer = ? AND key = ?", (layer, key))
                c.execute("UPDATE labels SET key = ? WHERE layer = ? AND name = ?", (key, layer, name))
            if description is not None:
                c.execute(
                    "UPDATE labels SET description = ? WHERE layer = ? AND name = ?",
                    (description, layer, name),
                )
        return Changes(labels=True)

    def layer_of(self, label: str, default: str = ENTITY) -> str:
        """The layer a label name lives on (``default`` when unknown or on both)."""
        rows = self.conn.execute("SELECT layer FROM labels WHERE name = ?", (label,)).fetchall()
        return rows[0][0] if len(rows) == 1 else default

    # -- suggestions -------------------------------------------------------------------------

    def store_suggestions(
        self, results: Iterable[tuple[str, Sequence[SuggestedSpan]]], sources: Iterable[str]
    ) -> Changes:
        """Replace the suggestions of ``sources`` on each given article (one transaction).

        Decisions are keyed by span, not by suggestion row, so they survive re-suggesting.
        """
        sources = list(sources)
        touched: set[str] = set()
        n = 0
        with self._write() as c:
            for aid, spans in results:
                length = self._length(aid)
                if sources:
                    marks = ",".join("?" * len(sources))
                    c.execute(
                        f"DELETE FROM suggestions WHERE article_id = ? AND source IN ({marks})",
                        [aid, *sources],
                    )
                rows = []
                for s in spans:
                    m.check_span(s.start, s.end, s.label, s.layer, length)
                    rows.append((aid, s.layer, s.start, s.end, s.label, s.source, s.score))
                c.executemany(
                    'INSERT INTO suggestions(article_id, layer, start, "end", label, source, score) VALUES (?,?,?,?,?,?,?)',
                    rows,
                )
                n += len(rows)
                touched.add(aid)
        return Changes(articles=frozenset(touched), spans=True, counts=(("suggestions", n),))

    def _length(self, article_id: str) -> int:
        row = self.conn.execute("SELECT length(text) FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return row[0]

    def suggestions(
        self,
        article_id: str,
        annotator: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> list[Suggestion]:
        """Suggestions of an article, each with the status of ``annotator``'s decision on it.

        With ``start`` and ``end``, only those overlapping ``[start, end)`` (a window redrawing
        what one decision touched reads a few rows, not the whole article).
        """
        return [
            Suggestion(r[0], article_id, *r[1:])
            for r in self.suggestion_rows(article_id, annotator, start=start, end=end)
        ]

    def suggestion_rows(
        self,
        article_id: str,
        annotator: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> list[SuggestionRow]:
        """:meth:`suggestions` as :class:`~annotator.model.SuggestionRow` tuples (for the window).

        Same rows in the same order: text order, the same span from two sources folded into one.
        """
        where, args = "", [annotator or "", article_id]
        if start is not None and end is not None:
            where = ' AND g.start < ? AND g."end" > ?'
            args += [end, start]
        # In the order of the index suggestions_by_position, which holds every column read: one
        # scan of it, no sort.
        rows = self.conn.execute(
            f"""
            SELECT g.id, g.layer, g.start, g."end", g.label, g.source, g.score,
              coalesce(d.status, '{m.PENDING}')
            FROM suggestions g LEFT JOIN decisions d ON d.article_id = g.article_id AND d.annotator = ?
              AND d.layer = g.layer AND d.start = g.start AND d."end" = g."end" AND d.label = g.label
            WHERE g.article_id = ?{where} ORDER BY g.start, g."end", g.layer, g.label, g.id
            """,
            args,
        )
        # Read on every open (2,400 rows for 20,000 words), so kept lean: each row becomes the
        # named tuple without a Python call (SuggestionRow._make is one).
        make = tuple.__new__
        out = []
        keep = out.append
        prev = None
        for r in rows:
            key = r[1:5]
            # The same span from two sources is one question for the annotator; rows are sorted
            # by span, so its copies are adjacent and the first (lowest id) is kept.
            if key != prev:
                prev = key
                keep(make(SuggestionRow, r))
        return out

    def suggestion(self, suggestion_id: int) -> Suggestion:
        row = self.conn.execute(
            'SELECT id, article_id, layer, start, "end", label, source, score FROM suggestions WHERE id = ?',
            (suggestion_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"no suggestion {suggestion_id}; it may have been replaced by a new suggest run"
            )
        return Suggestion(*row)

    def has_suggestions(self) -> bool:
        """Whether any article has a suggestion (cheap, unlike counting them by source)."""
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM suggestions)").fetchone()[0] == 1

    def suggestion_sources(self) -> list[tuple[str, int]]:
        return self.conn.execute(
            "SELECT source, count(*) FROM suggestions GROUP BY source ORDER BY source"
        ).fetchall()

    # -- annotations -------------------------------------------------------------------------

    def annotations(
        self, article_id: str, annotator: str, *, start: int | None = None, end: int | None = None
    ) -> list[Annotation]:
        """The annotator's spans on an article (only those overlapping ``[start, end)`` when given)."""
        where, args = "", [article_id, annotator]
        if start is not None and end is not None:
            where = ' AND start < ? AND "end" > ?'
            args += [end, start]
        rows = self.conn.execute(
            'SELECT id, article_id, annotator, layer, start, "end", label, origin, source FROM annotations'
            f' WHERE article_id = ? AND annotator = ?{where} ORDER BY start, "end", layer, label',
            args,
        ).fetchall()
        return [Annotation(*r) for r in rows]

    def annotation(self, annotation_id: int) -> Annotation:
        row = self.conn.execute(
            'SELECT id, article_id, annotator, layer, start, "end", label, origin, source FROM annotations WHERE id = ?',
            (annotation_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no span {annotation_id}; it may have been deleted")
        return Annotation(*row)

    def all_annotations(self, annotator: str | None = None) -> Iterator[Annotation]:
        sql = 'SELECT id, article_id, annotator, layer, start, "end", label, origin, source FROM annotations'
        args: list[Any] = []
        if annotator is not None:
            sql += " WHERE annotator = ?"
            args.append(annotator)
        sql += " ORDER BY article_id, annotator, start"
        for r in self.conn.execute(sql, args):
            yield Annotation(*r)

    def annotation_spans(self, articles: Sequence[str] | None = None) -> Iterator[tuple[str, str, Span]]:
        """``(article_id, annotator, span)`` of every annotation (of ``articles`` when given).

        For the review functions, which read every span of every annotator: no Annotation
        object per row (they made ``annotator agreement`` spend half its time reading).
        """
        sql = 'SELECT article_id, annotator, layer, start, "end", label FROM annotations'
        for where, args in _article_chunks(articles):
            for aid, who, layer, start, end, label in self.conn.execute(
                sql + where + " ORDER BY article_id, annotator", args
            ):
                yield aid, who, Span(start, end, label, layer)

    def annotation_rows(
        self, articles: Sequence[str] | None = None
    ) -> list[tuple[str, str, str, int, int, str]]:
        """``(article_id, annotator, layer, start, end, label)`` of every annotation, as plain rows.

        The order of :meth:`annotation_spans`, without a Span per row: agreement over thousands
        of articles spent more time making them than measuring.
        """
        sql = 'SELECT article_id, annotator, layer, start, "end", label FROM annotations'
        rows: list[tuple[str, str, str, int, int, str]] = []
        for where, args in _article_chunks(articles):
            rows.extend(self.conn.execute(sql + where + " ORDER BY article_id, annotator", args))
        return rows

    # -- the token boundary cache --------------------------------------------------------------

    def token_bounds(self, articles: Sequence[str], tokenizer: str) -> dict[str, bytes]:
        """The cached token boundaries of ``articles`` made by ``tokenizer``.

        Parameters
        ----------
        articles
            Article ids.
        tokenizer
            The tokenizer's name with its version; rows of any other name are not returned.

        Returns
        -------
        dict
            Article id -> packed boundaries (see :meth:`put_token_bounds`), for the articles
            that have them; the others are left out.
        """
        out: dict[str, bytes] = {}
        sql = "SELECT article_id, bounds FROM token_bounds"
        for where, args in _article_chunks(articles):
            out.update(self.conn.execute(sql + where + " AND tokenizer = ?", [*args, tokenizer]))
        return out

    def put_token_bounds(self, tokenizer: str, rows: Iterable[tuple[str, bytes]]) -> bool:
        """Cache token boundaries, all in one transaction, if the database can take them now.

        A cache is not a user action: no ledger row, no :class:`Changes`. It never waits for a
        lock, nor for the background integrity check, and never raises: a read-only, locked,
        damaged or full database just is not written. Rows of other versions of the same
        tokenizer (the name up to ``@``) for these articles are dropped: they are superseded.

        Parameters
        ----------
        tokenizer
            The tokenizer's name with its version, e.g. ``"spacy.blank:en@3.8.18"``.
        rows
            ``(article id, packed boundaries)``; the packing is the caller's (for the token
            measures: little-endian int32, the starts and then the ends).

        Returns
        -------
        bool
            True when the rows were written.
        """
        rows = list(rows)
        if not rows:
            return True
        if self._damage is not None or (self._verifying is not None and self._verifying.is_alive()):
            return False
        family = tokenizer.split("@", 1)[0] + "@"
        conn = self.conn
        outer = conn.in_transaction
        try:
            if not outer:
                conn.execute("PRAGMA busy_timeout = 0")
                try:
                    conn.execute("BEGIN IMMEDIATE")
                finally:
                    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            with self.db.atomic() if outer else contextlib.nullcontext():
                for where, args in _article_chunks([aid for aid, _ in rows]):
                    conn.execute(
                        f"DELETE FROM token_bounds{where} AND substr(tokenizer, 1, ?) = ? AND tokenizer != ?",
                        [*args, len(family), family, tokenizer],
                    )
                conn.executemany(
                    "INSERT OR REPLACE INTO token_bounds(article_id, tokenizer, bounds) VALUES (?, ?, ?)",
                    ((aid, tokenizer, blob) for aid, blob in rows),
                )
            if not outer:
                conn.execute("COMMIT")
        except sqlite3.Error:
            if not outer and conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            return False
        return True

    def drop_token_bounds(self) -> int:
        """Forget every cached token boundary (they are made again when next needed).

        Returns
        -------
        int
            The number of rows dropped.
        """
        with self._write() as c:
            return c.execute("DELETE FROM token_bounds").rowcount

    # -- the ledger machinery ------------------------------------------------------------------

    def _row(self, target: str, key: dict[str, Any]) -> dict[str, Any] | None:
        table, cols, pk = _TARGETS[target]
        where = " AND ".join(f"{_q(k)} = ?" for k in pk)
        row = self.conn.execute(
            f"SELECT {', '.join(_q(c) for c in cols)} FROM {table} WHERE {where}", [key[k] for k in pk]
        ).fetchone()
        return None if row is None else dict(zip(cols, row, strict=True))

    def _put(self, target: str, row: dict[str, Any]) -> None:
        table, cols, _ = _TARGETS[target]
        row = {**_ROW_DEFAULTS.get(target, {}), **row}
        self.conn.execute(
            f"INSERT OR REPLACE INTO {table}({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
            [row.get(c) for c in cols],
        )

    def _drop(self, target: str, row: dict[str, Any]) -> None:
        table, _, pk = _TARGETS[target]
        row = {**_ROW_DEFAULTS.get(target, {}), **row}
        where = " AND ".join(f"{_q(k)} = ?" for k in pk)
        self.conn.execute(f"DELETE FROM {table} WHERE {where}", [row[k] for k in pk])

    class _Action:
        """Collects the effects of one user action for the ledger."""

        def __init__(self, store: Store, annotator: str, article_id: str | None, kind: str, detail: dict):
            self.store = store
            self.annotator = annotator
            self.article_id = article_id
            self.kind = kind
            self.detail = detail
            self.effects: list[tuple[str, dict | None, dict | None]] = []

        def change(self, target: str, before: dict | None, after: dict | None) -> None:
            if before == after:
                return
            if before is not None and (after is None or _pk(target, before) != _pk(target, after)):
                self.store._drop(target, before)
            if after is not None:
                self.store._put(target, after)
            self.effects.append((target, before, after))

    @contextlib.contextmanager
    def _action(
        self, annotator: str, article_id: str | None, kind: str, **detail: Any
    ) -> Iterator[Store._Action]:
        annotator = _check_annotator(annotator)
        with self._write() as c:
            act = Store._Action(self, annotator, article_id, kind, detail)
            yield act
            if not act.effects:
                return
            c.execute("INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (annotator, now()))
            # A new action ends the chance to redo what was undone before it.
            c.execute("UPDATE ledger SET undone = 2 WHERE annotator = ? AND undone = 1", (annotator,))
            cur = c.execute(
                "INSERT INTO ledger(annotator, article_id, kind, at, detail) VALUES (?, ?, ?, ?, ?)",
                (annotator, article_id, kind, now(), _json(detail)),
            )
            lid = cur.lastrowid
            c.executemany(
                "INSERT INTO ledger_effects(ledger_id, seq, target, before, after) VALUES (?, ?, ?, ?, ?)",
                [
                    (lid, i, t, None if b is None else _json(b), None if a is None else _json(a))
                    for i, (t, b, a) in enumerate(act.effects)
                ],
            )

    def _touch_state(self, act: Store._Action, article_id: str) -> None:
        """An article an annotator acts on moves from to do to in progress."""
        before = self._row("state", {"article_id": article_id, "annotator": act.annotator})
        if before is None or before["state"] == m.TODO:
            act.change(
                "state",
                before,
                {
                    "article_id": article_id,
                    "annotator": act.annotator,
                    "state": m.IN_PROGRESS,
                    "updated_at": now(),
                },
            )

    def _check_entity_free(
        self, annotator: str, article_id: str, span: Span, ignore_id: int | None = None
    ) -> None:
        if span.layer != ENTITY:
            return
        row = self.conn.execute(
            'SELECT id, start, "end", label FROM annotations WHERE article_id = ? AND annotator = ? AND layer = ?'
            ' AND start < ? AND "end" > ? AND id IS NOT ? LIMIT 1',
            (article_id, annotator, ENTITY, span.end, span.start, ignore_id),
        ).fetchone()
        if row is not None:
            raise SpanError(
                f"{span.label} {span.start}-{span.end} overlaps the entity {row[3]} {row[1]}-{row[2]};"
                " entity spans may not overlap (change or delete that one first)"
            )

    def _new_annotation(
        self, annotator: str, article_id: str, span: Span, origin: str, source: str | None
    ) -> dict[str, Any]:
        span.check(" " * self._length(article_id))
        self._check_entity_free(annotator, article_id, span)
        # AUTOINCREMENT: an id is never reused, so a ledger row can always redo it.
        new_id = self.conn.execute(
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'annotations'), 0) + 1"
        ).fetchone()[0]
        return {
            "id": new_id,
            "article_id": article_id,
            "annotator": annotator,
            "layer": span.layer,
            "start": span.start,
            "end": span.end,
            "label": span.label,
            "origin": origin,
            "source": source,
            "created_at": now(),
        }

    def _decision(
        self, annotator: str, sugg: Suggestion, status: str, annotation_id: int | None
    ) -> dict[str, Any]:
        return {
            "article_id": sugg.article_id,
            "annotator": annotator,
            "layer": sugg.layer,
            "start": sugg.start,
            "end": sugg.end,
            "label": sugg.label,
            "source": sugg.source,
            "status": status,
            "annotation_id": annotation_id,
            "decided_at": now(),
        }

    def _decision_key(self, annotator: str, sugg: Suggestion) -> dict[str, Any]:
        return {
            "article_id": sugg.article_id,
            "annotator": annotator,
            "layer": sugg.layer,
            "start": sugg.start,
            "end": sugg.end,
            "label": sugg.label,
        }

    # -- decisions: each one transaction -------------------------------------------------------

    def accept(self, annotator: str, suggestion_id: int) -> Changes:
        """Accept a suggestion as it is: it becomes an annotation of ``annotator``."""
        sugg = self.suggestion(suggestion_id)
        with self._action(annotator, sugg.article_id, "accept", suggestion=_sugg_json(sugg)) as act:
            self._accept(act, sugg, sugg.span, m.ORIGIN_ACCEPTED, m.ACCEPTED)
        return self._changes(sugg.article_id)

    def _redecide(self, act: Store._Action, sugg: Suggestion) -> dict[str, Any] | None:
        """The annotator's earlier decision on ``sugg`` (if any), with the span it made removed."""
        before = self._row("decision", self._decision_key(act.annotator, sugg))
        if before is not None and before["annotation_id"] is not None:
            old = self._row("annotation", {"id": before["annotation_id"]})
            if old is not None:
                act.change("annotation", old, None)
        return before

    def _decision_of(self, annotator: str, annotation: dict[str, Any]) -> dict[str, Any] | None:
        """The decision whose accepted or corrected suggestion became ``annotation``."""
        row = self.conn.execute(
            f"SELECT {', '.join(_q(c) for c in _DECISION_COLS)} FROM decisions"
            " WHERE article_id = ? AND annotator = ? AND annotation_id = ?",
            (annotation["article_id"], annotator, annotation["id"]),
        ).fetchone()
        return None if row is None else dict(zip(_DECISION_COLS, row, strict=True))

    def _accept(self, act: Store._Action, sugg: Suggestion, span: Span, origin: str, status: str) -> None:
        before = self._redecide(act, sugg)
        ann = self._new_annotation(act.annotator, sugg.article_id, span, origin, sugg.source)
        act.change("annotation", None, ann)
        act.change("decision", before, self._decision(act.annotator, sugg, status, ann["id"]))
        self._touch_state(act, sugg.article_id)

    def _pending_of(self, annotator: str, article_id: str, labels) -> list[Suggestion]:
        """The article's pending suggestions (only those whose ``(layer, label)`` is in ``labels``)."""
        return [
            s
            for s in self.suggestions(article_id, annotator)
            if s.status == m.PENDING and (labels is None or (s.layer, s.label) in labels)
        ]

    def accept_all(self, annotator: str, article_id: str, labels=None) -> Changes:
        """Accept every pending suggestion of the article that fits (overlapping entities are skipped).

        ``labels``: only suggestions of these ``(layer, label)`` pairs (those shown), when given.
        """
        pending = self._pending_of(annotator, article_id, labels)
        skipped = 0
        with self._action(annotator, article_id, "accept_all") as act:
            for s in pending:
                try:
                    self._accept(act, s, s.span, m.ORIGIN_ACCEPTED, m.ACCEPTED)
                except SpanError:
                    skipped += 1
            act.detail["accepted"] = len(pending) - skipped
            act.detail["skipped"] = skipped
        return self._changes(article_id, accepted=len(pending) - skipped, skipped=skipped)

    def reject_all(self, annotator: str, article_id: str, labels=None) -> Changes:
        """Reject every pending suggestion of the article (of ``labels`` only, when given), as one action."""
        pending = self._pending_of(annotator, article_id, labels)
        with self._action(annotator, article_id, "reject_all", rejected=len(pending)) as act:
            for s in pending:
                before = self._redecide(act, s)
                act.change("decision", before, self._decision(act.annotator, s, m.REJECTED, None))
            if pending:
                self._touch_state(act, article_id)
        return self._changes(article_id, rejected=len(pending))

    def reject(self, annotator: str, suggestion_id: int) -> Changes:
        """Reject a suggestion. It stays in the data as a negative example."""
        sugg = self.suggestion(suggestion_id)
        with self._action(annotator, sugg.article_id, "reject", suggestion=_sugg_json(sugg)) as act:
            before = self._redecide(act, sugg)
            act.change("decision", before, self._decision(act.annotator, sugg, m.REJECTED, None))
            self._touch_state(act, sugg.article_id)
        return self._changes(sugg.article_id)

    def correct(
        self,
        annotator: str,
        suggestion_id: int,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> Changes:
        """Accept a suggestion with other boundaries and/or another label."""
        sugg = self.suggestion(suggestion_id)
        span = Span(
            sugg.start if start is None else start,
            sugg.end if end is None else end,
            sugg.label if label is None else label,
            sugg.layer,
        )
        self._require_label(span.layer, span.label)
        if span == sugg.span:
            return self.accept(annotator, suggestion_id)
        with self._action(
            annotator, sugg.article_id, "correct", suggestion=_sugg_json(sugg), to=_span_json(span)
        ) as act:
            self._accept(act, sugg, span, m.ORIGIN_CORRECTED, m.CORRECTED)
        return self._changes(sugg.article_id)

    def add_span(self, annotator: str, article_id: str, span: Span, origin: str = m.ORIGIN_MANUAL) -> Changes:
        """Add a span by hand."""
        self._require_label(span.layer, span.label)
        with self._action(annotator, article_id, "add", span=_span_json(span)) as act:
            dup = self.conn.execute(
                "SELECT id FROM annotations WHERE article_id = ? AND annotator = ? AND layer = ? AND start = ?"
                ' AND "end" = ? AND label = ?',
                (article_id, act.annotator, span.layer, span.start, span.end, span.label),
            ).fetchone()
            if dup is not None:
                raise SpanError(f"{span.label} {span.start}-{span.end} is already marked")
            ann = self._new_annotation(act.annotator, article_id, span, origin, None)
            act.change("annotation", None, ann)
            self._touch_state(act, article_id)
        return self._changes(article_id, added_id=ann["id"])

    def update_span(
        self,
        annotator: str,
        annotation_id: int,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> Changes:
        """Move a span's boundaries or change its label."""
        before = self._row("annotation", {"id": annotation_id})
        if before is None or before["annotator"] != annotator:
            raise NotFoundError(f"no span {annotation_id} of {annotator}")
        span = Span(
            before["start"] if start is None else start,
            before["end"] if end is None else end,
            before["label"] if label is None else label,
            before["layer"],
        )
        self._require_label(span.layer, span.label)
        span.check(" " * self._length(before["article_id"]))
        self._check_entity_free(annotator, before["article_id"], span, ignore_id=annotation_id)
        kind = "relabel" if span.label != before["label"] else "resize"
        with self._action(
            annotator, before["article_id"], kind, before=_row_span(before), after=_span_json(span)
        ) as act:
            after = dict(before, start=span.start, end=span.end, label=span.label)
            if after["origin"] == m.ORIGIN_ACCEPTED:
                after["origin"] = m.ORIGIN_CORRECTED
            act.change("annotation", before, after)
            d_before = self._decision_of(annotator, before)
            if d_before and d_before["status"] == m.ACCEPTED:
                act.change("decision", d_before, dict(d_before, status=m.CORRECTED, decided_at=now()))
            self._touch_state(act, before["article_id"])
        return self._changes(before["article_id"])

    def delete_span(self, annotator: str, annotation_id: int) -> Changes:
        """Delete a span. If it came from a suggestion, that suggestion counts as rejected."""
        before = self._row("annotation", {"id": annotation_id})
        if before is None or before["annotator"] != annotator:
            raise NotFoundError(f"no span {annotation_id} of {annotator}")
        with self._action(annotator, before["article_id"], "delete", span=_row_span(before)) as act:
            act.change("annotation", before, None)
            d_before = self._decision_of(annotator, before)
            if d_before is not None:
                rejected = dict(d_before, status=m.REJECTED, annotation_id=None, decided_at=now())
                act.change("decision", d_before, rejected)
            self._touch_state(act, before["article_id"])
        return self._changes(before["article_id"])

    def set_state(self, annotator: str, article_id: str, state: str) -> Changes:
        """Mark an article to do, in progress, done or skipped for ``annotator``."""
        if state not in m.STATES:
            raise StoreError(f"unknown state {state!r}; use one of {', '.join(m.STATES)}")
        self._length(article_id)
        with self._action(annotator, article_id, "state", state=state) as act:
            before = self._row("state", {"article_id": article_id, "annotator": act.annotator})
            if (before["state"] if before else m.TODO) != state:
                act.change(
                    "state",
                    before,
                    {
                        "article_id": article_id,
                        "annotator": act.annotator,
                        "state": state,
                        "updated_at": now(),
                    },
                )
        return Changes(articles=frozenset({article_id}), states=True)

    def state(self, annotator: str, article_id: str) -> str:
        row = self.conn.execute(
            "SELECT state FROM article_states WHERE article_id = ? AND annotator = ?", (article_id, annotator)
        ).fetchone()
        return row[0] if row else m.TODO

    def next_article(self, annotator: str, after: str | None = None) -> str | None:
        """The next article still to do (or in progress) for ``annotator``, after ``after`` in list order."""
        start_rowid = 0
        if after is not None:
            row = self.conn.execute("SELECT rowid FROM articles WHERE id = ?", (after,)).fetchone()
            start_rowid = row[0] if row else 0
        sql = (
            "SELECT a.id FROM articles a WHERE a.rowid {op} ? AND NOT EXISTS (SELECT 1 FROM article_states s"
            " WHERE s.article_id = a.id AND s.annotator = ? AND s.state IN ('done', 'skipped')) ORDER BY a.rowid LIMIT 1"
        )
        row = self.conn.execute(sql.format(op=">"), (start_rowid, annotator)).fetchone()
        if row is None and after is not None:
            row = self.conn.execute(sql.format(op="<"), (start_rowid, annotator)).fetchone()
        return row[0] if row else None

    def progress(self, annotator: str) -> tuple[int, int]:
        """``(done, total)`` articles for ``annotator`` (skipped counts as done)."""
        done = self.conn.execute(
            "SELECT count(*) FROM article_states WHERE annotator = ? AND state IN ('done', 'skipped')",
            (annotator,),
        ).fetchone()[0]
        return done, self.article_count()

    # -- undo / redo: replaying the ledger -------------------------------------------------------

    def undo(self, annotator: str) -> Changes:
        """Undo ``annotator``'s last action (across article switches and restarts)."""
        return self._replay(annotator, undo=True)

    def redo(self, annotator: str) -> Changes:
        """Redo the action undone last, unless something new was done since."""
        return self._replay(annotator, undo=False)

    def _replay(self, annotator: str, undo: bool) -> Changes:
        with self._write() as c:
            row = self._next_action(annotator, undo)
            if row is None:
                raise NothingToDo("nothing to undo" if undo else "nothing to redo")
            lid, article_id = row[0], row[1]
            effects = c.execute(
                "SELECT target, before, after FROM ledger_effects WHERE ledger_id = ? ORDER BY seq "
                + ("DESC" if undo else "ASC"),
                (lid,),
            ).fetchall()
            for target, before, after in effects:
                b = None if before is None else json.loads(before)
                a = None if after is None else json.loads(after)
                src, dst = (a, b) if undo else (b, a)
                if src is not None:
                    self._drop(target, src)
                if dst is not None:
                    self._put(target, dst)
            c.execute("UPDATE ledger SET undone = ? WHERE id = ?", (1 if undo else 0, lid))
        return (
            self._changes(article_id, **{("undone" if undo else "redone"): 1})
            if article_id
            else Changes(spans=True)
        )

    def _next_action(self, annotator: str, undo: bool) -> tuple | None:
        """``(id, article_id, kind, at, detail)`` of the action undo (or redo) would replay.

        Undo takes the newest action still done; imports and merged history are not undoable.
        Redo takes the oldest undone one (a new action drops the undone ones, see ``_action``).
        """
        return self.conn.execute(_NEXT_UNDO if undo else _NEXT_REDO, (annotator,)).fetchone()

    def last_action(self, annotator: str, undone: bool = False) -> dict[str, Any] | None:
        """The action ``undo`` (or ``redo`` when ``undone``) would replay, for menus and status text."""
        row = self._next_action(annotator, undo=not undone)
        if row is None:
            return None
        return {
            "id": row[0],
            "article_id": row[1],
            "kind": row[2],
            "at": row[3],
            "detail": json.loads(row[4]),
        }

    def ledger_mark(self) -> int:
        """Id of the newest ledger row (0 when empty): what :meth:`touched_spans` counts from."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM ledger").fetchone()[0]

    def effects(self, first: int, last: int | None = None) -> list[tuple[str, dict | None, dict | None]]:
        """``(target, before, after)`` of the annotation, decision and state rows that ledger rows
        ``first..last`` changed, in the order they were applied (``last`` None: to the newest).
        """
        sql = (
            "SELECT target, before, after FROM ledger_effects WHERE ledger_id >= ?"
            + ("" if last is None else " AND ledger_id <= ?")
            + " AND target IN ('annotation', 'decision', 'state') ORDER BY ledger_id, seq"
        )
        args = [first] if last is None else [first, last]
        return [
            (t, json.loads(b) if b else None, json.loads(a) if a else None)
            for t, b, a in self.conn.execute(sql, args)
        ]

    def touched_spans(self, first: int, last: int | None = None) -> list[tuple[str, str, int, int]]:
        """``(article_id, annotator, start, end)`` of every span row ledger rows ``first..last`` changed.

        Each annotation and decision effect gives its span before and after (a moved span gives
        both places), so the list covers every span those actions added, removed or changed.
        ``last`` None: up to the newest row.
        """
        return [
            (r["article_id"], r["annotator"], r["start"], r["end"])
            for target, before, after in self.effects(first, last)
            if target != "state"
            for r in (before, after)
            if r
        ]

    def ledger(self, annotator: str | None = None) -> Iterator[dict[str, Any]]:
        """Every action with its effects (before and after), oldest first."""
        sql = "SELECT id, annotator, article_id, kind, at, undone, detail FROM ledger"
        args: list[Any] = []
        if annotator:
            sql += " WHERE annotator = ?"
            args.append(annotator)
        sql += " ORDER BY id"
        for r in self.conn.execute(sql, args).fetchall():
            effects = [
                {"target": t, "before": json.loads(b) if b else None, "after": json.loads(a) if a else None}
                for t, b, a in self.conn.execute(
                    "SELECT target, before, after FROM ledger_effects WHERE ledger_id = ? ORDER BY seq",
                    (r[0],),
                )
            ]
            yield {
                "id": r[0],
                "annotator": r[1],
                "article_id": r[2],
                "kind": r[3],
                "at": r[4],
                "undone": bool(r[5] == 1),
                "dropped": bool(r[5] == 2),
                "detail": json.loads(r[6]),
                "effects": effects,
            }

    def decisions(self, annotator: str | None = None) -> Iterator[dict[str, Any]]:
        """Every decision on a suggested span (accepted, rejected, corrected) with the span it became."""
        sql = (
            'SELECT d.article_id, d.annotator, d.layer, d.start, d."end", d.label, d.source, d.status, d.decided_at,'
            ' n.start, n."end", n.label FROM decisions d LEFT JOIN annotations n ON n.id = d.annotation_id'
        )
        args: list[Any] = []
        if annotator:
            sql += " WHERE d.annotator = ?"
            args.append(annotator)
        sql += " ORDER BY d.article_id, d.annotator, d.start"
        for r in self.conn.execute(sql, args):
            yield {
                "article_id": r[0],
                "annotator": r[1],
                "layer": r[2],
                "start": r[3],
                "end": r[4],
                "label": r[5],
                "source": r[6],
                "decision": r[7],
                "at": r[8],
                "result": None if r[9] is None else {"start": r[9], "end": r[10], "label": r[11]},
            }

    # -- gold: the reviewer's settled spans ---------------------------------------------------------

    def gold_spans(self, article_id: str) -> list[Annotation]:
        """The gold spans of an article (annotations of the reserved annotator ``gold``)."""
        return self.annotations(article_id, m.GOLD)

    def adjudications(self, article_id: str | None = None) -> list[dict[str, Any]]:
        """Settled disagreement regions (all articles when None)."""
        sql = f"SELECT {', '.join(_q(c) for c in _ADJ_COLS)} FROM adjudications"
        args: list[Any] = []
        if article_id is not None:
            sql += " WHERE article_id = ?"
            args.append(article_id)
        return [
            dict(zip(_ADJ_COLS, r, strict=True))
            for r in self.conn.execute(sql + " ORDER BY article_id, start", args)
        ]

    def add_agreed_gold(self, reviewer: str, article_id: str, spans: Sequence[Span]) -> Changes:
        """Put spans every annotator agrees on into gold (one undoable action of ``reviewer``)."""
        have = {a.span for a in self.gold_spans(article_id)}
        todo = [s for s in spans if s not in have]
        if not todo:
            return Changes()
        with self._action(reviewer, article_id, "agreed_gold", spans=[_span_json(s) for s in todo]) as act:
            for s in todo:
                self._require_label(s.layer, s.label)
                ann = self._new_annotation(
                    m.GOLD, article_id, s, m.ORIGIN_AGREED, f"reviewer:{act.annotator}"
                )
                act.change("annotation", None, ann)
            self._gold_state(act, article_id)
        return self._changes(article_id, gold=len(todo))

    def settle(
        self,
        reviewer: str,
        article_id: str,
        layer: str,
        region: tuple[int, int],
        spans: Sequence[Span],
        choice: str,
        labels: Iterable[str] | None = None,
    ) -> Changes:
        """Settle one disagreement: gold spans of ``layer`` inside ``region`` become ``spans``.

        ``choice`` records what the reviewer chose (``take:alice``, ``take_both``, ``take_none``,
        ``edit``). ``labels`` are the disagreement's labels on the issue layer, where
        disagreements are per label: then only gold spans with those labels (or the chosen ones)
        are replaced, other issues inside the region (agreed, or settled on their own) stay, and
        the settlement is kept per region and labels (see :func:`adjudication_labels`). One
        undoable action of ``reviewer``; every step is in the ledger.
        """
        start, end = region
        key = adjudication_labels(labels)
        replaced = None if labels is None else frozenset(labels) | {s.label for s in spans}
        for s in spans:
            self._require_label(s.layer, s.label)
        with self._action(
            reviewer,
            article_id,
            "adjudicate",
            layer=layer,
            region=[start, end],
            choice=choice,
            spans=[_span_json(s) for s in spans],
        ) as act:
            for r in self.conn.execute(
                f"SELECT {', '.join(_q(c) for c in _ANNOTATION_COLS)} FROM annotations"
                ' WHERE article_id = ? AND annotator = ? AND layer = ? AND start >= ? AND "end" <= ?',
                (article_id, m.GOLD, layer, start, end),
            ).fetchall():
                row = dict(zip(_ANNOTATION_COLS, r, strict=True))
                if replaced is None or row["label"] in replaced:
                    act.change("annotation", row, None)
            for s in spans:
                ann = self._new_annotation(
                    m.GOLD, article_id, s, m.ORIGIN_ADJUDICATED, f"reviewer:{act.annotator}"
                )
                act.change("annotation", None, ann)
            before = self._row(
                "adjudication",
                {"article_id": article_id, "layer": layer, "start": start, "end": end, "labels": key},
            )
            act.change(
                "adjudication",
                before,
                {
                    "article_id": article_id,
                    "layer": layer,
                    "start": start,
                    "end": end,
                    "labels": key,
                    "choice": choice,
                    "reviewer": act.annotator,
                    "at": now(),
                },
            )
            self._gold_state(act, article_id)
        return self._changes(article_id)

    def _gold_state(self, act: Store._Action, article_id: str) -> None:
        before = self._row("state", {"article_id": article_id, "annotator": m.GOLD})
        if before is None or before["state"] == m.TODO:
            act.change(
                "state",
                before,
                {"article_id": article_id, "annotator": m.GOLD, "state": m.IN_PROGRESS, "updated_at": now()},
            )

    # -- import and bulk reads -------------------------------------------------------------------

    def import_docs(
        self,
        docs: Sequence[m.ImportedDoc],
        annotator: str | None = None,
        *,
        description: str = "",
        done: bool = True,
    ) -> ImportReport:
        """Write parsed documents in ONE transaction: all of them or, on any error, nothing.

        Spans become annotations (origin ``imported``) of the annotator the file names, else of
        ``annotator``; rejected spans become rejected suggestions (negative examples);
        predictions become suggestions. Unknown labels are created. Re-importing is a no-op.
        Articles an annotator completed in the file are marked done for them when ``done``.
        A document whose text differs only in line endings or Unicode normalisation from an
        article here goes onto that article, its offsets mapped (``report.twins``).
        """
        report = ImportReport()
        stamp = now()
        with self._write() as c:
            known_labels = {(r[0], r[1]) for r in c.execute("SELECT layer, name FROM labels")}
            label_layers: dict[str, set[str]] = {}
            for layer, name in known_labels:
                label_layers.setdefault(name, set()).add(layer)
            ids = [m.article_id(d.text) for d in docs]
            existing: set[str] = set()
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                existing.update(
                    r[0]
                    for r in c.execute(
                        f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
                    )
                )
            docs, norm_of = self._onto_twins(c, ids, list(docs), existing, report)
            new_rows = []
            seen_new: set[str] = set()
            for k, (aid, d) in enumerate(zip(ids, docs, strict=True)):
                if aid in existing or aid in seen_new:
                    report.articles_known += 1
                    continue
                seen_new.add(aid)
                norm = norm_of[k]
                new_rows.append(
                    (
                        aid,
                        norm,
                        d.title or _title_of(d.text),
                        d.text,
                        d.source,
                        _json(d.meta or {}),
                        len(d.text.split()),
                        stamp,
                    )
                )
            if new_rows:
                norms = sorted({r[1] for r in new_rows})
                for i in range(0, len(norms), 500):
                    chunk = norms[i : i + 500]
                    for nid, oid in c.execute(
                        f"SELECT norm_id, id FROM articles WHERE norm_id IN ({','.join('?' * len(chunk))})",
                        chunk,
                    ):
                        for r in new_rows:
                            if r[1] == nid and r[0] != oid:
                                report.near_duplicates.append((r[0], oid))
                c.executemany(
                    "INSERT OR IGNORE INTO articles(id, norm_id, title, text, source, meta, words, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    new_rows,
                )
            report.articles_added = len(new_rows)

            def layer_for(span_layer: str, label: str) -> str:
                layers = label_layers.get(label)
                if layers and span_layer not in layers and len(layers) == 1:
                    return next(iter(layers))
                return span_layer

            # (layer in the file, label) -> layer stored, for labels already known here. A
            # label's layers never change after its first span (see layer_for), but clear it
            # whenever a label is created all the same.
            stored_layer: dict[tuple[str, str], str] = {}

            def need_label(layer: str, label: str) -> None:
                if (layer, label) not in known_labels:
                    created = self._ensure_label(c, Label(label, layer, _auto_colour(label)))
                    report.labels_created += created
                    known_labels.add((layer, label))
                    label_layers.setdefault(label, set()).add(layer)
                    stored_layer.clear()

            ann_rows: list[tuple] = []
            dec_rows: list[tuple] = []
            sugg_rows: list[tuple] = []
            state_rows = []
            per_annotator: dict[str, int] = {}
            default = annotator.strip() if annotator and annotator.strip() else None

            def new_article_spans(aid: str, d: m.ImportedDoc) -> bool:
                """Rows for the spans of an article that had none here, in one tight pass.

                The same rows as spans_of(); False, with nothing written, when a span has no
                annotator or entity spans overlap: spans_of() then raises the error it always has.
                """
                anns, rejected = [], []
                add_row = anns.append
                imported = m.ORIGIN_IMPORTED
                taken: dict[str, set[tuple[int, int, str, str]]] = {}
                last_who, mine = None, set()
                for start, end, label, file_layer, who, answer in d.spans:
                    who = who or default
                    if who is None:
                        return False
                    layer = stored_layer.get((file_layer, label))
                    if layer is None:
                        layer = layer_for(file_layer, label)
                        need_label(layer, label)
                        stored_layer[(file_layer, label)] = layer
                    if answer == "reject":
                        rejected.append((who, layer, start, end, label))
                        continue
                    if who != last_who:  # a file rarely has several annotators on one article
                        mine = taken.setdefault(who, set())
                        last_who = who
                    key = (start, end, label, layer)
                    if key in mine:
                        continue
                    mine.add(key)
                    add_row((aid, who, layer, start, end, label, imported, None, stamp))
                for mine in taken.values():
                    if m.entities_overlap([k for k in mine if k[3] == ENTITY]):
                        return False
                for who, mine in taken.items():
                    per_annotator[who] = per_annotator.get(who, 0) + len(mine)
                ann_rows.extend(anns)
                for who, layer, start, end, label in rejected:
                    sugg_rows.append((aid, layer, start, end, label, "import", None))
                    dec_rows.append((aid, who, layer, start, end, label, "import", m.REJECTED, None, stamp))
                report.annotators.update(taken)
                report.annotators.update(who for who, *_ in rejected)
                report.rejections += len(rejected)
                return True

            def spans_of(aid: str, d: m.ImportedDoc) -> None:
                """Rows for the spans of an article, checked against the spans it has here.

                "Here" is the database and the rows of this import so far: a file may hold the
                same article twice.
                """
                existing_spans: dict[str, _TakenSpans] = {}
                for who in {s.annotator or default for s in d.spans} - {None}:
                    rows = list(
                        c.execute(
                            'SELECT start, "end", label, layer FROM annotations WHERE article_id = ? AND annotator = ?',
                            (aid, who),
                        )
                        if aid in existing  # a new article has no spans here yet
                        else ()
                    )
                    for lo, hi in spanned.get(aid, ()):
                        rows += [(r[3], r[4], r[5], r[2]) for r in ann_rows[lo:hi] if r[1] == who]
                    existing_spans[who] = _TakenSpans(rows)
                for s in d.spans:
                    who = s.annotator or default
                    if who is None:
                        raise StoreError(
                            f"{d.location}: the file does not say who made its spans",
                            hint="pass --annotator NAME",
                        )
                    layer = layer_for(s.layer, s.label)
                    need_label(layer, s.label)
                    report.annotators.add(who)
                    if s.answer == "reject":
                        sugg_rows.append((aid, layer, s.start, s.end, s.label, "import", None))
                        dec_rows.append(
                            (aid, who, layer, s.start, s.end, s.label, "import", m.REJECTED, None, stamp)
                        )
                        report.rejections += 1
                        continue
                    mine = existing_spans[who]
                    key = (s.start, s.end, s.label, layer)
                    if key in mine.keys:
                        continue
                    if layer == ENTITY and mine.overlaps_entity(s.start, s.end):
                        raise SpanError(
                            f"{d.location}: {s.label} {s.start}-{s.end} of {who} overlaps an entity span {who} already"
                            " has in this database or earlier in this file"
                        )
                    mine.add(key)
                    ann_rows.append(
                        (aid, who, layer, s.start, s.end, s.label, m.ORIGIN_IMPORTED, None, stamp)
                    )
                    per_annotator[who] = per_annotator.get(who, 0) + 1

            # Articles whose spans this import has queued already: where in ann_rows they are.
            spanned: dict[str, list[tuple[int, int]]] = {}
            for aid, d in zip(ids, docs, strict=True):
                lo = len(ann_rows)
                if d.spans and (aid in existing or aid in spanned or not new_article_spans(aid, d)):
                    spans_of(aid, d)
                if d.spans:
                    spanned.setdefault(aid, []).append((lo, len(ann_rows)))
                for g in d.suggestions:
                    layer = layer_for(g.layer, g.label)
                    need_label(layer, g.label)
                    sugg_rows.append((aid, layer, g.start, g.end, g.label, g.source, g.score))
                if done:
                    for who in d.annotators:
                        who = who or default
                        if who:
                            report.annotators.add(who)
                            state_rows.append((aid, who, m.DONE, stamp))
            if sugg_rows:
                # Replace what an earlier import of the same source said about these articles.
                pairs = sorted({(r[0], r[5]) for r in sugg_rows})
                c.executemany("DELETE FROM suggestions WHERE article_id = ? AND source = ?", pairs)
                c.executemany(
                    'INSERT INTO suggestions(article_id, layer, start, "end", label, source, score) VALUES (?,?,?,?,?,?,?)',
                    sugg_rows,
                )
            c.executemany(
                'INSERT INTO annotations(article_id, annotator, layer, start, "end", label, origin, source, created_at)'
                " VALUES (?,?,?,?,?,?,?,?,?)",
                ann_rows,
            )
            c.executemany(
                'INSERT OR REPLACE INTO decisions(article_id, annotator, layer, start, "end", label, source, status,'
                " annotation_id, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                dec_rows,
            )
            c.executemany(
                "INSERT INTO article_states(article_id, annotator, state, updated_at) VALUES (?,?,?,?)"
                " ON CONFLICT(article_id, annotator) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
                " WHERE article_states.state IN ('todo', 'in_progress')",
                state_rows,
            )
            for who in sorted(report.annotators):
                c.execute("INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (who, stamp))
                c.execute(
                    "INSERT INTO ledger(annotator, article_id, kind, at, detail) VALUES (?, NULL, 'import', ?, ?)",
                    (who, stamp, _json({"from": description, "spans": per_annotator.get(who, 0)})),
                )
            report.annotations = len(ann_rows)
            report.suggestions = len(sugg_rows) - report.rejections
        report.changes = Changes(
            articles=frozenset(ids),
            labels=bool(report.labels_created),
            spans=bool(ann_rows or sugg_rows),
            states=bool(state_rows),
            counts=(("annotations", report.annotations), ("articles_added", report.articles_added)),
        )
        return report

    def _onto_twins(
        self,
        c: sqlite3.Connection,
        ids: list[str],
        docs: list[m.ImportedDoc],
        existing: set[str],
        report: ImportReport,
    ) -> tuple[list[m.ImportedDoc], dict[int, str]]:
        """Put documents that are twins of an article here onto it (``ids``, ``existing`` updated).

        Also returns the normalised text id of every document that was not here, by position.
        """
        norm_of = {k: m.normalised_text_id(docs[k].text) for k, aid in enumerate(ids) if aid not in existing}
        if not norm_of:
            return docs, norm_of
        found: dict[str, tuple[str, str]] = {}
        keys = sorted(set(norm_of.values()))
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            for nid, oid, text in c.execute(
                f"SELECT norm_id, id, text FROM articles WHERE norm_id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                found.setdefault(nid, (oid, text))
        for k, norm in norm_of.items() if found else ():
            d = docs[k]
            hit = found.get(norm)
            if hit is None or hit[0] == ids[k]:
                continue
            twin = Twin(d.text, hit[1])
            if not twin.ok:
                continue  # reported as a near duplicate, both kept

            def moved(s, twin=twin, d=d):
                where = twin.span(s.start, s.end)
                if where is None:
                    raise SpanError(
                        f"{d.location}: span {s.start}-{s.end} ({s.label}) starts or ends inside a line ending"
                        " or character written differently in the same article already here"
                    )
                if isinstance(s, m.ImportedSpan):  # a NamedTuple, not a dataclass
                    return s._replace(start=where[0], end=where[1])
                return dataclasses.replace(s, start=where[0], end=where[1])

            docs[k] = dataclasses.replace(
                d,
                text=hit[1],
                spans=[moved(s) for s in d.spans],
                suggestions=[moved(g) for g in d.suggestions],
            )
            report.twins.append((ids[k], hit[0]))
            ids[k] = hit[0]
            existing.add(hit[0])
        return docs, norm_of

    def export_rows(
        self, annotator: str | None = None, suggestions: bool = False, articles: Sequence[str] | None = None
    ) -> Iterator[tuple[Article, str | None, list[Sequence], str, str]]:
        """Rows for exporters: ``(article, annotator, spans, state, last_time)``.

        Each span is a plain list or tuple ``(start, end, label, layer, source, origin, score)``,
        in no particular order (exporters sort). With ``suggestions`` each article comes once with its
        current suggestions (annotator None, origin ``"suggestion"``). Otherwise one row per
        article and annotator that has annotations or a done/skipped state; ``last_time`` is the
        later of its state change and its newest annotation.
        """
        art_sql = "SELECT id, text, title, source, meta FROM articles"
        args: list[Any] = []
        if articles is not None:
            art_sql += f" WHERE id IN ({','.join('?' * len(articles))})"
            args = list(articles)
        art_sql += " ORDER BY rowid"
        cur = self.conn.cursor()
        if suggestions:
            spans_by: dict[str, list] = {}
            for r in self.conn.execute(
                "SELECT article_id, start, \"end\", label, layer, source, 'suggestion', score FROM suggestions"
            ):
                spans_by.setdefault(r[0], []).append(r[1:])
            for r in cur.execute(art_sql, args):
                yield (
                    Article(r[0], r[1], r[2], r[3], json.loads(r[4])),
                    None,
                    spans_by.get(r[0], []),
                    m.TODO,
                    "",
                )
            return
        who_sql = " WHERE annotator = ?" if annotator else ""
        who_args = [annotator] if annotator else []
        # One row per (article, annotator), its spans as one JSON array built by SQLite and
        # decoded by json.loads when the row is yielded: no Python work per span. (Annotations
        # have no score; SQLite's JSON would round a float to 15 digits.)
        groups: dict[tuple[str, str], tuple[str, str]] = {
            (aid, who): (spans, created)
            for aid, who, created, spans in self.conn.execute(
                "SELECT article_id, annotator, max(created_at),"
                ' json_group_array(json_array(start, "end", label, layer, source, origin, NULL))'
                f" FROM annotations{who_sql} GROUP BY article_id, annotator",
                who_args,
            )
        }
        states: dict[tuple[str, str], tuple[str, str]] = {
            (r[0], r[1]): (r[2], r[3])
            for r in self.conn.execute(
                f"SELECT article_id, annotator, state, updated_at FROM article_states{who_sql}", who_args
            )
        }
        by_article: dict[str, set[str]] = {}
        for aid, who in set(groups) | {k for k, v in states.items() if v[0] in (m.DONE, m.SKIPPED)}:
            by_article.setdefault(aid, set()).add(who)
        for r in cur.execute(art_sql, args):
            whos = by_article.get(r[0])
            if not whos:
                continue
            art = Article(r[0], r[1], r[2], r[3], json.loads(r[4]))
            for who in sorted(whos):
                state, at = states.get((r[0], who), (m.IN_PROGRESS, ""))
                spans, created = groups.get((r[0], who), ("[]", ""))
                yield art, who, json.loads(spans), state, max(at, created)

    def article_states(
        self, annotator: str | None = None, articles: Sequence[str] | None = None
    ) -> Iterator[tuple[str, str, str]]:
        """``(article_id, annotator, state)`` of every recorded state (of ``articles`` when given)."""
        sql = "SELECT article_id, annotator, state FROM article_states"
        for where, args in _article_chunks(articles):
            if annotator is not None:
                where = (where + " AND" if where else " WHERE") + " annotator = ?"
                args = [*args, annotator]
            yield from self.conn.execute(sql + where, args)

    def suggestion_spans(self) -> Iterator[tuple[str, Span]]:
        """``(article_id, span)`` of every current suggestion (for the model as a pseudo-annotator)."""
        for r in self.conn.execute(
            "SELECT DISTINCT article_id, layer, start, \"end\", label FROM suggestions WHERE source != 'import'"
        ):
            yield r[0], Span(r[2], r[3], r[4], r[1])

    def stats(self) -> dict[str, Any]:
        """Counts for `annotator stats`: articles, annotators, decisions, spans per label, progress."""
        c = self.conn
        out: dict[str, Any] = {
            "database": str(self.path),
            "articles": self.article_count(),
            "words": c.execute("SELECT coalesce(sum(words), 0) FROM articles").fetchone()[0],
            "suggestions": dict(
                c.execute("SELECT source, count(*) FROM suggestions GROUP BY source").fetchall()
            ),
            "annotators": {},
        }
        for who in self.annotators():
            done, total = self.progress(who)
            out["annotators"][who] = {
                "done": done,
                "total": total,
                "in_progress": c.execute(
                    "SELECT count(*) FROM article_states WHERE annotator = ? AND state = 'in_progress'",
                    (who,),
                ).fetchone()[0],
                "decisions": dict(
                    c.execute(
                        "SELECT status, count(*) FROM decisions WHERE annotator = ? GROUP BY status", (who,)
                    ).fetchall()
                ),
                "actions": c.execute(
                    "SELECT count(*) FROM ledger WHERE annotator = ? AND undone = 0", (who,)
                ).fetchone()[0],
            }
        out["spans"] = {
            f"{layer}:{label}": n
            for layer, label, n in c.execute(
                "SELECT layer, label, count(*) FROM annotations GROUP BY layer, label ORDER BY layer, count(*) DESC"
            )
        }
        return out

    # -- helpers -----------------------------------------------------------------------------

    def _require_label(self, layer: str, label: str) -> None:
        if layer not in LAYERS:
            raise SpanError(f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
        row = self.conn.execute(
            "SELECT 1 FROM labels WHERE layer = ? AND name = ?", (layer, label)
        ).fetchone()
        if row is None:
            raise LabelError(
                f"no {layer} label {label!r}",
                hint=f"add it with `annotator labels add {label} --layer {layer}`",
            )

    def _changes(self, article_id: str, **counts: int) -> Changes:
        return Changes(
            articles=frozenset({article_id}), spans=True, states=True, counts=tuple(sorted(counts.items()))
        )


class _TakenSpans:
    """One annotator's spans on one article while importing: constant-time duplicate tests and
    logarithmic entity-overlap tests (a linear scan per span made imports quadratic in spans).
    """

    __slots__ = ("disjoint", "ends", "keys", "starts")

    def __init__(self, rows: Iterable[tuple[int, int, str, str]]):
        self.keys: set[tuple[int, int, str, str]] = {(r[0], r[1], r[2], r[3]) for r in rows}
        ents = sorted((k[0], k[1]) for k in self.keys if k[3] == ENTITY)
        self.starts = [a for a, _ in ents]
        self.ends = [b for _, b in ents]
        # Entity spans of one annotator never overlap in the store; if some do, scan them all.
        self.disjoint = all(self.starts[i + 1] >= self.ends[i] for i in range(len(ents) - 1))

    def overlaps_entity(self, start: int, end: int) -> bool:
        if not self.disjoint:
            return any(a < end and start < b for a, b in zip(self.starts, self.ends, strict=True))
        # Disjoint and sorted by start, so ends are sorted too: only the last entity that
        # starts before ``end`` can reach past ``start``.
        i = bisect.bisect_left(self.starts, end)
        return i > 0 and self.ends[i - 1] > start

    def add(self, key: tuple[int, int, str, str]) -> None:
        self.keys.add(key)
        if key[3] == ENTITY:
            i = bisect.bisect_left(self.starts, key[0])
            self.starts.insert(i, key[0])
            self.ends.insert(i, key[1])


def _article_chunks(ids: Sequence[str] | None, size: int = 500) -> Iterator[tuple[str, list]]:
    """``(where clause, args)`` pieces restricting ``article_id`` to ``ids`` (no restriction for None)."""
    if ids is None:
        yield "", []
        return
    ids = list(ids)
    for i in range(0, len(ids), size):
        chunk = ids[i : i + size]
        yield f" WHERE article_id IN ({','.join('?' * len(chunk))})", chunk


def _pk(target: str, row: dict[str, Any]) -> tuple:
    return tuple(row[k] for k in _TARGETS[target][2])


def _sugg_json(s: Suggestion) -> dict[str, Any]:
    return {
        "id": s.id,
        "layer": s.layer,
        "start": s.start,
        "end": s.end,
        "label": s.label,
        "source": s.source,
        "score": s.score,
    }


def _span_json(s: Span) -> dict[str, Any]:
    return {"layer": s.layer, "start": s.start, "end": s.end, "label": s.label}


def _row_span(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "layer": r["layer"], "start": r["start"], "end": r["end"], "label": r["label"]}


def _check_annotator(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StoreError("an annotator needs a name", hint="pass --annotator NAME")
    if name.strip() == m.GOLD:
        raise StoreError(f"{m.GOLD!r} is reserved for the reviewed gold set; choose another name")
    return name.strip()


def _title_of(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:120]
    return "(empty)"


def _as_article(a: Article | dict | str) -> Article:
    if isinstance(a, Article):
        return a
    if isinstance(a, str):
        return Article(m.article_id(a), a, _title_of(a))
    text = a["text"]
    return Article(
        m.article_id(text), text, a.get("title") or _title_of(text), a.get("source", ""), a.get("meta") or {}
    )


_PALETTE = [
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#46f0f0",
    "#f032e6",
    "#bcf60c",
    "#008080",
    "#9a6324",
]


def _auto_colour(name: str) -> str:
    return _PALETTE[sum(map(ord, name)) % len(_PALETTE)]
