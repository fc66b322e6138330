"""The command line for a team: ``assign``, ``stats --team``, ``suggest --cluster``, and the
planned overlap of ``agreement``.

Kept apart from :mod:`annotator.cli` (which calls :func:`add_arguments` and dispatches here);
as there, each command parses, calls one core function and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotator.errors import StoreError


def add_arguments(sub: argparse._SubParsersAction) -> None:
    """Add ``assign`` and the team options of ``suggest``, ``stats`` and ``agreement``."""
    p = sub.add_parser(
        "assign",
        help="share the articles among annotators, with an overlap for agreement: one database each",
        description="Make (or change) the team plan of a corpus database and write one database per"
        " annotator. Run again to add or drop annotators, give out new articles or rebalance:"
        " nothing anyone has started moves.",
    )
    p.add_argument("--db", type=Path, help="the corpus database (default: $ANNOTATOR_DB or the default one)")
    p.add_argument("--annotators", metavar="NAMES", help="comma-separated names: a new plan for them")
    p.add_argument(
        "--overlap",
        type=float,
        metavar="SHARE",
        help="share of all articles every annotator labels (default 0.1)",
    )
    p.add_argument(
        "--per-article", type=int, metavar="N", help="annotators for each other article (default 1)"
    )
    p.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed of the sample and the ties (default 0): same seed, same plan",
    )
    p.add_argument(
        "--add", metavar="NAMES", help="annotators joining: the overlap and a share of unstarted work"
    )
    p.add_argument(
        "--drop", metavar="NAMES", help="annotators leaving: their unstarted articles go to others"
    )
    p.add_argument("--rebalance", action="store_true", help="move unstarted work to whoever has least left")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FOLDER",
        help="folder for the databases (default: the plan's, or <db stem>.team)",
    )
    p.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    p.add_argument("--json", action="store_true", help="print the plan's new shares as JSON")

    sub.choices["suggest"].add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on Dask: local:N (N worker processes here) or a scheduler such as tcp://host:8786"
        ' (needs pip install "annotator[cluster]")',
    )
    sub.choices["stats"].add_argument(
        "--team",
        nargs="*",
        type=Path,
        metavar="DB",
        help="progress per annotator on their assigned articles, in these databases (default: --db)",
    )
    sub.choices["agreement"].add_argument(
        "--all-articles",
        action="store_true",
        help="every article two annotators share (default with a team plan: its planned overlap)",
    )


def _names(text: str | None) -> list[str]:
    return [n for n in (text or "").split(",") if n.strip()]


def cmd_assign(args: argparse.Namespace) -> int:
    from annotator import team
    from annotator.commands import open_store as _open_store
    from annotator.commands import progress_bar as _progress_bar

    with _open_store(args.db) as store:
        bar, update = _progress_bar("assigning", "article")
        with bar:
            report = team.assign(
                store,
                args.out,
                _names(args.annotators) or None,
                add=_names(args.add),
                drop=_names(args.drop),
                rebalance=args.rebalance,
                overlap=args.overlap,
                per_article=args.per_article,
                seed=args.seed,
                dry_run=args.dry_run,
                progress=update,
            )
        db = store.path
    if args.json:
        out = {
            "plan": report.plan.id,
            "new": report.new,
            "files": {n: str(p) for n, p in report.files.items()},
        }
        print(json.dumps(out, indent=2))
        return 0
    print("\n".join(report.summary_lines()))
    if report.files:
        print(f"recorded in {db}; when the databases come back: annotator merge {report.out}/*.db --db {db}")
    return 0


def cmd_stats_team(args: argparse.Namespace) -> int:
    from annotator import team
    from annotator.paths import default_db

    paths = args.team or [args.db or default_db()]
    for p in paths:
        if not Path(p).is_file():
            raise StoreError(f"{p}: no such database")
    rows = team.team_progress(paths)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False))
    elif rows:
        print(team.format_progress(rows))
    else:
        print("no annotators yet")
    return 0


def agreement_scope(store, args: argparse.Namespace) -> None:
    """Say on stderr when agreement is measured on the plan's overlap sample only."""
    from annotator import team

    sample = None if args.all_articles else team.planned_sample(store)
    if sample:
        print(
            f"agreement on the planned overlap: {len(sample)} articles (--all-articles for every shared one)",
            file=sys.stderr,
        )


COMMANDS = {"assign": cmd_assign}
