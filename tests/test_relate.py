"""Relations from trigger words, on the seed paper and on small real-style sentences."""

import pytest

from kg.ground import ground_mentions
from kg.recognise import find_mentions
from kg.records import Document, Passage
from kg.relate import extract_relations


def _relations(lexicon, text: str):
    document = Document("PMID:1", "t", (Passage("abstract", 0, text),))
    mentions, _ = ground_mentions(find_mentions(document, lexicon), lexicon)
    return [
        (
            r.evidence.subject_text,
            r.predicate,
            r.evidence.object_text,
            r.evidence.negated,
            r.evidence.hedged,
            dict(r.qualifiers).get("biolink:object_direction_qualifier"),
        )
        for r in extract_relations(document, mentions)
    ]


def _abstract_relations(seed_result):
    return {
        (r.subject, r.predicate, r.object, dict(r.qualifiers).get("biolink:object_direction_qualifier"))
        for r in seed_result.relations
        if r.evidence.passage == "abstract"
    }


def test_the_seed_chain_comes_out_of_the_abstract(seed_result):
    relations = _abstract_relations(seed_result)
    dupilumab = next(c.id for c in seed_result.concepts if c.label == "Dupilumab")
    arpc = "KG:disease.acquired-reactive-perforating-collagenosis"
    for gene in ("NCBIGene:3565", "NCBIGene:3596"):
        assert (dupilumab, "biolink:affects", gene, "decreased") in relations
        assert (gene, "biolink:contributes_to", "MONDO:0004980", None) in relations
    assert (arpc, "biolink:associated_with", "MONDO:0004980", None) in relations or (
        "MONDO:0004980",
        "biolink:associated_with",
        arpc,
        None,
    ) in relations


def test_every_relation_carries_its_evidence(seed_result):
    document = seed_result.document
    for relation in seed_result.relations:
        evidence = relation.evidence
        assert evidence.document_id == document.id
        assert document.text_at(evidence.sentence_start, evidence.sentence_end) == evidence.sentence
        assert document.text_at(evidence.subject_start, evidence.subject_end) == evidence.subject_text
        assert document.text_at(evidence.object_start, evidence.object_end) == evidence.object_text
        if evidence.method.startswith("kg.relate:"):  # the learned model's "trigger" is its corpus type
            assert evidence.trigger.lower() in evidence.sentence.lower()
        assert 0 < evidence.score <= 1 and evidence.method


def test_resistance_to_treatment_is_no_treats_edge(lexicon):
    relations = _relations(
        lexicon, "The patient with atopic dermatitis was resistant to treatment with cyclosporine."
    )
    assert all(not (p == "biolink:treats" and not negated) for _, p, _, negated, _, _ in relations)
    assert any(p == "biolink:treats" and negated for _, p, _, negated, _, _ in relations)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Lithium carbonate induced nephrogenic diabetes insipidus in two patients.",
            ("Lithium carbonate", "biolink:causes", "nephrogenic diabetes insipidus"),
        ),
        (
            "Metformin is effective in the treatment of type 2 diabetes.",
            ("Metformin", "biolink:treats", "type 2 diabetes"),
        ),
        ("Atopic dermatitis is driven by IL-4.", ("IL-4", "biolink:contributes_to", "Atopic dermatitis")),
        ("Aspirin inhibits PTGS2 in platelets.", ("Aspirin", "biolink:affects", "PTGS2")),
    ],
)
def test_triggers_type_and_direct_relations(lexicon, text, expected):
    assert expected in [r[:3] for r in _relations(lexicon, text)]


def test_hedged_claims_are_marked(lexicon):
    relations = _relations(lexicon, "Dupilumab may be effective in the treatment of atopic dermatitis.")
    assert relations and all(hedged for *_, hedged, _ in relations)


def test_coordinated_objects_share_the_relation_but_new_clauses_do_not(lexicon):
    relations = _relations(lexicon, "Dupilumab inhibits IL-4 and IL-13, and metformin lowers glucose.")
    assert ("Dupilumab", "biolink:affects", "IL-13") in [r[:3] for r in relations]
    assert not any(s == "IL-13" and o == "metformin" for s, _, o, *_ in relations)


def test_the_seed_relations_issue_4_asks_for(seed_result):
    relations = {(r.subject, r.predicate, r.object) for r in seed_result.relations if not r.evidence.negated}
    concepts = {c.label: c.id for c in seed_result.concepts}
    dupilumab, arpc = concepts["Dupilumab"], "KG:disease.acquired-reactive-perforating-collagenosis"
    assert (dupilumab, "biolink:treats", arpc) in relations
    assert (dupilumab, "biolink:treats", "MONDO:0004980") in relations
    for gene in ("NCBIGene:3565", "NCBIGene:3596"):
        assert (dupilumab, "biolink:affects", gene) in relations
        assert (gene, "biolink:contributes_to", "MESH:D011537") in relations  # pruritus
    assert (arpc, "biolink:associated_with", "MONDO:0004980") in relations
    diabetes, ckd = "MONDO:0005015", concepts["chronic renal failure syndrome"]  # the corpus's CKD concept
    assert (arpc, "biolink:associated_with", diabetes) in relations
    assert (arpc, "biolink:associated_with", ckd) in relations


def test_examples_in_parentheses_share_the_relation_of_their_noun_phrase(lexicon):
    relations = _relations(
        lexicon, "Aspirin is associated with diseases in which pain is common (e.g., arthritis and migraine)."
    )
    assert {("Aspirin", "arthritis"), ("Aspirin", "migraine")} <= {(s, o) for s, _, o, *_ in relations}


def test_examples_after_a_relative_clause_share_the_relation_of_their_noun_phrase(lexicon):
    relations = _relations(
        lexicon,
        "Gout is often associated with systemic diseases in which pruritus is a common symptom "
        "(e.g., diabetes and chronic kidney disease).",
    )
    pairs = {frozenset((s, o)) for s, p, o, *_ in relations if p == "biolink:associated_with"}
    assert {frozenset(("Gout", "diabetes")), frozenset(("Gout", "chronic kidney disease"))} <= pairs
    assert frozenset(("pruritus", "diabetes")) not in pairs
