"""Import files into a store and export it to files: the operations behind ``annotator import``
and ``annotator export`` (re-exported by :mod:`annotator.ops`, which the window uses).

Importing reads each file whole (:func:`annotator.importers.read`) and writes it with
``Store.import_docs``. With ``all_or_nothing`` the files are one transaction: one that cannot
be imported leaves nothing of the others, and every file is still read so all the problems are
reported at once. Without it each file is its own transaction and a bad one is skipped.

Exporting picks the records (:mod:`annotator.export_selection`) and hands them to a writer
(:func:`annotator.export.write`); a file or folder is written under a temporary name and
takes the target's name only when complete (:mod:`annotator.export_target`). The export
modules are imported by the export functions, so an import never loads them (the exporters
bring xml and urllib along: 50 ms of the start of ``annotator import``).
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from annotator import model as m
from annotator.errors import AnnotatorError, Cancelled, InputError
from annotator.store import ImportReport, Store, presence
from annotator.store.import_runs import clean_unfinished
from annotator.store.shared_import import SharedImport

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def _check(cancelled: Cancel) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled("cancelled; nothing of the unfinished part was written")


# -- import ------------------------------------------------------------------------------------


@dataclass
class FileResult:
    """What importing one file did (or why it did nothing).

    ``rolled_back`` is true for a file that was read and written, then taken back because
    another file of the same all-or-nothing import failed (its ``report`` is then None).
    """

    path: Path
    format: str | None = None
    report: ImportReport | None = None
    warnings: list[str] = field(default_factory=list)
    error: AnnotatorError | None = None
    rolled_back: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


class _Refused(Exception):
    """Raised inside the transaction of an all-or-nothing import to roll it back."""


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    format: str | None = None,
    annotator: str | None = None,
    progress: Progress = None,
    cancelled: Cancel = None,
    *,
    all_or_nothing: bool = False,
    options: Any = None,
    note: Callable[[str], None] | None = None,
) -> list[FileResult]:
    """Import files and folders; each file is read whole and written in one go.

    Beside a window on the database, outside a caller's transaction, they are written in short
    transactions instead, all or nothing still (:mod:`annotator.store.shared_import`).

    Parameters
    ----------
    store
        The database.
    paths
        Files and folders (walked for importable files).
    format
        A key of :data:`annotator.importers.FORMATS`; None detects each file's.
    annotator
        Who made the spans of files that name nobody.
    progress, cancelled
        Reporting and stopping (a cancel leaves nothing of the unfinished file).
    all_or_nothing
        One transaction for every file: if one fails, nothing is written (``rolled_back``
        on the others) and the rest are still read, so every problem is in the results.
        Otherwise a file that fails leaves nothing behind and does not stop the others.
    options
        :class:`annotator.importers.ReadOptions` (CoNLL tag column, Label Studio offsets).
    note
        Told what taking back imports that died midway did, and what one stopped here kept.

    Returns
    -------
    list[FileResult]
        One per file, in order; a failed one carries its error.
    """
    from annotator import importers

    files = importers.expand_paths([Path(p) for p in paths])
    if not files:
        raise InputError(", ".join(str(p) for p in paths), "no files to import found there")
    layers = _layers_of(store)
    tell = note or _no_note
    if not store.read_only and not store.conn.in_transaction and presence.anyone_open(store.path):
        shared = _SharedFiles(store, files, (format, annotator, layers, options), tell)
        return shared.run(progress, cancelled, all_or_nothing)
    for text in clean_unfinished(store):
        tell(text)

    def each(write_all: bool) -> list[FileResult]:
        results = []
        writing = True
        for i, path in enumerate(files):
            _check(cancelled)
            res = _import_file(store, path, format, annotator, layers, options, write=writing)
            writing = writing and (res.ok or not write_all)
            results.append(res)
            if progress:
                progress(i + 1, len(files))
        return results

    if not all_or_nothing:
        return each(False)
    try:
        with store.transaction():
            results = each(True)
            if not all(r.ok for r in results):
                raise _Refused
    except _Refused:
        for res in results:
            if res.ok:
                res.report, res.rolled_back = None, True
    return results


def _layers_of(store: Store) -> dict[str, frozenset[str]]:
    """The layers each label name is on."""
    layers: dict[str, frozenset[str]] = {}
    for label in store.labels():
        layers[label.name] = layers.get(label.name, frozenset()) | {label.layer}
    return layers


def _no_note(_text: str) -> None:
    pass


def _import_file(
    store: Store,
    path: Path,
    format: str | None,
    annotator: str | None,
    layers,
    options,
    *,
    write: bool,
    into: SharedImport | None = None,
) -> FileResult:
    """Read one file and, when ``write``, write it (its own transaction or savepoint; or its
    new articles through ``into``, the rest when that finishes)."""
    from annotator import importers
    from annotator.importers.base import path_text

    res = FileResult(path)
    try:
        if _is_database_file(store, path):
            # Reading it would open and close the live database in this process, which
            # drops SQLite's locks on it: refuse before touching it.
            raise InputError(str(path), "this is the database being imported into, not a file to import")
        with _no_cycle_collection():
            read = importers.read(path, format, layers, options)
            res.format = read.format
            res.warnings = list(read.warnings)
            if write:
                description = f"{read.format}:{path_text(path)}"
                if into is not None:
                    res.report = into.add(read.docs, annotator, description=description)
                else:
                    res.report = store.import_docs(read.docs, annotator, description=description)
            else:
                res.rolled_back = True  # read to report its problems; never written
    except AnnotatorError as e:
        res.error = e
    except (UnicodeEncodeError, RecursionError) as e:
        # The readers refuse what they can place (file and line); this is the net under them:
        # the store's write of this file was rolled back.
        res.error = InputError(path_text(path), _unstorable(e))
    return res


class _SharedFiles:
    """:func:`import_paths` beside a window: each file read, then its new articles written in
    short transactions; the rest of every file at the end, in one (see :class:`SharedImport`).

    All or nothing: one run for all the files, taken back if one fails (the others are still
    read, to report every problem). Otherwise one run per file, a failed one taken back alone.
    """

    def __init__(self, store: Store, files: list[Path], how: tuple, note: Callable[[str], None]):
        self.store = store
        self.files = files
        self.how = how  # format, annotator, layers, options
        self.note = note

    def _begin(self, paths: Sequence[Path]) -> SharedImport:
        from annotator.importers.base import path_text

        shared = SharedImport(self.store, ", ".join(path_text(p) for p in paths)[:500])
        try:
            for text in shared.start():
                self.note(text)
        except BaseException:
            shared.abort()
            raise
        return shared

    def run(self, progress: Progress, cancelled: Cancel, all_or_nothing: bool) -> list[FileResult]:
        results: list[FileResult] = []
        shared = self._begin(self.files) if all_or_nothing else None
        try:
            writing = True
            for i, path in enumerate(self.files):
                _check(cancelled)
                one = shared or self._begin([path])
                try:
                    res = _import_file(self.store, path, *self.how, write=writing, into=one)
                    if shared is None:
                        self._end(one, [res])
                except BaseException:
                    if shared is None:
                        self._abort(one)
                    raise
                writing = writing and (res.ok or not all_or_nothing)
                results.append(res)
                if progress:
                    progress(i + 1, len(self.files))
            if shared is not None:
                self._end(shared, results)
        except BaseException:
            if shared is not None:
                self._abort(shared)
            raise
        return results

    def _end(self, shared: SharedImport, results: list[FileResult]) -> None:
        """Finish ``shared`` (the files of ``results`` it wrote), or take it back if one failed."""
        written = [res for res in results if res.ok and not res.rolled_back]
        if len(written) == len(results):
            errors = shared.finish()
            for res, err in zip(written, errors, strict=True):
                if err is not None:
                    res.error = err if isinstance(err, AnnotatorError) else InputError(str(res.path), _unstorable(err))
            if not any(errors):
                return
        self._abort(shared)
        for res in results:
            if res.ok:
                res.report, res.rolled_back = None, True
            else:
                res.report = None

    def _abort(self, shared: SharedImport) -> None:
        if shared.run.seq:
            self.note("removing what the import had written so far (a window has the database open: in short steps)")
        undone = shared.abort()
        if undone is not None and undone.kept:
            self.note(undone.message("was stopped"))


def _unstorable(exc: Exception) -> str:
    if isinstance(exc, UnicodeEncodeError):
        bad = exc.object[exc.start : exc.end] if isinstance(exc.object, str) else ""
        code = f" (U+{ord(bad[0]):04X})" if bad else ""
        return (
            f"holds text that is not valid Unicode{code}, a lone surrogate the database cannot store;"
            " nothing of the file was imported"
        )
    return "holds values nested too deeply to store; nothing of the file was imported"


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Hold off Python's cycle collector while one file is read and written.

    A file makes millions of small objects that live until it is written (records, spans, rows,
    about 90 per news article), none of them in a reference cycle. Each time enough of them
    pile up the collector walks them all, and again in older generations: 2.7 of the 5.2 s of
    reading 20,000 news articles. Nothing is lost by waiting: a cycle made meanwhile is
    collected after the file, as usual. The state the caller had is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _is_database_file(store: Store, path: Path) -> bool:
    db = store.path.resolve()
    names = {
        db,
        db.with_name(db.name + "-wal"),
        db.with_name(db.name + "-shm"),
        db.with_name(db.name + "-journal"),
        *(presence.side_file(db, suffix) for suffix in presence.SUFFIXES),
    }
    return path.resolve() in names


# -- export ------------------------------------------------------------------------------------

EXPORT_FORMATS = ("prodigy", "doccano", "spacy", "conll", "labelstudio", "brat", "ledger")
#: Formats a model trains on: one version of each article unless ``all_annotators``.
TRAINING_FORMATS = frozenset({"spacy", "conll", "brat"})


@dataclass(frozen=True)
class ExportChoices:
    """What an export holds besides its format (see :func:`export`)."""

    annotator: str | None = None
    suggestions: bool = False
    gold: bool = False
    answer: str | None = None
    layer: str | None = None
    all_annotators: bool = False


def export_records(
    store: Store,
    annotator: str | None = None,
    suggestions: bool = False,
    gold: bool = False,
    fmt: str = "prodigy",
    answer: str | None = None,
    layer: str | None = None,
    all_annotators: bool = False,
) -> Iterator:
    """The :class:`~annotator.export.ExportRecord` objects an export in ``fmt`` writes (see :func:`export`)."""
    choices = ExportChoices(annotator, suggestions, gold, answer, layer, all_annotators)
    _check_choices(fmt, choices)
    return _records(store, fmt, choices)


def _check_choices(fmt: str, c: ExportChoices) -> None:
    from annotator import export_selection as selection

    if c.answer is not None and c.answer not in selection.ANSWERS:
        raise AnnotatorError(f"unknown answer {c.answer!r}; use one of {', '.join(selection.ANSWERS)}")
    if c.answer in ("reject", "all") and fmt != "prodigy":
        raise AnnotatorError(
            f"rejected suggestions travel in the prodigy format only, not in {fmt}",
            "use --format prodigy, or leave --answer out",
        )
    if c.layer is not None and c.layer not in m.LAYERS:
        raise AnnotatorError(f"unknown layer {c.layer!r}; use one of {', '.join(m.LAYERS)}")
    if c.all_annotators and (c.annotator or c.gold):
        raise AnnotatorError("--all-annotators exports everyone's work; leave out --annotator and --gold")


def _records(store: Store, fmt: str, c: ExportChoices) -> Iterator:
    from annotator import export_selection as selection

    if c.suggestions:
        records: Iterable = selection.undecided_suggestions(store, c.annotator)
    else:
        one_version = fmt in TRAINING_FORMATS and not (c.annotator or c.gold or c.all_annotators)
        records = selection.work_records(store, c.annotator, c.gold, include_gold=one_version)
        if one_version:
            records = selection.one_version_per_article(store, records)
        answer = c.answer or ("all" if fmt == "prodigy" else None)
        if answer == "accept":
            records = (r for r in records if r.answer == "accept")
        elif answer in ("reject", "all") and not c.gold:
            records = selection.with_rejections(store, records, c.annotator, keep_work=answer == "all")
        if fmt == "labelstudio":
            records = selection.with_predictions(store, records)
    if c.layer is not None:
        records = selection.only_layer(records, c.layer)
    return iter(records)


def export(
    store: Store,
    fmt: str,
    out: IO | str | Path,
    annotator: str | None = None,
    suggestions: bool = False,
    progress: Progress = None,
    gold: bool = False,
    warn: Callable[[str], None] | None = None,
    tokens: bool = False,
    *,
    answer: str | None = None,
    layer: str | None = None,
    all_annotators: bool = False,
    keep_text: bool = False,
) -> int:
    """Write the annotations (or suggestions, or the gold set) in ``fmt`` to ``out``.

    Parameters
    ----------
    store
        The database.
    fmt
        One of :data:`EXPORT_FORMATS`.
    out
        A path or a stream; ``brat`` needs the path of a folder that does not exist yet (or is
        empty). Writing to a path goes through a temporary name that replaces the target only
        when complete. A ``labelstudio`` export to a path writes its labelling config beside it
        (``NAME.label_config.xml``).
    annotator, gold, all_annotators
        Whose work: everyone's (training formats: one version per article, see
        :mod:`annotator.export_selection`), one annotator's, the gold set's, or a copy per
        annotator in a training format.
    suggestions
        The suggestions nobody (or ``annotator``) has decided on, as tasks without an answer.
    answer
        ``accept``, ``reject`` or ``all`` (the default of ``prodigy``; other formats carry
        accepted work only).
    layer
        Only the spans of ``entity`` or ``issue``.
    tokens, keep_text
        ``prodigy``: add spaCy tokens; ``conll``: add the exact-text line.
    progress, warn
        Reporting; ``warn`` is told about spans a format cannot hold.

    Returns
    -------
    int
        The number of records (Label Studio: tasks; brat: articles) written.
    """
    from annotator import export as exporters

    if fmt not in EXPORT_FORMATS:
        raise AnnotatorError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if tokens and fmt == "ledger":
        raise AnnotatorError("the ledger has no text to tokenize", "leave tokens off for --format ledger")
    choices = ExportChoices(annotator, suggestions, gold, answer, layer, all_annotators)
    if fmt == "ledger":
        return _write_ledger(store, out, annotator)
    _check_choices(fmt, choices)
    total = store.article_count()

    def write(target: IO | Path) -> int:
        return exporters.write(
            fmt,
            _records(store, fmt, choices),
            target,
            progress=(lambda done: progress(done, total)) if progress else None,
            warn=warn,
            tokens=tokens,
            keep_text=keep_text,
            per_annotator=all_annotators,
        )

    return _land(store, fmt, out, write)


def _land(store: Store, fmt: str, out: IO | str | Path, write: Callable[[Any], int]) -> int:
    """Run ``write`` into ``out``: a stream, or a path written as :mod:`.export_target` does."""
    from annotator import export as exporters
    from annotator import export_target

    if fmt in exporters.FOLDER_FORMATS:
        if not isinstance(out, (str, Path)):
            raise AnnotatorError(f"the {fmt} format writes a folder", "give a folder path with -o FOLDER")
        return export_target.write_folder(Path(out), write)
    if isinstance(out, (str, Path)):
        count = export_target.write_file(Path(out), fmt in exporters.BINARY_FORMATS, write)
        if fmt == "labelstudio":
            _write_labelstudio_config(store, Path(out))
        return count
    return write(out)


def labelstudio_config_path(target: Path) -> Path:
    """Where a Label Studio export to ``target`` puts its labelling config."""
    return target.with_name(f"{target.stem}.label_config.xml")


def _write_labelstudio_config(store: Store, path: Path) -> None:
    from annotator import export_target
    from annotator.export import labelstudio

    labels = store.labels()
    xml = labelstudio.config(
        (lab.name for lab in labels if lab.layer == m.ENTITY),
        (lab.name for lab in labels if lab.layer == m.ISSUE),
    )
    export_target.write_text(labelstudio_config_path(path), xml)


def _write_ledger(store: Store, out: IO | str | Path, annotator: str | None) -> int:
    from annotator import export_target

    if isinstance(out, (str, Path)):
        return export_target.write_file(Path(out), False, lambda fh: _write_ledger(store, fh, annotator))
    count = 0
    for row in ledger_rows(store, annotator):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def ledger_rows(store: Store, annotator: str | None = None) -> Iterable[dict]:
    """Every suggestion with each annotator's decision on it, then every action in the ledger."""
    for d in store.decisions(annotator):
        yield {"type": "decision", **d}
    for act in store.ledger(annotator):
        yield {"type": "action", **act}
