"""Learn the mention filter (:mod:`kg.mention_filter`): which dictionary matches are mentions.

``kg mentions learn --corpora DIR --models kg/data -o kg/data/mentions.json``: kg's own grounded matches in
the training splits of BC5CDR, NCBI Disease, BioRED and NLM-Gene (from the text only, their species
assigned by the species model in ``--models``), each labelled 1 where annotators marked an
entity of that type overlapping it and 0 where they marked none, counted only in corpora that annotate the
type; a logistic regression over the features :func:`kg.mention_filter.features` describes. Seconds on a
CPU; deterministic.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from kg.ground import ground_mentions
from kg.lexicon import Lexicon
from kg.mention_filter import FILTERED_METHODS, METHOD, THRESHOLD, describe
from kg.models import MODELS_DIR, SPECIES_FILE, TreeEnsemble, vector
from kg.recognise import DictionaryMatcher
from kg.records import Document
from kg.species import assign_species
from kg.train.corpora import ANNOTATED_TYPES, training_documents
from kg.train.logistic import head_json, sparse_matrix, write_model

__all__ = ["learn"]


def _labelled(
    documents: list[Document], annotated: set[str], matcher: DictionaryMatcher, species: TreeEnsemble | None
) -> tuple[list[dict[int, float]], list[int]]:
    rows, labels = [], []
    for document in documents:
        text_only = replace(document, annotations=(), relations=())
        mentions = matcher.find_mentions(text_only)  # from the text only
        grounded, concepts = ground_mentions(mentions, matcher.lexicon)
        grounded, concepts = assign_species(species, text_only, grounded, concepts, matcher.lexicon)
        judged = [
            m for m in grounded if m.type.value in annotated and m.method in FILTERED_METHODS and m.concept_id
        ]
        gold = [
            (a.start, a.end, a.type)
            for a in document.annotations
            if a.start is not None and a.end is not None
        ]
        described = describe(document, judged, grounded, {c.id: c for c in concepts})
        for mention, names in zip(judged, described, strict=True):
            kind = mention.type.value
            rows.append(vector(names))
            labels.append(int(any(t == kind and s < mention.end and mention.start < e for s, e, t in gold)))
    return rows, labels


def learn(
    corpora: Path, output: Path, *, lexicon: Lexicon | None = None, models: Path = MODELS_DIR
) -> dict[str, object]:
    """Learn the filter from the training splits (over matches whose species the species model in ``models``
    assigned); write the weights to ``output``."""
    from sklearn.linear_model import LogisticRegression

    from kg.lexicon import get_default_lexicon

    matcher = DictionaryMatcher(lexicon or get_default_lexicon())
    species = TreeEnsemble.read(Path(models) / SPECIES_FILE)
    documents = training_documents(Path(corpora))
    rows: list[dict[int, float]] = []
    labels: list[int] = []
    summary: dict[str, object] = {}
    for corpus, docs in sorted(documents.items()):
        corpus_rows, corpus_labels = _labelled(docs, ANNOTATED_TYPES[corpus], matcher, species)
        rows += corpus_rows
        labels += corpus_labels
        summary[corpus] = {
            "documents": len(docs),
            "matches": len(corpus_labels),
            "mentions": sum(corpus_labels),
        }
    model = LogisticRegression(C=1.0, max_iter=3000).fit(sparse_matrix(rows), np.array(labels))
    head = head_json(["mention"], model.coef_, model.intercept_, THRESHOLD)
    write_model(output, METHOD, {"mention": head}, summary)
    return summary
