"""The main window: article list, article view, label palette, span list, menus, status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from annotator import model as m
from annotator.errors import AnnotatorError
from annotator.ui import file_actions, window_layout
from annotator.ui.actions import WindowActions
from annotator.ui.article_list import ArticleListView
from annotator.ui.article_view import ArticleView
from annotator.ui.database_guard import DatabaseGuard
from annotator.ui.dialogs import ask_annotator, file_dialog
from annotator.ui.errors import show_error
from annotator.ui.keys import is_forwarded_key
from annotator.ui.label_controls import LabelControls
from annotator.ui.label_palette import LabelPalette
from annotator.ui.learning import Learning
from annotator.ui.note_banner import NoteBanner
from annotator.ui.review_menu import ReviewMenu
from annotator.ui.session import Session
from annotator.ui.shortcuts import ShortcutsDialog
from annotator.ui.span_list import SpanList
from annotator.ui.status_bar import WindowStatus
from annotator.ui.theme import ThemeControl
from annotator.ui.undecided_on_done import UndecidedOnDone
from annotator.ui.window_menus import EDIT_MENU, FILE_MENU, HELP_MENU, MODEL_MENU, REVIEW_MENU, VIEW_MENU

STATE_TEXT = {m.TODO: "to do", m.IN_PROGRESS: "in progress", m.DONE: "done", m.SKIPPED: "skipped"}


class MainWindow(QMainWindow):
    """The annotator's window.

    Centre: the open article's title above the :class:`ArticleView`. Left dock: the article
    list; right docks: the label palette and the span list. The status bar shows who is
    annotating (click to switch), progress, the model state and the database path.

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`; every widget of the window shares it.
    parent
        Parent widget (normally None).

    Attributes
    ----------
    window_actions : WindowActions
        Every action of the window by id (``window_actions["edit.undo"]``), built from the
        menu tables of :mod:`annotator.ui.window_menus`.
    learning : Learning
        Does the Model menu's work (:data:`MODEL_MENU` calls into it).
    review : ReviewMenu
        Does the Review menu's work (:data:`REVIEW_MENU`); holds the review window.
    help_menu : QMenu
        The last menu; menus added later go before it.
    database_guard : DatabaseGuard
        Watches the database file and shows when a write waits for another program.
    """

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("MainWindow")
        self.setMinimumSize(900, 560)
        # Before any widget reads spans: the View toggles kept from the last session apply;
        # before any is drawn: the theme kept from the last session.
        self.label_controls = LabelControls(self)
        self.theme = ThemeControl(self)

        self.view = ArticleView(session)
        self.view.error_presenter = self.show_error
        self.undecided = UndecidedOnDone(self)
        self.view.ask_undecided = self.undecided.choose
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        self.info_label = QLabel()
        self.info_label.setTextFormat(Qt.TextFormat.PlainText)
        self.info_label.setForegroundRole(self.info_label.foregroundRole())
        self.info_label.setEnabled(False)  # the palette's muted text colour
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 0)
        layout.setSpacing(2)
        self.note = NoteBanner()
        layout.addWidget(self.note)
        layout.addWidget(self.title_label)
        layout.addWidget(self.info_label)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)

        self.docks: dict[str, QDockWidget] = {}
        self._make_docks()
        self._make_status_bar()
        self._make_menus()

        session.article_changed.connect(self._on_session_article_changed)
        session.changed.connect(self._on_session_changed)
        session.annotator_changed.connect(self._on_session_annotator_changed)
        session.store_changed.connect(self._on_session_store_changed)
        self.view.message.connect(self._on_view_message)
        self.view.help_requested.connect(self.show_shortcuts)
        self.view.focus_changed.connect(self._on_view_focus_changed)
        QApplication.instance().installEventFilter(self)
        # A deleted or replaced database file, and writes waiting for another program.
        self.database_guard = DatabaseGuard(self)

        self._update_title()
        self._update_status()
        self.resize(1280, 800)
        self._show_cleanup_notes()

    # -- building --------------------------------------------------------------------------

    def _dock(self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{key}_dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def _make_docks(self) -> None:
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.article_list = ArticleListView(self.session)
        self.article_list.article_activated.connect(self._on_article_list_activated)
        self._dock("articles", "Articles", self.article_list, left)
        self.view.next_article_after = self._next_article_after
        self.label_palette = LabelPalette(self.session)
        self.label_palette.label_chosen.connect(self._on_label_palette_chosen)
        self._dock("labels", "Labels", self.label_palette, right)
        self.span_list = SpanList(self.session)
        self.span_list.span_activated.connect(self._on_span_list_activated)
        self._dock("spans", "Spans", self.span_list, right)
        self._layout_restored = False  # the docks are sized when first shown (window_layout.py)

    def _make_status_bar(self) -> None:
        self.status = WindowStatus(self)
        # The status bar's widgets, by the names the window has always had.
        self.annotator_button = self.status.annotator_button
        self.annotator_button.clicked.connect(self.switch_annotator)
        self.progress_label = self.status.progress
        self.model_label = self.status.model_label
        self.db_label = self.status.db_label

    def _make_menus(self) -> None:
        # The Model menu's work is done by Learning (ui/learning.py); the window owns its actions.
        self.learning = Learning(self)
        acts = self.window_actions = WindowActions(self)
        acts.add_menu(FILE_MENU, self)
        acts.add_menu(EDIT_MENU, self)
        view_menu = acts.add_menu(VIEW_MENU, self)
        self.label_controls.install_labels_menu(view_menu, acts["view.show_all"])
        view_menu.addSeparator()
        self.theme.install_menu(view_menu)
        self.label_controls.actions_changed.connect(acts.refresh)
        self.undecided.actions_changed.connect(acts.refresh)
        self.session.store_changed.connect(acts.refresh)
        self.label_controls.actions_changed.connect(self._update_info)
        self._add_dock_toggles(view_menu)
        acts.add_menu(MODEL_MENU, self.learning)
        self.help_menu = acts.add_menu(HELP_MENU, self)
        self._connect_learning()
        self.review = ReviewMenu(self)
        self.review_menu = acts.add_menu(REVIEW_MENU, self.review, before=self.help_menu.menuAction())

    def _add_dock_toggles(self, view_menu) -> None:
        """The docks' show/hide actions at the top of the View menu."""
        first = view_menu.actions()[0] if view_menu.actions() else None
        view_menu.insertActions(
            first, [self.docks[k].toggleViewAction() for k in ("articles", "labels", "spans")]
        )
        view_menu.insertSeparator(first)

    def _connect_learning(self) -> None:
        """The Model menu's entries in the view's and the span list's context menus."""
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self.learning.show_view_context_menu)
        table = self.span_list.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self.learning.show_span_table_context_menu)

    # -- status ------------------------------------------------------------------------------

    def set_model_state(self, state: str) -> None:
        """Show the model state in the status bar: idle, loading, suggesting, training…, ranking…"""
        self.status.set_model_state(state)

    def _update_status(self) -> None:
        self.status.update()

    def _update_title(self) -> None:
        art = self.view.article
        if art is None:
            self.status.update_article(None)
            self.title_label.setVisible(True)
            self.title_label.setText("No article open")
            self.info_label.setText(
                "Pick an article in the list on the left, or import some (File > Import)."
            )
            return
        self.title_label.setText(art.title or "(untitled)")
        # The title once: above the text only when the text does not start with it.
        self.title_label.setVisible(not self.view.shows_heading())
        self._update_info()

    def _info_article(self) -> str | None:
        art = self.view.article
        return art.id if art is not None else None

    def _update_info(self, state: str | None = None) -> None:
        """The line under the title; ``state``: the article's state when the caller knows it."""
        art = self.view.article
        if art is None:
            return
        if state is None:
            state = self.session.store.state(self.session.annotator, art.id)
        pending = self.view.pending_count()
        self.status.update_article(pending)
        spans = self.view.annotation_count()
        mode = " · character mode" if self.view.char_mode else ""
        hidden = self.label_controls.hidden_text()
        mode += f" · {hidden}" if hidden else ""
        self.info_label.setText(
            f"{STATE_TEXT.get(state, state)} · {pending} undecided suggestion{'s' * (pending != 1)}"
            f" · {spans} span{'s' * (spans != 1)}{mode}"
        )

    # -- session events ------------------------------------------------------------------------

    def _on_session_article_changed(self, _article_id: str) -> None:
        self._update_title()

    def _on_session_changed(self, changes: m.Changes) -> None:
        if changes.states or changes.spans or changes.articles or not changes.counts:
            up = changes.update
            one = (
                up is not None
                and up.annotator == self.session.annotator
                and changes.articles == frozenset({up.article_id})
                and not changes.labels
            )
            # One action on one article that left its state as it was cannot change how many
            # articles there are or are done: no counting queries on every keypress.
            if not (one and up.state is None):
                self._update_status()
            else:
                self.status.update_today()
            self._update_info(up.state if one and up.article_id == self._info_article() else None)

    def _on_session_annotator_changed(self, _name: str) -> None:
        self._update_status()
        self._update_info()

    def _on_session_store_changed(self) -> None:
        self._update_status()
        self._update_title()
        self._show_cleanup_notes()

    def _on_view_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _on_view_focus_changed(self, kind: str, span_id: int) -> None:
        if kind:
            self.span_list.select_span(kind, span_id)
        f = self.view.focused
        if f is not None:
            self.label_palette.select_label(f.layer, f.label)

    def _on_article_list_activated(self, article_id: str) -> None:
        self.session.open_article(article_id)
        self.view.setFocus()

    def _on_label_palette_chosen(self, layer: str, name: str) -> None:
        self.view.apply_label(layer, name)
        self.view.setFocus()

    def _on_span_list_activated(self, kind: str, span_id: int) -> None:
        self.view.set_focus_span(kind, span_id)
        self.view.setFocus()

    def set_char_mode(self, on: bool) -> None:
        """Edit > Character mode: selections keep their exact characters (off: whole words)."""
        self.view.char_mode = bool(on)
        self.statusBar().showMessage(
            "character mode: selections keep their exact characters"
            if on
            else "token mode: selections snap to whole words",
            6000,
        )
        self._update_info()

    def assign_work(self) -> None:
        """File > Assign work…: share the articles among annotators (ui/assign_dialog.py)."""
        from annotator.ui.assign_dialog import assign_work

        assign_work(self)

    def show_about(self) -> None:
        from annotator.ui.about import show_about

        show_about(self)

    def show_preferences(self) -> None:
        from annotator.ui.preferences import show_preferences

        show_preferences(self)

    # -- keys from the lists -------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # A, X, digits, brackets and ? typed while a list beside the view has focus act on the
        # article, as if typed in the view; text fields keep their keys.
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        focus = QApplication.focusWidget()
        if (
            obj is not focus
            or focus is None
            or focus is self.view
            or not self.isAncestorOf(focus)
            or _is_text_input(focus)
        ):
            return False
        if is_forwarded_key(event):
            return self.view.handle_key(event)
        return False

    # -- actions -------------------------------------------------------------------------------

    def show_error(self, exc: BaseException) -> None:
        """Present an error: a dialog with the message, the traceback only under details."""
        show_error(self, exc)

    def show_note(self, text: str) -> None:
        """A note above the article (the first start's welcome) until the user closes it."""
        self.note.show_note(text)

    def _show_cleanup_notes(self) -> None:
        """Say what taking back an import that died midway did (when opening the database)."""
        if self.session.cleanup_notes:
            self.show_note("\n".join(f"Note: {text}." for text in self.session.cleanup_notes))

    def show_pace(self) -> None:
        """View > Pace of work: articles done per day and how the work went."""
        from annotator.ui.pace_dialog import PaceDialog

        self.pace_dialog = PaceDialog(self.session, self)
        self.pace_dialog.show()

    def show_shortcuts(self) -> None:
        """The ``?`` dialog: every shortcut."""
        ShortcutsDialog(self).exec()

    def open_first_article(self) -> None:
        """Open the first article still to do (else the first article), if there is one."""
        s = self.session
        target = s.store.next_article(s.annotator)
        if target is None:
            ids = s.store.article_ids()
            target = ids[0] if ids else None
        s.open_article(target)
        self.view.setFocus()

    def switch_annotator(self) -> None:
        """Ask for another annotator name and record decisions under it from now on."""
        s = self.session
        name = ask_annotator(self, s.annotator, s.store.annotators())
        if name and name != s.annotator:
            try:
                s.set_annotator(name)
            except AnnotatorError as e:
                self.show_error(e)
                return
            self.statusBar().showMessage(f"annotating as {name}", 6000)

    def _next_article_after(self, current: str) -> str | None:
        """The article Enter opens: the next one to do in the list's order when it is ranked by
        uncertainty, else the next one to do in import order."""
        s = self.session
        model = self.article_list.model
        if not model.ordered:
            return s.store.next_article(s.annotator, current)
        ids = list(model.ids())
        i = model.row_of(current)
        for aid in ids[i + 1 :] + ids[: max(i, 0)]:
            if s.store.state(s.annotator, aid) not in (m.DONE, m.SKIPPED):
                return aid
        return None

    def open_database(self) -> None:
        """Open (or create) another database file."""
        # Never a plain QFileDialog: sniffing the listed files would open the live database in
        # this process, which drops SQLite's locks on it (see dialogs.file_dialog).
        dlg = file_dialog(self, "Open or create a database", str(Path(self.session.db_path).parent))
        dlg.setFileMode(QFileDialog.FileMode.AnyFile)
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dlg.setNameFilters(["Annotator databases (*.db *.sqlite *.sqlite3)", "All files (*)"])
        if not dlg.exec() or not dlg.selectedFiles():
            return
        self.open_database_path(Path(dlg.selectedFiles()[0]))

    def open_database_path(self, path: Path) -> bool:
        """Switch the window to the database at ``path``; an error leaves the current one open."""
        from annotator.store import Store

        try:
            store = Store(path)
            if not store.labels():
                from annotator import ops

                ops.ensure_default_labels(store)
            store.set_setting("last_annotator", self.session.annotator)
        except AnnotatorError as e:
            self.show_error(e)
            return False
        self.session.open_store(store)
        self.open_first_article()
        return True

    def import_files(self) -> None:
        """File > Import: pick files, import them in the background."""
        file_actions.import_files(self, self.session)

    def run_suggest(self, articles: list[str] | None = None):
        """File > Suggest: run the models in the background; the status bar shows the model state."""
        self.set_model_state("loading")
        task = file_actions.run_suggest(self, self.session, articles=articles)
        self.status.track(task, "suggesting")
        task.progressed.connect(lambda _done, _total: self.set_model_state("suggesting"))
        task.done.connect(lambda: self.set_model_state("idle"))
        return task

    def export_data(self) -> None:
        """File > Export: write the annotations in the background."""
        file_actions.export_data(self, self.session)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._layout_restored:
            self._layout_restored = True
            window_layout.size_docks(self)
            # Kept sizes (or the shares again) once the first show has laid the window out.
            QTimer.singleShot(0, lambda: window_layout.lay_out(self))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if not self._layout_restored and not self.isVisible():
            window_layout.size_docks(self)  # sized before shown: the docks follow

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        from annotator.ui import tasks

        window_layout.save(self)
        # Cancelled background work rolls back, so quitting mid-import leaves the data as it was.
        tasks.stop_all()
        QApplication.instance().removeEventFilter(self)
        super().closeEvent(event)


def _is_text_input(w: QWidget) -> bool:
    if isinstance(w, QLineEdit | QAbstractSpinBox):
        return True
    if isinstance(w, QComboBox):
        return w.isEditable()
    if isinstance(w, QTextEdit | QPlainTextEdit):
        return not w.isReadOnly()
    return False
