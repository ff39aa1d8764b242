"""Publication types are kept on papers; evidence from a retracted paper is flagged and counts for nothing
in confidences unless asked (``--include-retracted``), in the graph, its RDF, a store and the view."""

from __future__ import annotations

import subprocess
import sys

from conftest import FIXTURES
from kg.pipeline import build_graph
from kg.read import read_documents
from kg.sparql import Store

PAPERS = FIXTURES / "pubmed_retracted.xml"
TREATS = ("UNII:420K487FSG", "MONDO:0004980", "biolink:treats")


def _treats(graph):
    subject, obj, key = TREATS
    return graph.graph.edges[subject, obj, key]


def test_publication_types_and_retraction_are_read():
    retracted, standing = read_documents([PAPERS])
    assert retracted.publication_types == ("Journal Article", "Retracted Publication")
    assert retracted.is_retracted
    assert standing.publication_types == ("Journal Article", "Review") and not standing.is_retracted


def test_retracted_evidence_is_kept_flagged_and_not_counted(extractor):
    graph = build_graph([PAPERS], extractor=extractor)
    edge = _treats(graph)
    flags = {e.document_id: e.retracted for e in edge["evidence"]}
    assert flags == {"PMID:11111111": True, "PMID:33333333": False}
    assert edge["documents"] == ["PMID:33333333"] and edge["papers"] == 1
    alone = max(e.score for e in edge["evidence"] if not e.retracted)
    assert edge["confidence"] == round(alone, 3)
    assert graph.publications["PMID:11111111"]["retracted"] is True

    counted = build_graph([PAPERS], extractor=extractor, include_retracted=True)
    assert _treats(counted)["papers"] == 2 and _treats(counted)["confidence"] > edge["confidence"]


def test_the_flags_survive_rdf_a_store_and_a_read_back(extractor, tmp_path):
    from kg.rdf_read import read_graph
    from kg.writers import write_outputs

    graph = build_graph([PAPERS], extractor=extractor)
    write_outputs(graph, tmp_path)
    again = read_graph(tmp_path / "graph.ttl")
    assert _treats(again)["confidence"] == _treats(graph)["confidence"]
    assert {e.document_id for e in _treats(again)["evidence"] if e.retracted} == {"PMID:11111111"}
    assert again.publications["PMID:11111111"]["retracted"] is True
    assert "Retracted Publication" in again.publications["PMID:11111111"]["publication_types"]

    store = Store(tmp_path / "store")
    store.merge_file(tmp_path / "graph.ttl")
    rows = store.query(
        "SELECT ?confidence ?papers ?evidence WHERE { ?a rdf:subject ?s ; rdf:predicate biolink:treats ; "
        "biolink:has_confidence_score ?confidence ; kgv:paperCount ?papers ; biolink:evidence_count ?evidence }"
    )
    assert rows.to_dict("records") == [
        {
            "confidence": str(_treats(graph)["confidence"]),
            "papers": "1",
            "evidence": str(
                len(_treats(graph)["evidence"])
            ),  # the retracted paper's evidence counted, flagged
        }
    ]
    retracted = store.query("SELECT ?p WHERE { ?p kgv:retracted true ; a biolink:Publication }")
    assert len(retracted) == 1


def test_the_command_line_counts_retracted_papers_only_when_asked(tmp_path):
    import json

    for flag, papers in (([], 1), (["--include-retracted"], 2)):
        out = tmp_path / ("with" if flag else "without")
        subprocess.run(
            [sys.executable, "-m", "kg", "build", str(PAPERS), "-o", str(out), "--no-html", *flag],
            check=True,
            capture_output=True,
        )
        edges = (out / "edges.tsv").read_text().splitlines()
        header = edges[0].split("\t")
        row = next(
            dict(zip(header, line.split("\t"), strict=True)) for line in edges[1:] if "biolink:treats" in line
        )
        evidence = [
            line for line in (out / "evidence.tsv").read_text().splitlines() if "biolink:treats" in line
        ]
        assert row["evidence_count"] == str(len(evidence)) and len(evidence) >= 2  # both papers' evidence
        assert json.loads((out / "report.json").read_text())["documents"] == 2
        assert row.get("publications", "").count("PMID:") == papers
