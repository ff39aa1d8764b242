"""kg serve: the example queries over HTTP (SPARQL 1.1 protocol, SPARQLWrapper), read-only, localhost."""

import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import ROOT, free_port

KG = [sys.executable, "-m", "kg.cli"]


@pytest.fixture(scope="module")
def endpoint(seed_output):
    port = free_port()
    process = subprocess.Popen(
        [*KG, "serve", str(seed_output / "graph.ttl"), "--port", str(port), "--timeout", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "?query=" + urllib.parse.quote("ASK {}"), timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    else:
        process.terminate()
        pytest.fail("kg serve did not start: " + process.stderr.read())
    yield url
    process.terminate()
    process.wait(timeout=10)


def _select(url: str, query: str) -> list[dict[str, str]]:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    results = client.query().convert()
    return [{k: v["value"] for k, v in row.items()} for row in results["results"]["bindings"]]


def test_the_endpoint_answers_every_example_query(endpoint):
    chain = _select(endpoint, (ROOT / "queries" / "seed_chain.rq").read_text())
    assert {
        ("Dupilumab", "IL4", "atopic eczema", "acquired reactive perforating collagenosis"),
        ("Dupilumab", "IL13", "atopic eczema", "acquired reactive perforating collagenosis"),
    } <= {(r["drug_label"], r["gene_label"], r["disease_label"], r["associated_label"]) for r in chain}
    evidence = _select(endpoint, (ROOT / "queries" / "edge_evidence.rq").read_text())
    assert any("monoclonal antibody inhibiting IL-4" in r["sentence"] for r in evidence)
    skin = _select(endpoint, (ROOT / "queries" / "drugs_for_skin_diseases.rq").read_text())
    assert {r["disease_label"] for r in skin} >= {
        "atopic eczema",
        "acquired reactive perforating collagenosis",
    }
    genes = _select(endpoint, (ROOT / "queries" / "genes_via_drugs.rq").read_text())
    assert ("atopic eczema", "IL4", "Dupilumab") in {
        (r["disease_label"], r["gene_label"], r["drugs"]) for r in genes
    }
    any_species = _select(endpoint, (ROOT / "queries" / "drugs_for_genes_any_species.rq").read_text())
    assert ("IL4", "Dupilumab", "Homo sapiens") in {
        (r["human_gene_label"], r["drug_label"], r.get("species")) for r in any_species
    }


def test_updates_are_refused(endpoint):
    data = urllib.parse.urlencode({"update": "INSERT DATA { <http://a> <http://b> <http://c> }"}).encode()
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(endpoint.replace("/query", "/update"), data=data, timeout=5)
    assert error.value.code in (403, 404, 405)
    assert _select(endpoint, "SELECT * WHERE { <http://a> ?p ?o }") == []
