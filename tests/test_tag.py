"""The learned mention tagger and how its spans combine with the dictionary's and the normaliser's concepts.

The shipped weights are used throughout (no stand-in model): the behaviours below are what a user sees on
real sentences. Learning itself is tested where torch and the corpora are present (skipped otherwise).
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from conftest import SEED, SHARED
from kg.combine import combine_mentions, resolve_concepts
from kg.errors import ModelError
from kg.models import MODELS_DIR, TAGGER_FILE, Models
from kg.read import read_documents
from kg.records import Document, EntityType, Mention, Passage
from kg.tag import TaggedSpan, Tagger

D, C, G = EntityType.DISEASE, EntityType.CHEMICAL, EntityType.GENE


def _document(text: str, title: str = "") -> Document:
    passages = [Passage("title", 0, title)] if title else []
    offset = len(title) + 1 if title else 0
    return Document("PMID:1", title, (*passages, Passage("abstract", offset, text)))


def _found(extractor, text: str, title: str = "") -> dict[str, tuple[str, str | None]]:
    result = extractor.extract(_document(text, title))
    return {m.text: (m.type.value, m.concept_id) for m in result.mentions}


# ------------------------------------------------------------------------------------------- the weights


def test_a_missing_or_damaged_tagger_is_one_model_error_line(tmp_path):
    for path in MODELS_DIR.iterdir():
        if path.is_file() and path.name != TAGGER_FILE:
            shutil.copy(path, tmp_path / path.name)
    with pytest.raises(ModelError, match=r"tagger\.npz: model file missing; rebuild it with `make learn`$"):
        Models.load(tmp_path)
    for damage in (b"not a zip file", (MODELS_DIR / TAGGER_FILE).read_bytes()[:5000]):
        (tmp_path / TAGGER_FILE).write_bytes(damage)
        with pytest.raises(ModelError, match=r"tagger\.npz: model file damaged \(.*\); rebuild it") as error:
            Models.load(tmp_path)
        assert "\n" not in str(error.value)


def test_the_shipped_tagger_says_what_it_was_trained_on(models):
    tagger = models.tagger
    assert isinstance(tagger, Tagger) and tagger.path.stat().st_size < 40e6
    assert {"bc5cdr", "ncbi_disease", "biored"} <= set(tagger.trained_on["documents"])
    assert tagger.types == {D, C, G} and tagger.digest in models.fingerprint.split("|")


# ----------------------------------------------------------------------------- what a user sees in text


def test_figures_months_and_ph_are_not_entities(extractor):
    found = _found(
        extractor,
        "As shown in Fig. 4, cisplatin caused nephrotoxicity in April 2019; the buffer was kept at pH 7.4 "
        "and FBS was added. We read every report, ever since.",
    )
    assert not {"Fig", "April", "pH", "FBS", "read", "ever"} & set(found), found
    assert found["cisplatin"][0] == "Chemical" and found["nephrotoxicity"][0] == "Disease"


def test_a_comparison_is_no_name(extractor):
    """A real JATS full text (../shared/realworld/jats): the tagger had made a disease of "colon vs rectum"."""
    found = _found(
        extractor,
        "Analyses were also performed according to EPIC country, cancer subsite (colon vs rectum) and "
        "potentially modifying factors.",
    )
    assert not [text for text in found if "vs" in text], found


def test_a_short_form_the_paper_defines_as_no_entity_is_no_entity(extractor):
    """NCBI Disease dev, PMID 8758207: "HD" is Huntington disease's abbreviation, but this paper defines it
    as heteroduplex."""
    found = _found(
        extractor,
        "Tumours were investigated for mutation of the VHL gene by single strand conformation polymorphism "
        "(SSCP) and/or heteroduplex (HD) techniques. In 22 of the 43 non-papillary renal cell carcinomas, "
        "abnormally migrating DNA bands were detected by SSCP and/or HD analysis.",
    )
    assert "HD" not in found and "SSCP" not in found, found
    assert any("renal cell carcinomas" in text and kind == "Disease" for text, (kind, _) in found.items())


def test_a_disease_no_vocabulary_has_is_found_and_becomes_one_local_concept(extractor):
    result = extractor.extract(
        _document(
            "Acquired reactive perforating collagenosis is a rare cutaneous disorder. In our patient, acquired "
            "perforating collagenosis lesions resolved after treatment with dupilumab.",
        )
    )
    by_text = {m.text.lower(): m.concept_id for m in result.mentions}
    local = by_text.get("acquired reactive perforating collagenosis")
    assert local == "KG:disease.acquired-reactive-perforating-collagenosis", by_text
    concept = next(c for c in result.concepts if c.id == local)
    assert concept.category == "biolink:Disease"


def test_the_plain_text_abstract_gives_the_node_the_annotated_paper_gives(extractor, seed_result):
    seed = read_documents([SEED])[0]
    bare = replace(seed, annotations=())  # the paper's text alone: no linked entities
    plain = {m.concept_id for m in extractor.extract(bare).mentions}
    annotated = {m.concept_id for m in seed_result.mentions}
    wanted = "KG:disease.acquired-reactive-perforating-collagenosis"
    assert wanted in annotated and wanted in plain
    assert {"UNII:420K487FSG", "NCBIGene:3565", "NCBIGene:3596", "MONDO:0004980"} <= plain


def test_a_coordinated_mention_gives_both_diseases(extractor):
    result = extractor.extract(_document("Women with breast and ovarian cancers were studied."))
    ids = {m.concept_id for m in result.mentions if m.type is D}
    assert len(ids) >= 2, ids


def test_batches_give_what_documents_one_at_a_time_give(extractor, corpora):
    documents = read_documents([corpora / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"])[:24]
    bare = [replace(d, annotations=(), relations=()) for d in documents]
    together = extractor.extract_many(bare)
    alone = [extractor.extract(d) for d in bare]
    assert [r.mentions for r in together] == [r.mentions for r in alone]
    assert [r.relations for r in together] == [r.relations for r in alone]


# ------------------------------------------------------------------------------------------ combining


def _text_document(text: str) -> Document:
    return Document("PMID:2", "", (Passage("abstract", 0, text),))


def test_the_papers_own_annotations_win_over_tagged_spans():
    document = _text_document("Dupilumab treats atopic dermatitis.")
    own = Mention(17, 34, "atopic dermatitis", D, ("MONDO:0004980",), "MONDO:0004980", "annotation")
    spans = [TaggedSpan(17, 34, D, 0.9), TaggedSpan(24, 34, D, 0.8), TaggedSpan(0, 9, C, 0.9)]
    combined = combine_mentions(
        [own], spans, document, lambda text, kind: (), types=frozenset({D, C}), keep_untagged=lambda m: True
    )
    assert [(m.text, m.method) for m in combined] == [
        ("Dupilumab", "tagger"),
        ("atopic dermatitis", "annotation"),
    ]


def test_a_confirmed_dictionary_mention_keeps_its_concept_and_an_unconfirmed_one_needs_to_be_sure():
    document = _text_document("Fig 1 shows gout.")
    gout = Mention(12, 16, "gout", D, ("MESH:D006073",), "MESH:D006073")
    fig = Mention(0, 3, "Fig", G, ("NCBIGene:1",), "NCBIGene:1")
    mouse = Mention(6, 11, "shows", EntityType.SPECIES, ("NCBITaxon:1",), "NCBITaxon:1")  # not a tagger type
    spans = [TaggedSpan(12, 16, D, 0.97)]
    for sure, expected in ((False, ["shows", "gout"]), (True, ["Fig", "shows", "gout"])):
        combined = combine_mentions(
            [fig, mouse, gout],
            spans,
            document,
            lambda text, kind: (),
            types=frozenset({D, C, G}),
            keep_untagged=lambda m, sure=sure: sure,
        )
        assert [m.text for m in combined] == expected
    confirmed = next(m for m in combined if m.text == "gout")
    assert confirmed.concept_id == "MESH:D006073" and confirmed.method == "tagger" and confirmed.score == 0.97


def test_nil_mentions_become_local_concepts_shorter_forms_and_abbreviations_join_them(extractor):
    text = (
        "Acquired reactive perforating collagenosis (ARPC) is rare. Acquired perforating collagenosis "
        "resolved. ARPC recurred."
    )
    document = _text_document(text)
    mentions = []
    for name in ("Acquired reactive perforating collagenosis", "ARPC", "Acquired perforating collagenosis"):
        start = text.find(name)
        while start >= 0:
            mentions.append(Mention(start, start + len(name), name, D, method="tagger", score=0.9))
            start = text.find(name, start + 1)
    resolved, made = resolve_concepts(extractor.normaliser, document, mentions, extractor.lexicon)
    ids = {m.text: m.concept_id or m.candidates[0] for m in resolved}
    assert set(ids.values()) == {"KG:disease.acquired-reactive-perforating-collagenosis"}, ids
    assert len(resolved) == 4 and [c.id for c in made] == [
        "KG:disease.acquired-reactive-perforating-collagenosis"
    ]


def test_a_bare_generic_word_or_adjective_the_normaliser_cannot_ground_is_no_local_concept(extractor):
    """Real full texts had made local diseases of "deficiency", "idiopathic" and "metaphyseal"."""
    text = "The deficiency was idiopathic and metaphyseal, unlike FXIII deficiency."
    document = _text_document(text)
    mentions = [
        Mention(text.find(name), text.find(name) + len(name), name, D, method="tagger", score=0.9)
        for name in ("deficiency", "idiopathic", "metaphyseal", "FXIII deficiency")
    ]
    resolved, made = resolve_concepts(extractor.normaliser, document, mentions, extractor.lexicon)
    assert {m.text for m in resolved} <= {"FXIII deficiency"}, [m.text for m in resolved]
    assert all(c.label == "FXIII deficiency" for c in made)


# ---------------------------------------------------------------------------------------------- learning


@pytest.mark.slow
def test_learning_is_deterministic(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gensim")
    if not (SHARED / "corpora" / "bc5cdr").is_dir():
        pytest.skip("needs ../shared/corpora")
    from kg.train.tagger import Settings, learn

    settings = Settings(epochs=1, hidden=8, max_documents=3)
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    learn(SHARED / "corpora", first, settings=settings)
    learn(SHARED / "corpora", second, settings=settings)
    assert first.read_bytes() == second.read_bytes()
    assert Tagger.read(first).types == {D, C, G}


def test_kg_evaluate_scores_the_tagger_alone(tmp_path):
    import json
    import subprocess
    import sys

    from conftest import FIXTURES

    result = subprocess.run(
        [sys.executable, "-m", "kg", "evaluate", str(FIXTURES / "gold_tiny.pubtator"), "--tagger", "--json",
         "--types", "Disease,Chemical", "--tagging", "bc5cdr"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    scores = json.loads(result.stdout)
    assert set(scores) == {"Disease", "Chemical"} and scores["Disease"]["tp"] > 0
    assert 0 < scores["Chemical"]["f1"] <= 1


def test_a_chemical_inside_an_enzyme_or_receptor_name_is_annotated_and_the_graph_keeps_the_gene(extractor):
    """'dopamine D1 receptor': the corpora annotate the chemical inside the gene's name, so `kg annotate`
    writes both; the graph has the receptor, not dopamine (issue #13, item 6)."""
    from kg.annotate import generate_pubtator
    from kg.graph import KnowledgeGraph
    from kg.records import Document, Passage

    text = "Ketamine, an NMDA receptor antagonist, was given with dopamine D1 receptor agonists."
    result = extractor.extract(Document("PMID:1", text, (Passage("abstract", 0, text),)))
    mentions = {(m.text, m.type.value): m for m in result.mentions}
    assert mentions[("dopamine D1 receptor", "Gene")].concept_id == "NCBIGene:1812"
    assert mentions[("dopamine", "Chemical")].nested and not mentions[("dopamine D1 receptor", "Gene")].nested
    assert (
        mentions[("NMDA receptor", "Gene")].concept_id == "FPLX:GRIN"
        and mentions[("NMDA", "Chemical")].nested
    )
    lines = generate_pubtator([result]).splitlines()
    assert any("\tdopamine\tChemical\tD004298" in line for line in lines)
    assert any("\tdopamine D1 receptor\tGene\t1812" in line for line in lines)
    graph = KnowledgeGraph()
    graph.add_result(result)
    assert {"NCBIGene:1812", "FPLX:GRIN"} <= set(graph.graph.nodes)
    assert "CHEBI:18243" not in graph.graph.nodes  # dopamine
    assert not any(r.subject == "CHEBI:18243" or r.object == "CHEBI:18243" for r in result.relations)
