"""``annotator labels``: list, add, recolour and rebind labels, and set the project's label scope."""

from __future__ import annotations

import sys
from pathlib import Path

from annotator.errors import AnnotatorError


def add_parser(sub) -> None:
    p = sub.add_parser("labels", help="list, add, recolour and rebind labels; enable or disable them")
    p.add_argument(
        "--db",
        type=Path,
        help="database file (default: $ANNOTATOR_DB or ~/.local/share/annotator/annotator.db)",
    )
    lsub = p.add_subparsers(dest="labels_command", metavar="ACTION")
    lsub.add_parser("list", help="list labels and whether each is in the project's scope (the default)")
    a = lsub.add_parser("add", help="add a label")
    a.add_argument("name")
    a.add_argument("--layer", choices=["entity", "issue"], default="entity")
    a.add_argument("--colour", help="#rrggbb")
    a.add_argument("--key", help="shortcut key, e.g. 7")
    a.add_argument("--description", default="")
    a.add_argument("--parent", help="parent issue (issue layer)")
    c = lsub.add_parser("colour", help="recolour a label")
    c.add_argument("name")
    c.add_argument("colour", help="#rrggbb")
    c.add_argument("--layer", choices=["entity", "issue"])
    k = lsub.add_parser("key", help="bind a shortcut key to a label (moves it from another label)")
    k.add_argument("name")
    k.add_argument("key")
    k.add_argument("--layer", choices=["entity", "issue"])
    for action, text in (
        ("enable", "put labels into the project's scope: suggested, shown and counted"),
        ("disable", "take labels out of the project's scope: no longer suggested, shown or counted"),
    ):
        e = lsub.add_parser(action, help=text)
        e.add_argument("names", nargs="+", metavar="LABEL")
        e.add_argument("--layer", choices=["entity", "issue"])


def run(args) -> int:
    from annotator import ops
    from annotator.commands import open_store
    from annotator.model import Label
    from annotator.store import scope

    action = args.labels_command or "list"
    with open_store(args.db, create=action != "list") as store:
        if not store.labels():
            ops.ensure_default_labels(store)
        if action == "add":
            created = store.ensure_labels(
                [Label(args.name, args.layer, args.colour or "", args.key, args.description, args.parent)]
            )
            if not created:
                raise AnnotatorError(f"{args.layer} label {args.name!r} exists already")
            if args.key:
                store.update_label(args.layer, args.name, key=args.key)
            if args.colour:
                store.update_label(args.layer, args.name, colour=args.colour)
            print(f"added {args.layer} label {args.name}")
        elif action in ("colour", "key"):
            layer = args.layer or store.layer_of(args.name)
            if action == "colour":
                store.update_label(layer, args.name, colour=args.colour)
            else:
                store.update_label(layer, args.name, key=args.key)
            print(f"{layer} label {args.name}: {action} {getattr(args, action)}")
        elif action in ("enable", "disable"):
            _set_scope(store, args, action == "enable")
        else:
            off = scope.labels_off(store)
            for lab in store.labels():
                key = lab.key or "-"
                parent = f" (under {lab.parent})" if lab.parent else ""
                state = "off" if (lab.layer, lab.name) in off else "on "
                print(f"{lab.layer:<7} {state} {key:>2}  {lab.colour}  {lab.name}{parent}  {lab.description}")
    return 0


def _set_scope(store, args, on: bool) -> None:
    from annotator.store import scope

    labels = scope.resolve(store, args.names, args.layer)
    scope.set_scope(store, labels, on)
    names = ", ".join(name for _, name in labels)
    if on:
        print(f"in scope: {names}")
        print("run `annotator suggest` to get suggestions for them", file=sys.stderr)
    else:
        print(f"out of scope: {names} (no longer suggested, shown or counted)")
