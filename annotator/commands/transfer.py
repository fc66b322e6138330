"""``annotator import`` and ``annotator export``: their options, and what they print.

Part of the command line (:mod:`annotator.cli` builds the parser with these and dispatches to
them); the work is done by :mod:`annotator.transfer`. Heavy modules are imported inside the
commands, so ``annotator --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from annotator.errors import AnnotatorError

IMPORT_FORMATS = "text, jsonl, json, prodigy, doccano, labelstudio, brat, conll, spacy, csv"
EXPORT_FORMATS = ["prodigy", "doccano", "spacy", "conll", "labelstudio", "brat", "ledger"]
# Formats that cannot go to standard output: bytes, or a folder.
NEED_OUTPUT = {"spacy": "FILE.spacy", "brat": "FOLDER"}
_SHOWN_WARNINGS = 10


def add_import(sub, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``import`` command's parser."""
    p = sub.add_parser("import", help="import articles and annotations from files or folders")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    db_arg(p)
    p.add_argument("--format", help=f"{IMPORT_FORMATS} (default: detect from the extension and content)")
    p.add_argument("--annotator", help="owner of spans whose file names nobody (default: you)")
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="import the files that can be read and list the others (default: all files or none)",
    )
    p.add_argument(
        "--tag-column",
        type=int,
        metavar="N",
        help="CoNLL: the column (1 = first) with the tags, for files with several (default: outer entities)",
    )
    p.add_argument(
        "--offsets",
        choices=["utf16", "codepoints"],
        help="Label Studio: offsets count UTF-16 units (as after an emoji in some versions) or"
        " characters (default: told apart per task)",
    )


def add_export(sub, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``export`` command's parser."""
    p = sub.add_parser("export", help="export annotations (or suggestions) for training or another tool")
    db_arg(p)
    p.add_argument("--format", default="prodigy", choices=EXPORT_FORMATS)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--annotator", help="only this annotator's work")
    who.add_argument("--gold", action="store_true", help="export the reviewed gold set")
    who.add_argument(
        "--all-annotators",
        action="store_true",
        help="spacy, conll, brat: a copy of each article per annotator (default: one version per article)",
    )
    p.add_argument(
        "--suggestions", action="store_true", help="export the suggestions nobody has decided on, unanswered"
    )
    p.add_argument(
        "--answer",
        choices=["accept", "reject", "all"],
        help="prodigy: accepted work, rejected suggestions, or both (default: all); other formats: accept",
    )
    p.add_argument("--layer", choices=["entity", "issue"], help="only the spans of this layer")
    p.add_argument(
        "--tokens",
        action="store_true",
        help="prodigy only: add spaCy's tokens array and span token_start/token_end, as prodigy db-out"
        " writes them (slower, files about 5x larger; Prodigy tokenizes tasks without them itself)",
    )
    p.add_argument(
        "--keep-text",
        action="store_true",
        help="conll only: add -DOCSTART- and a '# annotator_text' line per article, so annotator"
        " gets the exact text back (spaCy and doccano do not read that line)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="output file or folder (default: standard output; needed for spacy, brat)",
    )


def _report(res) -> list[str]:
    r = res.report
    parts = [f"{r.articles_added} new article{'s' * (r.articles_added != 1)}"]
    if r.articles_known:
        parts.append(f"{r.articles_known} already here")
    if r.annotations:
        parts.append(f"{r.annotations} spans by {', '.join(sorted(r.annotators))}")
    if r.rejections:
        parts.append(f"{r.rejections} rejected spans")
    if r.suggestions:
        parts.append(f"{r.suggestions} suggestions")
    lines = [f"{res.path} ({res.format}): " + ", ".join(parts)]
    if r.labels_created:
        lines.append("  new labels: " + ", ".join(f"{lab.name} ({lab.layer})" for lab in r.labels_created))
    for a, b in r.twins:
        lines.append(
            f"  note: article {a[:10]} differs from {b[:10]} only in line endings or Unicode normalisation;"
            " its spans went onto it (offsets mapped)"
        )
    for a, b in r.near_duplicates:
        lines.append(
            f"  note: article {a[:10]} differs from {b[:10]} only in line endings or Unicode normalisation"
        )
    return lines


def cmd_import(args, open_store, who_of, progress_bar) -> int:
    """Run ``annotator import``; 2 when nothing (all or nothing) or not everything was imported."""
    from annotator import ops
    from annotator.importers import ReadOptions

    options = ReadOptions(tag_column=args.tag_column, offsets=args.offsets)
    with open_store(args.db) as store:
        ops.ensure_default_labels(store)
        who = who_of(store, args.annotator)
        bar, update = progress_bar("importing", "file")
        with bar:
            results = ops.import_paths(
                store,
                args.paths,
                format=args.format,
                annotator=who,
                progress=update,
                all_or_nothing=not args.skip_bad,
                options=options,
                note=lambda text: print(f"annotator: note: {text}", file=sys.stderr),
            )
    failed = [res for res in results if not res.ok]
    for res in results:
        if res.error is not None:
            print(f"annotator: {'skipped: ' if args.skip_bad else 'error: '}{res.error}", file=sys.stderr)
        elif res.report is not None:
            print("\n".join(_report(res)))
        for w in res.warnings if res.report is not None else ():
            print(f"  warning: {w}")
    if not failed:
        return 0
    if args.skip_bad:
        names = ", ".join(str(res.path) for res in failed)
        print(f"annotator: skipped {len(failed)} of {len(results)} files: {names}", file=sys.stderr)
        return 0
    if len(results) > 1:
        others = len(results) - len(failed)
        print(
            f"annotator: nothing was imported: {len(failed)} of {len(results)} files cannot be imported"
            f" (fix {'them' if len(failed) > 1 else 'it'}, or pass --skip-bad to import the other {others})",
            file=sys.stderr,
        )
    return 2


class _Warnings:
    """Collects an export's warnings and prints the first few of each kind, then a count."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, message: str) -> None:
        self.lines.append(message)

    def show(self) -> None:
        for line in self.lines[:_SHOWN_WARNINGS]:
            print(f"annotator: warning: {line}", file=sys.stderr)
        if len(self.lines) > _SHOWN_WARNINGS:
            print(f"annotator: ... and {len(self.lines) - _SHOWN_WARNINGS} more warnings", file=sys.stderr)


def cmd_export(args, open_store) -> int:
    """Run ``annotator export``."""
    from annotator import ops, transfer

    if args.format in NEED_OUTPUT and args.output is None:
        kind = "binary" if args.format == "spacy" else "a folder of files"
        raise AnnotatorError(
            f"the {args.format} format is {kind}: give an output with -o {NEED_OUTPUT[args.format]}"
        )
    warnings = _Warnings()
    with open_store(args.db, create=False) as store:
        n = ops.export(
            store,
            args.format,
            sys.stdout if args.output is None else args.output,
            annotator=args.annotator,
            suggestions=args.suggestions,
            gold=args.gold,
            tokens=args.tokens,
            warn=warnings,
            answer=args.answer,
            layer=args.layer,
            all_annotators=args.all_annotators,
            keep_text=args.keep_text,
        )
    warnings.show()
    if n == 0:
        what = "suggestions" if args.suggestions else "gold spans" if args.gold else "decisions or spans"
        hint = "" if args.suggestions or args.gold else "; `--suggestions` exports the suggestions"
        who = f" of {args.annotator}" if args.annotator else ""
        print(f"annotator: nothing to export: no {what}{who} yet{hint}", file=sys.stderr)
    elif args.output is not None:
        what = {"labelstudio": "tasks", "brat": "articles"}.get(args.format, "records")
        print(f"wrote {n} {what} to {args.output}", file=sys.stderr)
        if args.format == "labelstudio":
            config = transfer.labelstudio_config_path(args.output)
            print(f"wrote the labelling config for Label Studio to {config}", file=sys.stderr)
    return 0
