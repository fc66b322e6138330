"""A scripted annotator for the crash tests: seeded decisions through the window's Store calls.

Usage: ``python _decider.py DB LOG SEED [ANNOTATOR] [MAX_OPS]``, or ``python _decider.py serve``:
then it reads ``DB LOG SEED ANNOTATOR`` lines on stdin, forks one decision stream per line and
prints the stream's pid (``reap PID`` waits for it), so fifty kills do not pay fifty start-ups.

Before each call it appends ``{"intent": n, "op": ...}`` to LOG; after the call RETURNED it
appends ``{"done": n, ...}`` with what the call wrote (the ledger row and its effects, read
back) and a fingerprint of the database, then flushes and fsyncs. The test kills this process
with SIGKILL at random moments and checks that every "done" line is in the database.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _dbcheck  # noqa: E402

from annotator.errors import LabelError, NotFoundError, NothingToDo, SpanError  # noqa: E402
from annotator.model import STATES, Span  # noqa: E402
from annotator.store import Store  # noqa: E402

OPS = ["accept", "accept", "reject", "correct", "add", "update", "delete", "state", "undo", "undo", "redo"]
REFUSALS = (SpanError, NotFoundError, NothingToDo, LabelError)


class Log:
    def __init__(self, path: str):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, entry: dict, sync: bool) -> None:
        os.write(self.fd, (json.dumps(entry, sort_keys=True) + "\n").encode())
        if sync:
            os.fsync(self.fd)


def serve() -> None:
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
                run(words)
            finally:
                os._exit(0)
        print(pid, flush=True)


def main() -> None:
    if sys.argv[1] == "serve":
        serve()
    else:
        run(sys.argv[1:])


def run(argv: list[str]) -> None:
    db, log_path, seed = argv[0], argv[1], int(argv[2])
    who = argv[3] if len(argv) > 3 else "ann"
    max_ops = int(argv[4]) if len(argv) > 4 else 10**9
    rng = random.Random(seed)
    store = Store(db)
    check = _dbcheck.connect(db)
    log = Log(log_path)
    labels = [(lab.layer, lab.name) for lab in store.labels()]
    article_ids = store.article_ids()
    lengths = {aid: len(store.article(aid).text) for aid in article_ids}
    for n in range(max_ops):
        op = rng.choice(OPS)
        aid = rng.choice(article_ids)
        args: dict = {}
        suggs = store.suggestions(aid, who)
        anns = store.annotations(aid, who)
        if op in ("accept", "reject", "correct"):
            args["suggestion"] = rng.choice(suggs).id
            if op == "correct":
                s = store.suggestion(args["suggestion"])
                args["end"] = max(s.start + 1, min(lengths[aid], s.end + rng.randint(-2, 2)))
                args["label"] = rng.choice([name for layer, name in labels if layer == s.layer])
        elif op == "add":
            start = rng.randrange(lengths[aid] - 1)
            layer, label = rng.choice(labels)
            args = {"article": aid, "start": start, "end": min(lengths[aid], start + rng.randint(1, 8))}
            args.update(layer=layer, label=label)
        elif op in ("update", "delete"):
            if not anns:
                op = "undo"
            else:
                args["annotation"] = rng.choice(anns).id
                if op == "update":
                    a = store.annotation(args["annotation"])
                    args["start"] = max(0, a.start + rng.randint(-1, 1))
        elif op == "state":
            args = {"article": aid, "state": rng.choice(STATES)}
        log.write({"intent": n, "op": op, "args": args}, sync=False)
        before_max = store.conn.execute("SELECT coalesce(max(id), 0) FROM ledger").fetchone()[0]
        last_undo = store.last_action(who, undone=False)
        last_redo = store.last_action(who, undone=True)
        outcome = "ok"
        try:
            if op == "accept":
                store.accept(who, args["suggestion"])
            elif op == "reject":
                store.reject(who, args["suggestion"])
            elif op == "correct":
                store.correct(who, args["suggestion"], end=args["end"], label=args["label"])
            elif op == "add":
                store.add_span(who, aid, Span(args["start"], args["end"], args["label"], args["layer"]))
            elif op == "update":
                store.update_span(who, args["annotation"], start=args["start"])
            elif op == "delete":
                store.delete_span(who, args["annotation"])
            elif op == "state":
                store.set_state(who, aid, args["state"])
            elif op == "undo":
                store.undo(who)
            elif op == "redo":
                store.redo(who)
        except REFUSALS as e:
            outcome = f"refused: {type(e).__name__}"
        # The call returned: record what it wrote, exactly as it is in the database now.
        entry: dict = {"done": n, "op": op, "outcome": outcome}
        if op in ("undo", "redo") and outcome == "ok":
            replayed = last_undo if op == "undo" else last_redo
            entry["ledger_id"] = replayed["id"]
            entry["undone"] = op == "undo"
        elif outcome == "ok":
            row = store.conn.execute(
                "SELECT id, kind FROM ledger WHERE id > ? AND annotator = ? ORDER BY id", (before_max, who)
            ).fetchall()
            if row:  # an action that changed nothing (state set to itself) writes no ledger row
                entry["ledger_id"], entry["kind"] = row[-1]
                entry["effects"] = _dbcheck.ledger_effects(check, row[-1][0])
        entry["hash"] = _dbcheck.state_hash(check)
        log.write(entry, sync=True)
    store.close()


if __name__ == "__main__":
    main()
