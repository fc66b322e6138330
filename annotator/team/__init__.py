"""Work for a team: who labels what, with a planned overlap, one database per annotator.

:func:`assign` makes the plan (:mod:`annotator.team.plan`), writes each annotator's database
(:mod:`annotator.team.files`) and records the plan in the corpus database, so that ``merge``
can say who has not returned what and ``agreement`` measures the planned overlap
(:mod:`annotator.team.progress`). Run again, it changes the plan without touching what is done:
people join (``add``) or leave (``drop``), new articles are given out, work is ``rebalance``-d.

Example
-------
>>> with Store("corpus.db") as corpus:  # doctest: +SKIP
...     report = assign(corpus, Path("work"), annotators=["alice", "bob", "carol"], overlap=0.1)
...     print("\\n".join(report.summary_lines()))
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.store import Store
from annotator.team.files import (
    corpus_articles,
    load_assignment,
    load_plan,
    save_plan,
    started_work,
    withdraw,
    write_round,
)
from annotator.team.plan import Plan, change_plan, check_names, make_plan
from annotator.team.progress import (
    AnnotatorProgress,
    TeamReturns,
    format_progress,
    returns_report,
    team_progress,
)

DEFAULT_OVERLAP = 0.1

__all__ = [
    "AnnotatorProgress",
    "DEFAULT_OVERLAP",
    "AssignReport",
    "Plan",
    "TeamReturns",
    "assign",
    "format_progress",
    "load_assignment",
    "load_plan",
    "planned_sample",
    "returns_report",
    "team_progress",
]

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


@dataclass
class AssignReport:
    """What one ``assign`` run planned and wrote."""

    plan: Plan
    out: Path
    fresh: bool  # a new plan (else a change to the recorded one)
    new: dict[str, list[str]]  # annotator -> newly assigned article ids
    words: dict[str, int]  # annotator -> words newly assigned
    taken: dict[str, list[str]] = field(default_factory=dict)  # annotator -> ids now someone else's
    changed: bool = True  # False: the plan is as recorded, nothing to do
    files: dict[str, Path] = field(default_factory=dict)  # written (empty on a dry run)
    dry_run: bool = False

    def summary_lines(self) -> list[str]:
        """What the command line and the window say about the run."""
        p = self.plan
        total = len({a for ids in p.assigned.values() for a in ids})
        if self.fresh:
            lines = [
                f"plan {p.id}: {len(p.annotators)} annotators; overlap {p.overlap:.0%} ({len(p.sample)} of"
                f" {total} articles, for everyone); {p.per_article} annotator{'s' * (p.per_article != 1)}"
                f" per other article; seed {p.seed}"
            ]
        elif not self.changed:
            return [f"plan {p.id}: nothing to change ({len(p.annotators)} annotators, {total} articles)"]
        else:
            r = p.rounds[-1]
            what = [f"{', '.join(r['joined'])} joined"] if r["joined"] else []
            what += [f"{', '.join(r['left'])} left (what they started stays theirs)"] if r["left"] else []
            what += [f"{r['new_articles']} new articles"] if r["new_articles"] else []
            what += [f"{r['moved']} unstarted articles moved"] if r["moved"] else []
            lines = [f"plan {p.id}, round {len(p.rounds)}: " + ("; ".join(what) or "no change")]
        sample = set(p.sample)
        for name, ids in self.new.items():
            where = self.files.get(name) or (self.out / "…" if self.dry_run else "")
            lines.append(
                f"  {name}: +{len(ids)} articles ({sum(a in sample for a in ids)} of the overlap),"
                f" {self.words.get(name, 0):,} words -> {where}"
            )
        for name, ids in self.taken.items():
            whose = "they stay in their database, no longer counted as theirs"
            lines.append(f"  {name}: -{len(ids)} unstarted articles, now someone else's ({whose})")
        if self.dry_run:
            lines.append("dry run: nothing was written")
        elif not self.fresh and any(len(p.files(n)) > 1 for n in self.files):
            lines.append(
                "an annotator with a database already can open the new one, or merge it into theirs:"
                " annotator merge NEW.db --db THEIRS.db"
            )
        return lines


def planned_sample(store: Store) -> list[str] | None:
    """The overlap sample of the plan recorded in ``store``, or None without a plan (or sample)."""
    plan = load_plan(store)
    return list(plan.sample) if plan is not None and plan.sample else None


def _check_unchanged(plan: Plan, overlap: float | None, per_article: int | None, seed: int | None) -> None:
    for flag, given, recorded in (
        ("--overlap", overlap, plan.overlap),
        ("--per-article", per_article, plan.per_article),
        ("--seed", seed, plan.seed),
    ):
        if given is not None and given != recorded:
            raise AnnotatorError(
                f"the plan was made with {flag} {recorded}; it cannot change once annotators have their work",
                hint="leave it out to keep the plan's",
            )


def assign(
    corpus: Store,
    out: str | Path | None = None,
    annotators: Sequence[str] | None = None,
    *,
    add: Sequence[str] = (),
    drop: Sequence[str] = (),
    rebalance: bool = False,
    overlap: float | None = None,
    per_article: int | None = None,
    seed: int | None = None,
    dry_run: bool = False,
    progress: Progress = None,
    cancelled: Cancel = None,
) -> AssignReport:
    """Make (or change) the team plan of ``corpus`` and write this round's databases into ``out``.

    With no plan recorded, ``annotators`` names the team and a plan is made (``overlap``
    default 0.1, ``per_article`` 1, ``seed`` 0). With one, the team changes through ``add``
    and ``drop``; ``annotators``, if given, must be the plan's. Work started in the corpus (as
    merged) or in the plan's databases that are still in place never moves.

    Raises
    ------
    AnnotatorError
        Bad names, an overlap outside [0, 1], too many annotators per article, a setting that
        differs from the recorded plan's, or a target database that belongs to something else.
    NotFoundError
        If someone to drop is not in the plan.
    Cancelled
        When ``cancelled()`` turns true; nothing is written.
    """
    plan = load_plan(corpus)
    articles = corpus_articles(corpus)
    if plan is None:
        if add or drop or rebalance:
            raise AnnotatorError(
                f"{corpus.path} has no team plan yet", hint="make one with --annotators alice,bob,..."
            )
        overlap = DEFAULT_OVERLAP if overlap is None else overlap
        new_plan = make_plan(articles, annotators or [], overlap, per_article or 1, seed or 0)
        new, taken = dict(new_plan.assigned), {}
        target = Path(out) if out is not None else corpus.path.with_name(corpus.path.stem + ".team")
    else:
        _check_unchanged(plan, overlap, per_article, seed)
        new_plan, new, taken = _change(corpus, plan, articles, annotators, add, drop, rebalance)
        target = Path(out) if out is not None else Path(plan.rounds[-1].get("out", corpus.path.parent))
    words = dict(articles)
    changed = plan is None or len(new_plan.rounds) > len(plan.rounds)
    report = AssignReport(
        new_plan,
        target,
        plan is None,
        new,
        {n: sum(words[a] for a in ids) for n, ids in new.items()},
        taken=taken,
        changed=changed,
        dry_run=dry_run,
    )
    if dry_run or not changed:
        return report
    new_plan.rounds[-1]["out"] = str(target.resolve())
    if new:
        report.files = write_round(corpus, new_plan, new, target, progress, cancelled)
        new_plan.rounds[-1]["files"] = {n: str(p.resolve()) for n, p in report.files.items()}
    if taken:
        new_plan.rounds[-1]["taken"] = {n: len(ids) for n, ids in taken.items()}
    save_plan(corpus, new_plan)
    for name, ids in taken.items():
        withdraw(new_plan.files(name), ids)
    return report


def _change(corpus: Store, plan: Plan, articles, annotators, add, drop, rebalance):
    if annotators and set(check_names(annotators)) != set(plan.annotators):
        raise AnnotatorError(
            f"{corpus.path} has a plan for {', '.join(plan.annotators)} already",
            hint="change the team with --add NAMES or --drop NAMES",
        )
    return change_plan(plan, articles, _started(corpus, plan), add, drop, rebalance)


def _started(corpus: Store, plan: Plan) -> dict[str, set[str]]:
    """What each annotator of ``plan`` has started: in the corpus, and in their databases still here."""
    with contextlib.ExitStack() as stack:
        stores = [corpus]
        for name in plan.assigned:
            for f in plan.files(name):
                if Path(f).is_file():
                    stores.append(stack.enter_context(Store(f)))
        return started_work(stores, plan.assigned)
