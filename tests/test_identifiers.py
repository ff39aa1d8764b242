import pytest

from kg.errors import IdentifierError
from kg.identifiers import compress, document_curie, expand, local_curie, normalize_curie, slugify


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("MESH:D003876", "MESH:D003876"),
        ("mesh:D003876", "MESH:D003876"),
        ("MeSH:MESH:D003876", "MESH:D003876"),
        ("NCBI Gene 3596", "NCBIGene:3596"),
        ("ncbigene:3565", "NCBIGene:3565"),
        ("MONDO_0004980", "MONDO:0004980"),
        ("pmc:PMC11208807", "PMC:11208807"),
        ("pubmed:6794356", "PMID:6794356"),
        ("DOI:10.1155/2024/6265608", "doi:10.1155/2024/6265608"),
        ("ORPHA:79147", "Orphanet:79147"),
        ("fplx:ERK", "FPLX:ERK"),
    ],
)
def test_normalize_curie_accepts_common_spellings(given, expected):
    assert normalize_curie(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "MESH:D00 3876",
        "NCBIGene:35a65",
        "MONDO:123",
        "nope:1",
        "MESH:D003876>",
        'MESH:D00"3876',
        "MESH:\nD003876",
        "",
        "just text",
        "doi:10.1/<script>",
    ],
)
def test_normalize_curie_rejects_invalid_identifiers_with_the_value_quoted(bad):
    with pytest.raises(IdentifierError) as error:
        normalize_curie(bad)
    assert repr(bad)[:10] in str(error.value) or "CURIE" in str(error.value)


def test_iris_follow_biolinks_context_and_round_trip():
    assert expand("MONDO:0004980") == "http://purl.obolibrary.org/obo/MONDO_0004980"
    assert expand("MESH:D003876") == "http://id.nlm.nih.gov/mesh/D003876"
    assert expand("NCBIGene:3565") == "http://identifiers.org/ncbigene/3565"
    for curie in ("MONDO:0004980", "MESH:D003876", "NCBIGene:3565", "CHEBI:15377", "PMID:6794356"):
        assert compress(expand(curie)) == curie


def test_local_concepts_get_stable_readable_iris():
    curie = local_curie("disease", "Acquired Reactive Perforating Collagenosis")
    assert curie == "KG:disease.acquired-reactive-perforating-collagenosis"
    assert expand(curie).startswith("https://w3id.org/kg-biomed/disease.")
    assert (
        slugify("Sjögren’s <b>syndrome</b>")
        == slugify("Sjogren's <b>syndrome</b>")
        == "sjogrens-b-syndrome-b"
    )


def test_document_ids_prefer_pmid_then_pmc_then_doi_then_name():
    assert document_curie(pmid="123", pmcid="PMC1", doi="10.1/x") == "PMID:123"
    assert document_curie(pmcid="PMC11208807", doi="10.1/x") == "PMC:11208807"
    assert document_curie(doi="10.1155/2024/6265608") == "doi:10.1155/2024/6265608"
    assert document_curie(name="Notes 1.txt") == "KG:document.notes-1-txt"
    with pytest.raises(IdentifierError):
        document_curie(pmid="12 3")
