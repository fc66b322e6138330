"""Decisions: accepting, rejecting and correcting suggestions, adding, changing and deleting
spans by hand, and marking articles done; each one undoable action in the ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotator import model as m
from annotator.errors import NotFoundError, SpanError, StoreError
from annotator.model import Changes, Span, Suggestion
from annotator.store.labels import Labels
from annotator.store.ledger import Action, Ledger
from annotator.store.rows import DECISION_COLS, DECISION_SELECT, now, row_span, span_json, sugg_json
from annotator.store.suggestions import Suggestions


class Decisions(Ledger, Suggestions, Labels):
    """The actions an annotator takes on suggestions and spans."""

    def _decision(
        self, annotator: str, sugg: Suggestion, status: str, annotation_id: int | None
    ) -> dict[str, Any]:
        return {
            "article_id": sugg.article_id,
            "annotator": annotator,
            "layer": sugg.layer,
            "start": sugg.start,
            "end": sugg.end,
            "label": sugg.label,
            "source": sugg.source,
            "status": status,
            "annotation_id": annotation_id,
            "decided_at": now(),
        }

    def _decision_key(self, annotator: str, sugg: Suggestion) -> dict[str, Any]:
        return {
            "article_id": sugg.article_id,
            "annotator": annotator,
            "layer": sugg.layer,
            "start": sugg.start,
            "end": sugg.end,
            "label": sugg.label,
        }

    # -- each one transaction -------------------------------------------------------------------

    def accept(self, annotator: str, suggestion_id: int) -> Changes:
        """Accept a suggestion as it is: it becomes an annotation of ``annotator``."""
        sugg = self.suggestion(suggestion_id)
        with self._action(annotator, sugg.article_id, "accept", suggestion=sugg_json(sugg)) as act:
            self._accept(act, sugg, sugg.span, m.ORIGIN_ACCEPTED, m.ACCEPTED)
        return self._changes(sugg.article_id)

    def _redecide(self, act: Action, sugg: Suggestion) -> dict[str, Any] | None:
        """The annotator's earlier decision on ``sugg`` (if any), with the span it made removed."""
        before = self._row("decision", self._decision_key(act.annotator, sugg))
        if before is not None and before["annotation_id"] is not None:
            old = self._row("annotation", {"id": before["annotation_id"]})
            if old is not None:
                act.change("annotation", old, None)
        return before

    def _decision_of(self, annotator: str, annotation: dict[str, Any]) -> dict[str, Any] | None:
        """The decision whose accepted or corrected suggestion became ``annotation``."""
        row = self.conn.execute(
            f"SELECT {DECISION_SELECT} FROM decisions"
            " WHERE article_id = ? AND annotator = ? AND annotation_id = ?",
            (annotation["article_id"], annotator, annotation["id"]),
        ).fetchone()
        return None if row is None else dict(zip(DECISION_COLS, row, strict=True))

    def _accept(self, act: Action, sugg: Suggestion, span: Span, origin: str, status: str) -> None:
        before = self._redecide(act, sugg)
        ann = self._new_annotation(act.annotator, sugg.article_id, span, origin, sugg.source)
        act.change("annotation", None, ann)
        act.change("decision", before, self._decision(act.annotator, sugg, status, ann["id"]))
        self._touch_state(act, sugg.article_id)

    def _pending_of(self, annotator: str, article_id: str, labels) -> list[Suggestion]:
        """The article's pending suggestions (only those whose ``(layer, label)`` is in ``labels``)."""
        return [
            s
            for s in self.suggestions(article_id, annotator)
            if s.status == m.PENDING and (labels is None or (s.layer, s.label) in labels)
        ]

    def accept_all(self, annotator: str, article_id: str, labels=None) -> Changes:
        """Accept every pending suggestion of the article that fits (overlapping entities are skipped).

        ``labels``: only suggestions of these ``(layer, label)`` pairs (those shown), when given.
        """
        pending = self._pending_of(annotator, article_id, labels)
        skipped = 0
        with self._action(annotator, article_id, "accept_all") as act:
            for s in pending:
                try:
                    self._accept(act, s, s.span, m.ORIGIN_ACCEPTED, m.ACCEPTED)
                except SpanError:
                    skipped += 1
            act.detail["accepted"] = len(pending) - skipped
            act.detail["skipped"] = skipped
        return self._changes(article_id, accepted=len(pending) - skipped, skipped=skipped)

    def reject_all(self, annotator: str, article_id: str, labels=None) -> Changes:
        """Reject every pending suggestion of the article (of ``labels`` only, when given), as one action."""
        pending = self._pending_of(annotator, article_id, labels)
        with self._action(annotator, article_id, "reject_all", rejected=len(pending)) as act:
            for s in pending:
                before = self._redecide(act, s)
                act.change("decision", before, self._decision(act.annotator, s, m.REJECTED, None))
            if pending:
                self._touch_state(act, article_id)
        return self._changes(article_id, rejected=len(pending))

    def reject(self, annotator: str, suggestion_id: int) -> Changes:
        """Reject a suggestion. It stays in the data as a negative example."""
        sugg = self.suggestion(suggestion_id)
        with self._action(annotator, sugg.article_id, "reject", suggestion=sugg_json(sugg)) as act:
            before = self._redecide(act, sugg)
            act.change("decision", before, self._decision(act.annotator, sugg, m.REJECTED, None))
            self._touch_state(act, sugg.article_id)
        return self._changes(sugg.article_id)

    def correct(
        self,
        annotator: str,
        suggestion_id: int,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> Changes:
        """Accept a suggestion with other boundaries and/or another label."""
        sugg = self.suggestion(suggestion_id)
        span = Span(
            sugg.start if start is None else start,
            sugg.end if end is None else end,
            sugg.label if label is None else label,
            sugg.layer,
        )
        self._require_label(span.layer, span.label)
        if span == sugg.span:
            return self.accept(annotator, suggestion_id)
        with self._action(
            annotator, sugg.article_id, "correct", suggestion=sugg_json(sugg), to=span_json(span)
        ) as act:
            self._accept(act, sugg, span, m.ORIGIN_CORRECTED, m.CORRECTED)
        return self._changes(sugg.article_id)

    def add_span(self, annotator: str, article_id: str, span: Span, origin: str = m.ORIGIN_MANUAL) -> Changes:
        """Add a span by hand."""
        self._require_label(span.layer, span.label)
        with self._action(annotator, article_id, "add", span=span_json(span)) as act:
            dup = self.conn.execute(
                "SELECT id FROM annotations WHERE article_id = ? AND annotator = ? AND layer = ? AND start = ?"
                ' AND "end" = ? AND label = ?',
                (article_id, act.annotator, span.layer, span.start, span.end, span.label),
            ).fetchone()
            if dup is not None:
                raise SpanError(f"{span.label} {span.start}-{span.end} is already marked")
            ann = self._new_annotation(act.annotator, article_id, span, origin, None)
            act.change("annotation", None, ann)
            self._touch_state(act, article_id)
        return self._changes(article_id, added_id=ann["id"])

    def update_span(
        self,
        annotator: str,
        annotation_id: int,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> Changes:
        """Move a span's boundaries or change its label."""
        before = self._row("annotation", {"id": annotation_id})
        if before is None or before["annotator"] != annotator:
            raise NotFoundError(f"no span {annotation_id} of {annotator}")
        span = Span(
            before["start"] if start is None else start,
            before["end"] if end is None else end,
            before["label"] if label is None else label,
            before["layer"],
        )
        self._require_label(span.layer, span.label)
        span.check(" " * self._length(before["article_id"]))
        self._check_entity_free(annotator, before["article_id"], span, ignore_id=annotation_id)
        kind = "relabel" if span.label != before["label"] else "resize"
        with self._action(
            annotator, before["article_id"], kind, before=row_span(before), after=span_json(span)
        ) as act:
            after = dict(before, start=span.start, end=span.end, label=span.label)
            if after["origin"] == m.ORIGIN_ACCEPTED:
                after["origin"] = m.ORIGIN_CORRECTED
            act.change("annotation", before, after)
            d_before = self._decision_of(annotator, before)
            if d_before and d_before["status"] == m.ACCEPTED:
                act.change("decision", d_before, dict(d_before, status=m.CORRECTED, decided_at=now()))
            self._touch_state(act, before["article_id"])
        return self._changes(before["article_id"])

    def delete_span(self, annotator: str, annotation_id: int) -> Changes:
        """Delete a span. If it came from a suggestion, that suggestion counts as rejected."""
        before = self._row("annotation", {"id": annotation_id})
        if before is None or before["annotator"] != annotator:
            raise NotFoundError(f"no span {annotation_id} of {annotator}")
        with self._action(annotator, before["article_id"], "delete", span=row_span(before)) as act:
            act.change("annotation", before, None)
            d_before = self._decision_of(annotator, before)
            if d_before is not None:
                rejected = dict(d_before, status=m.REJECTED, annotation_id=None, decided_at=now())
                act.change("decision", d_before, rejected)
            self._touch_state(act, before["article_id"])
        return self._changes(before["article_id"])

    def set_state(self, annotator: str, article_id: str, state: str) -> Changes:
        """Mark an article to do, in progress, done or skipped for ``annotator``."""
        if state not in m.STATES:
            raise StoreError(f"unknown state {state!r}; use one of {', '.join(m.STATES)}")
        self._length(article_id)
        with self._action(annotator, article_id, "state", state=state) as act:
            before = self._row("state", {"article_id": article_id, "annotator": act.annotator})
            if (before["state"] if before else m.TODO) != state:
                act.change(
                    "state",
                    before,
                    {
                        "article_id": article_id,
                        "annotator": act.annotator,
                        "state": state,
                        "updated_at": now(),
                    },
                )
        return Changes(articles=frozenset({article_id}), states=True)

    def decisions(self, annotator: str | None = None) -> Iterator[dict[str, Any]]:
        """Every decision on a suggested span (accepted, rejected, corrected) with the span it became."""
        sql = (
            'SELECT d.article_id, d.annotator, d.layer, d.start, d."end", d.label, d.source, d.status, d.decided_at,'
            ' n.start, n."end", n.label FROM decisions d LEFT JOIN annotations n ON n.id = d.annotation_id'
        )
        args: list[Any] = []
        if annotator:
            sql += " WHERE d.annotator = ?"
            args.append(annotator)
        sql += " ORDER BY d.article_id, d.annotator, d.start"
        for r in self.conn.execute(sql, args):
            yield {
                "article_id": r[0],
                "annotator": r[1],
                "layer": r[2],
                "start": r[3],
                "end": r[4],
                "label": r[5],
                "source": r[6],
                "decision": r[7],
                "at": r[8],
                "result": None if r[9] is None else {"start": r[9], "end": r[10], "label": r[11]},
            }
