"""KGX TSV tables and the evidence table: every row parses, text cannot break rows."""

import csv

import pandas as pd

from kg.graph import KnowledgeGraph
from kg.records import Concept, Evidence, Relation
from kg.tables import EDGE_COLUMNS, NODE_COLUMNS, to_frames, write_tables


def test_seed_tables_have_kgx_columns_and_one_row_per_node_and_edge(seed_graph, seed_output):
    nodes = pd.read_csv(seed_output / "nodes.tsv", sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False)
    edges = pd.read_csv(seed_output / "edges.tsv", sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False)
    assert list(nodes.columns) == NODE_COLUMNS and list(edges.columns) == EDGE_COLUMNS
    assert (
        len(nodes) == seed_graph.graph.number_of_nodes() and len(edges) == seed_graph.graph.number_of_edges()
    )
    assert set(edges.knowledge_level) == {"knowledge_assertion"} and set(edges.agent_type) == {
        "text_mining_agent"
    }
    il4 = nodes[nodes.id == "NCBIGene:3565"].iloc[0]
    assert il4["name"] == "IL4" and "HGNC:6014" in il4["xref"].split("|")


def test_tabs_newlines_and_pipes_in_text_cannot_break_rows(tmp_path):
    graph = KnowledgeGraph()
    graph.add_concept(
        Concept("CHEBI:1", "bad\tname\nwith|pipe", "biolink:ChemicalEntity", synonyms=("x\ty",))
    )
    graph.add_concept(Concept("MONDO:0000002", "B", "biolink:Disease"))
    graph.add_relation(
        Relation(
            "CHEBI:1",
            "biolink:treats",
            "MONDO:0000002",
            Evidence("PMID:1", "A\ttreats\nB | C", 0, "A", 0, 1, "B", 2, 3, "m", 0.5, "t"),
        )
    )
    for path in write_tables(graph, tmp_path):
        lines = path.read_text().splitlines()
        widths = {len(line.split("\t")) for line in lines}
        assert len(widths) == 1, path.name
    nodes, _ = to_frames(graph)
    assert nodes.loc[0, "name"] == "bad name with pipe"


def test_kgx_validates_the_tables(seed_output):
    """`kgx validate` (in its own virtualenv, made by scripts/kgx-validate on first use) reports no error."""
    import json
    import subprocess

    from conftest import ROOT

    result = subprocess.run(
        [
            str(ROOT / "scripts" / "kgx-validate"),
            str(seed_output / "nodes.tsv"),
            str(seed_output / "edges.tsv"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        json.loads(
            result.stdout.split("\n}")[0] + "\n}"
            if result.stdout.startswith("{\n")
            else result.stdout.splitlines()[0]
        )
        == {}
    )


def test_evidence_flags_and_confidence_are_in_the_tables_and_the_turtle(seed_output):
    evidence = pd.read_csv(
        seed_output / "evidence.tsv", sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False
    )
    assert {"negated", "hedged", "score", "sentence", "trigger"} <= set(evidence.columns)
    assert (
        evidence.hedged.astype(str).str.lower().eq("true").any()
    )  # "likely contributed", "may be effective"
    turtle = (seed_output / "graph.ttl").read_text()
    assert "kgv:hedged true" in turtle and "biolink:negated false" in turtle
    assert "biolink:has_confidence_score" in turtle


def test_genes_have_their_species_and_orthology_edges(rat_graph):
    nodes, edges = to_frames(rat_graph)
    by_id = nodes.set_index("id")
    assert by_id.loc["NCBIGene:24907", "taxon"] == "NCBITaxon:10116"
    assert by_id.loc["NCBIGene:24907", "in_taxon_label"] == "Rattus norvegicus"
    assert by_id.loc["NCBIGene:1756", "name"] == "DMD"  # the human ortholog, a node though no paper names it
    [orthology] = edges[edges.predicate == "biolink:orthologous_to"].to_dict("records")
    assert (orthology["subject"], orthology["object"]) == ("NCBIGene:24907", "NCBIGene:1756")
    assert (orthology["agent_type"], orthology["primary_knowledge_source"]) == ("manual_agent", "infores:rgd")


def test_kgx_validates_tables_with_species_orthologs_and_variants(rat_graph, tmp_path):
    """The tables of a graph with a rat gene, its human ortholog and organisms pass kgx validate too."""
    import json
    import subprocess

    from conftest import ROOT

    write_tables(rat_graph, tmp_path)
    result = subprocess.run(
        [str(ROOT / "scripts" / "kgx-validate"), str(tmp_path / "nodes.tsv"), str(tmp_path / "edges.tsv")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout.splitlines()[0]) == {}, result.stdout
