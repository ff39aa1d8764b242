"""PubMed XML (baseline and update files, ``.xml`` or ``.xml.gz``), streamed one article at a time.

Each ``PubmedArticle`` becomes a document: PMID, title, the abstract's parts (one passage each, labelled
parts keep their label as the passage kind), journal, date, authors, DOI, PMC id and publication types;
a "Retracted Publication" (or an article with a ``RetractionIn`` link) is marked retracted. ``DeleteCitation``
entries of update files carry no text and are skipped. An article without a PMID or a title is reported
and skipped; the rest of the file is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import document_curie, normalize_curie
from kg.read.xml import iter_elements, text_of
from kg.records import Document, Passage

__all__ = ["parse_article", "read_pubmed"]

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}


def _date(article: Element) -> str:
    date = article.find(".//Article/Journal/JournalIssue/PubDate")
    if date is None:
        date = article.find(".//ArticleDate")
    if date is None:
        return ""
    year = text_of(date.find("Year"))
    if not year:
        found = re.search(r"\b(1[89]|20)\d{2}\b", text_of(date.find("MedlineDate")))
        return found.group(0) if found else ""
    month = text_of(date.find("Month")).lower()
    month_number = _MONTHS.get(month[:3]) if not month.isdigit() else int(month)
    day = text_of(date.find("Day"))
    if month_number and day.isdigit():
        return f"{year}-{month_number:02d}-{int(day):02d}"
    return f"{year}-{month_number:02d}" if month_number else year


def parse_article(path: str, article: Element, index: int) -> Document | ReaderError:
    """One ``PubmedArticle`` element as a document."""
    pmid = text_of(article.find("./MedlineCitation/PMID"))
    where = f"article {index}" + (f" (PMID {pmid})" if pmid else "")
    if not pmid:
        return ReaderError(path, f"{where}: no PMID", document=None)
    try:
        doc_id = document_curie(pmid=pmid)
    except IdentifierError as error:
        return ReaderError(path, f"{where}: {error}", document=pmid)
    title = text_of(article.find("./MedlineCitation/Article/ArticleTitle")) or text_of(
        article.find("./MedlineCitation/Article/VernacularTitle")
    )
    if not title:
        return ReaderError(path, "no ArticleTitle", document=doc_id)
    passages = [Passage("title", 0, title)]
    offset = len(title) + 1
    for part in article.findall("./MedlineCitation/Article/Abstract/AbstractText"):
        text = text_of(part)
        if not text:
            continue
        label = (part.get("Label") or "").strip().lower()
        kind = "abstract" if not label else "abstract:" + re.sub(r"[^a-z0-9]+", "_", label).strip("_")
        passages.append(Passage(kind, offset, text))
        offset += len(text) + 1
    metadata: list[tuple[str, str]] = [("pmid", pmid)]
    warnings: list[str] = []
    journal = text_of(article.find("./MedlineCitation/Article/Journal/Title"))
    if journal:
        metadata.append(("journal", journal))
    citation = article.find("./MedlineCitation")
    date = _date(citation if citation is not None else article)
    if date:
        metadata.append(("date", date))
    authors = []
    for author in article.findall("./MedlineCitation/Article/AuthorList/Author"):
        name = " ".join(filter(None, [text_of(author.find("ForeName")), text_of(author.find("LastName"))]))
        name = name or text_of(author.find("CollectiveName"))
        if name:
            authors.append(name)
    if authors:
        metadata.append(("authors", ", ".join(authors)))
    types = [
        text_of(t) for t in article.findall("./MedlineCitation/Article/PublicationTypeList/PublicationType")
    ]
    metadata.extend(("publication_type", t) for t in types if t)
    corrections = {
        c.get("RefType", "") for c in article.findall(".//CommentsCorrectionsList/CommentsCorrections")
    }
    if "Retracted Publication" in types or "RetractionIn" in corrections:
        metadata.append(("retracted", "true"))
    for identifier in article.findall("./PubmedData/ArticleIdList/ArticleId"):
        kind, value = identifier.get("IdType", ""), text_of(identifier)
        prefix = {"doi": "doi", "pmc": "PMC"}.get(kind)
        if prefix and value:
            try:
                normalize_curie(f"{prefix}:{value}")
            except IdentifierError as error:
                warnings.append(f"{kind} left out: {error}")  # reported, never written
                continue
            metadata.append(({"doi": "doi", "pmc": "pmcid"}[kind], value))
    return Document(
        doc_id, title, tuple(passages), metadata=tuple(metadata), source=path, warnings=tuple(warnings)
    )


def read_pubmed(path: Path) -> Iterator[Document | ReaderError]:
    """Every article of a PubMed XML file, streamed."""
    for index, element in enumerate(iter_elements(path, {"PubmedArticle", "PubmedBookArticle"}), start=1):
        if element.tag.endswith("PubmedBookArticle"):
            continue
        yield parse_article(str(path), element, index)
