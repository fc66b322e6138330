"""Suggestions that learn from the annotators: train, re-suggest, order by uncertainty.

The functions here take an open :class:`~annotator.store.Store`, report progress through an
optional ``progress(done, total)``, stop when ``cancelled()`` turns true (raising
:class:`~annotator.errors.Cancelled` with nothing written) and return plain data, like
:mod:`annotator.ops`. The training itself (:mod:`annotator.train.trainer`) works on plain
:class:`~annotator.train.data.TrainingArticle` values and never sees the store.

A trained pipeline is written beside the database, ``<db stem>.models/annotator-v<N>/``, with
``meta.json`` name ``annotator`` and version ``N``, so its suggestions carry the provenance
``spacy:en_annotator@N`` (entities) and ``spacy:en_annotator@N+taxonomy:<name>@<version>``
(issues). Its path is kept in the store setting ``trained_model``
(:mod:`annotator.store.provenance`); ``annotator suggest`` and the window use it from then on
unless another model is named.

Modules
-------
collect         training data from the store (:func:`collect_articles`).
training        :func:`train`: train, write the pipeline beside the database, record it.
report          :class:`TrainReport`, what a training run did.
refresh         :func:`refresh_suggestions` from the current pipeline and taxonomy.
ranking         :func:`uncertainty_order` (active learning).
taxonomy_edit   :func:`preview_exception` and :func:`apply_exception` (the database's taxonomy).
trainer, scoring, data, memory, components, active, exceptions
                the parts that never see the store.
"""

from annotator.store.provenance import (
    TRAINED_MODEL,
    USER_TAXONOMY,
    model_sources,
    trained_model,
    user_taxonomy,
)
from annotator.train.collect import collect_articles
from annotator.train.data import TrainingArticle, split_held_out
from annotator.train.ranking import uncertainty_order
from annotator.train.refresh import refresh_suggestions
from annotator.train.report import TrainReport
from annotator.train.taxonomy_edit import apply_exception, preview_exception
from annotator.train.training import MODEL_NAME, WORSE_CONFIDENCE, models_dir, train

__all__ = [
    "MODEL_NAME",
    "TRAINED_MODEL",
    "USER_TAXONOMY",
    "WORSE_CONFIDENCE",
    "TrainReport",
    "TrainingArticle",
    "apply_exception",
    "collect_articles",
    "model_sources",
    "models_dir",
    "preview_exception",
    "refresh_suggestions",
    "split_held_out",
    "train",
    "trained_model",
    "uncertainty_order",
    "user_taxonomy",
]
