"""Fitting the hashed-feature logistic regressions `kg` ships (:class:`kg.models.LogisticModel`).

Features are hashed into :data:`kg.models.DIMENSIONS` slots (:func:`kg.models.vector`); scikit-learn fits
on a sparse matrix of them; :func:`head_json` keeps the non-zero weights, rounded, so a model file stays
small; :func:`write_model` writes the file atomically and deterministically (sorted keys).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kg.atomic import write_atomic
from kg.models import DIMENSIONS

__all__ = ["f1", "head_json", "sparse_matrix", "write_model"]


def sparse_matrix(rows: list[dict[int, float]]):  # -> scipy.sparse.csr_matrix
    """Rows of hashed features as a scipy CSR matrix, for scikit-learn."""
    import scipy.sparse as sparse

    owners = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
    indexes = np.fromiter((i for row in rows for i in row), dtype=np.int64, count=len(owners))
    values = np.fromiter((v for row in rows for v in row.values()), dtype=np.float32, count=len(owners))
    return sparse.csr_matrix((values, (owners, indexes)), shape=(len(rows), DIMENSIONS))


def head_json(classes: list[str], weights, intercepts, threshold: float) -> dict:
    """A learned head as it is shipped: non-zero weights only, rounded so the file stays small."""
    return {
        "classes": classes,
        "threshold": threshold,
        "intercepts": [round(float(v), 5) for v in intercepts],
        "weights": [
            [[int(i), round(float(row[i]), 4)] for i in np.flatnonzero(np.abs(row) > 1e-4)]
            for row in np.asarray(weights)
        ],
    }


def write_model(path: Path, method: str, heads: dict[str, dict], trained_on: dict[str, object]) -> Path:
    """Write a model file (what :meth:`kg.models.LogisticModel.read` reads)."""
    data = {"format": 1, "method": method, "dimensions": DIMENSIONS, "trained_on": trained_on, "heads": heads}
    return write_atomic(Path(path), json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")


def f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of boolean predictions."""
    tp = float(np.sum(truth & predicted))
    fp = float(np.sum(~truth.astype(bool) & predicted))
    fn = float(np.sum(truth.astype(bool) & ~predicted))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
