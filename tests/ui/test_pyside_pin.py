"""PySide6 6.12.0 crashes on Python 3.11 ("Fatal Python error: none_dealloc"): its void-returning
methods drop a reference to None. pyproject pins it away; these tests catch it if it comes back."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import PySide6


def test_the_pinned_pyside_is_not_the_crashing_release_on_this_python():
    if sys.version_info < (3, 12):
        assert not PySide6.__version__.startswith("6.12.0"), PySide6.__version__


def test_thousands_of_void_calls_do_not_crash_the_interpreter():
    # The crash takes a few thousand calls of a void method; a child process shows it as a
    # non-zero exit instead of killing the test run.
    code = textwrap.dedent(
        """
        import os
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QTextCursor, QTextDocument
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        doc = QTextDocument("word " * 2000)
        cur = QTextCursor(doc)
        for i in range(20000):
            cur.setPosition(i % 9000)
            cur.clearSelection()
        print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
