"""Gradient-boosted regression trees (as LightGBM grows them), scored with numpy: the one tree scorer of
the species model, the relation model and the normaliser's ranker.

Scoring follows QuickScorer (Lucchese et al., SIGIR 2015) instead of walking each tree from its root. The
leaves of each tree are numbered left to right; each inner node carries a 64-bit mask that clears the bits of
the leaves under its *left* child. A row is compared with every node's threshold at once; for each node whose
test sends the row right, the leaves on its left can no longer be reached, so the row's exit leaf in a tree
is the lowest bit left standing after ANDing the masks of that tree's right-going nodes. That is a few
whole-array numpy operations per batch of rows, whatever the depth of the trees (leaf-wise growth makes
the relation model's 14 levels deep), instead of one gather per level. Trees of up to 64 leaves are
supported (``kg … learn`` grows at most 63); the masks take the narrowest unsigned type that holds them.

Shallow, bushy trees (the normaliser's: 63 leaves, 6 levels) are cheaper walked: when the trees padded to
complete binary trees are few enough nodes, and fewer comparisons than QuickScorer's, they are scored level
by level, every row down every tree at once (children of position i at 2i+1 and 2i+2). Both ways give the
same leaves; :func:`kg.train.trees.check_trees` holds them to LightGBM's own scores when a model is learned.

>>> model = TreeEnsemble.from_json({"features": ["x"], "trees": [
...     {"split_feature": [0], "threshold": [1.5], "left": [-1], "right": [-2], "default_left": [True],
...      "leaves": [-1.0, 2.0]}], "bias": 0.5})
>>> model.raw_scores(np.array([[1.0], [3.0], [np.nan]])).tolist()
[-0.5, 2.5, -0.5]
>>> model.dense([{"x": 3.0, "unknown": 1.0}, {}]).tolist()
[[3.0], [0.0]]
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.weights import load_weights

__all__ = ["MAX_LEAVES", "TreeEnsemble"]

MAX_LEAVES = 64
_COMPLETE_LIMIT = 1 << 18  # padded nodes of all trees, for the level-by-level walk


@dataclass(frozen=True, eq=False)
class _Complete:
    """Trees padded to complete binary trees of one depth: ``feature``/``threshold`` per inner position
    (``(trees, 2**depth - 1)``), ``leaf`` values (``(trees, 2**depth)``)."""

    feature: np.ndarray
    threshold: np.ndarray
    default_right: np.ndarray  # where a NaN goes
    leaf: np.ndarray
    depth: int

    def leaf_values(self, rows: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        count, width = rows.shape
        trees, inner = self.feature.shape
        values = np.ascontiguousarray(rows).ravel()
        features, thresholds = self.feature.ravel(), threshold.ravel()
        tree_offset = (np.arange(trees) * inner)[None, :]
        row_offset = (np.arange(count) * width)[:, None]
        default_right = self.default_right.ravel() if np.isnan(values).any() else None
        node = np.zeros((count, trees), dtype=np.int64)
        for _ in range(self.depth):
            at = node + tree_offset
            value = values[row_offset + features[at]]
            right = value > thresholds[at]
            if default_right is not None:
                right = np.where(np.isnan(value), default_right[at], right)
            node = 2 * node + 1 + right
        return self.leaf[np.arange(trees), node - inner]


@dataclass(frozen=True, eq=False)
class TreeEnsemble:
    """An ensemble of regression trees, read from node lists.

    Each tree in the JSON is ``split_feature``, ``threshold``, ``left``, ``right`` (a child is a node index,
    or ``~k`` for leaf ``k``), optional ``default_left`` (where a NaN goes; default left) and ``leaves``. A row
    goes left when its value is at most the threshold. A multi-class ensemble (``classes`` > 1) has one tree
    per class and boosting round, round after round, as LightGBM orders them.

    At load, all trees' nodes are laid end to end (``starts``: each tree's first node; a tree that is a
    single leaf gets one node that eliminates nothing), with each node's ``mask`` and the leaf values in
    left-to-right order (``leaves``, ``(trees, MAX_LEAVES)``); ``complete`` holds the padded trees when they
    are the cheaper way.
    """

    features: tuple[str, ...]
    split_feature: np.ndarray  # (nodes,) int
    threshold: np.ndarray  # (nodes,) float
    default_left: np.ndarray  # (nodes,) bool
    mask: np.ndarray  # (nodes,) unsigned: the leaves still reachable when the row goes right
    starts: np.ndarray  # (trees,) int: each tree's first node
    leaves: np.ndarray  # (trees, MAX_LEAVES) float: leaf values, left to right
    bias: float = 0.0
    trained_on: dict[str, object] = field(default_factory=dict)
    path: Path | None = None
    digest: str = ""
    classes: int = 1
    complete: _Complete | None = None

    @classmethod
    def from_json(cls, data: dict, path: Path | None = None, digest: str = "") -> TreeEnsemble:
        feature_count = len(data["features"])
        trees = data["trees"]
        split: list[int] = []
        thresholds: list[float] = []
        defaults: list[bool] = []
        masks: list[int] = []
        starts: list[int] = []
        table = np.zeros((len(trees), MAX_LEAVES))
        depth = 1
        for t, tree in enumerate(trees):
            starts.append(len(split))
            if len(tree["leaves"]) > MAX_LEAVES:
                raise ValueError(
                    f"tree {t} has {len(tree['leaves'])} leaves; at most {MAX_LEAVES} are supported"
                )
            if not tree["split_feature"]:  # a single leaf: one node that eliminates nothing
                split.append(0)
                thresholds.append(np.inf)
                defaults.append(True)
                masks.append(_FULL)
                table[t, 0] = tree["leaves"][0]
                continue
            if not 0 <= min(tree["split_feature"]) <= max(tree["split_feature"]) < feature_count:
                raise ValueError("a split reads a feature the model does not list")
            order, tree_masks, tree_depth = _left_to_right(tree)
            if sorted(order) != list(range(len(tree["leaves"]))):
                raise ValueError(f"tree {t}: its leaves are not each reached once")
            split += tree["split_feature"]
            thresholds += tree["threshold"]
            defaults += tree.get("default_left", [True] * len(tree["split_feature"]))
            masks += tree_masks
            table[t, : len(order)] = [tree["leaves"][k] for k in order]
            depth = max(depth, tree_depth)
        classes = int(data.get("classes", 1))
        if classes < 1 or len(starts) % classes:
            raise ValueError(f"{len(starts)} trees do not make rounds of {classes} classes")
        widest = max((len(tree["leaves"]) for tree in trees), default=1)
        unsigned = next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if np.iinfo(t).bits >= widest)
        complete = None
        if len(trees) << depth <= _COMPLETE_LIMIT and depth * len(trees) * 2 < len(split):
            complete = _complete(trees, depth)
        return cls(
            tuple(data["features"]),
            np.array(split, dtype=np.int64),
            np.array(thresholds, dtype=np.float64),
            np.array(defaults, dtype=bool),
            np.array([m & int(np.iinfo(unsigned).max) for m in masks], dtype=unsigned),
            np.array(starts, dtype=np.int64),
            table,
            float(data.get("bias", 0.0)),
            dict(data.get("trained_on", {})),
            path,
            digest,
            classes,
            complete,
        )

    @classmethod
    def read(cls, path: Path) -> TreeEnsemble:
        """Read a shipped tree model (JSON: ``features``, ``trees``, optional ``bias`` and ``classes``)."""
        return load_weights(path, lambda raw, digest: cls.from_json(json.loads(raw), path, digest))

    @functools.cached_property
    def column(self) -> dict[str, int]:
        """Feature name -> column of the rows the ensemble reads."""
        return {name: i for i, name in enumerate(self.features)}

    @functools.cached_property
    def _threshold32(self) -> np.ndarray:
        """Thresholds for float32 rows: the largest float32 at most each threshold, so that ``value <=
        threshold`` is decided exactly as in float64 (and as LightGBM decides it for float32 input)."""
        rounded = self.threshold.astype(np.float32)
        above = rounded.astype(np.float64) > self.threshold
        rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
        return rounded

    @functools.cached_property
    def _complete_threshold32(self) -> np.ndarray:
        assert self.complete is not None
        rounded = self.complete.threshold.astype(np.float32)
        above = rounded.astype(np.float64) > self.complete.threshold
        rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
        return rounded

    def dense(self, rows: list[dict[str, float]]) -> np.ndarray:
        """Named feature values as the rows :meth:`raw_scores` reads (absent or unknown names: 0.0)."""
        matrix = np.zeros((len(rows), max(1, len(self.features))))
        column = self.column
        for i, row in enumerate(rows):
            known = row.keys() & column.keys()  # (rows name many features a model never split on)
            if known:
                matrix[i, [column[name] for name in known]] = [row[name] for name in known]
        return matrix

    def leaf_values(self, rows: np.ndarray, chunk: int = 256) -> np.ndarray:
        """The value of the leaf each row reaches in each tree, ``(rows, trees)``. Rows of float32 are
        compared in float32 (with thresholds rounded down, so no decision changes), others in float64."""
        rows = np.asarray(rows)
        single = rows.dtype == np.float32
        if not single:
            rows = rows.astype(np.float64, copy=False)
        if self.complete is not None:
            threshold = self._complete_threshold32 if single else self.complete.threshold
            return self.complete.leaf_values(rows, threshold)
        threshold = self._threshold32 if single else self.threshold
        everything = np.array(np.iinfo(self.mask.dtype).max, dtype=self.mask.dtype)
        one = np.array(1, dtype=self.mask.dtype)
        out = np.zeros((len(rows), len(self.starts)))
        tree_rows = np.arange(len(self.starts))
        for begin in range(0, len(rows), chunk):
            values = rows[begin : begin + chunk, self.split_feature]  # (rows, nodes)
            goes_left = values <= threshold
            missing = np.isnan(values)
            if missing.any():
                goes_left = np.where(missing, self.default_left, goes_left)
            alive = np.bitwise_and.reduceat(np.where(goes_left, everything, self.mask), self.starts, axis=1)
            lowest = alive & (~alive + one)  # the lowest bit standing: the exit leaf
            exit_leaf = np.frexp(lowest.astype(np.float64))[1] - 1
            out[begin : begin + len(values)] = self.leaves[tree_rows, exit_leaf]
        return out

    def raw_scores(self, rows: np.ndarray) -> np.ndarray:
        """The ensemble's raw score (sum of leaf values plus the bias) of each row of ``rows``; for a
        multi-class ensemble, one column per class."""
        rows = np.asarray(rows)
        if len(rows) == 0:
            return np.zeros(0) if self.classes == 1 else np.zeros((0, self.classes))
        leaves = self.leaf_values(rows)
        if self.classes == 1:
            return leaves.sum(axis=1) + self.bias
        return leaves.reshape(len(rows), -1, self.classes).sum(axis=1) + self.bias

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """The logistic function of the raw scores (one class), or their softmax (several)."""
        raw = self.raw_scores(rows)
        if self.classes == 1:
            return 1.0 / (1.0 + np.exp(-raw))
        exp = np.exp(raw - raw.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)


_FULL = (1 << 64) - 1


def _left_to_right(tree: dict) -> tuple[list[int], list[int], int]:
    """A tree's leaves in left-to-right order, each inner node's mask (every bit but those of the leaves
    under its left child) and the tree's depth; iterative, so deep trees do not recurse."""
    order: list[int] = []
    masks = [0] * len(tree["split_feature"])
    bits: dict[int, int] = {}
    depth = 0
    stack: list[tuple[int, bool, int]] = [(0, False, 0)]
    while stack:
        node, expanded, level = stack.pop()
        if node < 0:
            order.append(~node)
            bits[node] = 1 << (len(order) - 1)
            depth = max(depth, level)
        elif expanded:
            left, right = tree["left"][node], tree["right"][node]
            masks[node] = _FULL & ~bits[left]
            bits[node] = bits[left] | bits[right]
        else:
            stack += [
                (node, True, level),
                (tree["right"][node], False, level + 1),
                (tree["left"][node], False, level + 1),
            ]
    return order, masks, depth


def _complete(trees: list[dict], depth: int) -> _Complete:
    """The trees padded to complete binary trees of ``depth`` levels (a leaf above the last level fills
    both halves below it, and its padding nodes send every row left)."""
    inner = 2**depth - 1
    feature = np.zeros((len(trees), inner), dtype=np.int64)
    threshold = np.full((len(trees), inner), np.inf, dtype=np.float64)
    default_right = np.zeros((len(trees), inner), dtype=bool)
    leaf = np.zeros((len(trees), 2**depth), dtype=np.float64)
    for t, tree in enumerate(trees):
        stack = [(0 if tree["split_feature"] else -1, 0, 0)]  # (node or ~leaf, position, level)
        while stack:
            node, position, level = stack.pop()
            if level == depth:
                leaf[t, position - inner] = tree["leaves"][~node]
                continue
            if node < 0:
                stack.append((node, 2 * position + 1, level + 1))
                stack.append((node, 2 * position + 2, level + 1))
                continue
            feature[t, position] = tree["split_feature"][node]
            threshold[t, position] = tree["threshold"][node]
            default_right[t, position] = "default_left" in tree and not tree["default_left"][node]
            stack.append((tree["left"][node], 2 * position + 1, level + 1))
            stack.append((tree["right"][node], 2 * position + 2, level + 1))
    return _Complete(feature, threshold, default_right, leaf, depth)
