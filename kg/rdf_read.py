"""Read a graph back from kg's RDF (a Turtle/N-Triples/JSON-LD file or a store) into a KnowledgeGraph.

The inverse of :func:`kg.rdf.iter_triples`: concepts (typed with a Biolink category and mentioned by a
paper or part of a statement) become nodes, the other typed classes become hierarchy classes, association
resources become edges with their evidence, publications come back with their metadata. Used by
``kg view`` to draw a graph someone built earlier, and to merge graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.biolink import BIOLINK
from kg.errors import InputError
from kg.graph import KnowledgeGraph
from kg.identifiers import LOCAL_NAMESPACE, compress
from kg.records import Concept, Evidence, Relation

__all__ = ["graph_from_store", "read_graph"]

_KGV = LOCAL_NAMESPACE + "vocab/"
_NOT_CONCEPTS = {"Association", "TextMiningStudyResult", "Publication"}


def _rows(store: ox.Store, query: str) -> Iterator[dict[str, Any]]:
    prefixes = {
        "biolink": BIOLINK,
        "kgv": _KGV,
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
    }
    results = store.query(query, prefixes=prefixes)
    assert isinstance(results, ox.QuerySolutions)
    names = [v.value for v in results.variables]
    for solution in results:
        yield {name: (solution[name].value if solution[name] is not None else None) for name in names}


def graph_from_store(store: ox.Store) -> KnowledgeGraph:
    """A KnowledgeGraph from a store holding kg's RDF (with the prefixes user vocabularies declared)."""
    graph = KnowledgeGraph()
    for row in _rows(store, "SELECT ?namespace ?prefix WHERE { ?namespace kgv:prefix ?prefix }"):
        graph.prefixes[row["prefix"]] = row["namespace"]
    declared = sorted(graph.prefixes.items(), key=lambda item: -len(item[1]))

    def _curie(value: str) -> str:
        for prefix, namespace in declared:
            if value.startswith(namespace) and len(value) > len(namespace):
                return f"{prefix}:{value[len(namespace) :]}"
        return compress(value) or value

    labels: dict[str, str] = {}
    categories: dict[str, str] = {}
    for row in _rows(
        store,
        "SELECT ?s ?type ?label WHERE { ?s a ?type . OPTIONAL { ?s rdfs:label ?label } "
        "FILTER(STRSTARTS(STR(?type), STR(biolink:))) }",
    ):
        name = row["type"][len(BIOLINK) :]
        if name in _NOT_CONCEPTS:
            continue
        curie = _curie(row["s"])
        categories[curie] = "biolink:" + name
        labels[curie] = row["label"] or curie
    related: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in _rows(
        store,
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o . VALUES ?p { skos:altLabel skos:exactMatch "
        "rdfs:subClassOf skos:broadMatch dcterms:description biolink:in_taxon biolink:orthologous_to } }",
    ):
        curie = _curie(row["s"])
        if curie in categories:
            value = row["o"] if row["p"].endswith(("altLabel", "description")) else _curie(row["o"])
            related[curie][row["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]].append(value)

    publications: dict[str, dict] = {}
    for row in _rows(
        store,
        "SELECT ?p ?title ?date ?journal ?authors WHERE { ?p a biolink:Publication . "
        "OPTIONAL { ?p dcterms:title ?title } OPTIONAL { ?p dcterms:issued ?date } "
        "OPTIONAL { ?p kgv:journal ?journal } OPTIONAL { ?p dcterms:creator ?authors } }",
    ):
        curie = _curie(row["p"])
        record: dict[str, Any] = {
            "id": curie,
            "title": row["title"] or "",
            "date": row["date"] or "",
            "journal": row["journal"] or "",
            "authors": row["authors"] or "",
            "doi": "",
            "pmid": "",
            "pmcid": "",
            "source": "",
            "mentions": [],
        }
        prefix, local = curie.split(":", 1) if ":" in curie else ("", curie)
        record.update(
            {"PMID": {"pmid": local}, "PMC": {"pmcid": "PMC" + local}, "doi": {"doi": local}}.get(prefix, {})
        )
        publications[curie] = record
    for row in _rows(store, "SELECT ?p ?same WHERE { ?p a biolink:Publication ; skos:exactMatch ?same }"):
        same = _curie(row["same"])
        prefix, local = same.split(":", 1) if ":" in same else ("", same)
        publications[_curie(row["p"])].update(
            {"PMID": {"pmid": local}, "PMC": {"pmcid": "PMC" + local}, "doi": {"doi": local}}.get(prefix, {})
        )
    for row in _rows(
        store, "SELECT ?p ?type WHERE { ?p a biolink:Publication ; biolink:publication_type ?type }"
    ):
        publications[_curie(row["p"])].setdefault("publication_types", []).append(row["type"])
    for row in _rows(store, "SELECT ?p WHERE { ?p a biolink:Publication ; kgv:retracted true }"):
        publications[_curie(row["p"])]["retracted"] = True
    for record in publications.values():
        record["publication_types"] = sorted(record.get("publication_types", []))
        record.setdefault("retracted", False)
    mentioned: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, "SELECT ?p ?c WHERE { ?p biolink:mentions ?c }"):
        paper, concept = _curie(row["p"]), _curie(row["c"])
        mentioned[concept].add(paper)
        if paper in publications:
            publications[paper]["mentions"].append(concept)

    associations: dict[str, dict] = {}
    for row in _rows(
        store,
        "SELECT ?a ?s ?p ?o ?negated WHERE { ?a a biolink:Association ; rdf:subject ?s ; "
        "rdf:predicate ?p ; rdf:object ?o . OPTIONAL { ?a biolink:negated ?negated } }",
    ):
        associations[row["a"]] = {
            "s": _curie(row["s"]),
            "p": _curie(row["p"]),
            "o": _curie(row["o"]),
            "negated": row["negated"] == "true",
            "qualifiers": [],
        }
    for row in _rows(
        store,
        "SELECT ?a ?q ?v WHERE { ?a a biolink:Association ; ?q ?v . VALUES ?q { "
        "biolink:qualified_predicate biolink:object_aspect_qualifier "
        "biolink:object_direction_qualifier } }",
    ):
        value = "biolink:" + row["v"][len(BIOLINK) :] if row["v"].startswith(BIOLINK) else row["v"]
        associations[row["a"]]["qualifiers"].append(("biolink:" + row["q"][len(BIOLINK) :], value))

    in_statements = {a["s"] for a in associations.values()} | {a["o"] for a in associations.values()}
    for curie, category in categories.items():
        data = related.get(curie, {})
        broad_match = tuple(sorted(data.get("broadMatch", ())))
        node = Concept(
            curie,
            labels[curie],
            category,
            xrefs=tuple(sorted(data.get("exactMatch", ()))),
            synonyms=tuple(sorted(data.get("altLabel", ()))),
            parents=tuple(sorted(set(data.get("subClassOf", ())) - set(broad_match))),
            broad_match=broad_match,
            description=(data.get("description") or [""])[0],
            taxon=(data.get("in_taxon") or [""])[0],
            orthologs=tuple(sorted(data.get("orthologous_to", ()))),
        )
        if curie in mentioned or curie in in_statements:
            papers = mentioned.get(curie, ())
            graph.add_concept(node, mentions=len(papers), documents=papers)
        else:
            graph.classes[curie] = node

    query = (
        "SELECT ?a ?e ?sentence ?sentenceStart ?subjectText ?subjectStart ?subjectEnd ?objectText ?objectStart "
        "?objectEnd ?method ?score ?trigger ?negated ?hedged ?section ?paper ?retracted WHERE { "
        "?a biolink:has_evidence ?e . "
        "?e biolink:supporting_text ?sentence ; kgv:sentenceStart ?sentenceStart ; kgv:subjectText ?subjectText ; "
        "kgv:subjectStart ?subjectStart ; kgv:subjectEnd ?subjectEnd ; kgv:objectText ?objectText ; "
        "kgv:objectStart ?objectStart ; kgv:objectEnd ?objectEnd ; kgv:method ?method ; "
        "biolink:extraction_confidence_score ?score ; kgv:trigger ?trigger ; biolink:negated ?negated ; "
        "kgv:hedged ?hedged ; biolink:publications ?paper . "
        "OPTIONAL { ?e biolink:supporting_text_section_type ?section } OPTIONAL { ?e kgv:retracted ?retracted } }"
    )
    nodes = graph.graph  # membership only: read once, not refreshed per row
    for row in _rows(store, query):
        association = associations.get(row["a"])
        if association is None or association["s"] not in nodes or association["o"] not in nodes:
            continue
        evidence = Evidence(
            _curie(row["paper"]),
            row["sentence"],
            int(row["sentenceStart"]),
            row["subjectText"],
            int(row["subjectStart"]),
            int(row["subjectEnd"]),
            row["objectText"],
            int(row["objectStart"]),
            int(row["objectEnd"]),
            row["method"],
            float(row["score"]),
            row["trigger"],
            row["negated"] == "true",
            row["hedged"] == "true",
            row["section"] or "",
            row["retracted"] == "true",
        )
        graph.add_relation(
            Relation(
                association["s"],
                association["p"],
                association["o"],
                evidence,
                tuple(sorted(association["qualifiers"])),
            )
        )
    graph.publications = publications
    return graph


def read_graph(path: str | Path) -> KnowledgeGraph:
    """A KnowledgeGraph from a graph file kg wrote, a `kg build` output folder or a store."""
    from kg.sparql import Store, is_store

    path = Path(path)
    if is_store(path):
        return graph_from_store(Store(path, read_only=True).store)
    if path.is_dir():
        candidates = sorted(path.glob("*.ttl")) or sorted(path.glob("*.nt"))
        if not candidates:
            raise InputError(f"{path}: no .ttl or .nt graph in this folder (run `kg build` first)")
        path = candidates[0]
    return graph_from_store(Store.from_files([path]).store)
