"""Grounding: one concept per mention, local concepts for names no ontology has, bad annotations refused."""

from kg.annotations import names_from_annotations
from kg.records import Annotation, Document, Passage


def _with_annotations(*annotations: Annotation) -> Document:
    return Document("KG:document.test", "t", (Passage("abstract", 0, "text"),), annotations=annotations)


def test_every_mention_is_grounded_to_a_concept_it_lists(seed_result):
    concepts = {c.id for c in seed_result.concepts}
    for mention in seed_result.mentions:
        assert mention.concept_id in mention.candidates and mention.concept_id in concepts


def test_a_name_the_ontologies_lack_becomes_a_local_concept_with_broader_links(seed_result, lexicon):
    concepts = {c.id: c for c in seed_result.concepts}
    arpc = concepts["KG:disease.acquired-reactive-perforating-collagenosis"]
    assert arpc.label == "acquired reactive perforating collagenosis"
    assert arpc.category == "biolink:Disease"
    assert arpc.broad_match, "a local concept must link to the nearest ontology concepts"
    assert "MONDO:0009000" not in arpc.broad_match  # the familial form is not the acquired one
    assert any("MONDO:0005093" in set(lexicon.iter_ancestors(b)) | {b} for b in arpc.broad_match)


def test_wrong_annotations_are_refused_with_a_warning(lexicon):
    document = _with_annotations(
        Annotation(
            "pruritic dermatological conditions", "Disease", ("MESH:D000168",)
        ),  # acrocephalosyndactyly
        Annotation("systemic diseases", "Disease", ("MESH:D034721",)),  # systemic mastocytosis
    )
    names, local, warnings = names_from_annotations(document, lexicon)
    assert not names.names and not local
    assert len(warnings) == 2 and "acrocephalosyndactyly" in warnings[0] and "mastocytosis" in warnings[1]


def test_annotation_names_with_qualifiers_keep_their_concept(lexicon):
    document = _with_annotations(Annotation("Chronic pruritus", "Disease", ("MESH:D011537",)))
    names, local, warnings = names_from_annotations(document, lexicon)
    assert next(iter(names.names.values()))[0] == "MESH:D011537" and not local and not warnings


def test_narrower_annotation_names_become_local_concepts_under_their_concept(lexicon):
    document = _with_annotations(Annotation("Perforating Dermatosis", "Disease", ("MESH:D012871",)))
    _, [concept], _ = names_from_annotations(document, lexicon)
    assert concept.id == "KG:disease.perforating-dermatosis"
    assert concept.broad_match == (lexicon.get_preferred_id("MESH:D012871"),)


def test_invalid_annotation_ids_never_reach_the_graph(lexicon):
    document = _with_annotations(Annotation("foo bar", "Disease", ("MESH:D00<script>",)))
    names, local, warnings = names_from_annotations(document, lexicon)
    assert not local and not names.names and "not a valid MESH identifier" in warnings[0]
