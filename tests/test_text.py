import pytest

from kg.text import key, split_sentences, tokenize


@pytest.mark.parametrize(
    "variants",
    [
        ("IL-4", "IL4", "IL 4", "il-4"),
        ("interleukin-4", "interleukin 4", "Interleukin 4"),
        ("TNF-α", "TNF-alpha", "TNFalpha", "TNF alpha", "TNFα"),
        ("Alzheimer's disease", "Alzheimer disease", "Alzheimer’s disease", "Alzheimers disease"),
        ("cardiac arrhythmias", "cardiac arrhythmia"),
        ("Sjögren syndrome", "Sjogren syndrome"),
        ("type 2 diabetes", "type-2 diabetes", "type2 diabetes"),
    ],
)
def test_variants_of_a_name_share_one_key(variants):
    assert len({key(v) for v in variants}) == 1


def test_distinct_names_keep_distinct_keys():
    assert key("IL-4") != key("IL-14")
    assert key("IL-4") != key("IL-4R")
    assert key("diabetes insipidus") != key("diabetes mellitus")


def test_tokens_keep_their_offsets():
    text = "dupilumab inhibits IL-4/IL-13 signalling"
    assert [(t.norm, text[t.start : t.end]) for t in tokenize(text)][2:6] == [
        ("il", "IL"),
        ("4", "4"),
        ("il", "IL"),
        ("13", "13"),
    ]


def test_sentences_of_the_seed_abstract_split_at_their_ends_only():
    text = (
        "Reactive perforating collagenosis is often associated with systemic diseases in which pruritus is a "
        "common symptom (e.g., diabetes and chronic kidney disease). Less commonly, it has been associated "
        "with chronic inflammatory dermatoses, including atopic dermatitis, as in this case. In this report, "
        "we describe the case of a 35-year-old man (Fig. 1). Smith et al. found 2.5 mg/kg doses safe."
    )
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert len(sentences) == 4
    assert sentences[0].endswith("chronic kidney disease).")
    assert sentences[2].endswith("(Fig. 1).")
    assert sentences[3] == "Smith et al. found 2.5 mg/kg doses safe."


def test_british_spellings_have_the_american_key_and_other_words_keep_theirs():
    from kg.text import key

    for british, american in (
        ("haemorrhage", "hemorrhage"),
        ("Oedema", "edema"),
        ("tumours", "tumor"),
        ("hypokalaemia", "hypokalemia"),
        ("oestrogen", "estrogen"),
        ("diarrhoea", "diarrhea"),
        ("paraesthesia", "paresthesia"),
        ("paediatric", "pediatric"),
        ("pregnenolone sulphate", "pregnenolone sulfate"),
        ("leucopenia", "leukopenia"),
    ):
        assert key(british) == key(american), british
    for word in ("does", "shoe", "leucine", "angioedema", "aerobic", "aeruginosa", "four", "hour"):
        assert key(word) not in {
            key(w) for w in ("des", "she", "leukine", "erobic", "eruginosa", "for", "hor")
        }


def test_a_british_spelling_is_grounded_as_the_american_name(extractor):
    from kg.records import Document, Passage

    text = "Severe hypokalaemia and peripheral oedema followed; one patient died of haemorrhage."
    result = extractor.extract(Document("PMID:1", "", (Passage("abstract", 0, text),)))
    found = {m.text: m.concept_id for m in result.mentions}
    assert found["hypokalaemia"] == "MESH:D007008"  # Hypokalemia
    assert found["haemorrhage"] == "MESH:D006470"  # Hemorrhage
    assert "oedema" in " ".join(found)
