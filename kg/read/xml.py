"""Safe, streaming XML for the readers: no external entities, no entity expansion bombs.

XML from the internet (PubMed, PMC, BioC) is parsed with ``defusedxml``: a document declaring entities
is refused with a message that names the file ("XML entity declarations are not accepted"), in bounded
time and memory, before any expansion happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from kg.errors import InputError
from kg.read.files import open_binary

__all__ = ["iter_elements", "local_name", "text_of"]


def local_name(tag: str) -> str:
    """'{namespace}article' -> 'article'."""
    return tag.rsplit("}", 1)[-1]


def text_of(element: Element | None) -> str:
    """All the text inside an element (inline markup flattened), whitespace collapsed."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


# More bytes than this between two tags (one giant text node: a gzip bomb of XML) stops the file.
MAX_BYTES_BETWEEN_TAGS = 64 * 1024 * 1024


class _TooLarge(Exception):
    pass


class _Guarded:
    """A binary stream that refuses to go on when too many bytes pass without the parser reporting an
    event (``mark`` is moved by the consumer at each one), so memory stays bounded whatever the file."""

    def __init__(self, handle: BinaryIO, limit: int):
        self.handle, self.limit = handle, limit
        self.position = self.mark = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size if size and size > 0 else 65536)
        self.position += len(data)
        if self.position - self.mark > self.limit:
            raise _TooLarge
        return data


def iter_elements(path: Path, tags: set[str], limit: int = MAX_BYTES_BETWEEN_TAGS) -> Iterator[Element]:
    """Each complete element whose local name is in ``tags``, streamed; cleared after use.

    Raises :class:`InputError` naming the file for malformed XML, entity declarations (XXE, billion
    laughs), damaged gzip, and more than ``limit`` bytes between two tags.
    """
    try:
        with open_binary(path) as handle:
            guarded = _Guarded(handle, limit)
            context = iterparse(
                guarded, events=("start", "end"), forbid_dtd=False, forbid_entities=True, forbid_external=True
            )
            depth = 0
            for event, element in context:
                guarded.mark = guarded.position
                if event == "start":
                    if local_name(element.tag) in tags:
                        depth += 1
                    continue
                if local_name(element.tag) in tags:
                    depth -= 1
                    if depth == 0:
                        yield element
                        element.clear()
    except _TooLarge:
        raise InputError(
            f"{path}: more than {limit // 2**20} MB between two XML tags once decompressed; not read"
        ) from None
    except DefusedXmlException as error:
        raise InputError(
            f"{path}: XML entity declarations are not accepted ({type(error).__name__}); "
            "the file may be an attack (XXE or an entity bomb)"
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (None, None))
        raise InputError(
            f"{path}: malformed XML at line {line}, column {column} ({error.msg if hasattr(error, 'msg') else error})"
        ) from None
    except (LookupError, ValueError, UnicodeError) as error:  # e.g. an unknown encoding in the declaration
        raise InputError(f"{path}: cannot decode the XML ({error})") from None
    except (OSError, EOFError) as error:
        raise InputError(f"{path}: damaged file ({error})") from None
