"""The normaliser's learned weights (``kg/data/normaliser.json``) and their numpy scorer.

One JSON file, written by :mod:`kg.train.normaliser`: the ranker's trees (LightGBM LambdaRank, as node
lists), the feature names they split on, the candidate options they were trained with, the training memory
(what annotators called each name: ``type -> key -> concept ID -> count``), concept priors, the composite
memory (names annotated with several concepts), the NIL threshold, and what it was trained on. Concepts are
stored by ID, so the file does not depend on how a lexicon numbers them.

The trees are scored by :class:`kg.trees.TreeEnsemble`, the scorer of every tree model `kg` ships.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kg.normalise.features import FEATURES
from kg.trees import TreeEnsemble
from kg.weights import load_weights

__all__ = ["FORMAT", "METHOD", "NormaliserModel"]

FORMAT = 1
METHOD = "kg.normalise:lambdarank"


@dataclass(frozen=True, eq=False)
class NormaliserModel:
    """The contents of a normaliser weights file (see the module's description)."""

    features: tuple[str, ...]
    trees: TreeEnsemble
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
            trees=TreeEnsemble.from_json({"features": data["features"], "trees": data["trees"]}),
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
