"""Tables (pandas): KGX TSV (``nodes.tsv``, ``edges.tsv``) and one row per piece of evidence.

KGX conventions: multivalued cells joined with ``|``, Biolink CURIEs for categories and predicates, edges
with ``knowledge_level`` and ``agent_type``. Text from papers is made cell-safe: tabs, newlines and ``|``
inside a value become spaces, so no row can break. Genes carry their species: Biolink's node properties
``taxon`` (the NCBITaxon CURIE; the RDF's ``biolink:in_taxon``, which kgx 2 reads from a TSV column as a
list and then rejects as one) and ``in_taxon_label``. A gene of another species has a
``biolink:orthologous_to`` edge to each human ortholog (from HGNC and RGD: a curated assertion, not text
mining), and the orthologs no paper mentions are nodes too.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from kg.atomic import atomic_path
from kg.biolink import AgentType, Category, KnowledgeLevel, Predicate
from kg.graph import KnowledgeGraph

__all__ = ["KNOWLEDGE_SOURCE", "to_evidence_frame", "to_frames", "write_frame", "write_tables"]

KNOWLEDGE_SOURCE = "infores:kg-biomed"
_UNSAFE = re.compile(r"[\t\r\n|\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")

NODE_COLUMNS = [
    "id",
    "category",
    "name",
    "description",
    "xref",
    "synonym",
    "subclass_of",
    "taxon",
    "in_taxon_label",
    "publications",
    "mention_count",
    "provided_by",
]
EDGE_COLUMNS = [
    "id",
    "subject",
    "predicate",
    "object",
    "category",
    "negated",
    "qualified_predicate",
    "object_aspect_qualifier",
    "object_direction_qualifier",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "has_confidence_score",
    "evidence_count",
    "paper_count",
    "subject_name",
    "object_name",
    "supporting_text",
]


def _cell(value: object) -> str:
    return _UNSAFE.sub(" ", str(value)).strip()


def _join(values) -> str:
    return "|".join(_cell(v) for v in values if _cell(v))


def to_frames(graph: KnowledgeGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes, edges) as KGX-style DataFrames, rows sorted by id."""
    from kg.rdf import association_iri

    nodes = []
    for curie, data in sorted(graph.graph.nodes(data=True)):
        nodes.append(
            {
                "id": curie,
                "category": data["category"],
                "name": _cell(data["label"]),
                "description": _cell(data["description"]),
                # every ID kg merged into this node: Biolink's xref is multivalued (same_as and broad_match are
                # single-valued slots in Biolink 4, and kgx rejects several values in them), and the broader
                # concepts of a local concept go with its parents into subclass_of, as in the RDF
                "xref": _join(data["xrefs"]),
                "synonym": _join(s for s in data["synonyms"] if s != data["label"]),
                "subclass_of": _join(dict.fromkeys([*data["parents"], *data["broad_match"]])),
                "taxon": data.get("taxon", ""),
                "in_taxon_label": _taxon_label(graph, data.get("taxon", "")),
                "publications": _join(data["documents"]),
                "mention_count": data["mentions"],
                "provided_by": KNOWLEDGE_SOURCE,
            }
        )
    named = set(graph.graph.nodes)
    for curie in sorted({o for _, d in graph.graph.nodes(data=True) for o in d.get("orthologs", ())} - named):
        concept = graph.classes.get(curie)
        nodes.append(
            {
                "id": curie,
                "category": concept.category if concept else Category.GENE.value,
                "name": _cell(concept.label) if concept else curie,
                "description": _cell(concept.description) if concept else "",
                "xref": _join(concept.xrefs) if concept else "",
                "taxon": concept.taxon if concept else "",
                "in_taxon_label": _taxon_label(graph, concept.taxon if concept else ""),
                "mention_count": 0,
                "provided_by": KNOWLEDGE_SOURCE,
            }
        )
    nodes.sort(key=lambda row: row["id"])
    edges = []
    for subject, obj, key, data in sorted(graph.graph.edges(keys=True, data=True)):
        qualifiers = dict(data["qualifiers"])
        edges.append(
            {
                "id": str(association_iri(subject, key, obj)),
                "subject": subject,
                "predicate": data["predicate"],
                "object": obj,
                "category": Category.ASSOCIATION.value,
                "negated": "true" if data["negated"] else "false",
                "qualified_predicate": qualifiers.get("biolink:qualified_predicate", ""),
                "object_aspect_qualifier": qualifiers.get("biolink:object_aspect_qualifier", ""),
                "object_direction_qualifier": qualifiers.get("biolink:object_direction_qualifier", ""),
                "knowledge_level": KnowledgeLevel.KNOWLEDGE_ASSERTION.value,
                "agent_type": AgentType.TEXT_MINING_AGENT.value,
                "primary_knowledge_source": KNOWLEDGE_SOURCE,
                "publications": _join(data["documents"]),
                "has_confidence_score": data["confidence"],
                "evidence_count": len(data["evidence"]),
                "paper_count": data["papers"],
                "subject_name": _cell(graph.graph.nodes[subject]["label"]),
                "object_name": _cell(graph.graph.nodes[obj]["label"]),
                "supporting_text": _join(dict.fromkeys(e.sentence for e in data["evidence"])),
            }
        )
    for curie, data in sorted(graph.graph.nodes(data=True)):
        for ortholog in data.get("orthologs", ()):
            edges.append(_ortholog_edge(graph, curie, data, ortholog))
    edges.sort(key=lambda row: (row["subject"], row["object"]))  # stable: evidence edges keep their order
    return (pd.DataFrame(nodes, columns=NODE_COLUMNS), pd.DataFrame(edges, columns=EDGE_COLUMNS))


def _taxon_label(graph: KnowledgeGraph, taxon: str) -> str:
    """The scientific name of a species (from its node or class), or nothing."""
    if not taxon:
        return ""
    if taxon in graph.graph:
        return _cell(graph.graph.nodes[taxon]["label"])
    concept = graph.classes.get(taxon)
    return _cell(concept.label) if concept else ""


def _ortholog_edge(graph: KnowledgeGraph, curie: str, data: dict, ortholog: str) -> dict:
    """A gene's orthology to a human gene: a curated assertion (RGD for rat genes, HGNC otherwise)."""
    from kg.rdf import association_iri

    other = graph.graph.nodes[ortholog]["label"] if ortholog in graph.graph else None
    concept = graph.classes.get(ortholog)
    return {
        "id": str(association_iri(curie, Predicate.ORTHOLOGOUS_TO.value, ortholog)),
        "subject": curie,
        "predicate": Predicate.ORTHOLOGOUS_TO.value,
        "object": ortholog,
        "category": Category.ASSOCIATION.value,
        "negated": "false",
        "knowledge_level": KnowledgeLevel.KNOWLEDGE_ASSERTION.value,
        "agent_type": AgentType.MANUAL_AGENT.value,
        "primary_knowledge_source": "infores:rgd"
        if data.get("taxon") == "NCBITaxon:10116"
        else "infores:hgnc",
        "subject_name": _cell(data["label"]),
        "object_name": _cell(other or (concept.label if concept else ortholog)),
    }


def to_evidence_frame(graph: KnowledgeGraph) -> pd.DataFrame:
    """One row per piece of evidence, with the edge it supports."""
    rows = graph.evidence_records()
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    for column in ("sentence", "subject_text", "object_text", "trigger"):
        frame[column] = frame[column].map(_cell)
    return frame


def write_frame(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write any DataFrame as a cell-safe TSV file, atomically."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(lambda v: v if v is None else _cell(v))
    _write_tsv(safe, Path(path))
    return Path(path)


def _write_tsv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as temporary:
        frame.to_csv(
            temporary,
            sep="\t",
            index=False,
            quoting=csv.QUOTE_NONE,
            escapechar=None,
            lineterminator="\n",
            float_format="%.3f",
        )


def write_tables(graph: KnowledgeGraph, directory: str | Path) -> list[Path]:
    """Write ``nodes.tsv``, ``edges.tsv`` (KGX) and ``evidence.tsv`` into ``directory``."""
    directory = Path(directory)
    nodes, edges = to_frames(graph)
    paths = [directory / "nodes.tsv", directory / "edges.tsv", directory / "evidence.tsv"]
    _write_tsv(nodes, paths[0])
    _write_tsv(edges, paths[1])
    _write_tsv(to_evidence_frame(graph), paths[2])
    return paths
