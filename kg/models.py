"""The learned models `kg` applies, loaded once from the weights shipped in ``kg/data/``.

:class:`Models` bundles them (the mention filter and the relation model, logistic regressions over hashed
features, :class:`LogisticModel`; the species model, a gradient-boosted tree ensemble, :class:`TreeEnsemble`;
the concept normaliser's ranker and memory, :class:`~kg.normalise.model.NormaliserModel`); an
:class:`~kg.extract.Extractor` holds one. Loading needs
only numpy; the weights are written by the learners in :mod:`kg.train` (``make learn``). A missing or
damaged weights file ends in one :class:`~kg.errors.ModelError` line naming the file and how to rebuild it;
``Models.none()`` runs `kg` without learned models (dictionary and trigger rules only).

>>> hash_feature("k=asthma") == hash_feature("k=asthma") < DIMENSIONS
True
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.errors import ModelError
from kg.normalise.model import NormaliserModel

__all__ = [
    "DIMENSIONS",
    "MODELS_DIR",
    "LogisticHead",
    "LogisticModel",
    "Models",
    "TreeEnsemble",
    "hash_feature",
    "vector",
]

DIMENSIONS = 1 << 18
MODELS_DIR = Path(__file__).parent / "data"
MENTION_FILTER_FILE = "mentions.json"
RELATIONS_FILE = "relations.json"
SPECIES_FILE = "species.json"
NORMALISER_FILE = "normaliser.json"


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


@dataclass(frozen=True, eq=False)
class LogisticHead:
    """One decision: its classes, dense weights over the hashed slots, intercepts and threshold."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (classes, DIMENSIONS)
    intercepts: np.ndarray
    threshold: float = 0.5

    def scores(self, rows: list[dict[int, float]]) -> np.ndarray:
        """Class probabilities of many rows at once (one gather and one bincount per class); a one-class
        head gives the sigmoid of its logit, a multi-class head a softmax."""
        owners = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
        indexes = np.fromiter((i for row in rows for i in row), dtype=np.int64, count=len(owners))
        values = np.fromiter((v for row in rows for v in row.values()), dtype=np.float64, count=len(owners))
        logits = (
            np.stack(
                [
                    np.bincount(owners, weights=self.weights[c, indexes] * values, minlength=len(rows))
                    for c in range(len(self.classes))
                ],
                axis=1,
            )
            + self.intercepts
        )
        if len(self.classes) == 1:
            return 1.0 / (1.0 + np.exp(-logits))
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True, eq=False)
class LogisticModel:
    """A model file: named heads, and what it was trained on."""

    heads: dict[str, LogisticHead]
    trained_on: dict[str, object] = field(default_factory=dict)
    path: Path | None = None
    digest: str = ""

    @classmethod
    def read(cls, path: Path) -> LogisticModel:
        """Read a shipped model (JSON of sparse weights, see :mod:`kg.train.logistic`)."""
        try:
            raw = path.read_bytes()
            data = json.loads(raw)
            heads = {}
            for name, head in data["heads"].items():
                classes = tuple(head["classes"])
                weights = np.zeros((len(classes), DIMENSIONS), dtype=np.float32)
                for row, entries in enumerate(head["weights"]):
                    for index, value in entries:
                        weights[row, index] = value
                heads[name] = LogisticHead(
                    classes, weights, np.array(head["intercepts"]), head.get("threshold", 0.5)
                )
        except FileNotFoundError:
            raise ModelError(f"{path}: model file missing; rebuild it with `make learn`") from None
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            raise ModelError(
                f"{path}: model file damaged ({type(error).__name__}: {error}); rebuild it with `make learn`"
            ) from None
        return cls(heads, data.get("trained_on", {}), path, hashlib.sha256(raw).hexdigest()[:16])


def _read_json(path: Path) -> tuple[dict, str]:
    try:
        raw = path.read_bytes()
        return json.loads(raw), hashlib.sha256(raw).hexdigest()[:16]
    except FileNotFoundError:
        raise ModelError(f"{path}: model file missing; rebuild it with `make learn`") from None
    except (OSError, ValueError) as error:
        raise ModelError(
            f"{path}: model file damaged ({type(error).__name__}: {error}); rebuild it with `make learn`"
        ) from None


@dataclass(frozen=True, eq=False)
class TreeEnsemble:
    """Gradient-boosted regression trees (as LightGBM grows them), scored with numpy.

    The nodes of all trees are laid end to end: split feature, threshold, default direction for NaN, and
    the two children, each a node index or ``~k`` for leaf ``k`` (leaves are laid end to end too); ``roots``
    is each tree's first node (``~k`` for a tree that is a single leaf). A row goes left when its feature
    value is at most the threshold. Scoring compares every row with every node's threshold at once, then
    walks all rows down all trees together, one level per step.

    >>> model = TreeEnsemble.from_json({"features": ["x"], "trees": [
    ...     {"split_feature": [0], "threshold": [1.5], "left": [-1], "right": [-2], "default_left": [True],
    ...      "leaves": [-1.0, 2.0]}], "bias": 0.5})
    >>> model.raw_scores(np.array([[1.0], [3.0]])).tolist()
    [-0.5, 2.5]
    """

    features: tuple[str, ...]
    split_feature: np.ndarray  # (nodes,) int
    threshold: np.ndarray  # (nodes,) float
    default_left: np.ndarray  # (nodes,) bool
    left: np.ndarray  # (nodes,) int: a node, or ~leaf
    right: np.ndarray
    leaves: np.ndarray  # (leaves,) float
    roots: np.ndarray  # (trees,) int: a node, or ~leaf
    depth: int
    bias: float = 0.0
    trained_on: dict[str, object] = field(default_factory=dict)
    path: Path | None = None
    digest: str = ""

    @classmethod
    def from_json(cls, data: dict, path: Path | None = None, digest: str = "") -> TreeEnsemble:
        features: list[int] = []
        thresholds: list[float] = []
        defaults: list[bool] = []
        lefts: list[int] = []
        rights: list[int] = []
        leaves: list[float] = []
        roots: list[int] = []
        depth = 0
        for tree in data["trees"]:
            node_base, leaf_base = len(features), len(leaves)

            def shift(child: int, node_base: int = node_base, leaf_base: int = leaf_base) -> int:
                return child + node_base if child >= 0 else ~(~child + leaf_base)

            roots.append(node_base if tree["split_feature"] else ~leaf_base)
            features += tree["split_feature"]
            thresholds += tree["threshold"]
            defaults += tree["default_left"]
            lefts += [shift(c) for c in tree["left"]]
            rights += [shift(c) for c in tree["right"]]
            leaves += tree["leaves"]
            depth = max(depth, _depth(tree["left"], tree["right"]))
        return cls(
            tuple(data["features"]),
            np.array(features, dtype=np.int64),
            np.array(thresholds, dtype=np.float64),
            np.array(defaults, dtype=bool),
            np.array(lefts, dtype=np.int64),
            np.array(rights, dtype=np.int64),
            np.array(leaves, dtype=np.float64),
            np.array(roots, dtype=np.int64),
            depth,
            float(data.get("bias", 0.0)),
            dict(data.get("trained_on", {})),
            path,
            digest,
        )

    @classmethod
    def read(cls, path: Path) -> TreeEnsemble:
        """Read a shipped tree model (JSON, see :mod:`kg.train.species`)."""
        data, digest = _read_json(path)
        try:
            return cls.from_json(data, path, digest)
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise ModelError(
                f"{path}: model file damaged ({type(error).__name__}: {error}); rebuild it with `make learn`"
            ) from None

    def raw_scores(self, rows: np.ndarray) -> np.ndarray:
        """The ensemble's raw score (sum of leaf values plus the bias) of each row of ``rows``."""
        rows = np.asarray(rows, dtype=np.float64)
        if len(rows) == 0:
            return np.zeros(0)
        values = rows[:, self.split_feature]  # (rows, nodes)
        goes_left = values <= self.threshold
        if np.isnan(values).any():
            goes_left = np.where(np.isnan(values), self.default_left, goes_left)
        flat = goes_left.ravel()
        offsets = (np.arange(len(rows)) * len(self.split_feature))[:, None]
        node = np.tile(self.roots, (len(rows), 1))  # (rows, trees): >= 0 an inner node, < 0 ~leaf
        for _ in range(self.depth):
            inner = node >= 0
            if not inner.any():
                break
            at = np.where(inner, node, 0)
            node = np.where(inner, np.where(flat[offsets + at], self.left[at], self.right[at]), node)
        return self.leaves[~node].sum(axis=1) + self.bias


def _depth(left: list[int], right: list[int]) -> int:
    """The number of decisions on the longest path of a tree given as child lists (node 0 the root)."""
    if not left:
        return 0
    deepest, stack = 0, [(0, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        for child in (left[node], right[node]):
            if child >= 0:
                stack.append((child, level + 1))
    return deepest


@dataclass(frozen=True, eq=False)
class Models:
    """The learned models an extractor applies; any may be None (that component is then skipped)."""

    mention_filter: LogisticModel | None = None
    relations: LogisticModel | None = None
    normaliser: NormaliserModel | None = None
    directory: Path | None = None
    species: TreeEnsemble | None = None

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Models:
        """The models in ``directory`` (default: the weights shipped in the package)."""
        directory = Path(directory) if directory else MODELS_DIR
        return cls(
            mention_filter=LogisticModel.read(directory / MENTION_FILTER_FILE),
            relations=LogisticModel.read(directory / RELATIONS_FILE),
            normaliser=NormaliserModel.read(directory / NORMALISER_FILE),
            directory=directory,
            species=TreeEnsemble.read(directory / SPECIES_FILE),
        )

    @classmethod
    def none(cls) -> Models:
        """No learned models: dictionary matching and trigger rules only."""
        return cls()

    @property
    def fingerprint(self) -> str:
        """Identifies these weights (checkpoints of one build are not reused with other models)."""
        return "|".join(
            m.digest if m else "-"
            for m in (self.mention_filter, self.relations, self.species, self.normaliser)
        )

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Sent to another process (a Dask worker), models are read there from the same directory.
        if self.directory is None:
            return (Models, (self.mention_filter, self.relations, self.normaliser, None, self.species))
        return (Models.load, (str(self.directory),))
