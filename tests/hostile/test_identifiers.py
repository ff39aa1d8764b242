"""Identifiers from input files: an invalid one never reaches an IRI, and the report says so."""

import pytest

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import expand, normalize_curie
from kg.pipeline import BuildReport, build_graph
from kg.rdf import serialize
from kg.read import iter_documents

HOSTILE_IDS = [
    "D003876 ",
    "D00387>6",
    'D003876"',
    "D00\n3876",
    "FOO:123",
    "MESH:D003876> <http://evil.example/x",
    "NCBIGene:35 65",
    "12 34",
]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_no_hostile_id_becomes_an_iri(hostile):
    try:
        curie = normalize_curie(hostile)
    except IdentifierError as error:
        assert repr(hostile)[1:6] in str(error) or "CURIE" in str(error)
        return
    iri = expand(curie)
    assert not any(c in iri for c in ' <>"{}|\\^`\n')


def test_hostile_annotation_ids_are_left_out_and_reported(tmp_path, extractor):
    path = tmp_path / "hostile.pubtator"
    path.write_text(
        "1|t|Lithium toxicity in atopic dermatitis.\n1|a|IL-4 drives it.\n"
        "1\t0\t7\tLithium\tChemical\tD008094> <http://evil.example/x\n"
        "1\t8\t16\ttoxicity\tDisease\tD0644 20\n"
        '1\t39\t43\tIL-4\tGene\t3565"\n\n'
    )
    [document] = [d for d in iter_documents([path]) if not isinstance(d, ReaderError)]
    assert all(not a.ids for a in document.annotations[:3])
    assert len(document.warnings) == 3 and "invalid ID" in document.warnings[0]
    report = BuildReport()
    graph = build_graph([path], extractor=extractor, report=report)
    assert sum("invalid ID" in w["warning"] for w in report.warnings) == 3
    assert b"evil.example" not in serialize(graph, "nt")


def test_a_hostile_document_id_skips_the_document(tmp_path):
    path = tmp_path / "doc.pubtator"
    path.write_text("12<3|t|Title\n12<3|a|Text\n")
    items = list(iter_documents([path]))
    assert (
        isinstance(items[0], ReaderError)
        and "bad document id" in str(items[0])
        and str(path) in str(items[0])
    )


@pytest.mark.parametrize(
    "doi",
    [
        "10.1155/2024 /bad",
        '10.1155/x"><script>',
        "10.1155/a[1]",
        "10.1155/a%zz",
        "10.1155/a#b#c",
        "10.1155/a\x7f",
        "10.1155/\ufdd0",
    ],
)
def test_a_hostile_doi_is_left_out_and_reported(tmp_path, doi):
    path = tmp_path / "doc.md"
    path.write_text(f"# Title\n\nPMC · DOI: {doi} · J · 2024\n\n## Abstract\n\nText.\n")
    [document] = list(iter_documents([path]))
    assert not isinstance(document, ReaderError)
    assert document.get_metadata("doi") is None and document.id == "KG:document.doc"
    assert any("doi" in w and "left out" in w for w in document.warnings)
