"""RDF export: valid for an independent parser, round-trips, deterministic, no blank nodes, escaped."""

import subprocess

import pytest
from rdflib import RDF, BNode, Graph
from rdflib.compare import isomorphic

from conftest import SEED, requires
from kg.pipeline import build_graph
from kg.rdf import serialize, to_rdflib, write_rdf


@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_every_format_round_trips(seed_graph, fmt, parser):
    original = to_rdflib(seed_graph)
    parsed = Graph().parse(data=serialize(seed_graph, fmt), format=parser)
    assert len(parsed) == len(original) > 500
    assert isomorphic(parsed, original)


def test_no_blank_nodes(seed_graph):
    rdf = to_rdflib(seed_graph)
    assert not any(isinstance(term, BNode) for triple in rdf for term in triple)


def test_two_builds_are_byte_identical(seed_graph, extractor):
    again = build_graph([SEED], extractor=extractor)
    for fmt in ("ttl", "nt", "jsonld"):
        assert serialize(seed_graph, fmt) == serialize(again, fmt)


def test_builds_in_processes_with_other_hash_seeds_are_byte_identical(tmp_path):
    """Set and dict orders that depend on Python's string hashing never reach an output file."""
    import os
    import sys

    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / seed
        subprocess.run(
            [sys.executable, "-m", "kg", "build", str(SEED), "-o", str(target), "--rdf", "ttl,nt,jsonld"],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(target.iterdir())})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) == 10
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name


def test_rapper_accepts_the_turtle(seed_output):
    rapper = requires("rapper")
    result = subprocess.run(
        [rapper, "-i", "turtle", "-c", str(seed_output / "graph.ttl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "returned" in result.stderr and "triples" in result.stderr


def test_negated_claims_never_become_direct_triples(lexicon):
    from kg.graph import KnowledgeGraph
    from kg.records import Concept, Evidence, Relation

    graph = KnowledgeGraph()
    graph.add_concept(Concept("CHEBI:1", "A", "biolink:ChemicalEntity"))
    graph.add_concept(Concept("MONDO:0000002", "B", "biolink:Disease"))
    evidence = Evidence(
        "PMID:1", "A did not treat B.", 0, "A", 0, 1, "B", 16, 17, "m", 0.6, "treat", negated=True
    )
    graph.add_relation(Relation("CHEBI:1", "biolink:treats", "MONDO:0000002", evidence))
    text = serialize(graph, "nt").decode()
    assert "<http://purl.obolibrary.org/obo/CHEBI_1> <https://w3id.org/biolink/vocab/treats>" not in text
    assert '<https://w3id.org/biolink/vocab/negated> "true"' in text


def test_text_from_papers_is_escaped_in_literals():
    from kg.graph import KnowledgeGraph
    from kg.records import Concept, Evidence, Relation

    graph = KnowledgeGraph()
    nasty = 'A "quoted"\nline\twith <script>alert(1)</script> \\ and \u2028'
    graph.add_concept(Concept("CHEBI:1", nasty, "biolink:ChemicalEntity"))
    graph.add_concept(Concept("MONDO:0000002", "B", "biolink:Disease"))
    graph.add_relation(
        Relation(
            "CHEBI:1",
            "biolink:treats",
            "MONDO:0000002",
            Evidence("PMID:1", nasty, 0, "A", 0, 1, "B", 2, 3, "m", 0.5, "treat"),
        )
    )
    for fmt, parser in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        parsed = Graph().parse(data=serialize(graph, fmt), format=parser)
        assert any(str(o) == nasty for _, _, o in parsed), fmt


def test_a_graph_reads_back_from_its_turtle_unchanged(seed_graph, seed_output):
    from kg.rdf_read import read_graph

    again = read_graph(seed_output / "graph.ttl")
    assert serialize(again, "nt") == serialize(seed_graph, "nt")
    assert sorted(again.graph.nodes) == sorted(seed_graph.graph.nodes)
    assert set(again.classes) == set(seed_graph.classes)


def test_genes_say_their_species_and_orthology_in_rdf(rat_graph):
    from rdflib import URIRef

    from kg.identifiers import expand

    rdf = to_rdflib(rat_graph)
    biolink = "https://w3id.org/biolink/vocab/"
    rat_dmd, human_dmd = URIRef(expand("NCBIGene:24907")), URIRef(expand("NCBIGene:1756"))
    assert (rat_dmd, URIRef(biolink + "in_taxon"), URIRef(expand("NCBITaxon:10116"))) in rdf
    assert (rat_dmd, URIRef(biolink + "orthologous_to"), human_dmd) in rdf
    assert (human_dmd, URIRef(biolink + "in_taxon"), URIRef(expand("NCBITaxon:9606"))) in rdf
    assert (human_dmd, RDF.type, URIRef(biolink + "Gene")) in rdf  # typed and labelled, though unmentioned
    assert (
        URIRef(expand("PMID:18808529")),
        URIRef(biolink + "mentions"),
        URIRef(expand("NCBITaxon:10116")),
    ) in rdf


def test_species_and_orthologs_read_back_from_the_turtle(rat_graph, tmp_path):
    from kg.rdf_read import read_graph

    path = write_rdf(rat_graph, tmp_path / "graph.ttl")
    node = read_graph(path).graph.nodes["NCBIGene:24907"]
    assert (node["taxon"], node["orthologs"]) == ("NCBITaxon:10116", ["NCBIGene:1756"])
