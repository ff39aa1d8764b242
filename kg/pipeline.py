"""The per-document pipeline and the batch build: read -> recognise -> ground -> relate -> graph.

:func:`extract_document` is a pure function of one document and the lexicon, so the same function runs in
a loop, in local worker processes (``workers``) or on a Dask cluster (``dask``). Documents stream through
in batches; each batch's results are added to the graph in input order as soon as they (and every batch
before them) are done, so memory holds the graph and a few batches in flight, and the output is the same
whatever runs the batches. With a ``checkpoint`` folder, each finished batch is saved (atomically) and a
rerun of an interrupted build takes it from there instead of extracting it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.atomic import write_atomic
from kg.errors import InputError, ReaderError
from kg.graph import KnowledgeGraph
from kg.ground import ground_mentions, names_from_annotations
from kg.lexicon import Lexicon, get_default_lexicon
from kg.mention_filter import filter_mentions
from kg.read import iter_documents
from kg.recognise import find_mentions
from kg.records import Document, DocumentResult
from kg.relate import extract_relations
from kg.relate_learned import learned_relations

__all__ = ["BuildReport", "build_graph", "extract_batch", "extract_document"]

logger = logging.getLogger(__name__)
BATCH_SIZE = 200
_WORKER_LEXICON: Lexicon | None = None  # set before forking workers, inherited by them


# Learned relations enter graphs only from this probability up (the model is tuned for recall on the
# benchmarks: kg evaluate and kg annotate use all it proposes).
LEARNED_MIN_SCORE = 0.5


def extract_document(
    document: Document,
    lexicon: Lexicon | None = None,
    relation_scheme: str | None = "biored",
    learned_min_score: float = LEARNED_MIN_SCORE,
) -> DocumentResult:
    """Everything `kg` finds in one document: grounded mentions, their concepts, relations.

    Relations come from the trigger rules and, when a model is shipped, from the learned document-level
    model for ``relation_scheme`` (``"biored"`` types, ``"cdr"`` CID, or None for rules only).
    """
    lexicon = lexicon or get_default_lexicon()
    names, local_concepts, warnings = names_from_annotations(document, lexicon)
    mentions = find_mentions(document, lexicon, names)
    grounded, concepts = ground_mentions(mentions, lexicon, local_concepts)
    grounded, concepts = filter_mentions(document, grounded, concepts)
    relations = extract_relations(document, grounded)
    if relation_scheme is not None:
        learned = learned_relations(
            document, grounded, {c.id: c for c in concepts}, relations, relation_scheme
        )
        relations += [r for r in learned if r.evidence.score >= learned_min_score]
    return DocumentResult(
        document=document,
        mentions=tuple(grounded),
        concepts=tuple(concepts),
        relations=tuple(relations),
        warnings=(*document.warnings, *warnings),
    )


def extract_batch(documents: list[Document], lexicon_dir: str | None = None) -> list[DocumentResult]:
    """Extract a batch of documents (the unit of work sent to processes and Dask workers).

    Concepts the lexicon holds travel back as their IDs only (the receiving process has the same lexicon);
    :func:`_rehydrate` puts them back.
    """
    if _WORKER_LEXICON is not None:
        lexicon = _WORKER_LEXICON
    elif lexicon_dir:
        lexicon = _open_lexicon(lexicon_dir)
    else:
        lexicon = get_default_lexicon()
    results = []
    for document in documents:
        result = extract_document(document, lexicon)
        slim = tuple(c.id if lexicon.get_concept(c.id) == c else c for c in result.concepts)
        results.append(replace(result, concepts=slim))  # type: ignore[arg-type]
    return results


def _rehydrate(results: list[DocumentResult], lexicon: Lexicon) -> list[DocumentResult]:
    return [
        replace(r, concepts=tuple(lexicon.get_concept(c) if isinstance(c, str) else c for c in r.concepts))
        for r in results
    ]


_OPENED: dict[str, Lexicon] = {}


def _open_lexicon(directory: str) -> Lexicon:
    if directory not in _OPENED:
        _OPENED[directory] = Lexicon.open(directory)
    return _OPENED[directory]


@dataclass
class BuildReport:
    """What a build read, found and skipped."""

    documents: int = 0
    mentions: int = 0
    relations: int = 0
    skipped: list[dict[str, str | int | None]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    resumed_batches: int = 0

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


def _batches(
    items: Iterable[Document | ReaderError], size: int, report: BuildReport
) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for item in items:
        if isinstance(item, ReaderError):
            logger.debug("skipped: %s", item)
            report.skipped.append(
                {"file": item.path, "document": item.document, "line": item.line, "problem": item.problem}
            )
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _batch_key(batch: list[Document], lexicon: Lexicon) -> str:
    digest = hashlib.sha256(str(lexicon.compiled).encode())
    for document in batch:
        digest.update(pickle.dumps(document, protocol=5))
    return digest.hexdigest()[:32]


class _Checkpoints:
    """Finished batches saved in a folder, so an interrupted build resumes where it stopped."""

    def __init__(self, directory: Path | None, lexicon: Lexicon):
        self.directory = directory
        self.lexicon = lexicon
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def _path(self, batch: list[Document]) -> Path | None:
        return self.directory / f"{_batch_key(batch, self.lexicon)}.pickle" if self.directory else None

    def get(self, batch: list[Document]) -> list[DocumentResult] | None:
        path = self._path(batch)
        if path is None or not path.exists():
            return None
        try:
            return pickle.loads(path.read_bytes())
        except (pickle.UnpicklingError, EOFError, AttributeError):
            return None  # a damaged checkpoint is recomputed

    def put(self, batch: list[Document], results: list[DocumentResult]) -> None:
        path = self._path(batch)
        if path is not None:
            write_atomic(path, pickle.dumps(results, protocol=5))

    def clear(self) -> None:
        if self.directory is not None and self.directory.exists():
            for path in self.directory.glob("*.pickle"):
                path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # not empty: something else was put there
                self.directory.rmdir()


def _run_local(
    batches: Iterator[list[Document]],
    workers: int,
    lexicon: Lexicon,
    checkpoints: _Checkpoints,
    report: BuildReport,
) -> Iterator[list[DocumentResult]]:
    if workers <= 1:
        for batch in batches:
            cached = checkpoints.get(batch)
            if cached is not None:
                report.resumed_batches += 1
                yield cached
                continue
            results = [extract_document(document, lexicon) for document in batch]
            checkpoints.put(batch, results)
            yield results
        return
    import multiprocessing

    global _WORKER_LEXICON
    _WORKER_LEXICON = lexicon  # forked workers inherit the opened (memory-mapped) lexicon
    lexicon.encode(["warm"])  # load the token table once, before forking
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        yield from _in_order(
            batches,
            lambda batch: pool.apply_async(extract_batch, (batch,)).get,
            2 * workers,
            lexicon,
            checkpoints,
            report,
        )
    _WORKER_LEXICON = None


def _in_order(
    batches: Iterator[list[Document]],
    submit: Callable[[list[Document]], Callable[[], list]],
    in_flight: int,
    lexicon: Lexicon,
    checkpoints: _Checkpoints,
    report: BuildReport,
) -> Iterator[list[DocumentResult]]:
    """Send batches off (``submit`` returns a function that waits for the result), keep ``in_flight`` of
    them running, and yield their results in input order; checkpointed batches are not sent again."""
    pending: list[tuple[list[Document], list[DocumentResult] | Callable[[], list]]] = []

    def drain(keep: int) -> Iterator[list[DocumentResult]]:
        while len(pending) > keep:
            batch, handle = pending.pop(0)
            if isinstance(handle, list):
                yield handle
                continue
            results = _rehydrate(handle(), lexicon)
            checkpoints.put(batch, results)
            yield results

    for batch in batches:
        cached = checkpoints.get(batch)
        if cached is not None:
            report.resumed_batches += 1
            pending.append((batch, cached))
        else:
            pending.append((batch, submit(batch)))
        yield from drain(keep=in_flight)
    yield from drain(keep=0)


def _run_dask(
    batches: Iterator[list[Document]],
    address: str,
    workers: int,
    lexicon: Lexicon,
    checkpoints: _Checkpoints,
    report: BuildReport,
) -> Iterator[list[DocumentResult]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("Dask is not installed: pip install 'dask[distributed]'") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=max(workers, 1),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        lexicon_dir = str(lexicon.shipped)
        in_flight = 2 * max(len(client.scheduler_info().get("workers", {})), 1)
        yield from _in_order(
            batches,
            lambda batch: client.submit(extract_batch, batch, lexicon_dir, pure=False).result,
            in_flight,
            lexicon,
            checkpoints,
            report,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def build_graph(
    inputs: Iterable[str | Path],
    *,
    format: str | None = None,
    lexicon: Lexicon | None = None,
    report: BuildReport | None = None,
    workers: int = 1,
    dask: str | None = None,
    checkpoint: str | Path | None = None,
    batch_size: int = BATCH_SIZE,
    on_documents: Callable[[int], None] | None = None,
) -> KnowledgeGraph:
    """Build a knowledge graph from papers (files, directories, globs).

    ``workers`` local processes or a Dask scheduler (``dask``: an address, or ``"local"`` for a local
    cluster) run the per-document work; the graph is the same either way. A bad document is recorded in
    ``report.skipped`` (file, document, line, problem) and skipped. ``on_documents(n)`` is called as each
    batch of ``n`` documents lands (for progress bars).

    >>> graph = build_graph(["examples/PMC11208807.md"])  # doctest: +SKIP
    """
    lexicon = lexicon or get_default_lexicon()
    report = report if report is not None else BuildReport()
    checkpoints = _Checkpoints(Path(checkpoint) if checkpoint else None, lexicon)
    batches = _batches(iter_documents(inputs, format), batch_size, report)
    if dask:
        runs = _run_dask(batches, dask, workers, lexicon, checkpoints, report)
    else:
        runs = _run_local(
            batches, min(workers, os.cpu_count() or 1) if workers > 0 else 1, lexicon, checkpoints, report
        )
    graph = KnowledgeGraph()
    for results in runs:
        for result in results:
            report.documents += 1
            report.mentions += len(result.mentions)
            report.relations += len(result.relations)
            report.warnings.extend({"document": result.document.id, "warning": w} for w in result.warnings)
            graph.add_result(result)
        if on_documents is not None:
            on_documents(len(results))
    graph.add_hierarchy(lexicon)
    graph.finalize()
    checkpoints.clear()
    return graph
