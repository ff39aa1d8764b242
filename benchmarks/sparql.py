"""SPARQL on a graph of at least a million triples: kg's path (Oxigraph) against plain rdflib, side by side.

    .venv/bin/python benchmarks/sparql.py [--triples 1000000]

The graph: every abstract of the gold corpora (../shared/corpora: BC5CDR, NCBI Disease, BioRED train and
dev) run through `kg`, then the results repeated under new PMIDs until the graph has the asked number of
triples. It is written once as N-Triples; then each engine loads that file and runs the example queries
in queries/ plus a GROUP BY count. Prints seconds and the ratio rdflib / kg for each step.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import ABSTRACT_FILES as FILES
from common import CORPORA
from kg.extract import Extractor
from kg.graph import KnowledgeGraph
from kg.rdf import serialize
from kg.read import read_documents

GROUP_BY = (
    """SELECT ?predicate (COUNT(*) AS ?edges) WHERE { ?a rdf:predicate ?predicate } GROUP BY ?predicate"""
)
EVIDENCE_PER_PREDICATE = """SELECT ?predicate (COUNT(?e) AS ?sentences) (AVG(?score) AS ?mean_score) WHERE {
  ?a rdf:predicate ?predicate ; biolink:has_evidence ?e . ?e biolink:extraction_confidence_score ?score }
GROUP BY ?predicate ORDER BY DESC(?sentences)"""
TOP_DISEASES = """SELECT ?disease ?label (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper biolink:mentions ?disease . ?disease a biolink:Disease ; rdfs:label ?label }
GROUP BY ?disease ?label ORDER BY DESC(?papers) LIMIT 10"""
PREFIXES = """PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX kgv: <https://w3id.org/kg-biomed/vocab/>
PREFIX MONDO: <http://purl.obolibrary.org/obo/MONDO_>
"""


def renumbered(result, copy: int):
    """The same extraction, as if from another paper (new PMID) — to grow the graph realistically."""
    if copy == 0:
        return result
    pmid = str(copy * 100_000_000 + int(result.document.id.split(":")[1]))
    document = replace(result.document, id=f"PMID:{pmid}", metadata=(("pmid", pmid),))
    relations = tuple(
        replace(r, evidence=replace(r.evidence, document_id=document.id)) for r in result.relations
    )
    return replace(result, document=document, relations=relations)


def build(target: int) -> tuple[Path, int]:
    extractor = Extractor.open()
    lexicon = extractor.lexicon
    documents = [d for name in FILES for d in read_documents([CORPORA / name])]
    unique = {d.id: replace(d, annotations=(), relations=()) for d in documents}
    started = time.perf_counter()
    results = [extractor.extract(d) for d in unique.values()]
    print(f"extracted {len(results)} abstracts in {time.perf_counter() - started:.1f} s")
    graph = KnowledgeGraph()
    # The seed paper too, so that the queries about its edges (seed_chain_evidence, edge_evidence) have rows.
    for seed in read_documents([ROOT / "examples" / "PMC11208807.md"]):
        graph.add_result(extractor.extract(seed))
    copy = 0
    path = Path(tempfile.mkdtemp(prefix="kg-bench-")) / "graph.nt"
    while True:
        for result in results:
            graph.add_result(renumbered(result, copy))
        copy += 1
        graph.add_hierarchy(lexicon)
        data = serialize(graph, "nt")
        triples = data.count(b"\n")
        print(f"  {copy} cop{'y' if copy == 1 else 'ies'}: {triples:,} triples")
        if triples >= target:
            path.write_bytes(data)
            return path, triples


def timed_in_child(function, limit: float):
    """Run ``function`` in a forked child (sharing the loaded graph copy-on-write); (seconds, rows), or
    (None, None) when it did not finish within ``limit`` seconds (then it is stopped)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def child():
        seconds, value = timed(function)
        queue.put((getattr(value, "seconds", seconds), len(value)))

    process = context.Process(target=child)
    process.start()
    process.join(limit)
    if process.is_alive():
        process.kill()
        process.join()
        return None, None
    return queue.get() if not queue.empty() else (None, None)


def best_of(runs: int, function):
    """The last value of ``runs`` calls; its time measured by the caller is replaced by the best run's."""
    best, value = None, None
    for _ in range(runs):
        seconds, value = timed(function)
        best = seconds if best is None else min(best, seconds)
    return _Timed(best, value)


class _Timed(list):
    """A list of rows that remembers the best time it took (for timed_in_child)."""

    def __init__(self, seconds, rows):
        super().__init__(rows)
        self.seconds = seconds


def timed(function):
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument(
        "--rdflib-limit",
        type=float,
        default=300.0,
        help="seconds after which an rdflib query is stopped (its ratio is then a lower bound)",
    )
    args = parser.parse_args()
    path, triples = build(args.triples)
    print(f"graph: {triples:,} triples, {path.stat().st_size / 1e6:.0f} MB of N-Triples")

    import pyoxigraph as ox
    import rdflib

    from kg.sparql import Store

    rows = []
    store = Store()
    kg_load, _ = timed(lambda: store.load_file(path))
    rdflib_graph = rdflib.Graph()
    rdflib_load, _ = timed(lambda: rdflib_graph.parse(str(path), format="nt"))
    rows.append(("load N-Triples", kg_load, rdflib_load, len(store), len(rdflib_graph)))
    queries = [
        ("GROUP BY count", GROUP_BY),
        ("evidence per predicate", EVIDENCE_PER_PREDICATE),
        ("top diseases by papers", TOP_DISEASES),
    ]
    queries += [(p.stem, p.read_text()) for p in sorted((ROOT / "queries").glob("*.rq"))]
    for name, query in queries:
        text = query if "PREFIX" in query else PREFIXES + query
        kg_runs = [timed(lambda text=text: store.query(text)) for _ in range(3)]
        kg_seconds, frame = min(kg_runs, key=lambda run: run[0])  # best of 3, as for rdflib
        rdflib_seconds, rdflib_rows = timed_in_child(
            lambda text=text: best_of(3, lambda: list(rdflib_graph.query(text))), args.rdflib_limit
        )
        rows.append((name, kg_seconds, rdflib_seconds, len(frame), rdflib_rows))
    print(
        f"\n{'step':<28} {'kg (Oxigraph) s':>16} {'rdflib s':>10} {'rdflib / kg':>12} {'rows kg/rdflib':>16}"
    )
    for name, kg_seconds, rdflib_seconds, kg_rows, rdflib_rows in rows:
        shown = f"{rdflib_seconds:>10.3f}" if rdflib_seconds is not None else f">{args.rdflib_limit:>9.0f}"
        limit = rdflib_seconds if rdflib_seconds is not None else args.rdflib_limit
        print(
            f"{name:<28} {kg_seconds:>16.3f} {shown} {limit / kg_seconds:>10.1f}{'x' if rdflib_seconds else 'x+'} "
            f"{kg_rows:>8}/{rdflib_rows if rdflib_rows is not None else '-':<8}"
        )
    query_ratios = [(r[2] if r[2] is not None else args.rdflib_limit) / r[1] for r in rows[1:]]
    import math

    print("(x+: rdflib stopped at the limit, so the ratio is at least that)")
    print(
        f"\nqueries: geometric mean {math.exp(sum(map(math.log, query_ratios)) / len(query_ratios)):.1f}x, "
        f"slowest ratio {min(query_ratios):.1f}x (goal: kg >= 10x rdflib; times are the best of 3 runs)"
    )
    del ox


if __name__ == "__main__":
    main()
