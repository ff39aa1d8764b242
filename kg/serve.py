"""Serve a graph over the SPARQL 1.1 protocol with the Oxigraph server (the ``oxigraph`` PyPI package).

A store directory is served as it is; graph files are loaded first into a temporary store that is removed
on exit. The Oxigraph server runs read-only (unless updates are asked for) on a private loopback port,
with its query timeout; in front of it a small proxy listens where the user asked (127.0.0.1 by default)
and passes on SPARQL queries only (``/query``; ``/update`` only when allowed), refusing any answer larger
than ``max_result_bytes`` with HTTP 413 instead of streaming it, so one query cannot exhaust memory or the
network. Queries may use kg's usual prefixes (``biolink:``, ``rdfs:``, ``MONDO:``...) undeclared, as with
``kg query``. A query that runs past the timeout is answered with HTTP 504. Both parts are multi-threaded:
concurrent queries are answered concurrently.
"""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import InputError
from kg.sparql import default_prefixes

__all__ = ["oxigraph_command", "serve_store", "server_command"]

DEFAULT_MAX_RESULT_BYTES = 50 * 1024 * 1024


def oxigraph_command() -> str:
    """The path of the ``oxigraph`` server binary installed beside this Python."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise InputError("the Oxigraph server is not installed (pip install oxigraph)")
    return found


def server_command(location: Path, host: str, port: int, timeout: int, allow_update: bool) -> list[str]:
    mode = "serve" if allow_update else "serve-read-only"
    return [
        oxigraph_command(),
        mode,
        "--location",
        str(location),
        "--bind",
        f"{host}:{port}",
        "--timeout-s",
        str(timeout),
    ]


def prepare_location(inputs: list[Path]) -> tuple[Path, Path | None]:
    """The store directory to serve and, when one had to be made from graph files, the temporary folder."""
    from kg.sparql import Store, is_store

    if len(inputs) == 1 and is_store(inputs[0]):
        return inputs[0], None
    for path in inputs:
        if path.is_dir() and not is_store(path):
            graph_files = sorted(path.glob("*.ttl")) or sorted(path.glob("*.nt"))
            if not graph_files:
                raise InputError(f"{path}: neither a store nor a folder with a .ttl/.nt graph")
        elif not path.exists():
            raise InputError(f"{path}: no such file or store")
    temporary = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    store = Store(temporary / "store")
    for path in inputs:
        files = (sorted(path.glob("*.ttl")) or sorted(path.glob("*.nt"))) if path.is_dir() else [path]
        for file in files:
            store.merge_file(file)
    store.flush()
    del store
    return temporary / "store", temporary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prefix_block() -> str:
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in sorted(default_prefixes().items()))


def _sparql_text(request_path: str, content_type: str, body: bytes, field: str) -> str | None:
    """The query (or update) of a SPARQL 1.1 protocol request: URL parameter, form field or direct body."""
    from urllib.parse import parse_qs, urlsplit

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


def _proxy_handler(backend_port: int, allow_update: bool, max_bytes: int, timeout: int, prefixes: str):
    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-sparql"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet: one line per request is noise
            return

        def _refuse(self, status: int, message: str) -> None:
            body = (message + "\n").encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self) -> None:
            path = self.path.split("?", 1)[0]
            if path not in ("/query", "/update") or (path == "/update" and not allow_update):
                self._refuse(
                    403 if path == "/update" else 404,
                    "read-only SPARQL endpoint: use /query" if path == "/update" else "not found: use /query",
                )
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > 10 * 1024 * 1024:
                self._refuse(413, "request too large")
                return
            body = self.rfile.read(length) if length else b""
            field = "update" if path == "/update" else "query"
            text = _sparql_text(self.path, self.headers.get("Content-Type", ""), body, field)
            if text is None:
                self._refuse(400, f"no SPARQL {field} in the request")
                return
            headers = {"Content-Type": f"application/sparql-{field}; charset=utf-8"}
            if self.headers.get("Accept"):
                headers["Accept"] = self.headers["Accept"]
            connection = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=timeout + 1)
            try:
                connection.request("POST", path, body=(prefixes + text).encode("utf-8"), headers=headers)
                response = connection.getresponse()
                data = response.read(max_bytes + 1)
            except TimeoutError:
                self._refuse(504, f"the query ran longer than {timeout} s and was stopped")
                return
            except (OSError, http.client.HTTPException) as error:
                self._refuse(502, f"the SPARQL engine did not answer ({error})")
                return
            finally:
                connection.close()
            if len(data) > max_bytes:
                self._refuse(
                    413, f"the result is larger than {max_bytes:,} bytes; ask for less (LIMIT, fewer columns)"
                )
                return
            self.send_response(response.status)
            for name in ("Content-Type", "Vary"):
                value = response.getheader(name)
                if value:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _forward

    return Handler


def serve_store(
    inputs: list[Path],
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: int = 30,
    allow_update: bool = False,
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
    announce: Callable[[str], None] = print,
) -> int:
    """Run the endpoint until it is stopped (Ctrl-C or SIGTERM); returns the engine's exit status."""
    location, temporary = prepare_location(inputs)
    backend_port = _free_port()
    process = subprocess.Popen(
        server_command(location, "127.0.0.1", backend_port, timeout, allow_update),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):  # the engine starts in well under a second
            try:
                socket.create_connection(("127.0.0.1", backend_port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    message = process.stderr.read().decode()[-500:] if process.stderr else ""
                    raise InputError(f"the SPARQL engine stopped: {message}") from None
                time.sleep(0.05)
        try:
            proxy = ThreadingHTTPServer(
                (host, port),
                _proxy_handler(backend_port, allow_update, max_result_bytes, timeout, _prefix_block()),
            )
        except OSError as error:
            raise InputError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
        proxy.daemon_threads = True
        shown_host = f"[{host}]" if ":" in host else host
        announce(f"http://{shown_host}:{port}/query")
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        try:
            while not stop.is_set() and process.poll() is None:
                stop.wait(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            proxy.shutdown()
            proxy.server_close()
        return process.poll() or 0
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
