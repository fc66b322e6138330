"""Which labels the window shows: the project's label scope, then the View menu's toggles.

The scope (:mod:`annotator.store.scope`) is the project's: which labels are suggested, shown and
counted. The View toggles hide a whole layer or single labels for a while, in this window only
(kept in the user's settings). The article view, the span list, Tab and Shift+A follow both;
counts of undecided suggestions (the article list, Enter's question) follow the scope.
"""

from __future__ import annotations

from annotator.model import ENTITY, ISSUE, LAYERS, Label
from annotator.store import scope

LabelKey = tuple[str, str]


class LabelFilter:
    """What is in scope and what is shown, for one session.

    Parameters
    ----------
    store
        The open store; the scope is read from it (:meth:`reload` after another is opened).

    Attributes
    ----------
    off : frozenset of (layer, name)
        Labels out of the project's scope.
    hidden_layers : set of str
        Layers hidden by the View menu.
    hidden_labels : set of (layer, name)
        Labels hidden by the View menu.
    """

    def __init__(self, store):
        self._store = store
        self.off: frozenset[LabelKey] = frozenset()
        self.hidden_layers: set[str] = set()
        self.hidden_labels: set[LabelKey] = set()
        self.reload(store)

    def reload(self, store=None) -> None:
        """Read the scope again (from ``store`` when another database was opened)."""
        if store is not None:
            self._store = store
        self.off = scope.labels_off(self._store)

    # -- questions -------------------------------------------------------------------------------

    def in_scope(self, layer: str, label: str) -> bool:
        """True when the project suggests and counts ``label``."""
        return (layer, label) not in self.off

    def shows(self, layer: str, label: str) -> bool:
        """True when the window draws and lists spans of ``label`` now."""
        return (
            (layer, label) not in self.off
            and layer not in self.hidden_layers
            and (layer, label) not in self.hidden_labels
        )

    def keep(self, spans):
        """The spans (anything with ``layer`` and ``label``) the window shows, in order."""
        if not (self.off or self.hidden_layers or self.hidden_labels):
            return list(spans)
        shows = self.shows
        return [s for s in spans if shows(s.layer, s.label)]

    def shown_labels(self, labels: list[Label]) -> frozenset[LabelKey]:
        """``(layer, name)`` of the ``labels`` shown now (what Shift+A may accept)."""
        return frozenset((lab.layer, lab.name) for lab in labels if self.shows(lab.layer, lab.name))

    def scoped_labels(self, labels: list[Label]) -> frozenset[LabelKey]:
        """``(layer, name)`` of the ``labels`` in scope."""
        return frozenset((lab.layer, lab.name) for lab in labels if self.in_scope(lab.layer, lab.name))

    def hides_any(self) -> bool:
        """True while a View toggle hides something in scope."""
        return bool(self.hidden_layers or self.hidden_labels)

    # -- View toggles ------------------------------------------------------------------------------

    def set_layer_shown(self, layer: str, shown: bool) -> None:
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}")
        (self.hidden_layers.discard if shown else self.hidden_layers.add)(layer)

    def set_label_shown(self, layer: str, label: str, shown: bool) -> None:
        key = (layer, label)
        (self.hidden_labels.discard if shown else self.hidden_labels.add)(key)

    def show_all(self) -> None:
        """Undo every View toggle (the scope stays)."""
        self.hidden_layers.clear()
        self.hidden_labels.clear()

    def to_setting(self) -> list[str]:
        """The View toggles as strings for QSettings: ``"layer"`` or ``"layer:NAME"``."""
        return sorted(self.hidden_layers) + sorted(f"{layer}:{name}" for layer, name in self.hidden_labels)

    def from_setting(self, items) -> None:
        """Take the View toggles back from :meth:`to_setting`'s strings (unknown ones are skipped)."""
        self.show_all()
        for item in items or []:
            layer, _, name = str(item).partition(":")
            if layer not in (ENTITY, ISSUE):
                continue
            if name:
                self.hidden_labels.add((layer, name))
            else:
                self.hidden_layers.add(layer)
