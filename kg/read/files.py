"""Opening input files: gzip transparently, encodings checked, clear errors naming the file."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError

__all__ = [
    "HEAD_BYTES",
    "MAX_DOCUMENT_CHARACTERS",
    "MAX_WHOLE_FILE_BYTES",
    "bounded_lines",
    "open_binary",
    "read_head",
    "read_text_file",
]

HEAD_BYTES = 65536
# Longer documents (a 100 MB line, a whole book) are refused: memory per document stays bounded.
MAX_DOCUMENT_CHARACTERS = 2_000_000
# Formats read whole (plain text, markdown, BioC) are refused past this size once decompressed: a gzip
# bomb stops inflating here. PubTator, PubMed XML and JATS are streamed and have no such limit.
MAX_WHOLE_FILE_BYTES = 128 * 1024 * 1024


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory (give the files, or a glob such as '{path}/*.md')")


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed if it is gzip (errors in damaged gzip surface while reading)."""
    _check_path(path)
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None
    if handle.read(2) == b"\x1f\x8b":
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    handle.seek(0)
    return handle


def _decode(path: Path, raw: bytes, *, partial: bool = False) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            if partial and error.start >= len(raw) - 4:
                return raw[: error.start].decode("utf-16", errors="ignore")
            raise InputError(
                f"{path}: not valid UTF-16 text ({error.reason} at byte {error.start})"
            ) from None
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path}: looks like a binary file, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if partial and error.start >= len(raw) - 4:  # a character cut by the end of the head
            return raw[: error.start].decode("utf-8")
        raise InputError(
            f"{path}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "convert it with e.g. `iconv -f latin1 -t utf-8`"
        ) from None


def _read(path: Path, limit: int | None = None) -> bytes:
    with open_binary(path) as handle:
        try:
            return handle.read(limit) if limit else handle.read()
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise InputError(f"{path}: damaged gzip file ({error})") from None


def read_head(path: Path) -> str:
    """The first 64 KB of a file as text (for format detection), with the checks of :func:`read_text_file`."""
    raw = _read(path, HEAD_BYTES)
    return _decode(path, raw, partial=len(raw) == HEAD_BYTES)


def read_text_file(path: Path, limit: int = MAX_WHOLE_FILE_BYTES) -> str:
    """The text of a file (gzip transparently), with a clear error if it cannot be read as text or is
    larger than ``limit`` bytes once decompressed (decompression stops there: a gzip bomb costs little)."""
    raw = _read(path, limit + 1)
    if len(raw) > limit:
        raise InputError(
            f"{path}: larger than {limit // 2**20:,} MB once decompressed; split it (PubTator, PubMed XML and "
            "JATS files are streamed and may be any size)"
        )
    return _decode(path, raw)


class LineTooLong(str):
    """Stands for a line longer than the limit (its text was not kept); its value is its first characters."""

    length: int


def bounded_lines(stream: io.TextIOBase, limit: int = 2 * MAX_DOCUMENT_CHARACTERS) -> Iterator[str]:
    """The lines of a text stream; a line longer than ``limit`` characters is read past in chunks and comes
    out as a :class:`LineTooLong` (memory stays bounded whatever the file holds)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        length = len(line)
        while True:
            more = stream.readline(limit)
            length += len(more)
            if not more or more.endswith("\n"):
                break
        marker = LineTooLong(line[:80])
        marker.length = length
        yield marker


def text_stream(path: Path) -> io.TextIOBase:
    """A text stream over the file (UTF-8; gzip transparently)."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8-sig")
