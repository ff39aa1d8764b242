"""Every closed set a user chooses from, as ``StrEnum`` members: the one registry the command line, the
readers and the writers share, so ``--help`` lists the choices and a bad value is refused by the parser.

>>> RdfFormat("nt").suffix, RdfFormat.TURTLE.rdflib_name
('nt', 'turtle')
>>> RelationScheme("cdr")
<RelationScheme.CDR: 'cdr'>
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AnnotationFormat",
    "InputFormat",
    "PaperSource",
    "RdfFormat",
    "RelationScheme",
    "ResultFormat",
    "TaggingScheme",
]


class InputFormat(StrEnum):
    """Formats `kg` reads papers from (detected from the content unless given)."""

    BIOC_JSON = "bioc-json"
    BIOC_XML = "bioc-xml"
    JATS = "jats"
    MARKDOWN = "markdown"
    PUBMED = "pubmed"
    PUBTATOR = "pubtator"
    TEXT = "text"


class RdfFormat(StrEnum):
    """RDF serialisations `kg build` writes; the value is the file suffix."""

    TURTLE = "ttl"
    N_TRIPLES = "nt"
    JSON_LD = "jsonld"

    @property
    def suffix(self) -> str:
        return self.value

    @property
    def rdflib_name(self) -> str:
        """The format's name for rdflib's serialiser and parser."""
        return {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[self.value]


class ResultFormat(StrEnum):
    """How `kg query` prints results: a table for people, or a W3C SPARQL results format."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    XML = "xml"


class AnnotationFormat(StrEnum):
    """Corpus formats `kg annotate` writes."""

    PUBTATOR = "pubtator"
    BIOC_XML = "bioc-xml"
    BIOC_JSON = "bioc-json"


class RelationScheme(StrEnum):
    """The relation types of a gold corpus: BioRED's eight types, or BioCreative V CDR's chemical-induced
    disease (CID)."""

    BIORED = "biored"
    CDR = "cdr"


class PaperSource(StrEnum):
    """Where ``kg fetch`` gets papers: PubMed records, PMC open-access full texts, or PubTator3's
    annotated documents."""

    PUBMED = "pubmed"
    PMC = "pmc"
    PUBTATOR = "pubtator"


class TaggingScheme(StrEnum):
    """Whose annotation conventions the learned tagger follows: ``kg`` (BC5CDR's for diseases and
    chemicals, BioRED's for genes) or one corpus's (to score the tagger on that corpus)."""

    KG = "kg"
    BC5CDR = "bc5cdr"
    NCBI_DISEASE = "ncbi_disease"
    BIORED = "biored"
    NLM_GENE = "nlm_gene"
