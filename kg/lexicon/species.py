"""Parsers for the sources of genes of other species, orthology and organisms.

* **Genes** of mouse, zebrafish and fly from NCBI's ``gene_info`` files (symbol, synonyms, full name,
  description, other designations; MGI, ZFIN, FlyBase and Ensembl IDs), and of rat from RGD's ortholog table
  (symbol, RGD and NCBI Gene IDs of the ~18,000 rat genes with a human or mouse ortholog) with RGD's
  synonyms. Human genes stay HGNC's (:func:`kg.lexicon.sources.parse_hgnc`); the human ``gene_info`` only adds
  NCBI's other designations to genes HGNC approves.
* **Orthology**: human-mouse pairs from HGNC's MGI column joined to mouse ``gene_info``'s MGI IDs, and the
  human-rat, mouse-rat and human-mouse pairs of RGD's table. These are orthologs, never cross-references:
  a human and a mouse gene stay two concepts.
* **Organisms** (NCBI Taxonomy IDs): the curated list shipped in ``ontologies/curated/organisms.tsv``,
  MeSH's organism descriptors that carry a taxonomy ID (multi-word names only: one-word MeSH names are
  mostly genera and families that papers rarely mean as organisms; ``mesh_stop.txt`` drops higher taxa and
  English words), "G. species" abbreviations of every binomial, and the cell lines of
  ``cell_lines.tsv`` as names of kind ``cell_line`` (a species signal, not an organism mention). When two
  sources give one name different taxa, the curated list wins, then MeSH, then the abbreviations.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.lexicon.kinds import NameKind
from kg.lexicon.sources import (
    HUMAN_TAXON,
    SOURCE_FILES,
    CurieChecker,
    SourceEntry,
    open_source,
    split_values,
)
from kg.text import key

__all__ = [
    "CURATED_FILES",
    "GENE_INFO_TAXA",
    "TAXA",
    "Orthologs",
    "WordFilter",
    "iter_species_entries",
    "parse_gene_info",
    "parse_organisms",
    "parse_rgd",
    "read_orthologs",
]

MOUSE_TAXON, RAT_TAXON = "NCBITaxon:10090", "NCBITaxon:10116"
ZEBRAFISH_TAXON, FLY_TAXON = "NCBITaxon:7955", "NCBITaxon:7227"
# The species whose genes the lexicon holds, human first.
TAXA = (HUMAN_TAXON, MOUSE_TAXON, RAT_TAXON, ZEBRAFISH_TAXON, FLY_TAXON)
GENE_INFO_TAXA = {
    "gene_info_human": HUMAN_TAXON,
    "gene_info_mouse": MOUSE_TAXON,
    "gene_info_zebrafish": ZEBRAFISH_TAXON,
    "gene_info_fly": FLY_TAXON,
}
# Files kg ships itself (ontologies/curated/), read beside the source folder.
CURATED_FILES = {
    "organisms": "organisms.tsv",
    "cell_lines": "cell_lines.tsv",
    "mesh_stop": "mesh_stop.txt",
    "gene_stop": "gene_stop.txt",
}
# gene_info types worth naming: pseudogenes, tRNAs and biological regions are rarely what papers mean.
GENE_TYPES = frozenset(
    {"protein-coding", "ncRNA", "snoRNA", "snRNA", "rRNA", "scRNA", "other", "unknown", "miscRNA"}
)
# A full name or designation given to more genes of one species than this names none of them.
MAX_GENES_PER_NAME = 3
_VAGUE_NAME = re.compile(
    r"(?i)^(?:uncharacteri[sz]ed|hypothetical|predicted|putative|probable|low quality|novel protein|"
    r"similar to|unnamed|protein$|expressed sequence|cDNA|RIKEN cDNA|DNA segment|gene model|open reading frame)"
)
_XREF_PREFIXES = {"MGI": "MGI", "ZFIN": "ZFIN", "FLYBASE": "FB", "ENSEMBL": "ENSEMBL"}
# Organism scopes the lexicon names (BioRED's convention: people nouns such as "children" are not mentions).
ORGANISM_SCOPES = frozenset({"all", "generic"})
_BINOMIAL = re.compile(r"^([A-Z][a-z]{2,})\s+([a-z][a-z-]{2,})(\s.*)?$")

Orthologs = list[tuple[str, str, str]]  # (NCBIGene CURIE, NCBIGene CURIE, source)


def _short_name(name: str) -> bool:
    """Synonyms of fewer than three letters or digits ("Na", "S") name too many things."""
    return len(key(name).replace(" ", "")) < 3


# --- genes ----------------------------------------------------------------------------------------------


def _gene_info_rows(path: Path) -> Iterator[list[str]]:
    with open_source(path) as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            cells = line.rstrip("\n").split("\t")
            if len(cells) >= 14 and cells[9] in GENE_TYPES:
                yield cells


def _names_of(cells: list[str]) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = [(cells[2], NameKind.SYMBOL)]
    if cells[10] not in ("-", cells[2]):
        names.append((cells[10], NameKind.SYMBOL))
    names += [
        (s, NameKind.ALIAS)
        for s in split_values(cells[4], "|")
        if s != "-" and "\\" not in s and not _short_name(s)
    ]
    for full in dict.fromkeys(n for n in (cells[11], cells[8]) if n != "-"):
        names.append((full, NameKind.NAME))
    names += [(d, NameKind.DESIGNATION) for d in split_values(cells[13], "|") if d != "-"]
    return [(n, k) for n, k in names if k in (NameKind.SYMBOL, NameKind.ALIAS) or not _VAGUE_NAME.match(n)]


def parse_gene_info(
    path: Path, source: str, taxon: str, check: CurieChecker, *, only: set[str] | None = None
) -> Iterator[SourceEntry]:
    """Genes of one species from an NCBI ``gene_info`` file. Full names and designations that more than
    :data:`MAX_GENES_PER_NAME` genes of the file share ("histone H3") are left out. With ``only`` (NCBI Gene
    IDs), just those genes, with their designations alone (the human file adds names to HGNC's genes)."""
    rows = list(_gene_info_rows(path))
    shared: Counter[str] = Counter()
    for cells in rows:
        for name in {key(n) for n, k in _names_of(cells) if k in (NameKind.NAME, NameKind.DESIGNATION)}:
            shared[name] += 1
    for cells in rows:
        if only is not None and cells[1] not in only:
            continue
        curie = check(f"NCBIGene:{cells[1]}", source)
        if curie is None:
            continue
        label = cells[10] if cells[10] != "-" else cells[2]
        description = cells[11] if cells[11] != "-" else cells[8] if cells[8] != "-" else ""
        entry = SourceEntry(curie, "gene", source, label, description=description, taxon=taxon)
        for name, kind in _names_of(cells):
            if kind in (NameKind.NAME, NameKind.DESIGNATION) and shared[key(name)] > MAX_GENES_PER_NAME:
                continue
            if only is None or kind == NameKind.DESIGNATION:
                entry.names.append((name, kind))
        if only is None:
            for xref in split_values(cells[5], "|"):
                database, _, local = xref.partition(":")
                prefix = _XREF_PREFIXES.get(database.upper())
                if prefix:
                    checked = check(f"{prefix}:{local.removeprefix(database + ':')}", source)
                    if checked:
                        entry.xrefs.append(checked)
        yield entry


def _rgd_table(path: Path) -> Iterator[dict[str, str]]:
    with open_source(path) as handle:
        lines = (line for line in handle if not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t")


def parse_rgd(orthologs_path: Path, entries_path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """Rat genes: RGD's ortholog table gives each rat gene with a human or mouse ortholog its symbol, RGD ID
    and NCBI Gene ID; RGD's gene table adds its synonyms and Ensembl IDs."""
    synonyms: dict[str, tuple[list[str], list[str]]] = {}
    with open_source(entries_path) as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader, None)
        for row in reader:
            if len(row) >= 3:
                synonyms[row[0]] = (
                    split_values(row[2], ";"),
                    split_values(row[3], ";") if len(row) > 3 else [],
                )
    seen: set[str] = set()
    for fields in _rgd_table(orthologs_path):
        ncbi, rgd, symbol = (
            fields["RAT_GENE_NCBI_GENE_ID"],
            fields["RAT_GENE_RGD_ID"],
            fields["RAT_GENE_SYMBOL"],
        )
        if not ncbi.isdigit() or ncbi in seen:
            continue
        seen.add(ncbi)
        curie = check(f"NCBIGene:{ncbi}", "rgd")
        if curie is None:
            continue
        entry = SourceEntry(curie, "gene", "rgd", symbol, taxon=RAT_TAXON)
        entry.names.append((symbol, NameKind.SYMBOL))
        aliases, ensembl = synonyms.get(rgd, ([], []))
        entry.names += [(s, NameKind.ALIAS) for s in aliases if not _short_name(s)]
        for xref in (f"RGD:{rgd}", *(f"ENSEMBL:{e}" for e in ensembl[:1])):
            checked = check(xref, "rgd")
            if checked:
                entry.xrefs.append(checked)
        yield entry


def read_orthologs(sources: Path, check: CurieChecker) -> Orthologs:
    """Ortholog pairs of NCBI Gene IDs: HGNC's MGI column (human-mouse, joined through mouse ``gene_info``'s
    MGI IDs) and RGD's table (rat-human, rat-mouse, human-mouse)."""
    by_mgi: dict[str, str] = {}
    for cells in _gene_info_rows(sources / SOURCE_FILES["gene_info_mouse"]):
        for xref in split_values(cells[5], "|"):
            if xref.startswith("MGI:"):
                by_mgi[xref.removeprefix("MGI:MGI:")] = cells[1]
    pairs: Orthologs = []
    with open_source(sources / SOURCE_FILES["hgnc"]) as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            human = row["NCBI Gene ID(supplied by NCBI)"]
            for mgi in split_values(row["Mouse genome database ID(supplied by MGI)"], ","):
                mouse = by_mgi.get(mgi.removeprefix("MGI:"))
                if human and mouse and row["Status"] == "Approved":
                    pairs.append((f"NCBIGene:{human}", f"NCBIGene:{mouse}", "hgnc"))
    for row in _rgd_table(sources / SOURCE_FILES["rgd_orthologs"]):
        rat = row["RAT_GENE_NCBI_GENE_ID"]
        humans = split_values(row.get("HUMAN_ORTHOLOG_NCBI_GENE_ID", ""), "|")
        mice = split_values(row.get("MOUSE_ORTHOLOG_NCBI_GENE_ID", ""), "|")
        for other in humans + mice:
            if rat.isdigit() and other.isdigit():
                pairs.append((f"NCBIGene:{rat}", f"NCBIGene:{other}", "rgd_orthologs"))
        for human in humans:
            for mouse in mice:
                if human.isdigit() and mouse.isdigit():
                    pairs.append((f"NCBIGene:{human}", f"NCBIGene:{mouse}", "rgd_orthologs"))
    return [(a, b, source) for a, b, source in pairs if check(a, source) and check(b, source)]


class WordFilter:
    """Which names of genes of other species are English words in text: fly ``and``, ``to``, ``with``,
    mouse mutants ``fat`` and ``lethal``. A one-word name written in lower case or capitalised is a word when
    the curated stop list (``gene_stop.txt``) has it, or when it is a common word of disease and chemical
    names (in at least :attr:`MIN_USES` of them) and no human gene goes by it in lower case ("leptin").

    >>> words = WordFilter({"and", "fat"}, {"with": 5, "leptin": 9}, {"leptin"})
    >>> [words.is_word(n) for n in ("and", "With", "leptin", "Fos", "FAT", "Il4")]
    [True, True, False, False, False, False]
    """

    MIN_USES = 3

    def __init__(self, stop: set[str], uses: dict[str, int], human: set[str]):
        self.stop = stop
        self.common = {word for word, count in uses.items() if count >= self.MIN_USES} - human

    def is_word(self, name: str) -> bool:
        if not name.isalpha() or not (name.islower() or (name[0].isupper() and name[1:].islower())):
            return False
        lower = name.lower()
        return lower in self.stop or lower in self.common

    @classmethod
    def read(cls, curated: Path, uses: dict[str, int], human: set[str]) -> WordFilter:
        return cls(
            {line[0].lower() for line in _data_lines(curated / CURATED_FILES["gene_stop"])}, uses, human
        )


# --- organisms ------------------------------------------------------------------------------------------


def _data_lines(path: Path) -> Iterator[list[str]]:
    with open_source(path) as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                yield line.rstrip("\n").split("\t")


_PRIORITY = {"curated": 0, "mesh": 1, "derived": 2}


def _uninvert(name: str) -> str:
    """'Rats, Kangaroo' -> 'Kangaroo Rats' (MeSH's inverted names)."""
    head, comma, modifier = name.partition(", ")
    return f"{modifier} {head}" if comma and "," not in modifier else name


def _case_variants(name: str) -> list[str]:
    """A common name of three letters or fewer must match in case ('CAT' is not 'cat'): its capitalised
    form ('Rat', at the start of a sentence) is a name too."""
    if len(name) <= 3 and name.islower():
        return [name, name.capitalize()]
    return [name]


def parse_organisms(
    curated: Path, mesh: Path, check: CurieChecker, *, scopes: Iterable[str] = ORGANISM_SCOPES
) -> Iterator[SourceEntry]:
    """Organism taxa with their names (see the module's description), one entry per taxon and source
    (``organisms`` for the curated list, ``mesh_taxa`` for MeSH)."""
    wanted = set(scopes)
    stop = {key(line[0]) for line in _data_lines(curated / CURATED_FILES["mesh_stop"])}
    pool: list[tuple[str, str, str, str]] = []  # (name, taxid, origin, kind of name)
    labels: dict[tuple[str, str], str] = {}
    mesh_ids: dict[str, str] = {}
    for cells in _data_lines(curated / CURATED_FILES["organisms"]):
        taxid, scientific, others = cells[0], re.sub(r"\s*\(.*\)$", "", cells[1]), cells[2]
        if (cells[4] if len(cells) > 4 else "all") not in wanted:
            continue
        if scientific:
            labels.setdefault(("curated", taxid), scientific)
            pool.append((scientific, taxid, "curated", NameKind.LABEL))
        pool += [(name, taxid, "curated", NameKind.SYNONYM) for name in split_values(others, "|")]
    with open_source(mesh) as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 5 or not row[4]:
                continue
            taxid = row[4].split("|")[0]
            mesh_ids.setdefault(taxid, row[0])
            labels.setdefault(("mesh", taxid), _uninvert(re.sub(r"\s*\([^)]*\)$", "", row[1]).strip()))
            for index, name in enumerate([row[1], *split_values(row[2], "|")]):
                name = re.sub(r"\s*\([^)]*\)$", "", name).strip()
                if ", " in name or len(name) < 3 or " " not in name or key(name) in stop:
                    continue
                pool.append((name, taxid, "mesh", NameKind.LABEL if index == 0 else NameKind.ENTRY))
    pool += _abbreviations(pool)
    winner: dict[str, tuple[str, str]] = {}  # a name's key -> the taxon and source that keep it
    for name, taxid, origin, _ in sorted(pool, key=lambda item: _PRIORITY[item[2]]):
        winner.setdefault(key(name), (taxid, origin))
    best = {
        (name, taxid): (name, taxid, origin, kind)
        for name, taxid, origin, kind in sorted(pool, key=lambda item: _PRIORITY[item[2]])
        if winner[key(name)] == (taxid, origin)
    }
    cell_lines = [(name, cells[0]) for cells in _data_lines(curated / CURATED_FILES["cell_lines"])
                  for name in split_values(cells[1], "|")]  # fmt: skip
    entries: dict[tuple[str, str], SourceEntry] = {}

    def entry_of(taxid: str, origin: str) -> SourceEntry | None:
        source = "mesh_taxa" if origin == "mesh" else "organisms"
        if (source, taxid) not in entries:
            curie = check(f"NCBITaxon:{taxid}", source)
            if curie is None:
                return None
            label = labels.get(("curated", taxid)) or labels.get(("mesh", taxid)) or f"NCBITaxon:{taxid}"
            entry = SourceEntry(curie, "organism", source, label)
            mesh_id = mesh_ids.get(taxid)
            if source == "mesh_taxa" and mesh_id and check(f"MESH:{mesh_id}", source):
                entry.xrefs.append(f"MESH:{mesh_id}")
            entries[(source, taxid)] = entry
        return entries[(source, taxid)]

    for name, taxid, origin, kind in sorted(best.values(), key=lambda item: (item[1], item[0])):
        found = entry_of(taxid, origin)
        if found is not None:
            found.names += [(variant, kind) for variant in _case_variants(name)]
    for name, taxid in cell_lines:
        found = entry_of(taxid, "curated")
        if found is not None:
            found.names.append((name, NameKind.CELL_LINE))
    for _, organism in sorted(entries.items()):
        yield organism


def _abbreviations(pool: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """ "Burkholderia mallei" -> "B. mallei"; an abbreviation two taxa of one source share is left out."""
    taxa: dict[str, set[str]] = defaultdict(set)
    origin: dict[str, str] = {}
    for name, taxid, source, _ in sorted(pool, key=lambda item: _PRIORITY[item[2]]):
        match = _BINOMIAL.match(name)
        if not match:
            continue
        short = f"{match.group(1)[0]}. {match.group(2)}{match.group(3) or ''}"
        if short not in origin:
            origin[short] = source
        if origin[short] == source:
            taxa[short].add(taxid)
    return [
        (short, next(iter(ids)), "derived", NameKind.SYNONYM) for short, ids in taxa.items() if len(ids) == 1
    ]


def iter_species_entries(
    sources: Path, curated: Path, check: CurieChecker, human_genes: set[str]
) -> Iterator[SourceEntry]:
    """Genes of mouse, rat, zebrafish and fly, designations of the human genes in ``human_genes`` (NCBI
    Gene IDs HGNC approves), and organisms."""
    for source, taxon in GENE_INFO_TAXA.items():
        only = human_genes if taxon == HUMAN_TAXON else None
        yield from parse_gene_info(sources / SOURCE_FILES[source], source, taxon, check, only=only)
    yield from parse_rgd(sources / SOURCE_FILES["rgd_orthologs"], sources / SOURCE_FILES["rgd"], check)
    yield from parse_organisms(curated, sources / SOURCE_FILES["mesh"], check)
