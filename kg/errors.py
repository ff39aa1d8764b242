"""The errors `kg` raises: one root, each subclass also inheriting the matching builtin.

Messages say what was wrong, where (file, line, document id) and what would be valid. Only the
command line turns them into exit codes.
"""

from __future__ import annotations

__all__ = [
    "IdentifierError",
    "InputError",
    "KGError",
    "LexiconError",
    "ModelError",
    "OutputError",
    "QueryError",
    "ReaderError",
]


class KGError(Exception):
    """Root of every error `kg` raises on purpose."""


class InputError(KGError, ValueError):
    """An input file is missing, unreadable, empty or not in the expected format."""


class ReaderError(InputError):
    """A document in an input file cannot be read; names the file, the document and the problem.

    >>> str(ReaderError("paper.md", "no title line", document="PMC1"))
    'paper.md: document PMC1: no title line'
    """

    def __init__(self, path: object, problem: str, *, document: str | None = None, line: int | None = None):
        self.path = str(path)
        self.problem = problem
        self.document = document
        self.line = line
        where = self.path
        if line is not None:
            where += f":{line}"
        if document is not None:
            where += f": document {document}"
        super().__init__(f"{where}: {problem}")


class IdentifierError(KGError, ValueError):
    """A string is not a valid identifier (CURIE) for its prefix."""


class LexiconError(KGError, RuntimeError):
    """The lexicon is missing or cannot be built from its sources."""


class QueryError(KGError, ValueError):
    """A SPARQL query is malformed or cannot be run."""


class ModelError(KGError, RuntimeError):
    """A learned model's weights are missing or damaged."""


class OutputError(KGError, OSError):
    """An output cannot be written (a folder that is a file, no permission, a full disk...)."""
