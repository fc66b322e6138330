"""Token boundaries for the token measures of agreement, and their packed form for the store's cache.

Each text is tokenised once with ``spacy.blank("en").tokenizer`` (recorded by name and version,
:func:`tokenizer_name`); whitespace tokens are dropped. The boundaries may come from a cache
(:func:`text_tokens`; the store keeps them per article and tokenizer name, packed by
:func:`pack_bounds`), so spaCy is only imported for texts not tokenized before by the same
version.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from annotator.text import spacy_safe


@functools.cache
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


_TOKENIZER_PREFIX = "spacy.blank:en@"


@functools.cache
def _installed_spacy_version() -> str | None:
    """The installed spaCy's version from its package metadata, without importing spaCy."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spacy")
    except PackageNotFoundError:
        return None


def tokenizer_name() -> str:
    """Name and version of the tokenizer the token measures use, e.g. ``spacy.blank:en@3.8.7``.

    Once spaCy is imported the version is ``spacy.__version__``; before, it is the installed
    package's version (its metadata), so a cached tokenization can be looked up without
    importing spaCy. :func:`text_tokens` checks the two agree when it does import spaCy.
    """
    import sys

    spacy = sys.modules.get("spacy")
    version = getattr(spacy, "__version__", None) or _installed_spacy_version()
    if version is None:  # no metadata: the import says what there is (or that there is none)
        import spacy

        version = spacy.__version__
    return _TOKENIZER_PREFIX + version


def token_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the non-whitespace tokens of ``text``.

    Parameters
    ----------
    text
        The article text.

    Returns
    -------
    starts, ends
        Two int arrays of equal length, in code points.
    """
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    doc = _tokenizer()(spacy_safe(text))
    if len(doc) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    arr = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(np.int64)
    keep = arr[:, 2] == 0
    starts = arr[keep, 0]
    return starts, starts + arr[keep, 1]


_PACKED = np.dtype("<i4")


def pack_bounds(starts: np.ndarray, ends: np.ndarray) -> bytes:
    """:func:`token_bounds` as bytes for the store's cache: little-endian int32, starts then ends."""
    return np.concatenate([starts, ends]).astype(_PACKED).tobytes()


def unpack_bounds(packed: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The ``(starts, ends)`` that :func:`pack_bounds` packed."""
    both = np.frombuffer(packed, dtype=_PACKED).astype(np.int64)
    n = len(both) // 2
    return both[:n], both[n:]


@dataclass(frozen=True)
class TextTokens:
    """Token boundaries of a list of texts and the tokenizer that made them.

    Attributes
    ----------
    tokenizer
        Its name and version (:func:`tokenizer_name`).
    bounds
        ``(starts, ends)`` of each text, as :func:`token_bounds` gives them.
    made
        Indices of the texts tokenized now rather than taken from the cache: what a cache
        would want to keep (packed with :func:`pack_bounds`).
    """

    tokenizer: str
    bounds: list[tuple[np.ndarray, np.ndarray]]
    made: tuple[int, ...] = ()


def text_tokens(texts: Sequence[str], cached: Sequence[bytes | None] = (), tokenizer: str = "") -> TextTokens:
    """Token boundaries of ``texts``, unpacked from ``cached`` where given, else tokenized.

    spaCy is imported only when some text has no cached boundaries. The cache's tokenizer name
    comes from the installed spaCy's metadata; should the imported spaCy say otherwise, the
    cached boundaries are not used and every text is tokenized.

    Parameters
    ----------
    texts
        The texts.
    cached
        Per text, its boundaries packed by :func:`pack_bounds` with ``tokenizer``, or None;
        empty: nothing cached.
    tokenizer
        The name the cached boundaries were made with (:func:`tokenizer_name` when they were
        looked up).

    Returns
    -------
    TextTokens
        The boundaries, the (true) tokenizer name and which texts were tokenized now.
    """
    cached = list(cached) or [None] * len(texts)
    missing = [i for i, packed in enumerate(cached) if packed is None]
    if missing:
        _tokenizer()  # imports spaCy
        name = tokenizer_name()
        if name != tokenizer:
            missing = list(range(len(texts)))
    else:
        name = tokenizer or tokenizer_name()
    bounds = [unpack_bounds(packed) if packed is not None else None for packed in cached]
    for i in missing:
        bounds[i] = token_bounds(texts[i])
    return TextTokens(name, bounds, tuple(missing))


__all__ = ["TextTokens", "pack_bounds", "text_tokens", "token_bounds", "tokenizer_name", "unpack_bounds"]
