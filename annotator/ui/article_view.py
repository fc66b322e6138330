"""The article text with its suggestions and annotations marked, acted on by keyboard.

The text is always shown as plain text, its offsets translated exactly between the core and Qt
(:class:`~annotator.ui.text_map.TextMap`). The view holds the open article's spans
(:class:`~annotator.ui.article_spans.ArticleSpans`), draws them through a
:class:`~annotator.ui.mark_painter.MarkPainter`, looks its keys up in :mod:`annotator.ui.keys`
and writes decisions through the session (:class:`~annotator.ui.article_decisions.ArticleDecisions`).
After an action only the ranges whose marks changed are formatted again, never the whole article.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextEdit, QWidget

from annotator import model as m
from annotator.model import Span, SuggestionRow
from annotator.ui.article_decisions import ArticleDecisions
from annotator.ui.article_mouse import ArticleMouse
from annotator.ui.article_spans import (
    ANNOTATION,
    SUGGESTION,
    ArticleSpans,
    FocusedSpan,
    IssueLine,
    Mark,
    focus_of_suggestion,
    merge_ranges,
)
from annotator.ui.keys import digit_of, is_view_key, key_action, pane_direction
from annotator.ui.mark_painter import (
    DOCUMENT_MARGIN,
    LINE_HEIGHT_PERCENT,
    MarkPainter,
    build_document,
    entity_marks_in_order,
)
from annotator.ui.span_bar import install as install_span_bar
from annotator.ui.text_map import TextMap
from annotator.ui.views import use_flat_scroll_bars

SCROLL_MARGIN_LINES = 3  # lines of context kept above and below the focused span

# TextMap, digit_of and build_document keep their old import path (the review view uses it).
__all__ = [
    "ANNOTATION",
    "LINE_HEIGHT_PERCENT",
    "SCROLL_MARGIN_LINES",
    "SUGGESTION",
    "ArticleView",
    "FocusedSpan",
    "Mark",
    "TextMap",
    "build_document",
    "digit_of",
]


def heading_end(article: m.Article) -> int:
    """Where the article's title line ends when its text starts with its title, else 0."""
    first = article.text.split("\n", 1)[0]
    return len(first) if article.title and first.strip() == article.title.strip() else 0


class ArticleView(ArticleDecisions, ArticleMouse, QTextEdit):
    """Shows the open article with its marks and turns key presses into decisions.

    Accepted entities have a solid background in their label colour; pending entity
    suggestions a light background in a dashed box. Issues are underlined in their colour:
    solid when accepted, dashed when suggested, so the two layers stay apart where they
    overlap. Rejected suggestions are not drawn. The focused span is bold and outlined.

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`; the view reads the open article and its
        spans from it and writes every decision through it.
    parent
        Parent widget.

    Attributes
    ----------
    spans : ArticleSpans
        The open article's spans and what is drawn for them.
    painter : MarkPainter
        Formats and paints the marks.

    Signals
    -------
    focus_changed(str, int)
        The focused span changed: ``("suggestion" | "annotation", id)``, or ``("", -1)``.
    message(str)
        A short status text for the window (what was done, or why nothing was).
    help_requested()
        The user pressed ``?``.
    """

    focus_changed = Signal(str, int)
    message = Signal(str)
    help_requested = Signal()

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.char_mode = False
        self.last_open_ms = 0.0
        self.last_refresh_ms = 0.0
        self.error_presenter: Callable[[BaseException], None] | None = None
        # Which article Enter opens after the current one (the window follows the list's order);
        # None: the next one to do in import order.
        self.next_article_after: Callable[[str], str | None] | None = None
        # What Enter does with undecided suggestions: (shown, hidden) -> "accept", "reject",
        # "leave" or None (cancel); None: leave them (the window asks, ui/undecided_on_done.py).
        self.ask_undecided: Callable[[int, int], str | None] | None = None
        self.spans = ArticleSpans()
        self.painter = MarkPainter(self)
        self._article: m.Article | None = None
        self._map = TextMap("")
        self._tokens = None
        self._focus: FocusedSpan | None = None
        self._doc: QTextDocument | None = None  # the document built for the open article
        self._set_up_editor()
        session.article_changed.connect(self._on_session_article_changed)
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self._on_session_store_changed)
        self._load_labels()
        # Accept, reject and relabel by mouse, by the focused span (ui/span_bar.py).
        self._accepted_by_double_click = False
        install_span_bar(self)

    def _set_up_editor(self) -> None:
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)
        self.setTabChangesFocus(False)
        self.setMouseTracking(True)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setAcceptRichText(False)
        self.document().setDocumentMargin(DOCUMENT_MARGIN)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.2)
        self.setFont(font)
        self.setCursorWidth(2)
        use_flat_scroll_bars(self)

    # -- reading state ---------------------------------------------------------------------

    @property
    def article(self) -> m.Article | None:
        """The article shown, or None."""
        return self._article

    @property
    def focused(self) -> FocusedSpan | None:
        """The focused span, or None."""
        return self._focus

    @property
    def text_map(self) -> TextMap:
        return self._map

    def shows_heading(self) -> bool:
        """True when the article's first line is its title, drawn as a heading in the text."""
        return self.painter.heading_end > 0

    def pending(self) -> list[SuggestionRow]:
        """Undecided suggestions of the open article, in text order."""
        return list(self.spans.pending)

    def pending_count(self) -> int:
        """How many suggestions of the open article are undecided."""
        return len(self.spans.pending)

    def annotation_count(self) -> int:
        """How many spans the annotator has in the open article."""
        return len(self.spans.annotations)

    def marks(self) -> set[Mark]:
        """What is drawn: ``(start, end, layer, label, pending)`` per visible span."""
        return set(self.spans.marks)

    def issue_lines(self) -> list[IssueLine]:
        """The issue underlines drawn: ``(start, end, label, pending, lane)``, in text order."""
        return list(self.spans.issue_lines)

    def issue_lines_at(self, offset: int) -> list[tuple[str, bool, int]]:
        """Issue underlines drawn under ``offset``: ``(label, pending, lane)``."""
        return self.spans.issue_lines_at(offset)

    def char_format(self, offset: int) -> QTextCharFormat:
        """The character format drawn at code-point ``offset`` (for tests and tools)."""
        q = self._map.to_qt(offset)
        block = self.document().findBlock(q)
        for it in block:
            frag = it.fragment()
            if frag.position() <= q < frag.position() + frag.length():
                return frag.charFormat()
        return block.charFormat()

    def boxed_at(self, offset: int) -> bool:
        """True when a dashed box (a pending entity suggestion) is drawn around ``offset``."""
        return any(
            mk[4] and mk[2] == m.ENTITY and mk[0] <= offset < mk[1]
            for mk in self.spans.mark_index.overlapping(offset, offset + 1)
        )

    def label_colour(self, layer: str, label: str) -> QColor:
        """The label's own colour; grey for an unknown label or an invalid colour."""
        return self.painter.label_colour(layer, label)

    def line_colour(self, layer: str, label: str) -> QColor:
        """Colour of the underline drawn for ``label``: contrasting with the page."""
        return self.painter.line_colour(layer, label)

    def _format(self, layer: str, label: str, pending: bool) -> QTextCharFormat:
        # The benchmark formats its baseline document with the view's own formats.
        return self.painter.format(layer, label, pending)

    def range_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles covering code points ``[start, end)``, one per visual line."""
        return self.painter.range_rects(start, end)

    def selected_range(self) -> tuple[int, int] | None:
        """The selected text as code-point offsets, or None."""
        cur = self.textCursor()
        if not cur.hasSelection():
            return None
        a = self._map.from_qt(cur.selectionStart())
        b = self._map.from_qt(cur.selectionEnd())
        return (a, b) if a < b else None

    def select_range(self, start: int, end: int) -> None:
        """Select code points ``[start, end)`` as if by mouse."""
        cur = self.textCursor()
        cur.setPosition(self._map.to_qt(start))
        cur.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cur)

    def spans_at(self, offset: int) -> list[FocusedSpan]:
        """Visible spans covering ``offset``: annotations before suggestions, smallest first."""
        return self.spans.spans_at(offset)

    def tooltip_at(self, offset: int) -> str:
        """Rich-text tooltip for the spans at ``offset``; every piece of data is escaped."""
        return self.spans.tooltip(offset, self.painter.labels)

    # -- loading and refreshing --------------------------------------------------------------

    def _on_session_store_changed(self) -> None:
        self._load_labels()

    def _on_session_article_changed(self, article_id: str) -> None:
        self.load(article_id or None)

    def load(self, article_id: str | None) -> None:
        """Show ``article_id`` (None: show nothing), nothing focused: Tab goes to its first suggestion."""
        t0 = time.perf_counter()
        self._focus = None
        # A fresh start, also when the next article has no marks (the underlines were on this one).
        self.spans = ArticleSpans()
        self._tokens = None
        if article_id is None:
            self._article = None
            self.painter.heading_end = 0
            self._map = TextMap("")
            self.setPlainText("")
            self.setExtraSelections([])
            self.focus_changed.emit("", -1)
            return
        self._article = self.session.store.article(article_id)
        self._map = TextMap(self._article.text)
        # Built and formatted while detached from the widget: Qt then lays it out once, not
        # after every format change.
        doc = build_document(self._map.display, self.font(), self)
        # The title is the text's first line: shown once, as the article's heading.
        self.painter.set_heading(QTextCursor(doc), heading_end(self._article))
        self._refresh(doc=doc)
        self._show_document(doc)
        # Nothing focused yet: the first Tab goes to the first suggestion. The new document is
        # painted whole anyway.
        self._set_focus(None, scroll=False, whole=True)
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self.last_open_ms = (time.perf_counter() - t0) * 1000

    def _show_document(self, doc: QTextDocument) -> None:
        """Lay ``doc`` out once, at the width it is shown at, and show it."""
        # The scroll bar is shown while the document is attached, so a long article is laid
        # out at the width it will have (else once more when its scroll bar appears); a
        # short one drops the bar again, which is cheap.
        policy = self.verticalScrollBarPolicy()
        if policy == Qt.ScrollBarPolicy.ScrollBarAsNeeded:
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        # Each paragraph keeps its shaped text after layout: Qt drops it by default and shapes
        # the paragraph again to paint it and for every underline's x position.
        block = doc.firstBlock()
        while block.isValid():
            block.layout().setCacheEnabled(True)
            block = block.next()
        if self.lineWrapMode() == QTextEdit.LineWrapMode.WidgetWidth:
            doc.setTextWidth(self.viewport().width())
        old, self._doc = self._doc, doc
        self.setDocument(doc)
        self.setVerticalScrollBarPolicy(policy)
        if old is not None:
            old.deleteLater()

    def _on_session_changed(self, changes: m.Changes) -> None:
        if changes.labels:
            self._load_labels()
        if self._article is None:
            return
        if changes.articles and self._article.id not in changes.articles and not changes.labels:
            return
        if not (changes.spans or changes.labels or not changes.articles):
            return
        up = changes.update
        if (
            up is not None
            and not changes.labels
            and up.article_id == self._article.id
            and up.annotator == self.session.annotator
        ):
            self._apply_update(up)
        else:
            self._refresh(full=changes.labels)

    def _load_labels(self) -> None:
        self.painter.set_labels({(lab.layer, lab.name): lab for lab in self.session.store.labels()})

    def _read_spans(self) -> set[Mark]:
        """Read the open article's spans again; returns the marks drawn before."""
        assert self._article is not None
        aid = self._article.id
        shared = getattr(self.session, "article_spans", None)
        if shared is not None:  # read once for every widget showing the article
            suggestions, annotations = shared(aid)
        else:
            suggestions = self.session.store.suggestion_rows(aid, self.session.annotator)
            annotations = self.session.store.annotations(aid, self.session.annotator)
        return self.spans.read(suggestions, annotations)

    def _refresh(self, full: bool = False, doc: QTextDocument | None = None) -> None:
        """Re-read the article's spans and format again only where the marks changed."""
        t0 = time.perf_counter()
        old = self._read_spans()
        marks = self.spans.marks
        if old != marks:
            self.viewport().update()
        cur = QTextCursor(doc or self.document())
        cur.beginEditBlock()
        try:
            if not old and not full:
                self.painter.paint_marks(cur, entity_marks_in_order(marks))
            elif full:
                self.painter.clear(cur, 0, self._map.length)
                self.painter.paint_marks(cur, entity_marks_in_order(marks))
            else:
                self.painter.repaint_marks(cur, old ^ marks, self.spans.mark_index)
        finally:
            cur.endEditBlock()
        self._check_focus()
        self.last_refresh_ms = (time.perf_counter() - t0) * 1000

    def _apply_update(self, up: m.SpanUpdate) -> None:
        """Redraw only what one action changed: its rows in ``up`` replace ours in its ranges."""
        t0 = time.perf_counter()
        done = self.spans.apply(up)
        if done is not None:
            changed, dirty = done
            self.painter.update_ranges(merge_ranges(dirty), self.spans.lanes)
            cur = QTextCursor(self.document())
            cur.beginEditBlock()
            try:
                self.painter.repaint_marks(cur, changed, self.spans.mark_index)
            finally:
                cur.endEditBlock()
        self._check_focus()
        self.last_refresh_ms = (time.perf_counter() - t0) * 1000

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._article is not None:
            self.painter.forget_formats()
            self._refresh(full=True)

    # -- focus -------------------------------------------------------------------------------

    def _check_focus(self) -> None:
        """Keep the focus only while its span is still drawn (and follow a moved annotation)."""
        if self._focus is None:
            return
        now = self.spans.lookup(self._focus.kind, self._focus.id)
        if now != self._focus:
            self._set_focus(now, scroll=False)

    def set_focus_span(self, kind: str, span_id: int) -> bool:
        """Focus a span by kind and id (from the span list); returns False when it is not shown."""
        target = self.spans.lookup(kind, span_id)
        if target is None:
            return False
        self._set_focus(target)
        return True

    def clear_focus(self) -> None:
        """Focus no span (Escape)."""
        self._set_focus(None)

    def _set_focus(self, target: FocusedSpan | None, scroll: bool = True, whole: bool = False) -> None:
        changed = target != self._focus
        old = self._focus
        self._focus = target
        at = (self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        if target is None:
            self.setExtraSelections([])
        else:
            sel = QTextEdit.ExtraSelection()
            cur = QTextCursor(self.document())
            cur.setPosition(self._map.to_qt(target.start))
            cur.setPosition(self._map.to_qt(target.end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cur
            fmt = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold)
            sel.format = fmt
            self.setExtraSelections([sel])
            if scroll:
                self._scroll_to(target.start, target.end)
        if whole or at != (self.horizontalScrollBar().value(), self.verticalScrollBar().value()):
            self.viewport().update()
        else:  # the old and the new outline only
            spans = [(f.start, f.end) for f in (old, target) if f is not None]
            self.painter.update_ranges(spans, self.spans.lanes)
        if changed:
            self.focus_changed.emit(target.kind if target else "", target.id if target else -1)

    def scroll_margin(self) -> int:
        """Pixels of context kept above and below the focused span (:data:`SCROLL_MARGIN_LINES` lines)."""
        line = self.fontMetrics().lineSpacing() * LINE_HEIGHT_PERCENT / 100
        # A short viewport keeps its middle third for the span.
        return int(min(SCROLL_MARGIN_LINES * line, self.viewport().height() / 3))

    def _scroll_to(self, start: int, end: int) -> None:
        # Like an editor's scrolloff: the view stays put while the span is at least
        # SCROLL_MARGIN_LINES lines from both edges; else it moves the span a third of the way in
        # from the edge it came near, so the next decisions have context around them and the page
        # is scrolled (and repainted whole) once every few decisions, not at every one near an edge.
        qa, qb = self._map.to_qt(start), self._map.to_qt(end)
        cur = self.textCursor()
        cur.setPosition(qb)
        bottom = self.cursorRect(cur).bottom()
        cur.setPosition(qa)
        top = self.cursorRect(cur).top()
        height = self.viewport().height()
        margin = self.scroll_margin()
        bar = self.verticalScrollBar()
        if bottom > height - margin:
            bar.setValue(bar.value() + top - height // 3)
        elif top < margin:
            bar.setValue(bar.value() + bottom - (height - height // 3))
        # Moving the caret also makes Shift+arrows start from the focused span; it is in view
        # now, so this scrolls no more (but sideways, without line wrapping).
        self.setTextCursor(cur)
        self.ensureCursorVisible()

    def _anchor_key(self) -> tuple:
        if self._focus is not None:
            f = self._focus
            return (f.start, f.end, f.layer, f.id)
        return (self._map.from_qt(self.textCursor().position()), -1, "", -1)

    def focus_next(self, step: int = 1, after: tuple | None = None) -> FocusedSpan | None:
        """Focus the next (``step`` 1) or previous (-1) undecided suggestion, wrapping around."""
        target = self.spans.next_pending(after if after is not None else self._anchor_key(), step)
        if target is None:
            self._set_focus(None)
            self.message.emit("no undecided suggestions left in this article")
            return None
        self._set_focus(focus_of_suggestion(target))
        return self._focus

    def _focus_span(self, span: Span) -> None:
        a = self.spans.annotation_of(span)
        if a is not None:
            self.set_focus_span(ANNOTATION, a.id)

    # -- painting (the mouse: ui/article_mouse.py) -------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self._article is None:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.painter.paint_pending_boxes(painter, self.spans.mark_index, self.spans.lanes, event.region())
        self.painter.paint_issues(painter, self.spans.issue_lines, self.spans.lanes, event.region())
        if self._focus is not None:
            self.painter.paint_focus(painter, self._focus)
        painter.end()

    # -- keyboard ----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Tab belongs to the suggestions here, not to the focus chain; and the view's keys
        # win over window shortcuts while it has focus.
        if event.type() == QEvent.Type.ShortcutOverride and is_view_key(event):
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress and self._move_to_other_pane(event):
            return True
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if self.handle_key(event):
                return True
        return super().event(event)

    def _move_to_other_pane(self, event: QKeyEvent) -> bool:
        """Ctrl+Tab / F6 (with Shift: backwards): keyboard focus to the next pane of the window.

        Tab moves between suggestions here, so these are the way to the article list, its
        filters and search, the label palette and the span list without a mouse.
        """
        forward = pane_direction(event)
        if forward is None:
            return False
        QWidget.focusNextPrevChild(self, forward)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Run the action bound to ``event`` (:mod:`annotator.ui.keys`); True when it was the view's."""
        action = key_action(event)
        if action is None:
            return False
        name, args = action
        getattr(self, name)(*args)
        return True

    def request_help(self) -> None:
        """``?``: ask the window for the shortcuts."""
        self.help_requested.emit()
