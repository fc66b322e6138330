"""A project's label scope: which labels are suggested and shown, kept in the database.

The scope is stored as the labels *out* of it (the ``labels_off`` setting, a JSON list of
``"layer:NAME"``), so a label added later (by hand, by an import, by a new taxonomy) is in scope
until someone takes it out. A database without the setting has every label in scope; the
bundled labels, when first created in a database, start with :data:`DEFAULT_ENTITY_SCOPE` and
every issue (:func:`apply_default_scope`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from annotator.errors import LabelError
from annotator.model import ENTITY, ISSUE, Changes, Label

SETTING = "labels_off"
DEFAULT_ENTITY_SCOPE = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT")
"""The entity labels a new project suggests: names, not dates, numbers or amounts."""

LabelKey = tuple[str, str]  # (layer, name)


def labels_off(store) -> frozenset[LabelKey]:
    """``(layer, name)`` of every label out of the project's scope."""
    raw = store.get_setting(SETTING)
    if not raw:
        return frozenset()
    try:
        items = json.loads(raw)
    except ValueError:
        return frozenset()  # a damaged setting hides nothing rather than everything
    out = set()
    for item in items if isinstance(items, list) else []:
        layer, _, name = str(item).partition(":")
        if layer in (ENTITY, ISSUE) and name:
            out.add((layer, name))
    return frozenset(out)


def in_scope(store) -> list[Label]:
    """The labels in scope, in the store's order."""
    off = labels_off(store)
    return [lab for lab in store.labels() if (lab.layer, lab.name) not in off]


def _write(store, off: Iterable[LabelKey]) -> None:
    store.set_setting(SETTING, json.dumps(sorted(f"{layer}:{name}" for layer, name in set(off))))


def resolve(store, names: Iterable[str], layer: str | None = None) -> list[LabelKey]:
    """``(layer, name)`` of the labels called ``names`` (on ``layer``, else wherever each lives).

    Raises
    ------
    LabelError
        A name is no label of the database (the message lists them), or lives on both layers
        and no ``layer`` was given.
    """
    labels = store.labels()
    out: list[LabelKey] = []
    for name in names:
        hits = [lab for lab in labels if lab.name == name and layer in (None, lab.layer)]
        if not hits:
            known = ", ".join(sorted({lab.name for lab in labels if layer in (None, lab.layer)}))
            what = f"no {layer} label" if layer else "no label"
            raise LabelError(f"{what} {name!r}; the labels are: {known}")
        if len(hits) > 1:
            raise LabelError(f"{name} is an entity and an issue label; say which with --layer")
        out.append((hits[0].layer, hits[0].name))
    return out


def set_scope(store, labels: Iterable[LabelKey], on: bool) -> Changes:
    """Put ``labels`` into the scope (``on``) or take them out of it; one settings write.

    Returns ``Changes(labels=True, spans=True)``: what is shown and counted changes everywhere.
    """
    off = set(labels_off(store))
    wanted = set(labels)
    return set_labels_off(store, off - wanted if on else off | wanted)


def set_labels_off(store, off: Iterable[LabelKey]) -> Changes:
    """Make ``off`` the labels out of scope (every other label is in it); one settings write."""
    _write(store, off)
    return Changes(labels=True, spans=True)


def apply_default_scope(store, created: Iterable[Label]) -> bool:
    """Give a new project the default scope when the bundled entity labels were just ``created``.

    Only when the database has no scope yet: a choice once made is never overwritten. Returns
    True when the default was written.
    """
    if store.get_setting(SETTING) is not None:
        return False
    new_entities = [lab for lab in created if lab.layer == ENTITY]
    if not any(lab.name in DEFAULT_ENTITY_SCOPE for lab in new_entities):
        return False
    _write(store, ((ENTITY, lab.name) for lab in new_entities if lab.name not in DEFAULT_ENTITY_SCOPE))
    return True
