"""What the mouse does in the article view: point at a span, click to focus it, double-click to
accept a suggestion, hover for its tooltip; and the span bar follows the text when it reflows.

:class:`ArticleMouse` is mixed into :class:`~annotator.ui.article_view.ArticleView` (before
``QTextEdit``, so its Qt overrides are the view's); it uses the view's ``spans_at``,
``tooltip_at``, ``_set_focus``, ``accept_focused``, ``span_bar`` and its text map.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QToolTip

from annotator.ui.article_spans import SUGGESTION


class ArticleMouse:
    """The mouse handling of the article view (a mixin of :class:`~annotator.ui.article_view.ArticleView`)."""

    _accepted_by_double_click = False

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

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        bar = getattr(self, "span_bar", None)
        if bar is not None:
            bar.follow()  # the text reflowed under the bar

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        # Double-click on a suggestion accepts it (the mouse path); elsewhere it selects a word.
        offset = self.offset_at(event.position().toPoint())
        found = [f for f in self.spans_at(offset) if f.kind == SUGGESTION] if offset is not None else []
        if event.button() != Qt.MouseButton.LeftButton or not found:
            super().mouseDoubleClickEvent(event)
            return
        self._set_focus(found[0], scroll=False)
        self.accept_focused()
        self._accepted_by_double_click = True  # its release must not focus the new span
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().mouseReleaseEvent(event)
        if self._accepted_by_double_click:
            self._accepted_by_double_click = False
            return
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        offset = self.offset_at(event.position().toPoint())
        found = self.spans_at(offset) if offset is not None else []
        self._set_focus(found[0] if found else None, scroll=False)
