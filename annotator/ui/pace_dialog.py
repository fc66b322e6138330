"""View > Pace of work: per annotator and day, articles done and how the work went, as bars.

The figures are :func:`annotator.store.activity.pace`'s (also in ``annotator stats``): articles
marked done, decisions per minute, the share of suggestions accepted unchanged, and the time per
article, where a pause of more than two minutes counts as no work.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from annotator.store import activity
from annotator.store.activity import DayPace, duration_text
from annotator.ui.bar_chart import BarChart, BarRow

DAYS = 14


def day_row(d: DayPace) -> BarRow:
    """One day as a bar (articles done) and its figures."""
    per = d.seconds_per_article
    dpm = d.decisions_per_minute
    text = (
        f"{d.articles_done} done · "
        + (f"{dpm:.1f} decisions/min · " if dpm is not None else f"{d.decisions} decisions · ")
        + f"{d.accepted_share:.0%} accepted unchanged"
        + (f" · {duration_text(per)} per article" if per is not None and d.active_seconds >= 60 else "")
    )
    label = date.fromisoformat(d.day).strftime("%a %d %b")
    return BarRow(label, (float(d.articles_done),), text)


class PaceDialog(QDialog):
    """The pace of one annotator (the session's, or another picked in the box) over the last days.

    Parameters
    ----------
    session
        The window's session; the ledger is read from its store when the dialog opens.
    parent
        The window.

    Attributes
    ----------
    who : QComboBox
    summary : QLabel
    chart : BarChart
    """

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Pace of work")
        self.setObjectName("pace_dialog")
        self._days = activity.pace(activity.actions(session.store))
        names = sorted({d.annotator for d in self._days} | {session.annotator})
        self.who = QComboBox()
        self.who.addItems(names)
        self.who.setCurrentText(session.annotator)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.chart = BarChart(("articles done",))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.who)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.who.currentTextChanged.connect(self.show_annotator)
        self.show_annotator(session.annotator)
        self.resize(720, 420)

    def show_annotator(self, name: str) -> None:
        """Show ``name``'s last :data:`DAYS` days of work."""
        days = activity.recent([d for d in self._days if d.annotator == name], DAYS)
        self.chart.set_rows([day_row(d) for d in reversed(days)])  # today on top
        if not days:
            self.summary.setText(f"No decisions by {name} in the last {DAYS} days.")
            return
        done = sum(d.articles_done for d in days)
        worked = sum(d.active_seconds for d in days)
        decisions = sum(d.decisions for d in days)
        self.summary.setText(
            f"{name}, last {DAYS} days: {done} article{'s' * (done != 1)} done, {decisions} decisions in"
            f" {duration_text(worked)} of work (pauses over 2 minutes left out)."
        )
