import pytest

from kg.biolink import Category, Predicate, Qualifier, get_id_prefixes, get_prefix_map, get_schema


def _names(section: str) -> set[str]:
    return {name.replace(" ", "_") for name in get_schema()[section]}


@pytest.mark.parametrize("category", list(Category))
def test_every_category_is_a_biolink_class(category):
    name = category.value.split(":", 1)[1]
    classes = {"".join(word.capitalize() for word in c.split()) for c in get_schema()["classes"]}
    assert name in classes


@pytest.mark.parametrize("predicate", [*Predicate, *Qualifier])
def test_every_predicate_and_qualifier_is_a_biolink_slot(predicate):
    assert predicate.value.split(":", 1)[1] in _names("slots")


def test_preferred_id_prefixes_follow_biolink():
    assert get_id_prefixes("biolink:Disease")[0] == "MONDO"
    assert get_id_prefixes("biolink:Gene")[0] == "NCBIGene"
    assert get_prefix_map()["biolink"] == "https://w3id.org/biolink/vocab/"


def test_labels_are_readable():
    assert Category.GENE_FAMILY.label == "gene family"
    assert Predicate.CONTRIBUTES_TO.label == "contributes to"
