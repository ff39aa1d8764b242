"""The one tree scorer (kg.trees.TreeEnsemble): both ways of scoring give LightGBM's own raw scores, on deep
leaf-wise trees, shallow bushy ones, multi-class ensembles, missing values and one-leaf trees."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kg.trees import MAX_LEAVES, TreeEnsemble, _complete, _left_to_right


def _ensembles():
    lightgbm = pytest.importorskip("lightgbm")
    from kg.train.trees import tree_json

    generator = np.random.default_rng(7)
    rows = generator.normal(size=(800, 6))
    rows[:, 5] = generator.integers(0, 3, 800)  # values equal to thresholds
    rows[generator.random(800) < 0.1, 2] = np.nan  # missing values go where training sent them
    signal = np.nan_to_num(rows[:, 0]) + rows[:, 1] * rows[:, 5] - np.nan_to_num(rows[:, 2]) ** 2
    names = [f"f{i}" for i in range(6)]
    shapes = {
        "deep, leaf-wise": ({"objective": "binary", "num_leaves": 15, "min_data_in_leaf": 2}, signal > 0.3),
        "shallow, bushy": ({"objective": "regression", "num_leaves": 63, "max_depth": 6}, signal),
        "three classes": (
            {"objective": "multiclass", "num_class": 3, "num_leaves": 7},
            np.digitize(signal, [-1, 1]),
        ),
        "one-leaf trees": ({"objective": "binary", "num_leaves": 2, "min_data_in_leaf": 700}, signal > 0),
    }
    for name, (parameters, labels) in shapes.items():
        booster = lightgbm.train(
            {**parameters, "verbose": -1, "num_threads": 1, "deterministic": True, "use_missing": True},
            lightgbm.Dataset(rows, labels.astype(float), feature_name=names),
            num_boost_round=30,
        )
        yield name, booster, TreeEnsemble.from_json(tree_json(booster, names)), rows


def test_both_ways_of_scoring_give_lightgbms_scores():
    strategies = set()
    for name, booster, ensemble, rows in _ensembles():
        columns = [int(f[1:]) for f in ensemble.features]
        for dtype in (np.float64, np.float32):
            data = rows.astype(dtype)
            theirs = booster.predict(data, raw_score=True)
            for scorer in (ensemble, dataclasses.replace(ensemble, complete=None)):
                strategies.add(scorer.complete is not None)
                ours = scorer.raw_scores(data[:, columns] if columns else np.zeros((len(data), 1), dtype))
                np.testing.assert_allclose(ours.reshape(theirs.shape), theirs, atol=1e-9, err_msg=name)
    assert strategies == {True, False}  # the shallow ensemble is walked, the others use the masks


def _chain(leaves: int) -> dict:
    """A tree of ``leaves`` leaves: node i splits x at i, its left child is leaf i, its right node i + 1."""
    nodes = leaves - 1
    return {
        "split_feature": [0] * nodes,
        "threshold": [float(i) for i in range(nodes)],
        "left": [~i for i in range(nodes)],
        "right": [i + 1 for i in range(nodes - 1)] + [~nodes],
        "leaves": [float(i) for i in range(leaves)],
    }


def test_sixty_four_leaves_are_scored_and_sixty_five_refused():
    ensemble = TreeEnsemble.from_json({"features": ["x"], "trees": [_chain(MAX_LEAVES)]})
    assert ensemble.raw_scores(np.array([[-1.0], [10.5], [100.0]])).tolist() == [0.0, 11.0, 63.0]
    with pytest.raises(ValueError, match="at most 64"):
        TreeEnsemble.from_json({"features": ["x"], "trees": [_chain(MAX_LEAVES + 1)]})


def _random_tree(generator: np.random.Generator, leaves: int, features: int) -> dict:
    """A random tree of ``leaves`` leaves grown by splitting random leaves (deep and narrow or bushy)."""
    tree: dict = {
        "split_feature": [],
        "threshold": [],
        "default_left": [],
        "left": [],
        "right": [],
        "leaves": [],
    }
    slots = [("root", 0)]  # where each current leaf hangs: (parent side, parent node)
    while len(slots) < leaves:
        side, parent = slots.pop(int(generator.integers(len(slots))))
        node = len(tree["split_feature"])
        tree["split_feature"].append(int(generator.integers(features)))
        tree["threshold"].append(float(generator.integers(-3, 4)) / 2)  # ties with the rows' values
        tree["default_left"].append(bool(generator.integers(2)))
        tree["left"].append(None)
        tree["right"].append(None)
        if side != "root":
            tree[side][parent] = node
        slots += [("left", node), ("right", node)]
    for k, (side, parent) in enumerate(slots):
        tree["leaves"].append(float(generator.normal()))
        if side == "root":
            break
        tree[side][parent] = ~k
    return tree


def _walk(tree: dict, row: np.ndarray) -> float:
    """One row down one tree, node by node: the reference both scoring strategies must match."""
    if not tree["split_feature"]:
        return tree["leaves"][0]
    node = 0
    while node >= 0:
        value = row[tree["split_feature"][node]]
        left = tree["default_left"][node] if np.isnan(value) else value <= tree["threshold"][node]
        node = tree["left"][node] if left else tree["right"][node]
    return tree["leaves"][~node]


@pytest.mark.parametrize("leaves", [1, 2, 5, 15, 40, 64])
def test_random_trees_score_as_a_plain_walk(leaves):
    generator = np.random.default_rng(leaves)
    trees = [_random_tree(generator, int(generator.integers(1, leaves + 1)), 4) for _ in range(30)]
    rows = generator.integers(-4, 5, size=(300, 4)) / 2
    rows[generator.random(rows.shape) < 0.1] = np.nan
    expected = np.array([sum(_walk(t, row) for t in trees) for row in rows])
    ensemble = TreeEnsemble.from_json({"features": list("abcd"), "trees": trees, "bias": 0.25})
    depth = max([1, *(_left_to_right(t)[2] for t in trees if t["split_feature"])])
    quick = dataclasses.replace(ensemble, complete=None)
    walked = dataclasses.replace(ensemble, complete=_complete(trees, depth))
    for scorer in (quick, walked):
        np.testing.assert_allclose(scorer.raw_scores(rows), expected + 0.25, atol=1e-12)
        np.testing.assert_allclose(scorer.raw_scores(rows.astype(np.float32)), expected + 0.25, atol=1e-12)
