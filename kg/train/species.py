"""Learn the species model (:mod:`kg.species`): which species a gene mention is of.

``kg species learn --corpora DIR -o kg/data/species.json``: every gold gene mention of the training splits
(BioRED Train and NLM-Gene's training part, :mod:`kg.train.corpora`; the species model only touches
genes, so only documents of the sets that score genes, BioRED Dev and NLM-Gene's held-out part, are left
out) gives five rows of cues
(:func:`kg.species.feature_rows`), one per species, labelled 1 for the species of its annotated NCBI Gene ID
(mentions of other species, yeast or viral genes, give no rows). The organisms are those kg itself finds in
the text (gold annotations removed), as at run time. A LightGBM binary classifier over the rows is fitted
(deterministic: one thread, fixed seeds; seconds on a CPU), its trees are written as JSON, and the numpy
scorer that reads them (:class:`kg.models.TreeEnsemble`) is checked to give LightGBM's own scores before the
file is written.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from kg.atomic import write_atomic
from kg.errors import KGError
from kg.ground import ground_mentions
from kg.lexicon import Lexicon
from kg.models import TreeEnsemble
from kg.recognise import DictionaryMatcher
from kg.records import Document, EntityType
from kg.species import FEATURES, TAXA, SpeciesContext, feature_rows, find_organisms
from kg.train.corpora import training_documents

__all__ = ["METHOD", "PARAMETERS", "gold_species", "labelled_rows", "learn", "tree_json"]

logger = logging.getLogger(__name__)

METHOD = "kg.species:lightgbm"
PARAMETERS: dict[str, Any] = {
    "objective": "binary",
    "n_estimators": 300,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "max_depth": 6,  # 6 steps to score a row with numpy; deeper trees are not better on the dev sets
    "min_child_samples": 20,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "random_state": 7,
    "n_jobs": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
CORPORA = ("biored", "nlm_gene")


def gold_species(ids: tuple[str, ...], lexicon: Lexicon) -> str | None:
    """The species of a gold gene mention: the most common taxon of its IDs, if one of :data:`TAXA`."""
    taxa = Counter(c.taxon for c in map(lexicon.get_concept, ids) if c is not None and c.taxon in TAXA)
    return taxa.most_common(1)[0][0] if taxa else None


def labelled_rows(
    documents: list[Document], matcher: DictionaryMatcher
) -> tuple[np.ndarray, np.ndarray, Counter[str]]:
    """Feature rows of every gold gene mention with a known species, their labels, and species counts."""
    blocks: list[np.ndarray] = []
    labels: list[int] = []
    counts: Counter[str] = Counter()
    lexicon = matcher.lexicon
    for document in documents:
        genes = [
            a
            for a in document.annotations
            if a.type == EntityType.GENE.value and a.start is not None and a.end is not None
        ]
        if not genes:
            continue
        text_only = replace(document, annotations=(), relations=())
        grounded, _ = ground_mentions(matcher.find_mentions(text_only), lexicon)
        organisms, _ = find_organisms(grounded, lexicon)
        context = SpeciesContext(text_only, organisms, lexicon)
        spans = [(a.start or 0, a.end or 0, document.text_at(a.start or 0, a.end or 0)) for a in genes]
        rows = feature_rows(context, spans)
        for index, annotation in enumerate(genes):
            taxon = gold_species(annotation.ids, lexicon)
            counts[taxon or "other"] += 1
            if taxon is None:
                continue
            blocks.append(rows[index * len(TAXA) : (index + 1) * len(TAXA)])
            labels.extend(int(t == taxon) for t in TAXA)
    return np.vstack(blocks), np.array(labels), counts


def _flatten(structure: dict) -> dict[str, list]:
    """A LightGBM tree (nested dicts) as node lists; a child ``~k`` is leaf ``k``."""
    tree: dict[str, list] = {
        "split_feature": [],
        "threshold": [],
        "left": [],
        "right": [],
        "default_left": [],
    }
    leaves: dict[int, float] = {}
    if "leaf_value" in structure:  # a one-leaf tree
        return {**tree, "leaves": [structure["leaf_value"]]}

    def visit(node: dict) -> int:
        if "leaf_value" in node:
            leaves[node["leaf_index"]] = node["leaf_value"]
            return ~node["leaf_index"]
        if node.get("decision_type", "<=") != "<=":
            raise KGError(f"unsupported LightGBM split {node.get('decision_type')!r}")
        index = len(tree["split_feature"])
        tree["split_feature"].append(node["split_feature"])
        tree["threshold"].append(node["threshold"])
        tree["default_left"].append(bool(node["default_left"]))
        tree["left"].append(0)
        tree["right"].append(0)
        tree["left"][index] = visit(node["left_child"])
        tree["right"][index] = visit(node["right_child"])
        return index

    visit(structure)
    return {**tree, "leaves": [leaves[k] for k in range(len(leaves))]}


def tree_json(booster) -> list[dict[str, list]]:  # booster: lightgbm.Booster
    """The booster's trees as :class:`kg.models.TreeEnsemble` reads them."""
    return [_flatten(info["tree_structure"]) for info in booster.dump_model()["tree_info"]]


def learn(corpora: Path, output: Path, *, lexicon: Lexicon | None = None) -> dict[str, object]:
    """Learn the species model from the training splits; write it to ``output``."""
    import lightgbm

    from kg.lexicon import get_default_lexicon

    matcher = DictionaryMatcher(lexicon or get_default_lexicon())
    documents = training_documents(Path(corpora), held_out_sets=CORPORA)
    pooled = [d for name in CORPORA for d in documents.get(name, [])]
    rows, labels, counts = labelled_rows(pooled, matcher)
    model = lightgbm.LGBMClassifier(**PARAMETERS).fit(rows, labels)
    trained_on = {
        "documents": {name: len(documents.get(name, [])) for name in CORPORA},
        "gene_mentions_by_species": dict(sorted(counts.items())),
        "rows": len(labels),
        "parameters": {k: v for k, v in PARAMETERS.items() if k not in ("verbose", "n_jobs")},
    }
    data = {
        "format": 1,
        "method": METHOD,
        "features": list(FEATURES),
        "bias": 0.0,
        "trained_on": trained_on,
        "trees": tree_json(model.booster_),
    }
    scorer = TreeEnsemble.from_json(data)
    expected = model.booster_.predict(rows, raw_score=True)
    difference = float(np.max(np.abs(scorer.raw_scores(rows) - expected)))
    if difference > 1e-9:
        raise KGError(f"the numpy scorer disagrees with LightGBM by {difference:g} on the training rows")
    chosen = scorer.raw_scores(rows).reshape(-1, len(TAXA)).argmax(axis=1)
    accuracy = float(np.mean(labels.reshape(-1, len(TAXA))[np.arange(len(chosen)), chosen]))
    trained_on["training_accuracy"] = round(accuracy, 4)
    trained_on["numpy_vs_lightgbm_max_difference"] = difference
    write_atomic(Path(output), json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    logger.info("species model: %d rows, training accuracy %.4f", len(labels), accuracy)
    return {k: v for k, v in trained_on.items() if k != "parameters"}
