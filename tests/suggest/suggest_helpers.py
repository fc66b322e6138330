"""Helpers shared by the suggester tests."""

from __future__ import annotations


def issue(label: str = "TRADE", **fields) -> dict:
    """One valid issue record, with ``fields`` overriding."""
    record = {
        "label": label,
        "description": f"About {label.lower()}.",
        "parent": None,
        "colour": "#112233",
        "patterns": [label.lower()],
    }
    record.update(fields)
    return record


def taxonomy(*issues: dict, **fields) -> dict:
    """A valid taxonomy record holding ``issues``."""
    data = {"name": "test-issues", "version": 3, "issues": list(issues) or [issue()]}
    data.update(fields)
    return data


def found(spans, text: str, layer: str | None = None) -> set[tuple[str, str]]:
    """(covered text, label) of each span, optionally on one layer."""
    return {(text[s.start : s.end], s.label) for s in spans if layer is None or s.layer == layer}
