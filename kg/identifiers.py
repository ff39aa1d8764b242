"""The one place where identifiers are checked and turned into IRIs and back.

CURIEs use Biolink's prefix spelling (``MONDO:0004980``, ``MESH:D003876``, ``NCBIGene:3565``); IRIs come
from Biolink's JSON-LD prefix context through a :class:`curies.Converter`, extended with the few prefixes
Biolink lacks (FamPlex, Orphanet; their IRIs follow the Bioregistry) and with ``KG`` for local concepts and
documents. A malformed identifier never reaches an IRI: :func:`normalize_curie` raises
:class:`~kg.errors.IdentifierError` quoting the bad value.

>>> normalize_curie("mesh:D003876")
'MESH:D003876'
>>> expand("NCBIGene:3565")
'http://identifiers.org/ncbigene/3565'
>>> normalize_curie("MESH:X003876")
Traceback (most recent call last):
...
kg.errors.IdentifierError: 'MESH:X003876' is not a valid MESH identifier (expected e.g. MESH:D003876)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

import curies

from kg.biolink import get_prefix_map
from kg.errors import IdentifierError

__all__ = [
    "HUMAN_TAXON",
    "LOCAL_NAMESPACE",
    "LOCAL_PREFIX",
    "check_paper_ids",
    "compress",
    "document_curie",
    "expand",
    "extra_prefixes",
    "gene_free",
    "gene_part",
    "get_converter",
    "hgvs_from_tmvar",
    "is_local",
    "local_curie",
    "normalize_curie",
    "resolver_url",
    "slugify",
    "variant_curie",
]

LOCAL_PREFIX = "KG"
HUMAN_TAXON = "NCBITaxon:9606"
LOCAL_NAMESPACE = "https://w3id.org/kg-biomed/"

# Prefixes Biolink's context lacks, with the IRI patterns the Bioregistry gives them.
_EXTRA_PREFIXES = {
    "FPLX": "https://identifiers.org/fplx:",
    "Orphanet": "http://www.orpha.net/ORDO/Orphanet_",
    LOCAL_PREFIX: LOCAL_NAMESPACE,
}

# Other spellings met in input files -> the Biolink spelling.
_SYNONYMS = {
    "MESH": ["mesh", "MeSH", "Mesh", "MSH"],
    "NCBIGene": ["ncbigene", "NCBIGENE", "EntrezGene", "entrez", "NCBI Gene", "GeneID", "Gene"],
    "HGNC": ["hgnc"],
    "MONDO": ["mondo"],
    "DOID": ["doid"],
    "OMIM": ["omim", "MIM", "mim"],
    "CHEBI": ["chebi", "ChEBI"],
    "DRUGBANK": ["drugbank", "DrugBank"],
    "UMLS": ["umls"],
    "PMID": ["pmid", "pubmed", "PubMed"],
    "PMC": ["pmc", "pmcid", "PMCID"],
    "doi": ["DOI"],
    "FPLX": ["fplx", "famplex", "FamPlex"],
    "Orphanet": ["orphanet", "ORPHA", "ORPHANET"],
    "HP": ["hp"],
    "NCBITaxon": ["ncbitaxon", "taxon", "Taxonomy"],
    "MGI": ["mgi"],
    "RGD": ["rgd"],
    "ZFIN": ["zfin"],
    "FB": ["FLYBASE", "FlyBase", "flybase"],
    "DBSNP": ["dbsnp", "dbSNP", "dbSnp"],
}

# What a valid local identifier looks like, for the prefixes `kg` mints or reads most (after the
# Bioregistry's patterns); any other prefix gets the conservative fallback.
_PATTERNS = {
    "MESH": (r"(?:[CDQ]\d{6,9}|[A-Z]\d{2}(?:\.\d{3})*)", "MESH:D003876"),
    "NCBIGene": (r"\d+", "NCBIGene:3565"),
    "HGNC": (r"\d{1,6}", "HGNC:6014"),
    "MONDO": (r"\d{7}", "MONDO:0004980"),
    "DOID": (r"\d+", "DOID:3310"),
    "OMIM": (r"\d{6}", "OMIM:603165"),
    "CHEBI": (r"\d+", "CHEBI:15377"),
    "DRUGBANK": (r"DB\d{5}", "DRUGBANK:DB12159"),
    "UMLS": (r"C\d{7}", "UMLS:C0011615"),
    "HP": (r"\d{7}", "HP:0000989"),
    "PMID": (r"\d{1,9}", "PMID:6794356"),
    "PMC": (r"\d{1,9}", "PMC:11208807"),
    # Crossref's pattern for modern DOIs: what can stand in an IRI as it is (no '[', '%', '#', '<'...)
    "doi": (r"10\.\d{4,9}/[-._;()/:A-Za-z0-9]+", "doi:10.1155/2024/6265608"),
    "FPLX": (r"[A-Za-z0-9_]+", "FPLX:ERK"),
    "Orphanet": (r"\d+", "Orphanet:2103"),
    "UNII": (r"[A-Z0-9]{10}", "UNII:420K487FSG"),
    "CAS": (r"\d{1,7}-\d{2}-\d", "CAS:50-78-2"),
    "PUBCHEM.COMPOUND": (r"\d+", "PUBCHEM.COMPOUND:2244"),
    "CHEMBL.COMPOUND": (r"CHEMBL\d+", "CHEMBL.COMPOUND:CHEMBL25"),
    "UniProtKB": (r"[A-Z0-9]{6,10}(?:-\d+)?", "UniProtKB:P05112"),
    "ENSEMBL": (r"ENS[A-Z]*\d{6,}(?:\.\d+)?", "ENSEMBL:ENSG00000113520"),
    "NCBITaxon": (r"\d+", "NCBITaxon:9606"),
    "MGI": (r"\d+", "MGI:96556"),
    "RGD": (r"\d+", "RGD:2918"),
    "ZFIN": (r"ZDB-[A-Z]+-\d{6}-\d+", "ZFIN:ZDB-GENE-980526-166"),
    "FB": (r"FBgn\d{7}", "FB:FBgn0000490"),
    "DBSNP": (r"rs\d+", "DBSNP:rs113488022"),
    LOCAL_PREFIX: (
        r"[a-z]+\.[a-z0-9]+(?:[-.][a-z0-9]+)*",
        "KG:disease.acquired-reactive-perforating-collagenosis",
    ),
}
_FALLBACK_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._\-]*"
_CURIE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9._ ]*?)\s*:(\S+)\s*$")
_CURIE_NO_COLON = re.compile(r"^\s*([A-Za-z][A-Za-z0-9. ]*?)[ _](\S+)\s*$")


def extra_prefixes() -> dict[str, str]:
    """The namespaces `kg` uses that Biolink's prefix context lacks (for KGX tools' prefix maps)."""
    return dict(_EXTRA_PREFIXES)


@functools.cache
def get_converter() -> curies.Converter:
    """Biolink's prefix context plus :data:`_EXTRA_PREFIXES`, with the prefix synonyms above."""
    prefix_map = dict(get_prefix_map())
    prefix_map.update(_EXTRA_PREFIXES)
    records: list[curies.Record] = []
    seen_uri_prefixes: set[str] = set()
    for prefix in sorted(prefix_map):
        uri_prefix = prefix_map[prefix]
        if uri_prefix in seen_uri_prefixes:  # Biolink lists a few aliases with the same namespace
            continue
        seen_uri_prefixes.add(uri_prefix)
        synonyms = [s for s in _SYNONYMS.get(prefix, []) if s not in prefix_map]
        records.append(curies.Record(prefix=prefix, uri_prefix=uri_prefix, prefix_synonyms=synonyms))
    return curies.Converter(records)


@functools.cache
def _compiled_pattern(prefix: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(prefix, (_FALLBACK_PATTERN, ""))[0]
    return re.compile(rf"^{pattern}$", re.ASCII)  # '\d' is 0-9 only: fullwidth digits are not an ID


def normalize_curie(text: str) -> str:
    """Check ``text`` as a CURIE and return it with Biolink's prefix spelling.

    >>> normalize_curie("NCBI Gene:3596")
    'NCBIGene:3596'
    >>> normalize_curie("doi:10.1155/2024/6265608")
    'doi:10.1155/2024/6265608'
    """
    match = None
    if isinstance(text, str):
        match = _CURIE.match(text) if ":" in text else _CURIE_NO_COLON.match(text)
    if match is None:
        raise IdentifierError(f"{text!r} is not a CURIE (expected PREFIX:ID, e.g. MESH:D003876)")
    raw_prefix, local_id = match.group(1), match.group(2)
    converter = get_converter()
    prefix = converter.standardize_prefix(raw_prefix)
    if prefix is None:
        raise IdentifierError(f"{text!r} has an unknown prefix {raw_prefix!r}")
    if prefix in ("MESH", "OMIM", "DOID", "MONDO", "HP", "CHEBI") and local_id.startswith(prefix + ":"):
        local_id = local_id[len(prefix) + 1 :]  # 'MESH:MESH:D1' and 'CHEBI:CHEBI:1' occur in sources
    if prefix == "PMC" and local_id.upper().startswith("PMC"):
        local_id = local_id[3:]
    if not _compiled_pattern(prefix).match(local_id):
        example = _PATTERNS.get(prefix, ("", ""))[1] or f"{prefix}:123"
        raise IdentifierError(f"{text!r} is not a valid {prefix} identifier (expected e.g. {example})")
    return f"{prefix}:{local_id}"


def expand(curie: str, prefixes: Mapping[str, str] | None = None) -> str:
    """The IRI of a CURIE (checked first); ``prefixes`` are namespaces a user's vocabulary declares.

    >>> expand("MONDO:0004980")
    'http://purl.obolibrary.org/obo/MONDO_0004980'
    >>> expand("DERM:0001", {"DERM": "https://example.org/derm/"})
    'https://example.org/derm/0001'
    """
    if prefixes:
        prefix, _, local = curie.partition(":")
        if prefix in prefixes and re.fullmatch(_FALLBACK_PATTERN, local):
            return prefixes[prefix] + local
    curie = normalize_curie(curie)
    iri = get_converter().expand(curie)
    if iri is None:  # pragma: no cover - normalize_curie already checked the prefix
        raise IdentifierError(f"no IRI for {curie!r}")
    return iri


def compress(iri: str) -> str | None:
    """The CURIE of an IRI, or None when no known namespace matches."""
    return get_converter().compress(iri)


def is_local(curie: str) -> bool:
    return curie.startswith(LOCAL_PREFIX + ":")


def slugify(text: str) -> str:
    """A stable, IRI-safe slug of a name: accents dropped, lower case, words joined by '-'.

    >>> slugify("Acquired Reactive Perforating Collagenosis")
    'acquired-reactive-perforating-collagenosis'
    >>> slugify("IL-4/IL-13 (type 2)")
    'il-4-il-13-type-2'
    """
    decomposed = unicodedata.normalize("NFKD", re.sub(r"['’]", "", text))
    ascii_text = (
        "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    )
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:120].strip("-") or "unnamed"


def local_curie(kind: str, name: str) -> str:
    """A local concept or document id derived from its name, stable across runs.

    >>> local_curie("disease", "Acquired reactive perforating collagenosis")
    'KG:disease.acquired-reactive-perforating-collagenosis'
    """
    return f"{LOCAL_PREFIX}:{slugify(kind)}.{slugify(name)}"  # no '/': KGX wants a plain local part


def document_curie(
    *, pmid: str | None = None, pmcid: str | None = None, doi: str | None = None, name: str | None = None
) -> str:
    """The id of a document: PMID, else PMC, else DOI, else a local id from its file name.

    Invalid identifiers raise :class:`IdentifierError`.

    >>> document_curie(pmcid="PMC11208807", doi="10.1155/2024/6265608")
    'PMC:11208807'
    >>> document_curie(name="my notes.txt")
    'KG:document.my-notes-txt'
    """
    if pmid:
        return normalize_curie(f"PMID:{pmid}")
    if pmcid:
        return normalize_curie(f"PMC:{pmcid}")
    if doi:
        return normalize_curie(f"doi:{doi}")
    if name:
        return local_curie("document", name)
    raise IdentifierError("a document needs a PMID, PMC id, DOI or name")


_PAPER_PREFIXES = {"pmid": "PMID", "pmcid": "PMC", "doi": "doi"}


def check_paper_ids(ids: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The valid ones of a paper's ``pmid``, ``pmcid`` and ``doi`` (as written), and a warning for each
    invalid one: it is left out (never written), and the reader reports it.

    >>> check_paper_ids({"pmid": "6794356", "doi": "10.1000/a[1]"})
    ({'pmid': '6794356'}, ["doi '10.1000/a[1]' left out: 'doi:10.1000/a[1]' is not a valid doi identifier (expected e.g. doi:10.1155/2024/6265608)"])
    """
    valid, warnings = {}, []
    for key, value in ids.items():
        if not value or key not in _PAPER_PREFIXES:
            continue
        try:
            normalize_curie(f"{_PAPER_PREFIXES[key]}:{value}")
        except IdentifierError as error:
            warnings.append(f"{key} {value[:80]!r} left out: {error}")
            continue
        valid[key] = value
    return valid, warnings


def resolver_url(curie: str, prefixes: Mapping[str, str] | None = None) -> str:
    """A web page for a CURIE, through the Bioregistry's resolver (any prefix it knows); a local concept's
    or a user vocabulary's (its declared ``prefixes``) own IRI."""
    if is_local(curie) or (prefixes and curie.partition(":")[0] in prefixes):
        return expand(curie, prefixes)
    return "https://bioregistry.io/" + curie


# --- sequence variants ------------------------------------------------------------------------------------
# A variant with a dbSNP ID is DBSNP:rs…; any other is a local concept KG:variant.<gene>.<change>: its
# change written HGVS-like from its tmVar form (hgvs_from_tmvar: V600E, Val600Glu, p.V600E and the corpora's
# p|SUB|V|600|E give one ID), made IRI-safe; its gene the symbol of the gene the text says it belongs to (with
# the species unless human), left out when the text does not say (gene_free drops it, for comparing with
# corpora that name variants without their gene).

_OPERATIONS = {"DEL": "del", "INS": "ins", "DUP": "dup", "INDEL": "delins", "INV": "inv"}
_VARIANT_LOCAL = "KG:variant."


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
    return f"{_VARIANT_LOCAL}{gene_slug}.{local}" if gene_slug else f"{_VARIANT_LOCAL}{local}"


def gene_free(curie: str) -> str:
    """A variant's ID without its gene (``KG:variant.braf.p-v600e`` -> ``KG:variant.p-v600e``)."""
    if not curie.startswith(_VARIANT_LOCAL):
        return curie
    parts = curie[len(_VARIANT_LOCAL) :].split(".")
    return _VARIANT_LOCAL + parts[-1]


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
