"""The gold corpora as training material: which files are training splits, which are held out, which
entity types each annotates, and how their identifiers are spelled.

Only training splits are learned from, and any training document whose PMID also appears in a held-out
set (a development split) is left out, so development scores stay honest. NLM-Gene has no development
split: its documents whose PMID is a multiple of 3 are held out (164 of 450, scored), the others (286) are a
training split (:func:`is_held_out`).

>>> gold_id("D003876"), gold_id("3565"), gold_id("MESH:D003876")
('MESH:D003876', 'NCBIGene:3565', 'MESH:D003876')
>>> gold_id("rs113488022"), gold_id("p|SUB|V|600|E")
('DBSNP:rs113488022', 'KG:variant.p-v600e')
"""

from __future__ import annotations

import glob
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from kg.categories import category_of, entity_type_of
from kg.errors import InputError
from kg.identifiers import hgvs_from_tmvar, variant_curie
from kg.lexicon import Lexicon
from kg.read import read_documents
from kg.records import Concept, Document, EntityType, Mention

__all__ = [
    "ANNOTATED_TYPES",
    "HELD_OUT",
    "TRAINING",
    "gold_entities",
    "gold_id",
    "is_held_out",
    "training_documents",
]

logger = logging.getLogger(__name__)

TRAINING = {
    "bc5cdr": "bc5cdr/CDR_TrainingSet.PubTator.txt",
    "ncbi_disease": "ncbi_disease/NCBItrainset_corpus.txt",
    "biored": "biored/Train.PubTator",
    "nlm_gene": "nlm_gene/train/*.BioC.XML",  # the part is_held_out leaves
}
HELD_OUT = {
    "bc5cdr": "bc5cdr/CDR_DevelopmentSet.PubTator.txt",
    "ncbi_disease": "ncbi_disease/NCBIdevelopset_corpus.txt",
    "biored": "biored/Dev.PubTator",
    "nlm_gene": "nlm_gene/train/*.BioC.XML",
}
# What each training corpus annotates: a gene matched in BC5CDR text is not a false positive.
ANNOTATED_TYPES = {
    "bc5cdr": {"Disease", "Chemical"},
    "ncbi_disease": {"Disease"},
    "biored": {"Disease", "Chemical", "Gene", "Species", "Variant"},
    "nlm_gene": {"Gene"},
}
# Corpora without a development split, cut by PMID: a document is held out when its PMID is a multiple of
# this number (the cut kg's species prototype used; NLM-Gene's held-out part is scored as a test set).
SPLIT_BY_PMID = {"nlm_gene": 3}


def gold_id(raw: str) -> str:
    """A gold relation argument as a CURIE (MeSH and NCBI Gene IDs come bare in BC5CDR and BioRED, variants
    as rs numbers or tmVar's pipe form, read as the PubTator reader reads them)."""
    raw = raw.strip()
    if re.fullmatch(r"(?i)rs\d+", raw):
        return f"DBSNP:rs{int(raw[2:])}"
    if "|" in raw:
        return variant_curie(hgvs_from_tmvar(raw))
    if re.fullmatch(r"[CD]\d{6,9}", raw):
        return f"MESH:{raw}"
    if raw.isdigit():
        return f"NCBIGene:{raw}"
    return raw


def gold_entities(document: Document, lexicon: Lexicon) -> tuple[list[Mention], list[Concept]]:
    """A document's own entity annotations as grounded mentions (one per annotated ID: a composite mention
    gives one per part) and their concepts: the lexicon's concept of the ID when it has one of the
    annotated type (so its cross-references come along), else a concept of that ID alone."""
    mentions: list[Mention] = []
    concepts: dict[str, Concept] = {}
    wanted = {t.value for t in EntityType}
    for annotation in document.annotations:
        if annotation.start is None or annotation.end is None or annotation.type not in wanted:
            continue
        entity_type = EntityType(annotation.type)
        for curie in annotation.ids:
            concept = lexicon.get_concept(curie)
            if concept is None or entity_type_of(concept.category) is not entity_type:
                category = category_of(entity_type)
                concept = Concept(
                    curie, annotation.text, category.value if category else "biolink:NamedThing"
                )
            concepts.setdefault(concept.id, concept)
            mentions.append(
                Mention(
                    annotation.start,
                    annotation.end,
                    annotation.text,
                    entity_type,
                    (concept.id,),
                    concept.id,
                    "gold",
                )
            )
    mentions.sort(key=lambda m: (m.start, m.end, m.concept_id or ""))
    return mentions, sorted(concepts.values(), key=lambda c: c.id)


def is_held_out(corpus: str, document: Document) -> bool:
    """Whether a document of ``corpus`` is held out: a whole development split, or for a corpus cut by
    PMID (:data:`SPLIT_BY_PMID`), a PMID that is a multiple of the cut's number.

    >>> from kg.records import Document
    >>> is_held_out("nlm_gene", Document("PMID:12461077", "", ())), is_held_out("nlm_gene", Document("PMID:16573830", "", ()))
    (False, True)
    """
    modulus = SPLIT_BY_PMID.get(corpus)
    if modulus is None:
        return True
    number = document.id.split(":", 1)[-1]
    return number.isdigit() and int(number) % modulus == 0


def training_documents(
    corpora: Path, held_out_sets: Iterable[str] | None = None
) -> dict[str, list[Document]]:
    """Training documents per corpus, without any document that is also in a held-out set (of those named
    in ``held_out_sets``; default: all of :data:`HELD_OUT`). A model that only touches genes need only keep
    clear of the sets that score genes (BioRED's and NLM-Gene's)."""
    corpora = Path(corpora)
    held_out: set[str] = set()
    wanted = set(HELD_OUT) if held_out_sets is None else set(held_out_sets)
    for name, pattern in HELD_OUT.items():
        if name not in wanted:
            continue
        paths = sorted(glob.glob(str(corpora / pattern)))
        if not paths:
            raise InputError(f"{corpora / pattern}: held-out corpus not found")
        held_out |= {d.id for d in read_documents(paths) if is_held_out(name, d)}
    result = {}
    for name, relative in TRAINING.items():
        paths = sorted(glob.glob(str(corpora / relative)))
        if not paths:
            raise InputError(f"{corpora / relative}: training corpus not found")
        everything = read_documents(paths)
        documents = [d for d in everything if d.id not in held_out]
        unique = {d.id: d for d in documents}
        result[name] = list(unique.values())
        logger.info(
            "%s: %d training documents (%d held out)", name, len(unique), len(everything) - len(documents)
        )
    return result
