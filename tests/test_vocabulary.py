"""A user's own vocabularies layered over the lexicon: read (OBO, OWL, TSV, SSSOM), checked, used in builds."""

from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, ROOT, SEED
from kg.extract import Extractor
from kg.graph import KnowledgeGraph
from kg.pipeline import BuildReport, build_graph
from kg.records import Document, Passage
from kg.vocabulary import Overlay, VocabularyError, check_vocabulary, load_vocabulary, read_vocabulary
from kg.writers import write_outputs

KG = [sys.executable, "-m", "kg"]
VOCABULARIES = FIXTURES / "vocabularies"
DERM = VOCABULARIES / "derm.obo"
ARPC_LOCAL = "KG:disease.acquired-reactive-perforating-collagenosis"


@pytest.fixture(scope="module")
def derm_extractor(lexicon, models) -> Extractor:
    return Extractor(lexicon, models, overlay=Overlay.build([load_vocabulary(DERM, lexicon)], lexicon))


@pytest.fixture(scope="module")
def derm_graph(derm_extractor) -> KnowledgeGraph:
    return build_graph([SEED], extractor=derm_extractor, report=BuildReport())


def _document(text: str) -> Document:
    return Document("PMID:1", text, (Passage("abstract", 0, text),))


def test_an_obo_vocabulary_is_read_with_its_prefix_parents_synonyms_and_xrefs():
    vocabulary = read_vocabulary(DERM)
    assert vocabulary.name == "derm"
    assert dict(vocabulary.prefixes) == {"DERM": "http://purl.example.org/derm/DERM_"}
    terms = {t.id: t for t in vocabulary.terms}
    assert terms["DERM:0000002"].name == "acquired reactive perforating collagenosis"
    assert terms["DERM:0000002"].synonyms == ("ARPC",)
    assert terms["DERM:0000002"].parents == ("DERM:0000001",)
    assert terms["DERM:0000004"].xrefs == ("OMIM:149500",)


def test_owl_and_tsv_vocabularies_are_read_too(lexicon):
    owl = check_vocabulary(read_vocabulary(VOCABULARIES / "derm.ttl"), lexicon)
    assert {t.id for t in owl.terms} == {"DERM:0000001", "DERM:0000002"}
    assert {t.id: t.parents for t in owl.terms}["DERM:0000001"] == ("MONDO:0021154",)
    assert dict(owl.prefixes) == {"DERM": "http://purl.obolibrary.org/obo/DERM_"}
    tsv = check_vocabulary(read_vocabulary(VOCABULARIES / "derm_terms.tsv"), lexicon)
    assert {t.id: t.parents for t in tsv.terms}["DERMLIST:2"] == ("MONDO:0021154", "DERMLIST:1")
    assert dict(tsv.prefixes) == {"DERMLIST": "https://example.org/dermlist/"}


def test_the_users_term_replaces_the_local_concept_of_the_example(derm_graph):
    """The seed paper's disease becomes the vocabulary's term, under the vocabulary's parent, and the
    paper's shorter form of the name joins it."""
    nodes = derm_graph.graph.nodes
    assert "DERM:0000002" in nodes and ARPC_LOCAL not in nodes
    assert "KG:disease.acquired-perforating-collagenosis" not in nodes
    assert nodes["DERM:0000002"]["parents"] == ["DERM:0000001"]
    assert nodes["DERM:0000002"]["label"] == "acquired reactive perforating collagenosis"
    into = {(s, d["predicate"]) for s, _, d in derm_graph.graph.in_edges("DERM:0000002", data=True)}
    assert ("UNII:420K487FSG", "biolink:treats") in into  # dupilumab treats the user's term


def test_the_hierarchy_of_a_vocabulary_reaches_the_ontology_in_sparql(derm_graph, tmp_path):
    write_outputs(derm_graph, tmp_path)
    turtle = (tmp_path / "graph.ttl").read_text(encoding="utf-8")
    assert "@prefix DERM: <http://purl.example.org/derm/DERM_> ." in turtle
    store = ox.Store()
    store.load(path=str(tmp_path / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    rows = list(
        store.query(
            "SELECT ?c WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ "
            "<http://purl.obolibrary.org/obo/MONDO_0021154> }"
        )
    )
    found = {row["c"].value for row in rows}
    assert "http://purl.example.org/derm/DERM_0000002" in found
    from kg.rdf_read import read_graph  # a view or a store read back gets the vocabulary's CURIEs

    again = read_graph(tmp_path / "graph.ttl")
    assert again.prefixes == {"DERM": "http://purl.example.org/derm/DERM_"}
    assert again.graph.nodes["DERM:0000002"]["parents"] == ["DERM:0000001"]


def test_a_term_with_a_known_xref_joins_the_lexicons_concept(derm_extractor):
    result = derm_extractor.extract(
        _document(
            "Kyrle disease, or hyperkeratosis follicularis et parafollicularis in cutem penetrans, is rare."
        )
    )
    concepts = {c.id: c for c in result.concepts}
    assert "MONDO:0007869" in concepts  # Kyrle disease in MONDO (OMIM:149500)
    kyrle = concepts["MONDO:0007869"]
    assert "DERM:0000004" in kyrle.xrefs and "DERM:0000001" in kyrle.parents
    assert {m.concept_id for m in result.mentions if m.type.value == "Disease"} == {"MONDO:0007869"}


def test_an_sssom_mapping_set_merges_a_users_term_with_the_lexicon(lexicon, models):
    """'Hyperkeratosis penetrans' (a TSV term with no xref) is Kyrle disease through the mapping set."""
    vocabularies = [
        load_vocabulary(VOCABULARIES / name, lexicon)
        for name in ("derm_terms.tsv", "derm_mappings.sssom.tsv")
    ]
    extractor = Extractor(lexicon, models, overlay=Overlay.build(vocabularies, lexicon))
    result = extractor.extract(_document("Hyperkeratosis penetrans was seen in two patients."))
    assert {m.concept_id for m in result.mentions if m.type.value == "Disease"} == {"MONDO:0007869"}
    assert "DERMLIST:3" in {c.id: c for c in result.concepts}["MONDO:0007869"].xrefs


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id\tname\nFOO:1\tsome disease\n", "unknown prefix 'FOO'"),
        ("id\tname\nMONDO:0004980\tdrug rash\n", "the lexicon has this ID for another concept"),
        (
            "# prefix D: https://e.org/\nid\tname\nD:1\tsome disease\nD:1\tother disease\n",
            "the ID is given twice",
        ),
        ("# prefix D: https://e.org/\nid\tname\tparents\nD:1\tsome disease\tD:9\n", "parent D:9 is neither"),
        (
            "# prefix D: https://e.org/\nid\tname\tparents\nD:1\tsome disease\tD:2\nD:2\tother disease\tD:1\n",
            "the parents make a cycle: D:1 -> D:2 -> D:1",
        ),
        ("# prefix D: https://e.org/\nid\tname\nD:1\tALS\n", "would shadow 16 lexicon concepts"),
        ("# prefix D: https://e.org/\nid\tname\nD:1\tAB\n", "too short"),
        ("id\tname\n", "no terms and no mappings"),
        (
            "# prefix D: https://e.org/\nid\tname\tsynonyms\nD:1\tsome disease\tbecause\n",
            "a common English word",
        ),
    ],
)
def test_a_vocabulary_that_would_damage_the_graph_is_refused_with_the_reason(
    lexicon, tmp_path, text, problem
):
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError) as error:
        load_vocabulary(path, lexicon)
    assert str(path) in str(error.value) and problem in str(error.value)


def test_lexicon_add_sources_remove_and_builds_that_use_what_was_added(tmp_path):
    env = {**os.environ, "KG_VOCABULARY_DIR": str(tmp_path / "vocabularies")}

    def kg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*KG, *args], capture_output=True, text=True, env=env, cwd=ROOT)

    added = kg("lexicon", "add", str(DERM))
    assert added.returncode == 0, added.stderr
    assert "added derm: 4 terms" in added.stdout
    sources = kg("lexicon", "sources")
    lines = [line.split() for line in sources.stdout.splitlines()]
    assert ["derm", "added", "4", "terms,", "0", "mappings"] in [line[:6] for line in lines]
    assert "mondo" in [line[0] for line in lines if line]
    built = kg("build", str(SEED), "-o", str(tmp_path / "with"), "--no-html")
    assert built.returncode == 0, built.stderr
    nodes = (tmp_path / "with" / "nodes.tsv").read_text(encoding="utf-8")
    assert "DERM:0000002\t" in nodes and ARPC_LOCAL not in nodes
    assert kg("lexicon", "remove", "derm").returncode == 0
    assert "derm" not in kg("lexicon", "sources").stdout
    kg("build", str(SEED), "-o", str(tmp_path / "without"), "--no-html")
    assert ARPC_LOCAL in (tmp_path / "without" / "nodes.tsv").read_text(encoding="utf-8")
    refused = kg("lexicon", "add", str(ROOT / "README.md"))
    assert refused.returncode != 0 and "not a vocabulary kg reads" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_build_with_a_vocabulary_for_one_build(tmp_path):
    result = subprocess.run(
        [
            *KG,
            "build",
            str(SEED),
            "--vocabulary",
            str(VOCABULARIES / "derm.ttl"),
            "-o",
            str(tmp_path),
            "--no-html",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "KG_VOCABULARY_DIR": str(tmp_path / "none")},
    )
    assert result.returncode == 0, result.stderr
    nodes = (tmp_path / "nodes.tsv").read_text(encoding="utf-8")
    assert "DERM:0000002\t" in nodes
    assert "DERM:0000002 a biolink:Disease" in (tmp_path / "graph.ttl").read_text(encoding="utf-8")


def test_a_vocabulary_gives_the_same_graph_in_worker_processes(derm_extractor, derm_graph):
    """The overlay travels with the extractor to forked workers (and pickled, to Dask)."""
    import pickle

    parallel = build_graph([SEED], extractor=derm_extractor, report=BuildReport(), workers=2)
    assert sorted(parallel.graph.nodes(data="label")) == sorted(derm_graph.graph.nodes(data="label"))
    assert pickle.loads(pickle.dumps(derm_extractor)).overlay.digest() == derm_extractor.overlay.digest()


def test_a_real_ontology_file_is_accepted_and_its_unknown_xrefs_are_counted(lexicon):
    """MONDO's own terms: their names are the lexicon's concepts' own, their SNOMED/MedDRA xrefs unknown."""
    vocabulary = load_vocabulary(FIXTURES / "mondo_skin_excerpt.obo", lexicon)
    assert len(vocabulary.terms) > 300
    assert any("prefix SCTID left out" in note for note in vocabulary.notes)
    overlay = Overlay.build([vocabulary], lexicon)
    assert {c for c in overlay.concepts if c.startswith("MONDO:")} and not any(
        c.startswith("KG:") for c in overlay.concepts
    )


def test_the_mapping_set_says_a_users_term_was_merged_by_the_user(derm_extractor, tmp_path):
    from kg.sssom import mapping_rows

    graph = KnowledgeGraph()
    graph.add_result(derm_extractor.extract(_document("Kyrle disease is a perforating dermatosis.")))
    graph.add_hierarchy(derm_extractor.lexicon, derm_extractor.overlay.concepts)
    rows = {(r[0], r[3]): r for r in mapping_rows(graph)}
    row = rows[("MONDO:0007869", "DERM:0000004")]
    assert (row[2], row[5], row[7]) == (
        "skos:exactMatch",
        "semapv:ManualMappingCuration",
        "merged by kg from the user vocabulary",
    )
    assert ("MONDO:0007869", "OMIM:149500") in rows  # the lexicon's own merge is there too


def test_a_damaged_added_vocabulary_is_named_in_one_line(tmp_path):
    (tmp_path / "derm.json").write_text('{"name": "derm", "terms": [', encoding="utf-8")
    result = subprocess.run(
        [*KG, "build", str(SEED), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "KG_VOCABULARY_DIR": str(tmp_path)},
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "derm.json: an added vocabulary is damaged" in result.stderr
    assert "kg lexicon remove derm" in result.stderr
