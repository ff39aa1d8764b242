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
from dataclasses import replace

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


_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_KIND = re.compile(r"[^a-z0-9_:.-]+")


def _clean(text: str, warnings: list[str], where: str) -> str:
    """Text without lone surrogates (JSON can encode them; no file can hold them): each becomes U+FFFD,
    so offsets stay the same."""
    if _SURROGATE.search(text):
        warnings.append(f"{where}: lone surrogate characters replaced by U+FFFD")
        return _SURROGATE.sub("\ufffd", text)
    return text


def _passage_kind(raw: object) -> str:
    """A passage type as a plain token ("abstract", "fig_caption"), whatever the file put there."""
    return _KIND.sub("_", str(raw).lower()).strip("_")[:40] or "paragraph"


def _document_id(raw_id: str, ids: dict[str, str]) -> str | ReaderError:
    """The document's CURIE: its BioC id when that is a PMID or PMC id; else the PMID, PMC id or DOI the
    file gives elsewhere (PubTator3 exports use the DOI as id and keep the PMID beside it); else a name."""
    try:
        if raw_id.isdigit():
            return document_curie(pmid=raw_id)
        if raw_id.upper().startswith("PMC") and raw_id[3:].isdigit():
            return document_curie(pmcid=raw_id)
        if ids.get("pmid", "").isdigit():
            return document_curie(pmid=ids["pmid"])
        pmcid = ids.get("pmcid", "")
        if pmcid.upper().removeprefix("PMC").isdigit():
            return document_curie(pmcid=pmcid)
        if ids.get("doi"):
            return document_curie(doi=ids["doi"])
    except IdentifierError as error:
        return ReaderError("", f"bad document id: {error}")
    if raw_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", raw_id):
        return ReaderError("", f"bad document id {raw_id[:40]!r} (expected a PMID, a PMC id or a plain name)")
    return document_curie(name=raw_id or "document")


def _known_ids(item: bioc.BioCDocument, extra: dict[str, str]) -> dict[str, str]:
    """PMID, PMC id and DOI wherever a BioC file keeps them: the document's or a passage's infons
    (``article-id_pmid``...), or a PubTator3 document's own keys (``extra``)."""
    ids = {k: str(v).strip() for k, v in extra.items() if v}
    for infons in [item.infons, *(p.infons for p in item.passages[:3])]:
        for key, name in (
            ("article-id_pmid", "pmid"),
            ("article-id_pmc", "pmcid"),
            ("article-id_doi", "doi"),
        ):
            if infons.get(key):
                ids.setdefault(name, str(infons[key]).strip())
        if infons.get("doi"):
            ids.setdefault("doi", str(infons["doi"]).strip())
    return ids


def _document(
    path: str, item: bioc.BioCDocument, extra: dict[str, str] | None = None
) -> Document | ReaderError:
    raw_id = (item.id or "").strip()
    ids = _known_ids(item, extra or {})
    doc_id = _document_id(raw_id, ids)
    if isinstance(doc_id, ReaderError):
        return ReaderError(path, doc_id.problem)
    warnings: list[str] = []
    passages: list[Passage] = []
    annotations: list[Annotation] = []
    for passage in item.passages:
        text = _clean(passage.text or "", warnings, f"passage at {passage.offset}")
        if text:
            kind = passage.infons.get("type") or passage.infons.get("section_type", "paragraph")
            passages.append(Passage(_passage_kind(kind), passage.offset, text))
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
    metadata = [
        (str(k), _clean(str(v), warnings, f"infon {k!r}"))
        for k, v in item.infons.items()
        if isinstance(v, str)
    ]
    if raw_id.isdigit():
        ids["pmid"] = raw_id
    for name in ("pmid", "pmcid", "doi"):
        if ids.get(name) and not any(k == name for k, _ in metadata):
            metadata.append((name, ids[name]))
    annotations = [replace(a, text=_clean(a.text, warnings, "annotation")) for a in annotations]
    return Document(
        doc_id,
        title,
        tuple(passages),
        tuple(annotations),
        tuple(relations),
        tuple(sorted(metadata)),
        source=path,
        warnings=tuple(warnings),
    )


def parse_bioc_xml(path: str, text: str) -> Iterator[Document | ReaderError]:
    """Every document of a BioC XML collection. Entity declarations (XXE, entity bombs) are refused before
    parsing, wherever they are (a comment holding ``<collection>`` does not hide a DTD after it): the bioc
    package's parser would resolve them."""
    if _ENTITY_DECLARATION.search(text):
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


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_MAX_JSON_DEPTH = 200


def _parse_deep_json(path: str, text: str) -> Iterator[Document | ReaderError]:
    """A collection that Python's JSON parser cannot read in one go because something in it is nested too
    deeply: its top-level ``documents`` are cut apart by a scan of brackets and strings, and each is read on
    its own, so only the document nested too deeply is lost."""
    depth, start, pieces, in_documents = 0, -1, [], False
    for token in _JSON_TOKEN.finditer(text):
        value = token.group(0)
        if value[0] == '"':
            if depth == 1 and value == '"documents"':
                in_documents = True
            continue
        if value in "[{":
            depth += 1
            if depth == 3 and in_documents:
                start = token.start()
        else:
            depth -= 1
            if depth == 2 and in_documents and start >= 0:
                pieces.append(text[start : token.end()])
                start = -1
            if depth == 1:
                in_documents = False
    if not pieces:
        yield ReaderError(path, "JSON nested too deeply to be a BioC collection")
        return
    for index, piece in enumerate(pieces):
        deepest = level = 0
        for token in _JSON_TOKEN.finditer(piece):
            if token.group(0) in "[{":
                level += 1
                deepest = max(deepest, level)
            elif token.group(0) in "]}":
                level -= 1
        if deepest > _MAX_JSON_DEPTH:
            yield ReaderError(path, f"document {index + 1}: JSON nested {deepest} deep, too deep to read")
            continue
        yield from parse_bioc_json(path, '{"documents": [' + piece + "]}")


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
    except RecursionError:
        yield from _parse_deep_json(path, text)
        return
    if isinstance(obj, dict) and isinstance(obj.get("PubTator3"), list):
        obj = {"documents": obj["PubTator3"]}  # the PubTator3 export API's wrapping
    if isinstance(obj, list):
        obj = {"documents": obj}
    elif isinstance(obj, dict) and "documents" not in obj and "passages" in obj:
        obj = {"documents": [obj]}
    if not isinstance(obj, dict) or not isinstance(obj.get("documents"), list):
        yield ReaderError(path, "not a BioC JSON collection (no 'documents' list)")
        return
    documents = obj["documents"]
    for index, raw in enumerate(documents):
        name = str(raw.get("id", index) if isinstance(raw, dict) else index)[:60]
        try:
            collection = biocjson.load(io.StringIO(json.dumps(_with_defaults({"documents": [raw]}))))
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
            yield ReaderError(
                path,
                f"malformed BioC JSON document ({type(error).__name__}: {str(error)[:200]})",
                document=name,
            )
            continue
        extra = {k: str(raw[k]) for k in ("pmid", "pmcid") if isinstance(raw, dict) and raw.get(k)}
        yield _document(path, collection.documents[0], extra)
