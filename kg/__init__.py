"""kg — biomedical knowledge graphs from the literature.

The pipeline, one module per stage in the order data flows::

    read -> annotations -> recognise -> ground -> tag -> combine (normalise) -> species -> mention_filter
         -> variants -> relate -> graph -> rdf / tables / html -> sparql

The per-document part is an :class:`Extractor` (lexicon + learned models); :func:`build_graph` runs it over
papers into a :class:`KnowledgeGraph`; exports are functions of a graph.

>>> import kg
>>> graph = kg.build_graph(["examples/PMC11208807.md"])                 # doctest: +SKIP
>>> nodes, edges = kg.to_frames(graph)                                   # doctest: +SKIP
>>> kg.query_graph(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kg.version import __version__ as __version__

__all__ = [
    "Extractor",
    "KnowledgeGraph",
    "Models",
    "build_graph",
    "query_graph",
    "read_documents",
    "to_frames",
    "to_rdflib",
    "write_html",
    "write_outputs",
]

# name -> module: imported on first use, so `import kg` stays cheap
_EXPORTS = {
    "Extractor": "kg.extract",
    "KnowledgeGraph": "kg.graph",
    "Models": "kg.models",
    "build_graph": "kg.pipeline",
    "query_graph": "kg.sparql",
    "read_documents": "kg.read",
    "to_frames": "kg.tables",
    "to_rdflib": "kg.rdf",
    "write_html": "kg.html",
    "write_outputs": "kg.writers",
}

if TYPE_CHECKING:
    from kg.extract import Extractor
    from kg.graph import KnowledgeGraph
    from kg.html import write_html
    from kg.models import Models
    from kg.pipeline import build_graph
    from kg.rdf import to_rdflib
    from kg.read import read_documents
    from kg.sparql import query_graph
    from kg.tables import to_frames
    from kg.writers import write_outputs


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
