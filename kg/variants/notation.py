"""Variants written in notation: dbSNP IDs, HGVS with a prefix (``c.1799T>A``, ``p.Val600Glu``), intronic
offsets (``IVS4+1G>A``); and the rule machinery and field builders the other rule modules share
(:mod:`kg.variants.bare`, :mod:`kg.variants.language`). Each rule is a regex and a handler that returns the variant's fields: ``kind``,
``change``, ``id`` (HGVS-like), ``tmvar`` (tmVar's pipe form), and for the finder ``pos`` and ``ref``.
:data:`RULES` lists them in the order they are tried (an earlier rule wins a tie)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kg.variants.vocabulary import (
    _AA1,
    _ARROW,
    _B,
    _E,
    AA3,
    AA3_ANY,
    _aa,
)

__all__ = ["RULES", "Rule"]

_POS_C = r"(?:[-+*]?\d+(?:\s?[-+]\s?\d+)?)"  # c. positions with intronic offsets
_RANGE_C = rf"(?:{_POS_C}(?:\s?_\s?{_POS_C})?)"
_NUCS = r"[ACGTUacgtuN]"
_SEQ = r"(?:[ACGTN]+|[acgtun]+)"


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern: its name, regex, and handler (match, text) -> the variant's fields or None; strength 2
    is certain (prefixed HGVS, rs IDs), 1 normal, 0 weak (kept only when a stronger mention of a variant
    at the same position is in the text)."""

    name: str
    regex: re.Pattern[str]
    handler: Callable[[re.Match[str], str], dict | None]
    strength: int


def _rule(name: str, pattern: str, strength: int = 1, flags: int = 0) -> Callable[[Callable], Rule]:
    """Make a handler a :class:`Rule` (the module's ``RULES`` tuple lists them in order)."""

    def make(handler: Callable) -> Rule:
        return Rule(name, re.compile(pattern, flags), handler, strength)

    return make


def _clean_pos(pos: str) -> str:
    return re.sub(r"\s+", "", pos)


def _sub_dna(seq: str, pos: str, ref: str, alt: str) -> dict:
    pos = _clean_pos(pos)
    kind = "rna" if seq == "r" else "dna"
    return dict(
        kind=kind, change="SUB", id=f"{seq}.{pos}{ref}>{alt}", tmvar=f"{seq}|SUB|{ref}|{pos}|{alt}", pos=pos
    )


def _edit_dna(seq: str, pos: str, op: str, what: str) -> dict:
    pos = _clean_pos(pos)
    op = op.lower()
    what = (what or "").replace("(", "").replace(")", "")
    kinds = {"del": "DEL", "ins": "INS", "dup": "DUP", "delins": "INDEL", "inv": "INV", "indel": "INDEL"}
    change = kinds[op]
    tm = f"{seq}|{change}|{pos}|{what}"
    if change == "DUP":
        tm += "|"
    return dict(
        kind="rna" if seq == "r" else "dna", change=change, id=f"{seq}.{pos}{op}{what}", tmvar=tm, pos=pos
    )


def _sub_protein(ref: str, pos: str, alt: str) -> dict:
    pos = _clean_pos(pos)
    ref, alt = _aa(ref), _aa(alt)
    tm_alt = "X" if alt == "*" else alt
    tm_ref = "X" if ref == "*" else ref
    ident = f"p.{ref}{pos}=" if ref == alt else f"p.{ref}{pos}{alt}"
    return dict(
        kind="protein", change="SUB", id=ident, tmvar=f"p|SUB|{tm_ref}|{pos}|{tm_alt}", pos=pos, ref=ref
    )


def _fs_protein(ref: str, pos: str, alt: str | None, length: str | None) -> dict:
    ref = _aa(ref)
    alt_s = _aa(alt) if alt else ""
    n = length or ""
    ident = f"p.{ref}{pos}{alt_s}fs" + (f"*{n}" if n else "")
    return dict(
        kind="protein", change="FS", id=ident, tmvar=f"p|FS|{ref}|{pos}|{alt_s}|{n}", pos=pos, ref=ref
    )


def _allele_protein(ref: str, pos: str) -> dict:
    ref = _aa(ref)
    return dict(
        kind="protein", change="ALLELE", id=f"p.{ref}{pos}", tmvar=f"p|Allele|{ref}|{pos}", pos=pos, ref=ref
    )


# --- dbSNP -------------------------------------------------------------------------------------------------


@_rule("rs", rf"{_B}(?:rs|Rs|RS)(?:\s?#\s?|\s?)(\d{{2,11}})(?!\d|[A-Za-z])", strength=2)
def _h_rs(m: re.Match, text: str) -> dict | None:
    if (m.group(0).startswith("RS") and len(m.group(1)) < 5) or (" " in m.group(0) and len(m.group(1)) < 4):
        return None  # "Eudragit RS100", "RS 232"
    rs = f"rs{int(m.group(1))}"
    return dict(kind="snp", change="RS", id=f"DBSNP:{rs}", tmvar=rs)


# --- HGVS with a prefix ------------------------------------------------------------------------------------


@_rule(
    "hgvs_dna_sub",
    rf"{_B}([cgmnr])\.\s?({_RANGE_C})\s?({_NUCS}{{1,4}})\s?(?:{_ARROW}|/)\s?({_NUCS}{{1,4}}){_E}",
    strength=2,
)
def _h_hgvs_sub(m, text):
    return _sub_dna(m.group(1), m.group(2), m.group(3), m.group(4))


@_rule("hgvs_dna_oldsub", rf"{_B}([cgmnr])\.\s?([ACGTacgtu])({_POS_C})([ACGTacgtu]){_E}", strength=2)
def _h_hgvs_oldsub(m, text):
    return _sub_dna(m.group(1), m.group(3), m.group(2).upper(), m.group(4).upper())


@_rule(
    "hgvs_dna_edit",
    rf"{_B}([cgmnr])\.\s?({_RANGE_C}|{_POS_C}-{_POS_C})\s?(delins|del|dup|ins|inv)"
    rf"((?:{_SEQ}|\d+|(?:\([ACGT]+\)\(?\d+\)?)+)?){_E}",
    strength=2,
)
def _h_hgvs_edit(m, text):
    pos = m.group(2)
    if "_" not in pos and re.fullmatch(r"\d+-\d+", pos.replace(" ", "")) and m.group(3) == "del":
        a, b = pos.replace(" ", "").split("-")
        if int(b) > int(a) + 20:  # "c.899-1142del": a range written with a hyphen
            pos = f"{a}_{b}"
    return _edit_dna(m.group(1), pos, m.group(3), m.group(4))


_P_AA = rf"(?:{AA3}|[{_AA1}])"
_P_ALT = rf"(?:{AA3_ANY}|[{_AA1}X*]|stop|Stop|STOP)"


@_rule(
    "hgvs_protein",
    rf"{_B}p\.\s?(\()?({_P_AA})(\d+)(?:"
    rf"(?P<fs>(?P<fsalt>{_P_ALT})?fs(?:\*|X|Ter)?(?P<fsn>\d+)?)"
    rf"|(?P<range>_(?P<r2>{_P_AA})(?P<p2>\d+)(?P<rop>delins(?:{AA3}|[{_AA1}])+|del|dup|ins(?:{AA3}|[{_AA1}])+)?)"
    rf"|(?P<delins>delins(?P<dins>(?:{AA3}|[{_AA1}])+))"
    rf"|(?P<del>del(?:{AA3}|[{_AA1}])*)"
    rf"|(?P<dup>dup)"
    rf"|(?P<ext>ext(?:\*|X|Ter)?\d+)"
    rf"|(?P<list>\[(?P<l1>{_P_ALT}),\s?(?P<l2>{_P_ALT})\])"
    rf"|(?P<eq>=)"
    rf"|(?P<sub>{_P_ALT})"
    rf")?(?(1)\))(?![A-Za-z0-9])",
    strength=2,
)
def _h_hgvs_protein(m, text):
    ref, pos = m.group(2), m.group(3)
    if m.group("fs"):
        return _fs_protein(ref, pos, m.group("fsalt"), m.group("fsn"))
    if m.group("range"):
        ref2, pos2, op = m.group("r2"), m.group("p2"), (m.group("rop") or "")
        r1, r2 = _aa(ref), _aa(ref2)
        op_l = op[:6].lower() if op.lower().startswith("delins") else op[:3].lower()
        ins = ""
        if op_l in ("ins", "delins"):
            ins = "".join(_aa(t) for t in re.findall(rf"{AA3}|[{_AA1}]", op[len(op_l) :]))
        change = {"del": "DEL", "dup": "DUP", "ins": "INS", "delins": "INDEL", "": "DEL"}[op_l]
        ident = f"p.{r1}{pos}_{r2}{pos2}{op_l or 'del'}{ins}"
        tm = f"p|{change}|{pos}_{pos2}|{ins}" + ("|" if change == "DUP" else "")
        return dict(kind="protein", change=change, id=ident, tmvar=tm, pos=pos, ref=r1)
    if m.group("delins"):
        ins = "".join(_aa(t) for t in re.findall(rf"{AA3}|[{_AA1}]", m.group("dins")))
        r = _aa(ref)
        return dict(
            kind="protein",
            change="INDEL",
            id=f"p.{r}{pos}delins{ins}",
            tmvar=f"p|INDEL|{pos}|{ins}",
            pos=pos,
            ref=r,
        )
    if m.group("del"):
        r = _aa(ref)
        return dict(
            kind="protein", change="DEL", id=f"p.{r}{pos}del", tmvar=f"p|DEL|{pos}|{r}", pos=pos, ref=r
        )
    if m.group("dup"):
        r = _aa(ref)
        return dict(
            kind="protein", change="DUP", id=f"p.{r}{pos}dup", tmvar=f"p|DUP|{pos}|{r}|", pos=pos, ref=r
        )
    if m.group("ext"):
        r = _aa(ref)
        n = re.sub(r"\D", "", m.group("ext"))
        return dict(
            kind="protein",
            change="EXT",
            id=f"p.{r}{pos}ext*{n}",
            tmvar=f"p|EXT|{pos}|{r}|{n}",
            pos=pos,
            ref=r,
        )
    if m.group("list"):
        alts = [_aa(m.group("l1")), _aa(m.group("l2"))]
        alt = next((a for a in alts if a != _aa(ref)), alts[-1])
        return _sub_protein(ref, pos, alt)
    if m.group("eq"):
        return _sub_protein(ref, pos, ref)
    if m.group("sub"):
        return _sub_protein(ref, pos, m.group("sub"))
    return _allele_protein(ref, pos)


# --- intronic / exonic offsets ----------------------------------------------------------------------------


@_rule(
    "ivs",
    rf"{_B}(IVS|ivs|Ex|EX|Exon|exon|intron|Intron|INT)\s?(\d+)\s?([-+])\s?(\d+)\s?,?\s?(?:"
    rf"({_NUCS}{{1,3}})\s?(?:{_ARROW}|/)\s?({_NUCS}{{1,3}})"
    rf"|(del|ins|dup|delins)({_SEQ}|\d+)?"
    rf"|(?P<allele>[ACGT]{{1,2}}(?:\+[ACGT]{{1,2}})?)"
    rf"){_E}",
)
def _h_ivs(m, text):
    tag = "IVS" if m.group(1).lower() in ("ivs", "intron", "int") else "Ex"
    pos = f"{tag}{m.group(2)}{m.group(3)}{m.group(4)}"
    if m.group(5):
        return _sub_dna("c", pos, m.group(5).upper(), m.group(6).upper())
    if m.group(7):
        return _edit_dna("c", pos, m.group(7), m.group(8))
    allele = m.group("allele").split("+")[0]
    return dict(
        kind="dna",
        change="ALLELE",
        id=f"c.{pos}{allele}",
        tmvar=f"c|Allele|{allele}|{pos}",
        pos=pos,
        weak=True,
    )


RULES: tuple[Rule, ...] = (
    _h_rs,
    _h_hgvs_sub,
    _h_hgvs_oldsub,
    _h_hgvs_edit,
    _h_hgvs_protein,
    _h_ivs,
)
