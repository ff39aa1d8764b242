"""The normaliser's learned weights (``kg/data/normaliser.json``) and their numpy scorer.

One JSON file, written by :mod:`kg.train.normaliser`: the ranker's trees (LightGBM LambdaRank, as node
lists), the feature names they split on, the candidate options they were trained with, the training memory
(what annotators called each name: ``type -> key -> concept ID -> count``), concept priors, the composite
memory (names annotated with several concepts), the NIL threshold, and what it was trained on. Concepts are
stored by ID, so the file does not depend on how a lexicon numbers them.

At load the trees become complete binary trees in a few arrays, scored level by level for all rows at once.

>>> trees = Trees.from_nodes([{"split_feature": [0], "threshold": [1.5], "left": [-1], "right": [-2],
...                             "leaves": [-1.0, 2.0]}])
>>> trees.score(np.array([[1.0], [3.0]])).tolist()
[-1.0, 2.0]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.normalise.features import FEATURES
from kg.weights import load_weights

__all__ = ["FORMAT", "METHOD", "NormaliserModel", "Trees"]

FORMAT = 1
METHOD = "kg.normalise:lambdarank"


@dataclass(frozen=True, eq=False)
class Trees:
    """Regression trees padded to complete binary trees of one depth: ``feature``/``threshold`` per inner
    node (``(trees, 2**depth - 1)``, children of node i at 2i+1 and 2i+2), ``leaf`` values
    (``(trees, 2**depth)``). A row goes right when its value is above the threshold."""

    feature: np.ndarray
    threshold: np.ndarray
    leaf: np.ndarray
    depth: int

    @classmethod
    def from_nodes(cls, trees: list[dict]) -> Trees:
        """From node lists (``split_feature``, ``threshold``, ``left``, ``right``, ``leaves``; a negative
        child ``~k`` is leaf ``k``), as :mod:`kg.train.normaliser` writes them."""

        def depth_of(tree: dict, node: int) -> int:
            if node < 0:
                return 0
            return 1 + max(depth_of(tree, tree["left"][node]), depth_of(tree, tree["right"][node]))

        depth = max(1, max(depth_of(t, 0 if t["split_feature"] else -1) for t in trees))
        inner = 2**depth - 1
        feature = np.zeros((len(trees), inner), dtype=np.int64)
        threshold = np.full((len(trees), inner), np.inf, dtype=np.float64)
        leaf = np.zeros((len(trees), 2**depth), dtype=np.float64)

        for t, tree in enumerate(trees):
            stack = [(0 if tree["split_feature"] else -1, 0, 0)]  # (node or ~leaf, position, level)
            while stack:
                node, position, level = stack.pop()
                if level == depth:
                    leaf[t, position - inner] = tree["leaves"][~node]
                    continue
                if node < 0:  # a leaf above the last level: every row goes left, both halves hold it
                    stack.append((node, 2 * position + 1, level + 1))
                    stack.append((node, 2 * position + 2, level + 1))
                    continue
                feature[t, position] = tree["split_feature"][node]
                threshold[t, position] = tree["threshold"][node]
                stack.append((tree["left"][node], 2 * position + 1, level + 1))
                stack.append((tree["right"][node], 2 * position + 2, level + 1))
        return cls(feature, threshold, leaf, depth)

    def score(self, rows: np.ndarray) -> np.ndarray:
        """The sum of the trees' leaves for each row of ``rows``."""
        count, width = rows.shape
        if count == 0:
            return np.zeros(0)
        trees, inner = self.feature.shape
        values = np.ascontiguousarray(rows, dtype=np.float64).ravel()
        features, thresholds = self.feature.ravel(), self.threshold.ravel()
        tree_offset = (np.arange(trees) * inner)[None, :]
        row_offset = (np.arange(count) * width)[:, None]
        node = np.zeros((count, trees), dtype=np.int64)
        for _ in range(self.depth):
            at = node + tree_offset
            node = 2 * node + 1 + (values[row_offset + features[at]] > thresholds[at])
        leaves = node - inner + (np.arange(trees) * (inner + 1))[None, :]
        return self.leaf.ravel()[leaves].sum(axis=1)


@dataclass(frozen=True, eq=False)
class NormaliserModel:
    """The contents of a normaliser weights file (see the module's description)."""

    features: tuple[str, ...]
    trees: Trees
    options: dict[str, float]
    memory: dict[str, dict[str, dict[str, int]]]
    priors: dict[str, dict[str, int]]
    composites: dict[str, dict[str, list[tuple[tuple[str, ...], int]]]]
    nil_threshold: float
    trained_on: dict[str, object] = field(default_factory=dict)
    path: Path | None = None
    digest: str = ""

    @classmethod
    def from_json(cls, data: dict, path: Path | None = None, digest: str = "") -> NormaliserModel:
        if data.get("format") != FORMAT or data.get("method") != METHOD:
            raise ValueError(f"not a {METHOD} model of format {FORMAT}")
        if tuple(data["features"]) != FEATURES:
            raise ValueError("its features are not the ones this version of kg computes")
        return cls(
            features=tuple(data["features"]),
            trees=Trees.from_nodes(data["trees"]),
            options=dict(data["options"]),
            memory={t: {k: dict(v) for k, v in keys.items()} for t, keys in data["memory"].items()},
            priors={t: dict(v) for t, v in data["priors"].items()},
            composites={
                t: {k: [(tuple(ids), int(n)) for ids, n in v] for k, v in keys.items()}
                for t, keys in data["composites"].items()
            },
            nil_threshold=float(data["nil_threshold"]),
            trained_on=dict(data.get("trained_on", {})),
            path=path,
            digest=digest,
        )

    @classmethod
    def read(cls, path: Path) -> NormaliserModel:
        """Read a weights file; a missing or damaged one ends in one :class:`ModelError` line."""
        return load_weights(path, lambda raw, digest: cls.from_json(json.loads(raw), Path(path), digest))
