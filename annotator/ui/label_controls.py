"""The View menu's label toggles and the Labels dialog: what the window shows and suggests.

:class:`LabelControls` does the work of the View menu's *Show entities*, *Show issues*, *Show
all labels* and its *Labels shown* submenu (one check per label in scope), and of *Edit >
Labels in this project…* (the project's label scope, :mod:`annotator.ui.label_scope_dialog`).
The toggles live in the session's :class:`~annotator.ui.label_filter.LabelFilter` and in the
user's settings; the scope lives in the database.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from annotator.model import ENTITY, ISSUE
from annotator.ui import settings
from annotator.ui.label_scope_dialog import LabelScopeDialog

HIDDEN_KEY = "view/hidden"
LAYER_NAMES = {ENTITY: "entities", ISSUE: "issues"}


class LabelControls(QObject):
    """Shows and hides layers and labels; edits the project's label scope.

    Parameters
    ----------
    window
        The main window; its ``session`` holds the filter, its ``run_suggest`` suggests the
        labels just put into scope.

    Signals
    -------
    actions_changed()
        What the toggles show changed: the window reads their check marks again.
    """

    actions_changed = Signal()

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.session.label_filter.from_setting(settings.read_list(HIDDEN_KEY))
        self.labels_menu: QMenu | None = None

    @property
    def filter(self):
        return self.session.label_filter

    # -- View toggles ----------------------------------------------------------------------------

    def entities_shown(self) -> bool:
        return ENTITY not in self.filter.hidden_layers

    def issues_shown(self) -> bool:
        return ISSUE not in self.filter.hidden_layers

    def show_layer(self, layer: str, shown: bool) -> None:
        """View > Show entities / Show issues."""
        self.filter.set_layer_shown(layer, shown)
        self._changed(f"{LAYER_NAMES[layer]} {'shown' if shown else 'hidden'}")

    def show_label(self, layer: str, name: str, shown: bool) -> None:
        """View > Labels shown > one label."""
        self.filter.set_label_shown(layer, name, shown)
        self._changed(f"{name} {'shown' if shown else 'hidden'}")

    def show_all(self) -> None:
        """View > Show all labels: every label in scope is drawn again."""
        self.filter.show_all()
        self._changed("every label in this project is shown")

    def _changed(self, text: str) -> None:
        settings.write(HIDDEN_KEY, self.filter.to_setting())
        self.session.view_filter_changed()
        self.actions_changed.emit()
        self.window.statusBar().showMessage(text, 6000)

    def hidden_text(self) -> str:
        """What the View toggles hide now, for the line under the title ("" when nothing)."""
        f = self.filter
        parts = [LAYER_NAMES[layer] for layer in (ENTITY, ISSUE) if layer in f.hidden_layers]
        parts += sorted(name for layer, name in f.hidden_labels if layer not in f.hidden_layers)
        return f"{', '.join(parts)} hidden (View)" if parts else ""

    def install_labels_menu(self, view_menu: QMenu, before: QAction | None) -> QMenu:
        """The *Labels shown* submenu of the View menu, filled each time it opens."""
        menu = QMenu("Labels &shown", view_menu)
        menu.setObjectName("labels_shown_menu")
        menu.aboutToShow.connect(self.fill_labels_menu)
        view_menu.insertMenu(before, menu)
        self.labels_menu = menu
        return menu

    def fill_labels_menu(self) -> None:
        """One checkable entry per label in scope, entities first."""
        menu = self.labels_menu
        menu.clear()
        f = self.filter
        for layer in (ENTITY, ISSUE):
            labels = [lab for lab in self.session.store.labels(layer) if f.in_scope(lab.layer, lab.name)]
            if not labels:
                continue
            menu.addSection(LAYER_NAMES[layer].capitalize())
            for lab in labels:
                act = menu.addAction(lab.name)
                act.setObjectName(f"show_label.{layer}.{lab.name}")
                act.setCheckable(True)
                act.setChecked((layer, lab.name) not in f.hidden_labels)
                act.setEnabled(layer not in f.hidden_layers)
                act.toggled.connect(lambda on, ly=layer, n=lab.name: self.show_label(ly, n, on))

    # -- the project's label scope -----------------------------------------------------------------

    def edit_scope(self) -> None:
        """Edit > Labels in this project…: check the labels the project suggests and shows."""
        s = self.session
        dlg = LabelScopeDialog(s.store.labels(), s.label_filter.off, self.window)
        if not dlg.exec():
            return
        old, new = s.label_filter.off, dlg.labels_off()
        if new == old:
            return
        s.set_labels_off(new)
        self.actions_changed.emit()
        added = sorted(name for _, name in old - new)
        removed = sorted(name for _, name in new - old)
        text = "; ".join(
            part
            for part in (
                f"now in this project: {', '.join(added)}" if added else "",
                f"left out: {', '.join(removed)}" if removed else "",
            )
            if part
        )
        self.window.statusBar().showMessage(text, 8000)
        if added and s.store.article_count():
            self._offer_suggest(added)

    def _offer_suggest(self, added: list[str]) -> None:
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Suggest the new labels?")
        box.setText(
            f"{', '.join(added)} {'is' if len(added) == 1 else 'are'} suggested from the next "
            "File > Suggest on. Suggest every article now? Decisions already made are kept."
        )
        now = box.addButton("Suggest now", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is now:
            self.window.run_suggest()
