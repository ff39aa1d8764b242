"""Sequence variants (kg.variants) on real sentences: PubMed abstracts of BioRED, NCBI Disease, BC2GM and
NLM-Gene, and the CIViC/tmVar3 full text of ../shared/realworld, plus short forms."""

from __future__ import annotations

import re

import pytest

from kg.identifiers import normalize_curie
from kg.records import Document, EntityType, Passage
from kg.variants import Variant, assign_genes, find_variants, group_variants, variant_curie


def found(text: str) -> list[tuple[str, str]]:
    return [(v.text, v.id) for v in find_variants(text)]


# --- spans and IDs on real sentences --------------------------------------------------------------------


def test_braf_v600e_title():
    # BioRED dev, PMID 26684240 (title)
    text = "Identification of the BRAF V600E mutation in gastroenteropancreatic neuroendocrine tumors."
    assert found(text) == [("V600E", "p.V600E")]


def test_hgvs_dna_and_protein_pairs():
    # BioRED dev, PMID 27840894
    text = (
        "3 missense mutations, including c.304G>A (p.Gly102Arg) in exon 3, c.229T>C (p.Cys77Arg) in exon 3 and "
        "c.824T>C (p.Leu275Pro) in exon 7; 2 deletion mutations, including c.528delT (p.Glu177LysfsX44) in exon 5 "
        "and c.1234delA (p.Ser412ValfsX12) in exon 11"
    )
    assert found(text) == [
        ("c.304G>A", "c.304G>A"), ("p.Gly102Arg", "p.G102R"), ("c.229T>C", "c.229T>C"), ("p.Cys77Arg", "p.C77R"),
        ("c.824T>C", "c.824T>C"), ("p.Leu275Pro", "p.L275P"), ("c.528delT", "c.528delT"),
        ("p.Glu177LysfsX44", "p.E177Kfs*44"), ("c.1234delA", "c.1234delA"), ("p.Ser412ValfsX12", "p.S412Vfs*12"),
    ]  # fmt: skip


def test_rs_ids_and_snp_contexts():
    # NLM-Gene abstract: "... TNF(rs1799724), IL2(rs2069762) ..."
    text = "frequencies did not differ by sex except for TNF(rs1799724), IL2(rs2069762), IL10(rs1800890)"
    assert [v.id for v in find_variants(text)] == ["DBSNP:rs1799724", "DBSNP:rs2069762", "DBSNP:rs1800890"]
    assert [(v.text, v.id) for v in find_variants("the rs 113488022 allele")] == [
        ("rs 113488022", "DBSNP:rs113488022")
    ]
    assert find_variants("Eudragit RS100 polymer") == []  # BC2GM: a polymer, not a dbSNP ID


def test_intronic_and_splice_forms():
    # BioRED dev, PMID 20143913 / 15086325 and NCBI Disease
    text = "[c.1811_1812delAT and IVS16+1G>A] were novel. Three F5 gene mutations, IVS8 -2A>G, 2238-9del AG and G6410T"
    got = found(text)
    assert ("c.1811_1812delAT", "c.1811_1812delAT") in got
    assert ("IVS16+1G>A", "c.IVS16+1G>A") in got
    assert ("IVS8 -2A>G", "c.IVS8-2A>G") in got
    assert ("2238-9del AG", "c.2238_2239delAG") in got


def test_promoter_positions_glued_to_gene():
    # BioRED train, PMID 17006606: the gene is glued to a negative promoter position
    text = "of which IL1B-31T/C and -511C/T changes have been well investigated; subjects with IL1B-31TT"
    got = [(v.text, v.id) for v in find_variants(text)]
    assert got == [("-31T/C", "c.-31T>C"), ("-511C/T", "c.-511C>T"), ("-31TT", "c.-31TT")]


def test_named_deletions():
    assert found("the common deltaF508 allele") == [("deltaF508", "p.F508del")]
    assert found("homozygous for ΔF508") == [("ΔF508", "p.F508del")]
    assert found("p.Phe508del and F508del") == [("p.Phe508del", "p.F508del"), ("F508del", "p.F508del")]
    # BioRED dev, PMID 17671735
    text = "routine screening for the rather frequent -3170G>A mutation (in addition to c.35delG) in patients"
    assert found(text) == [("-3170G>A", "c.-3170G>A"), ("c.35delG", "c.35delG")]
    assert found("the GJB2 35delG mutation") == [("35delG", "c.35delG")]
    # BioRED train, PMID 21135151: "CCR5delta32"
    assert found("Impact of CCR5delta32 host genetic background") == [("delta32", "c.del32")]


def test_natural_language_forms():
    # BioRED train/dev abstracts
    assert found("resulted in a substitution of alanine for proline at amino acid 286 in the first") == [
        ("alanine for proline at amino acid 286", "p.A286P")
    ]
    assert found("heterozygous for C to T transition at nucleotide 3916 resulting in Arg 1306 Trp (R1306W)") == [
        ("C to T transition at nucleotide 3916", "c.3916C>T"), ("Arg 1306 Trp", "p.R1306W"), ("R1306W", "p.R1306W"),
    ]  # fmt: skip
    assert found("corresponding to a tryptophan to arginine substitution at amino acid 10, which") == [
        ("tryptophan to arginine substitution at amino acid 10", "p.W10R")
    ]
    assert found("a change of Val to Glu at codon 600") == [("Val to Glu at codon 600", "p.V600E")]
    assert found("codon 358, tyrosine to histidine") == [("codon 358, tyrosine to histidine", "p.Y358H")]
    assert found("the substitution of a stop codon for glutamine at codon 298 (p.Q298X)") == [
        ("stop codon for glutamine at codon 298", "p.Q298*"), ("p.Q298X", "p.Q298*"),
    ]  # fmt: skip


def test_sized_indels_and_repeats():
    assert found("a 32-bp deletion in CCR5") == [("32-bp deletion", "c.del32")]
    assert found("a novel nine-nucleotide deletion starting at position 1952 of the gene") == [
        ("nine-nucleotide deletion starting at position 1952", "c.1952del9")
    ]
    assert found("The size of the (CAG)n repeat array") == [("(CAG)n", "c.CAG[n]")]


def test_allele_mentions_need_a_full_variant_at_that_position():
    # CIViC/tmVar3 full text: "M327" is kept because M327I/M327V are in the text; "W57" (BC2GM) is not.
    text = "the M327 residue was affected (M327V or M327I), and T349M"
    assert [v.text for v in find_variants(text)] == ["M327", "M327V", "M327I", "T349M"]
    assert find_variants("residues previously shown to mediate the binding of Nef, such as W57 and L58") == []


def test_gene_glued_to_variant():
    (v,) = find_variants("pancreatic cancer cell growth isolated from KrasG12D transgenic mice")  # NLM-Gene
    assert (v.text, v.id, v.gene) == ("G12D", "p.G12D", "Kras")
    (v,) = find_variants("The PTPN22R620W single nucleotide polymorphism")  # NLM-Gene
    assert (v.text, v.gene) == ("R620W", "PTPN22")
    (v,) = find_variants("the BRAFV600E mutation")
    assert (v.text, v.gene) == ("V600E", "BRAF")


def test_dna_or_protein_for_ambiguous_letters():
    # G1359A (transition, polymorphism context) is DNA; A53T and C311A are protein changes.
    assert find_variants("the CNR1 G1359A polymorphism")[0].id == "c.1359G>A"
    assert find_variants("the alpha-synuclein A53T mutation")[0].id == "p.A53T"
    assert find_variants("the C311A/C314A/L351A mutation in the C-terminus of LPA2")[0].id == "p.C311A"


# --- false positives ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # BC2GM sentences
        "Deadenylation and decay of beta - globin mRNA in K562 cells is extraordinarily slow compared with NIH 3T3",
        "Ovaries of 10 animals per group from 16 studies in CD - 1 mice and 1 study each in C3H and C57BL / 6 mice",
        "These data provide strong evidence that E2F or an E2F - related transcription factor is involved",
        "the non - histone tail forms an MCB when directed to the nucleosome by fusion to core histone H2A or H2B",
        "Structural changes in the C - terminus of Ca2 + - bound rat S100B ( beta beta ) upon binding",
        "Cholesterol side - chain cleavage cytochrome P450 ( CYP11A ; P450scc ) gene expression is regulated",
        "In addition , the calbindin - D28K promoter is composed of a variety of sites",
        "Amino acid sequence comparisons of the E74A protein reveal a highly conserved C - terminal domain",
        "nd isoelectric point with that predicted from the N1L ORF .",
        "capable of yielding high vector titers ( > 10 ( 5 ) G418R cfu / ml on NIH - 3T3 )",
        # cell lines, strains, viruses, receptors, figure panels, units
        "T47D and MCF-7 breast cancer cells, A549 lung cells and HEK293T cells were treated",
        "pandemic H1N1 influenza and CD4+ T cells expressing HER2, IL2R and CD28",
        "patients with T1D and T2D; P2X7 and P2Y12 receptors; the D2R antagonist",
        "as shown in Fig. S1A and Supplementary Table S2B, the T98G and C33A cell lines",
        "cells were incubated at 37 C for 2 h in 5% CO2 and 20 G needles were used",
        "upregulated TNF-alpha, IL-1alpha/beta, IL-17A/F, IL-23p19",  # NLM-Gene
        "Deletion of muscleblind-like 1 (Mbnl1(ΔE2/ΔE2)) in 129 sv mice",  # NLM-Gene: an exon
        "the TMEM16A, PPP1R12A and CDKN2A genes",
    ],
)
def test_no_false_positives(text):
    assert find_variants(text) == []


# --- genes ---------------------------------------------------------------------------------------------------


def _genes(text: str, names: list[str]) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer("|".join(map(re.escape, names)), text)]


def test_assign_genes_adjacent_of_gene_and_same_variant():
    text = (
        "BRAF V600E (c.1799T>A) was found in 40% of tumours. KRAS and NRAS were wild type. "
        "The V600E mutation in BRAF predicts response. In the MEN1 gene, the mutation M327I was found; "
        "later, M327I-mutant menin was resistant."
    )
    genes = _genes(text, ["BRAF", "KRAS", "NRAS", "MEN1", "menin"])
    names = [text[s:e] for s, e in genes]
    got = [(a.variant.text, names[a.gene], a.how) for a in assign_genes(text, find_variants(text), genes)]
    assert got == [
        ("V600E", "BRAF", "adjacent"),
        ("c.1799T>A", "BRAF", "same-variant"),
        ("V600E", "BRAF", "of-gene"),
        ("M327I", "MEN1", "adjacent"),
        ("M327I", "menin", "of-gene"),
    ]


def test_assign_genes_parenthesised_rs_follows_its_variant():
    # BioRED dev, PMID 25589620: rs4073 is IL8's, although VEGFR2 is the nearest gene before it later on
    text = (
        "In arm 2, IL8-251A/A genotype (rs4073) was associated with a lower risk of toxicities (P = 0.04). "
        "The VEGFR2 H472Q Q/Q genotype (rs1870377) was associated with a higher risk. "
        "rs4073 and rs1870377 may exhibit different associations with toxicity."
    )
    genes = _genes(text, ["IL8", "VEGFR2"])
    names = [text[s:e] for s, e in genes]
    got = {(a.variant.text, names[a.gene]) for a in assign_genes(text, find_variants(text), genes)}
    assert ("rs4073", "IL8") in got and ("rs1870377", "VEGFR2") in got and ("rs4073", "VEGFR2") not in got


def test_assign_genes_without_genes():
    (a,) = assign_genes("V600E", find_variants("V600E"), [])
    assert a.gene is None and a.how == "none"


def test_group_variants_merges_restatements():
    text = "a c.1799T>A (p.V600E) change; missense mutations (A663V, V695M, and A723V)"
    vs = find_variants(text)
    assert group_variants(text, vs) == ["p.V600E", "p.V600E", "p.A663V", "p.V695M", "p.A723V"]


# --- identifiers ---------------------------------------------------------------------------------------------


def test_variant_curies_are_valid_curies():
    text = (
        "BRAF V600E, c.1799T>A, c.-32-13T>G, c.*557G>A, p.R34*, IVS4+1G>A, p.Lys23_Val25dup, "
        "a 2.5 kb deletion, p.G12fsX5, rs113488022"
    )
    for v in find_variants(text):
        curie = variant_curie(v.id, "BRAF")
        assert normalize_curie(curie) == curie
    assert variant_curie("p.V600E", "BRAF") != variant_curie("p.V600E", "KRAS")


def test_offsets_round_trip():
    text = "p.(Arg506Gln), R506Q, arginine-to-glutamine substitution at position 506 and rs 6025"
    vs = find_variants(text)
    assert all(isinstance(v, Variant) and text[v.start : v.end] == v.text for v in vs)
    assert {v.id for v in vs} == {"p.R506Q", "DBSNP:rs6025"}


# --- the variant stage of the pipeline (the shipped lexicon and models) ------------------------------------


def _document(title: str, abstract: str = "") -> Document:
    passages = [Passage("title", 0, title)]
    if abstract:
        passages.append(Passage("abstract", len(title) + 1, abstract))
    return Document("PMID:26684240", title, tuple(passages))


def test_braf_v600e_is_a_sequence_variant_of_braf(extractor):
    # BioRED dev, PMID 26684240 (title)
    result = extractor.extract(
        _document(
            "Identification of the BRAF V600E mutation in gastroenteropancreatic neuroendocrine tumors."
        )
    )
    [variant] = [m for m in result.mentions if m.type is EntityType.VARIANT]
    assert (variant.text, variant.concept_id) == ("V600E", "KG:variant.braf.p-v600e")
    concept = {c.id: c for c in result.concepts}[variant.concept_id]
    assert (concept.label, concept.category) == ("BRAF p.V600E", "biolink:SequenceVariant")
    [link] = [r for r in result.relations if r.predicate == "biolink:is_sequence_variant_of"]
    assert (link.subject, link.object, link.evidence.trigger) == (
        variant.concept_id,
        "NCBIGene:673",
        "adjacent",
    )


def test_a_variant_with_a_dbsnp_id_is_that_id_whatever_its_spelling(extractor):
    text = "The BRAF c.1799T>A (p.V600E; rs113488022) mutation was found; V600E predicts response."
    result = extractor.extract(_document(text))
    variants = {m.text: m.concept_id for m in result.mentions if m.type is EntityType.VARIANT}
    assert variants == dict.fromkeys(["c.1799T>A", "p.V600E", "rs113488022", "V600E"], "DBSNP:rs113488022")
    assert ("DBSNP:rs113488022", "NCBIGene:673") in {
        (r.subject, r.object) for r in result.relations if r.predicate == "biolink:is_sequence_variant_of"
    }


def test_dictionary_matches_give_way_to_variants(extractor):
    # BioRED dev: 'delG' and 'TAG' are gene symbols (and 'TAG' a stop codon) but here variants
    text = "The GJB2 c.35delG mutation and a premature TAG stop codon at codon 34 (p.R34X) were found."
    result = extractor.extract(_document(text))
    assert not any(m.type is EntityType.GENE and m.text in ("delG", "35delG") for m in result.mentions)
    assert "c.35delG" in {m.text for m in result.mentions if m.type is EntityType.VARIANT}
