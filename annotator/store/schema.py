"""The database schema, as named, append-only migrations (see :mod:`~annotator.store.migrations`).

Never edit or reorder a migration that has shipped: add a new one. A database that has a
migration applied that this list does not know was written by a newer version and is refused.
"""

from __future__ import annotations

import sqlite3

from annotator.store.migrations import Migrations, StepDatabase

MIGRATION_SET = "annotator"
migrations = Migrations(MIGRATION_SET)


def _run(db: StepDatabase, script: str) -> None:
    """Run each statement of ``script`` inside the migration's transaction.

    ``executescript`` would COMMIT first and break the migration's atomicity.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


# The first schema, in three parts run in this order (the text of each statement is what
# SQLite keeps in sqlite_master: never reformat it).
_ARTICLES_AND_LABELS = """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            norm_id TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            meta TEXT NOT NULL DEFAULT '{}',
            words INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX articles_norm ON articles(norm_id);

        CREATE TABLE labels (
            layer TEXT NOT NULL CHECK (layer IN ('entity', 'issue')),
            name TEXT NOT NULL,
            colour TEXT NOT NULL DEFAULT '#888888',
            key TEXT,
            description TEXT NOT NULL DEFAULT '',
            parent TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (layer, name)
        );

        CREATE TABLE annotators (
            name TEXT PRIMARY KEY,
            created_at TEXT NOT NULL
        );

"""

# Suggestions, annotations and the decisions and states made on them.
_SPANS = """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id),
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            source TEXT NOT NULL,
            score REAL
        );
        CREATE INDEX suggestions_article ON suggestions(article_id);
        CREATE INDEX suggestions_source ON suggestions(source, article_id);

        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id TEXT NOT NULL REFERENCES articles(id),
            annotator TEXT NOT NULL,
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            origin TEXT NOT NULL,
            source TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX annotations_article ON annotations(article_id, annotator);
        CREATE INDEX annotations_annotator ON annotations(annotator, label);

        -- An annotator's decision on a suggested span, keyed by the span itself so that
        -- re-running a suggester keeps every decision already made.
        CREATE TABLE decisions (
            article_id TEXT NOT NULL,
            annotator TEXT NOT NULL,
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'corrected')),
            annotation_id INTEGER,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator, layer, start, "end", label)
        );
        CREATE INDEX decisions_annotator ON decisions(annotator, status);

        CREATE TABLE article_states (
            article_id TEXT NOT NULL,
            annotator TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('todo', 'in_progress', 'done', 'skipped')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator)
        );
        CREATE INDEX article_states_state ON article_states(annotator, state);

"""

# The decision ledger and the settings.
_LEDGER_AND_SETTINGS = """
        -- The decision ledger: one row per user action (who, when, what) ...
        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY,
            annotator TEXT NOT NULL,
            article_id TEXT,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX ledger_annotator ON ledger(annotator, undone, id);

        -- ... and its effects, each with the row before and after, so undo and redo replay it.
        CREATE TABLE ledger_effects (
            ledger_id INTEGER NOT NULL REFERENCES ledger(id),
            seq INTEGER NOT NULL,
            target TEXT NOT NULL,
            before TEXT,
            after TEXT,
            PRIMARY KEY (ledger_id, seq)
        );

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        """


@migrations(name="0001_initial")
def _initial(db: StepDatabase) -> None:
    for part in (_ARTICLES_AND_LABELS, _SPANS, _LEDGER_AND_SETTINGS):
        _run(db, part)


@migrations(name="0002_adjudications")
def _adjudications(db: StepDatabase) -> None:
    # A reviewer's settlement of one disagreement region; gold spans themselves are
    # annotations of the reserved annotator "gold".
    _run(
        db,
        """
        CREATE TABLE adjudications (
            article_id TEXT NOT NULL,
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            choice TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (article_id, layer, start, "end")
        );
        """,
    )


@migrations(name="0003_adjudication_labels")
def _adjudication_labels(db: StepDatabase) -> None:
    # Issue disagreements are per label: two labels over the same region are settled one by
    # one. "labels" is "" for a whole region (entity layer, and older settlements).
    _run(
        db,
        """
        CREATE TABLE adjudications_new (
            article_id TEXT NOT NULL,
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            labels TEXT NOT NULL DEFAULT '',
            choice TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (article_id, layer, start, "end", labels)
        );
        INSERT INTO adjudications_new(article_id, layer, start, "end", labels, choice, reviewer, at)
            SELECT article_id, layer, start, "end", '', choice, reviewer, at FROM adjudications;
        DROP TABLE adjudications;
        ALTER TABLE adjudications_new RENAME TO adjudications;
        """,
    )


@migrations(name="0004_token_bounds")
def _token_bounds(db: StepDatabase) -> None:
    # A cache of each article's token boundaries per tokenizer (its name with the version, e.g.
    # "spacy.blank:en@3.8.18"), so measures over tokens need not load and run the tokenizer
    # every time. "bounds" is little-endian int32: the starts of the tokens, then their ends.
    # An article id is the hash of its text, so a row never goes stale for its tokenizer; a
    # new tokenizer version is a new key. Rows can be dropped at any time: they are made again.
    _run(
        db,
        """
        CREATE TABLE token_bounds (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            tokenizer TEXT NOT NULL,
            bounds BLOB NOT NULL,
            PRIMARY KEY (article_id, tokenizer)
        );
        """,
    )


@migrations(name="0005_suggestions_by_position")
def _suggestions_by_position(db: StepDatabase) -> None:
    # Opening an article reads its suggestions in text order (2,400 for 20,000 words): with
    # only an index on article_id, SQLite looked each row up in the table and sorted them all in
    # a temporary b-tree. This index is in that order and holds every column read, so the read
    # is one range scan of the index. It starts with article_id, so the old index is redundant.
    _run(
        db,
        """
        CREATE INDEX suggestions_by_position
            ON suggestions(article_id, start, "end", layer, label, id, source, score);
        DROP INDEX suggestions_article;
        """,
    )


@migrations(name="0006_import_runs")
def _import_runs(db: StepDatabase) -> None:
    # An import beside an open window writes in many short transactions, not one: it records
    # itself here until its last one (which deletes the record), with the rowid range each
    # transaction added to each table, so that what an import stopped or killed midway wrote
    # can be deleted again (annotator.store.import_runs). "marks" is the largest rowid of each
    # table when the run started (JSON): rows above it and outside the ranges are other writers'.
    _run(
        db,
        """
        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            description TEXT NOT NULL DEFAULT '',
            started_at TEXT NOT NULL,
            marks TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE import_run_rows (
            run_id INTEGER NOT NULL REFERENCES import_runs(id),
            seq INTEGER NOT NULL,
            tbl TEXT NOT NULL,
            first INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (run_id, seq, tbl)
        );
        """,
    )
