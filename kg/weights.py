"""Reading the learned models' weight files: one place for how a missing or damaged file is reported.

Every shipped model (``kg/data``) is read with the standard library's JSON or numpy's ``.npz`` (never a
pickle). :func:`load_weights` reads a file once, gives its bytes and digest to the model's own parser, and
turns any failure, the file's or the parser's, into one :class:`~kg.errors.ModelError` line naming the
file and the way to rebuild it.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from kg.errors import ModelError

__all__ = ["load_weights", "npz_arrays"]

T = TypeVar("T")
# What a damaged file or a file of the wrong shape raises while it is parsed.
_DAMAGED = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    zipfile.BadZipFile,
)


def npz_arrays(raw: bytes) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file's bytes (no pickles)."""
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def load_weights(path: str | Path, parse: Callable[[bytes, str], T]) -> T:
    """``parse(bytes, digest)`` of the file at ``path`` (the digest: the first 16 hex digits of its
    SHA-256); a missing or damaged file ends in one :class:`~kg.errors.ModelError`.

    >>> load_weights("/nonexistent/model.json", lambda raw, digest: raw)
    Traceback (most recent call last):
    kg.errors.ModelError: /nonexistent/model.json: model file missing; rebuild it with `make learn`
    """
    try:
        raw = Path(path).read_bytes()
        return parse(raw, hashlib.sha256(raw).hexdigest()[:16])
    except FileNotFoundError:
        raise ModelError(f"{path}: model file missing; rebuild it with `make learn`") from None
    except _DAMAGED as error:
        raise ModelError(
            f"{path}: model file damaged ({type(error).__name__}: {error}); rebuild it with `make learn`"
        ) from None
