"""The IDs a variant concept answers to (see :mod:`kg.identifiers` for how variant IDs are made).

>>> from kg.records import Concept
>>> variant_ids(Concept("KG:variant.braf.p-v600e", "BRAF p.V600E", "biolink:SequenceVariant"))
('KG:variant.braf.p-v600e', 'KG:variant.p-v600e')
"""

from __future__ import annotations

from kg.identifiers import gene_free
from kg.records import Concept

__all__ = ["variant_ids"]


def variant_ids(concept: Concept) -> tuple[str, ...]:
    """The IDs a variant concept answers to: its own, its cross-references, and its gene-free ID."""
    ids = (concept.id, *concept.xrefs)
    return tuple(dict.fromkeys((*ids, *(gene_free(i) for i in ids))))
