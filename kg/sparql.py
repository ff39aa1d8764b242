"""SPARQL over a graph with a real engine (Oxigraph, via pyoxigraph): in memory or on disk.

Queries may use the usual prefixes without declaring them (``biolink:``, ``rdfs:``, ``skos:``, ``MONDO:``,
``MESH:``, ``NCBIGene:``...). Results come back as a pandas DataFrame (IRIs as strings, literals as their
lexical form) or serialised as CSV, TSV, JSON or XML.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyoxigraph as ox

from kg.choices import RdfFormat, ResultFormat
from kg.errors import InputError, QueryError
from kg.graph import aggregate, best_by_paper
from kg.identifiers import LOCAL_NAMESPACE, compress, get_converter
from kg.rdf import iter_oxigraph_triples, serialize

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["RDF_FORMATS", "Store", "default_prefixes", "is_store", "query_graph", "uses_service"]

_BL = "https://w3id.org/biolink/vocab/"
_CONFIDENCE = ox.NamedNode(_BL + "has_confidence_score")
_EVIDENCE_COUNT = ox.NamedNode(_BL + "evidence_count")
_PAPER_COUNT = ox.NamedNode(LOCAL_NAMESPACE + "vocab/paperCount")
_HAS_EVIDENCE = ox.NamedNode(_BL + "has_evidence")
_PUBLICATIONS = ox.NamedNode(_BL + "publications")
_SCORE = ox.NamedNode(_BL + "extraction_confidence_score")
_RETRACTED = ox.NamedNode(LOCAL_NAMESPACE + "vocab/retracted")
_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_AGGREGATES = (_CONFIDENCE, _EVIDENCE_COUNT, _PAPER_COUNT)
STORE_MARKER = "kg-store.json"

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}
RESULT_FORMATS = {
    ResultFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultFormat.TSV: ox.QueryResultsFormat.TSV,
    ResultFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultFormat.XML: ox.QueryResultsFormat.XML,
}


@functools.cache
def default_prefixes() -> dict[str, str]:
    """Prefixes every query may use undeclared."""
    prefixes = {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "biolink": "https://w3id.org/biolink/vocab/",
        "kg": LOCAL_NAMESPACE,
        "kgv": LOCAL_NAMESPACE + "vocab/",
    }
    for prefix in (
        "MONDO",
        "MESH",
        "NCBIGene",
        "HGNC",
        "CHEBI",
        "DRUGBANK",
        "DOID",
        "HP",
        "UNII",
        "PMID",
        "PMC",
        "UMLS",
        "OMIM",
    ):
        namespace = get_converter().prefix_map.get(prefix)
        if namespace:
            prefixes[prefix] = namespace
    return prefixes


def _format_for(path: Path) -> ox.RdfFormat:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    suffix = suffixes[-1] if suffixes else ""
    if suffix not in RDF_FORMATS:
        raise InputError(
            f"{path}: unknown RDF file type {suffix!r}; use one of {', '.join(sorted(RDF_FORMATS))}"
        )
    return RDF_FORMATS[suffix]


def _value(term: object, compact: bool) -> object:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return (compress(term.value) or term.value) if compact else term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _aggregate_triples(
    association: ox.NamedNode, scores: list[tuple[str, float]], evidence_count: int
) -> list[ox.Triple]:
    """Confidence and paper count (:func:`kg.graph.aggregate`, as the graph computes them) from the
    ``(paper, score)`` pairs of the evidence that counts, and the association's evidence count."""
    aggregates = aggregate(best_by_paper(scores))
    return [
        ox.Triple(association, _CONFIDENCE, ox.Literal(str(aggregates["confidence"]), datatype=_DECIMAL)),
        ox.Triple(association, _EVIDENCE_COUNT, ox.Literal(str(evidence_count), datatype=_INTEGER)),
        ox.Triple(association, _PAPER_COUNT, ox.Literal(str(aggregates["papers"]), datatype=_INTEGER)),
    ]


def _lexical(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """An IRI's or a literal's lexical value."""
    return term.value if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode) else str(term)


_TOKENS = re.compile(
    r"""(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
    r"""|(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<comment>\#[^\n]*)|(?P<variable>[?$]\w+)"""
    r"""|(?P<name>[\w.-]*:[\w.:%-]*)|(?P<word>[A-Za-z_]\w*)|(?P<other>.)""",
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def uses_service(query: str) -> bool:
    """Whether a SPARQL query holds the ``SERVICE`` keyword outside strings, IRIs, comments and names
    (also once ``\\u`` escapes are decoded, as SPARQL allows them anywhere).

    >>> uses_service("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT * { ?s rdfs:label "SERVICE" . ?s ex:service ?service }  # SERVICE')
    False
    >>> uses_service("SELECT * { \\\\u0053ERVICE <http://x/> { ?s ?p ?o } }")
    True
    """

    def decoded(match: re.Match[str]) -> str:
        return chr(int(match.group(1) or match.group(2), 16))

    for text in (query, _ESCAPE.sub(decoded, query)):
        for token in _TOKENS.finditer(text):
            if token.lastgroup == "word" and token.group(0).upper() == "SERVICE":
                return True
    return False


def is_store(path: Path) -> bool:
    """Whether a directory holds an Oxigraph store (made by `kg load` or by the oxigraph tool)."""
    return path.is_dir() and ((path / STORE_MARKER).exists() or (path / "CURRENT").exists())


class Store:
    """A SPARQL store (pyoxigraph ``Store``): in memory by default, persistent with ``path``."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path else None
        try:
            if path is None:
                self.store = ox.Store()
            elif read_only:
                if not is_store(Path(path)):
                    raise InputError(f"{path}: not a kg store (create one with `kg load {path} PAPERS...`)")
                self.store = ox.Store.read_only(str(path))
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(path))
                marker = Path(path) / STORE_MARKER
                if not marker.exists():
                    marker.write_text('{"format": "oxigraph", "created_by": "kg"}\n', encoding="utf-8")
        except OSError as error:
            raise InputError(f"{path}: cannot open the store ({error})") from None

    def flush(self) -> None:
        if self.path is not None:
            self.store.flush()

    @classmethod
    def from_graph(cls, graph: KnowledgeGraph) -> Store:
        store = cls()
        store.add_graph(graph)
        return store

    @classmethod
    def from_files(cls, paths: list[str | Path]) -> Store:
        store = cls()
        for path in paths:
            store.load_file(path)
        return store

    def add_graph(self, graph: KnowledgeGraph) -> None:
        """Add a graph's triples (into an empty store; use :meth:`merge_graph` to add to a filled one)."""
        self.store.bulk_load(serialize(graph, RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)

    def merge_graph(self, graph: KnowledgeGraph) -> int:
        """Add a graph to what the store holds without duplicating nodes or evidence: triples are a set,
        and each association's confidence and counts are recomputed over all its evidence. The whole change
        is one transaction: a load that is killed leaves the store as it was. Returns the number of
        associations updated."""
        return self._merge(list(iter_oxigraph_triples(graph)))

    def merge_file(self, path: str | Path) -> int:
        """Add an RDF file written by `kg` (``kg build``) like :meth:`merge_graph`."""
        path = Path(path)
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            import gzip

            data = gzip.decompress(data)
        try:
            triples = [
                ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=_format_for(path))
            ]
        except (SyntaxError, ValueError) as error:
            raise InputError(f"{path}: not valid RDF: {error}") from None
        if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
            raise InputError(f"{path}: holds blank nodes; kg loads only the RDF it writes itself")
        return self._merge(triples)

    def load_ontology(self, path: str | Path) -> int:
        """Load an ontology file (OBO, OWL, Turtle...) into a named graph of its own beside the graph,
        replacing an earlier load of the same file name; queries see it (see :mod:`kg.ontology`). Returns
        the number of its triples."""
        from kg.ontology import read_ontology

        graph, quads = read_ontology(path)
        self.store.update(f"DROP SILENT GRAPH <{graph.value}>")
        self.store.extend(quads)
        return len(quads)

    def load_file(self, path: str | Path) -> None:
        """Bulk-load an RDF file (.ttl, .nt, .jsonld, .gz) into an empty store (the fast path)."""
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        with path.open("rb") as handle:
            head = handle.read(2)
        if path.stat().st_size == 0:
            raise InputError(f"{path}: file is empty")
        try:
            if head == b"\x1f\x8b":
                import gzip

                self.store.bulk_load(gzip.decompress(path.read_bytes()), format=_format_for(path))
            else:
                self.store.bulk_load(path=str(path), format=_format_for(path))  # streamed by the engine
        except (SyntaxError, ValueError, OSError) as error:
            raise InputError(f"{path}: not valid RDF: {error}") from None

    def _merge(self, triples: list[ox.Triple]) -> int:
        new = [t for t in triples if t.predicate not in _AGGREGATES]
        evidence_of: dict[Any, set[Any]] = {}
        paper_of: dict[Any, str] = {}
        score_of: dict[Any, float] = {}
        retracted = {t.subject for t in new if t.predicate == _RETRACTED and _lexical(t.object) == "true"}
        for t in new:
            if t.predicate == _HAS_EVIDENCE:
                evidence_of.setdefault(t.subject, set()).add(t.object)
            elif t.predicate == _PUBLICATIONS:
                paper_of.setdefault(t.subject, _lexical(t.object))
            elif t.predicate == _SCORE:
                score_of[t.subject] = max(score_of.get(t.subject, 0.0), float(_lexical(t.object)))
        removed, added = [], []
        for association in sorted(evidence_of, key=str):
            evidence = set(evidence_of[association])
            evidence |= {q.object for q in self.store.quads_for_pattern(association, _HAS_EVIDENCE, None)}
            scores = []
            for item in evidence:
                paper = paper_of.get(item) or next(
                    (_lexical(q.object) for q in self.store.quads_for_pattern(item, _PUBLICATIONS, None)),
                    str(item),
                )
                score = score_of.get(item)
                if score is None:
                    score = max(
                        (float(_lexical(q.object)) for q in self.store.quads_for_pattern(item, _SCORE, None)),
                        default=0.0,
                    )
                if item in retracted or any(
                    _lexical(q.object) == "true" for q in self.store.quads_for_pattern(item, _RETRACTED, None)
                ):
                    continue  # evidence from a retracted paper counts for nothing (it stays, flagged)
                scores.append((paper, score))
            for predicate in _AGGREGATES:
                removed += [
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in self.store.quads_for_pattern(association, predicate, None)
                ]
            added += _aggregate_triples(association, scores, len(evidence))
        update = []
        if removed:
            update.append(
                "DELETE DATA {\n"
                + "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in removed)
                + "\n}"
            )
        inserted = new + added
        if inserted:
            update.append(
                "INSERT DATA {\n"
                + "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in inserted)
                + "\n}"
            )
        if update:
            self.store.update(" ;\n".join(update))  # one request, one transaction
        return len(evidence_of)

    def recompute_associations(self, associations) -> int:
        """Recompute confidence and counts of association resources from the evidence the store holds."""
        return self._merge(
            [
                ox.Triple(a, _HAS_EVIDENCE, q.object)
                for a in associations
                for q in self.store.quads_for_pattern(a, _HAS_EVIDENCE, None)
            ]
        )

    def _run(self, query: str):
        if uses_service(query):
            raise QueryError(
                "SERVICE (federated queries) is not allowed: kg queries its own graph and fetches nothing"
            )
        try:
            return self.store.query(query, prefixes=default_prefixes(), use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except OSError as error:
            raise QueryError(f"SPARQL query failed: {error}") from None

    def query(self, query: str, *, compact: bool = False) -> pd.DataFrame:
        """Rows of a SELECT as a DataFrame; an ASK gives one column ``result``; a CONSTRUCT/DESCRIBE gives
        ``subject``, ``predicate``, ``object``. ``compact`` turns IRIs into CURIEs."""
        results = self._run(query)
        if isinstance(results, ox.QueryBoolean):
            return pd.DataFrame({"result": [bool(results)]})
        if isinstance(results, ox.QuerySolutions):
            columns = [variable.value for variable in results.variables]
            rows = [[_value(solution[c], compact) for c in columns] for solution in results]
            return pd.DataFrame(rows, columns=columns)
        rows = [
            [_value(t.subject, compact), _value(t.predicate, compact), _value(t.object, compact)]
            for t in results
        ]
        return pd.DataFrame(rows, columns=["subject", "predicate", "object"])

    def query_serialized(self, query: str, format: ResultFormat | str) -> bytes:
        """A query's results in a W3C results format (csv, tsv, json, xml)."""
        format = ResultFormat(format)
        if format not in RESULT_FORMATS:
            raise QueryError(f"{format.value!r} is not a SPARQL results format; use csv, tsv, json or xml")
        results = self._run(query)
        if isinstance(results, ox.QueryTriples):
            return results.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        return results.serialize(format=RESULT_FORMATS[format]) or b""

    def __len__(self) -> int:
        return len(self.store)


def query_graph(graph: KnowledgeGraph, query: str) -> pd.DataFrame:
    """Run a SPARQL query over a graph (Oxigraph, in memory); rows as a DataFrame.

    >>> query_graph(graph, "SELECT ?s ?o WHERE { ?s biolink:treats ?o }")  # doctest: +SKIP
    """
    return Store.from_graph(graph).query(query)
