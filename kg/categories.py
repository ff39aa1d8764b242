"""Which Biolink categories are which entity types: the one place that maps between the two.

`kg` tags five entity types (spelled as PubTator and BioC spell them, :class:`~kg.records.EntityType`);
the lexicon files concepts under Biolink categories (:class:`~kg.biolink.Category`). A gene family or a
protein is tagged as a gene, a phenotypic feature as a disease, a drug or small molecule as a chemical; organisms are taxa and sequence
variants are variants.

>>> entity_type_of("biolink:PhenotypicFeature")
<EntityType.DISEASE: 'Disease'>
>>> category_of("Chemical")
<Category.CHEMICAL_ENTITY: 'biolink:ChemicalEntity'>
>>> entity_type_of("biolink:Publication") is None
True
"""

from __future__ import annotations

from kg.biolink import Category
from kg.records import EntityType

__all__ = ["category_of", "entity_type_of"]

_ENTITY_TYPES = {
    Category.GENE: EntityType.GENE,
    Category.GENE_FAMILY: EntityType.GENE,
    Category.PROTEIN: EntityType.GENE,
    Category.DISEASE: EntityType.DISEASE,
    Category.PHENOTYPIC_FEATURE: EntityType.DISEASE,
    Category.CHEMICAL_ENTITY: EntityType.CHEMICAL,
    Category.SMALL_MOLECULE: EntityType.CHEMICAL,
    Category.DRUG: EntityType.CHEMICAL,
    Category.ORGANISM_TAXON: EntityType.SPECIES,
    Category.SEQUENCE_VARIANT: EntityType.VARIANT,
}
_CATEGORIES = {
    EntityType.DISEASE: Category.DISEASE,
    EntityType.GENE: Category.GENE,
    EntityType.CHEMICAL: Category.CHEMICAL_ENTITY,
    EntityType.SPECIES: Category.ORGANISM_TAXON,
    EntityType.VARIANT: Category.SEQUENCE_VARIANT,
}


def entity_type_of(category: str) -> EntityType | None:
    """The entity type of a Biolink category, or None for categories `kg` does not tag."""
    try:
        return _ENTITY_TYPES.get(Category(category))
    except ValueError:
        return None


def category_of(entity_type: str) -> Category | None:
    """The Biolink category of a concept `kg` makes for an entity type (None for a type it does not tag)."""
    try:
        return _CATEGORIES.get(EntityType(entity_type))
    except ValueError:
        return None
