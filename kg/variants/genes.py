"""Which gene a variant mention belongs to, and which mentions of a text name one variant.

:func:`assign_genes` links each variant to a gene mention by simple rules over the sentence and the text
(glued, adjacent, "of the gene", restated, same sentence, earlier, the document's main gene);
:func:`group_variants` gives the mentions that restate one variant (``c.1799T>A (p.V600E; rs113488022)``)
one ID.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg.variants.find import Variant

__all__ = ["ASSIGNMENTS_THE_TEXT_MAKES_CLEAR", "GeneAssignment", "assign_genes", "group_variants"]

# The assignments the text makes clear (the others are guesses from proximity).
ASSIGNMENTS_THE_TEXT_MAKES_CLEAR = frozenset({"glued", "adjacent", "of-gene", "same-variant"})


@dataclass(frozen=True, slots=True)
class GeneAssignment:
    """The gene a variant belongs to: ``gene`` is the index into the ``gene_spans`` given to
    :func:`assign_genes` (None when no gene was found), ``how`` says which rule chose it."""

    variant: Variant
    gene: int | None
    how: str


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])|\n+")


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        # not after common abbreviations ("Fig. 2", "et al. X", "e.g. A")
        before = text[max(0, m.start() - 6) : m.start()]
        if re.search(r"(?:Fig|Figs|al|e\.g|i\.e|vs|no|No|approx|ca|Dr|St)\.$", before):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def assign_genes(
    text: str,
    variants: Sequence[Variant],
    gene_spans: Sequence[tuple[int, int]] | Sequence[tuple[int, int, str]],
) -> list[GeneAssignment]:
    """The gene mention each variant belongs to, by simple rules over the sentence and the text.

    ``gene_spans`` are ``(start, end)`` or ``(start, end, id_or_symbol)`` offsets into ``text`` (as from a gene
    recogniser; the third item, when given, is what "same gene" means, else the upper-cased mention text).
    Rules, first that applies wins (``GeneAssignment.how``):

    1. ``glued``: the variant names its gene (``BRAFV600E``, ``KrasG12D``): the gene span touching it, or the
       nearest one with the same text.
    2. ``adjacent``: a gene mention ends just before the variant (``BRAF V600E``, ``BRAF-V600E``,
       ``BRAF (V600E)``, ``BRAF gene c.1799T>A``, ``BRAF p.V600E``, ``MEN1 mutation M327I``).
    3. ``of-gene``: ``V600E mutation in/of (the) BRAF (gene)``, ``M327I-mutant menin``: the first gene after
       the variant when only variant words, other variants and ``in/of/the`` stand between.
    4. ``same-variant``: another mention of the same variant (same normalised ID, or written next to it in
       parentheses: ``-251A/A genotype (rs4073)``, ``c.1799T>A (p.V600E)``) was linked by rules 1-3: the same
       gene (the majority when several).
    5. ``sentence``: the nearest gene mention in the same sentence (one before the variant wins a tie).
    6. ``previous``: the last gene mentioned before the variant in an earlier sentence.
    7. ``document``: the most often mentioned gene of the text.

    >>> from kg.variants.find import find_variants
    >>> text = "BRAF V600E was found. The V600E mutation in BRAF and KRAS G12D."
    >>> genes = [m.span() for m in re.finditer("BRAF|KRAS", text)]
    >>> [(a.variant.text, text[slice(*genes[a.gene])], a.how) for a in assign_genes(text, find_variants(text), genes)]
    [('V600E', 'BRAF', 'adjacent'), ('V600E', 'BRAF', 'of-gene'), ('G12D', 'KRAS', 'adjacent')]
    """
    order = sorted(range(len(gene_spans)), key=lambda i: gene_spans[i][0])
    if not order:
        return [GeneAssignment(v, None, "none") for v in variants]
    spans = [(gene_spans[i][0], gene_spans[i][1]) for i in range(len(gene_spans))]

    def key_of(i: int) -> str:
        g = gene_spans[i]
        return str(g[2]) if len(g) > 2 and g[2] else text[g[0] : g[1]].upper()  # type: ignore[misc]

    sentences = _sentences(text)
    sentence_starts = [s for s, _ in sentences]
    gene_ends = sorted((spans[i][1], i) for i in order)
    gene_starts = [(spans[i][0], i) for i in order]
    variant_spans = sorted((v.start, v.end) for v in variants)

    def only_variants_between(a: int, b: int) -> str:
        """The text between a and b with other variant mentions replaced by 'V'."""
        out, pos = [], a
        for s, e in variant_spans:
            if s >= a and e <= b:
                out.append(text[pos:s])
                out.append("V")
                pos = e
        out.append(text[pos:b])
        return "".join(out)

    def strong(v: Variant) -> tuple[int | None, str]:
        if v.gene:
            for i in order:
                gs, ge = spans[i]
                if gs <= v.start and ge >= v.start - len(v.gene) - 1 and ge <= v.start + 1:
                    return i, "glued"
            same = [i for i in order if text[spans[i][0] : spans[i][1]].upper() == v.gene.upper()]
            if same:
                return min(same, key=lambda i: abs(spans[i][0] - v.start)), "glued"
        j = bisect.bisect_right(gene_ends, (v.start, len(spans))) - 1
        if j >= 0:
            ge, i = gene_ends[j]
            gap = text[ge : v.start]
            if len(gap) <= 40 and re.fullmatch(_ADJACENT_GAP, gap):
                return i, "adjacent"
        j = bisect.bisect_left(gene_starts, (v.end, -1))
        if j < len(gene_starts):
            gs, i = gene_starts[j]
            gap = only_variants_between(v.end, gs)
            if len(gap) <= 80 and re.fullmatch(_OF_GENE_GAP, gap):
                return i, "of-gene"
        return None, ""

    first = [strong(v) for v in variants]
    group = _group_roots(text, variants)  # mentions that name the same variant share a root
    by_variant: dict[int, dict[str, int]] = {}
    for k, (i, _how) in enumerate(first):
        if i is not None:
            counts = by_variant.setdefault(group[k], {})
            counts[key_of(i)] = counts.get(key_of(i), 0) + 1
    totals: dict[str, int] = {}
    for i in order:
        totals[key_of(i)] = totals.get(key_of(i), 0) + 1

    def distance(i: int, v: Variant) -> float:
        gs, ge = spans[i]
        return (v.start - ge) if ge <= v.start else (gs - v.end) + 0.5  # a gene before wins a tie

    result = []
    for k, (v, (chosen, how)) in enumerate(zip(variants, first, strict=True)):
        if chosen is None and group[k] in by_variant:
            counts = by_variant[group[k]]
            best = max(counts, key=lambda g: (counts[g], totals.get(g, 0)))
            candidates = [i for i in order if key_of(i) == best]
            chosen = min(candidates, key=lambda i: abs(spans[i][0] - v.start))
            how = "same-variant"
        if chosen is None:
            si = max(0, bisect.bisect_right(sentence_starts, v.start) - 1)
            s0, s1 = sentences[si]
            inside = [i for i in order if spans[i][0] >= s0 and spans[i][1] <= s1]
            if inside:
                chosen, how = min(inside, key=lambda i: distance(i, v)), "sentence"
        if chosen is None:
            before = [i for i in order if spans[i][1] <= v.start]
            if before:
                chosen, how = max(before, key=lambda i: spans[i][1]), "previous"
        if chosen is None:
            top = max(totals, key=lambda g: totals[g])
            chosen, how = next(i for i in order if key_of(i) == top), "document"
        result.append(GeneAssignment(v, chosen, how))
    return result


def group_variants(text: str, variants: Sequence[Variant]) -> list[str]:
    """One concept ID per variant, merging mentions that name the same variant in ``text``: equal IDs, and
    a variant restated next to another in parentheses (``c.1799T>A (p.V600E)``, ``-251A/A (rs4073)``,
    ``(c.1799T>A; p.V600E)``). A group takes its dbSNP ID when one of its mentions gives one, else its
    protein-level ID, else the first ID.

    >>> from kg.variants.find import find_variants
    >>> text = "BRAF c.1799T>A (p.V600E; rs113488022) ... the V600E mutation"
    >>> group_variants(text, find_variants(text))
    ['DBSNP:rs113488022', 'DBSNP:rs113488022', 'DBSNP:rs113488022', 'DBSNP:rs113488022']
    """
    roots = _group_roots(text, variants)
    members: dict[int, list[int]] = {}
    for k in sorted(range(len(variants)), key=lambda k: variants[k].start):
        members.setdefault(roots[k], []).append(k)
    best: dict[int, str] = {}
    for root, ks in members.items():
        ids = [variants[k].id for k in ks if variants[k].change != "ALLELE"] or [variants[k].id for k in ks]
        best[root] = next(
            (i for i in ids if i.startswith("DBSNP:")), next((i for i in ids if i.startswith("p.")), ids[0])
        )
    return [best[roots[k]] for k in range(len(variants))]


def _group_roots(text: str, variants: Sequence[Variant]) -> list[int]:
    """For each variant, the index of its group's representative (union-find over equal IDs and
    restatements)."""
    parent = list(range(len(variants)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    ranked = sorted(range(len(variants)), key=lambda k: variants[k].start)
    by_id: dict[str, int] = {}
    for k in ranked:
        parent[find(k)] = find(by_id.setdefault(variants[k].id, k))
    for a, b in itertools.pairwise(ranked):
        if _coreferent(text, variants[a], variants[b], variants):
            parent[find(b)] = find(a)
    return [find(k) for k in range(len(variants))]


def _coreferent(text: str, a: Variant, b: Variant, others: Sequence[Variant] = ()) -> bool:
    """True when ``b`` restates ``a``: ``a (b)``, ``a genotype (b)``, or both inside one pair of
    parentheses ``(a; b)``, ``(a, b)``."""
    gap = text[a.end : b.start]
    if len(gap) > 30 or a.kind == b.kind or "ALLELE" in (a.change, b.change):
        return False  # a restatement changes level (DNA <-> protein <-> rs); same-level neighbours are lists
    if re.fullmatch(r"\s*(?:[A-Za-z]+\s*)?[(\[]\s*(?:(?:SNP|rs|p\.|c\.)\s)?", gap):
        # "a (b)" or "a (b; c)" with every mention inside at another level than a and each other
        close = text.find(")", b.start, b.start + 80)
        inside = [v for v in others if v.start >= b.start and v.end <= close] if close > 0 else [b]
        kinds = [v.kind for v in inside]
        return a.kind not in kinds and len(set(kinds)) == len(kinds)
    if re.fullmatch(r"\s*[;,]\s*", gap):
        before = text[max(0, a.start - 3) : a.start]
        after = text[b.end : b.end + 3]
        return bool(re.search(r"\(\s*$", before) and re.match(r"^\s*\)", after))
    return False


_VARIANT_NOUN = r"(?:mutations?|mutants?|variants?|substitutions?|alleles?|polymorphisms?|changes?|SNPs?|SNVs?|alterations?)"
# Between a gene and its variant: "BRAF V600E", "BRAF-V600E", "BRAF (V600E)", "BRAF gene c.1799T>A",
# "MEN1 mutation M327I", "BRAF p.V600E", "BRAF exon 15 V600E".
_ADJACENT_GAP = re.compile(
    rf"[\s\-:(/^]{{0,3}}(?:(?:gene|protein|{_VARIANT_NOUN}|missense|nonsense|novel|germline|somatic|mutant|"
    rf"exon\s\d+|codon|the|a|an|c\.|p\.)[\s:(,]{{0,3}})*(?:p\.|c\.)?\s?\(?",
    re.I,
)
# Between a variant and the gene it belongs to: "V600E mutation in BRAF", "M327I-mutant menin",
# "M327I and T349M mutations of the MEN1 gene", "V600E (c.1799T>A) in BRAF".
_OF_GENE_GAP = re.compile(
    rf"(?:\)?[\s,;/]*(?:and|or|,)?\s*V\)?)*[\s,)]*(?:\s*(?:\w+\s)?{_VARIANT_NOUN}|-?mutant|-?mutated|-?positive)?"
    rf"(?:\s(?:in|of|within|on|at|affecting)\s(?:the\s|a\s|an\s)?(?:human\s|mouse\s)?(?:\w+\s)?(?:gene\s)?\(?|\s)",
    re.I,
)
