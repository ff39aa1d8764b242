"""Ontologies beside the graph, and Biolink's hierarchy in it: queries that climb them, through kg query,
the Python API and HTTP (a real OBO excerpt of MONDO, tests/fixtures/mondo_skin_excerpt.obo, made by
scripts/make-ontology-excerpt)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, ROOT, free_port
from kg.errors import InputError
from kg.ontology import is_ontology_file, read_ontology
from kg.sparql import Store

EXCERPT = FIXTURES / "mondo_skin_excerpt.obo"
JOIN = ROOT / "queries" / "with-ontology" / "drugs_for_skin_diseases_icd9.rq"
KG = [sys.executable, "-m", "kg"]


@pytest.fixture(scope="module")
def store(seed_output, tmp_path_factory):
    location = tmp_path_factory.mktemp("ontology") / "store"
    result = subprocess.run(
        [*KG, "load", str(location), str(seed_output / "graph.ttl"), str(EXCERPT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "ontology triples" in result.stderr
    return location


def test_the_obo_excerpt_is_read_as_owl_classes_with_mondo_purls():
    graph, quads = read_ontology(EXCERPT)
    eczema = ox.NamedNode("http://purl.obolibrary.org/obo/MONDO_0004980")
    mine = [q for q in quads if q.subject == eczema]
    assert {q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for q in mine} >= {
        ["rdf-syntax-ns", "type"][-1],
        "label",
        "hasRelatedSynonym",
        "hasDbXref",
        "subClassOf",
    }
    assert all(q.graph_name == graph for q in quads)
    assert is_ontology_file(EXCERPT)


def test_the_join_query_climbs_the_ontologys_axioms_from_kgs_edges(store):
    rows = Store(store, read_only=True).query(JOIN.read_text(), compact=True)
    assert {(r.drug_label, r.disease_label) for r in rows.itertuples()} == {("Dupilumab", "atopic eczema")}
    assert set(rows.code) == {"ICD9:691", "ICD9:691.8"}


def test_the_join_query_through_the_command_line(store):
    result = subprocess.run(
        [*KG, "query", str(store), "--file", str(JOIN), "-f", "tsv"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("drug_label\tdisease_label\tcode") and len(lines) == 3


def test_the_join_query_over_http(store):
    port = free_port()
    server = subprocess.Popen(
        [*KG, "serve", str(store), "--port", str(port)], stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/query"
        for _ in range(300):
            try:
                request = urllib.request.Request(
                    url + "?query=" + urllib.parse.quote(JOIN.read_text()), headers={"Accept": "text/csv"}
                )
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "Dupilumab,atopic eczema,ICD9:691" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_ontology_in_turtle_loads_the_same_way(tmp_path, seed_output):
    _, quads = read_ontology(EXCERPT)
    turtle = tmp_path / "mondo-excerpt.ttl"
    turtle.write_bytes(
        ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.TURTLE)
    )
    assert is_ontology_file(turtle) and not is_ontology_file(seed_output / "graph.ttl")
    store = Store(tmp_path / "store")
    store.merge_file(seed_output / "graph.ttl")
    assert store.load_ontology(turtle) == len(quads)
    assert store.load_ontology(turtle) == len(quads)  # loading again replaces, never duplicates
    assert len(store.query(JOIN.read_text())) == 2


def test_a_malformed_obo_file_ends_in_one_line(tmp_path):
    bad = tmp_path / "bad.obo"
    bad.write_text("format-version: 1.2\n\n[Term]\nid MONDO:1\nname: broken\n")
    with pytest.raises(InputError, match=r"bad\.obo: not valid OBO"):
        read_ontology(bad)
    result = subprocess.run([*KG, "load", str(tmp_path / "store"), str(bad)], capture_output=True, text=True)
    assert result.returncode == 2 and "not valid OBO" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ASK { biolink:treats rdfs:subPropertyOf* biolink:related_to }", True),
        ("ASK { biolink:Disease rdfs:subClassOf* biolink:DiseaseOrPhenotypicFeature }", True),
        ("ASK { biolink:Gene rdfs:subClassOf* biolink:DiseaseOrPhenotypicFeature }", False),
    ],
)
def test_biolinks_hierarchy_is_in_the_turtle(seed_output, query, expected):
    store = Store.from_files([seed_output / "graph.ttl"])
    assert bool(store.query(query).result[0]) is expected
