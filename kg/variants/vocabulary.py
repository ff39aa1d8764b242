"""The letters and words sequence variants are written with, for the rules of :mod:`kg.variants.notation`
and :mod:`kg.variants.language`: amino acids (one letter, three letters, names), nucleotides, number words,
arrows; and what the words around a short form say (a variant word nearby, a name shape such as a cell
line, a figure label, a gene family glued to a position)."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "AA3",
    "AA3_ANY",
    "AA_ANY",
    "AA_NAME",
    "NUC_NAME",
    "STOP_NL",
    "_AA1",
    "_AA3",
    "_AA3_STD",
    "_AA_NAMES",
    "_ARROW",
    "_B",
    "_CELL_LINE_CONTEXT",
    "_DNA_CONTEXT",
    "_E",
    "_FIGURE_BEFORE",
    "_GENE_FAMILY_PREFIX",
    "_GLUE_GENES",
    "_NAME_AFTER",
    "_NAME_TOKENS",
    "_NUC1",
    "_NUC_NAMES",
    "_NUMBER_WORDS",
    "_PROTEIN_CONTEXT",
    "_VARIANT_WORDS",
    "_aa",
    "_alt",
    "_looks_dna",
    "_near_variant_words",
    "_nuc",
]

# Vocabulary

_AA3 = {
    "ala": "A", "arg": "R", "asn": "N", "asp": "D", "cys": "C", "gln": "Q", "glu": "E", "gly": "G",
    "his": "H", "ile": "I", "leu": "L", "lys": "K", "met": "M", "phe": "F", "pro": "P", "ser": "S",
    "thr": "T", "trp": "W", "tyr": "Y", "val": "V", "sec": "U", "pyl": "O", "ter": "*", "xaa": "X",
    "stop": "*", "term": "*",
}  # fmt: skip
_AA_NAMES = {
    "alanine": "A", "arginine": "R", "asparagine": "N", "aspartic acid": "D", "aspartate": "D",
    "cysteine": "C", "glutamine": "Q", "glutamic acid": "E", "glutamate": "E", "glycine": "G",
    "histidine": "H", "isoleucine": "I", "leucine": "L", "lysine": "K", "methionine": "M",
    "phenylalanine": "F", "proline": "P", "serine": "S", "threonine": "T", "tryptophan": "W",
    "tyrosine": "Y", "valine": "V", "selenocysteine": "U",
}  # fmt: skip
_NUC_NAMES = {
    "adenine": "A", "adenosine": "A", "cytosine": "C", "cytidine": "C", "guanine": "G", "guanosine": "G",
    "thymine": "T", "thymidine": "T", "uracil": "U", "uridine": "U",
}  # fmt: skip
_AA1 = "ACDEFGHIKLMNPQRSTVWY"
_NUC1 = "ACGTU"
_NUMBER_WORDS = {
    "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "eighteen": 18, "twenty": 20, "thirty": 30,
}  # fmt: skip


def _alt(words: Iterable[str], title: bool = True, upper: bool = False) -> str:
    """A regex alternation of words, also in Title and UPPER case when asked, written as a trie: Python's
    regex engine tries the branches of an alternation one by one at every position, so 100 words sharing
    a few first letters cost 100 tests where a trie costs a handful. A space in a word matches a space or
    a hyphen. Where one word continues another, the longer is tried first, as in a longest-first list.

    >>> _alt(["ala", "arg"], title=False)
    '(?:a(?:la|rg))'
    >>> bool(re.fullmatch(_alt(["glutamic acid", "glutamate"]), "Glutamic-acid"))
    True
    """
    trie: dict[str, dict] = {}
    for w in words:
        for form in {w, w[:1].upper() + w[1:] if title else w, w.upper() if upper else w}:
            node = trie
            for character in form:
                node = node.setdefault(character, {})
            node[""] = {}
    return f"(?:{_trie_pattern(trie)})"


def _trie_pattern(node: dict[str, dict]) -> str:
    branches = [
        (r"[\s-]" if c == " " else re.escape(c)) + _trie_pattern(node[c])
        for c in sorted(c for c in node if c)
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


_AA3_STD = [k for k in _AA3 if len(k) == 3 and k not in ("ter", "xaa")]
AA3 = _alt(_AA3_STD, upper=True)  # Val, VAL, val
AA3_ANY = _alt([*_AA3_STD, "ter", "stop", "Stop", "STOP"], upper=True)
AA_NAME = _alt(_AA_NAMES, upper=False)
NUC_NAME = _alt(_NUC_NAMES, upper=False)
AA_ANY = rf"(?:{AA_NAME}|{AA3})"  # a residue written out (name or three letters)
STOP_NL = r"(?:(?:a|an)\s)?(?:(?:premature\s)?(?:stop|termination|nonsense)(?:\scodon)?|[Tt]erm(?:ination)?|TAG|TAA|TGA)"

_B = r"(?<![A-Za-z0-9])"  # left boundary
_E = r"(?![A-Za-z0-9])"  # right boundary
_ARROW = r"(?:-{1,4}\s?>|>|→|⟶|=>|-{4}|\u2192)"


def _aa(token: str) -> str:
    """One-letter code (``*`` for stop) of a residue written as a letter, 3 letters or a name."""
    t = re.sub(r"[\s-]+", " ", token.strip()).lower()
    t = re.sub(r"^(?:an?|the)\s", "", t)
    t = re.sub(r"\s(?:residue|codon)$", "", t)
    if len(t) == 1:
        return "*" if t in ("x", "*") else t.upper()
    if t in _AA3:
        return _AA3[t]
    if t in _AA_NAMES:
        return _AA_NAMES[t]
    if t in _NUC_NAMES:
        return _NUC_NAMES[t]
    if any(t.startswith(w) for w in ("stop", "termination", "nonsense", "premature", "term", "ter")) or t in (
        "tag",
        "taa",
        "tga",
    ):
        return "*"
    return t.upper()


def _nuc(token: str) -> str:
    t = token.strip().lower()
    return _NUC_NAMES.get(t, t.upper())


# Words near a bare short form that make it a variant rather than a name.
_VARIANT_WORDS = re.compile(
    r"(?i)mutat|mutant|variant|substitut|polymorph|allele|SNP|carrier|homozyg|heterozyg|missense|nonsense|"
    r"frameshift|genotyp|transition|transversion|replac|point|knock-?in|resistan|pathogenic|de novo|germline|"
    r"somatic|codon|residue|amino acid"
)
# Whole tokens shaped like substitutions that are names: cell lines, strains, receptors, histones, viruses...
_NAME_TOKENS = {
    "T47D", "C33A", "T98G", "C3H", "T1D", "T2D", "T3D", "E2F", "E2A", "E1A", "E1B", "E4F", "P2X", "P2Y", "D1R",
    "D2R", "D3R", "D4R", "D5R", "M1R", "M2R", "M3R", "M4R", "M5R", "A2A", "A2B", "A1R", "A3R", "S1P", "G2M",
    "N2A", "H2A", "H2B", "H3K", "H4K", "S6K", "F2R", "C1S", "C1R", "C4A", "C4B", "C5A", "C3G", "A2M", "Y1R",
    "Y2R", "Y4R", "Y5R", "H1R", "H2R", "H3R", "H4R", "V1A", "V1B", "V2R", "K2P", "G1S", "S2P", "T4L", "P1A",
    "N1E", "C2C", "E6A", "R1A", "R1B", "L1M", "A1C", "G3P", "F1A", "H9C", "C6F", "K14E", "S100A", "S100P",
    "H69V", "P19C", "C2H", "T3L", "S1A", "S2A", "P3A", "E7C", "Y79A", "A7R", "K5R", "W3C", "F9A", "C9D",
    "D28K", "L18A", "E74A", "T3R", "M6P", "R7G", "N1L", "A36R", "H5F", "G418R", "P450R", "F8C", "F9C", "C2D",
    "C3D", "C4D", "C5D", "C6D", "C7D", "C8D", "R3327G", "H2K", "H2D", "H2L", "E6AP", "S6K1", "P2X7", "M1A",
}  # fmt: skip
# Words after a bare short form that make it a name ("E74A protein", "N1L ORF", "R7G family").
_NAME_AFTER = re.compile(
    r"^[\s-]*(?:proteins?|genes?|ORFs?|family|promoters?|alpha|beta|gamma|delta|subunits?|antibod(?:y|ies)|cells?|"
    r"locus|loci|homologu?es?|orthologu?es?|isoforms?|antigens?|virus|strains?|tumou?rs?|carcinoma|adenocarcinoma|"
    r"agonists?|antagonists?|ligands?|inhibitors?)\b",
    re.I,
)
_CELL_LINE_CONTEXT = re.compile(
    r"(?i)^[\s-]*(?:cells?|cell\s+lines?|xenografts?|tumou?rs?\s+cells|mice|strain)\b"
)
_FIGURE_BEFORE = re.compile(
    r"(?i)(?:fig(?:ure)?s?|tables?|tab|suppl(?:ementary|emental)?|data|panels?|movies?|videos?|appendix)\.?\s*$"
)
_GENE_FAMILY_PREFIX = re.compile(
    r"^(?:TNFRSF|TNFSF|SLC\d+|PPP\d+|ARHGAP|ARHGEF|TMEM|CCDC|FAM|ZNF|ANKRD|LRRC|KIAA|CYP\d+|HIST\d+H\d*|KCN[A-Z]?|"
    r"ABC[A-G]?|ATP\d*|UGT\d+|SERPIN|CDKN|RPL|RPS|NDUF|COX|OR\d+|IGH|IGK|IGL|TRB|TRA|HLA|KIR\d*)"
)
# Frequently mutated genes whose symbol may be glued to a two-digit position ("KRASG12D").
_GLUE_GENES = {
    "KRAS", "NRAS", "HRAS", "BRAF", "EGFR", "IDH1", "IDH2", "PIK3CA", "TP53", "JAK2", "KIT", "FLT3", "NPM1",
    "DNMT3A", "ERBB2", "HER2", "ALK", "MET", "RET", "FGFR1", "FGFR2", "FGFR3", "FGFR4", "GNAQ", "GNA11",
    "GNAS", "SF3B1", "MYD88", "EZH2", "H3F3A", "HIST1H3B", "ESR1", "AKT1", "CTNNB1", "PTEN", "BRCA1", "BRCA2",
    "ABL1", "ABL", "PDGFRA", "MAP2K1", "MEK1", "ROS1", "NTRK1", "CALR", "MPL", "U2AF1", "SRSF2", "TERT",
    "SMO", "POLE", "ERBB3", "RAC1", "RHOA", "SETBP1", "CSF3R", "PTPN11", "MEN1", "APC", "VHL", "NF1", "SOD1",
    "LRRK2", "SNCA", "APOE", "CFTR", "HBB", "MTHFR", "F5", "HFE", "TTR", "KMT2A", "ASXL1", "TET2", "RUNX1",
}  # fmt: skip


# --- context ---------------------------------------------------------------------------------------------


def _near_variant_words(text: str, start: int, end: int, window: int) -> bool:
    if window == 0:
        return False
    return bool(_VARIANT_WORDS.search(text[max(0, start - window) : end + window]))


_DNA_CONTEXT = re.compile(
    r"(?i)nucleotide|promoter|\bSNPs?\b|\bexon|intron|transition|transversion|\bbp\b|untranslated|UTR|polymorphism|\bc\.|genotype"
)
_PROTEIN_CONTEXT = re.compile(r"(?i)amino[\s-]acid|residue|\bcodon|protein|missense|p\.")


def _looks_dna(text: str, start: int, end: int, ref: str, alt: str, pos: int) -> bool:
    """G1359A vs A53T: nucleotides when the change is a transition or the words around speak of DNA."""
    window = text[max(0, start - 80) : end + 80]
    dna = len(_DNA_CONTEXT.findall(window))
    protein = len(_PROTEIN_CONTEXT.findall(window))
    transition = {ref, alt} in ({"A", "G"}, {"C", "T"})
    score = (1.5 if transition else -1) + (0.7 if pos >= 1500 else 0) + 0.5 * dna - 0.5 * protein
    return score > 0
