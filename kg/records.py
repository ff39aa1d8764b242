"""Frozen records that pass from one pipeline stage to the next.

read -> :class:`Document` -> recognise -> :class:`Mention` -> ground -> :class:`Concept`
-> relate -> :class:`Relation` (with its :class:`Evidence`) -> graph.

Offsets are character offsets into the document's coordinate space: each :class:`Passage` says where its
text starts (as in PubTator and BioC), so a span ``(start, end)`` reads back as
``document.text_at(start, end)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Annotation",
    "Concept",
    "Document",
    "DocumentResult",
    "EntityType",
    "Evidence",
    "GivenRelation",
    "Mention",
    "Passage",
    "Relation",
]


class EntityType(StrEnum):
    """The entity types `kg` recognises, spelled as PubTator and BioC spell them (`kg`'s readers map BioRED's
    ``OrganismTaxon`` to ``Species`` and ``SequenceVariant`` to ``Variant``)."""

    DISEASE = "Disease"
    GENE = "Gene"
    CHEMICAL = "Chemical"
    SPECIES = "Species"
    VARIANT = "Variant"


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of a document's text: title, abstract, a section."""

    kind: str
    offset: int
    text: str

    @property
    def end(self) -> int:
        return self.offset + len(self.text)


@dataclass(frozen=True, slots=True)
class Annotation:
    """An entity annotation that came with the document (gold or the source's own), not found by `kg`.

    ``start``/``end`` are None when the source gives names and IDs without positions.
    """

    text: str
    type: str
    ids: tuple[str, ...]
    start: int | None = None
    end: int | None = None
    source: str = "document"


@dataclass(frozen=True, slots=True)
class GivenRelation:
    """A relation that came with the document (e.g. a gold CID or BioRED relation), between concept IDs."""

    type: str
    subject: str
    object: str
    novel: bool | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One paper: an id (a CURIE such as ``PMC:11208807`` or ``PMID:6794356``), its passages and metadata."""

    id: str
    title: str
    passages: tuple[Passage, ...]
    annotations: tuple[Annotation, ...] = ()
    relations: tuple[GivenRelation, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    source: str = ""
    warnings: tuple[str, ...] = ()  # what the reader refused (e.g. invalid IDs), for the build report

    @property
    def publication_types(self) -> tuple[str, ...]:
        """PubMed publication types ("Journal Article", "Review", "Retracted Publication"...) or the JATS
        article type, as the source gives them."""
        return tuple(value for name, value in self.metadata if name == "publication_type")

    @property
    def is_retracted(self) -> bool:
        """Whether the source marks this paper as retracted (PubMed's "Retracted Publication" type or a
        RetractionIn link; a JATS article that points to its retraction notice)."""
        return self.get_metadata("retracted") == "true"

    def get_metadata(self, key: str) -> str | None:
        """The first metadata value for ``key``, or None."""
        for name, value in self.metadata:
            if name == key:
                return value
        return None

    def laid_out(self, gap: str = " ") -> str:
        """The passages at their offsets, as one string whose offsets are the document's: the gaps between
        passages filled with ``gap`` (a line break keeps patterns from running across passages); a passage
        that starts inside the one before cuts it there.

        >>> Document("PMID:1", "", (Passage("title", 0, "Gout"), Passage("abstract", 5, "Pain."))).laid_out()
        'Gout Pain.'
        """
        parts: list[str] = []
        length = 0
        for passage in sorted(self.passages, key=lambda p: p.offset):
            if passage.offset < length:
                text = "".join(parts)[: passage.offset]
                parts, length = [text], len(text)
            parts.append(gap * (passage.offset - length))
            parts.append(passage.text)
            length = passage.offset + len(passage.text)
        return "".join(parts)

    def text_at(self, start: int, end: int) -> str:
        """The document text between two document offsets (within one passage)."""
        for passage in self.passages:
            if passage.offset <= start and end <= passage.end:
                return passage.text[start - passage.offset : end - passage.offset]
        raise ValueError(f"span {start}-{end} is not inside one passage of document {self.id}")


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of text that names an entity.

    ``candidates`` are the concept IDs the lexicon offers for the span; grounding picks ``concept_id``.
    ``nested`` marks a chemical named inside a gene's name (the *dopamine* of *dopamine D1 receptor*): the
    corpora annotate it, so annotations and scores keep it, but the graph has the gene, not the chemical.
    """

    start: int
    end: int
    text: str
    type: EntityType
    candidates: tuple[str, ...] = ()
    concept_id: str | None = None
    method: str = "dictionary"
    score: float = 1.0
    nested: bool = False


@dataclass(frozen=True, slots=True)
class Concept:
    """A node of the graph: one concept with all its equivalent IDs.

    ``id`` is the preferred CURIE (Biolink's ``id_prefixes`` order for the category); ``xrefs`` are the
    other IDs of the same concept; ``parents`` are direct superclasses in the source ontology;
    ``broad_match`` links a local concept (one no ontology has) to the nearest ontology concept.
    ``taxon`` is a gene's species (``NCBITaxon:10090``); ``orthologs`` are, for a gene of another species,
    its human orthologs, and for a human gene, its orthologs in the other species the lexicon covers (NCBI
    Gene IDs, from HGNC and RGD).
    """

    id: str
    label: str
    category: str
    xrefs: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    broad_match: tuple[str, ...] = ()
    description: str = ""
    taxon: str = ""
    orthologs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why an edge exists: where in which paper, the sentence, both entities' spans, how it was found."""

    document_id: str
    sentence: str
    sentence_start: int
    subject_text: str
    subject_start: int
    subject_end: int
    object_text: str
    object_start: int
    object_end: int
    method: str
    score: float
    trigger: str = ""
    negated: bool = False
    hedged: bool = False
    passage: str = ""
    retracted: bool = False  # the paper it comes from was retracted (see Document.is_retracted)

    @property
    def sentence_end(self) -> int:
        return self.sentence_start + len(self.sentence)


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed statement between two concepts (CURIEs) with a Biolink predicate and its evidence.

    ``qualifiers`` refine the predicate the Biolink way, e.g. *affects* with
    ``(("biolink:object_aspect_qualifier", "activity"), ("biolink:object_direction_qualifier", "decreased"))``
    for "inhibits".
    """

    subject: str
    predicate: str
    object: str
    evidence: Evidence
    qualifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything `kg` found in one document: the per-document unit that graphs are built from."""

    document: Document
    mentions: tuple[Mention, ...] = ()
    concepts: tuple[Concept, ...] = ()
    relations: tuple[Relation, ...] = ()
    warnings: tuple[str, ...] = field(default=())
