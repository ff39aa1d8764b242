"""PMC open-access articles in JATS XML (one ``article``, or a ``pmc-articleset`` of them).

Passages: the title, the abstract's paragraphs, then the body's paragraphs, each with the title of its
top-level section as its kind (``introduction``, ``methods``...), and figure and table captions. Tables
themselves, references and back matter are left out. IDs: PMID, else PMC id, else DOI. The article type
is kept as the publication type; an article (not itself a notice) that links a related article of a
retraction type is marked retracted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import check_paper_ids, document_curie
from kg.read.xml import iter_elements, local_name, text_of
from kg.records import Document, Passage

__all__ = ["parse_jats_article", "read_jats"]

# Article types of notices about other articles: a retraction notice is not itself retracted.
_NOTICES = frozenset({"retraction", "correction", "expression-of-concern", "addendum"})


def _find(element: Element, name: str) -> Element | None:
    for child in element.iter():
        if local_name(child.tag) == name:
            return child
    return None


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local_name(child.tag) == name]


def _slug(text: str) -> str:
    """'2. Case Presentation' -> 'case_presentation'."""
    text = re.sub(r"^\s*(?:\d+|[IVX]+)(?:\.\d+)*[.):]?\s+", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "body"


def _pmcid(value: str) -> str:
    return value if not value or value.upper().startswith("PMC") else "PMC" + value


def _paragraphs(section: Element, kind: str) -> Iterator[tuple[str, str]]:
    """Paragraphs and captions of a section and its subsections, in document order (iteratively: a file
    nesting a thousand sections costs no recursion)."""
    stack = [iter(section)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        name = local_name(child.tag)
        if name == "p":
            yield kind, text_of(child)
        elif name == "sec":
            stack.append(iter(child))
        elif name in ("fig", "table-wrap"):
            caption = _find(child, "caption")
            if caption is not None:
                yield "caption", text_of(caption)


def parse_jats_article(path: str, article: Element, index: int) -> Document | ReaderError:
    meta = _find(article, "article-meta")
    if meta is None:
        return ReaderError(path, f"article {index}: no <article-meta>")
    raw = {item.get("pub-id-type", ""): text_of(item) for item in _children(meta, "article-id")}
    ids, warnings = check_paper_ids(
        {
            "pmid": raw.get("pmid", ""),
            "pmcid": _pmcid(raw.get("pmc") or raw.get("pmcid") or ""),
            "doi": raw.get("doi", ""),
        }
    )
    try:
        doc_id = document_curie(
            pmid=ids.get("pmid"),
            pmcid=ids.get("pmcid"),
            doi=ids.get("doi"),
            name=f"{Path(path).name}-{index}",
        )
    except IdentifierError as error:
        return ReaderError(path, f"article {index}: bad identifier: {error}")
    title = text_of(_find(meta, "article-title"))
    if not title:
        return ReaderError(path, "no <article-title>", document=doc_id)
    chunks: list[tuple[str, str]] = []
    for abstract in (a for a in meta if local_name(a.tag) == "abstract" and not a.get("abstract-type")):
        chunks += [("abstract", text) for _, text in _paragraphs(abstract, "abstract")]
    body = _find(article, "body")
    if body is not None:
        for child in body:
            if local_name(child.tag) == "sec":
                heading = text_of(next(iter(_children(child, "title")), None))
                chunks += list(_paragraphs(child, _slug(heading)))
            elif local_name(child.tag) == "p":
                chunks.append(("body", text_of(child)))
    passages = [Passage("title", 0, title)]
    offset = len(title) + 1
    for kind, text in chunks:
        if text:
            passages.append(Passage(kind, offset, text))
            offset += len(text) + 1
    metadata = [(key, ids[key]) for key in ("pmid", "doi", "pmcid") if ids.get(key)]
    journal = text_of(_find(article, "journal-title"))
    if journal:
        metadata.append(("journal", journal))
    date = next((d for d in _children(meta, "pub-date")), None)
    if date is not None:
        parts = [text_of(next(iter(_children(date, name)), None)) for name in ("year", "month", "day")]
        if parts[0]:
            metadata.append(("date", "-".join([parts[0]] + [p.zfill(2) for p in parts[1:] if p.isdigit()])))
    authors = []
    for name in (n for n in meta.iter() if local_name(n.tag) == "name"):
        authors.append(
            " ".join(
                filter(
                    None,
                    [
                        text_of(next(iter(_children(name, "given-names")), None)),
                        text_of(next(iter(_children(name, "surname")), None)),
                    ],
                )
            )
        )
    if authors:
        metadata.append(("authors", ", ".join(a for a in authors if a)))
    article_type = article.get("article-type", "")
    if article_type:
        metadata.append(("publication_type", article_type))
    if article_type not in _NOTICES and any(
        "retract" in (related.get("related-article-type") or "")
        for related in meta.iter()
        if local_name(related.tag) == "related-article"
    ):
        metadata.append(("retracted", "true"))
    return Document(
        doc_id, title, tuple(passages), metadata=tuple(metadata), source=path, warnings=tuple(warnings)
    )


def read_jats(path: Path) -> Iterator[Document | ReaderError]:
    """Every article of a JATS file, streamed."""
    for index, element in enumerate(iter_elements(path, {"article"}), start=1):
        try:
            yield parse_jats_article(str(path), element, index)
        except RecursionError:
            yield ReaderError(str(path), f"article {index}: elements nested too deeply to read")
