"""The paper's own annotations, checked before they extend the dictionary for that paper.

Papers often come with annotations (the "Linked/Full-text entities" of a markdown summary, a PubTator
file's entity lines, PubTator3's BioC). They are often wrong, so :func:`names_from_annotations` checks
each one before recognition: a name is accepted for its annotated ID only if it shares the head word of one
of that concept's names. A name with extra words ("perforating dermatosis" for *Skin Diseases*) or
contradicting ones ("acquired reactive perforating collagenosis" for the *familial* form) becomes a
**local concept** with ``skos:broadMatch`` links to the nearest ontology concepts (never a silent wrong
grounding); a name with nothing in common with its ID's concept ("pruritic dermatological conditions" for
*Acrocephalosyndactylia*) is rejected with a warning. What is accepted becomes :class:`DocumentNames`,
which recognition (:mod:`kg.recognise`) matches in that paper's text alongside the lexicon.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.categories import category_of
from kg.errors import IdentifierError
from kg.identifiers import local_curie, normalize_curie
from kg.lexicon import Lexicon
from kg.records import Concept, Document, EntityType
from kg.text import tokenize
from kg.vocabulary import Overlay

__all__ = [
    "DocumentNames",
    "compare_names",
    "is_broader_than",
    "local_concept",
    "names_from_annotations",
    "sub_phrases",
]


@dataclass
class DocumentNames:
    """Names valid in one document only: token tuple -> (concept id, entity type, method); over ``base``,
    names valid in every document (a user's vocabularies, which win), shared rather than copied."""

    names: dict[tuple[str, ...], tuple[str, EntityType, str]] = field(default_factory=dict)
    base: Mapping[tuple[str, ...], tuple[str, EntityType, str]] = field(default_factory=dict)
    base_lengths: tuple[int, ...] = ()

    def add(self, name: str, concept_id: str, entity_type: EntityType, method: str) -> None:
        norms = tuple(token.norm for token in tokenize(name))
        if norms and norms not in self.names:
            self.names[norms] = (concept_id, entity_type, method)

    def get(self, norms: tuple[str, ...]) -> tuple[str, EntityType, str] | None:
        return self.base.get(norms) or self.names.get(norms)

    @property
    def lengths(self) -> list[int]:
        return sorted({len(k) for k in self.names} | set(self.base_lengths), reverse=True)


_STOP_WORDS = {"of", "the", "and", "in", "with", "to", "a", "an", "or", "for", "by", "on", "due", "type"}
# Words that grade a disease without making it another one.
_QUALIFIERS = {
    "chronic",
    "acute",
    "severe",
    "mild",
    "moderate",
    "subacute",
    "recurrent",
    "persistent",
    "refractory",
    "intractable",
    "early",
    "late",
    "advanced",
    "generalized",
    "generalised",
    "localized",
    "localised",
    "extensive",
}


def _content(name: str) -> list[str]:
    return [t.norm for t in tokenize(name) if t.norm not in _STOP_WORDS]


def is_broader_than(name: str, concept: Concept) -> bool:
    """Whether ``name`` says less than every name of ``concept``: each of its words is in one of the
    concept's names, which has more, and no name of the concept is within it ("systemic diseases" is
    broader than *systemic mast cell disease*; "gout" is not broader than *Gout*).

    >>> is_broader_than("systemic diseases", Concept("MONDO:1", "systemic mastocytosis", "biolink:Disease",
    ...     synonyms=("systemic mast cell disease",)))
    True
    """
    words = set(_content(name))
    names = [set(_content(other)) for other in (concept.label, *concept.synonyms)]
    if not words or any(other and other <= words for other in names):
        return False
    return any(words < other for other in names)


def compare_names(name: str, concept: Concept) -> tuple[str, list[str]]:
    """How ``name`` relates to ``concept``: exact | same | narrower | sibling | unrelated.

    Returns the relation and the concept name it was judged against.
    """
    words = _content(name)
    best: tuple[int, list[str]] = (-1, [])
    for other in (concept.label, *concept.synonyms):
        other_words = _content(other)
        if other_words == words:
            return "exact", other_words
        if words and other_words and other_words[-1] == words[-1]:
            overlap = len(set(words) & set(other_words))
            if overlap > best[0]:
                best = (overlap, other_words)
    if best[0] < 0:
        return "unrelated", []
    other_words = best[1]
    if set(other_words) <= set(words):
        extra = set(words) - set(other_words)
        return ("same" if extra <= _QUALIFIERS else "narrower"), other_words
    if set(words) < set(other_words) or best[0] < 2:
        return "unrelated", other_words  # broader than the concept, or only the head word in common
    return "sibling", other_words


def sub_phrases(words: list[str]) -> list[tuple[str, ...]]:
    """Shorter forms of a multi-word name that keep its head: (a, b, c, head) -> (b, c, head), (a, head)...
    (none for names of more than 7 words: there are 2^n of them, and such a name is a description, not a
    name with modifiers)."""
    if len(words) > 7:
        return []
    head, modifiers = words[-1], words[:-1]
    phrases = []
    for size in range(len(modifiers) - 1, 0, -1):
        for kept in itertools.combinations(modifiers, size):
            phrases.append((*kept, head))
    return phrases


def local_concept(name: str, entity_type: EntityType, broader: tuple[str, ...] = ()) -> Concept:
    """The local concept of a name no vocabulary has (the same for the same name in any paper), under the
    ontology concepts ``broader`` (its ``broad_match``).

    >>> local_concept("Acquired Reactive Perforating Collagenosis", EntityType.DISEASE).id
    'KG:disease.acquired-reactive-perforating-collagenosis'
    """
    label = " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in name.split())
    category = category_of(entity_type.value)
    return Concept(
        local_curie(entity_type.value.lower(), label),
        label,
        category.value if category else "biolink:NamedThing",
        broad_match=broader,
    )


def names_from_annotations(
    document: Document, lexicon: Lexicon, overlay: Overlay | None = None
) -> tuple[DocumentNames, list[Concept], list[str]]:
    """Names the document's own annotations add for this document (over those of the user's vocabularies
    in ``overlay``, which win), the local concepts they create, and warnings about annotations that were not
    used."""
    names = DocumentNames(base=overlay.names, base_lengths=overlay.lengths) if overlay else DocumentNames()
    local: dict[str, Concept] = {}
    warnings: list[str] = []
    for annotation in document.annotations:
        category = category_of(annotation.type)
        if category is None:
            continue
        entity_type = EntityType(annotation.type)
        if lexicon.lookup(annotation.text) or (overlay and overlay.knows(annotation.text)):
            continue  # the lexicon or the user's vocabulary knows this name: kg grounds it itself
        ids = []
        for raw in annotation.ids:
            try:
                ids.append(normalize_curie(raw))
            except IdentifierError as error:
                warnings.append(f"annotation {annotation.text!r}: {error}; ignored")
        known = [lexicon.get_concept(curie) for curie in ids]
        concepts = [c for c in known if c is not None]
        if not ids:
            continue
        if not concepts:
            # An ID the lexicon does not have: trust the paper, keep its ID as the concept.
            concept_id = ids[0]
            local.setdefault(concept_id, Concept(concept_id, annotation.text, category.value, tuple(ids[1:])))
            names.add(annotation.text, concept_id, entity_type, "annotation")
            continue
        concept = concepts[0]
        if entity_type is not EntityType.DISEASE:
            names.add(annotation.text, concept.id, entity_type, "annotation")  # a gene's or drug's alias
            continue
        relation, _ = compare_names(annotation.text, concept)
        if relation in ("exact", "same"):
            names.add(annotation.text, concept.id, entity_type, "annotation")
        elif relation == "unrelated":
            warnings.append(
                f"annotation {annotation.text!r} -> {concept.id} ({concept.label!r}): the name is not a name, "
                "a variant or a sibling of the concept's names; ignored"
            )
        else:
            broader = (concept.id,) if relation == "narrower" else concept.parents
            made = local_concept(annotation.text, entity_type, tuple(broader))
            curie = made.id
            local[curie] = made
            names.add(annotation.text, curie, entity_type, "annotation")
            words = [t.norm for t in tokenize(annotation.text)]
            for phrase in sub_phrases(words) if len(words) > 2 else []:
                names.names.setdefault(phrase, (curie, entity_type, "annotation-variant"))
    return names, sorted(local.values(), key=lambda c: c.id), warnings
