"""Variants named in words: deletions by name or size (``ΔF508``, ``delta32``, ``32-bp deletion``), repeats
(``(CAG)n``), and changes told in natural language (``Val to Glu at codon 600``, ``arginine-to-glutamine
substitution at position 506``, ``C to T transition at nucleotide 3916``). :data:`RULES` lists them in the
order they are tried, after :data:`kg.variants.bare.RULES`."""

from __future__ import annotations

import re

from kg.variants.notation import (
    Rule,
    _allele_protein,
    _edit_dna,
    _rule,
    _sub_dna,
    _sub_protein,
)
from kg.variants.vocabulary import (
    _AA1,
    _ARROW,
    _E,
    _NUC_NAMES,
    _NUMBER_WORDS,
    AA3,
    AA_ANY,
    AA_NAME,
    NUC_NAME,
    STOP_NL,
    _aa,
    _alt,
    _nuc,
)

__all__ = ["RULES"]


@_rule("delta_aa", rf"(?<![A-Za-z0-9])(?:Δ|∆|[Dd]elta|DELTA)\s?-?([{_AA1}])(\d{{1,5}}){_E}")
def _h_delta_aa(m, text):
    r, p = m.group(1), m.group(2)
    if len(p) < 2:
        return None  # "deltaN3", "delta E3", "ΔE2": constructs and exons
    return dict(kind="protein", change="DEL", id=f"p.{r}{p}del", tmvar=f"p|DEL|{p}|{r}", pos=p, ref=r)


@_rule("delta_num", rf"(?:(?<![A-Za-z0-9])DD|(?:Δ|∆|[Dd]elta|DELTA))\s?-?(\d{{2,5}})(?:-(\d{{2,5}}))?{_E}")
def _h_delta_num(m, text):
    nxt = text[m.end() : m.end() + 30].lower()
    if re.match(r"[\s-]*(?:desaturase|thc|tetrahydro|tocopherol|\d|%|,\s?\d)", nxt) or re.search(
        r"(?i)(?:pkc|protein kinase c|delta-?)\s*$", text[max(0, m.start() - 20) : m.start()]
    ):
        return None
    a, b = m.group(1), m.group(2)
    if m.group(0).startswith("DD") and not re.search(
        r"(?i)delet|CCR5|allele|genotyp|homozyg|heterozyg", text[max(0, m.start() - 60) : m.end() + 60]
    ):
        return None
    if b and int(b) > int(a):
        return dict(kind="protein", change="DEL", id=f"p.{a}_{b}del", tmvar=f"p|DEL|{a}-{b}|", pos=a)
    if b:
        return dict(kind="dna", change="DEL", id=f"c.{b}del{a}", tmvar=f"c|DEL|{b}|{a}", pos=b)
    return dict(kind="dna", change="DEL", id=f"c.del{a}", tmvar=f"c|DEL||{a}", pos="")


_NUMW = _alt(_NUMBER_WORDS, upper=False)
_UNIT = r"(?:bp|base[\s-]?pairs?|basepairs?|nucleotides?|nt|kb|Kb|kbp|Mb|bases?|amino[\s-]acids?|aa)"
_INDEL_WORD = (
    r"(?:insertion/deletion|insertion-deletion|ins/del|indel|deletion|insertion|duplication|del|ins|dup)"
)


@_rule(
    "sized_indel",
    rf"(?<![A-Za-z0-9.])([-+]?\d+(?:\.\d+)?|{_NUMW})[\s-]?{_UNIT}(?:[\s-]nucleotides?)?\s?"
    rf"(?:\(([ACGT]+|[A-Z]{{2}}\d+)\)\s?)?(?:(?:genomic|in-frame|inframe|frameshift|homozygous|heterozygous|intragenic|large)\s)?"
    rf"({_INDEL_WORD})(?:\s(?:starting\s(?:at|from)|at|encompassing|from)\s(?:the\s)?(?:position|nucleotide|bases?|nt|codon)s?\s([-+]?\d+(?:\s?[-_]\s?\d+)?))?{_E}",
)
def _h_sized(m, text):
    num, seq, op = m.group(1), m.group(2), m.group(3).lower()
    at = (m.group(4) or "").replace(" ", "")
    n = num if num[0].isdigit() or num[0] in "+-" else str(_NUMBER_WORDS[num.lower()])
    unit = m.group(0).lower()
    if re.search(r"\bkb|kbp", unit):
        n += "K"
    elif re.search(r"mb", unit):
        n += "M"
    if n.startswith("-") or n.startswith("+"):  # "-120 bp duplication": a position, not a size
        pos, n = n, ""
    else:
        pos = at
    change = (
        "INDEL"
        if "/" in op or "indel" in op or "-del" in op
        else ("DEL" if op.startswith("del") else "INS" if op.startswith("ins") else "DUP")
    )
    what = seq if (seq and not seq[0].isupper()) or (seq and set(seq) <= set("ACGT")) else n
    kind = "protein" if re.search(r"amino|aa\b", unit) else "dna"
    s = "p" if kind == "protein" else "g" if "genomic" in unit else "c"
    tm = f"{s}|{change}|{pos}|{what}" + ("|" if change == "DUP" else "")
    return dict(kind=kind, change=change, id=f"{s}.{pos}{change.lower()}{what}", tmvar=tm, pos=pos)


@_rule(
    "sized_indel_of",
    rf"(?<![A-Za-z0-9.])({_INDEL_WORD}|deletion|insertion)\sof\s(?:an?\s|the\s)?(\d+|{_NUMW})[\s-]?{_UNIT}"
    rf"\s(?:at|starting\sat|from)\s(?:nucleotide\s|position\s|nt\s)?(\d+)",
)
def _h_sized_of(m, text):
    op = m.group(1).lower()
    num = m.group(2)
    n = num if num[0].isdigit() else str(_NUMBER_WORDS[num.lower()])
    change = "DEL" if op.startswith("del") else "INS" if op.startswith("ins") else "DUP"
    pos = m.group(3) or ""
    return dict(
        kind="dna", change=change, id=f"c.{pos}{change.lower()}{n}", tmvar=f"c|{change}|{pos}|{n}", pos=pos
    )


@_rule(
    "single_base_indel",
    r"(?<![A-Za-z0-9])single[\s-](?:base|nucleotide|base[\s-]pair)\s(deletion|insertion|duplication)(?:\sof\s(?:an?\s)?("
    + NUC_NAME
    + r")(?:\snucleotide)?)?",
)
def _h_single(m, text):
    op = m.group(1).lower()
    change = "DEL" if op.startswith("del") else "INS" if op.startswith("ins") else "DUP"
    what = _nuc(m.group(2)) if m.group(2) else "1"
    return dict(
        kind="dna", change=change, id=f"c.{change.lower()}{what}", tmvar=f"c|{change}||{what}", pos=""
    )


@_rule(
    "seq_indel",
    rf"(?<![A-Za-z0-9])(?:([ACGT]{{2,}}|{NUC_NAME})\s(deletion|insertion|duplication)(?![\w-])|(deletion|insertion|duplication)\s\(([ACGT]{{2,}})\))",
)
def _h_seq_indel(m, text):
    seq = m.group(1) or m.group(4)
    seq = _nuc(seq) if seq.lower() in _NUC_NAMES else seq
    op = (m.group(2) or m.group(3)).lower()
    change = "DEL" if op.startswith("del") else "INS" if op.startswith("ins") else "DUP"
    return dict(kind="dna", change=change, id=f"c.{change.lower()}{seq}", tmvar=f"c|{change}||{seq}", pos="")


@_rule(
    "repeat",
    rf"(?<![A-Za-z0-9])(?:\(([ACGT]{{2,8}})\)(?:\s?(\d{{1,3}})|(n))(?![A-Za-z0-9])|([ACGT]{{3}})(?:\s(?:and|/)\s([ACGT]{{3}}))?[\s-](?:triplet\s|trinucleotide\s)?repeats?{_E})",
)
def _h_repeat(m, text):
    if m.group(1):
        seq, n = m.group(1), m.group(2) or m.group(3)
        return dict(kind="dna", change="DUP", id=f"c.{seq}[{n}]", tmvar=f"c|DUP||{seq}|{n}", pos="")
    seq = m.group(4) + (f"_{m.group(5)}" if m.group(5) else "")
    return dict(kind="dna", change="DUP", id=f"c.{seq}[n]", tmvar=f"c|DUP||{seq}|", pos="")


# --- natural language ----------------------------------------------------------------------------------------

_RES = rf"(?:{AA_NAME}|{AA3}|{NUC_NAME})(?:\s[(\[](?:{AA3}|[A-Z]|[ACGTU]{{3}})[)\]])?(?:\s(?:residue|codon))?"
_RES_OR_STOP = rf"(?:(?:an?\s)?{_RES}|{STOP_NL}(?:\s\([ACGTU]{{3}}\))?)"
_RES1 = rf"(?:{_RES}|[ACGTU]{{2,3}}|[ACGTU]|[{_AA1}])"  # in tight frames a letter is enough
_SEP = rf"(?:\s?{_ARROW}\s?|[\s-]to[\s-]|\s(?:into|by|with|for)\s(?:an?\s|the\s)?|\s?>\s?)"
_CHANGE_WORD = (
    r"(?:(?:point\s|missense\s|nonsense\s|single[\s-]base\s|nucleotide\s|amino[\s-]acid\s|base\s)?"
    r"(?:substitution|mutation|transition|transversion|change|replacement|exchange|conversion|variant|polymorphism|alteration)s?"
    r"(?:\s(?:was|is|has been|were)\s(?:identified|found|detected|observed|present))?)"
)
_LOC_WORD = r"(?:nucleotide|amino[\s-]acid|residue|codon|position|base|nt|bp|site)"
_LOC = (
    rf"(?:(?:at\s(?:the\s)?(?:{_LOC_WORD}\s?){{0,2}}|(?:in|of|on)\s(?:the\s)?(?:{_LOC_WORD}\s?){{1,2}})(?:position\s)?(?:c\.)?([-+]?\d{{1,6}})"
    rf"(?:\s(?:position|site))?(?![\d,.]\d|[A-Za-z'’′])"
    rf"|in\sexon\s\d+\s\((?:base|nucleotide|nt)\s(\d+)\))"
)


@_rule(
    "nl_change_at",
    rf"(?<![A-Za-z0-9])(\()?({_RES1}|{_RES_OR_STOP})({_SEP})({_RES1}|{_RES_OR_STOP})(?(1)\))\s(?:{_CHANGE_WORD}\s)?{_LOC}",
)
def _h_nl_change_at(m, text):
    a, sep, b = m.group(2), m.group(3), m.group(4)
    pos = m.group(5) or m.group(6)
    loc_text = m.group(0)[m.end(4) - m.start() :].lower()
    return _nl_result(a, b, pos, loc_text, sep, m.group(0))


@_rule(
    "nl_pos_between",
    rf"(?<![A-Za-z0-9])({AA_ANY})[\s-]?(\d{{1,5}})(?:[\s-]?(?:to|into|by|{_ARROW})[\s-]?(?:an?\s)?|[\s-])({AA_ANY}|{STOP_NL}){_E}",
)
def _h_nl_pos_between(m, text):
    a, pos, b = m.group(1), m.group(2), m.group(3)
    if (
        re.fullmatch(AA3, a, flags=0)
        and re.fullmatch(AA3, b)
        and not re.search(r"\s(?:to|by|into)\s", m.group(0))
    ):
        return None  # "Val 600 Glu" is protein3's
    return _nl_result(a, b, pos, "residue", " to ", m.group(0))


@_rule(
    "nl_pos_first",
    rf"(?<![A-Za-z0-9])(?:codon|position|residue|amino[\s-]acid)\s(\d{{1,5}}),?\s(?:from\s)?({_RES1}|{_RES_OR_STOP})({_SEP})({_RES1}|{_RES_OR_STOP}){_E}"
    rf"|(?<![A-Za-z0-9.])(\d{{1,5}})\sfrom\s({AA_ANY}|[ACGTU])\sto\s({AA_ANY}|{STOP_NL}|[ACGTU]){_E}",
)
def _h_nl_pos_first(m, text):
    if m.group(1):
        d = _nl_result(m.group(2), m.group(4), m.group(1), m.group(0).lower(), m.group(3), m.group(0))
        if d and re.search(r"\sfrom\s", m.group(0)):
            d["trim"] = m.start(1) - m.start()
        return d
    return _nl_result(m.group(6), m.group(7), m.group(5), "residue", " to ", m.group(0))


@_rule(
    "nl_at_by",
    rf"(?<![A-Za-z0-9])((?:an?\s)?{_RES})\s(?:at\s)(?:the\s)?(?:{_LOC_WORD}\s?){{1,2}}(?:position\s)?(\d{{1,6}})\s(?:by|to|into|with)\s(?:an?\s)?({_RES_OR_STOP})",
)
def _h_nl_at_by(m, text):
    return _nl_result(m.group(1), m.group(3), m.group(2), m.group(0).lower(), " by ", m.group(0))


@_rule(
    "nl_replaced",
    rf"(?<![A-Za-z0-9])(?:an?\s)?([ACGT]|{NUC_NAME}|{AA_ANY})\s(?:was|is|were)\sreplaced\sby\s(?:an?\s)?([ACGT]|{NUC_NAME}|{AA_ANY}|{STOP_NL})\s{_LOC}",
)
def _h_nl_replaced(m, text):
    pos = m.group(3) or m.group(4)
    return _nl_result(m.group(1), m.group(2), pos, m.group(0).lower(), " by ", m.group(0))


@_rule(
    "nl_nuc_indel_at",
    rf"(?<![A-Za-z0-9])(?:([ACGT]|{NUC_NAME})\s(deletion|insertion)\s(?:at\s(?:nucleotide\s|position\s|nt\s)?|of\s(?:nucleotide|position|nt)\s)(\d{{1,6}})(?![\d,])"
    rf"|(deletion|insertion)\sof\s(?:an?\s)?([ACGT]|{NUC_NAME})\s(?:at|in)\s(?:nucleotide\s|position\s|nt\s)?(\d{{1,6}})"
    rf"|(?:nucleotide\s)?([ACGT])\s(insertion)\sat\s(?:nucleotide\s|position\s)?(\d{{1,6}})\sand\s(\d{{1,6}}))",
)
def _h_nl_indel_at(m, text):
    if m.group(1):
        nuc, op, pos = m.group(1), m.group(2), m.group(3)
    elif m.group(4):
        op, nuc, pos = m.group(4), m.group(5), m.group(6)
    else:
        nuc, op, pos = m.group(7), m.group(8), f"{m.group(9)}_{m.group(10)}"
    return _edit_dna("c", pos, "del" if op.lower().startswith("del") else "ins", _nuc(nuc))


def _nl_result(a: str, b: str, pos: str, loc_text: str, sep: str, whole: str) -> dict | None:
    """A natural-language change 'a -> b at pos': DNA when both sides are nucleotides and the location is a
    nucleotide/base (or a codon with nucleotide letters), else protein. ``pos`` may be empty (no position)."""
    a_letter = re.sub(r"\s[(\[].*[)\]]", "", a.strip())
    b_letter = re.sub(r"\s[(\[].*[)\]]", "", b.strip())
    nuc_words = re.compile(rf"^(?:an?\s)?{NUC_NAME}$", re.I)
    a_nuc = bool(re.fullmatch(r"[ACGTU]{1,3}", a_letter) or nuc_words.match(a_letter))
    b_nuc = bool(re.fullmatch(r"[ACGTU]{1,3}", b_letter) or nuc_words.match(b_letter))
    protein_loc = bool(re.search(r"amino|residue|codon", loc_text))
    dna_loc = bool(re.search(r"nucleotide|\bbase|\bnt\b|\bbp\b|c\.|exon", loc_text))
    if a_nuc and b_nuc and (dna_loc or not protein_loc or re.fullmatch(r"[ACGT]{1,3}", a_letter)):
        ra, rb = _nuc(a_letter), _nuc(b_letter)
        if ra == rb:
            return None
        if "codon" in loc_text and not dna_loc and pos:
            return _sub_dna("c", f"CODON{pos}", ra, rb) | {"pos": pos}
        if not pos:
            return dict(kind="dna", change="SUB", id=f"c.{ra}>{rb}", tmvar=f"c|SUB|{ra}||{rb}", pos="")
        return _sub_dna("c", pos, ra, rb)
    ra, rb = _aa(a_letter), _aa(b_letter)
    if len(ra) != 1 or len(rb) != 1 or ra not in _AA1 + "*" or rb not in _AA1 + "*":
        return None
    if ra == "*" and sep.strip().startswith("for"):  # "a stop codon for glutamine": Gln -> stop
        ra, rb = rb, ra
    if ra == rb and not re.search(r"(?i)codon|residue|amino", whole):
        return None
    if not pos:
        return dict(
            kind="protein",
            change="SUB",
            id=f"p.{ra}>{rb}",
            tmvar=f"p|SUB|{ra.replace('*', 'X')}||{rb.replace('*', 'X')}",
            pos="",
        )
    return _sub_protein(ra, pos, rb)


@_rule(
    "nl_substitution_of",
    rf"(?<![A-Za-z0-9])(?:substitution|replacement|change|conversion|exchange)s?\sof\s(?:an?\s|the\s)?"
    rf"((?:{_RES})(?:\s\([A-Z][a-z]{{2}}\))?)\s(by|with|for|to|into)\s(?:an?\s|the\s)?"
    rf"((?:{_RES}|{STOP_NL})(?:\s\([A-Z][a-z]{{2}}\)|\s\([ACGTU]{{3}}\))?)(?![A-Za-z0-9])",
)
def _h_nl_substitution_of(m, text):
    d = _nl_result(m.group(1), m.group(3), "", "", m.group(2), m.group(0))
    if d:
        d["trim"] = m.start(1) - m.start()
    return d


@_rule(
    "nl_change_no_pos_protein",
    rf"(?<![A-Za-z0-9])({AA_NAME}(?:\s(?:residue|codon))?(?:\s\((?:{AA3}|[ACGTU]{{3}})\))?)[\s-](?:to|-->|->|into)[\s-](?:an?\s)?"
    rf"({AA_NAME}|{STOP_NL})(?:\s\((?:{AA3}|[ACGTU]{{3}})\))?"
    rf"(?=\s(?:amino[\s-]acid\s|missense\s|point\s)?(?:substitution|change|mutation|replacement|exchange|conversion|variant|alteration)s?\b|[.,;)])",
)
def _h_nl_change_no_pos_protein(m, text):
    before = text[max(0, m.start() - 40) : m.start()].lower()
    if not re.search(
        r"(?:causing|caus\w+|convert\w*|result\w*\sin|lead\w*\sto|substitution\sof|change\sof|predict\w*|encod\w*)\s(?:an?\s|the\s)?$",
        before,
    ) and not re.match(
        r"\s(?:amino[\s-]acid\s|missense\s|point\s)?(?:substitution|change|mutation|replacement|exchange|conversion|variant|alteration)",
        text[m.end() : m.end() + 40],
    ):
        return None
    return _nl_result(m.group(1), m.group(2), "", "", " to ", m.group(0))


@_rule(
    "nl_residue_at_weak",
    rf"(?<![A-Za-z0-9])({AA_NAME})\sat\s(?:amino[\s-]acid\s|residue\s|codon\s|position\s){{1,2}}(\d{{1,5}}){_E}",
    strength=0,
)
def _h_nl_residue_at(m, text):
    return _allele_protein(m.group(1), m.group(2)) | {"weak": True}


RULES: tuple[Rule, ...] = (
    _h_delta_aa,
    _h_delta_num,
    _h_sized,
    _h_sized_of,
    _h_single,
    _h_seq_indel,
    _h_repeat,
    _h_nl_change_at,
    _h_nl_pos_between,
    _h_nl_pos_first,
    _h_nl_at_by,
    _h_nl_replaced,
    _h_nl_indel_at,
    _h_nl_substitution_of,
    _h_nl_change_no_pos_protein,
    _h_nl_residue_at,
)
