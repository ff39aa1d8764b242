"""`kg annotate`: PubTator and BioC output that round-trips through the readers."""

import subprocess
import sys

from conftest import FIXTURES, SEED
from kg.annotate import corpus_id, relation_type
from kg.read import read_documents
from kg.records import Concept, Evidence, Relation

KG = [sys.executable, "-m", "kg.cli"]


def test_pubtator_output_reads_back_with_kgs_own_spans_and_corpus_ids(tmp_path):
    output = tmp_path / "out.pubtator"
    subprocess.run(
        [*KG, "annotate", str(FIXTURES / "two_cdr.pubtator"), "-o", str(output)],
        check=True,
        capture_output=True,
    )
    original = {d.id: d for d in read_documents([FIXTURES / "two_cdr.pubtator"])}
    annotated = read_documents([output])
    assert [d.id for d in annotated] == list(original)
    for document in annotated:
        assert document.title == original[document.id].title
        for annotation in document.annotations:
            assert document.text_at(annotation.start, annotation.end) == annotation.text
            assert annotation.ids and all(
                i.startswith(("MESH:", "NCBIGene:")) or ":" in i for i in annotation.ids
            )
    first = annotated[0]
    assert ("lithium carbonate", "MESH:D016651") in {(a.text, a.ids[0]) for a in first.annotations}
    # the input's own gold annotations are not copied: kg's spans are its own
    assert {(a.start, a.end) for a in first.annotations} != {
        (a.start, a.end) for a in original[first.id].annotations
    }


def test_relations_are_written_in_biored_or_cdr_types(tmp_path):
    result = subprocess.run(
        [*KG, "annotate", str(FIXTURES / "two_cdr.pubtator"), "--scheme", "cdr"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "6504332\tCID\tD010634\tD004409" in result.stdout  # phenobarbital-induced dyskinesia
    result = subprocess.run(
        [*KG, "annotate", str(FIXTURES / "two_cdr.pubtator")], check=True, capture_output=True, text=True
    )
    assert "6504332\tPositive_Correlation\tD010634\tD004409" in result.stdout


def test_bioc_outputs_read_back(tmp_path):
    for fmt in ("bioc-xml", "bioc-json"):
        output = tmp_path / f"seed.{fmt}"
        subprocess.run(
            [*KG, "annotate", str(SEED), "-f", fmt, "-o", str(output)], check=True, capture_output=True
        )
        [document] = read_documents([output])
        genes = {(a.text, a.ids) for a in document.annotations if a.type == "Gene"}
        assert ("IL-4", ("NCBIGene:3565",)) in genes
        assert output.read_bytes() == output.read_bytes()


def test_corpus_ids_prefer_mesh_descriptors_and_ncbi_gene():
    concept = Concept(
        "CHEBI:60799", "Ketamine", "biolink:Drug", ("MESH:C000629870", "MESH:D007649", "DRUGBANK:DB01221")
    )
    assert corpus_id(concept, "Chemical") == "MESH:D007649"
    assert (
        corpus_id(Concept("NCBIGene:3565", "IL4", "biolink:Gene", ("HGNC:6014",)), "Gene") == "NCBIGene:3565"
    )
    local = Concept("KG:disease.x", "x", "biolink:Disease")
    assert corpus_id(local, "Disease") == "KG:disease.x"


def test_relation_types_map_to_biored_and_cdr():
    evidence = Evidence("PMID:1", "s", 0, "a", 0, 1, "b", 2, 3, "m", 0.5)
    treats = Relation("CHEBI:1", "biolink:treats", "MONDO:1", evidence)
    causes = Relation("CHEBI:1", "biolink:causes", "MONDO:1", evidence)
    assert relation_type(treats, "Chemical", "Disease") == "Negative_Correlation"
    assert relation_type(causes, "Chemical", "Disease") == "Positive_Correlation"
    assert relation_type(causes, "Chemical", "Disease", "cdr") == "CID"
    assert relation_type(treats, "Chemical", "Disease", "cdr") is None


def test_annotate_runs_the_builds_batch_path_with_workers_and_skips_bad_documents(tmp_path):
    """A bad document is reported and skipped; two workers write the same file as one."""
    inputs = [str(FIXTURES / "with_bad_document.pubtator"), str(FIXTURES / "two_cdr.pubtator")]
    outputs = []
    for workers in ("1", "2"):
        output = tmp_path / f"out-{workers}.pubtator"
        result = subprocess.run(
            [*KG, "annotate", *inputs, "-o", str(output), "--workers", workers],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "skipped" in result.stderr and "with_bad_document.pubtator" in result.stderr
        outputs.append(output.read_bytes())
    assert outputs[0] == outputs[1]
    assert {d.id for d in read_documents([tmp_path / "out-1.pubtator"])} >= {"PMID:6794356", "PMID:6504332"}


def test_a_gene_family_is_written_as_the_member_corpora_annotate_in_the_papers_species(extractor):
    """BioRED writes "Akt" as AKT1 (mouse Akt1 in a mouse paper) and "p38" as MAPK14: corpus formats and
    scores follow; the graph keeps the family (FamPlex's FPLX:AKT)."""
    from kg.annotate import corpus_convention, generate_pubtator
    from kg.graph import KnowledgeGraph
    from kg.records import Document, Passage

    def ids(text: str) -> tuple[dict[str, str], dict[str, str]]:
        result = extractor.extract(Document("PMID:1", text, (Passage("abstract", 0, text),)))
        corpus = corpus_convention(result, extractor.lexicon)
        return (
            {m.text: m.concept_id for m in result.mentions},
            {m.text: m.concept_id for m in corpus.mentions},
        )

    found, written = ids("Akt and p38 were activated in the livers of Pten-deficient mice.")
    assert (found["Akt"], found["p38"]) == ("FPLX:AKT", "FPLX:p38")
    assert (written["Akt"], written["p38"]) == ("NCBIGene:11651", "NCBIGene:26416")  # mouse Akt1, Mapk14
    found, written = ids("Akt and p38 were activated in human hepatocytes, with TP53 unchanged.")
    assert (written["Akt"], written["p38"]) == ("NCBIGene:207", "NCBIGene:1432")  # human AKT1, MAPK14
    text = "Akt was activated in human hepatocytes."
    result = extractor.extract(Document("PMID:1", text, (Passage("abstract", 0, text),)))
    assert "\tAkt\tGene\t207" in generate_pubtator([corpus_convention(result, extractor.lexicon)])
    graph = KnowledgeGraph()
    graph.add_result(result)
    assert "FPLX:AKT" in graph.graph.nodes and "NCBIGene:207" not in graph.graph.nodes
