"""The batch build: documents stream through an :class:`~kg.extract.Extractor` into a knowledge graph.

Documents are read lazily and grouped into batches; each batch is extracted in this process, in forked
worker processes (``workers``), or on a Dask cluster (``dask``), and the results are taken in input order
as soon as they (and every batch before them) are done. Memory holds the graph and a few batches in
flight, and the output is the same whatever ran the batches. With a ``checkpoint`` folder, each finished
batch is saved (atomically) and a rerun of an interrupted build takes it from there instead of
extracting it again. A document a reader cannot read is reported in the :class:`BuildReport` and skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import pickle
import queue
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg.atomic import write_atomic
from kg.choices import InputFormat
from kg.errors import InputError, ReaderError
from kg.extract import Extractor
from kg.graph import KnowledgeGraph
from kg.read import iter_documents
from kg.records import Concept, Document, DocumentResult

__all__ = [
    "BATCH_SIZE",
    "BuildReport",
    "build_graph",
    "clear_checkpoints",
    "extract_batch",
    "extract_documents",
]

logger = logging.getLogger(__name__)
BATCH_SIZE = 200


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

    def add(self, result: DocumentResult) -> None:
        """Count one extracted document and keep its warnings."""
        self.documents += 1
        self.mentions += len(result.mentions)
        self.relations += len(result.relations)
        self.warnings.extend({"document": result.document.id, "warning": w} for w in result.warnings)


def extract_batch(extractor: Extractor, documents: list[Document]) -> list[DocumentResult]:
    """Extract a batch of documents (the unit of work sent to processes and Dask workers).

    Concepts the lexicon holds travel back as their IDs only (the receiving process has the same lexicon
    and puts them back, see :func:`_rehydrate`).
    """
    lexicon = extractor.lexicon
    results = []
    for result in extractor.extract_many(documents):
        slim = tuple(c.id if lexicon.get_concept(c.id) == c else c for c in result.concepts)
        results.append(replace(result, concepts=slim))  # type: ignore[arg-type]
    return results


def _rehydrate(results: list[DocumentResult], extractor: Extractor) -> list[DocumentResult]:
    lexicon = extractor.lexicon
    return [replace(r, concepts=tuple(_concept(c, lexicon.get_concept) for c in r.concepts)) for r in results]


def _concept(item: Concept | str, get: Callable[[str], Concept | None]) -> Concept:
    if isinstance(item, Concept):
        return item
    concept = get(item)
    if concept is None:  # the worker's lexicon had it: a different lexicon here is a bug, not bad input
        raise RuntimeError(f"concept {item} from a worker is not in this process's lexicon")
    return concept


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


class _Checkpoints:
    """Finished batches saved in a folder, so an interrupted build resumes where it stopped."""

    def __init__(self, directory: Path | None, extractor: Extractor):
        self.directory = directory
        self.fingerprint = extractor.fingerprint
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def _path(self, batch: list[Document]) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256(self.fingerprint.encode())
        for document in batch:
            digest.update(pickle.dumps(document, protocol=5))
        return self.directory / f"{digest.hexdigest()[:32]}.pickle"

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
        if self.directory is not None:
            clear_checkpoints(self.directory)


def _in_order(
    batches: Iterator[list[Document]],
    submit: Callable[[list[Document]], Callable[[], list[DocumentResult]]],
    in_flight: int,
    extractor: Extractor,
    checkpoints: _Checkpoints,
    report: BuildReport,
) -> Iterator[list[DocumentResult]]:
    """Send batches off (``submit`` returns a function that waits for the result), keep ``in_flight`` of
    them running, and yield their results in input order; checkpointed batches are not sent again."""
    pending: list[tuple[list[Document], list[DocumentResult] | Callable[[], list[DocumentResult]]]] = []

    def drain(keep: int) -> Iterator[list[DocumentResult]]:
        while len(pending) > keep:
            batch, handle = pending.pop(0)
            if isinstance(handle, list):
                yield handle
                continue
            results = _rehydrate(handle(), extractor)
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


def _work(extractor: Extractor, tasks: Any, results: Any) -> None:
    """A worker process: extract the batches it is sent until it gets None. The extractor came with the
    fork (its lexicon's memory-mapped pages are shared with the parent)."""
    while (task := tasks.get()) is not None:
        number, batch = task
        try:
            results.put((number, extract_batch(extractor, batch), None))
        except Exception as error:  # sent back and raised in the parent, with the worker's message
            results.put((number, None, f"{type(error).__name__}: {error}"))


class _ProcessPool:
    """Forked worker processes that each hold the extractor as a local (nothing is set at module level)."""

    def __init__(self, extractor: Extractor, workers: int):
        context = multiprocessing.get_context("fork")
        self.tasks = context.Queue()
        self.results = context.Queue()
        self.done: dict[int, list[DocumentResult]] = {}
        self.sent = 0
        self.processes = [
            context.Process(target=_work, args=(extractor, self.tasks, self.results), daemon=True)
            for _ in range(workers)
        ]
        for process in self.processes:
            process.start()

    def submit(self, batch: list[Document]) -> Callable[[], list[DocumentResult]]:
        number = self.sent
        self.sent += 1
        self.tasks.put((number, batch))
        return lambda: self._wait(number)

    def _wait(self, number: int) -> list[DocumentResult]:
        while number not in self.done:
            try:
                got, results, error = self.results.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in self.processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(
                        f"a worker process died (exit code {dead[0].exitcode}); the build is stopped"
                    ) from None
                continue
            if error is not None:
                raise RuntimeError(f"a worker failed on a batch: {error}")
            self.done[got] = results
        return self.done.pop(number)

    def close(self) -> None:
        for process in self.processes:
            if process.is_alive():
                self.tasks.put(None)
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()


def _run_local(
    batches: Iterator[list[Document]],
    workers: int,
    extractor: Extractor,
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
            results = extractor.extract_many(batch)
            checkpoints.put(batch, results)
            yield results
        return
    extractor.prepare()  # load the token table and the normaliser's index once, before forking
    pool = _ProcessPool(extractor, workers)
    try:
        yield from _in_order(batches, pool.submit, 2 * workers, extractor, checkpoints, report)
    finally:
        pool.close()


def _run_dask(
    batches: Iterator[list[Document]],
    address: str,
    workers: int,
    extractor: Extractor,
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
        # Sent once to every worker (pickled as the directories it was opened from, reopened there).
        shared = client.scatter(extractor, broadcast=True)
        in_flight = 2 * max(len(client.scheduler_info().get("workers", {})), 1)
        yield from _in_order(
            batches,
            lambda batch: client.submit(extract_batch, shared, batch, pure=False).result,
            in_flight,
            extractor,
            checkpoints,
            report,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def extract_documents(
    documents: Iterable[Document | ReaderError],
    extractor: Extractor,
    *,
    report: BuildReport,
    workers: int = 1,
    dask: str | None = None,
    checkpoint: Path | None = None,
    batch_size: int = BATCH_SIZE,
    clear: bool = True,
) -> Iterator[list[DocumentResult]]:
    """The results of ``documents``, batch by batch in input order; reader errors go to ``report.skipped``.

    ``workers`` local processes or a Dask scheduler (``dask``: an address, or ``"local"`` for a local
    cluster) run the per-document work; the results are the same either way.
    """
    checkpoints = _Checkpoints(checkpoint, extractor)
    batches = _batches(documents, batch_size, report)
    if dask:
        yield from _run_dask(batches, dask, workers, extractor, checkpoints, report)
    else:
        count = min(workers, os.cpu_count() or 1) if workers > 0 else 1
        yield from _run_local(batches, count, extractor, checkpoints, report)
    if clear:
        checkpoints.clear()


def clear_checkpoints(directory: str | Path) -> None:
    """Remove a build's checkpoints (the folder given as ``checkpoint``) once its outputs are written."""
    path = Path(directory)
    if path.is_dir():
        for item in path.glob("*.pickle"):
            item.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty: something else was put there
            path.rmdir()


def build_graph(
    inputs: Iterable[str | Path],
    *,
    format: InputFormat | str | None = None,
    extractor: Extractor | None = None,
    report: BuildReport | None = None,
    workers: int = 1,
    dask: str | None = None,
    checkpoint: str | Path | None = None,
    batch_size: int = BATCH_SIZE,
    on_documents: Callable[[int], None] | None = None,
    include_retracted: bool = False,
    clear_checkpoints: bool = True,
) -> KnowledgeGraph:
    """Build a knowledge graph from papers (files, directories, globs).

    A bad document is recorded in ``report.skipped`` (file, document, line, problem) and skipped.
    ``on_documents(n)`` is called as each batch of ``n`` documents lands (for progress bars). The extractor
    defaults to the shipped lexicon and models (:meth:`Extractor.open`). Evidence from retracted papers is
    kept, flagged, and left out of confidences unless ``include_retracted``. Checkpoints are removed once
    the graph is built, unless ``clear_checkpoints`` is false (then :func:`clear_checkpoints` after the
    outputs are written, so a build killed while writing still resumes).

    >>> graph = build_graph(["examples/PMC11208807.md"])  # doctest: +SKIP
    """
    extractor = extractor or Extractor.open()
    report = report if report is not None else BuildReport()
    graph = KnowledgeGraph(include_retracted=include_retracted)
    for results in extract_documents(
        iter_documents(inputs, format),
        extractor,
        report=report,
        workers=workers,
        dask=dask,
        checkpoint=Path(checkpoint) if checkpoint else None,
        batch_size=batch_size,
        clear=clear_checkpoints,
    ):
        for result in results:
            report.add(result)
            graph.add_result(result)
        if on_documents is not None:
            on_documents(len(results))
    overlay = extractor.overlay
    if overlay is not None:
        graph.prefixes.update(overlay.prefixes)
    graph.add_hierarchy(extractor.lexicon, overlay.concepts if overlay else None)
    return graph
