"""Small learned models shared by the pipeline: logistic regression over hashed features.

A model is a set of named heads; a head holds its classes, sparse weights over ``DIMENSIONS`` hashed
feature slots, intercepts and a decision threshold. Models are learned with scikit-learn by scripts in
this repository (``pip install 'kg[train]'``) and shipped as compact JSON under ``kg/data/``; scoring
needs only numpy. Used by :mod:`kg.mention_filter` (which dictionary matches to keep) and
:mod:`kg.relate_learned` (document-level relations).
"""

from __future__ import annotations

import functools
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np

__all__ = ["DIMENSIONS", "batch_scores", "hash_feature", "head_json", "read_model", "sparse_matrix", "vector"]

DIMENSIONS = 1 << 18


@functools.lru_cache(maxsize=1 << 20)
def hash_feature(feature: str) -> int:
    """The slot of a named feature (CRC-32, stable across runs and machines, unlike ``hash``)."""
    return zlib.crc32(feature.encode("utf-8")) % DIMENSIONS


def vector(names: Iterable[str | int]) -> dict[int, float]:
    """A sparse feature vector: each name (or already hashed slot) counts once per occurrence."""
    result: dict[int, float] = defaultdict(float)
    for name in names:
        result[name if isinstance(name, int) else hash_feature(name)] += 1.0
    return result


def read_model(path: Path) -> dict | None:
    """A shipped model's heads as dense numpy weights, or None when the file does not exist."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    heads = {}
    for name, head in data["heads"].items():
        classes = head["classes"]
        weights = np.zeros((len(classes), DIMENSIONS), dtype=np.float32)
        for row, entries in enumerate(head["weights"]):
            for index, value in entries:
                weights[row, index] = value
        heads[name] = {
            "classes": classes,
            "weights": weights,
            "intercepts": np.array(head["intercepts"]),
            "threshold": head.get("threshold", 0.5),
        }
    return {"heads": heads, "trained_on": data.get("trained_on", {})}


def batch_scores(head: dict, rows: list[dict[int, float]]) -> np.ndarray:
    """Class probabilities of many rows at once (one gather and one bincount per class); a one-class head
    gives the sigmoid of its logit, a multi-class head a softmax."""
    owners = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
    indexes = np.fromiter((i for row in rows for i in row), dtype=np.int64, count=len(owners))
    values = np.fromiter((v for row in rows for v in row.values()), dtype=np.float64, count=len(owners))
    logits = (
        np.stack(
            [
                np.bincount(owners, weights=head["weights"][c, indexes] * values, minlength=len(rows))
                for c in range(len(head["classes"]))
            ],
            axis=1,
        )
        + head["intercepts"]
    )
    if len(head["classes"]) == 1:
        return 1.0 / (1.0 + np.exp(-logits))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def sparse_matrix(rows: list[dict[int, float]]):
    """Rows as a scipy CSR matrix, for scikit-learn (learning only)."""
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
