"""The report of a training run: scores before and after, whether it was adopted, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.train.scoring import TrainScores


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}"


@dataclass(kw_only=True)
class TrainReport(TrainScores):
    """What a training run did: scores before and after on the held-out articles, and where it went.

    The scores and sizes are the run's (:class:`~annotator.train.scoring.TrainScores`).

    Attributes
    ----------
    path
        Folder of the written pipeline.
    source
        Provenance its entity suggestions carry (``spacy:en_annotator@3``).
    """

    path: Path
    version: int
    source: str
    trained_from: str
    refreshed: dict[str, Any] = field(default_factory=dict)
    adopted: bool = True
    worse: tuple[str, ...] = ()  # layers that are worse beyond chance: the pipeline is not adopted
    fell: tuple[str, ...] = ()  # layers whose held-out F fell, worse or within chance

    @property
    def verdict(self) -> str:
        """Whether the new pipeline now makes the suggestions, and why not when it does not."""

        def fell(layers: tuple[str, ...]) -> str:
            return ", ".join(
                f"{lay} {_pct(self.before[lay].f)} -> {_pct(self.after[lay].f)},"
                f" lower on {_pct(self.worse_share.get(lay))}% of resamples"
                for lay in layers
            )

        if self.adopted:
            chance = tuple(lay for lay in self.fell if lay not in self.worse)
            note = (
                f" (held-out F fell within chance on {self.held_out_articles} articles: {fell(chance)})"
                if chance
                else ""
            )
            forced = f" (forced: held-out F fell: {fell(self.worse)})" if self.worse else ""
            return f"adopted: suggestions now come from {self.source}{note}{forced}"
        return (
            f"not adopted: held-out F fell ({fell(self.worse)}), so suggestions keep coming from the model"
            " used before; annotate more articles, train one layer (--layer), or adopt it anyway (--force)"
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "path": str(self.path),
            "version": self.version,
            "source": self.source,
            "layers": list(self.layers),
            "trained_from": self.trained_from,
            "train_articles": self.train_articles,
            "held_out_articles": self.held_out_articles,
            "rehearsal_texts": self.rehearsal_texts,
            "epochs": self.epochs,
            "seconds": round(self.seconds, 1),
            "before": {k: v.to_dict() for k, v in self.before.items()},
            "after": {k: v.to_dict() for k, v in self.after.items()},
            "adopted": self.adopted,
            "worse": list(self.worse),
            "fell": list(self.fell),
            "worse_share": dict(self.worse_share),
        }

    def format_table(self) -> str:
        """Precision, recall and F per layer and label, before and after, as a text table."""

        def pct(x: float | None) -> str:
            return "   -" if x is None else f"{100 * x:4.0f}"

        lines = [
            f"trained {self.source} from {self.trained_from}: {self.train_articles} articles"
            f" ({self.rehearsal_texts} rehearsal texts), {self.epochs} epochs, {self.seconds:.0f} s",
            f"held out: {self.held_out_articles} articles",
        ]
        for layer in self.layers:
            b, a = self.before[layer], self.after[layer]
            lines.append("")
            lines.append(f"{layer:<22} {'gold':>5}   before P    R    F   after P    R    F")
            lines.append(
                f"{'all':<22} {sum(s.support for s in a.labels.values()):>5}"
                f"   {pct(b.precision)} {pct(b.recall)} {pct(b.f)}  {pct(a.precision)} {pct(a.recall)} {pct(a.f)}"
            )
            for label in sorted(set(b.labels) | set(a.labels)):
                bl, al = b.labels.get(label), a.labels.get(label)
                n = (al or bl).support
                lines.append(
                    f"  {label:<20} {n:>5}"
                    f"   {pct(bl and bl.precision)} {pct(bl and bl.recall)} {pct(bl and bl.f)}"
                    f"  {pct(al and al.precision)} {pct(al and al.recall)} {pct(al and al.f)}"
                )
        lines += ["", self.verdict]
        return "\n".join(lines)
