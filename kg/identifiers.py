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

import curies

from kg.biolink import get_prefix_map
from kg.errors import IdentifierError

__all__ = [
    "LOCAL_NAMESPACE",
    "LOCAL_PREFIX",
    "check_paper_ids",
    "compress",
    "document_curie",
    "expand",
    "extra_prefixes",
    "get_converter",
    "is_local",
    "local_curie",
    "normalize_curie",
    "resolver_url",
    "slugify",
]

LOCAL_PREFIX = "KG"
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


def expand(curie: str) -> str:
    """The IRI of a CURIE (checked first).

    >>> expand("MONDO:0004980")
    'http://purl.obolibrary.org/obo/MONDO_0004980'
    """
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


def resolver_url(curie: str) -> str:
    """A web page for a CURIE, through the Bioregistry's resolver (any prefix it knows)."""
    if is_local(curie):
        return expand(curie)
    return "https://bioregistry.io/" + curie
