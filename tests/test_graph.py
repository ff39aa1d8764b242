"""The networkx graph: one node per concept, one edge per statement, evidence aggregated."""

from kg.graph import KnowledgeGraph, confidence, edge_key
from kg.records import Concept, Evidence, Relation


def _evidence(document: str, score: float, start: int = 0) -> Evidence:
    return Evidence(
        document,
        "A treats B.",
        start,
        "A",
        start,
        start + 1,
        "B",
        start + 8,
        start + 9,
        "m",
        score,
        trigger="treats",
    )


def test_one_node_per_concept_whatever_the_annotations_call_it(seed_graph):
    graph = seed_graph.graph
    atopic = [
        n
        for n, d in graph.nodes(data=True)
        if "atopic dermatitis" in {s.lower() for s in d["synonyms"]}
        or d["label"].lower() in ("atopic dermatitis", "atopic eczema")
    ]
    assert atopic == ["MONDO:0004980"]
    assert "MESH:D003876" in graph.nodes["MONDO:0004980"]["xrefs"]
    assert "MESH:D003876" not in graph
    assert graph.nodes["NCBIGene:3565"]["label"] == "IL4"
    assert graph.nodes["NCBIGene:3596"]["label"] == "IL13"
    assert graph.nodes["MONDO:0004980"]["category"] == "biolink:Disease"


def test_edges_carry_predicate_evidence_and_confidence(seed_graph):
    for _, _, key, data in seed_graph.graph.edges(keys=True, data=True):
        assert key == edge_key(data["predicate"], tuple(data["qualifiers"]), data["negated"])
        assert data["evidence"] and data["documents"] == ["PMC:11208807"] and 0 < data["confidence"] <= 1


def test_ancestors_of_nodes_are_kept_for_hierarchy_queries(seed_graph):
    assert "MONDO:0005093" in seed_graph.graph or "MONDO:0005093" in seed_graph.classes  # skin disorder
    assert "MONDO:0000001" in seed_graph.graph or "MONDO:0000001" in seed_graph.classes  # disease


def test_confidence_counts_each_paper_once():
    assert confidence([_evidence("PMID:1", 0.6), _evidence("PMID:1", 0.6, 20)]) == 0.6
    assert confidence([_evidence("PMID:1", 0.6), _evidence("PMID:2", 0.5)]) == 0.8


def _small(document: str, start: int = 0) -> KnowledgeGraph:
    graph = KnowledgeGraph()
    graph.add_concept(Concept("CHEBI:1", "A", "biolink:ChemicalEntity"), document, 1)
    graph.add_concept(Concept("MONDO:0000002", "B", "biolink:Disease"), document, 1)
    graph.add_relation(
        Relation("CHEBI:1", "biolink:treats", "MONDO:0000002", _evidence(document, 0.7, start))
    )
    return graph


def test_graphs_merge_in_any_order_without_duplicating_evidence():
    one_two = _small("PMID:1").merge(_small("PMID:2", 5))
    two_one = _small("PMID:2", 5).merge(_small("PMID:1"))
    again = _small("PMID:1").merge(_small("PMID:2", 5)).merge(_small("PMID:1"))
    for graph in (one_two, two_one, again):
        data = graph.graph.edges["CHEBI:1", "MONDO:0000002", "biolink:treats"]
        assert len(data["evidence"]) == 2 and data["papers"] == 2 and data["confidence"] == 0.91
        assert graph.graph.nodes["CHEBI:1"]["documents"] == ["PMID:1", "PMID:2"]


def test_negated_claims_are_separate_edges():
    graph = _small("PMID:1")
    negated = Evidence(
        "PMID:3", "A did not treat B.", 0, "A", 0, 1, "B", 16, 17, "m", 0.6, "treat", negated=True
    )
    graph.add_relation(Relation("CHEBI:1", "biolink:treats", "MONDO:0000002", negated))
    keys = sorted(k for _, _, k in graph.graph.edges(keys=True))
    assert keys == ["NOT biolink:treats", "biolink:treats"]


def test_genes_carry_their_species_and_a_rat_gene_its_human_ortholog(rat_graph):
    nodes = rat_graph.graph.nodes
    # BioRED train, PMID 18808529: "... loss of dystrophin in rat hearts" is rat Dmd, not human DMD
    assert nodes["NCBIGene:24907"]["taxon"] == "NCBITaxon:10116"
    assert nodes["NCBIGene:24907"]["orthologs"] == ["NCBIGene:1756"]
    assert nodes["NCBIGene:3565"]["taxon"] == "NCBITaxon:9606" and nodes["NCBIGene:3565"]["orthologs"] == []
    # the human ortholog no paper mentions, and the species, are kept for queries
    assert rat_graph.classes["NCBIGene:1756"].label == "DMD"
    assert nodes["NCBITaxon:10116"]["label"] == "Rattus norvegicus"  # "rat": an organism mention


def test_papers_mention_their_organisms(rat_graph):
    assert "NCBITaxon:10116" in rat_graph.publications["PMID:18808529"]["mentions"]
    assert "NCBITaxon:9606" in rat_graph.publications["PMC:11208807"]["mentions"]  # "patient"
