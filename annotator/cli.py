"""The command line: parse, call one core function, print. Errors are one line and a non-zero exit.

``annotator`` with no command opens the window on the default database.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from annotator.commands import install as cli_install
from annotator.commands import open_store as _open_store
from annotator.commands import progress_bar as _progress_bar
from annotator.commands import team as cli_team
from annotator.commands import transfer as cli_transfer
from annotator.errors import AnnotatorError

EPILOG = "Run `annotator COMMAND --help` for the options of one command."


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        type=Path,
        help="database file (default: $ANNOTATOR_DB or ~/.local/share/annotator/annotator.db)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Label named entities and policy issues in news articles. With no command, opens the window.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action=cli_install.VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("open", help="open the window on a database")
    p.add_argument("db", type=Path, nargs="?", help="database file (created when missing)")
    p.add_argument("--annotator", help="annotate as this name")

    cli_transfer.add_import(sub, _db_arg)

    p = sub.add_parser("suggest", help="suggest entity and issue spans with spaCy and the taxonomy")
    _db_arg(p)
    p.add_argument("--model", help="spaCy pipeline name or path (default: the English model)")
    p.add_argument("--taxonomy", type=Path, help="issue taxonomy file (default: the bundled news-issues)")
    p.add_argument(
        "--articles", nargs="+", metavar="ID", help="only these article ids (or unique id prefixes)"
    )
    p.add_argument(
        "--layer", choices=["entity", "issue", "both"], default="both", help="which layer to suggest"
    )
    p.add_argument("--processes", type=int, default=1, help="worker processes for spaCy (default 1)")
    p.add_argument("--batch-size", type=int, default=64)

    cli_transfer.add_export(sub, _db_arg)

    p = sub.add_parser("stats", help="articles, annotators, decisions, spans per label, progress")
    _db_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("merge", help="bring other annotators' databases into this one")
    p.add_argument("others", nargs="+", type=Path, metavar="OTHER.db")
    _db_arg(p)

    p = sub.add_parser("agreement", help="inter-annotator agreement per layer, label, pair and article")
    _db_arg(p)
    p.add_argument("--layer", choices=["entity", "issue"])
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-model", action="store_true", help="leave the model (its suggestions) out")

    p = sub.add_parser("review", help="the disagreements to settle, worst article first")
    _db_arg(p)
    p.add_argument("--layer", choices=["entity", "issue"])
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--agreed-to-gold", metavar="REVIEWER", help="put every span all annotators agree on into gold"
    )

    p = sub.add_parser("feedback", help="what the reviewer changed in one annotator's work")
    _db_arg(p)
    p.add_argument("--annotator", required=True)
    p.add_argument("--layer", choices=["entity", "issue"])
    p.add_argument("-o", "--output", type=Path, help="write an HTML report here (default: text on stdout)")

    p = sub.add_parser(
        "bench",
        help="measure the hot paths against their baselines in the same run",
        add_help=False,  # `annotator bench --help` is the benchmark's own, parsed in annotator.bench
    )
    p.add_argument("bench_args", nargs=argparse.REMAINDER)

    p = sub.add_parser("train", help="train suggestions from the annotations and score them before/after")
    _db_arg(p)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--gold", action="store_true", help="train from the reviewed gold set")
    who.add_argument("--annotator", help="train from this annotator's work (default: you)")
    p.add_argument("--layer", choices=["entity", "issue", "both"], default="both", help="what to train")
    p.add_argument("--held-out", type=float, default=0.2, help="share of done articles held out for scoring")
    p.add_argument("--epochs", type=int, default=10, help="passes over the data (default 10)")
    p.add_argument("--seed", type=int, default=0, help="seed of the split and the shuffles")
    p.add_argument("--base", help="starting spaCy pipeline (default: the English model)")
    p.add_argument(
        "--issue-model",
        choices=["memory", "spancat"],
        default="memory",
        help="issues: the taxonomy plus the team's decision per phrase (memory, default),"
        " or a span categorizer first (spancat: needs many more articles)",
    )
    p.add_argument(
        "-o", "--output", type=Path, help="folder for the versioned pipelines (default: <db stem>.models)"
    )
    p.add_argument(
        "--no-refresh", action="store_true", help="do not re-suggest the articles you have not finished"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="use the new pipeline even if a layer scored lower on held-out articles",
    )
    p.add_argument(
        "--uncertain",
        type=int,
        metavar="N",
        help="do not train: list the N unfinished articles the trained model is least sure about",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser(
        "taxonomy", help="turn a wrong issue match into an exception of the database's taxonomy"
    )
    _db_arg(p)
    tsub = p.add_subparsers(dest="taxonomy_command", metavar="ACTION", required=True)
    e = tsub.add_parser("except", help='"PHRASE" is not LABEL: preview, then apply and re-suggest')
    e.add_argument("label", help="the issue, e.g. TRADE")
    e.add_argument("phrase", help='the words around the wrong match, e.g. "trade union"')
    e.add_argument("--preview", action="store_true", help="only list the suggestions it would remove")

    p = sub.add_parser("demo", help="add the bundled demo articles and suggest spans on them")
    _db_arg(p)
    p.add_argument("--no-suggest", action="store_true", help="only add the articles")
    cli_install.add_commands(sub)  # self-test, install-desktop, bundle
    cli_team.add_arguments(sub)  # assign, suggest --cluster, stats --team, agreement scope
    for name in MODULES:
        importlib.import_module(f"annotator.commands.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``annotator`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # the benchmark parses its own options (annotator.bench)
        return _cmd_bench(argparse.Namespace(bench_args=argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command not in (None, "open"):
        _cancel_on_sigterm()
    try:
        if args.command in (None, "open"):
            return _cmd_open(args)
        if args.command in MODULES:
            return importlib.import_module(f"annotator.commands.{args.command}").run(args)
        return COMMANDS[args.command](args)
    except AnnotatorError as e:
        print(f"annotator: error: {e}", file=sys.stderr)
        return e.exit_code or 1
    except KeyboardInterrupt:
        print("annotator: cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - the CLI promises one line, never a traceback
        if os.environ.get("ANNOTATOR_DEBUG"):
            raise
        print(
            f"annotator: unexpected error: {type(e).__name__}: {e} (set ANNOTATOR_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _cancel_on_sigterm() -> None:
    """SIGTERM cancels a command as Ctrl+C does: workers stopped, finished batches kept."""
    import signal

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _who(store, name: str | None) -> str:
    return name or store.get_setting("last_annotator") or getpass.getuser()


def _cmd_open(args) -> int:
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        # Qt would abort the process with a core dump; say what is wrong instead.
        raise AnnotatorError(
            "no display found to open the window on",
            hint="run it in a desktop session, or use the commands listed by `annotator --help`",
        )
    from annotator.ui.app import run

    return run(getattr(args, "db", None), annotator=getattr(args, "annotator", None))


def _cmd_import(args) -> int:
    return cli_transfer.cmd_import(args, _open_store, _who, _progress_bar)


def _cmd_suggest(args) -> int:
    from annotator import ops

    with _open_store(args.db) as store:
        ops.ensure_default_labels(store, args.taxonomy)
        ids = store.find_articles(args.articles) if args.articles else None
        bar, update = _progress_bar("suggesting", "article")
        with bar:
            summary = ops.suggest(
                store,
                model=args.model,
                taxonomy=args.taxonomy,
                articles=ids,
                progress=update,
                n_process=args.processes,
                batch_size=args.batch_size,
                entities=args.layer in ("entity", "both"),
                issues=args.layer in ("issue", "both"),
                cluster=args.cluster,
            )
        rate = summary.words / summary.seconds if summary.seconds else 0
        spans = ", ".join(f"{n} from {src}" for src, n in sorted(summary.spans.items())) or "no spans"
        print(
            f"suggested {spans} on {summary.articles - len(summary.failed)} articles"
            f" ({summary.words} words, {rate:,.0f} words/s)"
        )
    return _report_failed(summary.failed)


def _report_failed(failed: list[tuple[str, str, str]]) -> int:
    """Name the articles the pipeline failed on (stderr); 1 when there were any."""
    if not failed:
        return 0
    print(f"error: the pipeline failed on {len(failed)} article(s); they keep their earlier suggestions:", file=sys.stderr)
    for aid, title, error in failed:
        print(f"  {title!r} (id {aid}): {error}", file=sys.stderr)
    return 1


def _cmd_export(args) -> int:
    return cli_transfer.cmd_export(args, _open_store)


def _cmd_stats(args) -> int:
    from annotator.store import activity

    if args.team is not None:
        return cli_team.cmd_stats_team(args)
    with _open_store(args.db, create=False) as store:
        st = store.stats()
        pace = activity.pace(activity.actions(store))
    if args.json:
        st["pace"] = [d.to_dict() for d in pace]
        print(json.dumps(st, indent=2, ensure_ascii=False))
        return 0
    print(f"database    {st['database']}")
    print(f"articles    {st['articles']} ({st['words']} words)")
    for src, n in sorted(st["suggestions"].items()):
        print(f"suggestions {n} from {src}")
    for who, a in st["annotators"].items():
        dec = ", ".join(f"{n} {k}" for k, n in sorted(a["decisions"].items())) or "no decisions"
        print(f"annotator   {who}: {a['done']} of {a['total']} done, {a['in_progress']} in progress; {dec}")
    for label, n in st["spans"].items():
        print(f"spans       {label}: {n}")
    for d in pace:
        print(f"pace        {pace_line(d)}")
    return 0


def pace_line(d) -> str:
    """One annotator's day: articles done, decisions per minute, accepted unchanged, time per article."""
    from annotator.store.activity import duration_text as duration

    per = d.seconds_per_article
    dpm = d.decisions_per_minute
    return (
        f"{d.annotator} {d.day}: {d.articles_done} article{'s' * (d.articles_done != 1)} done,"
        f" {d.decisions} decisions"
        + (f" ({dpm:.1f}/min)," if dpm is not None else ",")
        + f" {d.accepted_share:.0%} of suggestions accepted unchanged"
        + (f", {duration(per)} per article" if per is not None else "")
        + f", {duration(d.active_seconds)} worked"
    )


def _cmd_bench(args) -> int:
    from annotator import bench

    return bench.main(args.bench_args)


def _cmd_train(args) -> int:
    from annotator import train

    with _open_store(args.db) as store:
        who = None if args.gold else _who(store, args.annotator)
        if args.uncertain is not None:
            bar, update = _progress_bar("scoring", "article")
            with bar:
                ranked = train.uncertainty_order(store, who or _who(store, None), progress=update)
            for aid, score in ranked[: args.uncertain]:
                print(f"{aid[:10]}  {score:6.2f}  {store.article(aid).title}")
            return 0
        bar, update = _progress_bar("training", "step")
        with bar:
            report = train.train(
                store,
                annotator=who,
                gold=args.gold,
                layer=args.layer,
                held_out=args.held_out,
                epochs=args.epochs,
                seed=args.seed,
                base=args.base,
                output=args.output,
                progress=update,
                force=args.force,
                issue_model=args.issue_model,
            )
        if report.adopted and not args.no_refresh:
            bar, update = _progress_bar("re-suggesting", "article")
            with bar:
                report.refreshed = train.refresh_suggestions(
                    store, _who(store, args.annotator), progress=update
                )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(report.format_table())
    print(f"wrote {report.path}")
    if report.refreshed:
        print(f"re-suggested {report.refreshed['articles']} unfinished articles")
    return 0


def _cmd_taxonomy(args) -> int:
    from annotator import train

    with _open_store(args.db) as store:
        if args.preview:
            pattern, matches = train.preview_exception(store, args.label, args.phrase)
        else:
            result = train.apply_exception(store, args.label, args.phrase)
            pattern, matches = result["pattern"], result["removed"]
    for mt in matches:
        print(f"{mt.article_id[:10]}  {mt.start}-{mt.end}  {mt.text!r}  {mt.context}")
    verb = "would remove" if args.preview else "removed"
    print(f"exception {pattern!r} for {args.label} {verb} {len(matches)} suggestion(s)")
    if not args.preview:
        print(f"wrote {result['taxonomy']} ({result['source']})")
    return 0


def _cmd_demo(args) -> int:
    from annotator import ops

    with _open_store(args.db) as store:
        changes = ops.load_demo(store)
        print(f"added {len(changes.articles)} demo articles")
        if not args.no_suggest:
            summary = ops.suggest(store)
            print(f"suggested {sum(summary.spans.values())} spans")
    return 0


def _cmd_merge(args) -> int:
    from annotator import ops

    with _open_store(args.db) as store:
        for r in ops.merge(store, args.others):
            print("\n".join(r.summary_lines()))
    return 0


def _cmd_agreement(args) -> int:
    from annotator import ops

    with _open_store(args.db, create=False) as store:
        cli_team.agreement_scope(store, args)
        report = ops.agreement(store, args.layer, not args.no_model, planned=not args.all_articles)
        titles = {e.article_id: store.article(e.article_id).title for e in report.articles[:10]}
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.format_table(titles=titles))
    return 0


def _cmd_review(args) -> int:
    from annotator import ops

    with _open_store(args.db, create=False) as store:
        if args.agreed_to_gold:
            n = ops.add_agreed_gold(store, args.agreed_to_gold)
            print(f"put {n} agreed spans into gold", file=sys.stderr)
        queue = ops.review_queue(store, layer=args.layer)
        texts = {aid: t for aid, t in store.texts([e.article_id for e, _, _ in queue])}
        titles = {aid: store.article(aid).title for aid in texts}
    if args.json:
        out = [
            {
                "article_id": e.article_id,
                "title": titles[e.article_id],
                "disagreements": [d.to_dict() for d in open_],
            }
            for e, _, open_ in queue
        ]
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if not queue:
        print("no open disagreements")
    for e, _, open_ in queue:
        print(f"{e.article_id[:10]}  {len(open_)} open  {titles[e.article_id]}")
        text = texts[e.article_id]
        for d in open_:
            versions = "; ".join(
                f"{who}: " + (f"{text[s.start : s.end]!r} {s.label}" if s else "-")
                for who, s in d.versions.items()
            )
            print(f"    {d.kind:<18} {d.layer:<6} {d.region[0]}-{d.region[1]}  {versions}")
    return 0


def _cmd_feedback(args) -> int:
    from annotator import ops

    with _open_store(args.db, create=False) as store:
        report = ops.feedback(store, args.annotator, layer=args.layer)
    if args.output:
        args.output.write_text(report.to_html(), encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(report.to_text())
    return 0


COMMANDS = {
    "merge": _cmd_merge,
    "agreement": _cmd_agreement,
    "review": _cmd_review,
    "feedback": _cmd_feedback,
    "import": _cmd_import,
    "suggest": _cmd_suggest,
    "export": _cmd_export,
    "stats": _cmd_stats,
    "demo": _cmd_demo,
    "train": _cmd_train,
    "taxonomy": _cmd_taxonomy,
    "bench": _cmd_bench,
    **cli_install.COMMANDS,
    **cli_team.COMMANDS,
}
# Commands whose parser and code live in annotator.commands.<name>.
MODULES = ("evaluate", "labels")


if __name__ == "__main__":
    sys.exit(main())
