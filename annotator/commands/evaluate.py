"""``annotator evaluate``: score the suggestions against hand-annotated articles."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotator.commands import progress_bar


def add_parser(sub) -> None:
    p = sub.add_parser("evaluate", help="score the suggestions against hand-annotated articles (JSONL)")
    p.add_argument("gold", type=Path, help="annotated articles, JSONL as `annotator export` writes it")
    p.add_argument(
        "--model", help="spaCy pipeline name or folder (a trained one too); default: the English one"
    )
    p.add_argument("--taxonomy", type=Path, help="taxonomy file (default: the bundled one)")
    p.add_argument("--split", help="only the articles whose meta.split is this (e.g. dev, test)")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument(
        "--learn", type=_sizes, help="learning curve: train on this many articles (e.g. 5,30), score the rest"
    )
    p.add_argument("--splits", type=int, default=3, help="random splits per training size (default 3)")


def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(n) for n in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a list of article counts such as 5,30") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("article counts must be 1 or more")
    return sizes


def run(args) -> int:
    from annotator.suggest import Suggester
    from annotator.suggest.evaluate import evaluate, load_gold

    gold = load_gold(args.gold, split=args.split)
    if args.learn:
        from annotator.train.curve import format_curve, learning_curve

        points = learning_curve(
            gold,
            args.learn,
            splits=args.splits,
            model=args.model,
            progress=lambda line: print(line, file=sys.stderr),
        )
        print(json.dumps([p.to_dict() for p in points], indent=1) if args.json else format_curve(points))
        return 0
    bar, update = progress_bar("evaluating", "article")
    with bar:
        suggester = Suggester(model=args.model, taxonomy=args.taxonomy)
        report = evaluate(gold, suggester, progress=lambda done: update(done, len(gold)))
    print(json.dumps(report.to_dict(), indent=1) if args.json else report.format_table())
    return 0
