"""RDF export (rdflib): Turtle, N-Triples and JSON-LD, deterministic and free of blank nodes.

The model (an annotated excerpt is in the README):

* a **node** is typed with its Biolink category and carries ``rdfs:label``, ``skos:altLabel`` synonyms,
  ``skos:exactMatch`` equivalent IDs, ``rdfs:subClassOf`` its ontology parents (every ancestor is written
  too, so ``rdfs:subClassOf*`` reaches the roots) and, for a local concept, ``skos:broadMatch`` the nearest
  ontology concepts (also as ``rdfs:subClassOf`` so hierarchy queries reach it); a gene its species
  (``biolink:in_taxon NCBITaxon:…``) and, for a gene of another species, ``biolink:orthologous_to`` its
  human orthologs (typed and labelled even when no paper mentions them);
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
import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg.atomic import atomic_path
from kg.biolink import BIOLINK, AgentType, Category, KnowledgeLevel, get_superclasses, get_superproperties
from kg.choices import RdfFormat
from kg.errors import IdentifierError
from kg.graph import KnowledgeGraph
from kg.identifiers import LOCAL_NAMESPACE, expand, get_converter, local_curie
from kg.records import Evidence

__all__ = [
    "KGV",
    "association_iri",
    "iter_biolink_hierarchy",
    "iter_oxigraph_triples",
    "iter_triples",
    "serialize",
    "to_rdflib",
    "write_rdf",
]

Triple = tuple[URIRef, URIRef, URIRef | Literal]
BL = Namespace(BIOLINK)
KGV = Namespace(LOCAL_NAMESPACE + "vocab/")


def _decimal(value: float) -> Literal:
    return Literal(Decimal(str(round(value, 3))), datatype=XSD.decimal)


def _expanded(curie: str, prefixes: Mapping[str, str] | None = None) -> URIRef | None:
    try:
        return URIRef(expand(curie, prefixes))
    except IdentifierError:
        return None


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:20]


def association_iri(subject: str, key: str, obj: str) -> URIRef:
    """The IRI of the association resource of one edge (stable: a hash of subject, edge key, object)."""
    return URIRef(expand(local_curie("association", _digest(subject, key, obj))))


def _evidence_iri(association: URIRef, item: Evidence) -> URIRef:
    return URIRef(
        expand(
            local_curie(
                "evidence",
                _digest(
                    association,
                    item.document_id,
                    item.sentence_start,
                    item.subject_start,
                    item.object_start,
                    item.trigger,
                ),
            )
        )
    )


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


def _concept_triples(
    curie: str, data: dict[str, Any], *, with_synonyms: bool = True, prefixes: Mapping[str, str] | None = None
) -> Iterator[Triple]:
    def _iri(curie: str) -> URIRef | None:
        return _expanded(curie, prefixes)

    node = _iri(curie)
    if node is None:
        return
    category = data.get("category") or Category.NAMED_THING.value
    yield (node, RDF.type, BL[category.split(":", 1)[1]])
    yield (node, RDFS.label, Literal(data["label"]))
    if with_synonyms:
        for synonym in data.get("synonyms", ()):
            if synonym != data["label"]:
                yield (node, SKOS.altLabel, Literal(synonym))
    for xref in data.get("xrefs", ()):
        target = _iri(xref)
        if target is not None:
            yield (node, SKOS.exactMatch, target)
    for parent in data.get("parents", ()):
        target = _iri(parent)
        if target is not None:
            yield (node, RDFS.subClassOf, target)
    for broader in data.get("broad_match", ()):
        target = _iri(broader)
        if target is not None:
            yield (node, SKOS.broadMatch, target)
            yield (node, RDFS.subClassOf, target)
    if data.get("description"):
        yield (node, DCTERMS.description, Literal(data["description"]))
    if with_synonyms and data.get(
        "xrefs"
    ):  # the vocabulary whose ID names the node (Biolink's id_prefixes order)
        yield (node, KGV.preferredIdSource, Literal(curie.split(":", 1)[0]))
    taxon = _iri(data["taxon"]) if data.get("taxon") else None
    if taxon is not None:
        yield (node, BL.in_taxon, taxon)
    for ortholog in data.get("orthologs", ()):
        target = _iri(ortholog)
        if target is not None:
            yield (node, BL.orthologous_to, target)


def _publication_iris(record: dict[str, Any]) -> tuple[URIRef | None, list[URIRef]]:
    main = _expanded(record["id"])
    others = []
    for curie in (
        f"PMID:{record.get('pmid')}" if record.get("pmid") else "",
        f"PMC:{record.get('pmcid')}" if record.get("pmcid") else "",
        f"doi:{record.get('doi')}" if record.get("doi") else "",
    ):
        iri = _expanded(curie) if curie else None
        if iri is not None and iri != main:
            others.append(iri)
    return main, others


def _ancestors(start: str, parents: Callable[[str], tuple[str, ...]]) -> list[str]:
    found: list[str] = []
    stack = [start]
    while stack:
        for parent in parents(stack.pop()):
            if parent not in found:
                found.append(parent)
                stack.append(parent)
    return found


def iter_biolink_hierarchy(graph: KnowledgeGraph) -> Iterator[Triple]:
    """Biolink's class and predicate hierarchy above what the graph uses: ``rdfs:subClassOf`` between the
    categories (``is_a`` and mixins, up to ``biolink:Entity``) and ``rdfs:subPropertyOf`` between the
    predicates (up to ``biolink:related_to``), so ``?c rdfs:subClassOf* biolink:DiseaseOrPhenotypicFeature``
    and ``?p rdfs:subPropertyOf* biolink:related_to`` work."""
    categories = {data["category"] for _, data in graph.graph.nodes(data=True)}
    categories |= {concept.category for concept in graph.classes.values()}
    categories |= {Category.ASSOCIATION.value, Category.PUBLICATION.value}
    predicates = {data["predicate"] for _, _, data in graph.graph.edges(data=True)}
    pairs: set[tuple[str, str, str]] = set()
    for category in categories:
        for child in [category, *_ancestors(category, get_superclasses)]:
            pairs.update((child, "class", parent) for parent in get_superclasses(child))
    for predicate in predicates:
        for child in [predicate, *_ancestors(predicate, get_superproperties)]:
            pairs.update((child, "property", parent) for parent in get_superproperties(child))
    for child, kind, parent in sorted(pairs):
        relation = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
        yield (BL[child.split(":", 1)[1]], relation, BL[parent.split(":", 1)[1]])


def iter_triples(graph: KnowledgeGraph, *, biolink_hierarchy: bool = True) -> Iterator[Triple]:
    """Every triple of the graph's RDF form (see the module docstring for the model), as rdflib terms;
    with ``biolink_hierarchy``, also Biolink's hierarchy above its categories and predicates."""
    prefixes = graph.prefixes  # those the user's vocabularies declare

    def _iri(curie: str) -> URIRef | None:
        return _expanded(curie, prefixes)

    if biolink_hierarchy:
        yield from iter_biolink_hierarchy(graph)
    for prefix, namespace in sorted(prefixes.items()):  # so a store or a reader gets the CURIEs back
        yield (URIRef(namespace), KGV.prefix, Literal(prefix))
    for curie, data in graph.graph.nodes(data=True):
        yield from _concept_triples(curie, data, prefixes=prefixes)
    for curie, concept in graph.classes.items():
        yield from _concept_triples(
            curie,
            {
                "label": concept.label,
                "category": concept.category,
                "parents": concept.parents,
                "xrefs": (),
                "taxon": concept.taxon,
            },
            with_synonyms=False,
            prefixes=prefixes,
        )

    for record in graph.publications.values():
        paper, others = _publication_iris(record)
        if paper is None:
            continue
        yield (paper, RDF.type, BL.Publication)
        yield (paper, RDFS.label, Literal(record["title"]))
        yield (paper, DCTERMS.title, Literal(record["title"]))
        for other in others:
            yield (paper, SKOS.exactMatch, other)
        if record.get("date"):
            date = record["date"]
            datatype = XSD.date if len(date) == 10 else (XSD.gYearMonth if len(date) == 7 else XSD.gYear)
            yield (paper, DCTERMS.issued, Literal(date, datatype=datatype))
        if record.get("journal"):
            yield (paper, KGV.journal, Literal(record["journal"]))
        if record.get("authors"):
            yield (paper, DCTERMS.creator, Literal(record["authors"]))
        for kind in record.get("publication_types", ()):
            yield (paper, BL.publication_type, Literal(kind))
        if record.get("retracted"):
            yield (paper, KGV.retracted, Literal(True))
        for concept in record.get("mentions", ()):
            target = _iri(concept)
            if target is not None and concept in graph.graph:
                yield (paper, BL.mentions, target)

    for subject, obj, key, data in graph.graph.edges(keys=True, data=True):
        s_iri, o_iri = _iri(subject), _iri(obj)
        if s_iri is None or o_iri is None:
            continue
        predicate = BL[data["predicate"].split(":", 1)[1]]
        if not data["negated"]:
            yield (s_iri, predicate, o_iri)
        association = association_iri(subject, key, obj)
        yield (association, RDF.type, BL.Association)
        yield (association, RDF.subject, s_iri)
        yield (association, RDF.predicate, predicate)
        yield (association, RDF.object, o_iri)
        yield (
            association,
            RDFS.label,
            Literal(
                f"{graph.graph.nodes[subject]['label']} {'NOT ' if data['negated'] else ''}"
                f"{data['predicate'].split(':', 1)[1].replace('_', ' ')} {graph.graph.nodes[obj]['label']}"
            ),
        )
        for name, value in data["qualifiers"]:
            term = BL[name.split(":", 1)[1]]
            yield (
                association,
                term,
                BL[value.split(":", 1)[1]] if value.startswith("biolink:") else Literal(value),
            )
        yield (association, BL.negated, Literal(bool(data["negated"])))
        yield (association, BL.has_confidence_score, _decimal(data["confidence"]))
        yield (association, BL.evidence_count, Literal(len(data["evidence"])))
        yield (association, KGV.paperCount, Literal(data["papers"]))
        yield (association, BL.knowledge_level, Literal(KnowledgeLevel.KNOWLEDGE_ASSERTION.value))
        yield (association, BL.agent_type, Literal(AgentType.TEXT_MINING_AGENT.value))
        for document in data["documents"]:
            paper = _iri(document)
            if paper is not None:
                yield (association, BL.publications, paper)
        for item in data["evidence"]:
            evidence = _evidence_iri(association, item)
            yield (association, BL.has_evidence, evidence)
            yield (evidence, RDF.type, BL.TextMiningStudyResult)
            yield (evidence, BL.supporting_text, Literal(item.sentence))
            yield (evidence, KGV.sentenceStart, Literal(item.sentence_start))
            yield (evidence, KGV.subjectText, Literal(item.subject_text))
            yield (evidence, KGV.subjectStart, Literal(item.subject_start))
            yield (evidence, KGV.subjectEnd, Literal(item.subject_end))
            yield (evidence, KGV.objectText, Literal(item.object_text))
            yield (evidence, KGV.objectStart, Literal(item.object_start))
            yield (evidence, KGV.objectEnd, Literal(item.object_end))
            yield (evidence, BL.subject_location_in_text, Literal(item.subject_start))
            yield (evidence, BL.subject_location_in_text, Literal(item.subject_end))
            yield (evidence, BL.object_location_in_text, Literal(item.object_start))
            yield (evidence, BL.object_location_in_text, Literal(item.object_end))
            yield (evidence, BL.extraction_confidence_score, _decimal(item.score))
            yield (evidence, KGV.trigger, Literal(item.trigger))
            yield (evidence, KGV.method, Literal(item.method))
            yield (evidence, BL.negated, Literal(item.negated))
            yield (evidence, KGV.hedged, Literal(item.hedged))
            if item.passage:
                yield (evidence, BL.supporting_text_section_type, Literal(item.passage))
            if item.retracted:
                yield (evidence, KGV.retracted, Literal(True))
            paper = _iri(item.document_id)
            if paper is not None:
                yield (evidence, BL.publications, paper)


def to_rdflib(graph: KnowledgeGraph, *, biolink_hierarchy: bool = True) -> Graph:
    """The graph as an rdflib ``Graph``, with its prefixes bound."""
    rdf = Graph()
    curies = set(graph.graph.nodes) | set(graph.classes) | set(graph.publications)
    for _, data in graph.graph.nodes(data=True):
        curies.update(data["xrefs"])
    _bind_prefixes(rdf, curies)
    for prefix, namespace in sorted(graph.prefixes.items()):
        rdf.bind(prefix, Namespace(namespace))
    for triple in iter_triples(graph, biolink_hierarchy=biolink_hierarchy):
        rdf.add(triple)
    return rdf


def _to_oxigraph(term):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term))


def iter_oxigraph_triples(graph: KnowledgeGraph, *, biolink_hierarchy: bool = True):
    """The graph's triples as pyoxigraph terms (the fast path into a store and to N-Triples)."""
    import pyoxigraph as ox

    for subject, predicate, obj in iter_triples(graph, biolink_hierarchy=biolink_hierarchy):
        yield ox.Triple(_to_oxigraph(subject), _to_oxigraph(predicate), _to_oxigraph(obj))


def serialize(
    graph: KnowledgeGraph, format: RdfFormat | str = RdfFormat.TURTLE, *, biolink_hierarchy: bool = True
) -> bytes:
    """The graph serialised as Turtle, N-Triples or JSON-LD; N-Triples lines are sorted (byte-stable)."""
    format = RdfFormat(format)
    if format is RdfFormat.N_TRIPLES:
        import pyoxigraph as ox

        text = (
            ox.serialize(
                iter_oxigraph_triples(graph, biolink_hierarchy=biolink_hierarchy),
                format=ox.RdfFormat.N_TRIPLES,
            )
            or b""
        ).decode("utf-8")
        # split on "\n" only: str.splitlines() would also split inside literals holding U+2028 and friends
        lines = sorted(set(line for line in text.split("\n") if line))
        return ("\n".join(lines) + "\n").encode("utf-8")
    rdf = to_rdflib(graph, biolink_hierarchy=biolink_hierarchy)
    if format is RdfFormat.JSON_LD:
        return _canonical_json(rdf.serialize(format="json-ld", encoding="utf-8", sort_keys=True, indent=1))
    return rdf.serialize(format="turtle", encoding="utf-8")


def _canonical_json(data: bytes) -> bytes:
    """JSON-LD with every array in a fixed order: rdflib writes nodes and values in its store's set order,
    which changes from run to run (RDF values are unordered; kg writes no RDF lists)."""

    def ordered(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ordered(v) for k, v in value.items()}
        if isinstance(value, list):
            items = [ordered(v) for v in value]
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
        return value

    text = json.dumps(ordered(json.loads(data)), sort_keys=True, indent=1, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def write_rdf(
    graph: KnowledgeGraph,
    path: str | Path,
    format: RdfFormat | str = RdfFormat.TURTLE,
    *,
    biolink_hierarchy: bool = True,
) -> Path:
    """Write the graph as RDF atomically."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(serialize(graph, format, biolink_hierarchy=biolink_hierarchy))
    return Path(path)
