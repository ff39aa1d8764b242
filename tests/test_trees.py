"""The one tree scorer (kg.trees.TreeEnsemble): both ways of scoring give LightGBM's own raw scores, on deep
leaf-wise trees, shallow bushy ones, multi-class ensembles, missing values and one-leaf trees."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kg.trees import MAX_LEAVES, TreeEnsemble


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
