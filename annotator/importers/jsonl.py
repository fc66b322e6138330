"""JSON Lines and JSON files whose records are classified one by one.

A record is a Label Studio task (a ``data`` object), a Prodigy task (``spans``, ``answer``,
``_input_hash``... ), a doccano record (``label``, ``labels``, ``entities``, ``annotations``)
or plain input (``{"text", "meta"}``). The ``prodigy``, ``doccano`` and ``labelstudio`` formats
use the same loader but refuse records of another tool, rather than silently dropping the spans
they cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annotator.errors import InputError
from annotator.importers import doccano, labelstudio, prodigy
from annotator.importers.base import (
    SKIPPED_EMPTY,
    Notes,
    Where,
    is_blank,
    load_records,
    record_meta,
    record_source,
    record_title,
    require_text,
    validate,
)
from annotator.model import ImportedDoc

PLAIN = "plain"
KINDS = {
    "labelstudio": "Label Studio",
    "prodigy": "Prodigy",
    "doccano": "doccano",
    PLAIN: "plain input",
}


def classify(record: object) -> str:
    """Which tool wrote ``record``: ``labelstudio``, ``prodigy``, ``doccano`` or ``plain``."""
    if labelstudio.looks_like(record):
        return "labelstudio"
    if isinstance(record, dict):
        # Prodigy first: its text-classification tasks have a string "label" too.
        if prodigy.looks_like(record):
            return "prodigy"
        if doccano.looks_like(record):
            return "doccano"
    return PLAIN


def convert_plain(record: dict, where: Where, notes: Notes) -> ImportedDoc:
    """An input record ``{"text", "meta"}``: an article with no annotations yet."""
    doc = ImportedDoc(
        text=require_text(record, where),
        location=str(where),
        title=record_title(record),
        source=record_source(record, where.path),
        meta=record_meta(record, {"title"}),
    )
    return validate(doc, where)


def nothing_to_import(record: dict, kind: str) -> bool:
    """A record without text that carries no annotation either: skipped, not refused.

    doccano exports and DocBins from real projects hold a few such records; the tool itself
    imports the rest. A record without text but with spans is refused: its spans would be lost.
    """
    if kind == "labelstudio":
        return labelstudio.nothing_to_import(record)
    if not is_blank(record.get("text")):
        return False
    if kind == "prodigy":
        return not record.get("spans")
    if kind == "doccano":
        return not doccano.has_annotations(record)
    return True


CONVERTERS: dict[str, Callable[[dict, Where, Notes], ImportedDoc]] = {
    "labelstudio": labelstudio.convert,
    "prodigy": prodigy.convert,
    "doccano": doccano.convert,
    PLAIN: convert_plain,
}


def read_records(path: Path, allowed: tuple[str, ...] | None = None) -> tuple[list[ImportedDoc], list[str]]:
    """Read every record of a JSON Lines / JSON file into documents.

    Parameters
    ----------
    path
        The file.
    allowed
        Record kinds accepted (see :func:`classify`); None accepts all.

    Returns
    -------
    tuple[list[ImportedDoc], list[str]]
        Documents in file order and warnings.

    Raises
    ------
    InputError
        Invalid JSON, a record that is not an object or has no text, a record of a kind not
        allowed, or any span problem, at the first one found.
    """
    notes = Notes()
    docs = []
    kinds: set[str] = set()
    skipped = 0
    records = iter(load_records(path))
    for record, where in records:
        try:
            if not isinstance(record, dict):
                raise where.error(f"expected a JSON object with a 'text' field, got {type(record).__name__}")
            kind = classify(record)
            if allowed is not None and kind not in allowed:
                wanted = " or ".join(KINDS[k] for k in allowed)
                raise where.error(
                    f"this record looks like {KINDS[kind]}, not {wanted}; import the file as '{kind}' or 'jsonl'"
                )
            if nothing_to_import(record, kind):
                notes.add(SKIPPED_EMPTY, where)
                skipped += 1
                continue
            kinds.add(kind)
            docs.append(CONVERTERS[kind](record, where, notes))
        except InputError:
            # Invalid JSON further on is reported first, as when the whole file was parsed first.
            try:
                for _ in records:
                    pass
            except InputError as invalid_json:
                raise invalid_json from None
            raise
    if not docs:
        if skipped:
            raise Where(path).error(f"none of its {skipped} records has any text")
        raise Where(path).error("contains no records")
    warnings = notes.render()
    tools = sorted(kinds - {PLAIN})
    if len(tools) > 1:
        warnings.insert(0, "records from several tools in one file: " + ", ".join(KINDS[t] for t in tools))
    return docs, warnings


def read(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read a JSON Lines or JSON file of any known record shape (see :func:`classify`)."""
    return read_records(path)


def read_prodigy(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read Prodigy tasks (and plain input records); other tools' records are an error."""
    return read_records(path, ("prodigy", PLAIN))


def read_doccano(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read doccano records (and plain input records); other tools' records are an error."""
    return read_records(path, ("doccano", PLAIN))


def read_labelstudio(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read Label Studio tasks; other records are an error."""
    return read_records(path, ("labelstudio",))
