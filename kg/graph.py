"""The knowledge graph: a networkx ``MultiDiGraph`` with one node per concept and one edge per statement.

Nodes are keyed by the concept's preferred CURIE and carry ``label``, ``category``, ``xrefs``,
``synonyms``, ``parents``, ``broad_match``, ``description``, ``taxon`` (a gene's species), ``orthologs`` (a
gene of another species' human orthologs), ``documents`` and ``mentions`` (count). Edges
are keyed by predicate, qualifiers and polarity; each carries all its :class:`~kg.records.Evidence`, the
papers it comes from and a confidence. Ancestors of the nodes in their source ontologies are kept in
:attr:`KnowledgeGraph.classes` so exports can write the whole hierarchy. Graphs built from different
documents merge with :meth:`KnowledgeGraph.merge` (associative, order-independent).

Aggregates (an edge's papers, paper count and confidence; a node's papers) are computed by one pure
function, :func:`aggregate`, from the best score each paper gives the edge; building keeps only those
per-paper bests (constant work per evidence), and :attr:`KnowledgeGraph.graph` brings the aggregates up to
date whenever it is read, so what a reader or an exporter sees is always current. The graph knows nothing
of its exports: they are functions of a graph (:func:`kg.rdf.to_rdflib`, :func:`kg.tables.to_frames`,
:func:`kg.html.write_html`, :func:`kg.sparql.query_graph`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.errors import InputError
from kg.identifiers import HUMAN_TAXON
from kg.records import Concept, Document, DocumentResult, Evidence, Relation

if TYPE_CHECKING:
    from kg.lexicon import Lexicon

__all__ = ["KnowledgeGraph", "aggregate", "confidence", "edge_key", "noisy_or"]


def edge_key(predicate: str, qualifiers: tuple[tuple[str, str], ...] = (), negated: bool = False) -> str:
    """The key of an edge among the edges between two nodes.

    >>> edge_key("biolink:treats")
    'biolink:treats'
    >>> edge_key("biolink:treats", negated=True)
    'NOT biolink:treats'
    """
    key = predicate + "".join(f" {name.split(':')[-1]}={value}" for name, value in sorted(qualifiers))
    return f"NOT {key}" if negated else key


def noisy_or(scores: Iterable[float]) -> float:
    """``1 - prod(1 - score)``, rounded to 3 places (0.0 for no scores): independent sources of one claim.

    >>> noisy_or([0.6, 0.6])
    0.84
    """
    values = list(scores)
    return round(1.0 - math.prod(1.0 - score for score in values), 3) if values else 0.0


def aggregate(best_by_paper: Mapping[str, float]) -> dict[str, Any]:
    """An edge's aggregates from the best score each paper gives it: its papers (sorted), their number,
    and its confidence, a noisy-OR over papers in which each paper counts once, by its best evidence.

    >>> aggregate({"PMID:2": 0.6, "PMID:1": 0.6})
    {'documents': ['PMID:1', 'PMID:2'], 'papers': 2, 'confidence': 0.84}
    """
    return {
        "documents": sorted(best_by_paper),
        "papers": len(best_by_paper),
        "confidence": noisy_or(best_by_paper[paper] for paper in sorted(best_by_paper)),
    }


def best_by_paper(evidence: Iterable[tuple[str, float]]) -> dict[str, float]:
    """The best score per paper of ``(paper, score)`` pairs."""
    best: dict[str, float] = {}
    for paper, score in evidence:
        best[paper] = max(best.get(paper, 0.0), score)
    return best


def confidence(evidence: Iterable[Evidence]) -> float:
    """The confidence of a claim with this evidence (see :func:`aggregate`): two sentences of one paper count
    as that paper's best sentence; independent papers raise the confidence.

    >>> from kg.records import Evidence
    >>> e = lambda doc, score: Evidence(doc, "s", 0, "a", 0, 1, "b", 2, 3, "m", score)
    >>> confidence([e("PMID:1", 0.6), e("PMID:1", 0.6)])
    0.6
    >>> confidence([e("PMID:1", 0.6), e("PMID:2", 0.6)])
    0.84
    """
    return aggregate(best_by_paper((item.document_id, item.score) for item in evidence))["confidence"]


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


# Sources of the mappings behind a node that the lexicon did not make (see mappings.sssom.tsv).
USER_VOCABULARY = "user vocabulary"
PAPER_ANNOTATION = "paper annotation"


class KnowledgeGraph:
    """A knowledge graph built from papers. :attr:`graph` is the networkx ``MultiDiGraph``.

    Evidence from a retracted paper is kept on its edge (flagged ``retracted``) but counts for nothing in
    the edge's papers and confidence, unless ``include_retracted``.
    """

    def __init__(self, *, include_retracted: bool = False) -> None:
        self.include_retracted = include_retracted
        self._graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.publications: dict[str, dict[str, Any]] = {}
        self.classes: dict[str, Concept] = {}
        # each node's mappings that joined its IDs (subject, object, source), from the lexicon
        self.mappings: dict[str, list[tuple[str, str, str]]] = {}
        # the namespaces of prefixes a user's vocabularies declare (kg's own are in kg.identifiers)
        self.prefixes: dict[str, str] = {}
        # what the aggregates are computed from, kept out of the networkx attributes
        self._node_documents: dict[str, set[str]] = {}
        self._edge_state: dict[tuple[str, str, str], tuple[set[tuple[Any, ...]], dict[str, float]]] = {}
        self._dirty_nodes: set[str] = set()
        self._dirty_edges: set[tuple[str, str, str]] = set()

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx graph, its aggregates (papers, counts, confidences) brought up to date."""
        self._refresh()
        return self._graph

    # --- building --------------------------------------------------------------------------------

    def add_concept(
        self,
        concept: Concept,
        document_id: str | None = None,
        mentions: int = 0,
        documents: Iterable[str] = (),
    ) -> None:
        """Add a node for ``concept`` (or update it) and record the papers that mention it."""
        if concept.id not in self._graph:
            self._graph.add_node(
                concept.id,
                label=concept.label,
                category=concept.category,
                xrefs=list(concept.xrefs),
                synonyms=list(concept.synonyms),
                parents=list(concept.parents),
                broad_match=list(concept.broad_match),
                description=concept.description,
                taxon=concept.taxon,
                orthologs=list(concept.orthologs) if concept.taxon not in ("", HUMAN_TAXON) else [],
                documents=[],
                mentions=0,
            )
            self._node_documents[concept.id] = set()
        data = self._graph.nodes[concept.id]
        known = self._node_documents.setdefault(concept.id, set(data["documents"]))
        for document in (document_id, *documents) if document_id else documents:
            if document not in known:
                known.add(document)
                self._dirty_nodes.add(concept.id)
        data["mentions"] += mentions

    def add_relation(self, relation: Relation) -> None:
        """Add one piece of evidence for a statement (creating the edge if new), in constant work: the
        edge's aggregates are recomputed from its per-paper best scores when the graph is next read."""
        key = edge_key(relation.predicate, relation.qualifiers, relation.evidence.negated)
        edge = (relation.subject, relation.object, key)
        if not self._graph.has_edge(*edge):
            self._graph.add_edge(
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
            data = self._graph.edges[edge]
            state = self._edge_state[edge] = (
                set(map(_evidence_identity, data["evidence"])),
                best_by_paper(
                    (item.document_id, item.score) for item in data["evidence"] if self._counts(item)
                ),
            )
        identities, best = state
        identity = _evidence_identity(relation.evidence)
        if identity in identities:
            return
        identities.add(identity)
        self._graph.edges[edge]["evidence"].append(relation.evidence)
        if self._counts(relation.evidence):
            document = relation.evidence.document_id
            best[document] = max(best.get(document, 0.0), relation.evidence.score)
        self._dirty_edges.add(edge)

    def _counts(self, evidence: Evidence) -> bool:
        """Whether a piece of evidence counts towards its edge's papers and confidence."""
        return self.include_retracted or not evidence.retracted

    def _refresh(self) -> None:
        """Bring the aggregates of what changed up to date (cheap when nothing did)."""
        if self._dirty_nodes:
            for node in self._dirty_nodes:
                if node in self._graph:
                    self._graph.nodes[node]["documents"] = sorted(self._node_documents[node])
            self._dirty_nodes.clear()
        if self._dirty_edges:
            for edge in self._dirty_edges:
                if self._graph.has_edge(*edge):
                    data = self._graph.edges[edge]
                    data["evidence"].sort(key=_evidence_identity)
                    data.update(aggregate(self._edge_state[edge][1]))
            self._dirty_edges.clear()

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
            publication_types=list(document.publication_types),
            retracted=document.is_retracted,
        )
        record["mentions"] = sorted(set(record["mentions"]) | set(concept_ids))

    def add_result(self, result: DocumentResult) -> None:
        """Add everything found in one document."""
        counts: dict[str, int] = {}
        for mention in result.mentions:
            if mention.concept_id and not mention.nested:
                counts[mention.concept_id] = counts.get(mention.concept_id, 0) + 1
        only_nested = {m.concept_id for m in result.mentions if m.nested} - counts.keys()
        for concept in result.concepts:
            if (
                concept.id not in only_nested
            ):  # a chemical named only inside a gene's name: the gene is the node
                self.add_concept(concept, result.document.id, counts.get(concept.id, 0))
        for relation in result.relations:
            self.add_relation(relation)
        self.add_publication(result.document, counts)

    def add_hierarchy(self, lexicon: Lexicon, extra: Mapping[str, Concept] | None = None) -> None:
        """Keep every ancestor of every node (from the lexicon's ontologies, and the concepts of the user's
        vocabularies in ``extra``) for hierarchy queries, and the human orthologs and the species of the
        genes, so queries can walk to them; and the mappings that made each node's IDs one (for
        ``mappings.sssom.tsv``)."""
        extra = extra or {}
        vocabulary_ids = {curie for c in extra.values() for curie in (c.id, *c.xrefs)}

        def concept_of(curie: str) -> Concept | None:
            return extra.get(curie) or lexicon.get_concept(curie)

        def keep(curie: str, *, as_given: bool = False) -> bool:
            """Keep ``curie`` (not a node) as a class, under its preferred ID (or as given); whether it is
            one."""
            if curie in self._graph or curie in self.classes:
                return curie in self.classes
            concept = concept_of(curie)
            if concept is not None:
                self.classes[curie if as_given else concept.id] = concept
            return concept is not None

        for node, data in list(self._graph.nodes(data=True)):
            if data["xrefs"] and node not in self.mappings:
                joins = lexicon.mappings(node)
                joined = {curie for a, b, _ in joins for curie in (a, b)}
                for xref in data["xrefs"]:  # IDs the lexicon did not merge: a user's term, a paper's IDs
                    if xref not in joined:
                        source = USER_VOCABULARY if xref in vocabulary_ids else PAPER_ANNOTATION
                        joins.append((node, xref, source))
                self.mappings[node] = joins
            for related in (*data.get("orthologs", ()), data.get("taxon", "")):
                if related:
                    keep(related)
            starts = [node, *data["broad_match"]]
            stack = [p for p in data["parents"] if p in extra]  # a vocabulary's own terms above the node
            while stack:
                parent = stack.pop()
                if keep(parent) and parent in extra:
                    stack += [p for p in extra[parent].parents if p not in self.classes]
                starts.append(parent)
            if lexicon.get_concept(node) is None:
                starts += [p for p in data["parents"] if p not in extra]
            for start in starts:
                if start != node:
                    keep(start)
                for ancestor in lexicon.iter_ancestors(start):
                    keep(ancestor, as_given=True)

    def merge(self, other: KnowledgeGraph) -> KnowledgeGraph:
        """Add another graph's nodes, edges, evidence, papers and classes to this one; returns self."""
        theirs = other.graph
        for node, data in theirs.nodes(data=True):
            if node not in self._graph:
                self._graph.add_node(
                    node, **{k: (list(v) if isinstance(v, list) else v) for k, v in data.items()}
                )
                self._node_documents[node] = set(data["documents"])
            else:
                mine = self._graph.nodes[node]
                documents = self._node_documents.setdefault(node, set(mine["documents"]))
                documents.update(data["documents"])
                self._dirty_nodes.add(node)
                mine["mentions"] += data["mentions"]
        for subject, obj, data in theirs.edges(data=True):
            for item in data["evidence"]:
                self.add_relation(Relation(subject, data["predicate"], obj, item, tuple(data["qualifiers"])))
        for doc_id, record in other.publications.items():
            mine = self.publications.setdefault(doc_id, dict(record))
            mine["mentions"] = sorted(set(mine["mentions"]) | set(record["mentions"]))
        for prefix, namespace in other.prefixes.items():
            self.prefixes.setdefault(prefix, namespace)
        for node, joins in other.mappings.items():
            self.mappings.setdefault(node, joins)
        for curie, concept in other.classes.items():
            if curie not in self._graph:
                self.classes.setdefault(curie, concept)
        for curie in list(self.classes):
            if curie in self._graph:
                del self.classes[curie]
        return self

    # --- views -----------------------------------------------------------------------------------

    def subgraph(self, nodes: Iterable[str]) -> KnowledgeGraph:
        """A new graph of these nodes and the edges between them (papers and classes shared)."""
        result = KnowledgeGraph(include_retracted=self.include_retracted)
        result._graph = self.graph.subgraph(set(nodes)).copy()
        result.publications = self.publications
        result.classes = self.classes
        return result

    def neighbourhood(self, query: str, hops: int = 1) -> KnowledgeGraph:
        """The nodes matching ``query`` (ID, label or synonym) and everything ``hops`` edges out."""
        centres = self.find_nodes(query)
        if not centres:
            raise InputError(
                f"no node matches {query!r} (try an ID such as MONDO:0004980, a label or a synonym)"
            )
        undirected = self.graph.to_undirected(as_view=True)
        keep: set[str] = set()
        for centre in centres[:5]:
            keep |= set(nx.single_source_shortest_path_length(undirected, centre, cutoff=hops))
        return self.subgraph(keep)

    def path_ends(self, start: str, end: str) -> tuple[str, str]:
        """The nodes two names (ID, label or synonym) stand for, checked to be joined by some chain."""
        ends = []
        for query in (start, end):
            found = self.find_nodes(query)
            if not found:
                raise InputError(f"no node matches {query!r} (try an ID, a label or a synonym)")
            ends.append(found[0])
        if not nx.has_path(self.graph.to_undirected(as_view=True), ends[0], ends[1]):
            raise InputError(f"no chain of edges joins {start!r} and {end!r} in this graph")
        return ends[0], ends[1]

    def without_edges_below(self, min_confidence: float) -> KnowledgeGraph:
        """A new graph with every node and only the edges of at least this confidence."""
        result = self.subgraph(self.graph.nodes)
        weak = [
            (s, o, k)
            for s, o, k, d in result.graph.edges(keys=True, data=True)
            if d["confidence"] < min_confidence
        ]
        result._graph.remove_edges_from(weak)
        return result

    # --- reading -------------------------------------------------------------------------------------

    def find_nodes(self, text: str) -> list[str]:
        """Nodes whose ID, label or synonym equals ``text`` (case-insensitive), best first."""
        wanted = text.strip().lower()
        exact, partial = [], []
        for node, data in sorted(self._graph.nodes(data=True)):
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

    def __repr__(self) -> str:
        return (
            f"<KnowledgeGraph {self._graph.number_of_nodes()} nodes, {self._graph.number_of_edges()} edges, "
            f"{len(self.publications)} papers>"
        )
