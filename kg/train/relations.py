"""Learn the document-level relation model (:mod:`kg.relate_learned`).

``kg relations learn --corpora DIR --models kg/data -o kg/data/relations.json``: kg extracts the training
documents of BC5CDR and BioRED from their text (gold annotations removed, the mention filter in
``--models`` applied, trigger rules on), every candidate pair of concepts is labelled with the gold
relation between them (any of each concept's IDs may match), and a logistic regression per scheme is fitted
over :func:`kg.relate_learned.features`. Each head's decision threshold is picked by 5-fold
cross-validated F1 on the training split. A few minutes on a CPU; deterministic.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from kg.choices import RelationScheme
from kg.extract import Extractor
from kg.lexicon import Lexicon
from kg.models import MENTION_FILTER_FILE, MODELS_DIR, LogisticModel, Models, vector
from kg.records import Document
from kg.relate_learned import METHOD, candidate_pairs, document_context, features
from kg.train.corpora import gold_id, training_documents
from kg.train.logistic import f1, head_json, sparse_matrix, write_model

__all__ = ["learn"]

CORPUS = {RelationScheme.CDR: "bc5cdr", RelationScheme.BIORED: "biored"}


def _labelled(
    documents: list[Document], extractor: Extractor, scheme: RelationScheme
) -> tuple[list[dict[int, float]], list[str]]:
    rows, labels = [], []
    for document in documents:
        result = extractor.extract(replace(document, annotations=(), relations=()))
        concepts = {c.id: c for c in result.concepts}
        mentions = list(result.mentions)
        context, rules, counts = document_context(result.document, mentions, list(result.relations))
        gold = [(r.type, gold_id(r.subject), gold_id(r.object)) for r in document.relations]
        for candidate in candidate_pairs(mentions, scheme):
            ids_s = {candidate.subject, *concepts[candidate.subject].xrefs}
            ids_o = {candidate.object, *concepts[candidate.object].xrefs}
            label = "None"
            for kind, a, b in gold:
                if (a in ids_s and b in ids_o) or (b in ids_s and a in ids_o):
                    label = kind
                    break
            if scheme is RelationScheme.CDR:
                label = "CID" if label == "CID" else "None"
            names, _ = features(result.document, candidate, context, rules, counts)
            rows.append(vector(names))
            labels.append(label)
    return rows, labels


def _fit_cdr(matrix, target: np.ndarray) -> tuple[dict, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    model = LogisticRegression(C=0.1, max_iter=3000)
    y = (target == "CID").astype(int)
    probabilities = cross_val_predict(model, matrix, y, cv=5, method="predict_proba")[:, 1]
    best = max(np.arange(0.2, 0.8, 0.02), key=lambda t: f1(y, probabilities >= t))
    threshold = float(round(best, 2))
    model.fit(matrix, y)
    return head_json(["CID"], model.coef_, model.intercept_, threshold), threshold


def _fit_biored(matrix, target: np.ndarray) -> tuple[dict, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    model = LogisticRegression(C=0.1, max_iter=3000)
    probabilities = cross_val_predict(model, matrix, target, cv=5, method="predict_proba")
    classes = sorted(set(target))
    none = classes.index("None")
    others = np.where(np.arange(len(classes)) == none, -1.0, probabilities)
    guess = np.array(classes)[others.argmax(axis=1)]

    def typed_f1(limit: float) -> float:
        predicted = probabilities[:, none] < limit
        tp = float(np.sum(predicted & (guess == target)))
        fp = float(np.sum(predicted & (guess != target)))
        fn = float(np.sum((target != "None") & ~(predicted & (guess == target))))
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    threshold = float(round(max(np.arange(0.3, 0.96, 0.02), key=typed_f1), 2))
    model.fit(matrix, target)
    return head_json(list(model.classes_), model.coef_, model.intercept_, threshold), threshold


def learn(
    corpora: Path, output: Path, *, models: Path = MODELS_DIR, lexicon: Lexicon | None = None
) -> dict[str, object]:
    """Learn both heads from the training splits and write the weights to ``output``; mentions come from
    the lexicon and the mention filter in ``models``."""
    import sklearn  # noqa: F401  (learning needs it: fail before the long part)

    from kg.lexicon import get_default_lexicon

    mention_filter = LogisticModel.read(Path(models) / MENTION_FILTER_FILE)
    extractor = Extractor(
        lexicon or get_default_lexicon(), Models(mention_filter=mention_filter), relation_scheme=None
    )
    documents = training_documents(Path(corpora))
    summary: dict[str, object] = {}
    heads = {}
    for scheme in (RelationScheme.CDR, RelationScheme.BIORED):
        rows, labels = _labelled(documents[CORPUS[scheme]], extractor, scheme)
        fit = _fit_cdr if scheme is RelationScheme.CDR else _fit_biored
        heads[scheme.value], threshold = fit(sparse_matrix(rows), np.array(labels))
        summary[scheme.value] = {
            "documents": len(documents[CORPUS[scheme]]),
            "candidates": len(rows),
            "positives": int(sum(1 for label in labels if label != "None")),
            "threshold": threshold,
        }
    write_model(output, METHOD, heads, summary)
    return summary
