"""Learn the document-level relation model (:mod:`kg.relate_learned`).

``kg relations learn --corpora DIR -o kg/data/relations.npz`` (``make learn``), for each head:

1. Candidates: every pair of concepts a training document's *gold* entities name
   (:func:`kg.train.corpora.gold_entities`; BC5CDR for ``cdr``, BioRED for ``biored``, held-out PMIDs
   removed), with the trigger rules run over those mentions, featurised by :mod:`kg.relate_features` and
   labelled with the gold relation between the two concepts (any of each concept's IDs may match).
2. ``cdr`` only: a sentence CNN (:mod:`kg.train.relation_cnn`) over each co-occurrence, with word vectors
   learned here from the training splits' text; its 5-fold out-of-fold scores, pooled per candidate, join
   the features (folds by document, the same folds as below).
3. LightGBM over the candidates' features (names seen at least twice): a binary "related" model and, for
   ``biored``, an 8-type model fitted on the related pairs. 5-fold out-of-fold predictions pick the
   thresholds: F1 for ``cdr`` (and CDR's at-least-one floor, kept for benchmarks), typed F1 for ``biored``,
   one per entity-type pair with at least 20 related training pairs. A type is allowed for an entity-type
   pair when seen there at least twice.
4. Trees are exported for numpy (:mod:`kg.train.trees`) and checked against LightGBM on every training
   row; the file is an ``.npz`` written with fixed member dates, so the same corpora give the same bytes.

Deterministic (LightGBM one thread, deterministic mode and fixed seeds; see :mod:`kg.train.relation_cnn`);
about 15 minutes on two cores. The choices (features, heads, parameters) come from the prototype's
cross-validation on the training splits, the development splits serving only to compare them.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from kg.atomic import write_atomic
from kg.choices import RelationScheme
from kg.lexicon import Lexicon
from kg.records import Document
from kg.relate import extract_relations
from kg.relate_features import Candidate, candidate_features
from kg.relate_learned import METHOD, NONE, TYPES
from kg.train.corpora import gold_entities, gold_id, training_documents
from kg.train.relation_cnn import CNNSettings, initial_vectors, learn_word_vectors, pooled_features
from kg.train.tagger import npz_bytes
from kg.train.trees import check_trees, tree_json

__all__ = ["LIGHTGBM", "TYPE_LIGHTGBM", "labelled_candidates", "learn"]

logger = logging.getLogger(__name__)

CORPUS = {RelationScheme.CDR: "bc5cdr", RelationScheme.BIORED: "biored"}
CNN_HEADS = {RelationScheme.CDR}  # the CNN helped CDR (+0.015 F1 in CV and on dev), not BioRED
LIGHTGBM: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 10,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "n_estimators": 400,
    "verbose": -1,
    "num_threads": 1,
    "seed": 13,
    "deterministic": True,
    "force_row_wise": True,
}
TYPE_LIGHTGBM: dict[str, Any] = {
    "objective": "multiclass",
    "num_class": len(TYPES),
    "n_estimators": 150,
    "learning_rate": 0.07,
}
MIN_PAIR_POSITIVES = 20  # an entity-type pair gets its own threshold from this many related pairs


def _label(gold: list[tuple[str, str, str]], subject_ids: set[str], object_ids: set[str], scheme: str) -> str:
    for kind, a, b in gold:
        if (a in subject_ids and b in object_ids) or (b in subject_ids and a in object_ids):
            return ("CID" if kind == "CID" else NONE) if scheme == "cdr" else kind
    return NONE


def labelled_candidates(
    documents: Sequence[Document], scheme: RelationScheme, lexicon: Lexicon
) -> tuple[list[Candidate], list[str], np.ndarray]:
    """The candidates of the documents' gold entities with their features, gold labels and documents."""
    candidates: list[Candidate] = []
    labels: list[str] = []
    groups: list[int] = []
    for number, document in enumerate(documents):
        mentions, concepts = gold_entities(document, lexicon)
        text_only = replace(document, annotations=(), relations=())
        view, found = candidate_features(
            text_only,
            mentions,
            {c.id: c for c in concepts},
            extract_relations(text_only, mentions),
            scheme.value,
            lexicon,
            sequences=scheme in CNN_HEADS,
        )
        gold = [(r.type, gold_id(r.subject), gold_id(r.object)) for r in document.relations]
        for candidate in found:
            candidates.append(candidate)
            labels.append(_label(gold, view.ids(candidate.subject), view.ids(candidate.object), scheme.value))
            groups.append(number)
    return candidates, labels, np.array(groups, dtype=np.int64)


class _Vocabulary:
    """Feature names -> columns: names seen in at least two rows (numeric ``#`` names always)."""

    def __init__(self, rows: list[dict[str, float]]):
        counts = Counter(name for row in rows for name in row)
        self.names = sorted(n for n, c in counts.items() if c >= 2 or n.startswith("#"))
        self.index = {n: i for i, n in enumerate(self.names)}

    def matrix(self, rows: list[dict[str, float]]):  # -> scipy.sparse.csr_matrix (float32)
        import scipy.sparse as sparse

        indptr, indices, values = [0], [], []
        for row in rows:  # columns in order, whatever order the row's names were added in
            for column, value in sorted((self.index[n], v) for n, v in row.items() if n in self.index):
                indices.append(column)
                values.append(value)
            indptr.append(len(indices))
        shape = (len(rows), len(self.names))
        return sparse.csr_matrix((np.array(values, dtype=np.float32), indices, indptr), shape=shape)


def _fit(matrix, target: np.ndarray, **overrides: Any):  # -> lightgbm.LGBMClassifier
    import lightgbm

    return lightgbm.LGBMClassifier(**{**LIGHTGBM, **overrides}).fit(matrix, target)


def _fit_types(matrix, target: np.ndarray):
    """The type model; every type occurs at least once (a row copied per missing type), so it has 8 classes."""
    missing = [k for k in range(len(TYPES)) if k not in set(target.tolist())]
    if missing:
        import scipy.sparse as sparse

        matrix = sparse.vstack([matrix, matrix[: len(missing)]]).tocsr()
        target = np.concatenate([target, missing])
    return _fit(matrix, target, **TYPE_LIGHTGBM)


def _folds(groups: np.ndarray, count: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold

    return list(GroupKFold(n_splits=count).split(np.zeros(len(groups)), groups=groups))


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = int(np.sum(predicted & truth))
    return 2 * tp / max(1, 2 * tp + int(np.sum(predicted & ~truth)) + int(np.sum(~predicted & truth)))


def _typed_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if p != NONE and p == t)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p != NONE and p != t)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t != NONE and p != t)
    return 2 * tp / max(1, 2 * tp + fp + fn)


def _decide(
    types: Sequence[str],
    p_pair: np.ndarray,
    p_type: np.ndarray,
    allowed: dict[str, set[str]],
    threshold: float,
) -> list[str]:
    """Labels as :func:`kg.relate_learned.score_candidates` gives them, at one threshold."""
    labels = []
    for pair, probability, scores in zip(types, p_pair, p_type, strict=True):
        if probability < threshold:
            labels.append(NONE)
            continue
        ranked = np.argsort(-scores, kind="stable")
        ok = allowed.get(pair, set())
        labels.append(next((TYPES[k] for k in ranked if TYPES[k] in ok), TYPES[int(ranked[0])]))
    return labels


def _at_least_one(groups: np.ndarray, p_pair: np.ndarray, keep: np.ndarray, floor: float) -> np.ndarray:
    keep = keep.copy()
    for group in np.unique(groups):
        rows = np.flatnonzero(groups == group)
        if not keep[rows].any():
            best = rows[int(np.argmax(p_pair[rows]))]
            keep[best] = p_pair[best] >= floor
    return keep


def _learn_head(
    scheme: RelationScheme,
    documents: Sequence[Document],
    lexicon: Lexicon,
    words: tuple[str, ...],
    vectors: np.ndarray,
    settings: CNNSettings,
) -> tuple[dict, dict[str, np.ndarray], dict[str, object]]:
    """One head: its JSON, its arrays and a summary."""
    started = time.monotonic()
    candidates, labels, groups = labelled_candidates(documents, scheme, lexicon)
    folds = _folds(groups)
    cdr = scheme is RelationScheme.CDR
    rows = [c.bag() for c in candidates]
    head: dict[str, Any] = {"labels": ["CID"] if cdr else list(TYPES)}
    arrays: dict[str, np.ndarray] = {}
    if scheme in CNN_HEADS:
        classes = ["None", "CID"] if cdr else ["None", *TYPES]
        targets = np.array([classes.index(label) for label in labels])
        pooled, cnn = pooled_features(candidates, targets, folds, len(classes), words, vectors, settings)
        rows = [row | extra for row, extra in zip(rows, pooled, strict=True)]
        head["cnn"] = {"words": list(cnn.words)}
        arrays = {f"{scheme.value}.{name}": value for name, value in cnn.weights.items()}
    vocabulary = _Vocabulary(rows)
    matrix = vocabulary.matrix(rows)
    related = np.array([label != NONE for label in labels])
    kinds = np.array([TYPES.index(label) if label in TYPES else -1 for label in labels])
    types = [c.types for c in candidates]
    p_pair = np.zeros(len(rows))
    p_type = np.zeros((len(rows), len(TYPES)))
    for train, test in folds:
        p_pair[test] = _fit(matrix[train], related[train].astype(int)).predict_proba(matrix[test])[:, 1]
        if not cdr:
            positive = train[related[train]]
            p_type[test] = _fit_types(matrix[positive], kinds[positive]).predict_proba(matrix[test])
    summary: dict[str, Any] = {
        "documents": len(documents),
        "candidates": len(rows),
        "related": int(related.sum()),
        "features": len(vocabulary.names),
    }
    if cdr:
        grid = np.round(np.arange(0.1, 0.9, 0.01), 2)
        threshold = float(max(grid, key=lambda t: (_f1(related, p_pair >= t), -t)))
        floors = {
            f: _f1(related, _at_least_one(groups, p_pair, p_pair >= threshold, f)) for f in (0.05, 0.1, 0.15)
        }
        head.update(threshold=threshold, floor=max(floors, key=lambda f: (floors[f], -f)))
        summary["cv_f1"] = round(_f1(related, p_pair >= threshold), 4)
    else:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for pair, label in zip(types, labels, strict=True):
            if label != NONE:
                counts[pair][label] += 1
        allowed = {pair: sorted(t for t, n in counter.items() if n >= 2) for pair, counter in counts.items()}
        allowed_sets = {pair: set(kinds_) for pair, kinds_ in allowed.items()}
        grid = np.round(np.arange(0.15, 0.8, 0.025), 3)

        def typed(index: list[int], threshold: float) -> float:
            chosen = _decide([types[i] for i in index], p_pair[index], p_type[index], allowed_sets, threshold)
            return _typed_f1([labels[i] for i in index], chosen)

        everything = list(range(len(rows)))
        threshold = float(max(grid, key=lambda t: (typed(everything, t), -t)))
        thresholds = {}
        for pair in sorted(set(types)):
            index = [i for i, t in enumerate(types) if t == pair]
            if sum(1 for i in index if labels[i] != NONE) >= MIN_PAIR_POSITIVES:
                thresholds[pair] = float(max(grid, key=lambda t: (typed(index, t), -t)))
        head.update(threshold=threshold, thresholds=thresholds, allowed=allowed, floor=None)
        final = [
            _decide([types[i]], p_pair[[i]], p_type[[i]], allowed_sets, thresholds.get(types[i], threshold))[
                0
            ]
            for i in everything
        ]
        summary["cv_typed_f1"] = round(_typed_f1(labels, final), 4)
        positive = np.flatnonzero(related)
        type_model = _fit_types(matrix[positive], kinds[positive])
        head["type"] = tree_json(type_model.booster_, vocabulary.names)
        check_trees(type_model.booster_, head["type"], matrix, vocabulary.names)
    pair_model = _fit(matrix, related.astype(int))
    head["pair"] = tree_json(pair_model.booster_, vocabulary.names)
    check_trees(pair_model.booster_, head["pair"], matrix, vocabulary.names)
    summary["thresholds"] = {"default": head["threshold"], **head.get("thresholds", {})}
    logger.info("relation head %s: %s (%.0f s)", scheme.value, summary, time.monotonic() - started)
    return head, arrays, summary


def learn(
    corpora: Path,
    output: Path,
    *,
    lexicon: Lexicon | None = None,
    max_documents: int | None = None,
    settings: CNNSettings | None = None,
) -> dict[str, object]:
    """Learn both heads from the training splits and write the model to ``output``; ``max_documents``
    keeps that many documents of each corpus (a quick run, for tests)."""
    import lightgbm  # noqa: F401  (learning needs them: fail before the long part)
    import sklearn  # noqa: F401
    import torch  # noqa: F401

    from kg.lexicon import get_default_lexicon

    started = time.monotonic()
    lexicon = lexicon or get_default_lexicon()
    settings = settings or CNNSettings()
    documents = training_documents(Path(corpora))
    if max_documents is not None:
        documents = {name: docs[:max_documents] for name, docs in documents.items()}
    words, vectors = learn_word_vectors((d for name in sorted(documents) for d in documents[name]), settings)
    vocabulary, first_vectors = initial_vectors(words, vectors)
    logger.info("relation word vectors: %d words (%.0f s)", len(words), time.monotonic() - started)
    heads: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {}
    trained_on: dict[str, Any] = {}
    for scheme in (RelationScheme.CDR, RelationScheme.BIORED):
        head, head_arrays, summary = _learn_head(
            scheme, documents[CORPUS[scheme]], lexicon, vocabulary, first_vectors, settings
        )
        heads[scheme.value] = head
        arrays.update(head_arrays)
        trained_on[scheme.value] = summary
    trained_on["word_vectors"] = len(words)
    trained_on["lightgbm"] = {k: v for k, v in LIGHTGBM.items() if k != "verbose"}
    model = {"format": 1, "method": METHOD, "heads": heads, "trained_on": trained_on}
    text = json.dumps(model, separators=(",", ":"), sort_keys=True)
    arrays["model"] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    write_atomic(Path(output), npz_bytes(arrays))
    return {**trained_on, "seconds": round(time.monotonic() - started)}
