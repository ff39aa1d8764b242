"""Ground mentions to concepts: one concept per mention, among the candidates recognition found.

Each mention keeps the concept :func:`kg.ranking.choose_concept` picks among its ranked candidates (the
one the document already names unambiguously elsewhere, else the best ranked), provided the concept exists
(in the lexicon, or as a local concept of this document, see :mod:`kg.annotations`) and is of the
mention's type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace

from kg.categories import entity_type_of
from kg.lexicon import Lexicon
from kg.ranking import choose_concept
from kg.records import Concept, Mention

__all__ = ["ground_mentions"]


def ground_mentions(
    mentions: list[Mention],
    lexicon: Lexicon,
    local: Iterable[Concept] = (),
    known: Mapping[str, Concept] | None = None,
) -> tuple[list[Mention], list[Concept]]:
    """Choose each mention's concept (one grounded already keeps its own); return the grounded mentions
    and the concepts they use. ``local`` concepts (this document's) and ``known`` ones (a user's
    vocabularies') come before the lexicon's."""
    local_by_id = {concept.id: concept for concept in local}
    known = known or {}

    def get_concept(curie: str) -> Concept | None:
        return local_by_id.get(curie) or known.get(curie) or lexicon.get_concept(curie)

    unambiguous = Counter(m.candidates[0] for m in mentions if len(m.candidates) == 1)
    grounded: list[Mention] = []
    used: dict[str, Concept] = {}
    for mention in mentions:
        if not mention.candidates:
            continue
        chosen = mention.concept_id or choose_concept(mention.candidates, unambiguous, get_concept)
        concept = get_concept(chosen)
        if concept is None:
            continue
        if entity_type_of(concept.category) not in (mention.type, None):
            continue
        used[concept.id] = concept
        grounded.append(replace(mention, concept_id=concept.id))
    return grounded, sorted(used.values(), key=lambda c: c.id)
