"""The window's actions declared as data: id, text, shortcut, handler; built into menus.

The main window's menus are tables of :class:`ActionSpec` (napari declares its actions the
same way) that :class:`WindowActions` builds into ``QAction`` objects owned by the window. A
handler is named by an attribute path on a *controller* object: on the window itself
(``"view.undo"`` is ``window.view.undo``) or on an object that does a menu's work
(``"retrain"`` on the :class:`~annotator.ui.learning.Learning` of the Model menu). The window
owns every action and menu; controllers only provide the methods, and say when the actions'
state may have changed through an ``actions_changed`` signal of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

Shortcut = str | QKeySequence.StandardKey | tuple[str, ...] | None


@dataclass(frozen=True)
class ActionSpec:
    """One action of the window.

    Attributes
    ----------
    id
        Unique name, ``"<menu>.<what>"`` (``"edit.undo"``); the built action is ``actions[id]``.
    text
        The menu text, with its ``&`` mnemonic.
    handler
        Attribute path of the method to call, on the controller (``"view.accept_focused"``).
    args
        Arguments the handler is called with (a checkable action's state follows them).
    shortcut
        A key sequence, a standard key, or several sequences.
    hint
        A key shown in the menu that the focused widget handles itself (``"A"``, ``"Tab"``):
        a real shortcut would fire in text fields too, where A types an A.
    checkable
        The handler gets the new checked state as its last argument.
    enabled, checked
        Attribute paths of methods (or properties) on the controller saying whether the action
        is enabled or checked now; read again on the controller's ``actions_changed``.
    widgets
        Attribute paths on the window of the widgets whose focus the shortcut is bound to
        (a key-only action, not shown in a menu).
    group
        Actions of one menu are separated where the group changes.
    """

    id: str
    text: str
    handler: str
    args: tuple = ()
    shortcut: Shortcut = None
    hint: str | None = None
    checkable: bool = False
    enabled: str | None = None
    checked: str | None = None
    widgets: tuple[str, ...] = ()
    group: int = 0


@dataclass(frozen=True)
class MenuSpec:
    """A menu of the window's menu bar: its title and its actions in order."""

    title: str
    actions: tuple[ActionSpec, ...]


def resolve(obj: Any, path: str) -> Any:
    """``obj.a.b`` for ``path`` ``"a.b"``."""
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


def _key_sequences(shortcut: Shortcut) -> list[QKeySequence]:
    if shortcut is None:
        return []
    if isinstance(shortcut, tuple):
        return [QKeySequence(s) for s in shortcut]
    return [QKeySequence(shortcut)]


class WindowActions:
    """The actions of one window, built from specs, by id.

    Parameters
    ----------
    window
        The window that owns the actions (their shortcuts work anywhere in it).
    """

    def __init__(self, window: QMainWindow):
        self.window = window
        self._actions: dict[str, QAction] = {}
        self._states: list[tuple[QAction, ActionSpec, Any]] = []
        self._watched: list[Any] = []

    def __getitem__(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def __contains__(self, action_id: str) -> bool:
        return action_id in self._actions

    def ids(self) -> list[str]:
        """Every action's id, in the order built."""
        return list(self._actions)

    def add(self, spec: ActionSpec, controller: Any) -> QAction:
        """Build the action of ``spec``; its handler is looked up on ``controller`` when triggered."""
        if spec.id in self._actions:
            raise ValueError(f"two actions are called {spec.id!r}")
        act = QAction(f"{spec.text}\t{spec.hint}" if spec.hint else spec.text, self.window)
        act.setObjectName(spec.id)
        keys = _key_sequences(spec.shortcut)
        if keys:
            act.setShortcuts(keys)
        act.setCheckable(spec.checkable)
        act.triggered.connect(lambda checked=False: self._trigger(spec, controller, checked))
        if spec.widgets:
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            for path in spec.widgets:
                resolve(self.window, path).addAction(act)
        else:
            self.window.addAction(act)
        if spec.enabled or spec.checked:
            self._states.append((act, spec, controller))
        self._watch(controller)
        self._actions[spec.id] = act
        return act

    def add_menu(self, menu: MenuSpec, controller: Any, before: QAction | None = None) -> QMenu:
        """Build ``menu`` and its actions into the menu bar (before the menu of ``before``)."""
        bar = self.window.menuBar()
        qmenu = QMenu(menu.title, bar)
        self.add_to_menu(qmenu, menu.actions, controller)
        if before is not None:
            bar.insertMenu(before, qmenu)
        else:
            bar.addMenu(qmenu)
        return qmenu

    def add_to_menu(self, qmenu: QMenu, specs: Sequence[ActionSpec], controller: Any) -> None:
        """Build ``specs`` onto the end of an existing menu, separated by group."""
        group = None
        for spec in specs:
            act = self.add(spec, controller)
            if spec.widgets:
                continue  # a key only
            if group is not None and spec.group != group:
                qmenu.addSeparator()
            group = spec.group
            qmenu.addAction(act)
        self.refresh()

    def refresh(self) -> None:
        """Read every action's enabled and checked state again from its controller."""
        for act, spec, controller in self._states:
            if spec.enabled:
                act.setEnabled(bool(_value(resolve(controller, spec.enabled))))
            if spec.checked:
                act.setChecked(bool(_value(resolve(controller, spec.checked))))

    def _watch(self, controller: Any) -> None:
        if any(c is controller for c in self._watched):
            return
        self._watched.append(controller)
        changed = getattr(controller, "actions_changed", None)
        if changed is not None:
            changed.connect(self.refresh)

    @staticmethod
    def _trigger(spec: ActionSpec, controller: Any, checked: bool) -> None:
        handler = resolve(controller, spec.handler)
        if spec.checkable:
            handler(*spec.args, checked)
        else:
            handler(*spec.args)


def _value(x: Any) -> Any:
    return x() if callable(x) else x
