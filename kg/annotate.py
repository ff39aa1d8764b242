"""Write what `kg` finds in documents in the corpus formats other tools read: PubTator and BioC.

``kg annotate INPUT -f pubtator -o OUT`` re-annotates the input's text (any annotations already in it are
ignored) with `kg`'s mentions, each with the ID PubTator tools expect: MeSH for diseases and chemicals
(a descriptor before a supplementary record), NCBI Gene for genes, wherever the concept has one, else its
preferred CURIE. Relations are written as ``PMID<TAB>Type<TAB>ID1<TAB>ID2`` with BioRED's relation types
(or only CDR's ``CID`` with ``scheme=RelationScheme.CDR``), see :func:`relation_type`.
"""

from __future__ import annotations

import functools
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from kg.biolink import Category, Predicate
from kg.choices import AnnotationFormat, InputFormat, RelationScheme
from kg.extract import Extractor
from kg.identifiers import HUMAN_TAXON
from kg.lexicon import Lexicon
from kg.pipeline import BuildReport, extract_documents
from kg.read import iter_documents
from kg.records import Concept, Document, DocumentResult, EntityType, Relation

__all__ = [
    "annotate_files",
    "corpus_convention",
    "corpus_id",
    "generate_annotations",
    "generate_bioc_json",
    "generate_bioc_xml",
    "generate_pubtator",
    "relation_type",
]


_CORPUS_PREFIXES = {
    EntityType.GENE.value: "NCBIGene:",
    EntityType.SPECIES.value: "NCBITaxon:",
    EntityType.VARIANT.value: "DBSNP:",
}


def corpus_id(concept: Concept, entity_type: EntityType | str) -> str:
    """The ID a PubTator tool expects for a concept: MeSH for diseases/chemicals, NCBI Gene for genes, NCBI
    Taxonomy for organisms, dbSNP for variants (else kg's own ID).

    >>> corpus_id(Concept("MONDO:0004980", "atopic eczema", "biolink:Disease", ("DOID:3310", "MESH:D003876")), "Disease")
    'MESH:D003876'
    """
    ids = (concept.id, *concept.xrefs)
    wanted = _CORPUS_PREFIXES.get(str(entity_type), "MESH:")
    matches = sorted((i for i in ids if i.startswith(wanted)), key=lambda i: (not i.startswith("MESH:D"), i))
    return matches[0] if matches else concept.id


@functools.lru_cache(maxsize=4)
def family_members(lexicon: Lexicon) -> dict[str, tuple[str, ...]]:
    """Each gene family's member genes (FamPlex's, as the lexicon's parents say), oldest NCBI Gene record
    first; a family of families has its sub-families' genes."""
    direct: dict[str, list[str]] = {}
    for _, curie, category, _, parents in lexicon.iter_concept_rows():
        for parent in parents:
            if parent.startswith("FPLX:") and category in (Category.GENE.value, Category.GENE_FAMILY.value):
                direct.setdefault(parent, []).append(curie)

    def genes(family: str, seen: frozenset[str]) -> list[str]:
        found = [m for m in direct.get(family, []) if m.startswith("NCBIGene:")]
        if found:
            return found
        return [g for sub in direct.get(family, []) if sub not in seen for g in genes(sub, seen | {sub})]

    def number(curie: str) -> int:
        return int(curie.split(":", 1)[1]) if curie.split(":", 1)[1].isdigit() else 1 << 60

    return {family: tuple(sorted(set(genes(family, frozenset({family}))), key=number)) for family in direct}


def corpus_convention(result: DocumentResult, lexicon: Lexicon) -> DocumentResult:
    """The result as the corpora annotate it: a gene family's mentions and relations ("Akt", "p38", "NMDA
    receptor") stand for one member, its oldest gene (AKT1, MAPK14, GRIN1) in the species of the document's
    other genes (mouse Akt1 in a mouse paper). The graph keeps the family; corpus formats and scores use this.
    """
    families = {c.id for c in result.concepts if c.category == Category.GENE_FAMILY.value}
    if not families:
        return result
    taxa = Counter(
        c.taxon for c in result.concepts if c.category == Category.GENE.value and c.taxon
    ).most_common()
    taxon = taxa[0][0] if taxa and (len(taxa) == 1 or taxa[0][1] > taxa[1][1]) else HUMAN_TAXON
    members = family_members(lexicon)
    chosen: dict[str, Concept] = {}
    for family in sorted(families):
        human = [lexicon.get_concept(g) for g in members.get(family, ())]
        first = next((c for c in human if c is not None and c.taxon == HUMAN_TAXON), None)
        if first is None:
            continue
        if taxon != HUMAN_TAXON:
            ortholog = next(
                (c for c in map(lexicon.get_concept, first.orthologs) if c is not None and c.taxon == taxon),
                None,
            )
            first = ortholog or first
        chosen[family] = first

    def member(curie: str) -> str:
        return chosen[curie].id if curie in chosen else curie

    return replace(
        result,
        mentions=tuple(
            replace(m, concept_id=member(m.concept_id)) if m.concept_id in chosen else m
            for m in result.mentions
        ),
        concepts=tuple(
            sorted({c.id: c for c in (*result.concepts, *chosen.values())}.values(), key=lambda c: c.id)
        ),
        relations=tuple(
            replace(r, subject=member(r.subject), object=member(r.object))
            if r.subject in chosen or r.object in chosen
            else r
            for r in result.relations
        ),
    )


def _bare(curie: str) -> str:
    """PubTator writes MeSH, NCBI Gene, NCBI Taxonomy and dbSNP IDs without their prefix."""
    for prefix in ("MESH:", "NCBIGene:", "NCBITaxon:", "DBSNP:"):
        if curie.startswith(prefix):
            return curie[len(prefix) :]
    return curie


def relation_type(
    relation: Relation,
    subject_type: str,
    object_type: str,
    scheme: RelationScheme | str = RelationScheme.BIORED,
) -> str | None:
    """The corpus relation type of a `kg` relation (None when the scheme has none for it).

    BioRED: *treats* and decreasing *affects* are ``Negative_Correlation``; *causes*, *contributes to* and
    increasing *affects* are ``Positive_Correlation``; *physically interacts with* is ``Bind``; *associated
    with* is ``Association``. CDR: a chemical that *causes* or *contributes to* a disease is ``CID``.
    """
    scheme = RelationScheme(scheme)
    if relation.evidence.negated:
        return None
    learned_scheme, _, kind = relation.evidence.trigger.partition(":")
    if kind and learned_scheme in set(RelationScheme):  # the learned model's own type
        return kind if learned_scheme == scheme.value else None
    predicate = relation.predicate
    direction = dict(relation.qualifiers).get("biolink:object_direction_qualifier")
    if scheme is RelationScheme.CDR:
        chemical_disease = {subject_type, object_type} == {
            EntityType.CHEMICAL.value,
            EntityType.DISEASE.value,
        }
        causal = predicate in (Predicate.CAUSES.value, Predicate.CONTRIBUTES_TO.value)
        return "CID" if chemical_disease and causal and subject_type == EntityType.CHEMICAL.value else None
    if predicate == Predicate.TREATS.value or (
        predicate == Predicate.AFFECTS.value and direction == "decreased"
    ):
        return "Negative_Correlation"
    if predicate in (Predicate.CAUSES.value, Predicate.CONTRIBUTES_TO.value) or direction == "increased":
        return "Positive_Correlation"
    if predicate == Predicate.PHYSICALLY_INTERACTS_WITH.value:
        return "Bind"
    if predicate in (
        Predicate.ASSOCIATED_WITH.value,
        Predicate.POSITIVELY_CORRELATED_WITH.value,
        Predicate.NEGATIVELY_CORRELATED_WITH.value,
        Predicate.CORRELATED_WITH.value,
    ):
        return {
            Predicate.POSITIVELY_CORRELATED_WITH.value: "Positive_Correlation",
            Predicate.NEGATIVELY_CORRELATED_WITH.value: "Negative_Correlation",
        }.get(predicate, "Association")
    return None


def _document_lines(result: DocumentResult, scheme: RelationScheme) -> list[str]:
    document = result.document
    name = document.get_metadata("pmid") or document.id.split(":", 1)[1].replace("|", "_").replace("\t", " ")
    title = next((p for p in document.passages if p.kind == "title"), document.passages[0])
    body = [p for p in document.passages if p is not title]
    lines = [f"{name}|t|{_one_line(title.text)}", f"{name}|a|{_one_line(' '.join(p.text for p in body))}"]
    # PubTator offsets: the abstract starts at len(title) + 1; map our passage offsets onto that layout.
    layout: list[tuple[int, int, int]] = [(title.offset, title.end, 0)]
    position = len(title.text) + 1
    for passage in body:
        layout.append((passage.offset, passage.end, position))
        position += len(passage.text) + 1

    def shift(offset: int) -> int:
        for start, end, new_start in layout:
            if start <= offset <= end:
                return offset - start + new_start
        raise ValueError(offset)

    concepts = {concept.id: concept for concept in result.concepts}
    types: dict[str, str] = {}
    for mention in result.mentions:
        concept = concepts.get(mention.concept_id or "")
        if concept is None:
            continue
        identifier = corpus_id(concept, mention.type)
        types[concept.id] = mention.type.value
        lines.append(
            "\t".join(
                [
                    name,
                    str(shift(mention.start)),
                    str(shift(mention.end)),
                    _one_line(mention.text),
                    mention.type.value,
                    _bare(identifier),
                ]
            )
        )
    seen = set()
    for relation in result.relations:
        subject, obj = concepts.get(relation.subject), concepts.get(relation.object)
        if subject is None or obj is None:
            continue
        kind = relation_type(relation, types.get(subject.id, ""), types.get(obj.id, ""), scheme)
        if kind is None:
            continue
        row = (
            kind,
            _bare(corpus_id(subject, types.get(subject.id, ""))),
            _bare(corpus_id(obj, types.get(obj.id, ""))),
        )
        if row not in seen:
            seen.add(row)
            lines.append("\t".join([name, *row]))
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split("\n"))


def generate_pubtator(
    results: Iterable[DocumentResult], *, scheme: RelationScheme = RelationScheme.BIORED
) -> str:
    """PubTator text for the results, documents separated by blank lines."""
    blocks = ["\n".join(_document_lines(result, scheme)) for result in results]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _bioc_collection(results: Iterable[DocumentResult]):
    import bioc

    collection = bioc.BioCCollection()
    collection.source = "kg"
    collection.date = ""  # no run date: the same input gives the same file
    for result in results:
        document = bioc.BioCDocument()
        document.id = result.document.get_metadata("pmid") or _bioc_id(result.document.id)
        concepts = {concept.id: concept for concept in result.concepts}
        for passage_record in result.document.passages:
            passage = bioc.BioCPassage()
            passage.offset = passage_record.offset
            passage.text = passage_record.text
            passage.infons["type"] = passage_record.kind
            for index, mention in enumerate(
                m for m in result.mentions if passage_record.offset <= m.start < passage_record.end
            ):
                concept = concepts.get(mention.concept_id or "")
                if concept is None:
                    continue
                annotation = bioc.BioCAnnotation()
                annotation.id = f"{passage_record.offset}-{index}"
                annotation.text = mention.text
                annotation.infons["type"] = mention.type.value
                annotation.infons["identifier"] = corpus_id(concept, mention.type)
                annotation.infons["concept"] = concept.id
                annotation.add_location(bioc.BioCLocation(mention.start, mention.end - mention.start))
                passage.add_annotation(annotation)
            document.add_passage(passage)
        collection.add_document(document)
    return collection


def generate_bioc_xml(results: Iterable[DocumentResult]) -> str:
    from bioc import biocxml

    return biocxml.dumps(_bioc_collection(results))


def generate_bioc_json(results: Iterable[DocumentResult]) -> str:
    from bioc import biocjson

    buffer = io.StringIO()
    biocjson.dump(_bioc_collection(results), buffer, indent=1)
    return buffer.getvalue()


def _bioc_id(curie: str) -> str:
    """A BioC document id: the PMID's digits, 'PMC' and its number, or the CURIE itself."""
    prefix, local = curie.split(":", 1)
    return {"PMID": local, "PMC": f"PMC{local}"}.get(prefix, curie)


def generate_annotations(
    results: Iterable[DocumentResult], output_format: AnnotationFormat, scheme: RelationScheme
) -> str:
    """The results in one of the corpus formats."""
    if output_format is AnnotationFormat.PUBTATOR:
        return generate_pubtator(results, scheme=scheme)
    if output_format is AnnotationFormat.BIOC_XML:
        return generate_bioc_xml(results)
    return generate_bioc_json(results)


def annotate_files(
    inputs: Iterable[str | Path],
    extractor: Extractor,
    output_format: AnnotationFormat = AnnotationFormat.PUBTATOR,
    *,
    input_format: InputFormat | None = None,
    workers: int = 1,
    report: BuildReport | None = None,
) -> str:
    """Annotate papers with what `kg` finds in their text (their own annotations and relations are set
    aside first), through the build's batch path: same workers, a bad document reported in ``report`` and
    skipped. Every relation the learned model proposes is written, whatever its score."""
    report = report if report is not None else BuildReport()
    extractor = replace(extractor, learned_min_score=0.0)
    documents = (
        replace(item, annotations=(), relations=()) if isinstance(item, Document) else item
        for item in iter_documents(inputs, input_format)
    )
    results = []
    for batch in extract_documents(documents, extractor, report=report, workers=workers):
        for result in batch:
            report.add(result)
            results.append(corpus_convention(result, extractor.lexicon))
    scheme = extractor.relation_scheme or RelationScheme.BIORED
    return generate_annotations(results, output_format, scheme)
