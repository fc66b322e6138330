"""The plan in the databases: recorded in the corpus, and one database per annotator and round.

The corpus database keeps the whole plan in its setting ``team_plan``; each annotator's
database keeps the record of its own share in ``team_assignment`` (the plan's id, the round,
the annotator, the corpus and its article ids). Everything goes through the public
:class:`~annotator.store.Store` API.

A round's databases are written under a temporary name and renamed when whole, so a cancel or a
failure leaves no half-written database behind (and the plan is recorded only after).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from annotator import model as m
from annotator.errors import AnnotatorError, Cancelled, StoreError
from annotator.model import SuggestedSpan
from annotator.store import Store
from annotator.team.plan import Plan, now
from annotator.train import TRAINED_MODEL, USER_TAXONOMY, trained_model, user_taxonomy

PLAN_SETTING = "team_plan"  # corpus database: the whole plan (JSON)
ASSIGNMENT_SETTING = "team_assignment"  # an annotator's database: its share (JSON)
ASSIGNMENT_FORMAT = 1
BATCH = 200  # articles per transaction while writing an annotator's database

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def load_plan(store: Store) -> Plan | None:
    """The plan recorded in a corpus (or merged) database, or None."""
    text = store.get_setting(PLAN_SETTING)
    return Plan.from_json(text) if text else None


def save_plan(store: Store, plan: Plan) -> None:
    store.set_setting(PLAN_SETTING, plan.to_json())


def load_assignment(store: Store) -> dict | None:
    """The record of an annotator's share in their database, or None."""
    text = store.get_setting(ASSIGNMENT_SETTING)
    return json.loads(text) if text else None


def corpus_articles(store: Store) -> list[tuple[str, int]]:
    """``(id, words)`` of every article, in corpus order (words as the importers count them)."""
    return [(aid, len(text.split())) for aid, text in store.texts()]


def started_work(stores: Iterable[Store], names: Iterable[str]) -> dict[str, set[str]]:
    """The articles each of ``names`` has started in any of ``stores``.

    Started means a state other than to do, a span, or a decision on a suggestion.
    """
    wanted = set(names)
    out: dict[str, set[str]] = {n: set() for n in wanted}
    for store in stores:
        for aid, who, state in store.article_states():
            if who in wanted and state != m.TODO:
                out[who].add(aid)
        for aid, who, _span in store.annotation_spans():
            if who in wanted:
                out[who].add(aid)
        for d in store.decisions():
            if d["annotator"] in wanted:
                out[d["annotator"]].add(d["article_id"])
    return out


def round_file(out: Path, plan: Plan, annotator: str) -> Path:
    """Where this round's database of ``annotator`` goes: NAME.db first, NAME-<round>.db later."""
    if not plan.files(annotator):
        return out / f"{annotator}.db"
    return out / f"{annotator}-{len(plan.rounds)}.db"


def write_round(
    corpus: Store,
    plan: Plan,
    new: Mapping[str, Sequence[str]],
    out: Path,
    progress: Progress = None,
    cancelled: Cancel = None,
) -> dict[str, Path]:
    """Write each annotator's newly assigned articles into a database of this round.

    ``plan`` is the plan with this round already appended. Returns annotator -> path. The
    databases get the articles with their suggestions, the corpus's labels and taxonomy, the
    record of the share, and the annotator as the one who opens them.

    Raises
    ------
    StoreError
        If a target file exists and is not this round's database of this plan.
    Cancelled
        When ``cancelled()`` turns true; nothing is left behind.
    """
    targets = {name: round_file(out, plan, name) for name in new}
    for path in targets.values():
        _check_target(path, plan)
    out.mkdir(parents=True, exist_ok=True)
    parts = {name: path.with_name(f".{path.name}.part") for name, path in targets.items()}
    try:
        _remove(parts.values())  # left by a run that was killed
        _fill(corpus, plan, new, parts, progress, cancelled)
        for name, part in parts.items():
            _finish(corpus, part, targets[name])
    finally:
        _remove(parts.values())
    return targets


def _remove(parts: Iterable[Path]) -> None:
    for part in parts:
        for p in (part, part.with_name(part.name + "-wal"), part.with_name(part.name + "-shm")):
            p.unlink(missing_ok=True)


def _check_target(path: Path, plan: Plan) -> None:
    if not path.exists():
        return
    try:
        with Store(path) as st:
            record = load_assignment(st)
    except AnnotatorError:
        record = None
    if record and record.get("plan") == plan.id and record.get("round") == len(plan.rounds):
        return  # this very round, written before its plan was recorded: written again
    raise StoreError(
        f"{path} exists and is not this round's database of the plan",
        hint="move it away, or give another folder with --out",
    )


def _fill(corpus: Store, plan: Plan, new, parts, progress: Progress, cancelled: Cancel) -> None:
    """Copy the articles into the part files, one pass over the corpus in its order."""
    wanted: dict[str, list[str]] = {}
    for name, ids in new.items():
        for aid in ids:
            wanted.setdefault(aid, []).append(name)
    stores = {name: Store(part) for name, part in parts.items()}
    try:
        labels = corpus.labels()
        for name, st in stores.items():
            st.ensure_labels(labels)
            st.add_annotator(name)
        batches: dict[str, list] = {name: [] for name in stores}
        total, done = len(wanted), 0
        for aid, _text in corpus.texts():
            names = wanted.get(aid)
            if not names:
                continue
            if cancelled is not None and cancelled():
                raise Cancelled("assigning was cancelled; no database was written")
            item = (corpus.article(aid), _suggested(corpus, aid))
            for name in names:
                batches[name].append(item)
                if len(batches[name]) >= BATCH:
                    _write(stores[name], batches[name])
                    batches[name] = []
            done += 1
            if progress is not None and (done % 64 == 0 or done == total):
                progress(done, total)
        for name, batch in batches.items():
            _write(stores[name], batch)
            _record(stores[name], corpus, plan, name, new[name])
    finally:
        for st in stores.values():
            st.close()


def _suggested(corpus: Store, aid: str) -> list[SuggestedSpan]:
    # As the window shows them: the same span from two sources is one suggestion.
    return [
        SuggestedSpan(s.start, s.end, s.label, s.layer, s.source, s.score) for s in corpus.suggestions(aid)
    ]


def _write(st: Store, batch: list) -> None:
    if not batch:
        return
    with st.transaction():
        st.add_articles([art for art, _ in batch])
        sources = sorted({s.source for _, spans in batch for s in spans})
        st.store_suggestions([(art.id, spans) for art, spans in batch], sources)


def _record(st: Store, corpus: Store, plan: Plan, name: str, ids: Sequence[str]) -> None:
    sample = set(plan.sample)
    record = {
        "format": ASSIGNMENT_FORMAT,
        "plan": plan.id,
        "round": len(plan.rounds),
        "annotator": name,
        "corpus": str(corpus.path.resolve()),
        "at": now(),
        "articles": list(ids),
        "sample": [a for a in ids if a in sample],
    }
    st.set_setting(ASSIGNMENT_SETTING, json.dumps(record, separators=(",", ":")))
    st.set_setting("last_annotator", name)  # the window opens as this annotator
    model = trained_model(corpus)
    if model is not None:
        st.set_setting(TRAINED_MODEL, str(model.resolve()))


def _finish(corpus: Store, part: Path, target: Path) -> None:
    """Rename a whole part file to its name; the corpus's own taxonomy goes beside it."""
    taxonomy = user_taxonomy(corpus)
    if taxonomy is not None:
        copy = target.with_name(target.stem + ".taxonomy.json")
        shutil.copyfile(taxonomy, copy)
        with Store(part) as st:
            st.set_setting(USER_TAXONOMY, str(copy.resolve()))
    target.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(part, target)


def withdraw(paths: Iterable[str | Path], ids: Iterable[str]) -> list[Path]:
    """Take ``ids`` out of the share recorded in each of ``paths`` still here; returns those changed.

    The articles stay in the database (its work is never touched): its record says they are
    no longer the owner's, so ``stats --team`` on it no longer counts them.
    """
    gone = set(ids)
    changed = []
    for p in map(Path, paths):
        if not p.is_file():
            continue
        with Store(p) as st:
            record = load_assignment(st)
            if record is None or not gone & set(record["articles"]):
                continue
            record["withdrawn"] = record.get("withdrawn", []) + [a for a in record["articles"] if a in gone]
            record["articles"] = [a for a in record["articles"] if a not in gone]
            record["sample"] = [a for a in record["sample"] if a not in gone]
            st.set_setting(ASSIGNMENT_SETTING, json.dumps(record, separators=(",", ":")))
        changed.append(p)
    return changed
