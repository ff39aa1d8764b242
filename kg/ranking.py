"""How the concepts a name could stand for are ordered: the one place that ranks candidates.

A matched name usually has one concept; when it has several ("CAT" the gene and the animal's name in
another vocabulary, a disease with an HPO and a MONDO entry not yet merged), :func:`rank_postings` orders
them by the best kind of name that matched (:data:`KIND_WEIGHT`), by how many sources list the name,
and by whether training corpora gave the name to that concept; ties go to the better-attested concept
(more cross-references). Grounding (:func:`choose_concept`) then prefers a concept the document already
names unambiguously elsewhere, and otherwise keeps this order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from kg.lexicon import Lexicon, Posting
from kg.lexicon.kinds import SYMBOL_KINDS, NameKind
from kg.records import Concept
from kg.text import GREEK_NAMES

__all__ = ["KIND_WEIGHT", "attestation", "case_matches", "choose_concept", "rank_postings"]

# How much a matched name says about its concept, by the kind of name it is.
KIND_WEIGHT = {
    NameKind.SYMBOL: 1.0,
    NameKind.LABEL: 1.0,
    NameKind.NAME: 0.9,
    NameKind.CORPUS: 0.85,
    NameKind.ENTRY: 0.85,
    NameKind.SYNONYM: 0.8,
    NameKind.ALIAS: 0.75,
    NameKind.PREVIOUS: 0.6,
    NameKind.CELL_LINE: 0.9,  # a cell line's name: a signal of its species (kg.species), rarely a gene
    NameKind.ORTHOLOG_NAME: 0.7,
    NameKind.DESIGNATION: 0.65,
}
_OTHER_KIND_WEIGHT = 0.7
_NOT_ALNUM = re.compile(r"[\W_]+")


class _ConceptSource(Protocol):
    def get_concept(self, curie: str) -> Concept | None: ...


def _letters(value: str) -> str:
    return _NOT_ALNUM.sub("", "".join(GREEK_NAMES.get(c, c) for c in value))


def case_matches(text: str, surface: str, kind: str) -> bool:
    """Whether ``text`` spells a case-sensitive name right. Gene symbols also match in another case as
    long as the text has a capital (mouse ``Bax`` is ``BAX``; ``bax`` is not) or, written all in lower case
    as gene lists and zebrafish papers do, letters and digits (``mmp2``, ``cd63``); other names exactly.

    >>> case_matches("Bax", "BAX", "symbol"), case_matches("bax", "BAX", "symbol"), case_matches("Ad", "AD", "synonym")
    (True, False, False)
    >>> case_matches("mmp2", "MMP2", "symbol"), case_matches("il4", "IL4", "alias"), case_matches("p2", "P2", "alias")
    (True, True, False)
    """
    written, wanted = _letters(text), _letters(surface)
    if written == wanted:
        return True
    if kind not in SYMBOL_KINDS or written.upper() != wanted.upper():
        return False
    if any(c.isupper() for c in written):
        return True
    return sum(c.isalpha() for c in written) >= 2 and any(c.isdigit() for c in written)


def attestation(curie: str, concepts: _ConceptSource) -> int:
    """How well attested a concept is: its number of cross-references (the tie-breaker everywhere)."""
    concept = concepts.get_concept(curie)
    return len(concept.xrefs) if concept else 0


def rank_postings(postings: Sequence[Posting], text: str, lexicon: Lexicon) -> list[tuple[str, float]]:
    """Concepts behind the postings that survive the case check, best first, with a score in (0, 1].

    A concept scores by the best kind of name that matched, plus a little for each further source that
    lists the name; a name learned from annotated corpora (kind ``corpus``) settles ambiguities.
    """
    weights: dict[str, float] = defaultdict(float)
    sources: dict[str, set[str]] = defaultdict(set)
    for posting in postings:
        surface = posting.case_sensitive_surface
        if surface is not None and not case_matches(text, surface, posting.kind):
            continue
        weight = KIND_WEIGHT.get(posting.kind, _OTHER_KIND_WEIGHT)  # type: ignore[call-overload]
        weights[posting.concept_id] = max(weights[posting.concept_id], weight)
        sources[posting.concept_id].add(posting.source)
    raw = {
        cid: w + 0.05 * min(len(sources[cid]) - 1, 3) + (0.3 if NameKind.CORPUS in sources[cid] else 0.0)
        for cid, w in weights.items()
    }
    if len(raw) > 1:
        attested = {cid: attestation(cid, lexicon) for cid in raw}
        order = sorted(raw, key=lambda cid: (-raw[cid], -attested[cid], cid))
    else:
        order = list(raw)
    return [(cid, round(min(1.0, raw[cid]), 3)) for cid in order]


def choose_concept(
    candidates: Sequence[str],
    unambiguous: Mapping[str, int],
    get_concept: Callable[[str], Concept | None],
) -> str:
    """The concept a mention stands for among its ranked ``candidates``: the one the document names most
    often without ambiguity (``unambiguous`` counts), else the first, else the better attested."""
    if len(candidates) == 1:
        return candidates[0]

    def preference(curie: str) -> tuple[int, int, int]:
        concept = get_concept(curie)
        return (-unambiguous.get(curie, 0), candidates.index(curie), -len(concept.xrefs) if concept else 0)

    return min(candidates, key=preference)
