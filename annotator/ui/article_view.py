"""The article text with its suggestions and annotations marked, acted on by keyboard.

The text is always shown as plain text. Offsets in the core are Python code points; Qt's
document counts UTF-16 units and breaks lines at ``\\r``, so :class:`TextMap` translates
between the two exactly. Marks are drawn with character formats; after an action only the
ranges whose marks changed are formatted again, never the whole article.
"""

from __future__ import annotations

import bisect
import html
import operator
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextEdit, QToolTip, QWidget

from annotator import model as m
from annotator.errors import AnnotatorError
from annotator.model import Annotation, Label, Span, SuggestionRow
from annotator.ui.views import use_flat_scroll_bars

ISSUE_LINE_WIDTH = 2.5
ISSUE_LANE_STEP = 3.5

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")

SUGGESTION = "suggestion"
ANNOTATION = "annotation"


LINE_HEIGHT_PERCENT = 140  # room under each line for the issue underlines
SCROLL_MARGIN_LINES = 3  # lines of context kept above and below the focused span


def build_document(display: str, font: QFont, parent=None) -> QTextDocument:
    """A plain-text document of ``display`` (never interpreted as markup), lines spaced for marks."""
    doc = QTextDocument(parent)
    doc.setUndoRedoEnabled(False)
    doc.setDocumentMargin(18)
    doc.setDefaultFont(font)
    cur = QTextCursor(doc)
    fmt = QTextBlockFormat()
    fmt.setLineHeight(LINE_HEIGHT_PERCENT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    cur.setBlockFormat(fmt)
    cur.insertText(display)
    return doc


class TextMap:
    """Exact translation between code-point offsets (core) and UTF-16 positions (Qt).

    Parameters
    ----------
    text
        The article text as stored.

    Attributes
    ----------
    display
        The text handed to Qt: same length in code points, with ``\\r`` replaced so that Qt
        neither merges ``\\r\\n`` into one position nor counts a lone ``\\r`` differently, and
        lone surrogates (which Qt would drop) replaced by U+FFFD.
    """

    def __init__(self, text: str):
        self.length = len(text)
        display = text.replace("\r\n", " \n").replace("\r", "\n")
        if text.isascii():  # no surrogates, nothing outside the BMP: skip both scans
            self.display = display
            self._astral = []
            self._astral_q = []
            return
        self.display = _SURROGATE.sub("\ufffd", display)
        # Only texts with characters outside the BMP need a table; most news text has none.
        self._astral = [mt.start() for mt in _ASTRAL.finditer(text)]
        self._astral_q = [c + k for k, c in enumerate(self._astral)]

    def to_qt(self, offset: int) -> int:
        """Qt position of code-point ``offset``."""
        if not self._astral:
            return offset
        return offset + bisect.bisect_left(self._astral, offset)

    def from_qt(self, pos: int) -> int:
        """Code-point offset of Qt position ``pos`` (the middle of a pair maps to its character)."""
        if not self._astral:
            return max(0, min(pos, self.length))
        k = bisect.bisect_right(self._astral_q, pos - 2)  # pairs wholly before pos
        offset = pos - k
        if k < len(self._astral_q) and self._astral_q[k] == pos - 1:
            offset -= 1
        return max(0, min(offset, self.length))


@dataclass(frozen=True, slots=True)
class FocusedSpan:
    """The span keyboard actions apply to: a pending suggestion or an annotation."""

    kind: str
    id: int
    start: int
    end: int
    layer: str
    label: str


# A mark is what the view draws for one span: (start, end, layer, label, pending).
Mark = tuple[int, int, str, str, bool]


def _in_order(marks: Iterable[Mark]) -> list[Mark]:
    """The entity marks among ``marks``, in the order they are formatted: pending first, so a
    decided span wins where both cover a character (a sort in C, stable within each group).

    Only entities are character formats. Issues are lines drawn by paintEvent
    (:meth:`ArticleView._paint_issues`), so formatting them into the document too was work
    nothing read: 870 of the 2,400 formats when 20,000 words open, about 2 ms.
    """
    return sorted([mk for mk in marks if mk[2] == m.ENTITY], key=_PENDING, reverse=True)


_PENDING = operator.itemgetter(4)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(
        a.redF() * (1 - t) + b.redF() * t,
        a.greenF() * (1 - t) + b.greenF() * t,
        a.blueF() * (1 - t) + b.blueF() * t,
    )


# Shifted digit keys when the physical key is unknown (offscreen, VNC): US, UK, German, Nordic.
_SHIFTED_DIGITS = {
    "!": 1,
    "@": 2,
    '"': 2,
    "#": 3,
    "£": 3,
    "§": 3,
    "$": 4,
    "¤": 4,
    "%": 5,
    "^": 6,
    "&": 7,
    "/": 7,
    "*": 8,
    "(": 9,
}
# Physical digit keys 1-9: X11/Wayland key codes, Windows virtual keys, macOS virtual keys.
_XKB_DIGITS = {10 + i: i + 1 for i in range(9)}
_WIN_DIGITS = {0x31 + i: i + 1 for i in range(9)}
_MAC_DIGITS = {0x12: 1, 0x13: 2, 0x14: 3, 0x15: 4, 0x17: 5, 0x16: 6, 0x1A: 7, 0x1C: 8, 0x19: 9}


def digit_of(event: QKeyEvent) -> tuple[int, bool] | None:
    """``(digit, shifted)`` for a press of a digit key 1-9, on any keyboard layout, else None."""
    shifted = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
    platform = QGuiApplication.platformName()
    physical = None
    if platform in ("xcb", "wayland"):
        physical = _XKB_DIGITS.get(event.nativeScanCode())
    elif platform == "windows":
        physical = _WIN_DIGITS.get(event.nativeVirtualKey())
    elif platform == "cocoa":
        physical = _MAC_DIGITS.get(event.nativeVirtualKey())
    if physical is not None:
        return physical, shifted
    key = event.key()
    if Qt.Key.Key_1.value <= key <= Qt.Key.Key_9.value:
        return key - Qt.Key.Key_0.value, shifted
    text = event.text()
    if text in _SHIFTED_DIGITS:
        return _SHIFTED_DIGITS[text], True
    return None


class ArticleView(QTextEdit):
    """Shows the open article with its marks and turns key presses into decisions.

    Accepted entities have a solid background in their label colour; pending entity
    suggestions a faded background and a dotted underline. Issues are underlined in their
    colour: solid when accepted, dashed when suggested, so the two layers stay apart where
    they overlap. Rejected suggestions are not drawn. The focused span is bold and outlined.

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`; the view reads the open article and its
        spans from it and writes every decision through it.
    parent
        Parent widget.

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
        self._article: m.Article | None = None
        self._map = TextMap("")
        self._tokens = None
        self._labels: dict[tuple[str, str], Label] = {}
        self._formats: dict[tuple[str, str, bool], QTextCharFormat] = {}
        self._suggestions: dict[int, SuggestionRow] = {}
        self._annotations: dict[int, Annotation] = {}
        self._marks: set[Mark] = set()
        # The same spans by position, so an action finds what overlaps it without a scan of
        # every span (2,400 for 20,000 words); see _Sorted.
        self._mark_index = _Sorted()
        self._suggestion_index = _Sorted()
        self._annotation_index = _Sorted()
        self._issue_marks = _Sorted()
        # Pending suggestions in text order, kept sorted as decisions come and go (the window
        # asks for them after every keypress: no sort of 2,400 suggestions each time).
        self._pending: list[SuggestionRow] = []
        self._pending_keys: list[tuple[int, int, str, int]] = []
        self._focus: FocusedSpan | None = None
        self._issue_lines: list[tuple[int, int, str, bool, int]] = []
        self._lanes = 0  # issue lanes drawn: how far below its line a repaint has to reach
        self._doc: QTextDocument | None = None  # the document built for the open article

        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)
        self.setTabChangesFocus(False)
        self.setMouseTracking(True)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setAcceptRichText(False)
        self.document().setDocumentMargin(18)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.2)
        self.setFont(font)
        self.setCursorWidth(2)
        use_flat_scroll_bars(self)

        session.article_changed.connect(self._on_session_article_changed)
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self._on_session_store_changed)
        self._load_labels()

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

    def pending(self) -> list[SuggestionRow]:
        """Undecided suggestions of the open article, in text order."""
        return list(self._pending)

    def pending_count(self) -> int:
        """How many suggestions of the open article are undecided."""
        return len(self._pending)

    def marks(self) -> set[Mark]:
        """What is drawn: ``(start, end, layer, label, pending)`` per visible span."""
        return set(self._marks)

    def char_format(self, offset: int) -> QTextCharFormat:
        """The character format drawn at code-point ``offset`` (for tests and tools)."""
        q = self._map.to_qt(offset)
        block = self.document().findBlock(q)
        for it in block:
            frag = it.fragment()
            if frag.position() <= q < frag.position() + frag.length():
                return frag.charFormat()
        return block.charFormat()

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
        out = [
            FocusedSpan(ANNOTATION, a.id, a.start, a.end, a.layer, a.label)
            for a in self._annotations.values()
            if a.start <= offset < a.end
        ]
        out += [
            FocusedSpan(SUGGESTION, s.id, s.start, s.end, s.layer, s.label)
            for s in self._suggestions.values()
            if s.status == m.PENDING and s.start <= offset < s.end
        ]
        out.sort(key=lambda f: (f.kind != ANNOTATION, f.layer != m.ENTITY, f.end - f.start))
        return out

    def tooltip_at(self, offset: int) -> str:
        """Rich-text tooltip for the spans at ``offset``; every piece of data is escaped."""
        parts = []
        for f in self.spans_at(offset):
            lab = self._labels.get((f.layer, f.label))
            desc = lab.description if lab else ""
            if f.kind == ANNOTATION:
                a = self._annotations[f.id]
                state = {
                    m.ORIGIN_ACCEPTED: "accepted",
                    m.ORIGIN_CORRECTED: "accepted, corrected",
                    m.ORIGIN_MANUAL: "added by hand",
                    m.ORIGIN_IMPORTED: "imported",
                }.get(a.origin, a.origin)
                source = a.source or "you"
            else:
                s = self._suggestions[f.id]
                state = "suggested, not decided yet"
                source = s.source + (f" (score {s.score:.2f})" if s.score is not None else "")
            layer = "issue" if f.layer == m.ISSUE else "entity"
            lines = [f"<b>{html.escape(f.label)}</b> <i>{layer}</i>"]
            if desc:
                lines.append(html.escape(desc))
            lines.append(f"source: {html.escape(source)}")
            lines.append(f"state: {html.escape(state)}")
            parts.append("<br>".join(lines))
        return "<hr>".join(parts)

    # -- loading and refreshing --------------------------------------------------------------

    def _on_session_store_changed(self) -> None:
        self._load_labels()

    def _on_session_article_changed(self, article_id: str) -> None:
        self.load(article_id or None)

    def load(self, article_id: str | None) -> None:
        """Show ``article_id`` (None: show nothing) and focus its first undecided suggestion."""
        t0 = time.perf_counter()
        self._focus = None
        self._marks = set()
        # Also when the next article has no marks at all (its underlines were drawn on it).
        self._issue_marks = _Sorted()
        self._set_issue_lines([])
        self._suggestions = {}
        self._annotations = {}
        self._pending, self._pending_keys = [], []
        self._tokens = None
        if article_id is None:
            self._article = None
            self._map = TextMap("")
            self.setPlainText("")
            self.setExtraSelections([])
            self.focus_changed.emit("", -1)
            return
        self._article = self.session.store.article(article_id)
        self._map = TextMap(self._article.text)
        # Built and formatted while detached from the widget: Qt then lays it out once, instead
        # of after every format change (measured: 370 ms -> 60 ms for 20,000 words).
        doc = build_document(self._map.display, self.font(), self)
        self._refresh(doc=doc)
        # Laid out once at the width it is shown at (without it Qt lays it out unwrapped first,
        # then again at the viewport's width: 20,000 words, 7 -> 3.5 ms here and 6 -> 3.5 ms
        # in the first paint).
        # The scroll bar is shown while the document is attached, so it is laid out at the
        # width it will have: a long article after a short one (or none) was laid out twice,
        # the second time when its scroll bar appeared. A short one drops it again (cheap).
        policy = self.verticalScrollBarPolicy()
        if policy == Qt.ScrollBarPolicy.ScrollBarAsNeeded:
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        # Each paragraph keeps its shaped text after layout (Qt drops it by default and shapes
        # the paragraph again to paint it and for every underline's x position, cursorToX:
        # 0.36 -> 0.15 ms of underlines when a 500-word article opens; the same pixels).
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
        first = self.pending()
        # The new document is painted whole anyway: no lines of the outline to work out.
        self._set_focus(self._focus_of_suggestion(first[0]) if first else None, scroll=False, whole=True)
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self.last_open_ms = (time.perf_counter() - t0) * 1000

    def _on_session_changed(self, changes: m.Changes) -> None:
        if changes.labels:
            self._load_labels()
        if self._article is None:
            return
        if changes.articles and self._article.id not in changes.articles and not changes.labels:
            return
        if changes.spans or changes.labels or not changes.articles:
            had_pending = bool(self._pending)
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
            if self._focus is None and not had_pending:
                # Suggestions just arrived for the open article (the first start's suggest
                # finishing): focus the first, as opening the article would have.
                first = self.pending()
                if first:
                    self._set_focus(self._focus_of_suggestion(first[0]), scroll=False)

    def _load_labels(self) -> None:
        self._labels = {(lab.layer, lab.name): lab for lab in self.session.store.labels()}
        self._formats = {}

    def _read_spans(self) -> None:
        assert self._article is not None
        who = self.session.annotator
        aid = self._article.id
        shared = getattr(self.session, "article_spans", None)
        if shared is not None:  # read once for every widget showing the article
            suggestions, annotations = shared(aid)
        else:
            suggestions = self.session.store.suggestion_rows(aid, who)
            annotations = self.session.store.annotations(aid, who)
        self._suggestions = {s.id: s for s in suggestions}
        self._annotations = {a.id: a for a in annotations}
        # Made when an action first needs them, from the spans as they are then (_apply_update
        # makes them before it changes anything).
        sugg, anns = self._suggestions, self._annotations
        self._suggestion_index = _Sorted(source=lambda: ((s.start, s.end, s.id) for s in sugg.values()))
        self._annotation_index = _Sorted(source=lambda: ((a.start, a.end, a.id) for a in anns.values()))
        # The store reads them sorted by (start, end, layer, label, id): already in the pending
        # order but where two labels share a span. Keys are made in C (_pending_key), and sorted
        # only when not in order (opening 20,000 words: 0.6 ms less).
        pending = [s for s in suggestions if s.status == m.PENDING]
        keys = list(map(_pending_key, pending))
        if any(map(operator.gt, keys, islice(keys, 1, None))):
            keyed = sorted(zip(keys, pending, strict=True))
            pending, keys = [s for _, s in keyed], [k for k, _ in keyed]
        self._pending = pending
        self._pending_keys = keys

    def _refresh(self, full: bool = False, doc: QTextDocument | None = None) -> None:
        """Re-read the article's spans and format again only where the marks changed."""
        t0 = time.perf_counter()
        self._read_spans()
        marks = {(a.start, a.end, a.layer, a.label, False) for a in self._annotations.values()}
        marks |= {(s.start, s.end, s.layer, s.label, True) for s in self._pending}
        old = self._marks
        self._marks = marks
        self._mark_index = _Sorted(source=lambda: marks)
        if old != marks:
            self._issue_marks = _Sorted(mk for mk in marks if mk[2] == m.ISSUE)
            self._set_issue_lines(_lanes(self._issue_marks.items))
            self.viewport().update()
        cur = QTextCursor(doc or self.document())
        cur.beginEditBlock()
        try:
            if not old and not full:
                self._paint_marks(cur, _in_order(marks), None)
            elif full:
                self._clear(cur, 0, self._map.length)
                self._paint_marks(cur, _in_order(marks), None)
            else:
                self._repaint_marks(cur, old ^ marks)
        finally:
            cur.endEditBlock()
        self._check_focus()
        self.last_refresh_ms = (time.perf_counter() - t0) * 1000

    def _repaint_marks(self, cur: QTextCursor, changed) -> None:
        """Clear the ranges the ``changed`` marks cover and paint again every mark inside them."""
        for a, b in _merge((mk[0], mk[1]) for mk in changed if mk[2] == m.ENTITY):
            self._clear(cur, a, b)
            self._paint_marks(cur, _in_order(self._mark_index.overlapping(a, b)), (a, b))

    def _set_issue_lines(self, lines: list[tuple[int, int, str, bool, int]]) -> None:
        self._issue_lines = lines
        self._lanes = 1 + max((ln[4] for ln in lines), default=0)

    def _apply_update(self, up: m.SpanUpdate) -> None:
        """Redraw only what one action changed: its rows in ``up`` replace ours in its ranges."""
        t0 = time.perf_counter()
        ranges = up.ranges
        if ranges:
            for index in (self._suggestion_index, self._annotation_index, self._mark_index):
                index.items  # noqa: B018 - made from the spans as they are before this update
            old_s = self._suggestion_index.overlapping_any(ranges)
            old_a = self._annotation_index.overlapping_any(ranges)
            # What is drawn there now: the marks of those spans (each mark is one span's).
            region_old = {
                (s.start, s.end, s.layer, s.label, True)
                for s in (self._suggestions[i] for _, _, i in old_s)
                if s.status == m.PENDING
            }
            region_old |= {
                (a.start, a.end, a.layer, a.label, False) for a in (self._annotations[i] for _, _, i in old_a)
            }
            for key in old_s:
                self._suggestion_index.discard(key)
                s = self._suggestions.pop(key[2])
                if s.status == m.PENDING:
                    self._drop_pending(s)
            for key in old_a:
                self._annotation_index.discard(key)
                del self._annotations[key[2]]
            for s in up.suggestions:
                self._suggestions[s.id] = s
                self._suggestion_index.add((s.start, s.end, s.id))
                if s.status == m.PENDING:
                    key = _pending_key(s)
                    i = bisect.bisect_left(self._pending_keys, key)
                    self._pending_keys.insert(i, key)
                    self._pending.insert(i, s)
            for a in up.annotations:
                self._annotations[a.id] = a
                self._annotation_index.add((a.start, a.end, a.id))
            region_new = {(a.start, a.end, a.layer, a.label, False) for a in up.annotations}
            region_new |= {
                (s.start, s.end, s.layer, s.label, True) for s in up.suggestions if s.status == m.PENDING
            }
            if region_old != region_new:
                changed = region_old ^ region_new
                for mk in region_old - region_new:
                    self._marks.discard(mk)
                    self._mark_index.discard(mk)
                    if mk[2] == m.ISSUE:
                        self._issue_marks.discard(mk)
                for mk in region_new - region_old:
                    if mk not in self._marks:
                        self._marks.add(mk)
                        self._mark_index.add(mk)
                        if mk[2] == m.ISSUE:
                            self._issue_marks.add(mk)
                dirty = [(mk[0], mk[1]) for mk in changed]
                if any(mk[2] == m.ISSUE for mk in changed):
                    old_lines = self._issue_lines
                    self._set_issue_lines(_lanes(self._issue_marks.items))
                    # Lanes of other issues may move too: repaint every underline that changed.
                    dirty += [(ln[0], ln[1]) for ln in set(old_lines) ^ set(self._issue_lines)]
                self._update_ranges(_merge(dirty))
                cur = QTextCursor(self.document())
                cur.beginEditBlock()
                try:
                    self._repaint_marks(cur, changed)
                finally:
                    cur.endEditBlock()
        self._check_focus()
        self.last_refresh_ms = (time.perf_counter() - t0) * 1000

    def _drop_pending(self, s: SuggestionRow) -> None:
        key = _pending_key(s)
        i = bisect.bisect_left(self._pending_keys, key)
        if i < len(self._pending_keys) and self._pending_keys[i] == key:
            del self._pending_keys[i]
            del self._pending[i]

    def _clear(self, cur: QTextCursor, a: int, b: int) -> None:
        cur.setPosition(self._map.to_qt(a))
        cur.setPosition(self._map.to_qt(b), QTextCursor.MoveMode.KeepAnchor)
        cur.setCharFormat(QTextCharFormat())

    def _paint_marks(self, cur: QTextCursor, marks: Iterable[Mark], clip: tuple[int, int] | None) -> None:
        # Runs once per mark when an article opens (2,400 for 20,000 words): everything the
        # loop needs is looked up once, and offsets are translated only when the text needs it.
        to_qt = self._map.to_qt if self._map._astral else None
        set_position = cur.setPosition
        merge = cur.mergeCharFormat
        keep = QTextCursor.MoveMode.KeepAnchor
        formats = self._formats
        fmt_of = self._format
        lo, hi = clip if clip is not None else (0, self._map.length)
        for start, end, layer, label, pending in marks:
            if start < lo:
                start = lo
            if end > hi:
                end = hi
            if to_qt is not None:
                start, end = to_qt(start), to_qt(end)
            set_position(start)
            set_position(end, keep)
            merge(formats.get((layer, label, pending)) or fmt_of(layer, label, pending))

    def _format(self, layer: str, label: str, pending: bool) -> QTextCharFormat:
        """The character format of an entity mark (issues are lines, not formats: _in_order)."""
        key = (layer, label, pending)
        fmt = self._formats.get(key)
        if fmt is not None:
            return fmt
        colour = self.label_colour(layer, label)
        base = self.palette().color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        fmt = QTextCharFormat()
        if pending:
            fmt.setBackground(_mix(base, colour, 0.30 if dark else 0.35))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(self.line_colour(layer, label))
        elif dark:
            # Light text on a mid-tone would be murky: dark text on the full label colour.
            fmt.setBackground(colour)
            fmt.setForeground(base)
        else:
            fmt.setBackground(_mix(base, colour, 0.95))
        self._formats[key] = fmt
        return fmt

    def label_colour(self, layer: str, label: str) -> QColor:
        """The label's own colour; grey for an unknown label or an invalid colour."""
        lab = self._labels.get((layer, label))
        colour = QColor(lab.colour if lab else "#888888")
        return colour if colour.isValid() else QColor("#888888")

    def line_colour(self, layer: str, label: str) -> QColor:
        """Colour of the underline drawn for ``label``: contrasting with the page."""
        colour = self.label_colour(layer, label)
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        return colour.lighter(120) if dark else colour.darker(165)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._article is not None:
            self._formats = {}
            self._refresh(full=True)

    # -- focus -------------------------------------------------------------------------------

    def _focus_of_suggestion(self, s: SuggestionRow) -> FocusedSpan:
        return FocusedSpan(SUGGESTION, s.id, s.start, s.end, s.layer, s.label)

    def _focus_of_annotation(self, a: Annotation) -> FocusedSpan:
        return FocusedSpan(ANNOTATION, a.id, a.start, a.end, a.layer, a.label)

    def _lookup(self, kind: str, span_id: int) -> FocusedSpan | None:
        if kind == SUGGESTION:
            s = self._suggestions.get(span_id)
            return self._focus_of_suggestion(s) if s is not None and s.status == m.PENDING else None
        if kind == ANNOTATION:
            a = self._annotations.get(span_id)
            return self._focus_of_annotation(a) if a is not None else None
        return None

    def _check_focus(self) -> None:
        """Keep the focus only while its span is still drawn (and follow a moved annotation)."""
        if self._focus is None:
            return
        now = self._lookup(self._focus.kind, self._focus.id)
        if now != self._focus:
            self._set_focus(now, scroll=False)

    def set_focus_span(self, kind: str, span_id: int) -> bool:
        """Focus a span by kind and id (from the span list); returns False when it is not shown."""
        target = self._lookup(kind, span_id)
        if target is None:
            return False
        self._set_focus(target)
        return True

    def _update_ranges(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Repaint only the lines under code-point ``ranges``, with their underlines and outline."""
        vp = self.viewport()
        below = 4 + ISSUE_LANE_STEP * self._lanes
        height = vp.height()
        for a, b in ranges:
            for r in self.range_rects(a, b):
                if r.bottom() + below < 0 or r.top() > height:
                    continue
                vp.update(r.adjusted(-5, -3, 5, below).toAlignedRect())

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
            self._update_ranges([(f.start, f.end) for f in (old, target) if f is not None])
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
        pend = self._pending
        if not pend:
            self._set_focus(None)
            self.message.emit("no undecided suggestions left in this article")
            return None
        keys = self._pending_keys
        cur = after if after is not None else self._anchor_key()
        if step > 0:
            i = bisect.bisect_right(keys, cur)
            target = pend[i % len(pend)]
        else:
            i = bisect.bisect_left(keys, cur) - 1
            target = pend[i]  # -1 wraps to the last
        self._set_focus(self._focus_of_suggestion(target))
        return self._focus

    def _focus_span(self, span: Span) -> None:
        for a in self._annotations.values():
            if (a.layer, a.start, a.end, a.label) == (span.layer, span.start, span.end, span.label):
                self._set_focus(self._focus_of_annotation(a))
                return

    # -- painting, mouse, tooltips -------------------------------------------------------------

    def range_rects(self, start: int, end: int, _blocks: dict | None = None) -> list[QRectF]:
        """Viewport rectangles covering code points ``[start, end)``, one per visual line.

        ``_blocks`` (one paint's cache) keeps each block's position and the lines read between calls.
        """
        qa, qb = self._map.to_qt(start), self._map.to_qt(end)
        rects: list[QRectF] = []
        doc = self.document()
        blocks = {} if _blocks is None else _blocks
        if "dx" not in blocks:
            blocks["dx"] = -self.horizontalScrollBar().value()
            blocks["dy"] = -self.verticalScrollBar().value()
            blocks["bottom"] = self.viewport().height()
            blocks["layout"] = doc.documentLayout()
        dx, dy, bottom, layout_of = blocks["dx"], blocks["dy"], blocks["bottom"], blocks["layout"]
        block = doc.findBlock(qa)
        while block.isValid():
            number = block.blockNumber()
            info = blocks.get(number)
            if info is None:
                geo = layout_of.blockBoundingRect(block).translated(dx, dy)
                info = blocks[number] = (block.position(), geo.left(), geo.top(), block.layout(), {})
            bpos, left, top, layout, lines = info
            if bpos >= qb or top > bottom:
                break
            # Straight to the line holding the range's start: a paragraph has a dozen lines
            # and a decision repaints one or two (reading them all cost 50 us per call).
            first = layout.lineForTextPosition(max(qa - bpos, 0))
            i = first.lineNumber() if first.isValid() else 0
            count = layout.lineCount()
            while i < count:
                got = lines.get(i)
                if got is None:
                    line = layout.lineAt(i)
                    ls = bpos + line.textStart()
                    got = lines[i] = (ls, ls + line.textLength(), line, top + line.y(), line.height())
                ls, le, line, y, height = got
                if ls >= qb:
                    break
                i += 1
                s, e = max(qa, ls), min(qb, le)
                if s >= e:
                    continue
                x1 = line.cursorToX(s - bpos)[0]
                x2 = line.cursorToX(e - bpos)[0]
                rects.append(QRectF(left + x1, y, x2 - x1, height))
            block = block.next()
        return rects

    def visible_range(self, _rect=None) -> tuple[int, int]:
        """Code points ``[start, end)`` that may be visible in the viewport now.

        ``_rect``: only those in this part of the viewport (what a paint event repaints).
        """
        # Found from the laid-out blocks, not by hit tests at the viewport's corners (those made
        # Qt lay out more text: 4 ms on opening a 20,000-word article). A block not laid out
        # yet has not been painted either.
        doc = self.document()
        layout_of = doc.documentLayout()
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        if _rect is not None:
            # An underline is drawn below its line: include the lines just above the area.
            top, bottom = top + _rect.top() - 4 - ISSUE_LANE_STEP * self._lanes, top + _rect.bottom() + 1

        def above(b) -> bool:  # laid out and ending above the viewport's top
            lay = b.layout()
            return lay is not None and lay.lineCount() > 0 and layout_of.blockBoundingRect(b).bottom() < top

        lo, hi = 0, max(doc.blockCount() - 1, 0)
        while lo < hi:
            mid = (lo + hi) // 2
            if above(doc.findBlockByNumber(mid)):
                lo = mid + 1
            else:
                hi = mid
        block = doc.findBlockByNumber(lo)
        first = block.position() if block.isValid() else 0
        last = first
        first_block = last_block = block
        while block.isValid():
            lay = block.layout()
            if lay is None or lay.lineCount() == 0:
                break
            last = block.position() + block.length()
            last_block = block
            if layout_of.blockBoundingRect(block).bottom() >= bottom:
                break
            block = block.next()
        if _rect is not None and last > first:
            # A repaint of a few lines draws the underlines of those lines, not of their whole
            # paragraphs (a paragraph holds a dozen issues: 0.5 ms of Python per decision).
            first, last = (
                _line_bounds(layout_of, first_block, top, bottom)[0],
                _line_bounds(layout_of, last_block, top, bottom)[1],
            )
        return self._map.from_qt(first), min(self._map.length, self._map.from_qt(last) + 1)

    def issue_lines_at(self, offset: int) -> list[tuple[str, bool, int]]:
        """Issue underlines drawn under ``offset``: ``(label, pending, lane)``."""
        return [(lab, p, lane) for a, b, lab, p, lane in self._issue_lines if a <= offset < b]

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self._article is None:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_issues(painter, event.region())
        if self._focus is not None:
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for r in self.range_rects(self._focus.start, self._focus.end):
                painter.drawRoundedRect(r.adjusted(-2, 0, 2, 0), 3, 3)
        painter.end()

    def _paint_issues(self, painter: QPainter, region=None) -> None:
        # Thick lines in the space under each text line: solid when accepted, dashed when
        # suggested, one lane per overlapping issue so nested issues stay visible.
        if not self._issue_lines:
            return
        # A decision repaints a few lines in places far apart (the old and the new focus):
        # the underlines of those lines, not of everything between them.
        rects = list(region) if region is not None else [None]
        if len(rects) > 8:
            rects = [region.boundingRect()]
        ranges = _merge(self.visible_range(r) for r in rects)
        first, last = ranges[0][0], ranges[-1][1]
        pens: dict[tuple[str, bool], QPen] = {}
        blocks: dict = {}
        for start, end, label, pending, lane in self._issue_lines:
            if start >= last:
                break
            if end <= first or not any(start < b and a < end for a, b in ranges):
                continue
            pen = pens.get((label, pending))
            if pen is None:
                pen = QPen(self.line_colour(m.ISSUE, label), ISSUE_LINE_WIDTH)
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                if pending:
                    pen.setDashPattern([2.0, 1.2])
                pens[(label, pending)] = pen
            painter.setPen(pen)
            for r in self.range_rects(start, end, blocks):
                y = r.bottom() + 1.5 + lane * ISSUE_LANE_STEP
                painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))

    def offset_at(self, pos) -> int | None:
        """Code-point offset of the character under viewport point ``pos``, or None."""
        if self._article is None:
            return None
        cur = self.cursorForPosition(pos)
        q = cur.position()
        if pos.x() < self.cursorRect(cur).x() and q > 0:
            q -= 1
        offset = self._map.from_qt(q)
        return offset if offset < self._map.length else None

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ToolTip:
            offset = self.offset_at(event.pos())
            tip = self.tooltip_at(offset) if offset is not None else ""
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        offset = self.offset_at(event.position().toPoint())
        found = self.spans_at(offset) if offset is not None else []
        self._set_focus(found[0] if found else None, scroll=False)

    # -- keyboard ----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Tab belongs to the suggestions here, not to the focus chain; and the view's keys
        # win over window shortcuts while it has focus.
        if event.type() == QEvent.Type.ShortcutOverride and self._is_view_key(event):
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
        key = event.key()
        mods = event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and mods & Qt.KeyboardModifier.ControlModifier:
            forward = key == Qt.Key.Key_Tab and not shift
        elif key == Qt.Key.Key_F6 and not mods & ~Qt.KeyboardModifier.ShiftModifier:
            forward = not shift
        else:
            return False
        QWidget.focusNextPrevChild(self, forward)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def _is_view_key(self, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods & ~Qt.KeyboardModifier.ShiftModifier:
            return False
        key = event.key()
        return (
            key
            in (
                Qt.Key.Key_A,
                Qt.Key.Key_X,
                Qt.Key.Key_Delete,
                Qt.Key.Key_Backspace,
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
                Qt.Key.Key_Question,
            )
            or event.text() in ("[", "]", "{", "}", "?")
            or digit_of(event) is not None
        )

    def handle_key(self, event: QKeyEvent) -> bool:
        """Run the action bound to ``event``; True when the key was one of the view's."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods & ~Qt.KeyboardModifier.ShiftModifier:
            return False
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        key = event.key()
        text = event.text()
        if key == Qt.Key.Key_Backtab or (key == Qt.Key.Key_Tab and shift):
            self.focus_next(-1)
        elif key == Qt.Key.Key_Tab:
            self.focus_next(1)
        elif key == Qt.Key.Key_A:
            self.accept_all() if shift else self.accept_focused()
        elif key == Qt.Key.Key_X and not shift:
            self.reject_focused()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_focused()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not shift:
            self.done_and_next()
        elif text == "?" or key == Qt.Key.Key_Question:
            self.help_requested.emit()
        elif text == "[":
            self.move_edge("start", grow=True)
        elif text == "]":
            self.move_edge("end", grow=True)
        elif text == "{":
            self.move_edge("start", grow=False)
        elif text == "}":
            self.move_edge("end", grow=False)
        elif key == Qt.Key.Key_Escape:
            self._set_focus(None)
        else:
            digit = digit_of(event)
            if digit is None:
                return False
            n, shifted = digit
            self.apply_label_key(n, m.ISSUE if shifted else m.ENTITY)
        return True

    # -- actions -----------------------------------------------------------------------------

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

    def _need_focus(self) -> FocusedSpan | None:
        if self._article is None:
            self.message.emit("open an article first")
            return None
        if self._focus is None:
            self.message.emit("no span is focused: press Tab to go to the next suggestion")
        return self._focus

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
        if self._pending:
            self.focus_next(1, after=(f.start, f.end, f.layer, f.id))
        else:
            self._set_focus(None)

    def accept_all(self) -> None:
        """Accept every undecided suggestion in the article (overlapping entities are skipped)."""
        if self._article is None:
            self.message.emit("open an article first")
            return
        ch = self._run(self.session.accept_all)
        if ch is not None:
            skipped = ch.count("skipped")
            text = f"accepted {ch.count('accepted')} suggestions"
            if skipped:
                text += f"; {skipped} overlapping entities were left undecided"
            self.message.emit(text)
            first = self.pending()
            self._set_focus(self._focus_of_suggestion(first[0]) if first else None)

    def label_for_key(self, n: int, layer: str) -> Label | None:
        """The label bound to digit ``n`` on ``layer`` (by its key, else by position)."""
        labels = [lab for lab in self._labels.values() if lab.layer == layer]
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
        if self._tokens is None and self._article is not None:
            from annotator.text import tokens

            self._tokens = tokens(self._article.text)
        return self._tokens

    def apply_label(self, layer: str, name: str) -> None:
        """Give ``name`` to the selected text (a new span) or to the focused span.

        A selection is widened to whole tokens unless character mode is on. A focused span on
        the other layer gets a new span with the same boundaries on this layer.
        """
        if self._article is None:
            self.message.emit("open an article first")
            return
        sel = self.selected_range()
        if sel is not None:
            start, end = sel if self.char_mode else self.tokens().snap(*sel)
            # Leading/trailing whitespace of an exact selection is never meant.
            text = self._article.text
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start >= end:
                self.message.emit("the selection holds no text")
                return
            self._add(Span(start, end, name, layer))
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

    def _add(self, span: Span) -> None:
        ch = self._run(lambda: self.session.add_span(span))
        if ch is None:
            return
        cur = self.textCursor()
        cur.clearSelection()
        self.setTextCursor(cur)
        self.message.emit(f"added {span.label}: {self._article.text[span.start : span.end]!r}")
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
            self.message.emit(f"{f.label}: {self._article.text[start:end]!r}")

    def done_and_next(self) -> None:
        """Mark the article done and open the next one still to do."""
        if self._article is None:
            self.message.emit("open an article first")
            return
        current = self._article.id
        if self._run(lambda: self.session.set_state(m.DONE, current)) is None:
            return
        pick = self.next_article_after or (
            lambda cur: self.session.store.next_article(self.session.annotator, cur)
        )
        nxt = self._run(lambda: pick(current))
        if nxt:
            self.session.open_article(nxt)
            self.message.emit("marked done; next article opened")
        else:
            self.message.emit("marked done; every article is done")

    def undo(self) -> None:
        """Undo the annotator's last action (the ledger), opening its article if needed."""
        self._replay(undo=True)

    def redo(self) -> None:
        """Redo the action undone last."""
        self._replay(undo=False)

    def _replay(self, undo: bool) -> None:
        store = self.session.store
        act = self._run(lambda: store.last_action(self.session.annotator, undone=not undo))
        ch = self._run(self.session.undo if undo else self.session.redo)
        if ch is None:
            return
        kind = act["kind"] if act else "action"
        self.message.emit(f"{'undone' if undo else 'redone'}: {kind}")
        aid = act.get("article_id") if act else None
        if aid and (self._article is None or aid != self._article.id):
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
                hit = [
                    a
                    for a in self._annotations.values()
                    if (a.layer, a.start, a.end) == (sp["layer"], sp["start"], sp["end"])
                ]
                if hit:
                    self._set_focus(self._focus_of_annotation(hit[0]))
                    return
        if sugg:
            self._focus_span(Span(sugg["start"], sugg["end"], sugg["label"], sugg["layer"]))


def _line_bounds(layout_of, block, top: float, bottom: float) -> tuple[int, int]:
    """Qt positions from the first line of ``block`` reaching ``top`` to the end of its last
    line starting above ``bottom`` (document coordinates); the whole block when none do."""
    lay = block.layout()
    pos = block.position()
    y0 = layout_of.blockBoundingRect(block).top()
    first, last = pos, pos + block.length()
    lines = [lay.lineAt(i) for i in range(lay.lineCount())]
    for line in lines:
        if y0 + line.y() + line.height() >= top:
            first = pos + line.textStart()
            break
    for line in reversed(lines):
        if y0 + line.y() <= bottom:
            last = pos + line.textStart() + line.textLength()
            break
    return first, last


# Where a pending suggestion goes in text order: (start, end, layer, id) of a SuggestionRow.
_pending_key: Callable[[SuggestionRow], tuple[int, int, str, int]] = operator.itemgetter(2, 3, 1, 0)


class _Sorted:
    """Tuples ``(start, end, ...)`` kept sorted, found by the range they overlap.

    A span overlapping ``[a, b)`` starts before ``b`` and at most the longest span's length
    before ``a``: two bisections bound the search (the longest length only ever grows, so it
    stays an upper bound after a removal). Given a ``source`` (a function returning the
    tuples), the list is only made when first used: opening an article needs none of it.
    """

    __slots__ = ("_items", "_longest", "_source")

    def __init__(self, items: Iterable[tuple] = (), source: Callable[[], Iterable[tuple]] | None = None):
        self._items: list[tuple] | None = None
        self._longest = 0
        self._source = source
        if source is None:
            self._build(items)

    def _build(self, items: Iterable[tuple]) -> None:
        self._items = sorted(items)
        self._longest = max((x[1] - x[0] for x in self._items), default=0)
        self._source = None

    @property
    def items(self) -> list[tuple]:
        if self._items is None:
            self._build(self._source())
        return self._items

    def add(self, item: tuple) -> None:
        bisect.insort(self.items, item)
        if item[1] - item[0] > self._longest:
            self._longest = item[1] - item[0]

    def discard(self, item: tuple) -> None:
        items = self.items
        i = bisect.bisect_left(items, item)
        if i < len(items) and items[i] == item:
            del items[i]

    def overlapping(self, a: int, b: int) -> list[tuple]:
        items = self.items
        lo = bisect.bisect_left(items, (a - self._longest,))
        hi = bisect.bisect_left(items, (b,), lo)
        return [x for x in items[lo:hi] if x[1] > a and x[0] < b]

    def overlapping_any(self, ranges: Iterable[tuple[int, int]]) -> list[tuple]:
        """The items overlapping one of ``ranges``, each once, in order."""
        found: set[tuple] = set()
        for a, b in ranges:
            found.update(self.overlapping(a, b))
        return sorted(found)


def _lanes(issue_marks: list[Mark]) -> list[tuple[int, int, str, bool, int]]:
    """Give each issue mark the lowest lane free over its range (marks sorted by start)."""
    lane_ends: list[int] = []
    out = []
    for start, end, _layer, label, pending in issue_marks:
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(end)
        out.append((start, end, label, pending, lane))
    return out


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out
