"""What the article view's keys and the Edit menu do to the data.

Accept, reject, relabel, add a span, move its edges, mark the article done, undo and redo:
each one call into the :class:`~annotator.ui.session.Session`, a status message, and the
focus moved on. Errors from the core become a status message, never a traceback.

:class:`ArticleDecisions` is mixed into :class:`~annotator.ui.article_view.ArticleView`; it
uses the view's ``session``, ``message`` signal, ``error_presenter``, ``next_article_after``,
``char_mode``, ``article``, ``focused``, ``spans``, ``ask_undecided`` and its focus and selection
methods.
"""

from __future__ import annotations

from collections.abc import Callable

from annotator import model as m
from annotator.errors import AnnotatorError
from annotator.model import Label, Span
from annotator.ui.article_spans import ANNOTATION, SUGGESTION, FocusedSpan, focus_of_suggestion


class ArticleDecisions:
    """The decisions of the article view (a mixin of :class:`~annotator.ui.article_view.ArticleView`)."""

    def _run(self, what: Callable[[], object]) -> object:
        """Call the core; an AnnotatorError becomes a status message, never a traceback."""
        try:
            return what()
        except AnnotatorError as e:
            self.message.emit(str(e))
        except Exception as e:  # noqa: BLE001 - shown in a dialog, the window keeps running
            if self.error_presenter is not None:
                self.error_presenter(e)
            else:
                self.message.emit(f"unexpected error: {type(e).__name__}: {e}")
        return None

    def _need_article(self) -> bool:
        if self.article is None:
            self.message.emit("open an article first")
            return False
        return True

    def _need_focus(self) -> FocusedSpan | None:
        if not self._need_article():
            return None
        if self.focused is None:
            self.message.emit(
                "nothing is focused: press Tab to focus the next suggestion"
                if self.spans.pending
                else "no span is focused: click one, or select text and press a label key"
            )
        return self.focused

    def accept_focused(self) -> None:
        """Accept the focused suggestion and go on to the next undecided one."""
        f = self._need_focus()
        if f is None:
            return
        if f.kind != SUGGESTION:
            self.message.emit(f"{f.label} is already accepted")
            return
        if self._run(lambda: self.session.accept(f.id)) is not None:
            self.message.emit(f"accepted {f.label}")
            self._after_decision(f)

    def reject_focused(self) -> None:
        """Reject the focused suggestion (or remove the focused span) and go on."""
        f = self._need_focus()
        if f is None:
            return
        if f.kind == ANNOTATION:
            self.delete_focused()
            return
        if self._run(lambda: self.session.reject(f.id)) is not None:
            self.message.emit(f"rejected {f.label}")
            self._after_decision(f)

    def delete_focused(self) -> None:
        """Remove the focused span (a focused suggestion is rejected)."""
        f = self._need_focus()
        if f is None:
            return
        if f.kind == SUGGESTION:
            self.reject_focused()
            return
        if self._run(lambda: self.session.delete_span(f.id)) is not None:
            self.message.emit(f"removed {f.label}")
            self._after_decision(f)

    def _after_decision(self, f: FocusedSpan) -> None:
        if self.spans.pending:
            self.focus_next(1, after=(f.start, f.end, f.layer, f.id))
        else:
            self._set_focus(None)

    def accept_all(self) -> None:
        """Accept every undecided suggestion in the article (overlapping entities are skipped)."""
        if not self._need_article():
            return
        ch = self._run(self.session.accept_all)
        if ch is not None:
            skipped = ch.count("skipped")
            text = f"accepted {ch.count('accepted')} suggestions"
            if skipped:
                text += f"; {skipped} overlapping entities were left undecided"
            self.message.emit(text)
            first = self.spans.pending
            self._set_focus(focus_of_suggestion(first[0]) if first else None)

    def label_for_key(self, n: int, layer: str) -> Label | None:
        """The label bound to digit ``n`` on ``layer`` (by its key, else by position)."""
        labels = [lab for lab in self.painter.labels.values() if lab.layer == layer]
        for lab in labels:
            if lab.key == str(n):
                return lab
        if not any(lab.key for lab in labels):
            ordered = self.session.store.labels(layer)
            if 0 < n <= len(ordered):
                return ordered[n - 1]
        return None

    def apply_label_key(self, n: int, layer: str) -> None:
        """Digit key: label the selection (a new span) or the focused span."""
        lab = self.label_for_key(n, layer)
        if lab is None:
            shift = "Shift+" if layer == m.ISSUE else ""
            self.message.emit(f"no {layer} label on {shift}{n}")
            return
        self.apply_label(lab.layer, lab.name)

    def tokens(self):
        """Token boundaries of the open article (computed once per article)."""
        if self._tokens is None and self.article is not None:
            from annotator.text import tokens

            self._tokens = tokens(self.article.text)
        return self._tokens

    def apply_label(self, layer: str, name: str) -> None:
        """Give ``name`` to the selected text (a new span) or to the focused span.

        A selection is widened to whole tokens unless character mode is on. A focused span on
        the other layer gets a new span with the same boundaries on this layer.
        """
        if not self._need_article():
            return
        if not self.session.label_filter.shows(layer, name):
            self.message.emit(self._hidden_label_text(layer, name))
            return
        sel = self.selected_range()
        if sel is not None:
            self._label_selection(sel, layer, name)
            return
        f = self._need_focus()
        if f is None:
            return
        if f.layer != layer:
            self._add(Span(f.start, f.end, name, layer))
        elif f.label == name and f.kind == ANNOTATION:
            self.message.emit(f"it is already {name}")
        elif f.kind == SUGGESTION:
            if self._run(lambda: self.session.correct(f.id, label=name)) is not None:
                self.message.emit(f"{f.label} → {name}")
                self._focus_span(Span(f.start, f.end, name, f.layer))
        elif self._run(lambda: self.session.update_span(f.id, label=name)) is not None:
            self.message.emit(f"{f.label} → {name}")

    def _hidden_label_text(self, layer: str, name: str) -> str:
        f = self.session.label_filter
        if not f.in_scope(layer, name):
            return f"{name} is not one of this project's labels (Edit > Labels in this project…)"
        return f"{name} is hidden: show it first (View > Labels shown)"

    def _label_selection(self, sel: tuple[int, int], layer: str, name: str) -> None:
        start, end = sel if self.char_mode else self.tokens().snap(*sel)
        # Leading/trailing whitespace of an exact selection is never meant.
        text = self.article.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            self.message.emit("the selection holds no text")
            return
        self._add(Span(start, end, name, layer))

    def _add(self, span: Span) -> None:
        ch = self._run(lambda: self.session.add_span(span))
        if ch is None:
            return
        cur = self.textCursor()
        cur.clearSelection()
        self.setTextCursor(cur)
        self.message.emit(f"added {span.label}: {self.article.text[span.start : span.end]!r}")
        new_id = ch.count("added_id")
        if not (new_id and self.set_focus_span(ANNOTATION, new_id)):
            self._focus_span(span)

    def move_edge(self, edge: str, grow: bool) -> None:
        """Move the focused span's ``start`` or ``end`` by one token (``grow``: outwards)."""
        f = self._need_focus()
        if f is None:
            return
        toks = self.tokens()
        start, end = f.start, f.end
        if edge == "start":
            start = toks.shift_start(f.start, f.end, -1 if grow else 1)
        else:
            end = toks.shift_end(f.start, f.end, 1 if grow else -1)
        if (start, end) == (f.start, f.end):
            self.message.emit("the span cannot move further that way")
            return
        if f.kind == SUGGESTION:
            done = self._run(lambda: self.session.correct(f.id, start=start, end=end))
        else:
            done = self._run(lambda: self.session.update_span(f.id, start=start, end=end))
        if done is not None:
            self._focus_span(Span(start, end, f.label, f.layer))
            self.message.emit(f"{f.label}: {self.article.text[start:end]!r}")

    def done_and_next(self) -> None:
        """Mark the article done and open the next one still to do.

        With undecided suggestions left, ``ask_undecided(shown, hidden)`` (set by the window)
        says whether to accept or reject the rest first, leave them, or not mark it done.
        """
        if not self._need_article():
            return
        current = self.article.id
        done_text = self._settle_undecided()
        if done_text is None:
            return
        if self._run(lambda: self.session.set_state(m.DONE, current)) is None:
            return
        pick = self.next_article_after or (
            lambda cur: self.session.store.next_article(self.session.annotator, cur)
        )
        nxt = self._run(lambda: pick(current))
        if nxt:
            self.session.open_article(nxt)
            self.message.emit(f"{done_text}marked done; next article opened")
        else:
            self.message.emit(f"{done_text}marked done; every article is done")

    def _settle_undecided(self) -> str | None:
        """Deal with the undecided suggestions before Enter marks the article done.

        Returns the start of the status text ("rejected 12 suggestions; "), or None when the
        user cancelled.
        """
        shown = len(self.spans.pending)
        hidden = (
            max(0, self.session.pending_in_scope() - shown) if self.session.label_filter.hides_any() else 0
        )
        if not (shown or hidden) or self.ask_undecided is None:
            return ""
        choice = self.ask_undecided(shown, hidden)
        if choice is None:
            self.message.emit("not marked done")
            return None
        if choice == "accept" and shown:
            ch = self._run(self.session.accept_all)
            if ch is None:
                return None
            skipped = ch.count("skipped")
            left = f" ({skipped} overlapping left undecided)" if skipped else ""
            return f"accepted {ch.count('accepted')} suggestions{left}; "
        if choice == "reject" and shown:
            ch = self._run(self.session.reject_all)
            return None if ch is None else f"rejected {ch.count('rejected')} suggestions; "
        return f"{shown + hidden} left undecided; " if choice == "leave" else ""

    def undo(self) -> None:
        """Undo the annotator's last action (the ledger), opening its article if needed."""
        self._replay(undo=True)

    def redo(self) -> None:
        """Redo the action undone last."""
        self._replay(undo=False)

    def _replay(self, undo: bool) -> None:
        done = self._run(lambda: self.session.replay(undo))
        if done is None:
            return
        _changes, act = done
        kind = act["kind"] if act else "action"
        self.message.emit(f"{'undone' if undo else 'redone'}: {kind}")
        aid = act.get("article_id") if act else None
        if aid and (self.article is None or aid != self.article.id):
            self.session.open_article(aid)
        if act:
            self._focus_after_replay(act["detail"])

    def _focus_after_replay(self, detail: dict) -> None:
        sugg = detail.get("suggestion")
        if sugg and self.set_focus_span(SUGGESTION, sugg["id"]):
            return
        for key in ("to", "after", "before", "span"):
            sp = detail.get(key)
            if sp:
                hit = self.spans.annotation_over(sp["layer"], sp["start"], sp["end"])
                if hit is not None:
                    self.set_focus_span(ANNOTATION, hit.id)
                    return
        if sugg:
            self._focus_span(Span(sugg["start"], sugg["end"], sugg["label"], sugg["layer"]))
