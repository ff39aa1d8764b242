"""Find sequence-variant mentions in text (a tmVar-like recogniser in pure Python), each with a normalised ID.

Every rule of :mod:`kg.variants.notation`, :mod:`kg.variants.bare` and :mod:`kg.variants.language` proposes
mentions; weak ones (an
allele such as ``Cys326`` or ``-395A``) are kept only when a full variant at the same position is in the
text; overlaps resolve longest first, then the stronger rule, then the earlier one.

``Variant.id`` is ``DBSNP:rs…`` for a dbSNP ID, else an HGVS-like string: protein changes with one-letter
codes and ``*`` for stop (``p.V600E``, ``p.R34*``, ``p.F508del``, ``p.G12fs``, ``p.G204Vfs*17``), nucleotide
changes with ``c.`` unless the text says ``g.``/``m.``/``r.``/``n.`` (``c.1799T>A``, ``c.35delG``,
``c.IVS4+1G>A``). ``Variant.tmvar`` is the same in tmVar's and BioRED's pipe form (``p|SUB|V|600|E``,
``c|DEL|35|G``, ``rs113488022``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from kg.variants.bare import RULES as BARE_RULES
from kg.variants.language import RULES as LANGUAGE_RULES
from kg.variants.notation import RULES as NOTATION_RULES
from kg.variants.vocabulary import _NUC1

__all__ = ["RULES", "Variant", "find_variants"]

RULES = NOTATION_RULES + BARE_RULES + LANGUAGE_RULES


@dataclass(frozen=True, slots=True)
class Variant:
    """One variant mention.

    ``start``/``end`` are character offsets into the text given to :func:`find_variants` (``text[start:end]
    == self.text``). ``kind`` is ``protein``, ``dna``, ``rna`` or ``snp``; ``change`` is ``SUB``, ``DEL``,
    ``INS``, ``DUP``, ``INDEL``, ``FS``, ``INV``, ``EXT``, ``ALLELE``, ``REPEAT`` or ``RS``. ``id`` is
    ``DBSNP:rs…`` or an HGVS-like string (``p.V600E``, ``c.1799T>A``); ``tmvar`` is the tmVar/BioRED pipe
    form (``p|SUB|V|600|E``). ``gene`` is a gene symbol written glued to the mention (``BRAFV600E`` ->
    ``BRAF``), else None. ``rule`` names the pattern that matched.
    """

    start: int
    end: int
    text: str
    kind: str
    change: str
    id: str
    tmvar: str
    gene: str | None = None
    rule: str = ""


def find_variants(text: str) -> list[Variant]:
    """Every sequence-variant mention in ``text``, left to right, without overlaps.

    >>> for v in find_variants("BRAF V600E (c.1799T>A; rs113488022) and p.Phe508del"):
    ...     print(v.start, v.end, v.text, v.kind, v.id, v.tmvar)
    5 10 V600E protein p.V600E p|SUB|V|600|E
    12 21 c.1799T>A dna c.1799T>A c|SUB|T|1799|A
    23 34 rs113488022 snp DBSNP:rs113488022 rs113488022
    40 51 p.Phe508del protein p.F508del p|DEL|508|F
    """
    candidates: list[tuple[int, int, int, int, dict, str]] = []  # start, end, strength, order, fields, rule
    for order, rule in enumerate(RULES):
        for m in rule.regex.finditer(text):
            try:
                fields = rule.handler(m, text)
            except (KeyError, ValueError, IndexError):
                fields = None
            if not fields:
                continue
            start, end = m.start(), m.end()
            start += fields.pop("trim", 0)
            cut = fields.pop("cut", None)
            if cut is not None:
                end = start + cut
            # trim spaces/punctuation a pattern may have taken at its edges, and a leading article
            while end > start and (
                text[end - 1] in " ,;"
                or (text[end - 1] == ")" and text.count("(", start, end) < text.count(")", start, end))
            ):
                end -= 1
            if rule.name.startswith("nl_"):
                art = re.match(
                    r"(?:an?|the|A|An|The)\s(?=[A-Za-z]{3})(?!(?:was|were|is|are|for|with|into)\b)",
                    text[start:end],
                )
                if art:
                    start += art.end()
            strength = 0 if fields.pop("weak", False) else rule.strength
            candidates.append((start, end, strength, order, fields, rule.name))
    if not candidates:
        return []
    # weak mentions need a strong one at the same position in the text
    strong_positions = {_pos_key(c[4].get("pos", "")) for c in candidates if c[2] > 0 and c[4].get("pos")}
    kept = [c for c in candidates if c[2] > 0 or _pos_key(c[4].get("pos", "")) in strong_positions]
    dna_positions = {
        _pos_key(c[4].get("pos", ""))
        for c in candidates
        if c[2] > 0 and c[4].get("pos") and c[4]["kind"] == "dna"
    }
    protein_positions = {
        _pos_key(c[4].get("pos", ""))
        for c in candidates
        if c[2] > 0 and c[4].get("pos") and c[4]["kind"] == "protein"
    }
    for c in kept:  # "T2734" next to "T2734C" (DNA): a nucleotide allele, not a residue
        f = c[4]
        key = _pos_key(f.get("pos", ""))
        if (
            f["change"] == "ALLELE"
            and f["kind"] == "protein"
            and key in dna_positions
            and key not in protein_positions
        ):
            ref = f["id"][2]
            if ref in _NUC1:
                f.update(kind="dna", id=f"c.{key}{ref}", tmvar=f"c|Allele|{ref}|{key}")
    # longest first, then stronger, then earlier rule; greedy without overlaps
    kept.sort(key=lambda c: (-(c[1] - c[0]), -c[2], c[3], c[0]))
    taken: list[tuple[int, int]] = []
    chosen = []
    for c in kept:
        i = bisect.bisect_left(taken, (c[0], c[1]))
        if i > 0 and taken[i - 1][1] > c[0]:
            continue
        if i < len(taken) and taken[i][0] < c[1]:
            continue
        taken.insert(i, (c[0], c[1]))
        chosen.append(c)
    chosen.sort(key=lambda c: c[0])
    out = []
    for start, end, _strength, _order, fields, name in chosen:
        fields.pop("pos", None)
        fields.pop("ref", None)
        out.append(Variant(start, end, text[start:end], rule=name, **fields))
    return out


def _pos_key(pos: str) -> str:
    return re.sub(r"^(?:CODON)", "", pos.replace(" ", ""))
