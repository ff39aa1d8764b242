"""Sequence variants as `kg` mentions, concepts and relations: the variant stage of the per-document pipeline.

:func:`find_variant_mentions` runs the recogniser over a document's text (its passages laid out in the
document's coordinates), links each variant to its gene (:func:`kg.variants.genes.assign_genes` over the
document's grounded gene mentions), gives the mentions that restate one variant one concept
(:func:`kg.variants.genes.group_variants`), and returns:

* a :class:`~kg.records.Mention` of type ``Variant`` per variant mention (method ``variant``); dictionary
  matches a variant overlaps ("delG", "TAG", "CAG" read as genes) give way to it;
* a :class:`~kg.records.Concept` per variant: ``DBSNP:rs…`` when the text gives one for it (restatements
  ``c.1799T>A (p.V600E; rs113488022)`` share it), else ``KG:variant.<gene>.<change>``
  (:mod:`kg.identifiers`), category ``biolink:SequenceVariant``, labelled with its gene and change;
* a ``biolink:is_sequence_variant_of`` :class:`~kg.records.Relation` from a variant to its gene where the
  text makes the link clear ("BRAF V600E", "the V600E mutation in BRAF", "BRAFV600E", and restatements of
  those), with the sentence as evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from kg.biolink import Category, Predicate
from kg.identifiers import gene_part, hgvs_from_tmvar, variant_curie
from kg.records import Concept, Document, EntityType, Evidence, Mention, Relation
from kg.text import split_sentences
from kg.variants.find import Variant, find_variants
from kg.variants.genes import ASSIGNMENTS_THE_TEXT_MAKES_CLEAR, assign_genes, group_variants

__all__ = ["METHOD", "find_variant_mentions"]

METHOD = "kg.variants:patterns"
# Names the paper's own annotations give keep their spans; dictionary matches give way to a variant.
_YIELDING_METHODS = frozenset({"dictionary", "abbreviation"})
_LINK_SCORES = {"glued": 0.95, "adjacent": 0.9, "of-gene": 0.85, "same-variant": 0.8}


def _sentence(document: Document, start: int, end: int) -> tuple[str, int, str]:
    """The sentence around a span (text, start offset, passage kind); the passage when none holds it."""
    for passage in document.passages:
        if passage.offset <= start and end <= passage.end:
            for first, last in split_sentences(passage.text):
                if passage.offset + first <= start and end <= passage.offset + last:
                    return passage.text[first:last], passage.offset + first, passage.kind
            return passage.text, passage.offset, passage.kind
    return "", start, ""


def find_variant_mentions(
    document: Document, mentions: Sequence[Mention], concepts: Sequence[Concept]
) -> tuple[list[Mention], list[Concept], list[Relation]]:
    """The document's mentions with its variants added (overlapped dictionary matches removed), the concepts
    they use, and each variant's ``is_sequence_variant_of`` link to its gene where the text makes it clear."""
    text = document.laid_out("\n")
    found = find_variants(text) if text else []
    taken = [(m.start, m.end) for m in mentions if m.method not in _YIELDING_METHODS]
    variants = [v for v in found if not any(s < v.end and v.start < e for s, e in taken)]
    if not variants:
        return list(mentions), list(concepts), []
    kept = [m for m in mentions if not any(v.start < m.end and m.start < v.end for v in variants)]
    by_id = {c.id: c for c in concepts}
    genes = [m for m in kept if m.type is EntityType.GENE and m.concept_id]
    links = assign_genes(text, variants, [(m.start, m.end, m.concept_id or "") for m in genes])
    groups = group_variants(text, variants)
    # a variant's gene: the one the text links it to, else its group's (mentions naming one variant): the
    # gene most of the group is clearly linked to, else the one most of it is near
    group_gene: dict[str, Mention] = {}
    for how_wanted in (True, False):
        votes: dict[str, Counter[int]] = {}
        for group, link in zip(groups, links, strict=True):
            clear = link.how in ASSIGNMENTS_THE_TEXT_MAKES_CLEAR
            if link.gene is not None and clear == how_wanted and group not in group_gene:
                votes.setdefault(group, Counter())[link.gene] += 1
        for group, counts in votes.items():
            group_gene[group] = genes[counts.most_common(1)[0][0]]
    variant_concepts: dict[str, Concept] = {}
    variant_mentions: list[Mention] = []
    relations: list[Relation] = []
    for variant, group, link in zip(variants, groups, links, strict=True):
        clear = link.gene is not None and link.how in ASSIGNMENTS_THE_TEXT_MAKES_CLEAR
        gene = genes[link.gene] if clear and link.gene is not None else group_gene.get(group)
        gene_concept = by_id.get(gene.concept_id or "") if gene else None
        curie = _curie(variant, group, gene_concept)
        if curie not in variant_concepts:
            variant_concepts[curie] = _concept(curie, variant, group, gene_concept)
        variant_mentions.append(
            Mention(variant.start, variant.end, variant.text, EntityType.VARIANT, (curie,), curie, "variant")
        )
        if clear and gene is not None:
            relations.append(_link(document, variant, curie, gene, link.how))
    for curie, concept in variant_concepts.items():
        texts = sorted({m.text for m in variant_mentions if m.concept_id == curie} - {concept.label})
        by_id[curie] = Concept(concept.id, concept.label, concept.category, synonyms=tuple(texts))
    merged = sorted([*kept, *variant_mentions], key=lambda m: (m.start, m.end))
    used = {m.concept_id for m in merged}
    return merged, sorted((c for c in by_id.values() if c.id in used), key=lambda c: c.id), relations


def _curie(variant: Variant, group: str, gene: Concept | None) -> str:
    """A variant's concept ID: its group's dbSNP ID (``c.1799T>A (p.V600E; rs113488022)`` are one
    variant), else its own change under its gene (without a dbSNP ID, a DNA change and the protein change it
    causes stay two concepts, as the corpora count them)."""
    if group.startswith("DBSNP:"):
        return group
    return variant_curie(hgvs_from_tmvar(variant.tmvar), gene_part(gene.label, gene.taxon) if gene else None)


def _concept(curie: str, variant: Variant, group: str, gene: Concept | None) -> Concept:
    if group.startswith("DBSNP:"):
        return Concept(curie, group.removeprefix("DBSNP:"), Category.SEQUENCE_VARIANT.value)
    label = f"{gene.label} {variant.id}" if gene else variant.id
    return Concept(curie, label, Category.SEQUENCE_VARIANT.value)


def _link(document: Document, variant: Variant, curie: str, gene: Mention, how: str) -> Relation:
    start, end = min(variant.start, gene.start), max(variant.end, gene.end)
    sentence, sentence_start, passage = _sentence(document, start, end)
    evidence = Evidence(
        document_id=document.id,
        sentence=sentence,
        sentence_start=sentence_start,
        subject_text=variant.text,
        subject_start=variant.start,
        subject_end=variant.end,
        object_text=gene.text,
        object_start=gene.start,
        object_end=gene.end,
        method=METHOD,
        score=_LINK_SCORES.get(how, 0.7),
        trigger=how,
        passage=passage,
    )
    return Relation(curie, Predicate.IS_SEQUENCE_VARIANT_OF.value, gene.concept_id or "", evidence)
