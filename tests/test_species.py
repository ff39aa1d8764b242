"""Species of gene mentions (kg.species): organisms, cell lines, the rules and the tree model, on real
sentences and the fixture lexicon's real vocabulary rows (IL4, TNF and their orthologs)."""

from __future__ import annotations

import numpy as np
import pytest

from kg.extract import Extractor
from kg.models import Models, TreeEnsemble
from kg.records import Document, Passage
from kg.species import FEATURES, TAXA, SpeciesContext, feature_rows, find_organisms


def _document(title: str, abstract: str = "") -> Document:
    passages = [Passage("title", 0, title)]
    if abstract:
        passages.append(Passage("abstract", len(title) + 1, abstract))
    return Document("PMID:1", title, tuple(passages))


def _genes(extractor: Extractor, document: Document) -> dict[str, str]:
    result = extractor.extract(document)
    return {m.text: m.concept_id for m in result.mentions if m.type.value == "Gene"}


@pytest.fixture(scope="module")
def rules(small_lexicon) -> Extractor:
    """The fixture lexicon with no learned model: species come from the rules."""
    return Extractor(small_lexicon, Models.none(), relation_scheme=None)


def test_in_rats_tnf_is_the_rat_gene(rules):
    # BioRED train, PMID 19445921-like sentence: the organism of the sentence decides
    document = _document("Tnf and interleukin-4 in the hearts of rats with myocardial infarction")
    assert _genes(rules, document) == {"Tnf": "NCBIGene:24835", "interleukin-4": "NCBIGene:287287"}


def test_a_mouse_papers_il4_is_mouse_il4(rules):
    document = _document(
        "Il4 drives allergic inflammation in mice.",
        "Mice lacking Il4 were protected; IL-4 levels rose in wild-type mice.",
    )
    assert set(_genes(rules, document).values()) == {"NCBIGene:16189"}


def test_a_human_papers_il4_stays_human(rules):
    # the seed paper's sentence (PMC11208807)
    document = _document(
        "Dupilumab in a patient with acquired reactive perforating collagenosis",
        "Dupilumab, a monoclonal antibody inhibiting IL-4 and IL-13 signalling, was given to the patient.",
    )
    genes = _genes(rules, document)
    assert genes["IL-4"] == "NCBIGene:3565" and genes["IL-13"] == "NCBIGene:3596"


def test_organisms_are_mentions_and_cell_lines_only_signals(rules, small_lexicon):
    text = "Mice (Mus musculus) and patients; IL-4 was measured in HEK293 cells and in zebrafish."
    result = rules.extract(_document(text))
    organisms = {m.text: m.concept_id for m in result.mentions if m.type.value == "Species"}
    assert organisms == {
        "Mice": "NCBITaxon:10090",
        "Mus musculus": "NCBITaxon:10090",
        "patients": "NCBITaxon:9606",
        "zebrafish": "NCBITaxon:7955",
    }
    assert "HEK293" not in organisms  # a cell line: no organism mention ...
    grounded = rules.matcher.find_mentions(_document(text))
    from kg.ground import ground_mentions

    signals, _ = find_organisms(ground_mentions(grounded, small_lexicon)[0], small_lexicon)
    assert [(s.taxon, s.cell_line) for s in signals if s.cell_line] == [
        ("NCBITaxon:9606", True)
    ]  # ... a signal


def test_a_cell_line_makes_a_papers_genes_human(rules):
    document = _document("Tnf signalling in HEK293 cells")
    assert _genes(rules, document) == {"Tnf": "NCBIGene:7124"}


def test_a_name_only_another_species_has_is_no_gene_in_a_paper_about_people(rules):
    # the fixture lexicon has fly p53 but not human TP53: in a paper about patients, 'p53' names nothing
    assert "p53" not in _genes(rules, _document("Loss of p53 in patients with leukemia"))
    assert _genes(rules, _document("Loss of p53 in Drosophila melanogaster")) == {"p53": "NCBIGene:2768677"}


def test_feature_rows_give_five_rows_per_mention(small_lexicon, rules):
    document = _document("In mice, Il4 and IL-4.")
    organisms, _ = find_organisms(
        [m for m in rules.extract(document).mentions if m.type.value == "Species"], small_lexicon
    )
    context = SpeciesContext(document, organisms, small_lexicon)
    rows = feature_rows(context, [(9, 12, "Il4"), (17, 21, "IL-4")])
    assert rows.shape == (10, len(FEATURES))
    named = dict(zip(FEATURES, rows[TAXA.index("NCBITaxon:10090")], strict=True))
    assert named["exact_case"] == 1.0 and named["sentence_before_same"] == 1.0 and named["shape_capitalised"]


def test_the_tree_scorer_walks_lightgbm_style_trees():
    # one stump on feature 1 and a two-level tree on feature 0 (children ~k are leaves)
    model = TreeEnsemble.from_json(
        {
            "features": ["a", "b"],
            "bias": 0.0,
            "trees": [
                {"split_feature": [1], "threshold": [0.5], "left": [-1], "right": [-2],
                 "default_left": [True], "leaves": [1.0, -1.0]},
                {"split_feature": [0, 0], "threshold": [2.0, 1.0], "left": [1, -1], "right": [-3, -2],
                 "default_left": [False, True], "leaves": [10.0, 20.0, 30.0]},
            ],
        }
    )  # fmt: skip
    rows = np.array([[0.5, 0.0], [1.5, 1.0], [3.0, 0.0], [np.nan, 1.0]])
    assert model.raw_scores(rows).tolist() == [11.0, 19.0, 31.0, 29.0]


# --- the shipped lexicon and species model, on real abstracts ----------------------------------------------

MOUSE_TITLE = (  # BioRED dev, PMID 29183288 (title and one sentence of the abstract)
    "Arginase 1 deletion in myeloid cells affects the inflammatory response in allergic asthma, but not lung "
    "mechanics, in female mice."
)
MOUSE_SENTENCE = (
    "RESULTS: Arg1 ablation had no influence on the development of OVA-induced AHR, but attenuated OVA-induced "
    "increases in expression of Arg2 and Nos2, Slc7a1, Slc7a2, and Slc7a7 (arginine transporters), Il4, Il5 and "
    "Il13 (TH2-type cytokines), Ccl2 and Ccl11 (chemokines), Ifng (TH1-type cytokine)."
)
RAT_TITLE = (  # BioRED train, PMID 20046642 (title)
    "Metallothionein induction reduces caspase-3 activity and TNFalpha levels with preservation of cognitive "
    "function and intact hippocampal neurons in carmustine-treated rats."
)


def test_a_mouse_papers_il4_is_mouse_il4_orthologous_to_human_il4(extractor):
    from kg.graph import KnowledgeGraph

    result = extractor.extract(_document(MOUSE_TITLE, MOUSE_SENTENCE))
    genes = {m.text: m.concept_id for m in result.mentions if m.type.value == "Gene"}
    assert genes["Il4"] == "NCBIGene:16189" and genes["Il13"] == "NCBIGene:16163"
    graph = KnowledgeGraph()
    graph.add_result(result)
    node = graph.graph.nodes["NCBIGene:16189"]
    assert (node["taxon"], node["orthologs"]) == ("NCBITaxon:10090", ["NCBIGene:3565"])


def test_in_rats_tnfalpha_is_the_rat_gene(extractor):
    genes = {m.text: m.concept_id for m in extractor.extract(_document(RAT_TITLE)).mentions}
    assert genes["TNFalpha"] == "NCBIGene:24835" and genes["caspase-3"] == "NCBIGene:25402"
    assert genes["rats"] == "NCBITaxon:10116"


def test_a_yeast_papers_genes_are_not_given_mouse_or_human_ids(extractor):
    """Yeast's Rad51 was mouse Rad51 (NCBIGene:19361) and its RAD52 human RAD52: kg has no yeast genes, so a
    paper about yeast (and no species kg has genes for) keeps its organism and names no gene."""
    document = _document(
        "Rad51 and Rad52 promote strand exchange in Saccharomyces cerevisiae",
        "Deletion of RAD51 or RAD52 abolished recombination in S. cerevisiae; Mre11 was required.",
    )
    mentions = extractor.extract(document).mentions
    assert {m.concept_id for m in mentions} == {"NCBITaxon:4932"}


def test_a_paper_writing_its_symbols_as_mouse_does_studies_mice(extractor):
    """NLM-Gene PMID 22808010 never names an organism, but writes Socs3, Spred2, Pim3 as only mouse symbols
    are written: its genes are mouse genes (they had all been human)."""
    document = _document(
        "Defining an EPOR-regulated transcriptome for primary progenitors.",
        "A unique set of EPO-regulated survival factors included Lyl1, Gas5, Pim3, Pim1 and Trib3. "
        "Not only Socs3 plus Socs2 but also Spred2, Spred1 and Eaf1 were EPO-induced as negative-feedback "
        "components.",
    )
    genes = _genes(extractor, document)
    assert genes["Socs3"] == "NCBIGene:12702" and genes["Spred2"] == "NCBIGene:114716"
    assert genes["Pim3"] == "NCBIGene:223775"
    # the same genes written as human symbols, in a paper that names no organism either, stay human
    human = _genes(extractor, _document("SOCS3, SPRED2 and PIM3 were induced by EPO in progenitors."))
    assert human["SOCS3"] == "NCBIGene:9021" and human["PIM3"] == "NCBIGene:415116"


def test_a_symbol_defined_by_another_species_name_keeps_its_own_genes(extractor):
    """BioRED PMID 22711886: "TNFR-associated factor 2" is only a fly gene's name in the vocabularies, so the
    defined TRAF2 had the fly gene alone, the mouse paper found no mouse gene for it and dropped it."""
    document = _document(
        "TNFR-associated factor 2 deficiency in B lymphocytes predisposes to leukemia in mice.",
        "Mice expressing a TNFR-associated factor 2 (TRAF2) mutant lacking its RING domain develop "
        "lymphadenopathy; TRAF2 deficiency also activates NF-kappaB2.",
    )
    genes = _genes(extractor, document)
    assert genes["TRAF2"] == "NCBIGene:22030"


def test_a_gene_named_with_a_species_kg_has_no_genes_for_is_left_out(extractor):
    document = _document(
        "RAD51 paralogs in breast cancer patients",
        "Unlike S. cerevisiae Rad51, human RAD51 and BRCA2 were expressed in tumours of patients.",
    )
    genes = [(m.text, m.concept_id) for m in extractor.extract(document).mentions if m.type.value == "Gene"]
    assert genes == [("RAD51", "NCBIGene:5888"), ("RAD51", "NCBIGene:5888"), ("BRCA2", "NCBIGene:675")]


def test_a_human_papers_il4_stays_human_il4(seed_result):
    genes = {m.concept_id for m in seed_result.mentions if m.type.value == "Gene"}
    assert {"NCBIGene:3565", "NCBIGene:3596"} <= genes  # IL4 and IL13 of the seed paper (PMC11208807)
    assert not any(
        c.taxon not in ("", "NCBITaxon:9606") for c in seed_result.concepts if c.category == "biolink:Gene"
    )


def test_hek293_cells_are_a_human_signal_not_an_organism(extractor, lexicon):
    from kg.ground import ground_mentions

    document = _document("SIRT1 overexpression in HEK293 cells reduced NF-kappaB activity.")
    organisms, kept = find_organisms(
        ground_mentions(extractor.matcher.find_mentions(document), lexicon)[0], lexicon
    )
    assert [(o.taxon, o.cell_line) for o in organisms] == [("NCBITaxon:9606", True)]
    assert "HEK293" not in {m.text for m in kept}
    assert not any(m.type.value == "Species" for m in extractor.extract(document).mentions)


@pytest.mark.parametrize(
    ("text", "taxon"),
    [
        ("mice", "10090"),
        ("Mus musculus", "10090"),
        ("patients", "9606"),
        ("zebrafish", "7955"),
        ("rats", "10116"),
    ],
)
def test_organism_mentions_are_grounded_to_ncbi_taxonomy(extractor, text, taxon):
    result = extractor.extract(_document(f"Inflammation was studied in {text} with asthma."))
    assert {m.text: m.concept_id for m in result.mentions if m.type.value == "Species"} == {
        text: f"NCBITaxon:{taxon}"
    }


def test_a_missing_or_damaged_species_model_is_one_error_line(tmp_path):
    import shutil

    from kg.errors import ModelError
    from kg.models import MODELS_DIR

    for path in MODELS_DIR.iterdir():  # every other model present
        if path.is_file() and path.name != "species.json":
            shutil.copy(path, tmp_path / path.name)
    with pytest.raises(ModelError, match=r"species\.json: model file missing; rebuild it with `make learn`"):
        Models.load(tmp_path)
    (tmp_path / "species.json").write_text('{"features": [], "trees": [{"split_feature": [0]}]}')
    with pytest.raises(ModelError, match=r"species\.json: model file damaged \(KeyError"):
        Models.load(tmp_path)
