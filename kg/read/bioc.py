"""BioC XML and BioC JSON (PubTator3, PMC and corpus exports), read with the ``bioc`` package.

Passages keep their BioC offsets (document coordinates). Annotation IDs are found under the infon keys
the corpora use (``identifier``, ``MESH``, ``NCBI Gene identifier``...), prefixed by type as in
:mod:`kg.read.pubtator`; relations keep their type and the two IDs. BioC JSON files that omit keys the
``bioc`` decoder requires (BioRED's omit the collection's ``infons``) get empty defaults.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterator

import bioc
from bioc import biocjson, biocxml
from lxml import etree

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import document_curie
from kg.read.pubtator import ENTITY_TYPES, normalize_annotation_ids
from kg.records import Annotation, Document, GivenRelation, Passage

__all__ = ["parse_bioc_json", "parse_bioc_xml"]

_ID_KEYS = (
    "identifier",
    "Identifier",
    "MESH",
    "MeSH",
    "NCBI Gene identifier",
    "NCBI Gene",
    "NCBIGene",
    "ID",
    "id",
    "Gene",
    "CUI",
    "umls",
)
_EXTRA_TYPES = {"generif": "Gene", "stargene": "Gene", "other": "GeneOther", "domain": "GeneDomain"}
_TEXT_PASSAGES = {
    "title",
    "abstract",
    "front",
    "paragraph",
    "abstract_title_1",
    "title_1",
    "title_2",
    "fig_caption",
    "table_caption",
    "footnote",
    "section",
}


def _entity_type(raw: str) -> str:
    lowered = raw.strip().lower()
    return ENTITY_TYPES.get(lowered) or _EXTRA_TYPES.get(lowered) or raw.strip()


def _annotation(item: bioc.BioCAnnotation, document_offset_ok: bool = True) -> Annotation | None:
    entity_type = _entity_type(item.infons.get("type", ""))
    raw_id = next((item.infons[k] for k in _ID_KEYS if item.infons.get(k)), "")
    ids, _ = normalize_annotation_ids(raw_id, entity_type)
    if not item.locations:
        return Annotation(item.text or "", entity_type, ids, source="bioc")
    start = min(location.offset for location in item.locations)
    end = max(location.offset + location.length for location in item.locations)
    return Annotation(item.text or "", entity_type, ids, start, end, source="bioc")


def _relation(item: bioc.BioCRelation) -> GivenRelation | None:
    infons = item.infons
    if "entity1" in infons and "entity2" in infons:
        novel = infons.get("novel")
        return GivenRelation(
            infons.get("type", ""),
            infons["entity1"],
            infons["entity2"],
            None if novel is None else novel.lower() in ("novel", "true", "1"),
        )
    if "Chemical" in infons and "Disease" in infons:
        return GivenRelation(infons.get("relation", "CID"), infons["Chemical"], infons["Disease"])
    if len(item.nodes) == 2:
        return GivenRelation(
            infons.get("type", infons.get("relation", "")), item.nodes[0].refid, item.nodes[1].refid
        )
    return None


def _document(path: str, item: bioc.BioCDocument) -> Document | ReaderError:
    raw_id = (item.id or "").strip()
    if raw_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", raw_id):
        return ReaderError(
            path, f"bad document id {raw_id[:40]!r} (expected a PMID, a PMC id or a plain name)"
        )
    try:
        if raw_id.isdigit():
            doc_id = document_curie(pmid=raw_id)
        elif raw_id.upper().startswith("PMC") and raw_id[3:].isdigit():
            doc_id = document_curie(pmcid=raw_id)
        else:
            doc_id = document_curie(name=raw_id or "document")
    except IdentifierError as error:
        return ReaderError(path, f"bad document id: {error}")
    passages: list[Passage] = []
    annotations: list[Annotation] = []
    for passage in item.passages:
        text = passage.text or ""
        if text:
            kind = passage.infons.get("type") or passage.infons.get("section_type", "paragraph")
            passages.append(Passage(str(kind).lower(), passage.offset, text))
        for annotation in passage.annotations:
            parsed = _annotation(annotation)
            if parsed:
                annotations.append(parsed)
    if not passages:
        return ReaderError(path, "document holds no passage text", document=doc_id)
    passages.sort(key=lambda p: p.offset)
    for before, after in itertools.pairwise(passages):
        if after.offset < before.end:
            return ReaderError(path, f"passages overlap at offset {after.offset}", document=doc_id)
    title = next((p.text for p in passages if p.kind in ("title", "front")), passages[0].text)
    relations = [r for r in (_relation(rel) for rel in item.relations) if r]
    metadata = tuple(sorted((str(k), str(v)) for k, v in item.infons.items() if isinstance(v, str)))
    if raw_id.isdigit():
        metadata = (("pmid", raw_id), *metadata)
    return Document(
        doc_id, title, tuple(passages), tuple(annotations), tuple(relations), metadata, source=path
    )


def parse_bioc_xml(path: str, text: str) -> Iterator[Document | ReaderError]:
    """Every document of a BioC XML collection. Entity declarations (XXE, entity bombs) are refused before
    parsing: the bioc package's parser would resolve them."""
    root = text.find("<collection")
    if "<!ENTITY" in text[: root if root >= 0 else len(text)].upper():
        yield ReaderError(
            path,
            "XML entity declarations are not accepted; the file may be an attack (XXE or an entity bomb)",
        )
        return
    try:
        collection = biocxml.loads(text)
    except (
        etree.LxmlError,
        ValueError,
        LookupError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
    ) as error:
        yield ReaderError(path, f"not a valid BioC XML collection ({type(error).__name__}: {error})")
        return
    for item in collection.documents:
        yield _document(path, item)


def _with_defaults(obj: dict) -> dict:
    obj.setdefault("source", "")
    obj.setdefault("date", "")
    obj.setdefault("key", "")
    obj.setdefault("infons", {})
    for document in obj.get("documents", []):
        document.setdefault("infons", {})
        document.setdefault("relations", [])
        for passage in document.get("passages", []):
            passage.setdefault("infons", {})
            passage.setdefault("sentences", [])
            passage.setdefault("relations", [])
            passage.setdefault("annotations", [])
            for annotation in passage["annotations"]:
                annotation.setdefault("infons", {})
                annotation.setdefault("locations", [])
        for relation in document["relations"]:
            relation.setdefault("nodes", [])
            relation.setdefault("infons", {})
    return obj


def parse_bioc_json(path: str, text: str) -> Iterator[Document | ReaderError]:
    """Every document of a BioC JSON collection (or a single BioC JSON document)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        yield ReaderError(
            path,
            f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})",
            line=error.lineno,
        )
        return
    if isinstance(obj, list):
        obj = {"documents": obj}
    elif isinstance(obj, dict) and "documents" not in obj and "passages" in obj:
        obj = {"documents": [obj]}
    if not isinstance(obj, dict) or not isinstance(obj.get("documents"), list):
        yield ReaderError(path, "not a BioC JSON collection (no 'documents' list)")
        return
    documents = obj["documents"]
    for index, raw in enumerate(documents):
        try:
            collection = biocjson.load(io.StringIO(json.dumps(_with_defaults({"documents": [raw]}))))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            name = raw.get("id", index) if isinstance(raw, dict) else index
            yield ReaderError(
                path, f"malformed BioC JSON document ({type(error).__name__}: {error})", document=str(name)
            )
            continue
        yield _document(path, collection.documents[0])
