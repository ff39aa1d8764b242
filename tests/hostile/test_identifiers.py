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


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("12<3|t|Title\n12<3|a|Text\n", "bad document id"),
        ("# Title\n\nPMC · DOI: 10.1155/2024 /bad · J · 2024\n\n## Abstract\n\nText.\n", "bad identifier"),
        ('# Title\n\nPMC · DOI: 10.1155/x"><script> · J · 2024\n\n## Abstract\n\nText.\n', "bad identifier"),
    ],
)
def test_hostile_document_ids(tmp_path, content, problem):
    path = tmp_path / ("doc.pubtator" if "|t|" in content else "doc.md")
    path.write_text(content)
    items = list(iter_documents([path]))
    assert isinstance(items[0], ReaderError) and problem in str(items[0]) and str(path) in str(items[0])
