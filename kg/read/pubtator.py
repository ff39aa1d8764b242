"""PubTator files: many documents, each a title line, an abstract line, annotation and relation lines.

``PMID|t|title`` / ``PMID|a|abstract`` / ``PMID<TAB>start<TAB>end<TAB>text<TAB>type<TAB>id[<TAB>...]`` /
``PMID<TAB>type<TAB>id1<TAB>id2[<TAB>novelty]``, documents separated by blank lines. The abstract starts at
offset ``len(title) + 1``; tmVar 3 writes ``PMID|title|``, ``PMID|abstract|``, ``PMID|body|`` passages, each
one character after the previous. Entity types of BC5CDR, NCBI Disease, BioRED and tmVar are mapped to
``Disease``, ``Gene``, ``Chemical``, ``Species``, ``Variant`` (and ``CellLine``); bare IDs get their prefix
by type (``D014262`` -> ``MESH:D014262``, a Gene's ``3565`` -> ``NCBIGene:3565``, a Species'
``10090`` -> ``NCBITaxon:10090``). Variant IDs are kept: an rs number is ``DBSNP:rs…``, and tmVar's pipe
form (``p|SUB|V|600|E``, also as ``tmVar:…;HGVS:…;RS#:…`` or with a 7th ``RSID:`` column) becomes the
variant's dbSNP ID when tmVar gives one and kg's gene-free local ID (``KG:variant.p-v600e``,
:func:`kg.identifiers.hgvs_from_tmvar`). A malformed document is reported (file, line, PMID, problem) and
skipped; the others are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import document_curie, hgvs_from_tmvar, normalize_curie, variant_curie
from kg.read.files import LineTooLong, bounded_lines, text_stream
from kg.records import Annotation, Document, GivenRelation, Passage

__all__ = ["ENTITY_TYPES", "normalize_annotation_ids", "parse_pubtator", "read_pubtator"]

ENTITY_TYPES = {
    "disease": "Disease", "specificdisease": "Disease", "diseaseclass": "Disease", "modifier": "Disease",
    "compositemention": "Disease", "diseaseorphenotypicfeature": "Disease",
    "chemical": "Chemical", "chemicalentity": "Chemical", "drug": "Chemical",
    "gene": "Gene", "geneorgeneproduct": "Gene", "protein": "Gene", "familyname": "Gene", "domainmotif": "Gene",
    "species": "Species", "organismtaxon": "Species",
    "mutation": "Variant", "sequencevariant": "Variant", "dnamutation": "Variant", "proteinmutation": "Variant",
    "snp": "Variant", "cellline": "CellLine", "proteinallele": "Variant", "dnaallele": "Variant",
    "acidchange": "Variant", "variant": "Variant",
}  # fmt: skip
_DOCUMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# A passage line: PMID|t|…, PMID|a|…, or a named passage (tmVar 3: PMID|title|…, PMID|abstract|…, PMID|body|…)
_TEXT_LINE = re.compile(r"^([^|\t]+)\|([tabTAB]|[A-Za-z][A-Za-z_ ]{1,30})\|(.*)$")
_PASSAGE_KINDS = {"t": "title", "a": "abstract"}
_RS = re.compile(r"(?i)^(?:rs|RS#:|RSID:)\s*(\d+)$")


def _variant_ids(raw: str) -> list[str]:
    """The IDs of a variant annotation's ID cell: an rs number, a tmVar pipe form, or tmVar 3's
    ``tmVar:…;HGVS:…;RS#:…`` list; a dbSNP ID first.

    >>> _variant_ids("tmVar:p|SUB|M|327|V;HGVS:p.M327V;VariantGroup:0;CorrespondingGene:4300;RS#:777439723")
    ['DBSNP:rs777439723', 'KG:variant.p-m327v']
    >>> _variant_ids("c|DEL|657|5"), _variant_ids("rs771966860")
    (['KG:variant.c-657del5'], ['DBSNP:rs771966860'])
    """
    dbsnp, local = [], []
    for part in re.split(r";", raw):
        part = part.strip()
        rs = _RS.match(part)
        if rs:
            dbsnp.append(f"DBSNP:rs{int(rs.group(1))}")
        elif "|" in part and not part.startswith(("HGVS:", "VariantGroup:", "Corresponding")):
            local.append(variant_curie(hgvs_from_tmvar(part)))
    return list(dict.fromkeys(dbsnp + local))


def normalize_annotation_ids(raw: str, entity_type: str) -> tuple[tuple[str, ...], list[str]]:
    """CURIEs of an annotation's ID cell (``|``, ``;`` and ``,`` separate several), and the parts that are
    not valid IDs.

    >>> normalize_annotation_ids("D014262|OMIM:603165", "Disease")
    (('MESH:D014262', 'OMIM:603165'), [])
    >>> normalize_annotation_ids("3565;3596", "Gene")
    (('NCBIGene:3565', 'NCBIGene:3596'), [])
    >>> normalize_annotation_ids("-1", "Chemical")
    ((), [])
    """
    ids: list[str] = []
    bad: list[str] = []
    if entity_type == "Variant":
        return tuple(_variant_ids(raw)), []
    for part in re.split(r"[|;,+]", raw):
        part = part.strip()
        if not part or part in ("-1", "-", "None"):
            continue
        if entity_type == "CellLine":
            continue  # cell line IDs (CVCL) are not graph concepts here
        if ":" not in part:
            if entity_type in ("Disease", "Chemical") and re.fullmatch(r"[CD]\d{6,9}", part):
                part = f"MESH:{part}"
            elif entity_type == "Gene" and part.isdigit():
                part = f"NCBIGene:{part}"
            elif entity_type == "Species" and part.isdigit():
                part = f"NCBITaxon:{part}"
        try:
            ids.append(normalize_curie(part))
        except IdentifierError:
            bad.append(part)
    return tuple(dict.fromkeys(ids)), bad


def _document(path: str, pmid: str, lines: list[tuple[int, str]]) -> Document | ReaderError:
    title: str | None = None
    texts: list[tuple[str, str]] = []  # (kind, text) of the passages after the title
    annotations: list[Annotation] = []
    relations: list[GivenRelation] = []
    warnings: list[str] = []
    if not _DOCUMENT_ID.fullmatch(pmid):
        return ReaderError(
            path,
            f"bad document id {pmid[:40]!r} (expected a PMID or a name of letters, digits, '.', '_' and '-')",
            line=lines[0][0],
        )
    try:
        doc_id = document_curie(pmid=pmid) if pmid.isdigit() else document_curie(name=pmid)
    except IdentifierError as error:
        return ReaderError(path, f"bad document id: {error}", line=lines[0][0])
    for number, line in lines:
        text_line = _TEXT_LINE.match(line)
        if text_line and "\t" not in line.split("|", 2)[0]:
            if text_line.group(1) != pmid:
                return ReaderError(
                    path,
                    f"line for document {text_line.group(1)} inside document {pmid}",
                    document=doc_id,
                    line=number,
                )
            kind = _PASSAGE_KINDS.get(text_line.group(2).lower(), text_line.group(2).lower())
            if kind == "title" and title is None:
                title = text_line.group(3)
            else:
                texts.append((kind, text_line.group(3)))
            continue
        cells = line.split("\t")
        if cells[0] != pmid:
            return ReaderError(
                path, f"line for document {cells[0]!r} inside document {pmid}", document=doc_id, line=number
            )
        if len(cells) >= 6 and cells[1].isdigit() and cells[2].isdigit():
            start, end = int(cells[1]), int(cells[2])
            entity_type = ENTITY_TYPES.get(cells[4].strip().lower(), cells[4].strip())
            ids, bad = normalize_annotation_ids(cells[5], entity_type)
            if entity_type == "Variant" and len(cells) >= 7 and _RS.match(cells[6].strip()):
                ids = tuple(dict.fromkeys((*_variant_ids(cells[6].strip()), *ids)))  # tmVar's RSID column
            warnings.extend(
                f"line {number}: annotation {cells[3][:60]!r}: invalid ID {b[:60]!r} left out" for b in bad
            )
            annotations.append(Annotation(cells[3], entity_type, ids, start, end, source="pubtator"))
        elif len(cells) >= 4 and not cells[1].isdigit():
            novel = None
            if len(cells) >= 5 and cells[4].strip():
                novel = cells[4].strip().lower() in ("novel", "true", "1")
            relations.append(GivenRelation(cells[1], cells[2], cells[3], novel))
        else:  # one bad annotation line costs that line, not the document
            warnings.append(
                f"line {number}: cannot read this line ({len(cells)} tab-separated cells), left out"
            )
    if title is None:
        return ReaderError(path, "no title line (PMID|t|...)", document=doc_id, line=lines[0][0])
    passages = [Passage("title", 0, title)]
    offset = len(title) + 1
    for kind, text in texts:
        if text:
            passages.append(Passage(kind, offset, text))
        offset += len(text) + 1
    total = max(0, offset - 1)
    inside = [a for a in annotations if 0 <= a.start < a.end <= total]  # type: ignore[operator]
    warnings.extend(
        f"annotation {a.text[:60]!r} at {a.start}-{a.end} lies outside the text ({total} characters), left out"
        for a in annotations
        if a not in inside
    )
    annotations = inside
    document = Document(
        doc_id,
        title,
        tuple(passages),
        tuple(annotations),
        tuple(relations),
        metadata=(("pmid", pmid),) if pmid.isdigit() else (),
        source=path,
        warnings=tuple(warnings),
    )
    return document


def parse_pubtator(path: str, text: str | Iterable[str]) -> Iterator[Document | ReaderError]:
    """Every document of a PubTator text or stream of lines (bad ones as :class:`ReaderError`)."""
    lines = text.split("\n") if isinstance(text, str) else text
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw if isinstance(raw, LineTooLong) else raw.rstrip("\r\n")
        if not line.strip():
            if block:
                yield from _finish(path, block)
                block = []
            continue
        block.append((number, line))
    if block:
        yield from _finish(path, block)


def _finish(path: str, block: list[tuple[int, str]]) -> Iterator[Document | ReaderError]:
    first = block[0][1]
    for number, line in block:
        if isinstance(line, LineTooLong):
            pmid = re.split(r"[|\t]", first, maxsplit=1)[0].strip()[:64]
            yield ReaderError(
                path,
                f"line {number} is {line.length:,} characters long; not read",
                document=pmid or None,
                line=number,
            )
            return
    pmid = re.split(r"[|\t]", first, maxsplit=1)[0].strip()
    if not pmid or len(pmid) > 64:
        yield ReaderError(path, f"cannot find a document id at the start of {first[:60]!r}", line=block[0][0])
        return
    yield _document(path, pmid, block)


def read_pubtator(path: Path) -> Iterator[Document | ReaderError]:
    """Every document of a PubTator file, streamed line by line (millions of documents in bounded memory)."""

    with text_stream(path) as stream:
        try:
            yield from parse_pubtator(str(path), bounded_lines(stream))
        except UnicodeDecodeError as error:
            from kg.errors import InputError

            raise InputError(
                f"{path}: not UTF-8 text ({error.reason} at byte {error.start} of a read chunk)"
            ) from None
