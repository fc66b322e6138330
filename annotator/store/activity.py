"""What annotators did when, read from the ledger: decisions today, and the pace per day.

The ledger keeps one row per action with its time, so the pace needs no clock of its own:
per annotator and (local) day, the articles marked done, the decisions made, how many
suggestions were accepted unchanged, and the time worked, where a pause of more than
:data:`IDLE_GAP_S` between two actions counts as no work at all.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

IDLE_GAP_S = 120.0
"""A pause longer than this between two actions is not counted as time worked."""

# Ledger kinds that are decisions on spans (a bulk one counts each span it decided).
DECIDING = ("accept", "accept_all", "reject", "reject_all", "correct", "add", "relabel", "resize", "delete")
_BULK_COUNT = {"accept_all": "accepted", "reject_all": "rejected"}
_KINDS_SQL = ", ".join(f"'{k}'" for k in (*DECIDING, "state"))


def duration_text(seconds: float) -> str:
    """``seconds`` as a person would say it: "40 s", "3 min", "1 h 20 min"."""
    if seconds < 60:
        return f"{round(seconds / 5) * 5 if seconds >= 10 else round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def day_start(now: datetime | None = None) -> str:
    """Local midnight of ``now`` (today) as the ledger's UTC ISO text."""
    local = (now or datetime.now(UTC)).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC).isoformat(timespec="microseconds")


def _weight(kind: str, detail: str) -> int:
    key = _BULK_COUNT.get(kind)
    if key is None:
        return 1
    try:
        return int(json.loads(detail or "{}").get(key, 0))
    except (ValueError, TypeError, AttributeError):
        return 0


class DecisionCounter:
    """Counts an annotator's decisions since local midnight, cheaply enough for every keypress.

    The first ledger id of the day is looked up once per day (ids grow with time); each count
    then reads only the day's rows of the annotator, through the ledger's (annotator, undone,
    id) index.
    """

    def __init__(self) -> None:
        self._day: tuple[str, int] | None = None  # (day start, first ledger id of that day)

    def today(self, store, annotator: str, now: datetime | None = None) -> int:
        """Decisions (undone ones left out) ``annotator`` made today."""
        start = day_start(now)
        if self._day is None or self._day[0] != start or self._day[1] < 0:
            row = store.conn.execute("SELECT min(id) FROM ledger WHERE at >= ?", (start,)).fetchone()
            self._day = (start, row[0] if row[0] is not None else -1)
        first = self._day[1]
        if first < 0:
            self._day = None  # nothing yet today: look again next time
            return 0
        rows = store.conn.execute(
            f"SELECT kind, detail FROM ledger WHERE annotator = ? AND undone = 0 AND id >= ?"
            f" AND kind IN ({', '.join('?' * len(DECIDING))})",
            (annotator, first, *DECIDING),
        )
        return sum(_weight(kind, detail) for kind, detail in rows)


@dataclass(frozen=True)
class DayPace:
    """One annotator's work on one day."""

    annotator: str
    day: str  # YYYY-MM-DD, local time
    articles_done: int
    decisions: int
    accepted_unchanged: int
    suggestion_decisions: int  # accepted, corrected or rejected suggestions
    active_seconds: float

    @property
    def decisions_per_minute(self) -> float | None:
        """None until a minute of work is recorded (a rate over seconds says nothing)."""
        return self.decisions / (self.active_seconds / 60) if self.active_seconds >= 60 else None

    @property
    def accepted_share(self) -> float:
        """Share of the decided suggestions accepted as they were (0 to 1)."""
        return self.accepted_unchanged / self.suggestion_decisions if self.suggestion_decisions else 0.0

    @property
    def seconds_per_article(self) -> float | None:
        return self.active_seconds / self.articles_done if self.articles_done else None

    def to_dict(self) -> dict:
        out = asdict(self)
        dpm = self.decisions_per_minute
        out["decisions_per_minute"] = None if dpm is None else round(dpm, 2)
        out["accepted_share"] = round(self.accepted_share, 3)
        spa = self.seconds_per_article
        out["seconds_per_article"] = None if spa is None else round(spa, 1)
        out["active_seconds"] = round(self.active_seconds, 1)
        return out


def actions(store, annotator: str | None = None) -> list[tuple[str, str, str, str, str]]:
    """``(annotator, at, kind, article_id, detail)`` of every action in effect, oldest first."""
    sql = (
        f"SELECT annotator, at, kind, coalesce(article_id, ''), detail FROM ledger"
        f" WHERE undone = 0 AND kind IN ({_KINDS_SQL})"
    )
    args: tuple = ()
    if annotator:
        sql += " AND annotator = ?"
        args = (annotator,)
    return store.conn.execute(sql + " ORDER BY id", args).fetchall()


def pace(rows, idle_gap_s: float = IDLE_GAP_S) -> list[DayPace]:
    """Per annotator and local day, from :func:`actions` rows; sorted by annotator and day."""
    days: dict[tuple[str, str], dict] = {}
    last_at: dict[str, datetime] = {}
    for who, at, kind, _article, detail in rows:
        t = datetime.fromisoformat(at).astimezone()
        key = (who, t.date().isoformat())
        d = days.setdefault(key, {"done": 0, "decisions": 0, "unchanged": 0, "suggested": 0, "active": 0.0})
        prev = last_at.get(who)
        if prev is not None and prev.date() == t.date():
            gap = (t - prev).total_seconds()
            if 0 <= gap <= idle_gap_s:
                d["active"] += gap
        last_at[who] = t
        if kind == "state":
            state = _detail(detail).get("state")
            d["done"] += state == "done"
            continue
        n = _weight(kind, detail)
        d["decisions"] += n
        if kind in ("accept", "accept_all"):
            d["unchanged"] += n
        if kind in ("accept", "accept_all", "reject", "reject_all", "correct"):
            d["suggested"] += n
    return [
        DayPace(who, day, d["done"], d["decisions"], d["unchanged"], d["suggested"], d["active"])
        for (who, day), d in sorted(days.items())
    ]


def _detail(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def recent(rows: list[DayPace], days: int = 14, now: datetime | None = None) -> list[DayPace]:
    """The rows of the last ``days`` days (for a small chart)."""
    since = ((now or datetime.now(UTC)).astimezone() - timedelta(days=days - 1)).date().isoformat()
    return [r for r in rows if r.day >= since]
