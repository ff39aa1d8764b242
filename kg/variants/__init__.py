"""Sequence variants: found in text as tmVar finds them, normalised, linked to their genes.

``find_variants(text)`` recognises HGVS DNA and protein forms (``c.1799T>A``, ``p.Val600Glu``, ``p.V600E``),
bare changes (``V600E``, ``Arg506Gln``, ``1799T>A``), dbSNP IDs (``rs113488022``), named and sized
deletions and insertions (``ΔF508``, ``32-bp deletion``), repeats and changes told in words ("Val to Glu at
codon 600"), each with a normalised ID; ``assign_genes`` links each to the gene it belongs to;
``group_variants`` gives restatements one ID. The rules are pure Python regular expressions
(:mod:`kg.variants.notation`, :mod:`kg.variants.bare`, :mod:`kg.variants.language`, over the vocabulary of
:mod:`kg.variants.vocabulary`), found by :mod:`kg.variants.find`; :mod:`kg.identifiers` makes their IDs
(``DBSNP:rs…``, or ``KG:variant.<gene>.<change>``); :mod:`kg.variants.mentions` is the pipeline's variant stage.

>>> [(v.text, v.id) for v in find_variants("BRAF V600E (c.1799T>A; rs113488022)")]
[('V600E', 'p.V600E'), ('c.1799T>A', 'c.1799T>A'), ('rs113488022', 'DBSNP:rs113488022')]
"""

from kg.identifiers import gene_free, hgvs_from_tmvar, variant_curie
from kg.variants.find import Variant, find_variants
from kg.variants.genes import GeneAssignment, assign_genes, group_variants
from kg.variants.identifiers import variant_ids
from kg.variants.mentions import find_variant_mentions

__all__ = [
    "GeneAssignment",
    "Variant",
    "assign_genes",
    "find_variant_mentions",
    "find_variants",
    "gene_free",
    "group_variants",
    "hgvs_from_tmvar",
    "variant_curie",
    "variant_ids",
]
