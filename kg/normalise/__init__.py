"""Normalisation: choose the concept(s) of each disease and chemical mention, or none (NIL).

A learned ranker over candidates from the lexicon, the training memory and a fuzzy name search, with
composite mentions, document consistency and a NIL threshold. One module per step:

* :mod:`kg.normalise.index`: the candidate index, derived from the compiled lexicon (built once per machine);
* :mod:`kg.normalise.features`: candidate generation and the ranker's features;
* :mod:`kg.normalise.model`: the shipped weights (``kg/data/normaliser.json``) and their numpy scorer;
* :mod:`kg.normalise.normaliser`: ranking, composites, consistency, NIL: :func:`normalise_mentions`.

The weights are learned by :mod:`kg.train.normaliser` (``kg normaliser learn``, part of ``make learn``).

How the per-document pipeline uses it (:class:`~kg.extract.Extractor`): one normaliser per extractor, made
beside its matcher (the candidate index opens at the first document), then per document, after
recognition::

    normaliser = Normaliser(lexicon, models.normaliser)          # once (Models.none() has no normaliser)
    normalisations = normalise_mentions(normaliser, document, mentions)
    # one Normalisation per Disease/Chemical mention, in order: .concept_ids (several: composite),
    # .is_nil (make a local concept; .candidates[0] is the nearest ontology concept), .scores, .parts
"""

from kg.normalise.index import CandidateIndex, build_candidate_index
from kg.normalise.model import NormaliserModel
from kg.normalise.normaliser import Normalisation, Normaliser, find_long_forms, normalise_mentions

__all__ = [
    "CandidateIndex",
    "Normalisation",
    "Normaliser",
    "NormaliserModel",
    "build_candidate_index",
    "find_long_forms",
    "normalise_mentions",
]
