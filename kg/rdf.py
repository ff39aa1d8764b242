"""RDF export (rdflib): Turtle, N-Triples and JSON-LD, deterministic and free of blank nodes.

The model (an annotated excerpt is in the README):

* a **node** is typed with its Biolink category and carries ``rdfs:label``, ``skos:altLabel`` synonyms,
  ``skos:exactMatch`` equivalent IDs, ``rdfs:subClassOf`` its ontology parents (every ancestor is written
  too, so ``rdfs:subClassOf*`` reaches the roots) and, for a local concept, ``skos:broadMatch`` the nearest
  ontology concepts (also as ``rdfs:subClassOf`` so hierarchy queries reach it);
* a **statement** is the direct triple ``subject predicate object`` (not written when negated) plus one
  ``biolink:Association`` resource (IRI from a hash of subject, predicate, qualifiers, object, polarity)
  with ``rdf:subject/predicate/object``, qualifiers, ``biolink:publications``, confidence, counts,
  ``biolink:knowledge_level``, ``biolink:agent_type`` and ``biolink:has_evidence`` links to
* one ``biolink:TextMiningStudyResult`` per piece of **evidence**: the sentence, both entities' offsets and
  texts, the trigger, method, score, negation and hedging, the section and the paper;
* a **paper** is a ``biolink:Publication`` with its PMID/PMC/DOI IRIs, title, date, journal and the
  concepts it mentions.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg.atomic import atomic_path
from kg.biolink import BIOLINK, AgentType, Category, KnowledgeLevel
from kg.errors import IdentifierError
from kg.graph import KnowledgeGraph
from kg.identifiers import LOCAL_NAMESPACE, expand, get_converter, local_curie
from kg.records import Evidence

__all__ = ["FORMATS", "KGV", "association_iri", "to_rdflib", "write_rdf"]

BL = Namespace(BIOLINK)
KGV = Namespace(LOCAL_NAMESPACE + "vocab/")
FORMATS = {"turtle": "ttl", "nt": "nt", "json-ld": "jsonld"}
_SERIALIZERS = {"turtle": "turtle", "nt": "nt11", "json-ld": "json-ld"}


def _decimal(value: float) -> Literal:
    return Literal(Decimal(str(round(value, 3))), datatype=XSD.decimal)


def _iri(curie: str) -> URIRef | None:
    try:
        return URIRef(expand(curie))
    except IdentifierError:
        return None


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:20]


def association_iri(subject: str, key: str, obj: str) -> URIRef:
    """The IRI of the association resource of one edge (stable: a hash of subject, edge key, object)."""
    return URIRef(expand(local_curie("association", _digest(subject, key, obj))))


def _evidence_iri(association: URIRef, item: Evidence) -> URIRef:
    return URIRef(expand(local_curie("evidence", _digest(association, item.document_id, item.sentence_start,
                                                         item.subject_start, item.object_start, item.trigger))))


def _bind_prefixes(rdf: Graph, curies: set[str]) -> None:
    converter = get_converter()
    prefixes = sorted({curie.split(":", 1)[0] for curie in curies})
    rdf.bind("biolink", BL, override=True)
    rdf.bind("kgv", KGV)
    rdf.bind("kg", Namespace(LOCAL_NAMESPACE))
    rdf.bind("skos", SKOS)
    rdf.bind("dcterms", DCTERMS)
    for prefix in prefixes:
        namespace = converter.prefix_map.get(prefix)
        if namespace and prefix != "KG" and namespace[-1] in "/#_:":
            rdf.bind(prefix.lower() if prefix in ("PMID", "PMC") else prefix, Namespace(namespace))


def _add_concept(rdf: Graph, curie: str, data: dict[str, Any], *, with_synonyms: bool = True) -> None:
    node = _iri(curie)
    if node is None:
        return
    category = data.get("category") or Category.NAMED_THING.value
    rdf.add((node, RDF.type, BL[category.split(":", 1)[1]]))
    rdf.add((node, RDFS.label, Literal(data["label"])))
    if with_synonyms:
        for synonym in data.get("synonyms", ()):
            if synonym != data["label"]:
                rdf.add((node, SKOS.altLabel, Literal(synonym)))
    for xref in data.get("xrefs", ()):
        target = _iri(xref)
        if target is not None:
            rdf.add((node, SKOS.exactMatch, target))
    for parent in data.get("parents", ()):
        target = _iri(parent)
        if target is not None:
            rdf.add((node, RDFS.subClassOf, target))
    for broader in data.get("broad_match", ()):
        target = _iri(broader)
        if target is not None:
            rdf.add((node, SKOS.broadMatch, target))
            rdf.add((node, RDFS.subClassOf, target))
    if data.get("description"):
        rdf.add((node, DCTERMS.description, Literal(data["description"])))


def _publication_iris(record: dict[str, Any]) -> tuple[URIRef | None, list[URIRef]]:
    main = _iri(record["id"])
    others = []
    for curie in (f"PMID:{record.get('pmid')}" if record.get("pmid") else "",
                  f"PMC:{record.get('pmcid')}" if record.get("pmcid") else "",
                  f"doi:{record.get('doi')}" if record.get("doi") else ""):
        iri = _iri(curie) if curie else None
        if iri is not None and iri != main:
            others.append(iri)
    return main, others


def to_rdflib(graph: KnowledgeGraph) -> Graph:
    """The graph as an rdflib ``Graph`` (see the module docstring for the model)."""
    rdf = Graph()
    curies = set(graph.graph.nodes) | set(graph.classes) | set(graph.publications)
    for _, data in graph.graph.nodes(data=True):
        curies.update(data["xrefs"])
    _bind_prefixes(rdf, curies)

    for curie, data in graph.graph.nodes(data=True):
        _add_concept(rdf, curie, data)
    for curie, concept in graph.classes.items():
        _add_concept(rdf, curie, {"label": concept.label, "category": concept.category,
                                  "parents": concept.parents, "xrefs": ()}, with_synonyms=False)

    for record in graph.publications.values():
        paper, others = _publication_iris(record)
        if paper is None:
            continue
        rdf.add((paper, RDF.type, BL.Publication))
        rdf.add((paper, RDFS.label, Literal(record["title"])))
        rdf.add((paper, DCTERMS.title, Literal(record["title"])))
        for other in others:
            rdf.add((paper, SKOS.exactMatch, other))
        if record.get("date"):
            date = record["date"]
            datatype = XSD.date if len(date) == 10 else (XSD.gYearMonth if len(date) == 7 else XSD.gYear)
            rdf.add((paper, DCTERMS.issued, Literal(date, datatype=datatype)))
        if record.get("journal"):
            rdf.add((paper, KGV.journal, Literal(record["journal"])))
        if record.get("authors"):
            rdf.add((paper, DCTERMS.creator, Literal(record["authors"])))
        for concept in record.get("mentions", ()):
            target = _iri(concept)
            if target is not None and concept in graph.graph:
                rdf.add((paper, BL.mentions, target))

    for subject, obj, key, data in graph.graph.edges(keys=True, data=True):
        s_iri, o_iri = _iri(subject), _iri(obj)
        if s_iri is None or o_iri is None:
            continue
        predicate = BL[data["predicate"].split(":", 1)[1]]
        if not data["negated"]:
            rdf.add((s_iri, predicate, o_iri))
        association = association_iri(subject, key, obj)
        rdf.add((association, RDF.type, BL.Association))
        rdf.add((association, RDF.subject, s_iri))
        rdf.add((association, RDF.predicate, predicate))
        rdf.add((association, RDF.object, o_iri))
        rdf.add((association, RDFS.label, Literal(
            f"{graph.graph.nodes[subject]['label']} {'NOT ' if data['negated'] else ''}"
            f"{data['predicate'].split(':', 1)[1].replace('_', ' ')} {graph.graph.nodes[obj]['label']}")))
        for name, value in data["qualifiers"]:
            term = BL[name.split(":", 1)[1]]
            rdf.add((association, term, BL[value.split(":", 1)[1]] if value.startswith("biolink:") else Literal(value)))
        rdf.add((association, BL.negated, Literal(bool(data["negated"]))))
        rdf.add((association, BL.has_confidence_score, _decimal(data["confidence"])))
        rdf.add((association, BL.evidence_count, Literal(len(data["evidence"]))))
        rdf.add((association, KGV.paperCount, Literal(data["papers"])))
        rdf.add((association, BL.knowledge_level, Literal(KnowledgeLevel.KNOWLEDGE_ASSERTION.value)))
        rdf.add((association, BL.agent_type, Literal(AgentType.TEXT_MINING_AGENT.value)))
        for document in data["documents"]:
            paper = _iri(document)
            if paper is not None:
                rdf.add((association, BL.publications, paper))
        for item in data["evidence"]:
            evidence = _evidence_iri(association, item)
            rdf.add((association, BL.has_evidence, evidence))
            rdf.add((evidence, RDF.type, BL.TextMiningStudyResult))
            rdf.add((evidence, BL.supporting_text, Literal(item.sentence)))
            rdf.add((evidence, KGV.sentenceStart, Literal(item.sentence_start)))
            rdf.add((evidence, KGV.subjectText, Literal(item.subject_text)))
            rdf.add((evidence, KGV.subjectStart, Literal(item.subject_start)))
            rdf.add((evidence, KGV.subjectEnd, Literal(item.subject_end)))
            rdf.add((evidence, KGV.objectText, Literal(item.object_text)))
            rdf.add((evidence, KGV.objectStart, Literal(item.object_start)))
            rdf.add((evidence, KGV.objectEnd, Literal(item.object_end)))
            rdf.add((evidence, BL.subject_location_in_text, Literal(item.subject_start)))
            rdf.add((evidence, BL.subject_location_in_text, Literal(item.subject_end)))
            rdf.add((evidence, BL.object_location_in_text, Literal(item.object_start)))
            rdf.add((evidence, BL.object_location_in_text, Literal(item.object_end)))
            rdf.add((evidence, BL.extraction_confidence_score, _decimal(item.score)))
            rdf.add((evidence, KGV.trigger, Literal(item.trigger)))
            rdf.add((evidence, KGV.method, Literal(item.method)))
            rdf.add((evidence, BL.negated, Literal(item.negated)))
            rdf.add((evidence, KGV.hedged, Literal(item.hedged)))
            if item.passage:
                rdf.add((evidence, BL.supporting_text_section_type, Literal(item.passage)))
            paper = _iri(item.document_id)
            if paper is not None:
                rdf.add((evidence, BL.publications, paper))
    return rdf


def serialize(graph: KnowledgeGraph, format: str = "turtle") -> bytes:
    """The graph serialised in one of :data:`FORMATS`; N-Triples lines are sorted (byte-stable)."""
    if format not in FORMATS:
        raise ValueError(f"unknown RDF format {format!r}; known: {', '.join(FORMATS)}")
    rdf = to_rdflib(graph)
    if format == "nt":
        # split on "\n" only: str.splitlines() would also split inside literals holding U+2028 and friends
        lines = rdf.serialize(format="nt11", encoding="utf-8").decode("utf-8").split("\n")
        return ("\n".join(sorted(line for line in lines if line)) + "\n").encode("utf-8")
    if format == "json-ld":
        return rdf.serialize(format="json-ld", encoding="utf-8", sort_keys=True, indent=1)
    return rdf.serialize(format=_SERIALIZERS[format], encoding="utf-8")


def write_rdf(graph: KnowledgeGraph, path: str | Path, format: str = "turtle") -> Path:
    """Write the graph as RDF atomically."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(serialize(graph, format))
    return Path(path)
