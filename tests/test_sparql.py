"""SPARQL over the seed graph: the example queries return the expected rows (Python API and CLI)."""

import subprocess
import sys

from conftest import ROOT
from kg.sparql import Store, query_graph


def _kg_query(graph, query_file, fmt: str) -> subprocess.CompletedProcess:
    """``kg query GRAPH --file Q --format FMT`` as a user runs it."""
    command = [
        sys.executable,
        "-m",
        "kg.cli",
        "query",
        str(graph),
        "--file",
        str(query_file),
        "--format",
        fmt,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True)


CHAIN = (ROOT / "queries" / "seed_chain.rq").read_text()
EVIDENCE = (ROOT / "queries" / "seed_chain_evidence.rq").read_text()
ARPC = "acquired reactive perforating collagenosis"


def test_the_seed_chain_query_finds_dupilumab_il4_il13_atopic_dermatitis_and_the_collagenosis(seed_graph):
    rows = query_graph(seed_graph, CHAIN)
    chains = set(
        zip(rows.drug_label, rows.gene_label, rows.disease_label, rows.associated_label, strict=True)
    )
    assert ("Dupilumab", "IL4", "atopic eczema", ARPC) in chains
    assert ("Dupilumab", "IL13", "atopic eczema", ARPC) in chains
    assert set(rows[rows.gene_label == "IL4"].gene) == {"http://identifiers.org/ncbigene/3565"}


def test_each_hop_of_the_chain_has_an_abstract_sentence_readable_with_sparql(seed_graph):
    rows = query_graph(seed_graph, EVIDENCE)
    abstract = rows[rows.section == "abstract"]
    hops = set(zip(abstract.subject_label, abstract.object_label, strict=True))
    assert {
        ("Dupilumab", "IL4"),
        ("Dupilumab", "IL13"),
        ("IL4", "atopic eczema"),
        ("IL13", "atopic eczema"),
    } <= hops
    assert ("atopic eczema", ARPC) in hops or (ARPC, "atopic eczema") in hops
    inhibition = abstract[(abstract.subject_label == "Dupilumab") & (abstract.object_label == "IL4")]
    assert inhibition.sentence.str.contains("monoclonal antibody inhibiting IL-4 and IL-13").all()


def test_subclass_closure_finds_drugs_for_skin_diseases(seed_graph):
    rows = query_graph(seed_graph, (ROOT / "queries" / "drugs_for_skin_diseases.rq").read_text())
    assert {"atopic eczema", ARPC} <= set(rows.disease_label)
    assert set(rows.drug_label) == {"Dupilumab"}


def test_queries_may_use_the_usual_prefixes_undeclared(seed_graph):
    rows = query_graph(seed_graph, "SELECT ?label WHERE { MONDO:0004980 rdfs:label ?label }")
    assert list(rows.label) == ["atopic eczema"]
    ask = query_graph(seed_graph, "ASK { MONDO:0004980 skos:exactMatch MESH:D003876 }")
    assert bool(ask.result[0])


def test_the_cli_runs_the_chain_query_on_the_turtle_file(seed_output):
    result = _kg_query(seed_output / "graph.ttl", ROOT / "queries" / "seed_chain.rq", "csv")
    assert "Dupilumab,IL4,atopic eczema,acquired reactive perforating collagenosis" in result.stdout


def test_a_store_loads_turtle_files(seed_output):
    store = Store.from_files([seed_output / "graph.ttl"])
    assert len(store) > 500
    assert len(store.query("SELECT * WHERE { ?s a biolink:Gene }")) >= 2


def test_every_example_query_runs_through_the_cli_and_the_api(seed_graph, seed_output):
    import json

    for query in sorted((ROOT / "queries").glob("*.rq")):
        rows = query_graph(seed_graph, query.read_text())
        assert len(rows) > 0, query.name
        result = _kg_query(seed_output / "graph.ttl", query, "json")
        assert len(json.loads(result.stdout)) == len(rows), query.name  # one JSON object per row


def test_drugs_for_genes_in_any_species_go_through_orthology(rat_graph, tmp_path):
    from kg.rdf import write_rdf

    query = (ROOT / "queries" / "drugs_for_genes_any_species.rq").read_text()
    rows = query_graph(rat_graph, query)
    found = set(zip(rows.human_gene_label, rows.drug_label, rows.gene_label, rows.species, strict=True))
    # dupilumab acts on human IL4 itself; isoproterenol on rat Dmd, which stands for human DMD
    assert ("IL4", "Dupilumab", "IL4", "Homo sapiens") in found
    assert ("DMD", "Isoprenaline", "Dmd", "Rattus norvegicus") in found
    path = write_rdf(rat_graph, tmp_path / "graph.ttl")
    result = _kg_query(path, ROOT / "queries" / "drugs_for_genes_any_species.rq", "csv")
    assert "DMD,Isoprenaline,Dmd,Rattus norvegicus" in result.stdout
