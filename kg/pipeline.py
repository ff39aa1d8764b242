"""The per-document pipeline and the batch build: read -> recognise -> ground -> relate -> graph.

:func:`extract_document` is a pure function of one document and the lexicon, so the same function runs in
a loop, a process pool or a Dask cluster; :func:`build_graph` runs it over inputs and assembles the graph,
reporting and skipping bad documents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import ReaderError
from kg.graph import KnowledgeGraph
from kg.ground import ground_mentions, names_from_annotations
from kg.lexicon import Lexicon, get_default_lexicon
from kg.read import iter_documents
from kg.recognise import find_mentions
from kg.records import Document, DocumentResult
from kg.relate import extract_relations

__all__ = ["BuildReport", "build_graph", "extract_document"]

logger = logging.getLogger(__name__)


def extract_document(document: Document, lexicon: Lexicon | None = None) -> DocumentResult:
    """Everything `kg` finds in one document: grounded mentions, their concepts, relations."""
    lexicon = lexicon or get_default_lexicon()
    names, local_concepts, warnings = names_from_annotations(document, lexicon)
    mentions = find_mentions(document, lexicon, names)
    grounded, concepts = ground_mentions(mentions, lexicon, local_concepts)
    relations = extract_relations(document, grounded)
    return DocumentResult(
        document=document,
        mentions=tuple(grounded),
        concepts=tuple(concepts),
        relations=tuple(relations),
        warnings=tuple(warnings),
    )


@dataclass
class BuildReport:
    """What a build read, found and skipped."""

    documents: int = 0
    mentions: int = 0
    relations: int = 0
    skipped: list[dict[str, str | int | None]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self, graph: KnowledgeGraph | None = None) -> dict[str, object]:
        result: dict[str, object] = {
            "documents": self.documents,
            "mentions": self.mentions,
            "relations": self.relations,
            "skipped": self.skipped,
            "warnings": self.warnings,
        }
        if graph is not None:
            result["nodes"] = graph.graph.number_of_nodes()
            result["edges"] = graph.graph.number_of_edges()
        return result


def build_graph(
    inputs: Iterable[str | Path],
    *,
    format: str | None = None,
    lexicon: Lexicon | None = None,
    report: BuildReport | None = None,
) -> KnowledgeGraph:
    """Build a knowledge graph from papers (files, directories, globs).

    A bad document is recorded in ``report.skipped`` (file, document, line, problem) and skipped.

    >>> graph = build_graph(["examples/PMC11208807.md"])  # doctest: +SKIP
    """
    lexicon = lexicon or get_default_lexicon()
    report = report if report is not None else BuildReport()
    graph = KnowledgeGraph()
    for item in iter_documents(inputs, format):
        if isinstance(item, ReaderError):
            logger.warning("skipped: %s", item)
            report.skipped.append(
                {"file": item.path, "document": item.document, "line": item.line, "problem": item.problem}
            )
            continue
        result = extract_document(item, lexicon)
        report.documents += 1
        report.mentions += len(result.mentions)
        report.relations += len(result.relations)
        report.warnings.extend({"document": item.id, "warning": w} for w in result.warnings)
        graph.add_result(result)
    graph.add_hierarchy(lexicon)
    return graph
