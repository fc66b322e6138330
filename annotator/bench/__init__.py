"""The benchmark: every hot path next to its physical limit, measured in the same run.

Run ``python -m annotator.bench`` (or ``annotator bench``); ``--articles 100000`` is the full
scale. Each row times our path and a bare baseline doing the same work with the same library,
interleaved, ``--repeat`` times, and reports the medians and their ratio against the target
of issue 5. The table is printed and written as JSON (``--json FILE``).

The command rows (import, suggest, export, agreement) run ``python -m annotator ...`` in a
fresh process, exactly as a user runs them, and each baseline runs in a fresh process too, so
interpreter start and imports count on both sides and ``time annotator ...`` agrees with
the table.

Rows
----
import      ``annotator import`` of a Prodigy JSONL corpus (articles with spans) against
            ``sqlite3.executemany`` of the same parsed rows in one transaction; and against
            the raw limit (``json.loads`` of each line, one ``executemany`` of articles and
            one of spans into unindexed tables, one transaction) as a second baseline.
suggest     ``annotator suggest`` end to end against bare ``nlp.pipe`` with the same pipeline;
            also with 2 processes against our 1-process rate.
export      ``annotator export --format prodigy`` against ``json.dumps`` of the same rows read
            with plain ``sqlite3``; ``export-tokens`` is the same command with ``--tokens``
            against the same baseline, for information (no target: the tokens are opt-in).
merge       ``annotator merge`` of another annotator's database into a copy of the lead's
            (the same articles), against ``annotator import`` of the same articles and spans,
            at three sizes; ``merge-1`` one span per article, ``merge-60`` about 60.
open        loading an article into the real :class:`~annotator.ui.article_view.ArticleView`
            (offscreen), text and highlights, laid out and painted, against a bare
            ``QTextDocument`` given the same text and formats.
decide      accept / reject / relabel from the keyboard in the real window: durable write and
            view update, p95, against one bare ``INSERT`` + commit.
decide-import  accept / reject / next in the real window at a steady pace while another
            process imports ``--busy-articles`` into the same database: the p99 from when each
            action was due, and no action lost, against the same actions with nobody else writing.
start       process start to the window shown on a 100,000-article database, against
            ``python -c "import PySide6.QtWidgets"``.
scale       the article list over 100,000 articles: RSS, and the cost of a scroll step at two
            sizes (it must not depend on the number of articles).
agreement   ``annotator agreement`` over 1,000 articles x 3 annotators; the first run fills the
            token boundary cache (its time is kept as ``first_run_fills_cache``).

The synthetic corpus is generated with a fixed seed (:mod:`~annotator.bench.corpus`).

Modules
-------
corpus      the synthetic articles and the Prodigy JSONL they are written as.
timing      a row of the table, medians, interleaved rounds, timed fresh processes.
baselines   the bare work each row compares with (and the raw limit of import).
databases   the databases the rows run on, made through ``annotator.ops`` and the store.
commands    the command rows: import, suggest, export, agreement.
merge       the merge rows, against the import of the same articles.
window      the window rows, open, decide and decide-import, and the scale child: the bench's
            only Qt.
scale       start and scale, in fresh processes over a big cached database.
growth      ``--sizes``: how the cost grows.
report      the table, the growth lines, the machine, the JSON.
runner      every row asked for, then the report.

The bench never imports :mod:`annotator.cli`; the CLI's ``bench`` command imports the bench.
"""

from annotator.bench.options import ROWS, add_arguments, build_parser
from annotator.bench.runner import main, run

__all__ = ["ROWS", "add_arguments", "build_parser", "main", "run"]
