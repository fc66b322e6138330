"""Who labels which articles: a plan with a shared overlap sample, balanced by words.

Pure functions over article ids and word counts; nothing here reads or writes a database.

A fresh plan (:func:`make_plan`) draws the *overlap sample* (a share of all articles, which
every annotator labels: the agreement sample), then gives each other article to
``per_article`` annotators, longest article first, each time to the annotators with the fewest
words so far (ties broken by a seeded order). So the annotators' words differ by at most the
longest article's words, and the same seed gives the same plan.

A plan changes (:func:`change_plan`) without touching what is done: only articles an annotator
has not started move. Someone joining gets the whole sample and a balanced share of the others'
unstarted articles; someone leaving keeps what they started, and their unstarted articles go to
whoever has the least work left; articles new to the corpus are given out as in a fresh plan.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import json
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from annotator import model as m
from annotator.errors import AnnotatorError, NotFoundError

PLAN_FORMAT = 1
RESERVED = (m.GOLD, "model")  # the reviewed gold set and the model as a pseudo-annotator
_UNSAFE = set('/\\:*?"<>|')  # a name is also a file name: OUT/NAME.db


@dataclass
class Plan:
    """Who labels which articles, as recorded in the corpus database.

    Attributes
    ----------
    id
        A hash of the first assignment: the annotators' databases name it.
    seed, overlap, per_article
        As given when the plan was made; they do not change afterwards.
    sample
        The overlap sample: article ids every annotator labels.
    assigned
        Every annotator ever in the plan -> their article ids, in corpus order. For someone who
        left, only what they had started.
    left
        Annotators who left the plan.
    rounds
        One entry per ``assign`` run that changed something: when, who joined or left, how many
        articles moved, and the databases written (``files``: annotator -> path).
    """

    id: str
    seed: int
    overlap: float
    per_article: int
    sample: list[str]
    assigned: dict[str, list[str]]
    left: list[str] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)

    @property
    def annotators(self) -> list[str]:
        """The annotators in the plan now, in the order they joined."""
        return [a for a in self.assigned if a not in self.left]

    def articles_of(self, annotator: str) -> list[str]:
        """The article ids ``annotator`` has in the plan.

        Raises
        ------
        NotFoundError
            If ``annotator`` was never in the plan.
        """
        if annotator not in self.assigned:
            raise NotFoundError(
                f"{annotator!r} is not in the plan; its annotators are {', '.join(self.annotators)}"
            )
        return self.assigned[annotator]

    def files(self, annotator: str) -> list[str]:
        """The databases written for ``annotator``, oldest first."""
        return [r["files"][annotator] for r in self.rounds if annotator in r.get("files", {})]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": PLAN_FORMAT,
                "id": self.id,
                "seed": self.seed,
                "overlap": self.overlap,
                "per_article": self.per_article,
                "sample": self.sample,
                "assigned": self.assigned,
                "left": self.left,
                "rounds": self.rounds,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        if data.get("format", 0) > PLAN_FORMAT:
            raise AnnotatorError(
                "the team plan in this database was written by a newer version of annotator",
                hint="upgrade annotator to change it",
            )
        return cls(
            data["id"],
            data["seed"],
            data["overlap"],
            data["per_article"],
            data["sample"],
            data["assigned"],
            data.get("left", []),
            data.get("rounds", []),
        )


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- checking what the user asked for --------------------------------------------------------------


def check_names(names: Iterable[str], what: str = "--annotators") -> list[str]:
    """The annotator names, stripped; each must be usable as a database file name."""
    out: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name in RESERVED:
            raise AnnotatorError(f"{name!r} is reserved ({what}); choose another name")
        if name.startswith(".") or _UNSAFE & set(name):
            raise AnnotatorError(
                f'annotator name {name!r} cannot be a file name ({what}): leave out / \\ : * ? " < > | and a leading dot'
            )
        if name in out:
            raise AnnotatorError(f"{name!r} is named twice ({what})")
        out.append(name)
    return out


def check_overlap(overlap: float) -> float:
    if not (isinstance(overlap, int | float) and 0.0 <= overlap <= 1.0) or math.isnan(overlap):
        raise AnnotatorError(
            f"--overlap is the share of all articles every annotator labels, from 0 to 1; got {overlap}",
            hint="e.g. --overlap 0.1 for a tenth",
        )
    return float(overlap)


def check_per_article(per_article: int, annotators: Sequence[str]) -> int:
    if per_article < 1:
        raise AnnotatorError(f"--per-article must be at least 1; got {per_article}")
    if per_article > len(annotators):
        raise AnnotatorError(
            f"--per-article {per_article} needs at least {per_article} annotators;"
            f" got {len(annotators)} ({', '.join(annotators)})"
        )
    return per_article


def sample_size(overlap: float, articles: int) -> int:
    """Articles in the overlap sample: the share rounded half up, at least one when it is not 0."""
    if overlap <= 0 or articles == 0:
        return 0
    return min(articles, max(1, math.floor(overlap * articles + 0.5)))


# -- the working state while planning ---------------------------------------------------------------


class _Board:
    """Who holds which article, and how many words each annotator has still to label."""

    def __init__(
        self,
        words: Mapping[str, int],
        assigned: Mapping[str, Iterable[str]],
        active: Sequence[str],
        started: Mapping[str, set[str]],
        sample: set[str],
        rng: random.Random,
    ):
        self.words = words
        self.sample = sample
        self.started = started
        self.active = list(active)
        order = list(active)
        rng.shuffle(order)
        self.rank = {name: i for i, name in enumerate(order)}  # seeded tie-break
        self.held: dict[str, set[str]] = {name: set(ids) for name, ids in assigned.items()}
        self.holders: dict[str, set[str]] = {}
        for name, ids in self.held.items():
            for aid in ids:
                self.holders.setdefault(aid, set()).add(name)
        self.remaining = {name: 0 for name in active}
        # Unstarted articles outside the sample, per active annotator, as sorted (words, id).
        self.movable: dict[str, list[tuple[int, str]]] = {name: [] for name in active}
        for name in active:
            for aid in self.held.get(name, ()):
                self._count(name, aid, +1)
        self.moved = 0

    def _unstarted(self, name: str, aid: str) -> bool:
        return aid not in self.started.get(name, ())

    def _count(self, name: str, aid: str, sign: int) -> None:
        if not self._unstarted(name, aid) or name not in self.remaining:
            return
        w = self.words.get(aid, 0)
        self.remaining[name] += sign * w
        if aid not in self.sample:
            if sign > 0:
                bisect.insort(self.movable[name], (w, aid))
            else:
                lst = self.movable[name]
                del lst[bisect.bisect_left(lst, (w, aid))]

    def give(self, aid: str, name: str) -> None:
        self.held.setdefault(name, set()).add(aid)
        self.holders.setdefault(aid, set()).add(name)
        self._count(name, aid, +1)

    def take(self, aid: str, name: str) -> None:
        self._count(name, aid, -1)
        self.held[name].discard(aid)
        self.holders[aid].discard(name)

    def release(self, name: str) -> list[str]:
        """Take from ``name`` every article they have not started; returns those outside the sample."""
        out = []
        for aid in sorted(self.held.get(name, ())):
            if self._unstarted(name, aid):
                self.take(aid, name)
                if aid not in self.sample:
                    out.append(aid)
        return out

    def least_loaded(self, aid: str, k: int) -> list[str]:
        """The ``k`` active annotators not holding ``aid`` with the fewest words left."""
        free = (n for n in self.active if n not in self.holders.get(aid, ()))
        return heapq.nsmallest(k, free, key=lambda n: (self.remaining[n], self.rank[n]))

    def place(self, ids: Iterable[str], k: int) -> int:
        """Give each article to ``k`` annotators, longest first; returns the slots left unfilled."""
        short = 0
        for aid in sorted(ids, key=lambda a: (-self.words.get(a, 0), a)):
            to = self.least_loaded(aid, k)
            short += k - len(to)
            for name in to:
                self.give(aid, name)
        return short

    def rebalance(self, tolerance: int) -> None:
        """Move unstarted articles from the most to the least loaded until within ``tolerance`` words."""
        if len(self.active) < 2:
            return
        key = lambda n: (self.remaining[n], self.rank[n])  # noqa: E731
        while True:
            lo, hi = min(self.active, key=key), max(self.active, key=key)
            gap = self.remaining[hi] - self.remaining[lo]
            if gap <= tolerance:
                return
            aid = self._movable_toward(hi, lo, gap)
            if aid is None:
                return
            self.take(aid, hi)
            self.give(aid, lo)
            self.moved += 1

    def _movable_toward(self, hi: str, lo: str, gap: int) -> str | None:
        """An unstarted article of ``hi`` that ``lo`` lacks and whose move narrows the gap most."""
        lst = self.movable[hi]
        i = bisect.bisect_right(lst, (gap // 2, "\uffff"))
        for j in range(i - 1, -1, -1):  # the largest at most half the gap: the gap shrinks most
            if lo not in self.holders[lst[j][1]]:
                return lst[j][1]
        for j in range(i, len(lst)):  # else any smaller than the gap still narrows it
            if lst[j][0] >= gap:
                break
            if lo not in self.holders[lst[j][1]]:
                return lst[j][1]
        return None

    def lists(self, order: Sequence[str]) -> dict[str, list[str]]:
        pos = {aid: i for i, aid in enumerate(order)}
        return {name: sorted(ids, key=lambda a: pos.get(a, len(pos))) for name, ids in self.held.items()}


# -- making and changing a plan ----------------------------------------------------------------------


def make_plan(
    articles: Sequence[tuple[str, int]],
    annotators: Sequence[str],
    overlap: float = 0.1,
    per_article: int = 1,
    seed: int = 0,
) -> Plan:
    """A fresh plan over ``articles`` (``(id, words)`` in corpus order).

    Raises
    ------
    AnnotatorError
        No annotators or articles, an overlap outside [0, 1], or more annotators per article
        than there are annotators.
    """
    names = check_names(annotators)
    if not names:
        raise AnnotatorError("name the annotators, e.g. --annotators alice,bob,carol")
    overlap = check_overlap(overlap)
    check_per_article(per_article, names)
    if not articles:
        raise AnnotatorError(
            "the corpus has no articles to assign", hint="import some with `annotator import`"
        )
    ids = [aid for aid, _ in articles]
    words = dict(articles)
    rng = random.Random(seed)
    sample = [ids[i] for i in sorted(rng.sample(range(len(ids)), sample_size(overlap, len(ids))))]
    board = _Board(words, {n: sample for n in names}, names, {}, set(sample), rng)
    in_sample = set(sample)
    board.place((a for a in ids if a not in in_sample), per_article)
    assigned = board.lists(ids)
    digest = hashlib.sha256(
        json.dumps([seed, overlap, per_article, assigned], sort_keys=True).encode()
    ).hexdigest()[:12]
    plan = Plan(digest, seed, overlap, per_article, sample, {n: assigned[n] for n in names})
    plan.rounds.append({"at": now(), "joined": names, "left": [], "moved": 0, "new_articles": len(ids)})
    return plan


def _check_change(plan: Plan, add: Sequence[str], drop: Sequence[str]) -> tuple[list, list, list]:
    """The checked names to add and drop, and who stays."""
    add = check_names(add, "--add")
    drop = check_names(drop, "--drop")
    active = plan.annotators
    for name in drop:
        if name not in active:
            raise NotFoundError(f"{name!r} is not in the plan; its annotators are {', '.join(active)}")
    for name in add:
        if name in active:
            raise AnnotatorError(f"{name!r} is in the plan already")
    staying = [n for n in active if n not in drop] + add
    if not staying:
        raise AnnotatorError("nobody would be left in the plan", hint="add someone with --add NAME")
    check_per_article(min(plan.per_article, len(staying)), staying)
    return add, drop, staying


def change_plan(
    plan: Plan,
    articles: Sequence[tuple[str, int]],
    started: Mapping[str, set[str]],
    add: Sequence[str] = (),
    drop: Sequence[str] = (),
    rebalance: bool = False,
) -> tuple[Plan, dict[str, list[str]], dict[str, list[str]]]:
    """The plan after people join or leave, new articles arrive, or (``rebalance``) work moves.

    ``started`` maps each annotator to the articles they have started (a state, a span or a
    decision): those never move. Returns the new plan (with a new round when anything changed)
    each annotator's newly assigned article ids, and the ids taken from each (unstarted ones
    that went to someone else, or that someone leaving had not started).

    Raises
    ------
    NotFoundError
        If someone to drop is not in the plan.
    AnnotatorError
        If someone to add is in it already, or nobody would be left.
    """
    add, drop, staying = _check_change(plan, add, drop)
    ids = [aid for aid, _ in articles]
    words = dict(articles)
    rng = random.Random(f"{plan.seed}:{len(plan.rounds)}")
    held = {n: set(plan.assigned.get(n, ())) for n in plan.assigned}
    before = {n: set(s) for n, s in held.items()}
    sample = set(plan.sample)
    for name in add:  # a returning annotator keeps what they had started
        held[name] = held.get(name, set()) | sample
    board = _Board(words, held, staying, started, sample, rng)
    orphans = [aid for name in drop for aid in board.release(name)]
    known = set().union(*held.values()) if held else set()
    fresh = [a for a in ids if a not in known and a not in sample]
    board.place(orphans, 1)
    board.place(fresh, min(plan.per_article, len(staying)))
    if rebalance or add:
        board.rebalance(max(words.values(), default=0))
    assigned = board.lists(ids)
    new = {n: [a for a in assigned[n] if a not in before.get(n, set())] for n in staying}
    taken = {}
    for name, had in plan.assigned.items():
        kept = set(assigned.get(name, ()))
        taken[name] = [a for a in had if a not in kept]
    changed = bool(add or drop or fresh or board.moved or any(new.values()))
    out = Plan(
        plan.id,
        plan.seed,
        plan.overlap,
        plan.per_article,
        list(plan.sample),
        {n: assigned.get(n, []) for n in plan.assigned} | {n: assigned[n] for n in add},
        [n for n in plan.left if n not in add] + drop,
        list(plan.rounds),
    )
    if changed:
        out.rounds.append(
            {
                "at": now(),
                "joined": add,
                "left": drop,
                "moved": board.moved + len(orphans),
                "new_articles": len(fresh),
            }
        )
    return out, {n: ids_ for n, ids_ in new.items() if ids_}, {n: ids_ for n, ids_ in taken.items() if ids_}
