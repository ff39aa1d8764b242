"""The markdown paper summary format (as in ``examples/PMC11208807.md``).

Layout: ``# Title``; ``**Authors:** ...``; a line ``PMC · DOI: 10.x/y · Journal · YYYY-MM-DD``; sections
``## TL;DR``, ``## Contribution``, ``## Key findings`` (bullets), ``## Abstract`` — the text `kg` mines —
and ``## Linked entities`` / ``## Full-text entities``, the paper's own annotations (names with IDs),
kept as :class:`~kg.records.Annotation` records apart from what `kg` finds. Placeholder sections (full
text omitted, figures, references) are skipped; a ``Source:`` URL is kept as metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import check_paper_ids, document_curie
from kg.read.files import MAX_DOCUMENT_CHARACTERS
from kg.records import Annotation, Document, Passage

__all__ = ["parse_entity_list", "parse_markdown"]

_TEXT_SECTIONS = {
    "tl;dr": "tldr",
    "tldr": "tldr",
    "contribution": "contribution",
    "key findings": "key_findings",
    "abstract": "abstract",
    "summary": "summary",
    "background": "background",
    "methods": "methods",
    "results": "results",
    "conclusions": "conclusions",
    "conclusion": "conclusions",
}
_ANNOTATION_SECTIONS = {"linked entities": "linked-entities", "full-text entities": "full-text-entities"}
_SKIPPED_SECTIONS = {"full text", "figures", "references", "tables", "supplementary material"}
_TYPES = {
    "diseases": "Disease",
    "genes": "Gene",
    "chemicals": "Chemical",
    "species": "Species",
    "variants": "Variant",
    "cell lines": "CellLine",
    "mutations": "Variant",
    "drugs": "Chemical",
}
_DOI = re.compile(r"\bDOI:\s*([^·\n]*?)\s*(?:·|$)", re.IGNORECASE | re.MULTILINE)
_PMC = re.compile(r"\b(PMC\d{3,9})\b")
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4})\s*$")


def _split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split at separators outside (), [], {}."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _item_ids(item: str) -> tuple[list[str], list[str]]:
    """IDs in an entity item ('(MONDO:1)', '[NCBI Gene 3596]', '[taxon 9606]') and the descriptive texts."""
    ids, descriptions = [], []
    for bracket in re.findall(r"\(([^()]*)\)|\[([^\[\]]*)\]", item):
        value = (bracket[0] or bracket[1]).strip()
        gene = re.fullmatch(r"NCBI\s*Gene\s*(?:ID)?:?\s*(\d+)", value, re.IGNORECASE)
        taxon = re.fullmatch(r"taxon:?\s*(\d+)", value, re.IGNORECASE)
        if gene:
            ids.append(f"NCBIGene:{gene.group(1)}")
        elif taxon:
            ids.append(f"NCBITaxon:{taxon.group(1)}")
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9.]*:\S+", value):
            ids.append(value)
        else:
            descriptions.append(value)
    return ids, descriptions


def parse_entity_list(line: str, source: str) -> list[Annotation]:
    """Annotations from one ``- **Type:** name (ID), name [NCBI Gene n] {aka x, y}`` line.

    >>> [(a.text, a.type, a.ids) for a in parse_entity_list(
    ...     "- **Genes:** IL4 (interleukin 4) [NCBI Gene 3565] {aka IL-4}", "x")]
    [('IL4', 'Gene', ('NCBIGene:3565',)), ('interleukin 4', 'Gene', ('NCBIGene:3565',)), ('IL-4', 'Gene', ('NCBIGene:3565',))]
    """
    match = re.match(r"^\s*[-*]\s*\*\*([^*:]+):?\*\*:?\s*(.*)$", line)
    if not match:
        return []
    label, body = match.group(1).strip().lower(), match.group(2)
    entity_type = _TYPES.get(label, label.rstrip("s").title())
    annotations = []
    for item in _split_top_level(body):
        aka = re.search(r"\{\s*aka\s+([^}]*)\}", item)
        core = re.sub(r"\{[^}]*\}", "", item)
        ids, descriptions = _item_ids(core)
        name = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "", core).strip(" ,;")
        if not name:
            continue
        names = [name]
        if entity_type == "Gene":
            names += [d for d in descriptions if d]  # a gene's full name
        if aka:
            names += [n.strip() for n in aka.group(1).split(",") if n.strip()]
        for text in dict.fromkeys(names):
            annotations.append(Annotation(text=text, type=entity_type, ids=tuple(ids), source=source))
    return annotations


def parse_markdown(path: str, text: str) -> Iterator[Document | ReaderError]:
    """Parse one markdown paper summary into one document."""
    if len(text) > 2 * MAX_DOCUMENT_CHARACTERS:  # refuse before splitting a huge text into words
        yield ReaderError(
            path, f"document too long ({len(text):,} characters; the limit is {MAX_DOCUMENT_CHARACTERS:,})"
        )
        return
    lines = text.replace("\r\n", "\n").split("\n")
    title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title_index is None or not lines[title_index].startswith("# "):
        yield ReaderError(path, "not a markdown paper summary: the first line must be '# Title'", line=1)
        return
    title = lines[title_index][2:].strip()
    if not title:
        yield ReaderError(path, "the '# ' title line is empty", line=title_index + 1)
        return
    metadata: list[tuple[str, str]] = []
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in lines[title_index + 1 :]:
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        else:
            sections[-1][1].append(line)

    header = "\n".join(sections[0][1])
    footer = "\n".join(sections[-1][1])
    authors = re.search(r"\*\*Authors?:\*\*\s*(.+)", header)
    if authors:
        metadata.append(("authors", authors.group(1).strip()))
    for line in header.split("\n"):
        if "·" in line:
            parts = [part.strip() for part in line.split("·")]
            date = _DATE.search(parts[-1])
            if date:
                metadata.append(("date", date.group(1)))
            journal = [p for p in parts[1:-1] if p and not _DOI.search(p)] if date else []
            if journal:
                metadata.append(("journal", journal[-1]))
    doi = _DOI.search(header)
    pmc = _PMC.search(header) or _PMC.search(footer)
    pmid = _PMID.search(header)
    source_url = re.search(r"^Source:\s*(\S+)", footer, re.MULTILINE)
    if source_url:
        metadata.append(("source_url", source_url.group(1)))
    ids, id_warnings = check_paper_ids(
        {
            key: found.group(1).rstrip(".,;")
            for key, found in (("doi", doi), ("pmcid", pmc), ("pmid", pmid))
            if found
        }
    )
    metadata.extend((key, ids[key]) for key in ("doi", "pmcid", "pmid") if key in ids)
    try:
        doc_id = document_curie(
            pmid=ids.get("pmid"), pmcid=ids.get("pmcid"), doi=ids.get("doi"), name=Path(path).stem
        )
    except IdentifierError as error:
        yield ReaderError(path, f"bad identifier in the header: {error}")
        return

    passages = [Passage("title", 0, title)]
    annotations: list[Annotation] = []
    offset = len(title) + 1
    for heading, body in sections[1:]:
        name = heading.lower()
        if name in _ANNOTATION_SECTIONS:
            for line in body:
                annotations.extend(parse_entity_list(line, _ANNOTATION_SECTIONS[name]))
            continue
        if name in _SKIPPED_SECTIONS or not heading:
            continue
        kind = _TEXT_SECTIONS.get(name, re.sub(r"[^a-z0-9]+", "_", name).strip("_") or "section")
        if name == "key findings":
            chunks = [re.sub(r"^\s*[-*]\s+", "", line).strip() for line in body if line.strip()]
        else:
            chunks = [" ".join(paragraph.split()) for paragraph in "\n".join(body).split("\n\n")]
        for chunk in chunks:
            if not chunk or chunk == "---" or chunk.startswith("Source:"):
                continue
            passages.append(Passage(kind, offset, chunk))
            offset += len(chunk) + 1
    if len(passages) == 1:
        yield ReaderError(path, "no text sections (expected e.g. '## Abstract')", document=doc_id)
        return
    yield Document(
        id=doc_id,
        title=title,
        passages=tuple(passages),
        annotations=tuple(annotations),
        metadata=tuple(metadata),
        source=path,
        warnings=tuple(id_warnings),
    )
