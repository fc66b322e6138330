"""What runs on a Dask worker for ``annotator suggest --cluster``.

The suggester travels inside a worker plugin: Dask sets the plugin up once on every worker,
those there now and those that join later, so each worker holds one copy of the pipeline for
the whole run and tasks carry only their texts. (Scattered data is no such promise: Dask's
memory manager drops the copies no task is waiting for, and a worker then fetched the 16 MB
pipeline again, 0.6 s, before its next task.)

Imported only on the cluster path: it needs ``distributed``.
"""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

from annotator.suggest.failures import Failed

INSTALLED: dict[str, Any] = {}  # on a worker: plugin name -> its suggester


class SuggesterPlugin(WorkerPlugin):
    """Holds a suggester; on each worker, makes it the one tasks named ``name`` use."""

    def __init__(self, name: str, suggester: Any):
        self.name = name
        self.suggester = suggester

    def setup(self, worker: Any) -> None:
        INSTALLED[self.name] = self.suggester

    def teardown(self, worker: Any) -> None:
        INSTALLED.pop(self.name, None)


def suggest_chunk(name: str, texts: list[str]) -> list[list[tuple]]:
    """The spans of ``texts`` by the suggester installed as ``name``, each a plain tuple of
    :class:`~annotator.model.SuggestedSpan`'s fields (see :mod:`annotator.suggest.cluster`);
    for a text the pipeline failed on, the error as a string instead of its list."""
    suggester = INSTALLED.get(name)
    if suggester is None:
        raise RuntimeError(f"no suggester {name} on this worker (was its plugin set up?)")
    return [
        spans.error if isinstance(spans, Failed) else [(s.start, s.end, s.label, s.layer, s.source, s.score) for s in spans]
        for spans in suggester.suggest(texts, batch_size=len(texts), keep_going=True)
    ]
