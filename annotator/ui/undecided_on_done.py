"""Enter on an article with undecided suggestions: ask once what to do with them.

Accept the rest, reject the rest, or leave them undecided; the answer can be kept for the
project (a setting of its database), and *Edit > Ask about undecided suggestions on Enter*
brings the question back. The article view calls :meth:`UndecidedOnDone.choose` from its
``done_and_next`` (:mod:`annotator.ui.article_decisions`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QMainWindow, QMessageBox

SETTING = "undecided_on_done"
ACCEPT, REJECT, LEAVE = "accept", "reject", "leave"
CHOICES = (ACCEPT, REJECT, LEAVE)
CHOICE_TEXT = {
    ACCEPT: "accept the rest",
    REJECT: "reject the rest",
    LEAVE: "leave them undecided",
}


class UndecidedOnDone(QObject):
    """Asks (or remembers) what Enter does with the undecided suggestions of an article.

    Parameters
    ----------
    window
        The main window (its ``session`` keeps the choice in the database).

    Attributes
    ----------
    box : QMessageBox or None
        The question while it is shown.

    Signals
    -------
    actions_changed()
        The remembered choice changed (the Edit menu's check mark follows it).
    """

    actions_changed = Signal()

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.box: QMessageBox | None = None

    def remembered(self) -> str | None:
        """The project's kept answer, or None when Enter asks."""
        value = self.window.session.store.get_setting(SETTING)
        return value if value in CHOICES else None

    def asks(self) -> bool:
        """True while Enter asks (the Edit menu's check mark)."""
        return self.remembered() is None

    def set_asks(self, on: bool) -> None:
        """Edit > Ask about undecided suggestions on Enter: on forgets the kept answer; off keeps
        the last one (leave them undecided when none was given)."""
        store = self.window.session.store
        store.set_setting(SETTING, None if on else (self.remembered() or LEAVE))
        self.actions_changed.emit()
        text = (
            "Enter asks about undecided suggestions again"
            if on
            else (f"Enter will {CHOICE_TEXT[self.remembered() or LEAVE]} without asking")
        )
        self.window.statusBar().showMessage(text, 6000)

    def choose(self, shown: int, hidden: int) -> str | None:
        """What to do with ``shown`` undecided suggestions (and ``hidden`` ones the View hides).

        Returns :data:`ACCEPT`, :data:`REJECT` or :data:`LEAVE`, or None when the user cancelled
        (the article is then not marked done).
        """
        kept = self.remembered()
        if kept is not None:
            return kept
        box = self.box = QMessageBox(self.window)
        box.setObjectName("undecided_on_done")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Undecided suggestions")
        text = f"{shown} suggestion{'s are' if shown != 1 else ' is'} still undecided in this article."
        if hidden:
            text += f" {hidden} more {'are' if hidden != 1 else 'is'} hidden (View) and stay undecided."
        box.setText(text + " Mark it done and…")
        buttons = {
            box.addButton("&Accept the rest", QMessageBox.ButtonRole.YesRole): ACCEPT,
            box.addButton("Re&ject the rest", QMessageBox.ButtonRole.NoRole): REJECT,
            box.addButton("&Leave them undecided", QMessageBox.ButtonRole.AcceptRole): LEAVE,
        }
        box.addButton(QMessageBox.StandardButton.Cancel)
        keep = QCheckBox("Do the same on every article of this project (Edit menu: ask again)")
        keep.setObjectName("remember")
        box.setCheckBox(keep)
        try:
            box.exec()
            choice = buttons.get(box.clickedButton())
            if choice is not None and keep.isChecked():
                self.window.session.store.set_setting(SETTING, choice)
                self.actions_changed.emit()
            return choice
        finally:
            self.box = None
            box.deleteLater()
