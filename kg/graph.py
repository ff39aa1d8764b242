"""The knowledge graph: a networkx ``MultiDiGraph`` with one node per concept and one edge per statement.

Nodes are keyed by the concept's preferred CURIE and carry ``label``, ``category``, ``xrefs``,
``synonyms``, ``parents``, ``broad_match``, ``description``, ``documents`` and ``mentions`` (count). Edges
are keyed by predicate, qualifiers and polarity; each carries all its :class:`~kg.records.Evidence`, the
papers it comes from and a confidence (see :func:`confidence`). Ancestors of the nodes in their source
ontologies are kept in :attr:`KnowledgeGraph.classes` so exports can write the whole hierarchy. Graphs
built from different documents merge with :meth:`KnowledgeGraph.merge` (associative, order-independent).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.records import Concept, Document, DocumentResult, Evidence, Relation

if TYPE_CHECKING:
    import pandas as pd

    from kg.lexicon import Lexicon

__all__ = ["KnowledgeGraph", "confidence", "edge_key"]


def edge_key(predicate: str, qualifiers: tuple[tuple[str, str], ...] = (), negated: bool = False) -> str:
    """The key of an edge among the edges between two nodes.

    >>> edge_key("biolink:treats")
    'biolink:treats'
    >>> edge_key("biolink:treats", negated=True)
    'NOT biolink:treats'
    """
    key = predicate + "".join(f" {name.split(':')[-1]}={value}" for name, value in sorted(qualifiers))
    return f"NOT {key}" if negated else key


def confidence(evidence: Iterable[Evidence]) -> float:
    """Noisy-OR over papers, each paper counted once by its best evidence.

    ``1 - prod(1 - best_score(paper))``: two sentences of one paper count as that paper's best sentence;
    independent papers raise the confidence.

    >>> from kg.records import Evidence
    >>> e = lambda doc, score: Evidence(doc, "s", 0, "a", 0, 1, "b", 2, 3, "m", score)
    >>> confidence([e("PMID:1", 0.6), e("PMID:1", 0.6)])
    0.6
    >>> confidence([e("PMID:1", 0.6), e("PMID:2", 0.6)])
    0.84
    """
    best: dict[str, float] = {}
    for item in evidence:
        best[item.document_id] = max(best.get(item.document_id, 0.0), item.score)
    return round(1.0 - math.prod(1.0 - score for score in best.values()), 3) if best else 0.0


def _evidence_identity(item: Evidence) -> tuple[Any, ...]:
    return (item.document_id, item.sentence_start, item.subject_start, item.subject_end, item.object_start,
            item.object_end, item.trigger)


class KnowledgeGraph:
    """A knowledge graph built from papers. ``graph`` is the networkx ``MultiDiGraph``."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.publications: dict[str, dict[str, Any]] = {}
        self.classes: dict[str, Concept] = {}

    # --- building --------------------------------------------------------------------------------

    def add_concept(self, concept: Concept, document_id: str | None = None, mentions: int = 0) -> None:
        """Add a node for ``concept`` (or update it) and record the paper that mentions it."""
        if concept.id in self.graph:
            data = self.graph.nodes[concept.id]
        else:
            self.graph.add_node(
                concept.id,
                label=concept.label,
                category=concept.category,
                xrefs=list(concept.xrefs),
                synonyms=list(concept.synonyms),
                parents=list(concept.parents),
                broad_match=list(concept.broad_match),
                description=concept.description,
                documents=[],
                mentions=0,
            )
            data = self.graph.nodes[concept.id]
        if document_id and document_id not in data["documents"]:
            data["documents"] = sorted([*data["documents"], document_id])
        data["mentions"] += mentions

    def add_relation(self, relation: Relation) -> None:
        """Add one piece of evidence for a statement (creating the edge if new)."""
        key = edge_key(relation.predicate, relation.qualifiers, relation.evidence.negated)
        if self.graph.has_edge(relation.subject, relation.object, key):
            data = self.graph.edges[relation.subject, relation.object, key]
            identities = {_evidence_identity(e) for e in data["evidence"]}
            if _evidence_identity(relation.evidence) in identities:
                return
            data["evidence"] = sorted([*data["evidence"], relation.evidence], key=_evidence_identity)
        else:
            self.graph.add_edge(
                relation.subject,
                relation.object,
                key=key,
                predicate=relation.predicate,
                qualifiers=list(relation.qualifiers),
                negated=relation.evidence.negated,
                evidence=[relation.evidence],
            )
            data = self.graph.edges[relation.subject, relation.object, key]
        data["documents"] = sorted({e.document_id for e in data["evidence"]})
        data["papers"] = len(data["documents"])
        data["confidence"] = confidence(data["evidence"])

    def add_publication(self, document: Document, concept_ids: Iterable[str] = ()) -> None:
        metadata = dict(document.metadata)
        record = self.publications.setdefault(document.id, {"id": document.id, "mentions": []})
        record.update(
            title=document.title,
            date=metadata.get("date", ""),
            journal=metadata.get("journal", ""),
            authors=metadata.get("authors", ""),
            doi=metadata.get("doi", ""),
            pmid=metadata.get("pmid", ""),
            pmcid=metadata.get("pmcid", ""),
            source=document.source,
        )
        record["mentions"] = sorted(set(record["mentions"]) | set(concept_ids))

    def add_result(self, result: DocumentResult) -> None:
        """Add everything found in one document."""
        counts: dict[str, int] = {}
        for mention in result.mentions:
            if mention.concept_id:
                counts[mention.concept_id] = counts.get(mention.concept_id, 0) + 1
        for concept in result.concepts:
            self.add_concept(concept, result.document.id, counts.get(concept.id, 0))
        for relation in result.relations:
            self.add_relation(relation)
        self.add_publication(result.document, counts)

    def add_hierarchy(self, lexicon: Lexicon) -> None:
        """Keep every ancestor of every node (from the lexicon's ontologies) for hierarchy queries."""
        for node, data in list(self.graph.nodes(data=True)):
            starts = [node, *data["broad_match"]] if data["broad_match"] else [node]
            for start in starts:
                if start != node and start not in self.graph and start not in self.classes:
                    concept = lexicon.get_concept(start)
                    if concept:
                        self.classes[concept.id] = concept
                for ancestor in lexicon.iter_ancestors(start):
                    if ancestor not in self.graph and ancestor not in self.classes:
                        concept = lexicon.get_concept(ancestor)
                        if concept:
                            self.classes[ancestor] = concept

    def merge(self, other: KnowledgeGraph) -> KnowledgeGraph:
        """Add another graph's nodes, edges, evidence, papers and classes to this one; returns self."""
        for node, data in other.graph.nodes(data=True):
            if node not in self.graph:
                self.graph.add_node(node, **{k: (list(v) if isinstance(v, list) else v) for k, v in data.items()})
            else:
                mine = self.graph.nodes[node]
                mine["documents"] = sorted(set(mine["documents"]) | set(data["documents"]))
                mine["mentions"] += data["mentions"]
        for subject, obj, data in other.graph.edges(data=True):
            for item in data["evidence"]:
                self.add_relation(Relation(subject, data["predicate"], obj, item, tuple(data["qualifiers"])))
        for doc_id, record in other.publications.items():
            mine = self.publications.setdefault(doc_id, dict(record))
            mine["mentions"] = sorted(set(mine["mentions"]) | set(record["mentions"]))
        for curie, concept in other.classes.items():
            if curie not in self.graph:
                self.classes.setdefault(curie, concept)
        for curie in list(self.classes):
            if curie in self.graph:
                del self.classes[curie]
        return self

    # --- reading -------------------------------------------------------------------------------------

    def find_nodes(self, text: str) -> list[str]:
        """Nodes whose ID, label or synonym equals ``text`` (case-insensitive), best first."""
        wanted = text.strip().lower()
        exact, partial = [], []
        for node, data in sorted(self.graph.nodes(data=True)):
            names = [node.lower(), data["label"].lower(), *(s.lower() for s in data["synonyms"])]
            if wanted in names:
                exact.append(node)
            elif any(wanted in name for name in names):
                partial.append(node)
        return exact or partial

    def evidence_records(self) -> list[dict[str, Any]]:
        """One dict per piece of evidence, with its edge's subject, predicate and object."""
        rows = []
        for subject, obj, key, data in sorted(self.graph.edges(keys=True, data=True)):
            for item in data["evidence"]:
                rows.append({"subject": subject, "predicate": data["predicate"], "object": obj, "edge": key,
                             **asdict(item)})
        return rows

    # --- exports (thin wrappers over the export modules) ----------------------------------------------

    def to_rdf(self):  # -> rdflib.Graph
        from kg.rdf import to_rdflib

        return to_rdflib(self)

    def to_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(nodes, edges) as KGX-style pandas DataFrames."""
        from kg.tables import to_frames

        return to_frames(self)

    def write_html(self, path: str | Path, **options: Any) -> Path:
        from kg.html import write_html

        return write_html(self, path, **options)

    def sparql(self, query: str) -> pd.DataFrame:
        """Run a SPARQL query over this graph (Oxigraph, in memory); rows as a DataFrame."""
        from kg.sparql import Store

        return Store.from_graph(self).query(query)

    def __repr__(self) -> str:
        return (f"<KnowledgeGraph {self.graph.number_of_nodes()} nodes, {self.graph.number_of_edges()} edges, "
                f"{len(self.publications)} papers>")
