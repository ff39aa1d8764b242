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
    return (
        item.document_id,
        item.sentence_start,
        item.subject_start,
        item.subject_end,
        item.object_start,
        item.object_end,
        item.trigger,
    )


class KnowledgeGraph:
    """A knowledge graph built from papers. ``graph`` is the networkx ``MultiDiGraph``."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.publications: dict[str, dict[str, Any]] = {}
        self.classes: dict[str, Concept] = {}
        # aggregation state, kept out of the networkx attributes (see finalize)
        self._node_documents: dict[str, set[str]] = {}
        self._edge_state: dict[tuple[str, str, str], tuple[set[tuple[Any, ...]], dict[str, float]]] = {}
        self._dirty_nodes: set[str] = set()
        self._dirty_edges: set[tuple[str, str, str]] = set()

    # --- building --------------------------------------------------------------------------------

    def add_concept(self, concept: Concept, document_id: str | None = None, mentions: int = 0) -> None:
        """Add a node for ``concept`` (or update it) and record the paper that mentions it."""
        if concept.id not in self.graph:
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
            self._node_documents[concept.id] = set()
        data = self.graph.nodes[concept.id]
        documents = self._node_documents.setdefault(concept.id, set(data["documents"]))
        if document_id and document_id not in documents:
            documents.add(document_id)
            self._dirty_nodes.add(concept.id)
        data["mentions"] += mentions

    def add_relation(self, relation: Relation) -> None:
        """Add one piece of evidence for a statement (creating the edge if new).

        Work per call is constant (no re-sorting, no recount): evidence order, paper lists and confidences
        are brought up to date by :meth:`finalize`, which every reader of the graph calls.
        """
        key = edge_key(relation.predicate, relation.qualifiers, relation.evidence.negated)
        edge = (relation.subject, relation.object, key)
        if not self.graph.has_edge(*edge):
            self.graph.add_edge(
                relation.subject,
                relation.object,
                key=key,
                predicate=relation.predicate,
                qualifiers=list(relation.qualifiers),
                negated=relation.evidence.negated,
                evidence=[],
            )
        state = self._edge_state.get(edge)
        if state is None:
            data = self.graph.edges[edge]
            state = self._edge_state[edge] = (set(map(_evidence_identity, data["evidence"])), {})
            for item in data["evidence"]:
                state[1][item.document_id] = max(state[1].get(item.document_id, 0.0), item.score)
        identities, best = state
        identity = _evidence_identity(relation.evidence)
        if identity in identities:
            return
        identities.add(identity)
        self.graph.edges[edge]["evidence"].append(relation.evidence)
        document = relation.evidence.document_id
        best[document] = max(best.get(document, 0.0), relation.evidence.score)
        self._dirty_edges.add(edge)

    def finalize(self) -> KnowledgeGraph:
        """Bring the aggregates up to date: evidence in a stable order, sorted paper lists, paper counts
        and confidences. Cheap when nothing changed; called by every export and by :func:`build_graph`."""
        for node in self._dirty_nodes:
            if node in self.graph:
                self.graph.nodes[node]["documents"] = sorted(self._node_documents[node])
        self._dirty_nodes.clear()
        for edge in self._dirty_edges:
            if not self.graph.has_edge(*edge):
                continue
            data = self.graph.edges[edge]
            data["evidence"].sort(key=_evidence_identity)
            best = self._edge_state[edge][1]
            data["documents"] = sorted(best)
            data["papers"] = len(best)
            data["confidence"] = (
                round(1.0 - math.prod(1.0 - score for score in best.values()), 3) if best else 0.0
            )
        self._dirty_edges.clear()
        return self

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
        other.finalize()
        for node, data in other.graph.nodes(data=True):
            if node not in self.graph:
                self.graph.add_node(
                    node, **{k: (list(v) if isinstance(v, list) else v) for k, v in data.items()}
                )
                self._node_documents[node] = set(data["documents"])
            else:
                mine = self.graph.nodes[node]
                documents = self._node_documents.setdefault(node, set(mine["documents"]))
                documents.update(data["documents"])
                self._dirty_nodes.add(node)
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
        return self.finalize()

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
        self.finalize()
        rows = []
        for subject, obj, key, data in sorted(self.graph.edges(keys=True, data=True)):
            for item in data["evidence"]:
                rows.append(
                    {
                        "subject": subject,
                        "predicate": data["predicate"],
                        "object": obj,
                        "edge": key,
                        **asdict(item),
                    }
                )
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
        return (
            f"<KnowledgeGraph {self.graph.number_of_nodes()} nodes, {self.graph.number_of_edges()} edges, "
            f"{len(self.publications)} papers>"
        )
