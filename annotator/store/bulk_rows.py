"""What an import wrote (its report) and the rows it has queued for writing."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.model import Changes, Label


@dataclass(slots=True)
class ImportReport:
    """What one import wrote."""

    articles_added: int = 0
    articles_known: int = 0
    annotations: int = 0
    rejections: int = 0
    suggestions: int = 0
    labels_created: list[Label] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    # (file's id, our id): the text differs only in line endings or normalisation from an
    # article here, and its spans went onto that article (offsets mapped).
    twins: list[tuple[str, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)


@dataclass(slots=True)
class Pending:
    """Rows queued for writing, per table."""

    articles: list[tuple] = field(default_factory=list)
    annotations: list[tuple] = field(default_factory=list)
    suggestions: list[tuple] = field(default_factory=list)
    decisions: list[tuple] = field(default_factory=list)
    states: list[tuple] = field(default_factory=list)

    def size(self) -> int:
        """The number of rows queued."""
        return len(self.articles) + len(self.annotations) + len(self.suggestions) + len(self.decisions)

    def clear(self) -> None:
        """Forget the rows queued (once written)."""
        for rows in (self.articles, self.annotations, self.suggestions, self.decisions, self.states):
            rows.clear()
