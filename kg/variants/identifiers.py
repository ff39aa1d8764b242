"""Identifiers of sequence variants: dbSNP IDs as they are, other variants as local IDs under their gene.

A variant with a dbSNP ID is ``DBSNP:rs…``. Any other is a local concept, ``KG:variant.<gene>.<change>``:
its change written HGVS-like from its tmVar form (:func:`hgvs_from_tmvar`, so a variant the text spells
``V600E``, ``Val600Glu`` or ``p.V600E`` gets one ID, and so does the corpus's ``p|SUB|V|600|E``) and made
IRI-safe; its gene is the symbol of the gene the text says it belongs to (with the species for a gene that
is not human), and left out when the text does not say. Corpora such as BioRED name variants without their
gene, so :func:`variant_ids` gives a variant's gene-free ID too, for comparing with them.

>>> variant_curie("p.V600E", "BRAF")
'KG:variant.braf.p-v600e'
>>> variant_curie(hgvs_from_tmvar("c|SUB|T|1799|A"), "BRAF")
'KG:variant.braf.c-1799t-gt-a'
>>> variant_curie(hgvs_from_tmvar("rs113488022"))
'DBSNP:rs113488022'
>>> gene_free("KG:variant.braf.p-v600e")
'KG:variant.p-v600e'
"""

from __future__ import annotations

import re
import unicodedata

from kg.records import Concept

__all__ = ["gene_free", "gene_part", "hgvs_from_tmvar", "variant_curie", "variant_ids"]

_OPERATIONS = {"DEL": "del", "INS": "ins", "DUP": "dup", "INDEL": "delins", "INV": "inv"}
_LOCAL = "KG:variant."


def gene_part(symbol: str, taxon: str = "") -> str:
    """The gene part of a variant's local ID: the symbol, and the species unless human.

    >>> gene_part("BRAF"), gene_part("Braf", "NCBITaxon:10090")
    ('braf', 'braf-10090')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", symbol.lower()).strip("-")
    species = taxon.split(":")[-1] if taxon and taxon != "NCBITaxon:9606" else ""
    return "-".join(part for part in (slug, species) if part)


def variant_curie(change: str, gene: str | None = None) -> str:
    """The CURIE of a variant: ``DBSNP:rs…`` unchanged, else a local ID of its HGVS-like ``change`` under
    ``gene`` (a symbol, or :func:`gene_part`'s form; none: a gene-free ID).

    >>> variant_curie("c.-32-13T>G", "GAA"), variant_curie("p.R34*")
    ('KG:variant.gaa.c-minus-32-minus-13t-gt-g', 'KG:variant.p-r34-ter')
    """
    if change.startswith("DBSNP:"):
        return change
    text = unicodedata.normalize("NFKD", change)
    prefix, _, body = text.partition(".") if re.match(r"^[cgmnrp]\.", text) else ("", "", text)
    body = re.sub(r"(?<=\d)\.(?=\d)", "p", body)  # 2.5K -> 2p5K
    words = {">": "gt", "_": "to", "+": "plus", "-": "minus", "=": "eq", "?": "unk"}
    words["*"] = "ter" if prefix == "p" else "star"  # p.R34* is a stop; c.*557 is in the 3' UTR
    out = "".join(f"-{words[c]}-" if c in words else c for c in body)
    out = re.sub(r"[^A-Za-z0-9]+", "-", out).strip("-").lower() or "unknown"
    local = f"{prefix}-{out}" if prefix else out
    gene_slug = re.sub(r"[^a-z0-9]+", "-", (gene or "").lower()).strip("-")
    return f"{_LOCAL}{gene_slug}.{local}" if gene_slug else f"{_LOCAL}{local}"


def gene_free(curie: str) -> str:
    """A variant's ID without its gene (``KG:variant.braf.p-v600e`` -> ``KG:variant.p-v600e``)."""
    if not curie.startswith(_LOCAL):
        return curie
    parts = curie[len(_LOCAL) :].split(".")
    return _LOCAL + parts[-1]


def variant_ids(concept: Concept) -> tuple[str, ...]:
    """The IDs a variant concept answers to: its own, its cross-references, and its gene-free ID."""
    ids = (concept.id, *concept.xrefs)
    return tuple(dict.fromkeys((*ids, *(gene_free(i) for i in ids))))


def hgvs_from_tmvar(tmvar: str) -> str:
    """A tmVar/BioRED pipe-form variant (or an rs number) written HGVS-like, the form local IDs are made of.

    >>> [hgvs_from_tmvar(t) for t in ("p|SUB|V|600|E", "p|SUB|R|34|X", "c|DEL|657|5", "rs6025")]
    ['p.V600E', 'p.R34*', 'c.657del5', 'DBSNP:rs6025']
    >>> [hgvs_from_tmvar(t) for t in ("p|FS|E|177|K|44", "p|DEL|508|F", "c|INDEL|12|AT", "p|Allele|R|104")]
    ['p.E177Kfs*44', 'p.F508del', 'c.12delinsAT', 'p.R104']
    """
    text = tmvar.strip().removeprefix("tmVar:").split(";")[0].strip()
    if re.fullmatch(r"(?i)rs\d+", text):
        return f"DBSNP:rs{int(text[2:])}"
    fields = text.split("|")
    if len(fields) < 3:
        return text
    sequence, change, rest = fields[0] or "c", fields[1].upper(), fields[2:]
    rest += [""] * (4 - len(rest))
    stop = lambda residue: "*" if residue in ("X", "*") else residue  # noqa: E731
    if change == "SUB":
        ref, position, alt = rest[0], rest[1], rest[2]
        if sequence != "p":
            return f"{sequence}.{position}{ref}>{alt}"
        ref, alt = stop(ref), stop(alt)
        if not position:
            return f"p.{ref}>{alt}"
        return f"p.{ref}{position}=" if ref == alt else f"p.{ref}{position}{alt}"
    if change == "FS":
        ref, position, alt, length = rest[0], rest[1], rest[2], rest[3]
        return f"p.{ref}{position}{alt}fs" + (f"*{length}" if length else "")
    if change == "ALLELE":
        if sequence == "p":
            return f"p.{rest[0]}{rest[1]}"
        return f"{sequence}.{rest[1]}{rest[0]}"
    if change == "EXT":
        return f"p.{rest[1]}{rest[0]}ext*{rest[2]}"
    if change in _OPERATIONS:
        position, what = rest[0], rest[1]
        operation = _OPERATIONS[change]
        if sequence == "p" and change in ("DEL", "DUP") and position.isdigit() and len(what) == 1:
            return f"p.{what}{position}{operation}"
        return f"{sequence}.{position}{operation}{what}"
    return f"{sequence}." + "-".join(f for f in fields[1:] if f)
