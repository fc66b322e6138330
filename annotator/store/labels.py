"""Labels: the entity and issue labels, their colours and keys."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from annotator.errors import LabelError, SpanError
from annotator.model import ENTITY, LAYERS, Changes, Label
from annotator.store.connection import Connection
from annotator.store.rows import auto_colour


def insert_label(c: sqlite3.Connection, lab: Label) -> list[Label]:
    """Create ``lab`` at the end of its layer unless it exists; returns it if it was created."""
    if lab.layer not in LAYERS:
        raise LabelError(
            f"unknown layer {lab.layer!r} for label {lab.name!r}; use one of {', '.join(LAYERS)}"
        )
    if not lab.name or not lab.name.strip():
        raise LabelError("a label needs a name")
    bad = [ch for ch in lab.name if not ch.isprintable()]
    if bad:
        raise LabelError(
            f"label {lab.name!r} contains control or invisible characters ({', '.join(f'U+{ord(ch):04X}' for ch in bad)});"
            " label names are printable text",
        )
    pos = c.execute(
        "SELECT coalesce(max(position), -1) + 1 FROM labels WHERE layer = ?", (lab.layer,)
    ).fetchone()[0]
    cur = c.execute(
        "INSERT OR IGNORE INTO labels(layer, name, colour, key, description, parent, position)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            lab.layer,
            lab.name,
            lab.colour or auto_colour(lab.name),
            lab.key,
            lab.description,
            lab.parent,
            pos,
        ),
    )
    return [lab] if cur.rowcount == 1 else []


class Labels(Connection):
    """Reads and writes of the ``labels`` table."""

    def labels(self, layer: str | None = None) -> list[Label]:
        """Every label (of ``layer`` when given), by layer and position."""
        sql = "SELECT name, layer, colour, key, description, parent FROM labels"
        args: list[Any] = []
        if layer is not None:
            sql += " WHERE layer = ?"
            args.append(layer)
        sql += " ORDER BY layer, position, name"
        return [Label(*r) for r in self.conn.execute(sql, args)]

    def label(self, layer: str, name: str) -> Label:
        """One label (:class:`LabelError` naming how to list them when it is unknown)."""
        row = self.conn.execute(
            "SELECT name, layer, colour, key, description, parent FROM labels WHERE layer = ? AND name = ?",
            (layer, name),
        ).fetchone()
        if row is None:
            raise LabelError(f"no {layer} label {name!r}", hint="`annotator labels` lists them")
        return Label(*row)

    def ensure_labels(self, labels: Iterable[Label]) -> list[Label]:
        """Create the labels not yet known; returns the ones created (existing ones are kept as they are)."""
        created: list[Label] = []
        with self._write() as c:
            for lab in labels:
                created += insert_label(c, lab)
        return created

    def update_label(
        self,
        layer: str,
        name: str,
        *,
        colour: str | None = None,
        key: str | None = None,
        description: str | None = None,
        clear_key: bool = False,
    ) -> Changes:
        """Recolour, rebind or describe a label. A key already bound on the layer is moved."""
        self.label(layer, name)
        if colour is not None and not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
            raise LabelError(f"colour {colour!r} is not of the form #rrggbb")
        with self._write() as c:
            if colour is not None:
                c.execute("UPDATE labels SET colour = ? WHERE layer = ? AND name = ?", (colour, layer, name))
            if key is not None or clear_key:
                if key is not None:
                    c.execute("UPDATE labels SET key = NULL WHERE layer = ? AND key = ?", (layer, key))
                c.execute("UPDATE labels SET key = ? WHERE layer = ? AND name = ?", (key, layer, name))
            if description is not None:
                c.execute(
                    "UPDATE labels SET description = ? WHERE layer = ? AND name = ?",
                    (description, layer, name),
                )
        return Changes(labels=True)

    def layer_of(self, label: str, default: str = ENTITY) -> str:
        """The layer a label name lives on (``default`` when unknown or on both)."""
        rows = self.conn.execute("SELECT layer FROM labels WHERE name = ?", (label,)).fetchall()
        return rows[0][0] if len(rows) == 1 else default

    def _require_label(self, layer: str, label: str) -> None:
        if layer not in LAYERS:
            raise SpanError(f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
        row = self.conn.execute(
            "SELECT 1 FROM labels WHERE layer = ? AND name = ?", (layer, label)
        ).fetchone()
        if row is None:
            raise LabelError(
                f"no {layer} label {label!r}",
                hint=f"add it with `annotator labels add {label} --layer {layer}`",
            )
