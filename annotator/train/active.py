"""Active learning: which unfinished articles the model is least sure about.

"Uncertain" is measured per article, per 100 words, as the sum of

* **issue margins**: for every candidate phrase (taxonomy match or 1- to 3-token n-gram) and
  issue label the span categorizer scores ``p >= 0.1``, the closeness to a coin toss,
  ``1 - |2p - 1|`` (1 at ``p = 0.5``, 0 at 0 or 1). A confident yes or no adds nothing;
* **new issue phrases** (a pipeline without a span categorizer, the default): every taxonomy
  match whose phrase the issue memory holds no decision about, since nobody has said yet
  whether it is an issue in these articles;
* **entity disagreements**: the entity spans (with label) that the trained entity recogniser and
  the starting model do not share. spaCy's greedy entity recogniser gives no probabilities, so
  disagreement between the two models stands in for them, the way a query-by-committee does.

An article where the trained pipeline has no issue components counts only its entity
disagreements, and one without a starting model only its issue part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from annotator.errors import Cancelled
from annotator.train.components import CANDIDATES
from annotator.train.trainer import COMBINER_PIPE, MEMORY_PIPE, SPANCAT

if TYPE_CHECKING:
    from spacy.language import Language

MIN_SCORE = 0.1


def article_uncertainty(
    nlp: Language,
    texts: Sequence[str],
    reference: Language | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch_size: int = 16,
) -> list[float]:
    """Uncertainty of the trained pipeline ``nlp`` on each text (see the module docstring).

    Parameters
    ----------
    nlp
        The trained pipeline.
    texts
        The texts, in order.
    reference
        The starting pipeline, for entity disagreements (None: issue margins only).
    progress, cancelled
        ``progress(done, total)`` after each text; ``cancelled()`` polled before each text.

    Returns
    -------
    list of float
        One value per text; higher is less certain.
    """
    has_spancat = SPANCAT in nlp.pipe_names
    has_ner = "ner" in nlp.pipe_names and reference is not None and "ner" in reference.pipe_names
    memory = nlp.get_pipe(MEMORY_PIPE) if MEMORY_PIPE in nlp.pipe_names and not has_spancat else None
    skip = [n for n in nlp.pipe_names if n in ("parser", "senter", SPANCAT, COMBINER_PIPE, MEMORY_PIPE)]
    ref_docs: Iterable = iter(())
    if has_ner:
        ref_skip = [
            n for n in reference.pipe_names if n not in ("ner",) and not _needed_for_ner(reference, n)
        ]
        ref_docs = reference.pipe(texts, disable=ref_skip, batch_size=batch_size)
    out: list[float] = []
    for i, doc in enumerate(nlp.pipe(texts, disable=skip, batch_size=batch_size)):
        if cancelled is not None and cancelled():
            raise Cancelled("ordering by uncertainty was cancelled")
        total = 0.0
        if has_spancat:
            spancat = nlp.get_pipe(SPANCAT)
            _, scores = spancat.predict([doc])
            flat = spancat.model.ops.to_numpy(scores).ravel()
            flat = flat[flat >= MIN_SCORE]
            total += float((1 - abs(2 * flat - 1)).sum())
        if memory is not None:
            total += sum(1 for s in doc.spans.get(CANDIDATES, ()) if not memory.knows(s))
        if has_ner:
            ref = next(ref_docs)
            mine = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
            theirs = {(e.start_char, e.end_char, e.label_) for e in ref.ents}
            total += len(mine ^ theirs)
        words = max(1, sum(1 for t in doc if not t.is_space and not t.is_punct))
        out.append(100 * total / words)
        if progress is not None:
            progress(i + 1, len(texts))
    return out


def _needed_for_ner(nlp: Language, name: str) -> bool:
    """Whether the entity recogniser listens to component ``name`` (a shared tok2vec)."""
    listeners = getattr(nlp.get_pipe(name), "listening_components", None) or []
    return "ner" in listeners
