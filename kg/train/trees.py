"""LightGBM boosters as :class:`kg.models.TreeEnsemble` reads them, and a check that numpy agrees.

:func:`tree_json` flattens every tree of a booster (binary or multi-class) into node lists that read
features by position in a list of the feature *names* the trees use (not every column the booster was
fitted on, so a model over tens of thousands of sparse features reads a few thousand); :func:`check_trees`
scores the training rows both ways and fails when they differ by more than 1e-9.
"""

from __future__ import annotations

import numpy as np

from kg.errors import KGError
from kg.models import TreeEnsemble

__all__ = ["check_trees", "tree_json"]


def _flatten(structure: dict, column: dict[int, int]) -> dict[str, list]:
    """One LightGBM tree (nested dicts) as node lists; a child ``~k`` is leaf ``k``."""
    tree: dict[str, list] = {
        "split_feature": [],
        "threshold": [],
        "left": [],
        "right": [],
        "default_left": [],
    }
    leaves: list[float] = []

    def visit(node: dict) -> int:
        if "split_index" not in node:
            leaves.append(float(node["leaf_value"]))
            return ~(len(leaves) - 1)
        if node.get("decision_type", "<=") != "<=" or node.get("missing_type") == "Zero":
            raise KGError(
                f"unsupported LightGBM split {node.get('decision_type')} / {node.get('missing_type')}"
            )
        index = len(tree["split_feature"])
        tree["split_feature"].append(column.setdefault(int(node["split_feature"]), len(column)))
        tree["threshold"].append(float(node["threshold"]))
        tree["default_left"].append(bool(node["default_left"]))
        tree["left"].append(0)
        tree["right"].append(0)
        tree["left"][index] = visit(node["left_child"])
        tree["right"][index] = visit(node["right_child"])
        return index

    visit(structure)
    return {**tree, "leaves": leaves}


def tree_json(booster, names: list[str]) -> dict:  # booster: lightgbm.Booster
    """The booster as :meth:`kg.models.TreeEnsemble.from_json` reads it (``names``: the fitted columns)."""
    dump = booster.dump_model()
    column: dict[int, int] = {}
    trees = [_flatten(info["tree_structure"], column) for info in dump["tree_info"]]
    used = sorted(column, key=column.__getitem__)
    return {
        "features": [names[i] for i in used],
        "trees": trees,
        "classes": int(dump["num_tree_per_iteration"]),
    }


def check_trees(booster, data: dict, matrix, names: list[str]) -> float:  # matrix: scipy.sparse CSR
    """The largest difference between LightGBM's raw scores and the numpy ensemble's on ``matrix``'s rows
    (columns named by ``names``); raises when it passes 1e-9."""
    ensemble = TreeEnsemble.from_json(data)
    index = {name: i for i, name in enumerate(names)}
    wanted = [index[name] for name in ensemble.features]
    gap = 0.0
    for begin in range(0, matrix.shape[0], 2000):
        part = matrix[begin : begin + 2000]
        dense = part[:, wanted].toarray() if wanted else np.zeros((part.shape[0], 1))
        ours = ensemble.raw_scores(dense.astype(np.float32))
        theirs = booster.predict(part, raw_score=True).reshape(ours.shape)
        gap = max(gap, float(np.abs(ours - theirs).max(initial=0.0)))
    if gap > 1e-9:
        raise KGError(f"the numpy trees disagree with LightGBM by {gap:g} on the training rows")
    return gap
