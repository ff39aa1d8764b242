"""Read papers into :class:`~kg.records.Document` records, one module per input format.

Formats are a registry: ``FORMATS[format]`` (an :class:`~kg.choices.InputFormat`) is a function ``(path, text) -> Iterator[Document | ReaderError]``
that yields documents and, for a bad document inside a multi-document file, the error instead of raising,
so a batch loses only that document. Problems with the whole file (missing, unreadable, empty, not the
format) raise :class:`~kg.errors.InputError` naming the file.

>>> from kg.read import read_documents
>>> [d.id for d in read_documents(["examples/PMC11208807.md"])]  # doctest: +SKIP
['PMC:11208807']
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg.choices import InputFormat
from kg.errors import InputError, ReaderError
from kg.read.bioc import parse_bioc_json, parse_bioc_xml
from kg.read.files import MAX_DOCUMENT_CHARACTERS, read_head, read_text_file
from kg.read.jats import read_jats
from kg.read.markdown import parse_markdown
from kg.read.pubmed import read_pubmed
from kg.read.pubtator import read_pubtator
from kg.read.text import parse_text
from kg.records import Document

__all__ = [
    "BUILD_MANIFEST",
    "FORMATS",
    "detect_format",
    "iter_documents",
    "read_documents",
    "read_text_file",
    "resolve_inputs",
]

Reader = Callable[[Path], Iterator[Document | ReaderError]]


def _text(parse: Callable[[str, str], Iterator[Document | ReaderError]]) -> Reader:
    def reader(path: Path) -> Iterator[Document | ReaderError]:
        return parse(str(path), read_text_file(path))

    reader.__doc__ = parse.__doc__
    return reader


# Every input format: a function from a file to its documents (bad ones as ReaderError values).
FORMATS: dict[InputFormat, Reader] = {
    InputFormat.BIOC_XML: _text(parse_bioc_xml),
    InputFormat.BIOC_JSON: _text(parse_bioc_json),
    InputFormat.JATS: read_jats,
    InputFormat.MARKDOWN: _text(parse_markdown),
    InputFormat.PUBMED: read_pubmed,
    InputFormat.PUBTATOR: read_pubtator,
    InputFormat.TEXT: _text(parse_text),
}


def detect_format(path: Path, text: str) -> InputFormat:
    """The input format, from the content."""
    head = text.lstrip()[:2000]
    if re.match(r"^[^|\t\n]{1,64}\|(?:[tTaA]|title|abstract)\|", head):
        return InputFormat.PUBTATOR
    if head.startswith("<"):
        if re.search(r"<collection[\s>]", head):
            return InputFormat.BIOC_XML
        if re.search(r"<(PubmedArticleSet|PubmedArticle|MedlineCitationSet)[\s>]", head):
            return InputFormat.PUBMED
        if re.search(r"<(article|pmc-articleset)[\s>]", head):
            return InputFormat.JATS
    if head.startswith(("{", "[")) and re.search(r'"(documents|passages)"\s*:', text[:100_000]):
        return InputFormat.BIOC_JSON
    if head.startswith("# ") or "\n## " in head:
        return InputFormat.MARKDOWN
    return InputFormat.TEXT


# What `kg build` writes beside its outputs: the list of them, so a folder of papers that also holds an
# earlier build's outputs is read without them.
BUILD_MANIFEST = "kg-build.json"


def resolve_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """The files that files, directories and globs name; a missing file, an empty directory, a pattern
    matching nothing, a folder that cannot be listed or a path that is not a regular file (a FIFO, a
    device) raises :class:`InputError` (checked before anything slow starts)."""
    paths = _expand(inputs)
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if not path.is_file():
            raise InputError(
                f"{path}: not a regular file (a pipe, a device or a socket cannot be read as papers)"
            )
    return paths


def _folder_files(folder: Path) -> list[Path]:
    """Every visible file under ``folder``, without the outputs of a `kg build` written there."""
    found: list[Path] = []

    def refuse(error: OSError) -> None:
        raise InputError(f"{error.filename}: cannot be listed ({error.strerror or error})")

    for root, directories, files in os.walk(folder, onerror=refuse):
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        outputs = _build_outputs(Path(root))
        found.extend(
            Path(root) / name
            for name in sorted(files)
            if not name.startswith(".") and name not in outputs and (Path(root) / name).is_file()
        )
    return found


def _build_outputs(folder: Path) -> set[str]:
    manifest = folder / BUILD_MANIFEST
    if not manifest.is_file():
        return set()
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return {BUILD_MANIFEST}
    return {BUILD_MANIFEST, *(str(name) for name in listed if isinstance(name, str))}


def _expand(inputs: Iterable[str | Path]) -> list[Path]:
    paths: list[Path] = []
    for item in inputs:
        text = os.fspath(item)
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise InputError(f"{text}: no files match this pattern")
            paths.extend(Path(m) for m in matches if Path(m).is_file())
        elif Path(text).is_dir():
            children = _folder_files(Path(text))
            if not children:
                raise InputError(f"{text}: directory holds no files")
            paths.extend(children)
        else:
            paths.append(Path(text))
    return paths


def iter_documents(
    inputs: Iterable[str | Path], format: InputFormat | str | None = None
) -> Iterator[Document | ReaderError]:
    """Documents from files, directories and globs; bad documents, and files that cannot be read (empty,
    binary, wrong encoding, damaged gzip, malformed or hostile XML), come out as :class:`ReaderError`
    values naming the file, so the other files of a batch are still read. A missing input raises
    :class:`InputError` before anything is read.
    """
    if format is not None and format not in set(InputFormat):
        raise InputError(f"unknown format {format!r}; known formats: {', '.join(InputFormat)}")
    chosen = InputFormat(format) if format is not None else None
    for path in resolve_inputs(inputs):
        try:
            head = read_head(path)
            if not head.strip():
                raise InputError(f"{path}: file is empty")
            name = chosen or detect_format(path, head)
            for item in FORMATS[name](path):
                if (
                    isinstance(item, Document)
                    and sum(len(p.text) for p in item.passages) > MAX_DOCUMENT_CHARACTERS
                ):
                    size = sum(len(p.text) for p in item.passages)
                    yield ReaderError(
                        path,
                        f"document too long ({size:,} characters; the limit is {MAX_DOCUMENT_CHARACTERS:,})",
                        document=item.id,
                    )
                    continue
                yield item
        except ReaderError as error:
            yield error
        except InputError as error:
            # a damaged or unreadable file: reported like a bad document, the other files still read
            yield ReaderError(path, str(error).removeprefix(f"{path}: "))


def read_documents(inputs: Iterable[str | Path], format: InputFormat | str | None = None) -> list[Document]:
    """All documents of the inputs; the first bad document raises its :class:`ReaderError`."""
    documents = []
    for item in iter_documents(inputs, format):
        if isinstance(item, ReaderError):
            raise item
        documents.append(item)
    return documents
