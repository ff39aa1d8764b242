"""Safe, streaming XML for the readers: no external entities, no entity expansion bombs.

XML from the internet (PubMed, PMC, BioC) is parsed with ``defusedxml``: a document declaring entities
is refused with a message that names the file ("XML entity declarations are not accepted"), in bounded
time and memory, before any expansion happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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


def iter_elements(path: Path, tags: set[str]) -> Iterator[Element]:
    """Each complete element whose local name is in ``tags``, streamed; cleared after use.

    Raises :class:`InputError` naming the file for malformed XML, entity declarations (XXE, billion
    laughs) and damaged gzip.
    """
    try:
        with open_binary(path) as handle:
            context = iterparse(
                handle, events=("start", "end"), forbid_dtd=False, forbid_entities=True, forbid_external=True
            )
            depth = 0
            for event, element in context:
                if event == "start":
                    if local_name(element.tag) in tags:
                        depth += 1
                    continue
                if local_name(element.tag) in tags:
                    depth -= 1
                    if depth == 0:
                        yield element
                        element.clear()
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
