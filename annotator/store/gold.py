"""Gold: the reviewer's settled spans (annotations of the reserved annotator ``gold``) and the
settlements of disagreements; each settlement one undoable action of the reviewer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from annotator import model as m
from annotator.model import Annotation, Changes, Span
from annotator.store.annotations import Annotations
from annotator.store.labels import Labels
from annotator.store.ledger import Action, Ledger
from annotator.store.rows import (
    ADJ_COLS,
    ADJ_SELECT,
    ANNOTATION_COLS,
    ANNOTATION_SELECT,
    adjudication_labels,
    now,
    span_json,
)


class Gold(Ledger, Annotations, Labels):
    """The reviewer's actions and the reads of the gold set."""

    def gold_spans(self, article_id: str) -> list[Annotation]:
        """The gold spans of an article (annotations of the reserved annotator ``gold``)."""
        return self.annotations(article_id, m.GOLD)

    def adjudications(self, article_id: str | None = None) -> list[dict[str, Any]]:
        """Settled disagreement regions (all articles when None)."""
        sql = f"SELECT {ADJ_SELECT} FROM adjudications"
        args: list[Any] = []
        if article_id is not None:
            sql += " WHERE article_id = ?"
            args.append(article_id)
        return [
            dict(zip(ADJ_COLS, r, strict=True))
            for r in self.conn.execute(sql + " ORDER BY article_id, start", args)
        ]

    def add_agreed_gold(self, reviewer: str, article_id: str, spans: Sequence[Span]) -> Changes:
        """Put spans every annotator agrees on into gold (one undoable action of ``reviewer``)."""
        have = {a.span for a in self.gold_spans(article_id)}
        todo = [s for s in spans if s not in have]
        if not todo:
            return Changes()
        with self._action(reviewer, article_id, "agreed_gold", spans=[span_json(s) for s in todo]) as act:
            for s in todo:
                self._require_label(s.layer, s.label)
                ann = self._new_annotation(
                    m.GOLD, article_id, s, m.ORIGIN_AGREED, f"reviewer:{act.annotator}"
                )
                act.change("annotation", None, ann)
            self._gold_state(act, article_id)
        return self._changes(article_id, gold=len(todo))

    def settle(
        self,
        reviewer: str,
        article_id: str,
        layer: str,
        region: tuple[int, int],
        spans: Sequence[Span],
        choice: str,
        labels: Iterable[str] | None = None,
    ) -> Changes:
        """Settle one disagreement: gold spans of ``layer`` inside ``region`` become ``spans``.

        ``choice`` records what the reviewer chose (``take:alice``, ``take_both``, ``take_none``,
        ``edit``). ``labels`` are the disagreement's labels on the issue layer, where
        disagreements are per label: then only gold spans with those labels (or the chosen ones)
        are replaced, other issues inside the region (agreed, or settled on their own) stay, and
        the settlement is kept per region and labels (see :func:`adjudication_labels`). One
        undoable action of ``reviewer``; every step is in the ledger.
        """
        start, end = region
        key = adjudication_labels(labels)
        replaced = None if labels is None else frozenset(labels) | {s.label for s in spans}
        for s in spans:
            self._require_label(s.layer, s.label)
        with self._action(
            reviewer,
            article_id,
            "adjudicate",
            layer=layer,
            region=[start, end],
            choice=choice,
            spans=[span_json(s) for s in spans],
        ) as act:
            for r in self.conn.execute(
                f"SELECT {ANNOTATION_SELECT} FROM annotations"
                ' WHERE article_id = ? AND annotator = ? AND layer = ? AND start >= ? AND "end" <= ?',
                (article_id, m.GOLD, layer, start, end),
            ).fetchall():
                row = dict(zip(ANNOTATION_COLS, r, strict=True))
                if replaced is None or row["label"] in replaced:
                    act.change("annotation", row, None)
            for s in spans:
                ann = self._new_annotation(
                    m.GOLD, article_id, s, m.ORIGIN_ADJUDICATED, f"reviewer:{act.annotator}"
                )
                act.change("annotation", None, ann)
            before = self._row(
                "adjudication",
                {"article_id": article_id, "layer": layer, "start": start, "end": end, "labels": key},
            )
            act.change(
                "adjudication",
                before,
                {
                    "article_id": article_id,
                    "layer": layer,
                    "start": start,
                    "end": end,
                    "labels": key,
                    "choice": choice,
                    "reviewer": act.annotator,
                    "at": now(),
                },
            )
            self._gold_state(act, article_id)
        return self._changes(article_id)

    def _gold_state(self, act: Action, article_id: str) -> None:
        before = self._row("state", {"article_id": article_id, "annotator": m.GOLD})
        if before is None or before["state"] == m.TODO:
            act.change(
                "state",
                before,
                {"article_id": article_id, "annotator": m.GOLD, "state": m.IN_PROGRESS, "updated_at": now()},
            )
