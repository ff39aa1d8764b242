"""Serve a graph over the SPARQL 1.1 protocol, with the engine kept out of reach.

A store directory is served as it is; graph files are loaded first into a temporary store that is removed
on exit (and by the next ``kg serve`` if this one was killed). Queries run in a few **worker processes**,
each with the store opened read-only through pyoxigraph; nothing else listens: the engine has no port of
its own, so the only way in is the guarded HTTP front that ``kg serve`` binds (127.0.0.1 by default).
Why processes: a query past its time is stopped by killing its worker (Oxigraph cannot cancel a running
query from outside) and a new worker takes its place, so an abandoned aggregate never keeps computing; a
worker's memory is capped (``RLIMIT_AS``) and it dies with the server (``PR_SET_PDEATHSIG``).

The front answers ``/query`` (and ``/update`` only with ``allow_update``, then through one writable
worker) and:

* refuses ``SERVICE`` (a federated query would make the server fetch any URL it can reach) with 400;
* answers only complete results: 504 when the query ran past ``timeout``, 413 when the answer would be
  larger than ``max_result_bytes`` (it is never streamed half-way), never a cut 200;
* reads at most 10 MB of request body, refuses a missing or negative ``Content-Length`` on POST, drops a
  connection idle for ``IDLE_SECONDS`` and a request cut off before its line ends, and answers at most
  ``MAX_CONNECTIONS`` requests at once (the others wait their turn, then 503).

Queries may use kg's usual prefixes (``biolink:``, ``rdfs:``, ``MONDO:``...) undeclared, as with
``kg query``.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from queue import Empty, Queue
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import InputError, QueryError
from kg.explore import VIS_NETWORK, generate_explorer, vis_network_script
from kg.sparql import Store, default_prefixes, is_store, uses_service

__all__ = ["DEFAULT_MAX_RESULT_BYTES", "WorkerPool", "prepare_location", "serve_store"]

DEFAULT_MAX_RESULT_BYTES = 50 * 1024 * 1024
MAX_REQUEST_BYTES = 10 * 1024 * 1024
MAX_CONNECTIONS = 64
IDLE_SECONDS = 15
QUEUE_SECONDS = 60
WORKER_MEMORY_BYTES = 4 * 1024**3
_TEMPORARY_PREFIX = "kg-serve-"

# --- the store and its workers ---------------------------------------------------------------------------


def prepare_location(inputs: list[Path]) -> tuple[Path, Path | None]:
    """The store directory to serve and, when one had to be made from graph files, the temporary folder."""
    _remove_abandoned_stores()
    if len(inputs) == 1 and is_store(inputs[0]):
        return inputs[0], None
    for path in inputs:
        if path.is_dir() and not is_store(path):
            graph_files = sorted(path.glob("*.ttl")) or sorted(path.glob("*.nt"))
            if not graph_files:
                raise InputError(f"{path}: neither a store nor a folder with a .ttl/.nt graph")
        elif not path.exists():
            raise InputError(f"{path}: no such file or store")
    temporary = Path(tempfile.mkdtemp(prefix=_TEMPORARY_PREFIX))
    (temporary / "pid").write_text(str(os.getpid()))
    try:
        store = Store(temporary / "store")
        for path in inputs:
            files = (sorted(path.glob("*.ttl")) or sorted(path.glob("*.nt"))) if path.is_dir() else [path]
            for file in files:
                store.merge_file(file)
        store.flush()
        del store
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)  # a failed start leaves nothing behind
        raise
    return temporary / "store", temporary


def _remove_abandoned_stores() -> None:
    """Temporary stores of servers that were killed (their process is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(_TEMPORARY_PREFIX + "*"):
        try:
            pid = int((folder / "pid").read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue


class _Capped:
    """A write-only buffer that refuses to grow past ``limit`` bytes (a result is never half-sent)."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise OverflowError("result too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


_RESULT_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
}
_GRAPH_TYPES = {
    "application/n-triples": "N_TRIPLES",
    "text/turtle": "TURTLE",
    "application/ld+json": "JSON_LD",
}


def _negotiate(accept: str, graph: bool) -> tuple[str, str]:
    """(content type, pyoxigraph format name) for an Accept header."""
    table = _GRAPH_TYPES if graph else _RESULT_TYPES
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in table:
            return media, table[media]
    return ("application/n-triples", "N_TRIPLES") if graph else ("application/sparql-results+json", "JSON")


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _work(connection: Connection, location: str, writable: bool, memory: int) -> None:
    """A worker process: answer the requests sent on ``connection`` with the store at ``location``."""
    import pyoxigraph as ox

    _die_with_parent()
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        store = ox.Store(location) if writable else ox.Store.read_only(location)
    except OSError as error:
        connection.send(("failed", str(error)))
        return
    prefixes = default_prefixes()
    connection.send(("ready", ""))
    while True:
        try:
            kind, text, accept, limit = connection.recv()
        except EOFError:
            return
        try:
            if kind == "update":
                store.update(text, prefixes=prefixes)
                store.flush()
                connection.send((204, "text/plain; charset=utf-8", b""))
                continue
            results = store.query(text, prefixes=prefixes, use_default_graph_as_union=True)
            graph = isinstance(results, ox.QueryTriples)
            content_type, name = _negotiate(accept, graph)
            format = getattr(ox.RdfFormat if graph else ox.QueryResultsFormat, name)
            buffer = _Capped(limit)
            results.serialize(buffer, format=format)  # type: ignore[arg-type]  # any object with write()
            connection.send((200, content_type, b"".join(buffer.parts)))
        except OverflowError:
            connection.send(
                (413, "", f"the result is larger than {limit:,} bytes; ask for less (LIMIT, fewer columns)")
            )
        except SyntaxError as error:
            connection.send((400, "", f"SPARQL syntax error: {error}"))
        except MemoryError:
            connection.send((503, "", "the query needed more memory than a worker may use"))
        except OSError as error:
            connection.send((400 if "SERVICE" in str(error) else 500, "", f"the query failed: {error}"))


@dataclass
class _Worker:
    process: Any
    connection: Connection


class WorkerPool:
    """Worker processes, each with the store open; a request goes to an idle one, and a worker that runs
    past the timeout is killed and replaced."""

    def __init__(self, location: Path, size: int, writable: bool, memory: int = WORKER_MEMORY_BYTES):
        self.location, self.writable, self.memory = str(location), writable, memory
        self.context = multiprocessing.get_context("spawn")  # a clean process: no threads or locks inherited
        self.idle: Queue[_Worker] = Queue()
        self.wanted: Queue[bool] = Queue()
        self.all: list[_Worker] = []
        self.lock = threading.Lock()
        for _ in range(1 if writable else size):
            self.idle.put(self._start())
        self.supervisor = threading.Thread(target=self._supervise, daemon=True)
        self.supervisor.start()

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_work, args=(child, self.location, self.writable, self.memory), daemon=True
        )
        process.start()
        child.close()
        if not parent.poll(60):
            process.kill()
            raise InputError(f"{self.location}: a query worker did not start within 60 s")
        try:
            state, message = parent.recv()
        except EOFError:
            state, message = "failed", f"the worker exited with status {process.exitcode}"
        if state != "ready":
            process.join(timeout=5)
            raise InputError(f"{self.location}: cannot open the store ({message})")
        worker = _Worker(process, parent)
        with self.lock:
            self.all.append(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()
        with self.lock:
            self.all.remove(worker)

    def run(
        self, kind: str, text: str, accept: str, limit: int, timeout: float
    ) -> tuple[int, str, bytes | str]:
        """(HTTP status, content type, body or error message) of one request: it waits its turn for an
        idle worker (up to ``QUEUE_SECONDS``), then has ``timeout`` seconds to run."""
        try:
            worker = self.idle.get(timeout=QUEUE_SECONDS)
        except Empty:
            return 503, "", "every worker is busy; try again"
        try:
            worker.connection.send((kind, text, accept, limit))
            if worker.connection.poll(timeout):
                answer = worker.connection.recv()
                self.idle.put(worker)
                return answer
            status, message = 504, f"the query ran longer than {timeout:g} s and was stopped"
        except (OSError, EOFError):  # it died (out of memory, killed)
            status, message = 503, "the worker answering this query stopped; try again"
        self._discard(worker)
        self.wanted.put(True)  # the supervisor starts a replacement; this answer does not wait for it
        return status, "", message

    def _supervise(self) -> None:
        """Start a worker each time one was discarded. One long-lived thread does it: a worker is bound to
        die with the thread that started it (PR_SET_PDEATHSIG), so no short-lived thread may start one."""
        while self.wanted.get():
            try:
                self.idle.put(self._start())
            except InputError:
                time.sleep(1)
                self.wanted.put(True)

    def close(self) -> None:
        self.wanted.put(False)
        with self.lock:
            workers = list(self.all)
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.process.kill()
            worker.process.join(timeout=5)


# --- the HTTP front -------------------------------------------------------------------------------------


def _sparql_text(request_path: str, content_type: str, body: bytes, field: str) -> str | None:
    """The query (or update) of a SPARQL 1.1 protocol request: URL parameter, form field or direct body."""
    if "?" in request_path:
        values = parse_qs(urlsplit(request_path).query).get(field)
        if values:
            return values[0]
    if not body:
        return None
    text = body.decode("utf-8", errors="replace")
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(text).get(field)
        return values[0] if values else None
    return text


def _handler(pool: WorkerPool, allow_update: bool, max_bytes: int, timeout: int, slots: threading.Semaphore):
    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-sparql"
        protocol_version = "HTTP/1.1"
        timeout = IDLE_SECONDS  # a connection idle (or half-sent) this long is dropped

        def log_message(self, format: str, *args: object) -> None:  # quiet: one line per request is noise
            return

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _refuse(self, status: int, message: str) -> None:
            self._send(status, "text/plain; charset=utf-8", (message + "\n").encode())

        def _body(self) -> bytes | None:
            if self.command != "POST":
                return b""
            raw = self.headers.get("Content-Length")
            if raw is None or not raw.strip().isdigit():
                self._refuse(411 if raw is None else 400, "a POST needs a valid Content-Length")
                self.close_connection = True
                return None
            length = int(raw)
            if length > MAX_REQUEST_BYTES:
                self._refuse(413, f"request larger than {MAX_REQUEST_BYTES // 2**20} MB")
                self.close_connection = True
                return None
            return self.rfile.read(length)

        def _answer(self) -> None:
            path = self.path.split("?", 1)[0]
            if self.command == "GET" and path in ("/", "/explore"):
                self._send(200, "text/html; charset=utf-8", generate_explorer().encode("utf-8"))
                return
            if self.command == "GET" and path == VIS_NETWORK:
                self._send(200, "application/javascript", vis_network_script())
                return
            if path not in ("/query", "/update") or (path == "/update" and not allow_update):
                self._refuse(
                    403 if path == "/update" else 404,
                    "read-only SPARQL endpoint: use /query" if path == "/update" else "not found: use /query",
                )
                return
            body = self._body()
            if body is None:
                return
            field = "update" if path == "/update" else "query"
            text = _sparql_text(self.path, self.headers.get("Content-Type", ""), body, field)
            if text is None:
                self._refuse(400, f"no SPARQL {field} in the request")
                return
            if uses_service(text):
                self._refuse(400, "SERVICE (federated queries) is not allowed: this endpoint fetches nothing")
                return
            status, content_type, answer = pool.run(
                field, text, self.headers.get("Accept", ""), max_bytes, timeout
            )
            if isinstance(answer, str):
                self._refuse(status, answer)
            else:
                self._send(status, content_type, answer)

        def parse_request(self) -> bool:
            if not getattr(self, "raw_requestline", b"").endswith(
                b"\n"
            ):  # cut off (the client gave up): nothing to answer
                self.close_connection = True
                return False
            return super().parse_request()

        def _guarded(self) -> None:
            if not slots.acquire(timeout=QUEUE_SECONDS):
                self._refuse(503, "too many connections; try again")
                self.close_connection = True
                return
            try:
                self._answer()
            finally:
                slots.release()

        do_GET = do_POST = _guarded

    return Handler


def serve_store(
    inputs: list[Path],
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: int = 30,
    allow_update: bool = False,
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
    workers: int = 2,
    announce: Callable[[str], None] = print,
) -> int:
    """Run the endpoint until it is stopped (Ctrl-C or SIGTERM); returns 0."""
    if allow_update and not (len(inputs) == 1 and is_store(inputs[0])):
        raise QueryError("--allow-update needs a store to write to (kg load STORE ... first)")
    location, temporary = prepare_location(inputs)
    pool = None
    try:
        pool = WorkerPool(location, workers, writable=allow_update)
        try:
            server = ThreadingHTTPServer(
                (host, port),
                _handler(pool, allow_update, max_result_bytes, timeout, threading.Semaphore(MAX_CONNECTIONS)),
            )
        except OSError as error:
            raise InputError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
        server.daemon_threads = True
        shown_host = f"[{host}]" if ":" in host else host
        announce(f"http://{shown_host}:{port}/query (explore it at http://{shown_host}:{port}/)")
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            while not stop.is_set():
                stop.wait(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.shutdown()
            server.server_close()
        return 0
    finally:
        if pool is not None:
            pool.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
