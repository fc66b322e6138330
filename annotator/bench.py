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
            ``sqlite3.executemany`` of the same parsed rows in one transaction.
suggest     ``annotator suggest`` end to end against bare ``nlp.pipe`` with the same pipeline;
            also with 2 processes against our 1-process rate.
export      ``annotator export --format prodigy`` against ``json.dumps`` of the same rows read
            with plain ``sqlite3``; ``export-tokens`` is the same command with ``--tokens``
            against the same baseline, for information (no target: the tokens are opt-in).
open        loading an article into the real :class:`~annotator.ui.article_view.ArticleView`
            (offscreen), text and highlights, laid out and painted, against a bare
            ``QTextDocument`` given the same text and formats.
decide      accept / reject / relabel from the keyboard in the real window: durable write and
            view update, p95, against one bare ``INSERT`` + commit.
start       process start to the window shown on a 100,000-article database, against
            ``python -c "import PySide6.QtWidgets"``.
scale       the article list over 100,000 articles: RSS, and the cost of a scroll step at two
            sizes (it must not depend on the number of articles).
agreement   ``annotator agreement`` over 1,000 articles x 3 annotators; the first run fills the
            token boundary cache (its time is kept as ``first_run_fills_cache``).

The synthetic corpus is generated with a fixed seed: news-like sentences of common words,
capitalised names of people, organisations and places, and issue words from the bundled
taxonomy (tariffs, visas, sanctions ...), with spans on them, so every row sees realistic spans.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

GENERATOR_VERSION = 1
SEED = 20240605
ANNOTATOR = "bench"
ANNOTATORS3 = ("ann", "bob", "cat")

T = TypeVar("T")

# -- the synthetic corpus -----------------------------------------------------------------------

_FILLER = """the a of to in and that for on with as at by from it its was is are were be been has have
had will would could should may said says saying after before over under about against between during
while since because but also not more most new first last year years week month day time government
officials minister ministry country countries city state people report reports plan plans policy
policies deal talks meeting announced told added expected agreed warned called move measures rules
proposal decision support pressure concerns leaders lawmakers spokesman spokeswoman statement
according analysts market markets companies company industry workers prices price costs growth data
figures percent billion million rise fall higher lower public private national regional local
international global major key recent current former several many some other further early late next
""".split()
_FIRST = """Maria John Ahmed Li Olga Pierre Fatima Kenji Anna Carlos Ingrid Samuel Priya Tomas Aisha David
Elena Hiroshi Grace Mohammed Sofia Lukas Nadia Victor Chen Amara Jonas Leila Marco Yuki""".split()
_LAST = """Schmidt Okafor Tanaka Rossi Novak Haddad Larsen Fernandez Kim Dubois Petrov Mensah Nakamura
Silva Johansson Moreau Kowalski Osei Yamamoto Garcia Ivanova Brennan Costa Lindqvist Adeyemi Weber
Morales Hashemi Sato Bauer""".split()
_ORGS = [
    "European Commission",
    "World Trade Organization",
    "United Nations",
    "Federal Reserve",
    "Ministry of Finance",
    "Siemens",
    "Toyota",
    "Reuters",
    "Greenpeace",
    "World Bank",
    "International Monetary Fund",
    "Bank of England",
    "Samsung",
    "Red Cross",
    "Nato",
]
_PLACES = """Germany France China Japan Brazil Canada Mexico India Nigeria Kenya Egypt Turkey Poland Spain
Italy Sweden Norway Vietnam Indonesia Australia Chile Peru Ghana Ukraine Russia Iran Korea Brussels
Washington Beijing Tokyo Berlin Paris London Geneva Nairobi Lagos Delhi""".split()
# Issue words and phrases the bundled taxonomy matches, with the label it gives them.
_ISSUES = [
    ("tariffs", "TARIFFS"),
    ("tariff", "TARIFFS"),
    ("visas", "VISAS"),
    ("visa", "VISAS"),
    ("sanctions", "SANCTIONS"),
    ("embargo", "SANCTIONS"),
    ("export controls", "SANCTIONS"),
    ("trade", "TRADE"),
    ("exports", "TRADE"),
    ("oil", "ENERGY"),
    ("natural gas", "ENERGY"),
    ("emissions", "CLIMATE"),
    ("climate change", "CLIMATE"),
    ("immigration", "IMMIGRATION"),
    ("asylum", "IMMIGRATION"),
    ("inflation", "ECONOMY"),
    ("interest rates", "ECONOMY"),
    ("housing", "HOUSING"),
    ("semiconductors", "TECHNOLOGY"),
    ("hospitals", "HEALTH"),
    ("election", "ELECTIONS"),
    ("police", "CRIME"),
    ("schools", "EDUCATION"),
    ("diplomats", "DIPLOMACY"),
    ("military", "SECURITY"),
]


@dataclass(frozen=True, slots=True)
class SynthArticle:
    """One generated article: text, title and the spans put into it (``start, end, label, layer``)."""

    n: int
    text: str
    title: str
    spans: tuple[tuple[int, int, str, str], ...]

    @property
    def words(self) -> int:
        return len(self.text.split())


def make_article(n: int, words: int = 500, seed: int = SEED) -> SynthArticle:
    """Article number ``n`` of the corpus, ``words`` words long (deterministic for ``n`` and ``seed``).

    About one word in eight starts an entity (two-word names, organisations, places) and one in
    twenty-five is an issue word: 500 words carry about 40 entity and 20 issue spans.
    """
    rng = random.Random(seed * 1_000_003 + n * 7919 + words)
    rand = rng.random
    choice = rng.choice
    parts: list[str] = []
    spans: list[tuple[int, int, str, str]] = []
    pos = 0
    count = 0
    sentence_left = 0
    in_paragraph = 0
    while count < words:
        if sentence_left == 0:
            if parts:
                parts.append(".")
                pos += 1
                in_paragraph += 1
                if in_paragraph >= 5:
                    parts.append("\n\n")
                    pos += 2
                    in_paragraph = 0
                else:
                    parts.append(" ")
                    pos += 1
            sentence_left = rng.randint(12, 24)
            first = True
        else:
            parts.append(" ")
            pos += 1
            first = False
        r = rand()
        if r < 0.08:
            kind = rand()
            if kind < 0.45:
                token, label = f"{choice(_FIRST)} {choice(_LAST)}", "PERSON"
            elif kind < 0.7:
                token, label = choice(_ORGS), "ORG"
            else:
                token, label = choice(_PLACES), "GPE"
            layer = "entity"
        elif r < 0.125:
            token, label = choice(_ISSUES)
            layer = "issue"
            if first:
                token = token.capitalize()
        else:
            token = choice(_FILLER)
            if first:
                token = token.capitalize()
            label = None
        parts.append(token)
        if label is not None:
            spans.append((pos, pos + len(token), label, layer))
        pos += len(token)
        n_words = token.count(" ") + 1
        count += n_words
        sentence_left = max(0, sentence_left - n_words)
    parts.append(".")
    text = "".join(parts)
    title = " ".join(text.split()[:8]).rstrip(".,") + f" ({n})"
    return SynthArticle(n, text, title, tuple(spans))


def corpus(count: int, words: int = 500, seed: int = SEED, start: int = 0) -> Iterator[SynthArticle]:
    """``count`` articles of the corpus, numbered from ``start``."""
    for n in range(start, start + count):
        yield make_article(n, words, seed)


def prodigy_line(a: SynthArticle, annotator: str = ANNOTATOR) -> str:
    """The article as one Prodigy task: its spans accepted by ``annotator``."""
    return json.dumps(
        {
            "text": a.text,
            "meta": {"title": a.title, "n": a.n},
            "spans": [{"start": s, "end": e, "label": lab, "layer": lay} for s, e, lab, lay in a.spans],
            "answer": "accept",
            "_annotator_id": annotator,
        },
        ensure_ascii=False,
    )


def write_corpus(path: Path, count: int, words: int = 500, seed: int = SEED) -> int:
    """Write ``count`` articles as Prodigy JSONL; returns the number of words."""
    total = 0
    with open(path, "w", encoding="utf-8") as fh:
        for a in corpus(count, words, seed):
            fh.write(prodigy_line(a) + "\n")
            total += a.words
    return total


# -- measuring ------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: our figure, the baseline's, their ratio and the target."""

    name: str
    what: str
    unit: str
    ours: float | None
    baseline: float | None = None
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None
    detail: dict = field(default_factory=dict)
    error: str | None = None


def _median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _p95(xs: Sequence[float]) -> float:
    s = sorted(xs)
    if not s:
        return float("nan")
    return s[min(len(s) - 1, math.ceil(0.95 * len(s)) - 1)]


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _interleaved(*runs: Callable[[], T], repeat: int) -> list[list[T]]:
    """What each of ``runs`` returns (seconds, mostly), run once per round for ``repeat`` rounds.

    Each round starts one later than the one before (ours, base; then base, ours), so a drift
    of the machine's speed hits every run alike: on this shared machine the CPU time of the
    same suggest run varied by a third within minutes.
    """
    out: list[list[T]] = [[] for _ in runs]
    for i in range(repeat):
        for j in range(len(runs)):
            k = (i + j) % len(runs)
            out[k].append(runs[k]())
    return out


def _command(argv: list[str]) -> float:
    """Seconds of ``annotator ARGS`` run as a user runs it: a fresh ``python -m annotator`` process."""
    return _process([sys.executable, "-m", "annotator", *argv])


def _script(function: Callable, *args: object) -> float:
    """Seconds of a fresh Python process running ``function(*args)`` (a baseline, imports included)."""
    call = f"{function.__name__}({', '.join(repr(str(a)) for a in args)})"
    return _process([sys.executable, "-c", f"from annotator.bench import {function.__name__}; {call}"])


def _process(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=_child_env(shown_hook=False))
    t = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[-4:])} exited {out.returncode}: {out.stderr.strip()[-800:]}")
    return t


def _remove_db(path: Path) -> None:
    """Delete a database the bench made, with its WAL files (at full scale, 1.4 GB a run)."""
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        p.unlink(missing_ok=True)


def _settle_disk() -> None:
    """Write out what earlier rows left in the page cache, so no row pays for another's writes.

    After the import row at full scale, gigabytes of its databases were still being written
    out while suggest ran; only our path commits (and waits for the disk), the bare pipe does
    not, and suggest read 0.89-0.90 of it in two full-scale runs against 0.94-1.04 at the
    default size.
    """
    sync = getattr(os, "sync", None)  # not on Windows
    if sync is not None:
        sync()


def _quiet_cli(argv: list[str]) -> int:
    """Run ``annotator ARGS`` in this process with its output discarded (errors raise)."""
    from annotator import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    if code != 0:
        raise RuntimeError(f"annotator {' '.join(argv)} exited {code}: {err.getvalue().strip()[-500:]}")
    return code


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- the rows: core ------------------------------------------------------------------------------


def baseline_import(jsonl: str | Path, db: str | Path) -> int:
    """Plain sqlite3: parse the JSONL and executemany the same rows in one transaction.

    The rows are the ones ``annotator import`` writes (articles with their ids, normalised ids
    and word counts; one annotation per span), into the same tables and indexes: the caller
    creates the schema beforehand, outside the timing.
    """
    import hashlib
    import unicodedata

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    stamp = "2024-01-01T00:00:00.000000+00:00"
    arts, anns = [], []
    with open(jsonl, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            text = r["text"]
            aid = digest(text)
            norm = digest(unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")))
            meta = json.dumps(r["meta"], ensure_ascii=False, sort_keys=True)
            arts.append((aid, norm, r["meta"]["title"], text, "", meta, len(text.split()), stamp))
            who = r["_annotator_id"]
            anns.extend(
                (aid, who, s["layer"], s["start"], s["end"], s["label"], "imported", None, stamp)
                for s in r["spans"]
            )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", arts)
    conn.executemany(
        'INSERT INTO annotations(article_id, annotator, layer, start, "end", label, origin, source, created_at)'
        " VALUES (?,?,?,?,?,?,?,?,?)",
        anns,
    )
    conn.execute("COMMIT")
    conn.close()
    return len(arts)


def baseline_export(db: str | Path, out: str | Path) -> int:
    """Plain sqlite3 reads of the same rows, one ``json.dumps`` per article and annotator."""
    conn = sqlite3.connect(db)
    spans: dict[tuple[str, str], list] = {}
    for aid, who, layer, s, e, label in conn.execute(
        'SELECT article_id, annotator, layer, start, "end", label FROM annotations ORDER BY article_id, start'
    ):
        spans.setdefault((aid, who), []).append({"start": s, "end": e, "label": label, "layer": layer})
    whos: dict[str, list[str]] = {}
    for aid, who in spans:
        whos.setdefault(aid, []).append(who)
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for aid, text, title, meta in conn.execute(
            "SELECT id, text, title, meta FROM articles ORDER BY rowid"
        ):
            for who in whos.get(aid, ()):
                fh.write(
                    json.dumps(
                        {
                            "text": text,
                            "spans": spans[(aid, who)],
                            "meta": json.loads(meta),
                            "title": title,
                            "annotator": who,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                n += 1
    conn.close()
    return n


class Bench:
    """A benchmark run: its options, its scratch folder and the rows measured so far."""

    def __init__(self, args: argparse.Namespace, work: Path):
        self.args = args
        self.work = work
        self.rows: list[Row] = []
        self.growth: list[dict] = []
        self._files: dict[tuple, Path] = {}

    def log(self, text: str) -> None:
        if not self.args.quiet:
            print(f"[bench] {text}", file=sys.stderr, flush=True)

    def corpus_file(self, count: int, words: int = 500) -> Path:
        key = ("corpus", count, words)
        if key not in self._files:
            path = self.work / f"corpus-{count}x{words}.jsonl"
            t = _timed(lambda: write_corpus(path, count, words))
            self.log(f"generated {count} articles of {words} words in {t:.1f} s")
            self._files[key] = path
        return self._files[key]

    def imported_db(self, count: int, words: int = 500) -> Path:
        key = ("db", count, words)
        if key not in self._files:
            path = self.work / f"imported-{count}x{words}.db"
            _quiet_cli(
                ["import", str(self.corpus_file(count, words)), "--db", str(path), "--annotator", ANNOTATOR]
            )
            self._files[key] = path
        return self._files[key]

    def fresh(self, stem: str, suffix: str = ".db") -> Path:
        fd, name = tempfile.mkstemp(prefix=stem + "-", suffix=suffix, dir=self.work)
        os.close(fd)
        os.unlink(name)
        return Path(name)

    # -- import ---------------------------------------------------------------------------

    def import_once(self, count: int) -> float:
        """Seconds of one ``annotator import`` of ``count`` articles into a new database."""
        path = self.corpus_file(count)
        db = self.fresh("import")
        try:
            return _command(["import", str(path), "--db", str(db), "--annotator", ANNOTATOR])
        finally:
            _remove_db(db)

    def measure_import(self, count: int, repeat: int) -> tuple[float, float]:
        path = self.corpus_file(count)

        def base() -> float:
            from annotator.store import Store

            db = self.fresh("import-base")
            Store(db).close()  # the same tables and indexes, made before the clock starts
            try:
                return _script(baseline_import, path, db)
            finally:
                _remove_db(db)

        a, b = _interleaved(partial(self.import_once, count), base, repeat=repeat)
        return _median(a), _median(b)

    def row_import(self) -> Row:
        n, k = self.args.articles, self.args.repeat
        t_ours, t_base = self.measure_import(n, k)
        ours, base = n / t_ours, n / t_base
        return Row(
            "import",
            f"annotator import, {n:,} articles (Prodigy JSONL with spans)",
            "articles/s",
            ours,
            base,
            ours / base,
            ">= 0.5",
            ours / base >= 0.5,
            {"articles": n, "seconds": t_ours, "baseline_seconds": t_base},
        )

    # -- suggest --------------------------------------------------------------------------

    def suggest_once(self, count: int, processes: int = 1) -> float:
        """Seconds of one ``annotator suggest`` over the database of ``count`` imported articles."""
        db = self.imported_db(count)
        return _command(["suggest", "--db", str(db), "--processes", str(processes)])

    def measure_suggest(
        self, count: int, repeat: int, two: bool = False
    ) -> tuple[float, float, float | None, int]:
        """Median seconds of suggest on 1 process, of the baseline, and (``two``) on 2 processes,
        taken in the same rounds; and the words suggested on."""
        db = self.imported_db(count)
        words = sum(len(t.split()) for _, t in _texts(db))

        def base() -> float:
            return _script(bare_pipe, db)

        runs = [partial(self.suggest_once, count), base]
        if two:
            runs.append(partial(self.suggest_once, count, processes=2))
        times = _interleaved(*runs, repeat=repeat)
        return _median(times[0]), _median(times[1]), _median(times[2]) if two else None, words

    def row_suggest(self) -> list[Row]:
        n = min(self.args.articles, self.args.suggest_articles)
        k = self.args.suggest_repeat
        t_ours, t_base, t2, words = self.measure_suggest(n, k, two=True)
        ours, base = words / t_ours, words / t_base
        rows = [
            Row(
                "suggest",
                f"annotator suggest, {n:,} articles, 1 process",
                "words/s",
                ours,
                base,
                ours / base,
                ">= 0.9",
                ours / base >= 0.9,
                {"articles": n, "words": words, "seconds": t_ours, "baseline_seconds": t_base, "runs": k},
            )
        ]
        two = words / t2
        rows.append(
            Row(
                "suggest-2p",
                f"annotator suggest --processes 2 vs 1 process, {n:,} articles",
                "words/s",
                two,
                ours,
                two / ours,
                ">= 1.6",
                two / ours >= 1.6,
                {"articles": n, "words": words, "seconds": t2, "cpus": os.cpu_count(), "runs": k},
            )
        )
        return rows

    # -- export ---------------------------------------------------------------------------

    def _export_out(self, tokens: bool) -> Path:
        return self.work / ("export-tokens.jsonl" if tokens else "export.jsonl")

    def export_once(self, count: int, tokens: bool = False) -> float:
        """Seconds of one ``annotator export --format prodigy`` of ``count`` imported articles."""
        argv = ["export", "--db", str(self.imported_db(count)), "--format", "prodigy"]
        argv += ["-o", str(self._export_out(tokens))] + (["--tokens"] if tokens else [])
        return _command(argv)

    def measure_export(self, count: int, repeat: int, tokens: bool = False) -> tuple[float, float, int]:
        db = self.imported_db(count)
        out_base = self.work / "export-base.jsonl"

        def base() -> float:
            return _script(baseline_export, db, out_base)

        a, b = _interleaved(partial(self.export_once, count, tokens), base, repeat=repeat)
        records = sum(1 for _ in open(self._export_out(tokens), encoding="utf-8"))
        return _median(a), _median(b), records

    def row_export(self) -> list[Row]:
        n, k = self.args.articles, self.args.repeat
        t_ours, t_base, records = self.measure_export(n, k)
        ours, base = records / t_ours, records / t_base
        rows = [
            Row(
                "export",
                f"annotator export --format prodigy, {records:,} records",
                "records/s",
                ours,
                base,
                ours / base,
                ">= 0.5",
                ours / base >= 0.5,
                {"records": records, "seconds": t_ours, "baseline_seconds": t_base},
            )
        ]
        # For information: what Prodigy's tokens array costs (spaCy tokenizes every article and
        # the file grows about five times). The baseline writes no tokens, so no target.
        t_tok, t_base2, records2 = self.measure_export(n, k, tokens=True)
        ours2, base2 = records2 / t_tok, records2 / t_base2
        rows.append(
            Row(
                "export-tokens",
                f"annotator export --format prodigy --tokens, {records2:,} records (informational)",
                "records/s",
                ours2,
                base2,
                ours2 / base2,
                "-",
                None,
                {"records": records2, "seconds": t_tok, "baseline_seconds": t_base2},
            )
        )
        return rows

    # -- agreement ------------------------------------------------------------------------

    def agreement_db(self, count: int) -> Path:
        key = ("agreement", count)
        if key not in self._files:
            db = self.work / f"agreement-{count}.db"
            for i, who in enumerate(ANNOTATORS3):
                path = self.work / f"agreement-{count}-{who}.jsonl"
                with open(path, "w", encoding="utf-8") as fh:
                    for a in corpus(count):
                        fh.write(prodigy_line(_variant(a, i), who) + "\n")
                _quiet_cli(["import", str(path), "--db", str(db)])
            self._files[key] = db
        return self._files[key]

    def row_agreement(self) -> Row:
        n, k = self.args.agreement_articles, self.args.repeat
        db = self.agreement_db(n)
        from annotator import ops
        from annotator.store import Store

        # The first run tokenizes every text with spaCy and fills the store's token boundary
        # cache; the runs after it read the cache and do not import spaCy. Empty the cache (and
        # upgrade the schema, outside the timing) so the first timed run is that filling run.
        with Store(db) as store:
            store.drop_token_bounds()
        times = [_command(["agreement", "--db", str(db), "--json"]) for _ in range(k)]
        t = _median(times)
        # The same computation in a warm process (imports done): what the window's worker pays.
        with Store(db) as store:
            ops.agreement(store)
            warm = _median([_timed(lambda: ops.agreement(store)) for _ in range(k)])
        return Row(
            "agreement",
            f"annotator agreement, {n:,} articles x 3 annotators",
            "s",
            t,
            None,
            None,
            "<= 2 s",
            t <= 2.0,
            {"articles": n, "runs": times, "first_run_fills_cache": times[0], "warm_seconds": warm},
        )


def _texts(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, text FROM articles ORDER BY rowid").fetchall()
    finally:
        conn.close()


def bare_pipe(db: str | Path) -> int:
    """Load the same pipeline as ``annotator suggest`` and run bare ``nlp.pipe`` over the texts."""
    from annotator.suggest import Suggester

    texts = [t for _, t in _texts(db)]
    suggester = Suggester()  # the pipeline load, the issue ruler and the same disabled components
    n = 0
    for _doc in suggester.nlp.pipe(texts, batch_size=64, disable=suggester.disabled):
        n += 1
    return n


def _variant(a: SynthArticle, i: int) -> SynthArticle:
    """Annotator ``i``'s version of the article's spans: a few dropped, shifted or relabelled."""
    rng = random.Random(a.n * 31 + i)
    spans = []
    for s, e, label, layer in a.spans:
        r = rng.random()
        if r < 0.08:
            continue
        if r < 0.14 and layer == "issue":
            label = "ECONOMY" if label != "ECONOMY" else "TRADE"
        elif r < 0.14:
            label = "ORG" if label != "ORG" else "GPE"
        elif r < 0.18 and " " in a.text[s:e]:
            e = s + a.text[s:e].index(" ")
        spans.append((s, e, label, layer))
    return SynthArticle(a.n, a.text, a.title, tuple(spans))


# -- the rows: the window (offscreen) -------------------------------------------------------------

ENTITY_SOURCE = "spacy:bench@1"
ISSUE_SOURCE = "taxonomy:news-issues@2"


def _qt_app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([sys.argv[0]])


def window_db(path: Path, sizes: Sequence[tuple[int, int]]) -> dict[int, list[str]]:
    """A database with ``count`` articles of ``words`` words per ``(words, count)``, with suggestions.

    Returns the article ids per word count.
    """
    from annotator import ops
    from annotator.model import SuggestedSpan, article_id
    from annotator.store import Store

    ids: dict[int, list[str]] = {}
    with Store(path) as store:
        ops.ensure_default_labels(store)
        n = 0
        for words, count in sizes:
            arts = [make_article(1_000_000 + n + i, words) for i in range(count)]
            n += count
            store.add_articles([{"text": a.text, "title": a.title} for a in arts])
            store.store_suggestions(
                [
                    (
                        article_id(a.text),
                        [
                            SuggestedSpan(s, e, lab, lay, ENTITY_SOURCE if lay == "entity" else ISSUE_SOURCE)
                            for s, e, lab, lay in a.spans
                        ],
                    )
                    for a in arts
                ],
                [ENTITY_SOURCE, ISSUE_SOURCE],
            )
            ids[words] = [article_id(a.text) for a in arts]
    return ids


def _bare_formats(view, spans) -> dict:
    """The format a bare document gives each ``(layer, label)`` of ``spans``: the view's own for
    entities; for issues, which the view draws as lines under the text rather than as formats,
    an underline in the same colour (the nearest a bare QTextDocument comes to showing them)."""
    from PySide6.QtGui import QTextCharFormat

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
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter, QTextCharFormat, QTextCursor, QTextDocument

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


class WindowRows:
    """Open and decide, measured in the real window (offscreen) over one database."""

    def __init__(self, bench: Bench):
        from annotator.store import Store
        from annotator.ui.app import freeze_startup_objects
        from annotator.ui.main_window import MainWindow
        from annotator.ui.session import Session

        self.app = _qt_app()
        self.db = bench.work / "window.db"
        self.ids = window_db(self.db, [(500, 40), (5000, 3), (20_000, 3)])
        self.session = Session(Store(self.db), ANNOTATOR)
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
        from annotator.ui.article_view import ArticleView

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
        return _median(a), _median(b), len(spans[ids[0]])

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
        from annotator import model as m

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
        base = _bare_insert_times(self.db.parent / "insert-base.db", max(actions, 30))
        rows = []
        for words, limit in ((500, 10.0), (20_000, 20.0)):
            times = self.measure_decide(words, actions)
            every = [t for ts in times.values() for t in ts]
            p95 = _p95(every) * 1000
            b95 = _p95(base) * 1000
            rows.append(
                Row(
                    f"decide-{words}",
                    f"accept/reject/relabel p95, {words:,}-word article",
                    "ms",
                    p95,
                    b95,
                    p95 / b95,
                    f"<= {limit:g} ms",
                    p95 <= limit,
                    {
                        "actions": len(every),
                        **{f"{k}_p95_ms": _p95(v) * 1000 for k, v in times.items()},
                        **{f"{k}_median_ms": _median(v) * 1000 for k, v in times.items()},
                        "baseline": "one INSERT + commit, WAL, synchronous=FULL",
                    },
                )
            )
        return rows


def _PaintCounter(widget):  # noqa: N802 - a class made on first use, so Qt is imported lazily
    from PySide6.QtCore import QEvent, QObject

    class Counter(QObject):
        def __init__(self, target):
            super().__init__(target)
            self.count = 0
            target.installEventFilter(self)

        def eventFilter(self, obj, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    return Counter(widget)


def _bare_insert_times(path: Path, count: int) -> list[float]:
    """Seconds of one bare INSERT + commit each (WAL, synchronous=FULL like the store)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, article_id TEXT, start INTEGER, label TEXT)"
    )
    out = []
    for i in range(count):
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t(article_id, start, label) VALUES (?, ?, ?)", ("x" * 24, i, "ORG"))
        conn.execute("COMMIT")
        out.append(time.perf_counter() - t0)
    conn.close()
    return out


# -- the rows: start and scale (subprocesses over a big database) ---------------------------------


def _cache_dir(args: argparse.Namespace) -> Path:
    base = Path(args.cache) if args.cache else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base / "annotator-bench" if not args.cache else base
    path.mkdir(parents=True, exist_ok=True)
    return path


def list_db(bench: Bench, count: int) -> Path:
    """A database of ``count`` 500-word articles, each with its suggestions (cached between runs).

    Built once per corpus and schema version in the cache folder (``--cache``); the runs only
    read it, so it stays the same database for every measurement.
    """
    from annotator.store import Store

    schema = Store.schema_steps()[-1]
    path = _cache_dir(bench.args) / f"list-{count}-g{GENERATOR_VERSION}-s{SEED}-{schema}.db"
    if path.exists():
        return path
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    t0 = time.perf_counter()
    bench.log(f"building a {count:,}-article database in {path} (once; it is cached)")
    _build_list_db(part, count)
    for suffix in ("-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    part.replace(path)
    bench.log(f"built in {time.perf_counter() - t0:.0f} s")
    return path


def _build_list_db(path: Path, count: int, batch: int = 2000) -> None:
    from annotator import ops
    from annotator.model import SuggestedSpan, article_id
    from annotator.store import Store

    with Store(path) as store:
        ops.ensure_default_labels(store)
        for first in range(0, count, batch):
            arts = list(corpus(min(batch, count - first), start=first))
            with store.transaction():
                store.add_articles([{"text": a.text, "title": a.title} for a in arts])
                store.store_suggestions(
                    [
                        (
                            article_id(a.text),
                            [
                                SuggestedSpan(
                                    s, e, lab, lay, ENTITY_SOURCE if lay == "entity" else ISSUE_SOURCE
                                )
                                for s, e, lab, lay in a.spans
                            ],
                        )
                        for a in arts
                    ],
                    [ENTITY_SOURCE, ISSUE_SOURCE],
                )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _child_env(shown_hook: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if shown_hook:
        env["ANNOTATOR_EXIT_AFTER_SHOWN"] = "1"
    return env


def _start_once(db: Path) -> tuple[float, str]:
    """Seconds from process start to the window's "shown" line, and that line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "open", str(db), "--annotator", ANNOTATOR],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
    )
    line = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("annotator: window shown"):
            break
    t = time.perf_counter() - t0
    _, err = proc.communicate(timeout=120)
    if not line.startswith("annotator: window shown"):
        raise RuntimeError(
            f"the window never said it was shown (exit {proc.returncode}): {err.strip()[-800:]}"
        )
    return t, line.strip()


def _import_qt_once() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import PySide6.QtWidgets"], check=True, env=_child_env())
    return time.perf_counter() - t0


def row_start(bench: Bench) -> Row:
    db = list_db(bench, bench.args.list_articles)
    k = max(bench.args.repeat, 3)
    _start_once(db)  # the first start warms the page cache for both
    lines = []

    def ours() -> float:
        t, line = _start_once(db)
        lines.append(line)
        return t

    a, b = _interleaved(ours, _import_qt_once, repeat=k)
    t, base = _median(a), _median(b)
    return Row(
        "start",
        f"process start to window shown, {bench.args.list_articles:,} articles",
        "s",
        t,
        base,
        t / base,
        "<= 1.5 s",
        t <= 1.5,
        {
            "articles": bench.args.list_articles,
            "runs": a,
            "baseline_runs": b,
            "shown": lines[-1] if lines else "",
        },
    )


def _scale_child(db: Path, steps: int) -> dict:
    """In a fresh process: open the window on ``db``, scroll the article list, report RSS and steps."""
    from annotator.store import Store
    from annotator.ui.main_window import MainWindow
    from annotator.ui.session import Session

    app = _qt_app()
    rss0 = _rss_mb()
    session = Session(Store(db), ANNOTATOR)
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
        "rss_mb": _rss_mb(),
        "rss_qt_mb": rss0,
        "jump_ms": _median(jumps) * 1000,
        "jump_p95_ms": _p95(jumps) * 1000,
        "page_ms": _median(pages) * 1000,
        "page_p95_ms": _p95(pages) * 1000,
        "fetches": window.article_list.model.fetches,
    }


def _run_scale_child(db: Path, steps: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "annotator.bench", "--child-scale", str(db), "--steps", str(steps)],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"scale child failed: {out.stderr.strip()[-800:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def row_scale(bench: Bench) -> list[Row]:
    big = bench.args.list_articles
    small = max(big // 10, 1)
    dbs = {n: list_db(bench, n) for n in (small, big)}
    # In the same rounds, so a drift of the machine's speed hits both sizes alike.
    rounds = _interleaved(
        *(partial(_run_scale_child, dbs[n], bench.args.steps) for n in (small, big)),
        repeat=max(bench.args.repeat, 1),
    )
    results = {
        n: {key: _median([r[key] for r in runs]) for key in runs[0] if isinstance(runs[0][key], int | float)}
        for n, runs in zip((small, big), rounds, strict=True)
    }
    rss = results[big]["rss_mb"]
    step_big, step_small = results[big]["jump_ms"], results[small]["jump_ms"]
    page_big, page_small = results[big]["page_ms"], results[small]["page_ms"]
    return [
        Row(
            "scale-rss",
            f"RSS of the window over {big:,} articles",
            "MB",
            rss,
            results[small]["rss_mb"],
            rss / results[small]["rss_mb"],
            "<= 400 MB",
            rss <= 400,
            {"articles": big, "baseline": f"the same window over {small:,} articles", **results[big]},
        ),
        Row(
            "scale-scroll",
            f"article list scroll step (jump), {big:,} vs {small:,} articles",
            "ms",
            step_big,
            step_small,
            step_big / step_small,
            "ratio <= 1.5",
            step_big / step_small <= 1.5,
            {
                "page_step_ms": page_big,
                "page_step_baseline_ms": page_small,
                "page_ratio": page_big / page_small if page_small else None,
                "small": results[small],
                "big": results[big],
            },
        ),
    ]


# -- growth ----------------------------------------------------------------------------------------


def _exponent(sizes: Sequence[float], times: Sequence[float]) -> float:
    """Least-squares slope of log(time) over log(size): 1 is linear."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def _growth(name: str, unit: str, sizes: list[int], times: list[float]) -> dict:
    """How the cost grows: the marginal cost per unit between successive sizes.

    A command has a fixed cost (interpreter start, imports, loading a model), so the raw
    exponent reads sub-linear; growth is linear when the marginal cost per unit stays the same
    (the last step within 1.5x of the first), super-linear when it rises beyond that.
    """
    marginal = [(times[i + 1] - times[i]) / (sizes[i + 1] - sizes[i]) for i in range(len(sizes) - 1)]
    rise = marginal[-1] / marginal[0] if len(marginal) > 1 and marginal[0] > 0 else 1.0
    return {
        "row": name,
        "unit": unit,
        "sizes": sizes,
        "seconds": times,
        "per_unit_us": [t / s * 1e6 for s, t in zip(sizes, times, strict=True)],
        "marginal_us": [x * 1e6 for x in marginal],
        "exponent": _exponent(sizes, times),
        "marginal_rise": rise,
        "linear": rise <= 1.5,
        "shape": "linear" if rise <= 1.5 else "super-linear",
    }


def measure_growth(bench: Bench, only: set[str], window: WindowRows | None) -> list[dict]:
    out = []
    n, k = bench.args.articles, bench.args.repeat
    sizes = sorted({max(n // 4, 1), max(n // 2, 1), n})

    def medians(once: Callable[[int], float], sizes: list[int]) -> list[float]:
        # Every size in each round (see _interleaved): a drift of the machine's speed between
        # sizes would read as a change of growth.
        return [_median(ts) for ts in _interleaved(*(partial(once, s) for s in sizes), repeat=k)]

    if "import" in only:
        out.append(_growth("import", "articles", sizes, medians(bench.import_once, sizes)))
    if "export" in only:
        out.append(_growth("export", "articles", sizes, medians(bench.export_once, sizes)))
    if "suggest" in only:
        s_max = min(n, bench.args.suggest_articles)
        s_sizes = sorted({max(s_max // 4, 1), max(s_max // 2, 1), s_max})
        out.append(_growth("suggest", "articles", s_sizes, medians(bench.suggest_once, s_sizes)))
    if "open" in only and window is not None:
        w_sizes = [500, 5000, 20_000]
        times = [window.measure_open(w, max(k, 5))[0] for w in w_sizes]
        out.append(_growth("open", "words", w_sizes, times))
    return out


# -- the command ----------------------------------------------------------------------------------

ROWS = ("import", "suggest", "export", "open", "decide", "start", "scale", "agreement")


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def format_table(rows: Sequence[Row]) -> str:
    header = ["row", "ours", "baseline", "unit", "ratio", "target", "pass"]
    lines = [
        [
            r.name,
            _fmt(r.ours),
            _fmt(r.baseline),
            r.unit,
            _fmt(r.ratio),
            r.target,
            "error" if r.error else ("yes" if r.passed else "NO" if r.passed is not None else "-"),
        ]
        for r in rows
    ]
    widths = [
        max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)
    ]
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("-|-".join("-" * w for w in widths))
    for line in lines:
        out.append(
            " | ".join(
                c.ljust(w) if i in (0, 3, 5) else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    return "\n".join(out)


def format_growth(growth: Sequence[dict]) -> str:
    out = []
    for g in growth:
        per = ", ".join(
            f"{s:,} {g['unit']}: {_fmt(t)} s" for s, t in zip(g["sizes"], g["seconds"], strict=True)
        )
        marg = ", ".join(f"{_fmt(x)}" for x in g["marginal_us"])
        out.append(f"{g['row']:<8} {per}; marginal us/{g['unit'][:-1]}: {marg} ({g['shape']})")
    return "\n".join(out)


def machine() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["processor"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    with contextlib.suppress(OSError):
        info["load_average"] = os.getloadavg()
    return info


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="annotator bench",
        description="Measure every hot path against its baseline in the same run (issue 5).",
    )
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The benchmark's options (shared by ``python -m annotator.bench`` and ``annotator bench``)."""
    p.add_argument("--articles", type=int, default=2000, help="articles for import/export (default 2000)")
    p.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement; medians are reported (default 3)"
    )
    p.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="write the results here (default: bench.json in the scratch folder)",
    )
    p.add_argument(
        "--only", nargs="+", choices=ROWS, metavar="ROW", help=f"only these rows: {', '.join(ROWS)}"
    )
    p.add_argument(
        "--sizes",
        action="store_true",
        help="also measure growth at three sizes (import, suggest, export, open)",
    )
    p.add_argument(
        "--suggest-articles",
        type=int,
        default=100,
        help="articles for suggest, at most --articles (default 100: spaCy is slow)",
    )
    p.add_argument(
        "--suggest-repeat",
        type=int,
        default=5,
        # Our path and the bare pipe differ by 1-2 % here, and one run in a few is 10 % slower
        # for no reason of its own: enough to move a median of 3 below the 0.9 target.
        help="rounds of suggest (1 process, baseline, 2 processes); medians reported (default 5)",
    )
    p.add_argument(
        "--agreement-articles", type=int, default=1000, help="articles for agreement (default 1000)"
    )
    p.add_argument(
        "--list-articles",
        type=int,
        default=100_000,
        help="articles for start and scale (default 100,000; cached)",
    )
    p.add_argument(
        "--decide-actions",
        type=int,
        default=150,
        help="accept/reject/relabel actions per size, whose p95 is reported (default 150)",
    )
    p.add_argument("--steps", type=int, default=100, help="scroll steps per scale run (default 100)")
    p.add_argument(
        "--cache", type=Path, help="folder for the cached big databases (default ~/.cache/annotator-bench)"
    )
    p.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed afterwards)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--child-scale", type=Path, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark described by ``args``; prints the table, writes JSON; 0 when every row ran."""
    if args.child_scale:
        print(json.dumps(_scale_child(args.child_scale, args.steps)))
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    only = set(args.only or ROWS)
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        ctx: contextlib.AbstractContextManager = contextlib.nullcontext(str(args.work))
    else:
        ctx = tempfile.TemporaryDirectory(prefix="annotator-bench-")
    with ctx as work_dir:
        bench = Bench(args, Path(work_dir))
        t_start = time.perf_counter()
        window: WindowRows | None = None

        def attempt(name: str, fn: Callable[[], Row | list[Row]]) -> None:
            if name not in only:
                return
            _settle_disk()
            bench.log(f"measuring {name}")
            t0 = time.perf_counter()
            try:
                got = fn()
            except Exception as e:  # noqa: BLE001 - one broken row must not hide the others
                import traceback

                traceback.print_exc(file=sys.stderr)
                bench.rows.append(Row(name, "", "", None, error=f"{type(e).__name__}: {e}"))
                return
            for r in got if isinstance(got, list) else [got]:
                bench.rows.append(r)
            bench.log(f"{name} done in {time.perf_counter() - t0:.1f} s")

        def window_rows() -> WindowRows:
            nonlocal window
            if window is None:
                window = WindowRows(bench)
            return window

        attempt("import", bench.row_import)
        attempt("suggest", bench.row_suggest)
        attempt("export", bench.row_export)
        attempt("open", lambda: window_rows().row_open(args.repeat))
        attempt("decide", lambda: window_rows().row_decide(args.decide_actions))
        attempt("agreement", bench.row_agreement)
        attempt("start", lambda: row_start(bench))
        attempt("scale", lambda: row_scale(bench))
        if args.sizes:
            bench.log("measuring growth")
            try:
                bench.growth = measure_growth(bench, only, window_rows() if "open" in only else None)
            except Exception as e:  # noqa: BLE001
                bench.growth = [{"error": f"{type(e).__name__}: {e}"}]
        if window is not None:
            window.close()
        elapsed = time.perf_counter() - t_start
        result = {
            "machine": machine(),
            "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "seconds": elapsed,
            "rows": [asdict(r) for r in bench.rows],
            "growth": bench.growth,
        }
        print(format_table(bench.rows))
        if bench.growth:
            print()
            print("growth:")
            print(format_growth([g for g in bench.growth if "error" not in g]))
        m = result["machine"]
        print(
            f"\n{m['cpus']} CPUs ({m['processor']}), {m.get('memory_gb', '?')} GB, Python {m['python']};"
            f" {elapsed:.0f} s; medians of {args.repeat} runs"
            + (
                f" (suggest: {args.suggest_repeat})"
                if args.suggest_repeat != args.repeat and "suggest" in only
                else ""
            )
        )
        target = args.json or (Path(work_dir) / "bench.json")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
            print(f"wrote {target}")
        return 1 if any(r.error for r in bench.rows) else 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
