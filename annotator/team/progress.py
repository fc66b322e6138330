"""How far each annotator of a team is: per database (``stats --team``) and after a merge.

Figures come from the states in the database read: an annotator's own database shows their
work there; the corpus database shows what has been merged into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from annotator import model as m
from annotator.store import Store
from annotator.team.files import corpus_articles, load_assignment, load_plan
from annotator.team.plan import Plan

FINISHED = (m.DONE, m.SKIPPED)


@dataclass
class AnnotatorProgress:
    """One annotator's progress on their assigned articles, as one database records it."""

    annotator: str
    database: str
    assigned: int
    done: int  # done or skipped
    in_progress: int
    words: int
    words_done: int
    sample: int  # articles of the overlap sample among the assigned
    sample_done: int
    left: bool = False  # left the plan (their unstarted articles went to others)
    missing: list[str] = field(default_factory=list)  # assigned article ids not done

    @property
    def todo(self) -> int:
        return self.assigned - self.done - self.in_progress

    def to_dict(self) -> dict:
        out = asdict(self)
        out["todo"] = self.todo
        del out["missing"]
        return out


def _progress(
    name: str,
    database: str,
    ids: Sequence[str],
    states: dict[str, str],
    words: dict[str, int],
    sample: set[str],
) -> AnnotatorProgress:
    finished = [a for a in ids if states.get(a) in FINISHED]
    done = set(finished)
    return AnnotatorProgress(
        annotator=name,
        database=database,
        assigned=len(ids),
        done=len(finished),
        in_progress=sum(states.get(a) == m.IN_PROGRESS for a in ids),
        words=sum(words.get(a, 0) for a in ids),
        words_done=sum(words.get(a, 0) for a in finished),
        sample=sum(a in sample for a in ids),
        sample_done=sum(a in sample for a in finished),
        missing=[a for a in ids if a not in done],
    )


def _states(store: Store, name: str) -> dict[str, str]:
    return {aid: state for aid, _, state in store.article_states(annotator=name)}


def plan_progress(store: Store, plan: Plan) -> list[AnnotatorProgress]:
    """Every annotator of ``plan``, on the articles the plan gives them, from ``store``'s states."""
    words = dict(corpus_articles(store))
    sample = set(plan.sample)
    rows = []
    for name, ids in plan.assigned.items():
        row = _progress(name, str(store.path), ids, _states(store, name), words, sample)
        row.left = name in plan.left
        rows.append(row)
    return rows


def database_progress(path: str | Path) -> list[AnnotatorProgress]:
    """The progress one database records: the plan's annotators in a corpus or merged database,
    the owner's share in an annotator's database, else every annotator on every article."""
    with Store(path) as store:
        plan = load_plan(store)
        if plan is not None:
            return plan_progress(store, plan)
        record = load_assignment(store)
        words = dict(corpus_articles(store))
        if record is not None:
            name = record["annotator"]
            return [
                _progress(
                    name, str(path), record["articles"], _states(store, name), words, set(record["sample"])
                )
            ]
        ids = list(words)
        return [
            _progress(name, str(path), ids, _states(store, name), words, set())
            for name in store.annotators()
            if name != m.GOLD
        ]


def team_progress(paths: Sequence[str | Path]) -> list[AnnotatorProgress]:
    """:func:`database_progress` of each database, in the order given."""
    return [row for p in paths for row in database_progress(p)]


def format_progress(rows: Sequence[AnnotatorProgress]) -> str:
    """The table ``annotator stats --team`` prints."""
    header = (
        "annotator",
        "assigned",
        "done",
        "in progress",
        "to do",
        "words done",
        "overlap done",
        "database",
    )
    table = [header]
    for r in rows:
        share = f"{r.words_done / r.words:.0%}" if r.words else "-"
        table.append(
            (
                r.annotator + (" (left)" if r.left else ""),
                str(r.assigned),
                str(r.done),
                str(r.in_progress),
                str(r.todo),
                f"{share} of {r.words:,}",
                f"{r.sample_done} of {r.sample}",
                r.database,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    )


@dataclass
class TeamReturns:
    """After a merge into a database with a plan: who has not returned what (done)."""

    plan: Plan
    rows: list[AnnotatorProgress]

    def missing(self) -> dict[str, list[str]]:
        """Annotator -> the assigned article ids not yet done here (everyone still in the plan)."""
        return {r.annotator: r.missing for r in self.rows if not r.left and r.missing}

    def summary_lines(self) -> list[str]:
        """What the command line and the window's merge summary say about the plan."""
        active = [r for r in self.rows if not r.left]
        if not self.missing():
            return [f"team plan {self.plan.id}: every annotator has returned all their articles done"]
        lines = [f"team plan {self.plan.id}: not yet returned done"]
        for r in active:
            files = ", ".join(Path(f).name for f in self.plan.files(r.annotator)) or "no database yet"
            if not r.missing:
                lines.append(f"  {r.annotator}: all {r.assigned} articles done")
            elif r.done == 0 and r.in_progress == 0:
                lines.append(f"  {r.annotator}: nothing returned yet ({r.assigned} articles, in {files})")
            else:
                extra = f", {r.in_progress} in progress" if r.in_progress else ""
                lines.append(
                    f"  {r.annotator}: {len(r.missing)} of {r.assigned} articles not done{extra} ({files})"
                )
        pending = [r.annotator for r in active if r.sample_done < r.sample]
        if self.plan.sample and pending:
            lines.append(
                f"  overlap sample ({len(self.plan.sample)} articles): not yet done by {', '.join(pending)}"
            )
        return lines


def returns_report(store: Store) -> TeamReturns | None:
    """Who has not returned what, when ``store`` holds a plan (else None)."""
    plan = load_plan(store)
    if plan is None:
        return None
    return TeamReturns(plan, plan_progress(store, plan))
