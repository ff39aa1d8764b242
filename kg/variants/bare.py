"""Variants written as bare changes, without an HGVS prefix: protein (``V600E``, ``Arg506Gln``, ``Cys 23 Ser``,
``E873stop``, ``BRAFV600E`` glued to its gene) and nucleotide changes (``1799T>A``, ``-1123 G>C``, ``G1359A``,
``35delG``, ``5382insC``); weak allele forms (``Cys326``, ``-395A``) that count only next to a full variant.
:data:`RULES` lists them in the order they are tried, after :data:`kg.variants.notation.RULES`."""

from __future__ import annotations

import re

from kg.variants.notation import (
    Rule,
    _allele_protein,
    _edit_dna,
    _fs_protein,
    _rule,
    _sub_dna,
    _sub_protein,
)
from kg.variants.vocabulary import (
    _AA1,
    _ARROW,
    _B,
    _CELL_LINE_CONTEXT,
    _E,
    _FIGURE_BEFORE,
    _GENE_FAMILY_PREFIX,
    _GLUE_GENES,
    _NAME_AFTER,
    _NAME_TOKENS,
    _NUC1,
    AA3,
    AA3_ANY,
    AA_NAME,
    NUC_NAME,
    _aa,
    _looks_dna,
    _near_variant_words,
    _nuc,
)

__all__ = ["RULES"]


# --- bare protein changes ------------------------------------------------------------------------------------


@_rule(
    "protein3",
    rf"(?<![A-Za-z0-9.])({AA3})\s?(\()?(\d+)(?(2)\))\s?(?:{_ARROW}|-|/)?\s?"
    rf"(?:(?P<fs>fs(?:\*|X|Ter)?\d*)|(?P<del>del)|(?P<alt>{AA3_ANY}|X|\*)(?P<fs2>fs(?:\*|X|Ter)?\d*)?)(?:\s?\d+)?{_E}",
)
def _h_protein3(m, text):
    ref, pos = m.group(1), m.group(3)
    if m.group("fs"):
        return _fs_protein(ref, pos, None, re.sub(r"\D", "", m.group("fs")) or None)
    if m.group("del"):
        r = _aa(ref)
        return dict(
            kind="protein", change="DEL", id=f"p.{r}{pos}del", tmvar=f"p|DEL|{pos}|{r}", pos=pos, ref=r
        )
    if m.group("fs2"):
        return _fs_protein(ref, pos, m.group("alt"), re.sub(r"\D", "", m.group("fs2")) or None)
    tail = m.group(0)[m.end("alt") - m.start() :]
    if tail.strip() and tail.strip() != pos:  # "Cys 23-Ser 23" repeats the position; any other number: no
        return None
    if tail.strip() and m.group(0)[m.end("alt") - m.start()] != " ":
        return None
    return _sub_protein(ref, pos, m.group("alt"))


@_rule("protein3_allele", rf"(?<![A-Za-z0-9.])({AA3})\s?\(?(\d{{2,5}})\)?{_E}", strength=0)
def _h_protein3_allele(m, text):
    return _allele_protein(m.group(1), m.group(2)) | {"weak": True}


@_rule(
    "protein1",
    rf"(?<![A-Z0-9._])(?<![A-Za-z]-)([{_AA1}])(\d{{1,5}})(?:"
    rf"(?P<fs>([{_AA1}])?fs(?:\*|X|Ter)?(\d+)?)"
    rf"|(?P<del>del)"
    rf"|(?P<alt>[{_AA1}X*]|stop|Stop|STOP|Ter|ter)"
    rf")(?![A-Za-z0-9])",
)
def _h_protein1(m, text):
    ref, pos = m.group(1), m.group(2)
    s = m.start()
    glued = None
    if s > 0 and text[s - 1].islower():
        glued = _glued_prefix(text, s)
        if glued is None:
            return None
    token = m.group(0)
    if token in _NAME_TOKENS or token.upper() in _NAME_TOKENS:
        return None
    if _CELL_LINE_CONTEXT.match(text[m.end() : m.end() + 20]):
        return None
    if (
        int(pos) < 100
        and _NAME_AFTER.match(text[m.end() : m.end() + 25])
        and text[m.end() : m.end() + 1].isspace()
        and not _near_variant_words(text, m.start(), m.end(), 40)
    ):
        return None
    before = text[max(0, s - 25) : s]
    if _FIGURE_BEFORE.search(before.rstrip()) or (
        ref == "S" and re.search(r"(?i)(?:fig|table)\S*\s*\S*\s*$", before)
    ):
        return None
    if len(pos) == 1 and not _near_variant_words(text, m.start(), m.end(), 60):
        return None
    if pos.startswith("0"):
        return None
    extra = {"gene": glued} if glued and len(glued) >= 3 and glued[0].isalpha() else {}
    if m.group("fs"):
        return _fs_protein(ref, pos, m.group(4), m.group(5)) | extra
    if m.group("del"):
        return (
            dict(
                kind="protein",
                change="DEL",
                id=f"p.{ref}{pos}del",
                tmvar=f"p|DEL|{pos}|{ref}",
                pos=pos,
                ref=ref,
            )
            | extra
        )
    alt = m.group("alt")
    # G1359A: nucleotides or amino acids?
    if (
        ref in _NUC1
        and alt in _NUC1
        and ref != alt
        and _looks_dna(text, m.start(), m.end(), ref, alt, int(pos))
    ):
        return _sub_dna("c", pos, ref, alt) | extra
    if ref == alt and len(pos) < 3 and not _near_variant_words(text, m.start(), m.end(), 60):
        return None  # "A2A", "C4C": names, not silent changes
    return _sub_protein(ref, pos, alt) | extra


def _glued_prefix(text: str, start: int) -> str | None:
    """'KrasG12D', 'rtM204I', 'sG145R', 'hGRalphaD401H': the lower-case-ending name glued to the variant
    (None when the prefix does not look like one)."""
    i = start
    while i > 0 and (text[i - 1].isalnum()):
        i -= 1
    prefix = text[i:start]
    return prefix if re.fullmatch(r"[A-Za-z0-9]*[a-z]", prefix) and len(prefix) <= 12 else None


@_rule("protein1_glued_upper", rf"{_B}([A-Z][A-Z0-9]{{1,9}}?)([{_AA1}])(\d{{2,5}})([{_AA1}X]){_E}")
def _h_glued_upper(m, text):
    gene, ref, pos, alt = m.group(1), m.group(2), m.group(3), m.group(4)
    if gene in _GLUE_GENES or (len(pos) >= 3 and len(gene) >= 3 and not _GENE_FAMILY_PREFIX.match(gene)):
        d = _sub_protein(ref, pos, alt)
        d["gene"] = gene
        d["trim"] = len(gene)
        return d
    return None


@_rule("protein1_allele", rf"(?<![A-Za-z0-9.\-/_+])([{_AA1}])(\d{{2,5}}){_E}", strength=0)
def _h_protein1_allele(m, text):
    return _allele_protein(m.group(1), m.group(2)) | {"weak": True}


@_rule(
    "protein_pos_first",
    rf"(?<![A-Za-z0-9.])(?<![A-Za-z]-)([-+]?\d{{1,5}})\s?([{_AA1}]|{AA3})\s?/\s?([{_AA1}X]|{AA3_ANY}){_E}",
)
def _h_protein_pos_first(m, text):
    pos, ref, alt = m.group(1), m.group(2), m.group(3)
    if len(ref) == 1 and ref in _NUC1 and alt in _NUC1:
        return None  # nucleotides: handled by dna_pos_first
    if len(pos.lstrip("+-")) < 2:
        return None
    if _aa(ref) == _aa(alt):  # "232Thr/Thr": a genotype; the mention is "232Thr"
        return _allele_protein(ref, pos) | {"cut": m.start(3) - m.start() - 1}
    return _sub_protein(ref, pos, alt)


@_rule(
    "protein_range_del",
    rf"{_B}(?:([{_AA1}])(\d+)_([{_AA1}])(\d+)(?:_[{_AA1}]\d+)*\s?(deletion|duplication|del|dup|ins[{_AA1}]+){_E}"
    rf"|([{_AA1}]{{2,}})\s?(\d+)\s?[-_]\s?(\d+)\s?(deletion|del|ins|insertion|dup|duplication))"
    rf"|{_B}([{_AA1}])(\d+)_([{_AA1}])(\d+)_([{_AA1}])(\d+)\s(deletion|duplication)",
)
def _h_protein_range(m, text):
    if m.group(1):
        res = re.findall(rf"([{_AA1}])(\d+)", m.group(0).split(" ")[0])
        r1, p1, r2, p2, op = res[0][0], res[0][1], res[-1][0], res[-1][1], m.group(5)
        seq = "".join(r for r, _ in res) if len(res) > 2 else ""
    elif m.group(6):
        seq, p1, p2, op = m.group(6), m.group(7), m.group(8), m.group(9)
        r1, r2 = seq[0], seq[-1]
    else:
        r1, p1, r2, p2, op = m.group(10), m.group(11), m.group(14), m.group(15), m.group(16)
        seq = m.group(10) + m.group(12) + m.group(14)
    op = op.lower()
    change = "DEL" if op.startswith("del") else "DUP" if op.startswith("dup") else "INS"
    if change == "INS" and m.group(6):
        return dict(
            kind="protein", change="INS", id=f"p.{p1}_{p2}ins{seq}", tmvar=f"p|INS|{p1}_{p2}|{seq}", pos=p1
        )
    ident = f"p.{r1}{p1}_{r2}{p2}{change.lower()}"
    return dict(kind="protein", change=change, id=ident, tmvar=f"p|{change}|{p1}_{p2}|{seq}", pos=p1, ref=r1)


@_rule(
    "protein3_range",
    rf"(?<![A-Za-z0-9.])({AA3})(\d{{1,5}})\s?[-_]\s?({AA3})(\d{{1,5}})\s?(deletion|duplication|del|dup|ins(?:{AA3})+){_E}",
)
def _h_protein3_range(m, text):
    r1, p1, r2, p2, op = _aa(m.group(1)), m.group(2), _aa(m.group(3)), m.group(4), m.group(5).lower()
    change = "DEL" if op.startswith("del") else "DUP" if op.startswith("dup") else "INS"
    ins = "".join(_aa(t) for t in re.findall(AA3, m.group(5)[3:])) if change == "INS" else ""
    seq = r1 + r2 if int(p2) == int(p1) + 1 and change == "DEL" else ""
    ident = f"p.{r1}{p1}_{r2}{p2}{change.lower()}{ins}"
    return dict(
        kind="protein", change=change, id=ident, tmvar=f"p|{change}|{p1}_{p2}|{ins or seq}", pos=p1, ref=r1
    )


@_rule(
    "nl_allele_at",
    rf"(?<![A-Za-z0-9])(\()?([ACGT]|[{_AA1}]|{AA3})(?(1)\))\sallele\s(?:at|for)\s(?:the\s)?(codon\s|position\s|residue\s|nucleotide\s)?([-+]?\d{{1,6}}){_E}",
)
def _h_nl_allele_at(m, text):
    res, where, pos = m.group(2), (m.group(3) or "").strip(), m.group(4)
    if where in ("codon", "residue") or res not in _NUC1:
        return _allele_protein(res, pos)
    return dict(kind="dna", change="ALLELE", id=f"c.{pos}{res}", tmvar=f"c|Allele|{res}|{pos}", pos=pos)


@_rule(
    "nl_change_no_pos",
    rf"(?<![A-Za-z0-9])([ACGT]{{1,3}})\s?(?:{_ARROW}|\sto\s|-to-|/)\s?([ACGT]{{1,3}})(?=\s(?:single[\s-]nucleotide\s|point\s)?"
    rf"(?:transitions?|transversions?|substitutions?|conversions?|changes?|mutations?|polymorphisms?|SNPs?|alleles?|variants?)\b)",
)
def _h_nl_change_no_pos(m, text):
    ref, alt = m.group(1), m.group(2)
    if ref == alt or len(ref) != len(alt):
        return None
    if len(ref) > 1 and len(set(ref)) == 1 and len(set(alt)) == 1:  # "CC to TT": tandem change
        ref, alt = ref[0], alt[0]
    return dict(kind="dna", change="SUB", id=f"c.{ref}>{alt}", tmvar=f"c|SUB|{ref}||{alt}", pos="")


@_rule(
    "nl_nuc_pos_indel", rf"(?<![A-Za-z0-9])({NUC_NAME})\s(\d{{1,6}})\s(deletion|insertion|duplication){_E}"
)
def _h_nl_nuc_pos_indel(m, text):
    op = m.group(3)[:3].lower()
    return _edit_dna("c", m.group(2), op, _nuc(m.group(1)))


@_rule("nl_residue_weak", rf"(?<![A-Za-z0-9])({AA_NAME})[\s-]?(\d{{2,5}}){_E}", strength=0)
def _h_nl_residue_weak(m, text):
    return _allele_protein(m.group(1), m.group(2)) | {"weak": True}


@_rule("protein_del_seq", rf"{_B}(\d{{1,5}})del([{_AA1}]{{2,}}|[DEFHIKLMNPQRSVWY]){_E}")
def _h_protein_del_seq(m, text):
    if set(m.group(2)) <= set("ACGTN"):
        return None
    return dict(
        kind="protein",
        change="DEL",
        id=f"p.{m.group(1)}del{m.group(2)}",
        tmvar=f"p|DEL|{m.group(1)}|{m.group(2)}",
        pos=m.group(1),
    )


# --- bare nucleotide changes ----------------------------------------------------------------------------------


@_rule(
    "dna_pos_first",
    rf"(?:(?<![A-Za-z0-9.,/])|(?<=[A-Za-z0-9])(?=[-+]\d))([-+*]?\d{{1,6}}(?:\s?[-+]\s?\d{{1,5}}(?=\s?[ACGT]))?)((\()|\s?,?\s?)"
    rf"([ACGT]{{1,3}})\s?({_ARROW}|/)\s?([ACGT]{{1,3}})(?(3)\)){_E}",
)
def _h_dna_pos_first(m, text):
    pos, sep, ref, arrow, alt = m.group(1), m.group(2), m.group(4), m.group(5), m.group(6)
    if arrow == "/" and len(pos.lstrip("-+*")) < 2 and not _near_variant_words(text, m.start(), m.end(), 40):
        return None
    if "," in sep and arrow != "/":
        return None
    if re.fullmatch(r"\d{1,2}", pos) and not _near_variant_words(text, m.start(), m.end(), 60):
        return None
    pos = pos.replace(" ", "")
    extra = {}
    if re.search(r"(?i)codon\s$", text[max(0, m.start() - 6) : m.start()]) and len(ref) == 3:
        extra = {"trim": -6}  # "codon 787 CAG/CAA"
        return _sub_dna("c", f"CODON{pos}", ref, alt) | extra | {"pos": pos}
    if re.fullmatch(r"\d+-\d", pos):  # "735-6 TG>AT": two adjacent positions
        a, b = pos.split("-")
        pos = f"{a}_{a[: -len(b)]}{b}" if len(b) < len(a) else f"{a}_{b}"
    return _sub_dna("c", pos, ref, alt)


@_rule("dna_letter_first", rf"(?<![A-Za-z0-9.\-/])([ACGT])\s?([-+]\d{{1,5}})\s?([ACGT]){_E}")
def _h_dna_letter_first(m, text):
    return _sub_dna("c", m.group(2), m.group(1), m.group(3))


@_rule("dna_alleles_pos", rf"(?<![A-Za-z0-9.\-/])([ACGT])/([ACGT])\s?([-+]?\d{{2,6}}){_E}")
def _h_dna_alleles_pos(m, text):  # "A/C1166", "T/C-344"
    return _sub_dna("c", m.group(3), m.group(1), m.group(2))


@_rule("dna_c_nodot", rf"{_B}c([-+*]?\d{{1,6}}(?:[-+]\d{{1,4}})?)([ACGT])\s?{_ARROW}\s?([ACGT]){_E}")
def _h_dna_c_nodot(m, text):  # "c2403T --> C"
    return _sub_dna("c", m.group(1), m.group(2), m.group(3))


@_rule("dna_letter_space", rf"(?<![A-Za-z0-9.\-/])([ACGT])\s([-+]?\d{{3,6}})([ACGT]){_E}")
def _h_dna_letter_space(m, text):  # "A 1166C"
    return _sub_dna("c", m.group(2), m.group(1), m.group(3))


@_rule(
    "dna_edit",
    rf"(?<![A-Za-z0-9.])([-+*]?\d{{1,6}}(?:\s?[-_]\s?[-+*]?\d{{1,6}})?)\s?(delins|del|ins|dup)\s?"
    rf"([ACGT]+|\d+(?!\s?(?:bp|kb|nt|base|nucleotide)))?{_E}",
)
def _h_dna_edit(m, text):
    pos = (
        m.group(1).replace(" ", "").replace("-", "_")
        if not m.group(1).startswith("-")
        else m.group(1).replace(" ", "")
    )
    if re.fullmatch(r"\d+_\d", pos):  # "2238-9del": positions 2238 and 2239
        a, b = pos.split("_")
        pos = f"{a}_{a[: -len(b)]}{b}"
    what = m.group(3) or ""
    if not what and m.group(2) == "del" and len(pos) < 3:
        return None
    return _edit_dna("c", pos, m.group(2), what)


@_rule("dna_del_first", rf"(?<![A-Za-z0-9.])(del|ins|dup)\s?(\d{{2,6}})([ACGT]+){_E}")
def _h_dna_del_first(m, text):
    return _edit_dna("c", m.group(2), m.group(1), m.group(3))


@_rule("dna_op_size", rf"(?<![A-Za-z0-9.])(del|ins|dup)\s?(\d{{1,5}})\s?(bp|nt|kb){_E}")
def _h_dna_op_size(m, text):
    n = m.group(2) + ("K" if m.group(3) == "kb" else "")
    change = {"del": "DEL", "ins": "INS", "dup": "DUP"}[m.group(1)]
    return dict(
        kind="dna",
        change=change,
        id=f"c.{m.group(1)}{n}",
        tmvar=f"c|{change}||{n}" + ("|" if change == "DUP" else ""),
        pos="",
    )


@_rule("dna_nuc_del_pos", rf"(?<![A-Za-z0-9.])([ACGT])(del|ins)(\d{{2,6}}){_E}")
def _h_dna_nuc_del_pos(m, text):
    return _edit_dna("c", m.group(3), m.group(2), m.group(1))


@_rule("dna_insdel", rf"(?<![A-Za-z0-9.])([-+]?\d{{1,6}})([ACGT]+)(ins|del)\s?>\s?(del|ins){_E}")
def _h_dna_insdel(m, text):
    return _edit_dna("c", m.group(1), "indel", m.group(2))


@_rule("dna_change_only", rf"(?<![A-Za-z0-9.\-/>])([ACGT]{{1,3}})\s?{_ARROW}\s?([ACGT]{{1,3}}){_E}")
def _h_dna_change_only(m, text):
    ref, alt = m.group(1), m.group(2)  # "C→A", "G>A", "ACC→ATG": a change without a position
    if ref == alt:
        return None
    return dict(kind="dna", change="SUB", id=f"c.{ref}>{alt}", tmvar=f"c|SUB|{ref}||{alt}", pos="")


@_rule(
    "dna_allele_weak",
    rf"(?:(?<![A-Za-z0-9.,/])|(?<=[A-Za-z0-9])(?=[-+]\d))([-+]?\d{{2,6}})\s?([ACGT]{{1,2}}(?:\+[ACGT]{{2}})?|[ACGT]/[ACGT]){_E}",
    strength=0,
)
def _h_dna_allele(m, text):
    a = m.group(2).split("+")[0]
    pos = m.group(1)
    return dict(
        kind="dna", change="ALLELE", id=f"c.{pos}{a}", tmvar=f"c|Allele|{a}|{pos}", pos=pos, weak=True
    )


@_rule("dna_allele_letter_first_weak", rf"(?<![A-Za-z0-9.\-/])([ACGT])([-+]?\d{{3,6}}){_E}", strength=0)
def _h_dna_allele_letter(m, text):
    return dict(
        kind="dna",
        change="ALLELE",
        id=f"c.{m.group(2)}{m.group(1)}",
        tmvar=f"c|Allele|{m.group(1)}|{m.group(2)}",
        pos=m.group(2),
        weak=True,
    )


@_rule("pos_residue_weak", rf"(?<![A-Za-z0-9.])(\d{{2,5}})\s?({AA3}|[{_AA1}]{{1,2}}){_E}", strength=0)
def _h_pos_residue(m, text):
    r = m.group(2)
    if r[0] in "ACGT" and len(r) <= 2:
        return None
    if len(r) == 2 and r[0] != r[1]:
        return None
    return _allele_protein(r[0] if len(r) == 2 else r, m.group(1)) | {"weak": True}


RULES: tuple[Rule, ...] = (
    _h_protein3,
    _h_protein3_allele,
    _h_protein1,
    _h_glued_upper,
    _h_protein1_allele,
    _h_protein_pos_first,
    _h_protein_range,
    _h_protein3_range,
    _h_nl_allele_at,
    _h_nl_change_no_pos,
    _h_nl_nuc_pos_indel,
    _h_nl_residue_weak,
    _h_protein_del_seq,
    _h_dna_pos_first,
    _h_dna_letter_first,
    _h_dna_alleles_pos,
    _h_dna_c_nodot,
    _h_dna_letter_space,
    _h_dna_edit,
    _h_dna_del_first,
    _h_dna_op_size,
    _h_dna_nuc_del_pos,
    _h_dna_insdel,
    _h_dna_change_only,
    _h_dna_allele,
    _h_dna_allele_letter,
    _h_pos_residue,
)
