"""TextMap: the core's code-point offsets and Qt's UTF-16 positions map onto each other exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QFont, QTextDocument

from annotator.ui.mark_painter import build_document
from annotator.ui.text_map import TextMap


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\r\u00a0\u2028\u2029😀𝒳é\t")), max_size=40))
def test_text_map_round_trips_against_qt(text):
    tm = TextMap(text)
    doc = build_document(tm.display, QFont())
    utf16 = len(text.encode("utf-16-le")) // 2
    assert doc.characterCount() - 1 == utf16  # nothing merged, nothing dropped
    for k, ch in enumerate(text):
        q = tm.to_qt(k)
        assert tm.from_qt(q) == k
        got = doc.characterAt(q)
        if ord(ch) > 0xFFFF:
            assert tm.from_qt(q + 1) == k  # the middle of a pair is the same character
            assert "\ud800" <= got <= "\udbff"
        elif ch in "\r\n\u2029":
            assert got in ("\u2029", " ")
        else:
            assert got == ch
    assert tm.to_qt(len(text)) == utf16
    assert tm.from_qt(utf16) == len(text)


def test_lone_surrogate_does_not_shift_offsets():
    text = "a\ud800b Tom"
    tm = TextMap(text)
    doc = QTextDocument()
    doc.setPlainText(tm.display)
    assert doc.characterCount() - 1 == len(text)
    assert doc.characterAt(tm.to_qt(text.index("Tom"))) == "T"
