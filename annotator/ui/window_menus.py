"""The main window's menus as tables of :class:`~annotator.ui.actions.ActionSpec`.

Handlers are attribute paths on the window (``"view.undo"``), on the window's helpers
(``"label_controls.show_layer"``, ``"undecided.set_asks"``) or, for the Model menu, on its
:class:`~annotator.ui.learning.Learning`. :class:`~annotator.ui.main_window.MainWindow` builds them.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from annotator import model as m
from annotator.ui.actions import ActionSpec, MenuSpec
from annotator.ui.learning import EXCEPTION_KEY, RETRAIN_KEY, UNCERTAIN_KEY
from annotator.ui.review_menu import REVIEW_KEY

FILE_MENU = MenuSpec(
    "&File",
    (
        ActionSpec("file.open", "&Open database…", "open_database", shortcut=QKeySequence.StandardKey.Open),
        ActionSpec("file.import", "&Import…", "import_files", shortcut="Ctrl+I"),
        ActionSpec("file.suggest", "&Suggest…", "run_suggest"),
        ActionSpec("file.export", "&Export…", "export_data"),
        ActionSpec("file.assign", "Assi&gn work…", "assign_work"),
        ActionSpec("file.quit", "&Quit", "close", shortcut=QKeySequence.StandardKey.Quit, group=1),
    ),
)
# ``hint``: a key the view handles itself (a shortcut would fire in the search field too, and
# Tab, Enter and Delete mean something else in the lists).
EDIT_MENU = MenuSpec(
    "&Edit",
    (
        ActionSpec("edit.undo", "&Undo", "view.undo", shortcut=QKeySequence.StandardKey.Undo),
        ActionSpec("edit.redo", "&Redo", "view.redo", shortcut=("Ctrl+Shift+Z", "Ctrl+Y")),
        ActionSpec("edit.accept", "&Accept", "view.accept_focused", hint="A", group=1),
        ActionSpec("edit.reject", "Re&ject", "view.reject_focused", hint="X", group=1),
        ActionSpec("edit.accept_all", "Accept a&ll", "view.accept_all", hint="Shift+A", group=1),
        ActionSpec("edit.delete", "&Delete span", "view.delete_focused", hint="Del", group=1),
        ActionSpec("edit.next", "&Next suggestion", "view.focus_next", (1,), hint="Tab", group=2),
        ActionSpec(
            "edit.previous", "&Previous suggestion", "view.focus_next", (-1,), hint="Shift+Tab", group=2
        ),
        ActionSpec(
            "edit.done",
            "&Mark done, open next",
            "view.done_and_next",
            shortcut=("Ctrl+Return", "Ctrl+Enter"),
            hint="Enter",
            group=2,
        ),
        ActionSpec(
            "edit.ask_undecided",
            "As&k about undecided suggestions on Enter",
            "undecided.set_asks",
            checkable=True,
            checked="undecided.asks",
            group=2,
        ),
        ActionSpec(
            "edit.char_mode", "&Character mode", "set_char_mode", shortcut="Ctrl+E", checkable=True, group=3
        ),
        ActionSpec("edit.switch_annotator", "S&witch annotator…", "switch_annotator", group=3),
        ActionSpec(
            "edit.preferences", "&Preferences…", "show_preferences", shortcut=QKeySequence.StandardKey.Preferences,
            group=3,
        ),
        ActionSpec(
            "edit.labels", "&Labels in this project…", "label_controls.edit_scope", shortcut="Ctrl+L", group=4
        ),
    ),
)
# The docks' show/hide actions go above these (_add_dock_toggles), the Labels shown submenu
# after the layer toggles (ui/label_controls.py).
VIEW_MENU = MenuSpec(
    "&View",
    (
        ActionSpec(
            "view.entities",
            "Show &entities",
            "label_controls.show_layer",
            (m.ENTITY,),
            shortcut="Ctrl+Shift+E",
            checkable=True,
            checked="label_controls.entities_shown",
        ),
        ActionSpec(
            "view.issues",
            "Show &issues",
            "label_controls.show_layer",
            (m.ISSUE,),
            shortcut="Ctrl+Shift+I",
            checkable=True,
            checked="label_controls.issues_shown",
        ),
        ActionSpec("view.show_all", "Show &all labels", "label_controls.show_all"),
        ActionSpec("view.pace", "&Pace of work…", "show_pace", group=2),
        ActionSpec(
            "view.zoom_in", "&Larger text", "view.zoomIn", (1,), shortcut=("Ctrl++", "Ctrl+="), group=1
        ),
        ActionSpec("view.zoom_out", "&Smaller text", "view.zoomOut", (1,), shortcut="Ctrl+-", group=1),
    ),
)
# Handlers on the window's Learning (ui/learning.py).
MODEL_MENU = MenuSpec(
    "&Model",
    (
        ActionSpec("model.retrain", "&Retrain from my annotations…", "retrain", shortcut=RETRAIN_KEY),
        ActionSpec(
            "model.uncertain",
            "&Most uncertain articles first",
            "set_uncertainty_order",
            shortcut=UNCERTAIN_KEY,
            checkable=True,
            enabled="uncertainty_available",
            checked="uncertainty_shown",
        ),
        ActionSpec("model.exception", "&Not this issue here…", "not_this_issue", hint=EXCEPTION_KEY, group=1),
        # The key itself works only in the view and the span list: N in the search field types an N.
        ActionSpec(
            "model.exception_key",
            "Not this issue here",
            "not_this_issue",
            shortcut=EXCEPTION_KEY,
            widgets=("view", "span_list"),
        ),
    ),
)
# Handlers on the window's ReviewMenu (ui/review_menu.py).
REVIEW_MENU = MenuSpec(
    "&Review",
    (
        ActionSpec("review.mode", "&Review mode", "open_review", shortcut=REVIEW_KEY),
        ActionSpec("review.agreement", "&Agreement…", "open_agreement"),
        ActionSpec("review.feedback", "&Feedback for annotator…", "open_feedback"),
        ActionSpec("review.merge", "&Merge databases…", "merge_databases", group=1),
    ),
)
HELP_MENU = MenuSpec(
    "&Help",
    (
        ActionSpec("help.shortcuts", "&Keyboard shortcuts", "show_shortcuts", shortcut="F1", hint="?"),
        ActionSpec("help.about", "&About annotator", "show_about"),
    ),
)
