"""The feedback page as the window shows it (Qt's rich text): label headers stay whole words."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from annotator.model import Span
from annotator.review.feedback import feedback_report
from annotator.review.spans import ArticleSpans


def test_feedback_headers_stay_whole_words_in_a_narrow_window(qtbot):
    # Seen (issue 17): "CA RDI NAL", "IM MIG RATI ON" in the label table's headers.
    t = "Cardinal numbers and immigration rules."
    spans = {
        "dan": [Span(0, 8, "CARDINAL"), Span(21, 32, "IMMIGRATION", "issue")],
        "gold": [Span(0, 8, "QUANTITY"), Span(21, 38, "IMMIGRATION", "issue")],
    }
    doc = QTextDocument()
    doc.setHtml(feedback_report([ArticleSpans("a1", t, spans)], "dan").to_html())
    doc.setTextWidth(360)
    layout = doc.documentLayout()
    block = doc.begin()
    seen = set()
    while block.isValid():
        layout.blockBoundingRect(block)  # lays the block out
        if block.text() in ("CARDINAL", "QUANTITY", "IMMIGRATION"):
            seen.add(block.text())
            assert block.layout().lineCount() == 1, block.text()
        block = block.next()
    assert seen == {"CARDINAL", "QUANTITY", "IMMIGRATION"}
