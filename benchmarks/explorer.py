"""The served explorer on a big store: time of one expansion (a node's neighbourhood, as the page asks it)
against reading every edge (what a page holding the whole graph would need), side by side.

Builds the test store of tests/test_explorer_browser.py (the seed graph plus 25,000 synthetic concepts and
120,000 edges joined to dupilumab, or --edges N), serves it with `kg serve`, and times, over HTTP, the
page's own queries: a search, expansions of 20 nodes (each its neighbours' labels and categories too), and
the "all edges" baseline.

    .venv/bin/python benchmarks/explorer.py [--edges 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pyoxigraph as ox
from test_explorer_browser import DUPILUMAB, KGN, _synthetic

from kg.explore import generate_explorer


def post(url: str, query: str) -> tuple[float, int]:
    request = urllib.request.Request(
        url,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
    return time.perf_counter() - started, len(body)


def expansion(iri: str) -> str:
    bl = "https://w3id.org/biolink/vocab/"
    return (
        f"SELECT ?s ?p ?o ?confidence WHERE {{ {{ <{iri}> ?p ?o . BIND(<{iri}> AS ?s) }} UNION "
        f'{{ ?s ?p <{iri}> . BIND(<{iri}> AS ?o) }} FILTER(STRSTARTS(STR(?p), "{bl}") && ?p != biolink:mentions '
        "&& ?p != biolink:publications && ?p != biolink:has_evidence && isIRI(?s) && isIRI(?o)) "
        "FILTER NOT EXISTS { ?s a biolink:Association } OPTIONAL { ?a rdf:subject ?s ; rdf:predicate ?p ; "
        "rdf:object ?o ; biolink:has_confidence_score ?confidence } } LIMIT 200"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=120_000)
    args = parser.parse_args()
    assert "FILTER NOT EXISTS { ?s a biolink:Association }" in generate_explorer()  # still the page's query
    folder = Path(tempfile.mkdtemp(prefix="kg-bench-explorer-"))
    seed = folder / "seed"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "build",
            str(ROOT / "examples/PMC11208807.md"),
            "-o",
            str(seed),
            "--no-html",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "kg", "load", str(folder / "store"), str(seed / "graph.ttl")],
        check=True,
        capture_output=True,
    )
    store = ox.Store(str(folder / "store"))
    _synthetic(store, concepts=max(25_000, args.edges // 5), edges=args.edges)
    store.flush()
    print(f"store: {len(store):,} triples, {args.edges:,} synthetic edges")
    del store
    port = 18000 + int(time.time()) % 1000
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            str(folder / "store"),
            "--port",
            str(port),
            "--timeout",
            "300",
            "--max-result-mb",
            "2000",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(600):
        try:
            post(url, "ASK {}")
            break
        except OSError:
            time.sleep(0.1)
    try:
        search, _ = post(
            url,
            'SELECT ?n ?label WHERE { ?n rdfs:label ?label . FILTER(CONTAINS(LCASE(?label), "dupilumab")) } LIMIT 20',
        )
        times = []
        for node in [DUPILUMAB] + [f"{KGN}n{i}" for i in range(19)]:
            seconds, _ = post(url, expansion(node))
            times.append(seconds)
        everything, size = post(
            url,
            'SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(STRSTARTS(STR(?p), "https://w3id.org/biolink/vocab/") && isIRI(?o)) }',
        )
        print(f"search by name: {search * 1000:.0f} ms")
        print(
            f"expansion: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (20 nodes)"
        )
        print(f"every edge at once (a whole-graph page): {everything:.2f} s, {size / 2**20:.1f} MB")
        print(f"ratio: one expansion = {statistics.median(times) / everything:.4f} x reading the whole graph")
    finally:
        server.terminate()
        server.wait(timeout=30)
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
