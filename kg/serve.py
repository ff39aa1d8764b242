"""Serve a graph over the SPARQL 1.1 protocol with the Oxigraph server (the ``oxigraph`` PyPI package).

A store directory is served as it is; graph files are loaded first into a temporary store that is removed
on exit. The server is read-only unless updates are asked for, binds 127.0.0.1 unless told otherwise, and
stops any query after ``timeout`` seconds.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from kg.errors import InputError

__all__ = ["oxigraph_command", "serve_store", "server_command"]


def oxigraph_command() -> str:
    """The path of the ``oxigraph`` server binary installed beside this Python."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise InputError("the Oxigraph server is not installed (pip install oxigraph)")
    return found


def server_command(location: Path, host: str, port: int, timeout: int, allow_update: bool) -> list[str]:
    mode = "serve" if allow_update else "serve-read-only"
    return [oxigraph_command(), mode, "--location", str(location), "--bind", f"{host}:{port}",
            "--timeout-s", str(timeout)]


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


def serve_store(inputs: list[Path], *, host: str = "127.0.0.1", port: int = 7878, timeout: int = 30,
                allow_update: bool = False, announce: Callable[[str], None] = print) -> int:
    """Run the server until it stops (Ctrl-C or SIGTERM); returns its exit status."""
    location, temporary = prepare_location(inputs)
    try:
        process = subprocess.Popen(server_command(location, host, port, timeout, allow_update))
        shown_host = f"[{host}]" if ":" in host else host
        announce(f"http://{shown_host}:{port}/query")
        previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            return process.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
