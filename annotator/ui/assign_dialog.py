"""File > Assign work…: share the open database's articles among a team (``annotator assign``).

The dialog asks for the team (or, once a plan is recorded, who joins or leaves), the overlap
every annotator labels, annotators per other article, the seed and the folder; the assignment
runs in the background (:func:`annotator.team.assign`) and its summary is shown as the command
line prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.team import DEFAULT_OVERLAP, Plan


@dataclass(frozen=True)
class AssignChoice:
    """What the dialog asks :func:`annotator.team.assign` to do."""

    out: Path
    annotators: tuple[str, ...] = ()  # a new plan
    add: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    rebalance: bool = False
    overlap: float | None = None
    per_article: int | None = None
    seed: int | None = None


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


class AssignDialog(QDialog):
    """Asks how to share the articles: a new team, or changes to the recorded plan.

    Parameters
    ----------
    plan
        The plan recorded in the database, or None (then a new one is asked for).
    out
        The folder proposed for the annotators' databases.
    parent
        Parent widget.
    """

    def __init__(self, plan: Plan | None, out: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle("Assign work")
        form = QFormLayout()
        self.names = QLineEdit()
        self.names.setPlaceholderText("alice, bob, carol")
        self.drop = QLineEdit()
        self.rebalance = QCheckBox("Move unstarted work to whoever has least left")
        self.overlap = QDoubleSpinBox()
        self.overlap.setRange(0.0, 100.0)
        self.overlap.setSuffix(" %")
        self.overlap.setDecimals(1)
        self.per_article = QSpinBox()
        self.per_article.setRange(1, 99)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        if plan is None:
            intro = "Each annotator gets a database of their articles. The overlap goes to everyone."
            form.addRow("Annotators:", self.names)
            self.overlap.setValue(100 * DEFAULT_OVERLAP)
            form.addRow("Overlap (everyone):", self.overlap)
            form.addRow("Annotators per other article:", self.per_article)
            form.addRow("Seed:", self.seed)
        else:
            intro = (
                f"Plan {plan.id}: {', '.join(plan.annotators)}; overlap {plan.overlap:.0%},"
                f" {plan.per_article} per article. Nothing anyone has started moves."
            )
            self.names.setPlaceholderText("dave, erin")
            form.addRow("Add annotators:", self.names)
            self.drop.setPlaceholderText(", ".join(plan.annotators))
            form.addRow("Drop annotators:", self.drop)
            form.addRow("", self.rebalance)
        self.folder = QLineEdit(str(out))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.folder)
        row.addWidget(browse)
        form.addRow("Folder:", row)
        label = QLabel(intro)
        label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.assign_button = self.buttons.addButton("Assign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.names, self.drop, self.folder):
            edit.textChanged.connect(self._on_form_changed)
        self.rebalance.toggled.connect(self._on_form_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._on_form_changed()

    def _on_browse_clicked(self) -> None:
        from annotator.ui.dialogs import existing_directory

        picked = existing_directory(self, "Folder for the annotators' databases", self.folder.text())
        if picked:
            self.folder.setText(picked)

    def _on_form_changed(self, *_: object) -> None:
        some = bool(_names(self.names.text()) or _names(self.drop.text()) or self.rebalance.isChecked())
        self.assign_button.setEnabled(some and bool(self.folder.text().strip()))

    def choice(self) -> AssignChoice:
        """What was asked, as arguments of :func:`annotator.team.assign`."""
        out = Path(self.folder.text().strip())
        if self.plan is None:
            return AssignChoice(
                out,
                annotators=_names(self.names.text()),
                overlap=round(self.overlap.value() / 100, 4),
                per_article=self.per_article.value(),
                seed=self.seed.value(),
            )
        return AssignChoice(
            out,
            add=_names(self.names.text()),
            drop=_names(self.drop.text()),
            rebalance=self.rebalance.isChecked(),
        )


def _ask(window) -> AssignChoice | None:
    from annotator import team
    from annotator.store import Store

    path = Path(window.session.db_path)
    with Store(path) as store:
        plan = team.load_plan(store)
    out = Path(plan.rounds[-1]["out"]) if plan and plan.rounds else path.with_name(path.stem + ".team")
    dlg = AssignDialog(plan, out, window)
    return dlg.choice() if dlg.exec() == QDialog.DialogCode.Accepted else None


def assign_work(window, choice: AssignChoice | None = None, on_done: Callable | None = None):
    """Ask (unless ``choice`` is given), then assign in the background and show the summary.

    ``on_done(report or exception)`` replaces the message boxes (tests).
    """
    from annotator import team
    from annotator.store import Store
    from annotator.ui.errors import show_error
    from annotator.ui.tasks import run_with_progress

    choice = choice or _ask(window)
    if choice is None:
        return None
    target = Path(window.session.db_path)

    def work(progress, cancelled):
        with Store(target) as store:
            return team.assign(
                store,
                choice.out,
                list(choice.annotators) or None,
                add=choice.add,
                drop=choice.drop,
                rebalance=choice.rebalance,
                overlap=choice.overlap,
                per_article=choice.per_article,
                seed=choice.seed,
                progress=progress,
                cancelled=cancelled,
            )

    def on_result(report) -> None:
        if on_done is not None:
            on_done(report)
        else:
            QMessageBox.information(window, "Work assigned", "\n".join(report.summary_lines()))

    def on_error(exc: BaseException) -> None:
        if on_done is not None:
            on_done(exc)
        else:
            show_error(window, exc)

    return run_with_progress(work, "Assigning work…", window, on_result, on_error)
