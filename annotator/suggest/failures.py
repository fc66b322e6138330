"""One text that breaks the pipeline must not cost every other text its suggestions.

spaCy's ``nlp.pipe`` is one generator: an exception in any component ends it for the whole
stream. :func:`guarded_pipe` runs the stream a batch at a time; when a batch raises, its texts
are run again one by one, and a text that raises on its own becomes a :class:`Failed` in its
place (the error in one line) while the others get their spans. The marker is a small,
picklable value, so it crosses worker processes and Dask tasks as span lists do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

T = TypeVar("T")


@dataclass(frozen=True)
class Failed:
    """A text the pipeline could not suggest for, and why (one line)."""

    error: str

    @classmethod
    def of(cls, e: BaseException) -> Failed:
        first = (str(e).strip().splitlines() or [""])[0]
        return cls(f"{type(e).__name__}: {first}" if first else type(e).__name__)


def guarded_pipe(
    nlp: Language,
    texts: Iterable[str],
    to_result: Callable[[Doc], T],
    batch_size: int,
    disable: Sequence[str] = (),
) -> Iterator[T | Failed]:
    """``to_result`` of each text's doc, in order; a :class:`Failed` for a text that raises."""
    it = iter(texts)
    size = max(1, batch_size)
    while batch := list(islice(it, size)):
        try:
            results: list[Any] = [to_result(d) for d in nlp.pipe(batch, batch_size=size, disable=disable)]
        except Exception:  # noqa: BLE001 - which text it was is found below, one at a time
            results = [_one(nlp, text, to_result, disable) for text in batch]
        yield from results


def _one(nlp: Language, text: str, to_result: Callable[[Doc], T], disable: Sequence[str]) -> T | Failed:
    try:
        return to_result(next(iter(nlp.pipe([text], disable=disable))))
    except Exception as e:  # noqa: BLE001 - reported for this text, the others go on
        return Failed.of(e)
