"""Recognition on real sentences: the seed abstract and corpus-style text."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.abbreviations import occurrences
from kg.recognise import find_mentions
from kg.records import Document, EntityType, Passage


def _document(text: str) -> Document:
    return Document("KG:document.test", "t", (Passage("abstract", 0, text),))


def _found(lexicon, text: str) -> dict[str, tuple[str, ...]]:
    return {m.text: m.candidates for m in find_mentions(_document(text), lexicon)}


def test_the_seed_abstract_yields_the_required_entities(seed_result):
    abstract_start = next(p.offset for p in seed_result.document.passages if p.kind == "abstract")
    found = {(m.text.lower(), m.concept_id) for m in seed_result.mentions if m.start >= abstract_start}
    texts = {text for text, _ in found}
    for required in (
        "dupilumab",
        "il-4",
        "il-13",
        "atopic dermatitis",
        "pruritus",
        "diabetes",
        "chronic kidney disease",
        "acquired reactive perforating collagenosis",
    ):
        assert required in texts, required
    assert ("il-4", "NCBIGene:3565") in found and ("il-13", "NCBIGene:3596") in found
    assert ("atopic dermatitis", "MONDO:0004980") in found
    assert any(
        "perforating collagenosis" in text for text in texts - {"acquired reactive perforating collagenosis"}
    )


def test_mentions_point_at_their_text(seed_result):
    for mention in seed_result.mentions:
        assert seed_result.document.text_at(mention.start, mention.end) == mention.text


def test_longest_match_wins(lexicon):
    found = _found(
        lexicon, "Patients with chronic kidney disease and type 2 diabetes mellitus were enrolled."
    )
    assert "chronic kidney disease" in found and "kidney disease" not in found
    assert any("diabetes mellitus" in text for text in found)


def test_short_gene_symbols_must_match_in_case(lexicon):
    assert "CAT" in _found(lexicon, "CAT activity was measured in liver extracts.")
    assert _found(lexicon, "The cat was given water.") == {"cat": ("NCBITaxon:9685",)}  # the animal


def test_hyphen_space_and_greek_variants_match(lexicon):
    for text in ("IL4 levels rose.", "Interleukin-4 levels rose.", "interleukin 4 levels rose."):
        mentions = find_mentions(_document(text), lexicon)
        assert any(m.candidates[0] == "NCBIGene:3565" for m in mentions), text
    tnf = [
        m
        for m in find_mentions(_document("TNF-α and TNFalpha were high."), lexicon)
        if m.type is EntityType.GENE
    ]
    assert len(tnf) == 2 and tnf[0].candidates[0] == tnf[1].candidates[0] == "NCBIGene:7124"


def test_document_abbreviations_take_the_meaning_of_their_long_form(lexicon):
    text = (
        "Patients with atopic dermatitis (AD) often itch. In AD, dupilumab helps. "
        "Alzheimer disease is different."
    )
    mentions = find_mentions(_document(text), lexicon)
    ad = [m for m in mentions if m.text == "AD"]
    assert len(ad) == 2 and all(m.candidates[0] == "MONDO:0004980" and m.method == "abbreviation" for m in ad)


@pytest.mark.parametrize("word", ["disease", "treatment", "blood", "group", "the", "and", "with", "was"])
def test_common_words_alone_are_not_entities(lexicon, word):
    assert word not in {m.text.lower() for m in find_mentions(_document(f"The {word} was noted."), lexicon)}


def test_patients_are_an_organism_mention_as_biored_annotates_them(lexicon):
    assert _found(lexicon, "The patients were treated.") == {"patients": ("NCBITaxon:9606",)}


def test_mouse_style_gene_symbols_match_but_lowercase_words_do_not(lexicon, extractor):
    assert "Bax" in _found(lexicon, "Bax expression increased in knockout mice.")
    # zebrafish writes its symbols in lower case ('bax' is baxa's alias): in a paper that is not about
    # zebrafish, the species stage leaves no such gene
    result = extractor.extract(_document("the bax was noted in the patients."))
    assert "bax" not in {m.text for m in result.mentions}


def test_a_match_never_leaves_a_bracket_open(lexicon):
    found = _found(lexicon, "isoproterenol-induced myocardial infarction (MI) in rats; MI size was reduced.")
    assert "myocardial infarction" in found and not any("(" in text for text in found)
    assert list(found).count("MI") == 1 and found["MI"] == found["myocardial infarction"]


def test_plurals_match_their_singular_names(lexicon):
    singular = find_mentions(_document("Cardiac arrhythmia was seen."), lexicon)[0]
    plural = find_mentions(_document("Cardiac arrhythmias were seen."), lexicon)[0]
    assert plural.text == "Cardiac arrhythmias" and plural.candidates[0] == singular.candidates[0]


def test_nested_names_resolve_to_the_longest(lexicon):
    found = _found(lexicon, "Dupilumab blocks the IL-4 receptor alpha chain.")
    assert not any(text == "IL-4" for text in found)
    assert any(text.startswith("IL-4 receptor") for text in found)


def test_a_name_does_not_end_inside_a_number(lexicon, extractor):
    """ChEBI's "diclofenac(1-)" is keyed "diclofenac 1": in a table of odds ratios it must not take "diclofenac
    1" of "diclofenac 1.17" and leave the drug unfound (BioRED dev lost diclofenac and ibuprofen this way)."""
    text = "Odds ratios: naproxen 1.59 (1.31, 1.93), diclofenac 1.17 (0.99, 1.38) and ibuprofen 1.05 (0.74, 1.51)."
    document = Document("PMID:1", "", (Passage("abstract", 0, text),))
    spans = {m.text for m in find_mentions(document, lexicon)}
    assert {"naproxen", "diclofenac", "ibuprofen"} <= spans
    assert not {s for s in spans if s[-1].isdigit()}
    found = {(m.text, m.type) for m in extractor.extract(document).mentions}
    assert {(n, EntityType.CHEMICAL) for n in ("diclofenac", "ibuprofen")} <= found


def test_an_organism_is_not_the_extract_named_after_it(lexicon):
    """UNII and DrugBank list allergen and food extracts named "Yeast", "Chicken", "Escherichia coli"; the text
    means the organism (BC5CDR dev PMID 3961813's "chickens" had been no mention at all). An extract named
    otherwise stays a chemical."""
    found = {
        m.text: (m.type, m.candidates)
        for m in find_mentions(
            _document("Saccharomyces cerevisiae, yeast and chickens grew on yeast extract; E. coli did not."),
            lexicon,
        )
    }
    assert found["Saccharomyces cerevisiae"] == (EntityType.SPECIES, ("NCBITaxon:4932",))
    assert found["yeast"] == (EntityType.SPECIES, ("NCBITaxon:4932",))
    assert found["chickens"] == (EntityType.SPECIES, ("NCBITaxon:9031",))
    assert found["E. coli"][0] is EntityType.SPECIES
    assert found["yeast extract"][0] is EntityType.CHEMICAL


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet="AD-_2xé١ ,(", max_size=30),
    short=st.text(alphabet="AD2é", min_size=1, max_size=3),
)
def test_a_short_form_stands_alone_where_the_pattern_says(text, short):
    # the propagation reads str.find, not a pattern compiled per short form; same places as the pattern
    loose = [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(short)}(?!\w)", text)]
    strict = [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w]|-\d|-[A-Z])", text)]
    assert occurrences(text, short) == loose
    assert occurrences(text, short, strict_hyphen=True) == strict
