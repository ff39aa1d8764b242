"""Atomic file writes: write a temporary file beside the target, then rename it into place.

A reader (or a build killed at any moment) sees either the previous file or the complete new one. Inside
:func:`atomic_group`, every file is written completely first and all are renamed into place together at
the end, so a killed build leaves the previous set of outputs, not a mix of old and new files.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_group", "atomic_path", "publish_directory", "write_atomic"]

_PENDING: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar(
    "pending", default=None
)


@contextlib.contextmanager
def atomic_group() -> Iterator[None]:
    """Defer the renames of the atomic writes made inside to the end of the block (all or none)."""
    pending: list[tuple[Path, Path]] = []
    token = _PENDING.set(pending)
    try:
        yield
    except BaseException:
        for temporary, _ in pending:
            temporary.unlink(missing_ok=True)
        raise
    finally:
        _PENDING.reset(token)
    for temporary, target in pending:
        os.replace(temporary, target)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success, fsync it and rename it to ``target`` (at once,
    or at the end of the enclosing :func:`atomic_group`)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    special = target.exists() and not target.is_file()
    # beside the target, or (for a device or a FIFO, whose folder may be /dev) in the temporary folder
    handle, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=None if special else target.parent
    )
    os.close(handle)
    temporary = Path(name)
    deferred = False
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, 0o644)
        if special:
            # a FIFO or a device (-o /dev/stdout): written into, never replaced by a regular file
            with temporary.open("rb") as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            return
        pending = _PENDING.get()
        if pending is not None:
            pending.append((temporary, target))
            deferred = True
        else:
            os.replace(temporary, target)
    finally:
        if not deferred:
            temporary.unlink(missing_ok=True)


def write_atomic(target: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``target`` atomically; return the target path."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target) as temporary:
        temporary.write_bytes(payload)
    return Path(target)


def publish_directory(temporary: Path, target: Path) -> None:
    """Rename a folder built beside ``target`` into place. When another process published ``target``
    first (a cache two processes build at once), theirs is kept; a half-made ``target`` (no
    ``meta.json``) is replaced."""
    try:
        os.replace(temporary, target)
    except OSError:
        if not (target / "meta.json").exists():  # another process did not win the race: retry once
            shutil.rmtree(target, ignore_errors=True)
            os.replace(temporary, target)
