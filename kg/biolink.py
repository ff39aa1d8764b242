"""The Biolink Model vocabulary `kg` uses: categories, predicates, qualifiers, id_prefixes order.

Closed sets are ``StrEnum`` members spelled as CURIEs, so a typo fails at import instead of minting a bad
IRI; the test suite checks every member against the schema shipped in the ``biolink-model`` package.
The package's data files (prefix map, per-class preferred prefixes, schema) are read directly, without
importing its LinkML data model.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "AgentType",
    "Category",
    "KnowledgeLevel",
    "Predicate",
    "Qualifier",
    "get_id_prefixes",
    "get_prefix_map",
    "get_schema",
    "get_superclasses",
    "get_superproperties",
    "model_version",
]

BIOLINK = "https://w3id.org/biolink/vocab/"


class Category(StrEnum):
    NAMED_THING = "biolink:NamedThing"
    DISEASE = "biolink:Disease"
    PHENOTYPIC_FEATURE = "biolink:PhenotypicFeature"
    GENE = "biolink:Gene"
    GENE_FAMILY = "biolink:GeneFamily"
    PROTEIN = "biolink:Protein"
    CHEMICAL_ENTITY = "biolink:ChemicalEntity"
    SMALL_MOLECULE = "biolink:SmallMolecule"
    DRUG = "biolink:Drug"
    ORGANISM_TAXON = "biolink:OrganismTaxon"
    SEQUENCE_VARIANT = "biolink:SequenceVariant"
    PUBLICATION = "biolink:Publication"
    ASSOCIATION = "biolink:Association"

    @property
    def label(self) -> str:
        """'biolink:GeneFamily' -> 'gene family'."""
        name = self.value.split(":", 1)[1]
        return "".join(" " + c.lower() if c.isupper() else c for c in name).strip()


class Predicate(StrEnum):
    RELATED_TO = "biolink:related_to"
    ASSOCIATED_WITH = "biolink:associated_with"
    CORRELATED_WITH = "biolink:correlated_with"
    POSITIVELY_CORRELATED_WITH = "biolink:positively_correlated_with"
    NEGATIVELY_CORRELATED_WITH = "biolink:negatively_correlated_with"
    TREATS = "biolink:treats"
    AFFECTS = "biolink:affects"
    CAUSES = "biolink:causes"
    CONTRIBUTES_TO = "biolink:contributes_to"
    HAS_PHENOTYPE = "biolink:has_phenotype"
    INTERACTS_WITH = "biolink:interacts_with"
    PHYSICALLY_INTERACTS_WITH = "biolink:physically_interacts_with"
    SUBCLASS_OF = "biolink:subclass_of"
    IN_TAXON = "biolink:in_taxon"
    ORTHOLOGOUS_TO = "biolink:orthologous_to"
    IS_SEQUENCE_VARIANT_OF = "biolink:is_sequence_variant_of"

    @property
    def label(self) -> str:
        """'biolink:contributes_to' -> 'contributes to'."""
        return self.value.split(":", 1)[1].replace("_", " ")


class Qualifier(StrEnum):
    QUALIFIED_PREDICATE = "biolink:qualified_predicate"
    OBJECT_ASPECT = "biolink:object_aspect_qualifier"
    OBJECT_DIRECTION = "biolink:object_direction_qualifier"


class KnowledgeLevel(StrEnum):
    KNOWLEDGE_ASSERTION = "knowledge_assertion"
    STATISTICAL_ASSOCIATION = "statistical_association"
    TEXT_CO_OCCURRENCE = "text_co_occurrence"
    NOT_PROVIDED = "not_provided"


class AgentType(StrEnum):
    TEXT_MINING_AGENT = "text_mining_agent"
    MANUAL_AGENT = "manual_agent"


def _package_dir() -> Path:
    spec = importlib.util.find_spec("biolink_model")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the 'biolink-model' package is not installed (pip install biolink-model)")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def get_prefix_map() -> dict[str, str]:
    """Biolink's JSON-LD prefix context: prefix -> IRI namespace."""
    path = _package_dir() / "prefixmaps" / "biolink_model_prefix_map.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@functools.cache
def _preferred_prefixes() -> dict[str, tuple[str, ...]]:
    path = _package_dir() / "prefixmaps" / "preferred_prefixes_per_class.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    result = {}
    for entry in data["biolink_class_prefixes"]:
        ordered = sorted(entry["prefix_map"], key=lambda item: item["order"])
        result[entry["class_name"]] = tuple(dict.fromkeys(item["prefix"] for item in ordered))
    return result


def get_id_prefixes(category: str) -> tuple[str, ...]:
    """The prefixes Biolink prefers for IDs of ``category``, best first.

    >>> get_id_prefixes("biolink:Gene")[:3]
    ('NCBIGene', 'ENSEMBL', 'HGNC')
    """
    return _preferred_prefixes().get(category, ())


@functools.cache
def get_schema() -> dict[str, Any]:
    """The Biolink Model schema (LinkML YAML) as plain data."""
    import yaml

    path = _package_dir() / "schema" / "biolink_model.yaml"
    with path.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle))


def _class_curie(name: str) -> str:
    """'disease or phenotypic feature' -> 'biolink:DiseaseOrPhenotypicFeature'."""
    return "biolink:" + "".join(word[:1].upper() + word[1:] for word in name.split())


def _slot_curie(name: str) -> str:
    """'related to' -> 'biolink:related_to'."""
    return "biolink:" + name.replace(" ", "_")


@functools.cache
def _hierarchy(kind: str) -> dict[str, tuple[str, ...]]:
    """Each Biolink class (or slot) as a CURIE -> its direct parents (``is_a`` and mixins), as CURIEs."""
    convert = _class_curie if kind == "classes" else _slot_curie
    result = {}
    for name, definition in get_schema()[kind].items():
        definition = definition or {}
        parents = [definition["is_a"]] if definition.get("is_a") else []
        parents += list(definition.get("mixins") or [])
        result[convert(name)] = tuple(convert(parent) for parent in parents)
    return result


def get_superclasses(category: str) -> tuple[str, ...]:
    """The direct superclasses of a Biolink category (``is_a`` and mixins), as CURIEs.

    >>> get_superclasses("biolink:Disease")
    ('biolink:DiseaseOrPhenotypicFeature',)
    """
    return _hierarchy("classes").get(category, ())


def get_superproperties(predicate: str) -> tuple[str, ...]:
    """The direct parents of a Biolink predicate (``is_a`` and mixins), as CURIEs.

    >>> get_superproperties("biolink:related_to_at_instance_level")
    ('biolink:related_to',)
    """
    return _hierarchy("slots").get(predicate, ())


def model_version() -> str:
    from importlib.metadata import version

    return version("biolink-model")
