"""The persistent store: kg load adds papers without duplicating nodes or evidence."""

import subprocess
import sys

from conftest import FIXTURES, SEED
from kg.sparql import Store, is_store

KG = [sys.executable, "-m", "kg.cli"]
COUNTS = """SELECT ?confidence ?evidence ?papers WHERE {
  ?a rdf:subject ?s ; rdf:object ?o ; biolink:has_confidence_score ?confidence ;
     biolink:evidence_count ?evidence ; kgv:paperCount ?papers .
  ?s rdfs:label "Dupilumab" . ?o rdfs:label "IL4" }"""


def _load(store, *inputs):
    return subprocess.run(
        [*KG, "load", str(store), *map(str, inputs)], capture_output=True, text=True, check=True
    )


def test_loading_the_same_paper_twice_changes_nothing(tmp_path):
    store = tmp_path / "store"
    _load(store, SEED)
    first = len(Store(store, read_only=True))
    _load(store, SEED)
    assert len(Store(store, read_only=True)) == first > 1000
    assert is_store(store)


def test_new_papers_add_their_evidence_and_confidence_is_recomputed(tmp_path):
    store = tmp_path / "store"
    _load(store, SEED)
    before = Store(store, read_only=True).query(COUNTS)
    other = tmp_path / "other.md"
    other.write_text(
        "# Another paper\n\nPMID: 12345678\n\n## Abstract\n\n"
        "Dupilumab, an antibody inhibiting IL-4 signalling, helps atopic dermatitis.\n"
    )
    _load(store, other)
    after = Store(store, read_only=True).query(COUNTS)
    assert int(after.evidence[0]) > int(before.evidence[0])
    assert int(after.papers[0]) == 2
    assert float(after.confidence[0]) > float(before.confidence[0])
    assert len(after) == 1  # one value each, not one per load


def test_loading_kgs_own_turtle_equals_loading_the_paper(tmp_path, seed_output):
    from_paper, from_turtle = tmp_path / "a", tmp_path / "b"
    _load(from_paper, SEED)
    _load(from_turtle, seed_output / "graph.ttl")
    assert len(Store(from_paper, read_only=True)) == len(Store(from_turtle, read_only=True))


def test_query_reads_a_store_and_a_bad_store_is_named(tmp_path):
    store = tmp_path / "store"
    _load(store, FIXTURES / "two_cdr.pubtator")
    result = subprocess.run(
        [
            *KG,
            "query",
            str(store),
            "SELECT (COUNT(*) AS ?n) WHERE { ?s a biolink:Publication }",
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["n", "2"]
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run(
        [*KG, "query", str(empty), "SELECT * WHERE {?s ?p ?o}"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
