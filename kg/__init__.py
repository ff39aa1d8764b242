"""kg — biomedical knowledge graphs from the literature.

The pipeline, one module per stage in the order data flows::

    read  ->  recognise  ->  ground  ->  relate  ->  graph  ->  rdf / tables / html  ->  sparql

>>> import kg
>>> graph = kg.build_graph(["examples/PMC11208807.md"])        # doctest: +SKIP
>>> graph.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["KnowledgeGraph", "build_graph", "read_documents"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph
    from kg.pipeline import build_graph
    from kg.read import read_documents


def __getattr__(name: str) -> Any:
    # Lazy: `import kg` stays cheap; the lexicon and heavy libraries load on first use.
    if name == "KnowledgeGraph":
        from kg.graph import KnowledgeGraph

        return KnowledgeGraph
    if name == "build_graph":
        from kg.pipeline import build_graph

        return build_graph
    if name == "read_documents":
        from kg.read import read_documents

        return read_documents
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
