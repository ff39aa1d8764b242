"""Plain-text papers: the first non-empty line is the title, blank-line-separated paragraphs follow.

A file named like ``12345678.txt`` or ``PMC123.txt`` takes that PMID or PMC id; otherwise the document id
derives from the file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import ReaderError
from kg.identifiers import document_curie
from kg.read.files import MAX_DOCUMENT_CHARACTERS
from kg.records import Document, Passage

__all__ = ["parse_text"]


def parse_text(path: str, text: str) -> Iterator[Document | ReaderError]:
    """One document from a plain-text file."""
    if len(text) > 2 * MAX_DOCUMENT_CHARACTERS:  # refuse before splitting a huge text into words
        yield ReaderError(
            path, f"document too long ({len(text):,} characters; the limit is {MAX_DOCUMENT_CHARACTERS:,})"
        )
        return
    stem = Path(path).name.split(".")[0]
    pmid = stem if re.fullmatch(r"\d{1,9}", stem) else None
    pmcid = stem if re.fullmatch(r"PMC\d{1,9}", stem, re.IGNORECASE) else None
    doc_id = document_curie(pmid=pmid, pmcid=pmcid, name=None if (pmid or pmcid) else Path(path).name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title_index is None:
        yield ReaderError(path, "file holds no text", document=doc_id)
        return
    title = " ".join(lines[title_index].split())
    passages = [Passage("title", 0, title)]
    offset = len(title) + 1
    body = "\n".join(lines[title_index + 1 :])
    for paragraph in re.split(r"\n\s*\n", body):
        chunk = " ".join(paragraph.split())
        if chunk:
            passages.append(Passage("paragraph", offset, chunk))
            offset += len(chunk) + 1
    yield Document(id=doc_id, title=title, passages=tuple(passages), source=path)
