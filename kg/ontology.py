"""Ontology files next to the graph: an OBO, OWL or Turtle ontology loaded into a store, joinable by IRI.

`kg`'s IRIs for ontology concepts are the ones the ontology files use (MONDO, HP, CHEBI, DOID... as OBO
PURLs, ``http://purl.obolibrary.org/obo/MONDO_0004980``), so an ontology loaded beside a graph joins it
with no mapping: a query can climb the ontology's own axioms from `kg`'s nodes. Each ontology goes into a
named graph of its own (``https://w3id.org/kg-biomed/ontology/NAME``), replaced when it is loaded again;
queries see every graph at once.

OBO files are read with **pronto** (a maintained OBO 1.4 parser over the fastobo Rust crate: strict about
the syntax, fast, and reading OBO that real ontologies publish) and written as the OBO-to-OWL mapping does
for the parts queries use: ``owl:Class``, ``rdfs:label``, synonyms (``oboInOwl:hasExactSynonym``,
``…RelatedSynonym``...), ``oboInOwl:hasDbXref``, definitions (``IAO:0000115``), ``rdfs:subClassOf``.
RDF files (.owl/.rdf RDF/XML, .ttl, .nt, .jsonld) are loaded as they are, blank nodes included.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import IdentifierError, InputError
from kg.identifiers import LOCAL_NAMESPACE, expand

__all__ = ["ONTOLOGY_GRAPH", "is_ontology_file", "ontology_graph", "read_ontology"]

ONTOLOGY_GRAPH = LOCAL_NAMESPACE + "ontology/"
OBO = "http://purl.obolibrary.org/obo/"
OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_OWL_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
_DEFINITION = ox.NamedNode(OBO + "IAO_0000115")
_XREF = ox.NamedNode(OBO_IN_OWL + "hasDbXref")
_SYNONYMS = {
    "EXACT": ox.NamedNode(OBO_IN_OWL + "hasExactSynonym"),
    "RELATED": ox.NamedNode(OBO_IN_OWL + "hasRelatedSynonym"),
    "BROAD": ox.NamedNode(OBO_IN_OWL + "hasBroadSynonym"),
    "NARROW": ox.NamedNode(OBO_IN_OWL + "hasNarrowSynonym"),
}
_RDF_SUFFIXES = {
    ".owl": ox.RdfFormat.RDF_XML,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
_OBO_ID = re.compile(r"^([A-Za-z][A-Za-z0-9_]*):([A-Za-z0-9_.-]+)$")


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    return suffixes[-1] if suffixes else ""


def is_ontology_file(path: Path) -> bool:
    """Whether a file is an ontology (OBO or OWL, or RDF that `kg` did not write) rather than a `kg` graph."""
    suffix = _suffix(path)
    if suffix in (".obo", ".owl", ".rdf"):
        return True
    if suffix not in _RDF_SUFFIXES:
        return False
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        head = handle.read(1 << 20)
    return LOCAL_NAMESPACE.encode() not in head  # kg's graphs always hold its own associations' IRIs


def ontology_graph(path: Path) -> ox.NamedNode:
    """The named graph an ontology file is loaded into (by its file name)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", path.name.split(".")[0]) or "ontology"
    return ox.NamedNode(ONTOLOGY_GRAPH + name)


def _iri(curie: str) -> ox.NamedNode | None:
    """The IRI of an ontology ID: kg's converter for the prefixes it knows, else the OBO PURL."""
    try:
        return ox.NamedNode(expand(curie))
    except IdentifierError:
        match = _OBO_ID.match(curie)
        return ox.NamedNode(f"{OBO}{match.group(1)}_{match.group(2)}") if match else None


def _obo_quads(path: Path, graph: ox.NamedNode) -> Iterator[ox.Quad]:
    import pronto

    try:
        ontology = pronto.Ontology(str(path))
    except (SyntaxError, ValueError) as error:  # fastobo reports malformed OBO as SyntaxError
        raise InputError(f"{path}: not valid OBO ({str(error).splitlines()[0][:200]})") from None
    for term in ontology.terms():
        node = _iri(term.id)
        if node is None:
            continue
        yield ox.Quad(node, _RDF_TYPE, _OWL_CLASS, graph)
        if term.name:
            yield ox.Quad(node, _LABEL, ox.Literal(term.name), graph)
        if term.definition:
            yield ox.Quad(node, _DEFINITION, ox.Literal(str(term.definition)), graph)
        for synonym in sorted(term.synonyms, key=lambda s: (s.scope or "", s.description)):
            predicate = _SYNONYMS.get(synonym.scope or "RELATED", _SYNONYMS["RELATED"])
            yield ox.Quad(node, predicate, ox.Literal(synonym.description), graph)
        for xref in sorted(term.xrefs, key=lambda x: x.id):
            yield ox.Quad(node, _XREF, ox.Literal(xref.id), graph)
        for parent in sorted(term.superclasses(distance=1, with_self=False), key=lambda p: p.id):
            target = _iri(parent.id)
            if target is not None:
                yield ox.Quad(node, _SUBCLASS, target, graph)


def read_ontology(path: str | Path) -> tuple[ox.NamedNode, list[ox.Quad]]:
    """The named graph and quads of an ontology file (OBO, OWL/RDF-XML, Turtle, N-Triples, JSON-LD)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    graph = ontology_graph(path)
    if _suffix(path) == ".obo":
        return graph, list(_obo_quads(path, graph))
    suffix = _suffix(path)
    if suffix not in _RDF_SUFFIXES:
        raise InputError(f"{path}: not an ontology file kg reads (.obo, .owl, .rdf, .ttl, .nt, .jsonld)")
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        parsed = ox.parse(data, format=_RDF_SUFFIXES[suffix], rename_blank_nodes=True)
        return graph, [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed]
    except (SyntaxError, ValueError) as error:
        raise InputError(f"{path}: not valid RDF ({error})") from None
