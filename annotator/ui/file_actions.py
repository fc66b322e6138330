"""File menu actions: import, suggest and export, run in the background with progress and Cancel.

Each action asks what to do (a file dialog; tests pass the answer instead), then runs the
operation from :mod:`annotator.ops` in a worker thread on its *own* store
(:func:`annotator.ui.worker.run_on_store`: the GUI thread owns the session's connection), and back on the GUI thread announces the changes with
``session.notify`` and shows a summary in the status bar.

Import and suggest run inside one transaction, so Cancel or an error leaves the database as it
was; a file that fails to import is still skipped on its own (its savepoint is rolled back) and
listed afterwards. Export writes a temporary file that replaces the target only when complete.

The dialogs are module-level functions (:func:`choose_import_paths`, :func:`choose_export`) so
tests can monkeypatch them or pass the answers as arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QWidget,
)

from annotator.errors import Cancelled
from annotator.model import Changes
from annotator.ui import dialogs
from annotator.ui.errors import show_error
from annotator.ui.session import Session
from annotator.ui.tasks import Task
from annotator.ui.worker import run_on_store, same_database

STATUS_MS = 15_000
EXT_ROLE = Qt.ItemDataRole.UserRole + 1


# -- dialogs (replaceable in tests) -------------------------------------------------------------
# Built on dialogs.file_dialog, never a plain QFileDialog: sniffing the listed files would open
# the live database in this process and drop SQLite's locks on it.


def choose_import_paths(window: QWidget | None, folder: bool = False) -> list[Path] | None:
    """Ask for files (or one folder) to import; None when the user cancels."""
    if folder:
        path = dialogs.existing_directory(window, "Import a folder")
        return [Path(path)] if path else None
    from annotator import importers

    suffixes = sorted({s for f in importers.FORMATS.values() for s in f.extensions} | {".ann"})
    filters = f"Articles and annotations ({' '.join('*' + s for s in suffixes)});;All files (*)"
    paths = dialogs.open_file_names(window, "Import files", "", filters)
    return [Path(p) for p in paths] or None


@dataclass(frozen=True)
class ExportChoice:
    """What to export and where."""

    format: str
    path: Path
    annotator: str | None = None  # None: every annotator
    suggestions: bool = False  # export the current suggestions instead of annotations
    tokens: bool = False  # prodigy: add spaCy's tokens array and span token indices


def export_formats() -> list[tuple[str, str, str]]:
    """``(name, extension, description)`` of each export format, ledger included."""
    from annotator import export as exporters
    from annotator import ops

    out = []
    for name in ops.EXPORT_FORMATS:
        f = exporters.FORMATS.get(name)
        if f is not None:
            out.append((name, f.extension, f.description))
        elif name == "ledger":
            out.append((name, ".jsonl", "every decision and action, for audit (JSONL)"))
        else:
            out.append((name, "", name))
    return out


class ExportDialog(QDialog):
    """Choose an export format, whose work to export and the file to write.

    Parameters
    ----------
    session
        The window's session (for the annotator's name and the database folder).
    parent
        The window.

    Attributes
    ----------
    format_combo : QComboBox
        Item data is the format name.
    scope_combo : QComboBox
        "Every annotator", "Only <me>", "Current suggestions".
    tokens_check : QCheckBox
        Add spaCy tokens to a Prodigy export; enabled only for the formats that offer it.
    path_edit : QLineEdit
        The output file.
    """

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.session = session
        self.format_combo = QComboBox()
        for name, ext, desc in export_formats():
            self.format_combo.addItem(f"{name} — {desc}", name)
            self.format_combo.setItemData(self.format_combo.count() - 1, ext, EXT_ROLE)
        self.scope_combo = QComboBox()
        self.scope_combo.addItem("Every annotator", "all")
        self.scope_combo.addItem(f"Only {session.annotator}", "me")
        self.scope_combo.addItem("Current suggestions (no decisions)", "suggestions")
        self.tokens_check = QCheckBox("Include spaCy tokens (Prodigy db-out style)")
        self.tokens_check.setToolTip(
            "Adds each article's tokens and every span's token_start/token_end. Slower and about"
            " five times larger; Prodigy tokenizes tasks without them itself."
        )
        self.path_edit = QLineEdit(str(session.db_path.with_name(session.db_path.stem + "-export.jsonl")))
        browse = QPushButton("Browse…")
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout(self)
        form.addRow("Format", self.format_combo)
        form.addRow("Export", self.scope_combo)
        form.addRow("", self.tokens_check)
        form.addRow("File", row)
        form.addRow(self.buttons)
        self.format_combo.currentIndexChanged.connect(self._on_format_combo_changed)
        browse.clicked.connect(self._on_browse_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._update_tokens_check()

    def choice(self) -> ExportChoice | None:
        """The choice as filled in (None without a file name)."""
        text = self.path_edit.text().strip()
        if not text:
            return None
        scope = self.scope_combo.currentData()
        return ExportChoice(
            self.format_combo.currentData(),
            Path(text).expanduser(),
            self.session.annotator if scope == "me" else None,
            scope == "suggestions",
            self.tokens_check.isEnabled() and self.tokens_check.isChecked(),
        )

    def _extension(self) -> str:
        return self.format_combo.currentData(EXT_ROLE) or ""

    def _update_tokens_check(self) -> None:
        from annotator import export as exporters

        found = exporters.FORMATS.get(self.format_combo.currentData())
        self.tokens_check.setEnabled(found is not None and found.optional_tokens)

    def _on_format_combo_changed(self, _i: int) -> None:
        self._update_tokens_check()
        ext = self._extension()
        text = self.path_edit.text().strip()
        if text and ext:
            self.path_edit.setText(str(Path(text).with_suffix(ext)))

    def _on_browse_clicked(self) -> None:
        ext = self._extension()
        path = dialogs.save_file_name(
            self, "Export to", self.path_edit.text(), f"*{ext};;All files (*)" if ext else "All files (*)"
        )
        if path:
            self.path_edit.setText(path)


def choose_export(window: QWidget | None, session: Session) -> ExportChoice | None:
    """Show the :class:`ExportDialog`; None when the user cancels."""
    dialog = ExportDialog(session, window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.choice()


def tell_user(window: QWidget | None, text: str) -> None:
    """A short summary: in the window's status bar, else in a message box."""
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, STATUS_MS)
    else:
        QMessageBox.information(window, "annotator", text)


def show_problems(window: QWidget | None, text: str, details: str) -> QMessageBox:
    """A warning box for partial failures (the list is under "Show Details…")."""
    box = QMessageBox(window)
    box.setWindowTitle("annotator")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setText(text)
    box.setDetailedText(details)
    box.exec()
    return box


# -- the work (plain Python, run in the worker thread on its own store) -------------------------


def _import(store, *, paths: Sequence[Path], format: str | None, annotator: str | None, progress, cancelled):
    from annotator import ops

    # Run inside one outer transaction (run_on_store's): Cancel rolls back every file. A file
    # that fails is rolled back alone (its own savepoint) and reported in its FileResult.
    return ops.import_paths(
        store, paths, format=format, annotator=annotator, progress=progress, cancelled=cancelled
    )


def _suggest(store, *, model, taxonomy, articles, progress, cancelled):
    from annotator import ops

    return ops.suggest(
        store, model=model, taxonomy=taxonomy, articles=articles, progress=progress, cancelled=cancelled
    )


def _export(store, *, choice: ExportChoice, progress, cancelled) -> int:
    from annotator import ops

    def report(done: int, total: int) -> None:
        # ops.export has no cancel argument; stopping from the progress callback unwinds it
        # before the temporary file replaces the target.
        if cancelled():
            raise Cancelled("export cancelled; no file was written")
        progress(done, total)

    if cancelled():
        raise Cancelled("export cancelled; no file was written")
    return ops.export(
        store,
        choice.format,
        choice.path,
        annotator=choice.annotator,
        suggestions=choice.suggestions,
        progress=report,
        tokens=choice.tokens,
    )


# -- summaries -----------------------------------------------------------------------------------


def import_summary(results: Sequence[Any]) -> tuple[str, str, Changes]:
    """``(summary, problems, changes)`` of an import's FileResults (problems "" when none)."""
    changes = Changes()
    added = known = annotations = suggestions = 0
    failed: list[str] = []
    warned: list[str] = []
    for r in results:
        if r.error is not None:
            failed.append(f"{r.path}: {r.error}")
            continue
        rep = r.report
        if rep is not None:
            changes = changes | rep.changes
            added += rep.articles_added
            known += rep.articles_known
            annotations += rep.annotations
            suggestions += rep.suggestions
        warned += [f"{r.path}: {w}" for w in r.warnings]
    n_ok = len(results) - len(failed)
    parts = [f"{added:,} new article{'s' if added != 1 else ''}"]
    if known:
        parts.append(f"{known:,} already here")
    if annotations:
        parts.append(f"{annotations:,} annotations")
    if suggestions:
        parts.append(f"{suggestions:,} suggestions")
    text = f"Imported {n_ok} file{'s' if n_ok != 1 else ''}: " + ", ".join(parts)
    if failed:
        text += f"; {len(failed)} file{'s' if len(failed) != 1 else ''} failed and {'were' if len(failed) != 1 else 'was'} skipped"
    if warned:
        text += f"; {len(warned)} warning{'s' if len(warned) != 1 else ''}"
    problems = "\n".join(failed + warned)
    return text, problems, changes


# -- the actions -------------------------------------------------------------------------------


def import_files(
    window: QWidget | None,
    session: Session,
    paths: Sequence[str | Path] | None = None,
    folder: bool = False,
    format: str | None = None,
) -> Task | None:
    """Import files (or a folder) into the session's database in the background.

    Parameters
    ----------
    window
        The main window (status bar, dialog parent).
    session
        The window's session.
    paths
        What to import; asked with :func:`choose_import_paths` when None.
    folder
        Ask for a folder instead of files.
    format
        Force an import format (detected per file when None).

    Returns
    -------
    Task or None
        The running task, or None when the user cancelled the file dialog.
    """
    if paths is None:
        paths = choose_import_paths(window, folder=folder)
        if not paths:
            return None
    paths = [Path(p) for p in paths]
    db_path = Path(session.db_path)
    what = paths[0].name if len(paths) == 1 else f"{len(paths)} items"

    def on_result(results: list[Any]) -> None:
        text, problems, changes = import_summary(results)
        if same_database(session, db_path):
            session.notify(changes)
        tell_user(window, text)
        if problems:
            show_problems(window, text, problems)

    return run_on_store(
        session,
        partial(_import, paths=paths, format=format, annotator=session.annotator),
        f"Importing {what}",
        window,
        transaction=True,
        on_result=on_result,
        on_error=lambda exc: show_error(window, exc),
        on_cancel=lambda: tell_user(window, "Import cancelled; nothing was imported."),
    )


def run_suggest(
    window: QWidget | None,
    session: Session,
    articles: Sequence[str] | None = None,
    model: str | Path | None = None,
    taxonomy: Path | None = None,
) -> Task:
    """Suggest entity and issue spans (all articles when ``articles`` is None) in the background.

    Decisions already made are kept; Cancel or an error leaves the suggestions as they were.
    """
    db_path = Path(session.db_path)
    articles = list(articles) if articles is not None else None

    def on_result(summary: Any) -> None:
        changes = getattr(summary, "changes", None) or Changes(spans=True)
        if same_database(session, db_path):
            session.notify(changes | Changes(labels=True))
        spans = sum(getattr(summary, "spans", {}).values())
        n = getattr(summary, "articles", 0)
        secs = getattr(summary, "seconds", 0.0)
        failed = getattr(summary, "failed", [])
        n -= len(failed)
        text = f"Suggested {spans:,} spans in {n:,} article{'s' if n != 1 else ''} ({secs:.1f} s)."
        if failed:
            details = "\n".join(f"{title} (id {aid}): {error}" for aid, title, error in failed)
            show_problems(
                window,
                f"{text} The pipeline failed on {len(failed)} article{'s' if len(failed) != 1 else ''}; "
                "they keep their earlier suggestions.",
                details,
            )
        else:
            tell_user(window, text)

    label = "Suggesting spans" if articles is None else f"Suggesting spans in {len(articles)} articles"
    return run_on_store(
        session,
        partial(_suggest, model=model, taxonomy=taxonomy, articles=articles),
        label,
        window,
        transaction=True,
        on_result=on_result,
        on_error=lambda exc: show_error(window, exc),
        on_cancel=lambda: tell_user(window, "Suggest cancelled; the suggestions are as they were."),
    )


def export_data(window: QWidget | None, session: Session, choice: ExportChoice | None = None) -> Task | None:
    """Export annotations (or suggestions) to a file in the background.

    Parameters
    ----------
    window
        The main window.
    session
        The window's session.
    choice
        Format, file, whose work; asked with :func:`choose_export` when None.

    Returns
    -------
    Task or None
        The running task, or None when the user cancelled the dialog.
    """
    if choice is None:
        choice = choose_export(window, session)
        if choice is None:
            return None

    def on_result(n: int) -> None:
        tell_user(window, f"Exported {n:,} record{'s' if n != 1 else ''} ({choice.format}) to {choice.path}.")

    return run_on_store(
        session,
        partial(_export, choice=choice),
        f"Exporting to {choice.path.name}",
        window,
        on_result=on_result,
        on_error=lambda exc: show_error(window, exc),
        on_cancel=lambda: tell_user(window, "Export cancelled; no file was written."),
    )
