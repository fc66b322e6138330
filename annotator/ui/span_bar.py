"""A small bar by the focused span: accept, reject or relabel it with the mouse.

For people who work with the mouse; the keys stay first (the bar's buttons never take the
keyboard focus from the text, and each says its key). It follows the focused span: just below
its last line, or above its first when there is no room below, and it hides while nothing is
focused. A suggestion gets Accept, Reject and Label; an accepted span gets Remove and Label.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMenu, QToolButton

from annotator.model import ISSUE
from annotator.ui.article_spans import SUGGESTION

GAP = 4  # pixels between the span and the bar


def _button(text: str, tip: str, name: str) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.setObjectName(name)
    b.setAutoRaise(True)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay in the text
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return b


class SpanBar(QFrame):
    """The accept / reject / relabel bar of an :class:`~annotator.ui.article_view.ArticleView`.

    Parameters
    ----------
    view
        The article view; the bar lives on its viewport and acts through its methods
        (``accept_focused``, ``reject_focused``, ``apply_label``).

    Attributes
    ----------
    accept_button, reject_button, label_button : QToolButton
    label_menu : QMenu
        The labels the span can get (its layer's, those shown), filled when it opens.
    """

    def __init__(self, view):
        super().__init__(view.viewport())
        self.view = view
        self.setObjectName("span_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)  # apart from the page, in both themes
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.accept_button = _button("✓ Accept", "Accept this suggestion (A, or double-click it)", "accept")
        self.reject_button = _button("✗ Reject", "Reject this suggestion (X)", "reject")
        self.label_button = _button(
            "Label ▾", "Give it another label (its key, or Shift+key for issues)", "relabel"
        )
        self.label_menu = QMenu(self)
        self.label_menu.aboutToShow.connect(self._fill_label_menu)
        self.label_button.setMenu(self.label_menu)
        self.label_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.accept_button.clicked.connect(self._on_accept_clicked)
        self.reject_button.clicked.connect(self._on_reject_clicked)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)  # small: it sits over the next line
        for b in (self.accept_button, self.reject_button, self.label_button):
            b.setFont(font)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.setSpacing(0)
        for b in (self.accept_button, self.reject_button, self.label_button):
            layout.addWidget(b)
        self.hide()
        view.focus_changed.connect(self.follow)
        view.session.article_changed.connect(self.follow)  # a new article opens with no focus
        view.verticalScrollBar().valueChanged.connect(self.follow)
        view.horizontalScrollBar().valueChanged.connect(self.follow)

    def follow(self, *_args) -> None:
        """Show the bar by the focused span, or hide it when nothing is focused or it is out of sight."""
        f = self.view.focused
        if f is None:
            self.hide()
            return
        suggestion = f.kind == SUGGESTION
        self.accept_button.setVisible(suggestion)
        self.reject_button.setText("✗ Reject" if suggestion else "✗ Remove")
        self.reject_button.setToolTip(
            "Reject this suggestion (X)" if suggestion else "Remove this span (Delete)"
        )
        rects = self.view.range_rects(f.start, f.end)
        if not rects:
            self.hide()
            return
        self.adjustSize()
        vp = self.view.viewport()
        last, first = rects[-1], rects[0]
        x = int(min(max(0, last.left()), max(0, vp.width() - self.width())))
        y = int(last.bottom()) + GAP
        if y + self.height() > vp.height():
            y = int(first.top()) - GAP - self.height()  # no room below: above the span
        if y < 0 or y > vp.height():
            self.hide()
            return
        self.move(QPoint(x, y))
        self.show()
        self.raise_()

    def _on_accept_clicked(self) -> None:
        self.view.accept_focused()
        self.view.setFocus()

    def _on_reject_clicked(self) -> None:
        self.view.reject_focused()
        self.view.setFocus()

    def _fill_label_menu(self) -> None:
        menu = self.label_menu
        menu.clear()
        f = self.view.focused
        if f is None:
            return
        shows = self.view.session.label_filter.shows
        for lab in self.view.session.store.labels(f.layer):
            if not shows(lab.layer, lab.name) or lab.name == f.label:
                continue
            key = f"\t{'Shift+' if lab.layer == ISSUE else ''}{lab.key}" if lab.key else ""
            act = menu.addAction(f"{lab.name}{key}")
            act.setObjectName(f"label.{lab.name}")
            act.triggered.connect(lambda _=False, layer=lab.layer, name=lab.name: self._relabel(layer, name))

    def _relabel(self, layer: str, name: str) -> None:
        self.view.apply_label(layer, name)
        self.view.setFocus()


def install(view) -> SpanBar:
    """Give ``view`` its span bar (kept as ``view.span_bar``)."""
    bar = SpanBar(view)
    view.span_bar = bar
    return bar
