"""Window actions built from specs: menus, separators, shortcuts, handlers and their state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QPlainTextEdit

from annotator.ui.actions import ActionSpec, MenuSpec, WindowActions


class Controller(QObject):
    actions_changed = Signal()

    def __init__(self):
        super().__init__()
        self.calls: list[tuple] = []
        self.ready = False
        self.on = False

    def go(self, *args):
        self.calls.append(("go", args))

    def toggle(self, checked: bool):
        self.calls.append(("toggle", checked))
        self.on = checked

    def is_ready(self) -> bool:
        return self.ready

    def is_on(self) -> bool:
        return self.on


@pytest.fixture
def window(qtbot):
    w = QMainWindow()
    w.editor = QPlainTextEdit()
    w.setCentralWidget(w.editor)
    qtbot.addWidget(w)
    return w


def test_a_menu_is_built_from_its_specs_with_separators_between_groups(window):
    acts, ctrl = WindowActions(window), Controller()
    tools = MenuSpec(
        "&Tools",
        (
            ActionSpec("tools.alpha", "&Alpha", "go", ("x",), shortcut="Ctrl+K"),
            ActionSpec("tools.beta", "&Beta", "go", hint="B"),
            ActionSpec("tools.gamma", "&Gamma", "go", shortcut=("Ctrl+G", "F7"), group=1),
        ),
    )
    menu = acts.add_menu(tools, ctrl)
    assert [a.text() for a in window.menuBar().actions()] == ["&Tools"]
    assert [(a.text(), a.isSeparator()) for a in menu.actions()] == [
        ("&Alpha", False),
        ("&Beta\tB", False),
        ("", True),
        ("&Gamma", False),
    ]
    assert acts["tools.alpha"].shortcut().toString() == "Ctrl+K"
    assert [k.toString() for k in acts["tools.gamma"].shortcuts()] == ["Ctrl+G", "F7"]
    assert acts["tools.beta"].shortcut().isEmpty()  # the hint is text only
    assert all(acts[i] in window.actions() for i in acts.ids())  # their keys work anywhere in it
    acts["tools.alpha"].trigger()
    acts["tools.beta"].trigger()
    assert ctrl.calls == [("go", ("x",)), ("go", ())]


def test_a_menu_goes_before_the_one_given(window):
    acts, ctrl = WindowActions(window), Controller()
    acts.add_menu(MenuSpec("&File", (ActionSpec("file.a", "A", "go"),)), ctrl)
    help_ = acts.add_menu(MenuSpec("&Help", (ActionSpec("help.a", "B", "go"),)), ctrl)
    acts.add_menu(MenuSpec("&Model", (ActionSpec("model.a", "C", "go"),)), ctrl, before=help_.menuAction())
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Model", "&Help"]


def test_a_checkable_action_passes_its_state_and_follows_its_controller(window):
    acts, ctrl = WindowActions(window), Controller()
    spec = ActionSpec("t.on", "&On", "toggle", checkable=True, enabled="is_ready", checked="is_on")
    acts.add_menu(MenuSpec("&T", (spec,)), ctrl)
    act = acts["t.on"]
    assert act.isCheckable() and not act.isEnabled() and not act.isChecked()
    ctrl.ready = True
    ctrl.actions_changed.emit()
    assert act.isEnabled()
    act.trigger()
    assert ctrl.calls == [("toggle", True)] and act.isChecked()
    ctrl.on = False  # the controller gave up (a ranking failed, say)
    ctrl.actions_changed.emit()
    assert not act.isChecked()


def test_a_key_only_action_is_bound_to_its_widgets_and_left_out_of_the_menu(window):
    acts, ctrl = WindowActions(window), Controller()
    specs = (
        ActionSpec("t.menu", "&Not here…", "go", hint="N"),
        ActionSpec("t.key", "Not here", "go", shortcut="N", widgets=("editor",)),
    )
    menu = acts.add_menu(MenuSpec("&T", specs), ctrl)
    key = acts["t.key"]
    assert [a.text() for a in menu.actions()] == ["&Not here…\tN"]
    assert key in window.editor.actions() and key not in window.actions()
    assert key.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut


def test_handlers_are_looked_up_by_path_when_triggered(window):
    acts, ctrl = WindowActions(window), Controller()
    ctrl.part = Controller()
    acts.add(ActionSpec("t.part", "Part", "part.go", (1,)), ctrl)
    ctrl.part = replacement = Controller()
    acts["t.part"].trigger()
    assert replacement.calls == [("go", (1,))]


def test_two_actions_of_one_id_are_refused(window):
    acts, ctrl = WindowActions(window), Controller()
    acts.add(ActionSpec("t.a", "A", "go"), ctrl)
    with pytest.raises(ValueError, match="t.a"):
        acts.add(ActionSpec("t.a", "Again", "go"), ctrl)
