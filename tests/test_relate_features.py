"""The relation model's features, piece by piece, on small hand-made documents."""

import pytest

from kg.records import Concept, Document, EntityType, Mention, Passage
from kg.relate import extract_relations
from kg.relate_features import (
    CLOSE_MENTIONS,
    MAX_DISTANT_CONCEPTS,
    DocumentView,
    bucket,
    candidate_features,
    find_candidates,
    instance_sequence,
    polarity,
    tokens_of,
)

C, D, G = EntityType.CHEMICAL, EntityType.DISEASE, EntityType.GENE


def _document(text: str, *names: tuple[str, EntityType, str], kind: str = "abstract"):
    """A one-passage document and a mention (with its concept) at each occurrence of each name."""
    document = Document("PMID:1", text if kind == "title" else "", (Passage(kind, 0, text),))
    mentions, concepts = [], {}
    for name, entity_type, curie in names:
        start = text.find(name)
        while start >= 0:
            mentions.append(Mention(start, start + len(name), name, entity_type, (curie,), curie))
            start = text.find(name, start + 1)
        concepts[curie] = Concept(curie, name, "biolink:NamedThing")
    mentions.sort(key=lambda m: m.start)
    return document, mentions, concepts


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("reduced", "down"),
        ("inhibitor", "down"),
        ("resolution", "down"),
        ("induced", "up"),
        ("activating", "up"),
        ("risk", "up"),
        ("associated", "assoc"),
        ("correlation", "assoc"),
        ("patients", ""),
    ],
)
def test_polarity_cues(word, expected):
    assert polarity(word) == expected


def test_tokens_and_buckets():
    assert tokens_of("Cisplatin-induced nephrotoxicity (n = 12)") == [
        "cisplatin",
        "-",
        "induced",
        "nephrotoxicity",
        "(",
        "n",
        "=",
        "<num>",
        ")",
    ]
    assert [bucket(n, (0, 1, 2, 4)) for n in (0, 1, 3, 4, 5)] == ["0", "1", "4", "4", ">4"]


def test_other_entities_between_are_blinded_to_their_type():
    text = "Aspirin and warfarin increased bleeding."
    document, mentions, concepts = _document(
        text, ("Aspirin", C, "CHEBI:1"), ("warfarin", C, "CHEBI:2"), ("bleeding", D, "MESH:D1")
    )
    view = DocumentView(document, mentions, concepts, [])
    sentence = view.sentences[0]
    aspirin, warfarin, bleeding = range(3)
    words = view.between(sentence, view.span_of[aspirin][1], view.span_of[bleeding][0], (aspirin, bleeding))
    assert words == ["and", "@C", "increased"]
    assert view.between(sentence, 0, len(sentence.tokens), (warfarin,))[:3] == ["@C", "and", "warfarin"]


def test_an_instance_sees_words_order_polarity_negation_and_the_rules():
    text = "Cisplatin did not induce nephrotoxicity in patients with cancer."
    document, mentions, concepts = _document(
        text, ("Cisplatin", C, "CHEBI:1"), ("nephrotoxicity", D, "MESH:D1"), ("cancer", D, "MESH:D2")
    )
    _, candidates = candidate_features(
        document, mentions, concepts, extract_relations(document, mentions), "cdr"
    )
    by_pair = {(c.subject, c.object): c for c in candidates}
    assert set(by_pair) == {("CHEBI:1", "MESH:D1"), ("CHEBI:1", "MESH:D2")}  # chemical -> disease only
    near = by_pair[("CHEBI:1", "MESH:D1")].instances[0]
    assert {"order:so", "bw:did", "bw:not", "bw:induce", "pol_bw:up", "neg:between", "dist:4"} <= set(near)
    assert near["#dist"] == 3.0
    far = by_pair[("CHEBI:1", "MESH:D2")].instances[0]
    assert {"ctx:o:patients_with", "prep:o:with", "ents_between:1", "bw:@D"} <= set(far)
    bag = by_pair[("CHEBI:1", "MESH:D1")].bag()
    assert bag["i:neg:between"] == 1.0 and "i:#dist" not in bag  # numeric values are not pooled
    assert bag["tp:CD"] == 1.0 and bag["cooc:1"] == 1.0


def test_the_trigger_rules_verdict_and_voice_are_features():
    text = "Hepatitis was induced by isoniazid."
    document, mentions, concepts = _document(text, ("Hepatitis", D, "MESH:D1"), ("isoniazid", C, "CHEBI:1"))
    _, [candidate] = candidate_features(
        document, mentions, concepts, extract_relations(document, mentions), "cdr"
    )
    assert {"order:os", "rule:causes:fwd:", "rule:any", "loc:first"} <= set(candidate.instances[0])


def test_document_features_say_how_central_each_concept_is():
    text = "Lithium and tremor. Lithium caused tremor in two cases. Haloperidol was also given."
    document, mentions, concepts = _document(
        text, ("Lithium", C, "CHEBI:1"), ("tremor", D, "MESH:D1"), ("Haloperidol", C, "CHEBI:2")
    )
    _, candidates = candidate_features(document, mentions, concepts, [], "cdr")
    main = next(c for c in candidates if c.subject == "CHEBI:1").doc
    other = next(c for c in candidates if c.subject == "CHEBI:2").doc
    assert main["#scount"] == 2.0 and main["srank:0"] == 1.0 and main["cooc:2"] == 1.0
    assert (
        other["srank:1"] == 1.0 and other["cooc:0"] == 1.0 and other["gap:1"] == 1.0 and other["#gap"] == 1.0
    )


def test_biored_candidates_pair_every_type_but_two_diseases():
    text = "TNF and IL6 levels in sepsis and shock after endotoxin."
    document, mentions, concepts = _document(
        text,
        ("TNF", G, "NCBIGene:1"),
        ("IL6", G, "NCBIGene:2"),
        ("sepsis", D, "MESH:D1"),
        ("shock", D, "MESH:D2"),
        ("endotoxin", C, "CHEBI:1"),
    )
    view = DocumentView(document, mentions, concepts, [])
    types = sorted(c.types for c in find_candidates(view, "biored"))
    assert types == ["CD", "CD", "CG", "CG", "DG", "DG", "DG", "DG", "GG"]
    assert all(c.types == "CD" for c in find_candidates(view, "cdr"))


def test_a_long_list_makes_candidates_linear_in_its_mentions():
    genes = [f"GENE{k}" for k in range(3 * MAX_DISTANT_CONCEPTS)]
    text = f"Expression of {', '.join(genes)} was inhibited by dexamethasone."
    document, mentions, concepts = _document(
        text, *((g, G, f"NCBIGene:{k}") for k, g in enumerate(genes)), ("dexamethasone", C, "CHEBI:1")
    )
    view = DocumentView(document, mentions, concepts, [])
    found = find_candidates(view, "biored")
    assert len(found) <= (CLOSE_MENTIONS + 1) * len(mentions)  # not every pair of 181 concepts
    assert ("NCBIGene:0", "NCBIGene:1") in {(c.subject, c.object) for c in found}
    assert ("NCBIGene:0", "NCBIGene:100") not in {(c.subject, c.object) for c in found}


def test_the_cnn_window_marks_the_pair_and_blinds_the_others():
    text = "Metformin reduced the risk of colorectal cancer in patients with diabetes."
    document, mentions, concepts = _document(
        text, ("Metformin", C, "CHEBI:1"), ("colorectal cancer", D, "MESH:D1"), ("diabetes", D, "MESH:D2")
    )
    view = DocumentView(document, mentions, concepts, [])
    tokens, subject, obj = instance_sequence(view, 0, 1)
    assert tokens == ["<s>", "reduced", "the", "risk", "of", "<o>", "in", "patients", "with", "@D", "."]
    assert (subject, obj) == (0, 5)


def test_title_and_conclusion_sentences_are_located():
    text = "CONCLUSIONS: Ketamine induces cystitis."
    document, mentions, concepts = _document(text, ("Ketamine", C, "CHEBI:1"), ("cystitis", D, "MESH:D1"))
    _, [candidate] = candidate_features(document, mentions, concepts, [], "cdr")
    assert {"sec:conclusion", "loc:last"} <= set(candidate.instances[0])
    document, mentions, concepts = _document(
        "Ketamine and cystitis", ("Ketamine", C, "CHEBI:1"), ("cystitis", D, "MESH:D1"), kind="title"
    )
    _, [candidate] = candidate_features(document, mentions, concepts, [], "cdr")
    assert "loc:title" in candidate.instances[0] and candidate.doc["titles:11"] == 1.0
