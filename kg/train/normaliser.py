"""Learn the concept normaliser (:mod:`kg.normalise`) from the training splits.

``kg normaliser learn --corpora DIR -o kg/data/normaliser.json``:

1. gold Disease and Chemical mentions of BC5CDR, NCBI Disease and BioRED training splits (held-out
   documents removed, :mod:`kg.train.corpora`), each with the long form its document defines for it;
2. the **training memory** (name key -> concept counts) and concept priors, kept per document fold (5 folds
   by a CRC of the document id), so a training mention's features never see its own document's labels;
3. candidates and features of every training mention (:mod:`kg.normalise.features`), labelled by whether
   the candidate has one of the gold IDs;
4. a LightGBM LambdaRank ranker (mentions with one gold ID among their candidates), deterministic;
5. the **NIL threshold**: the score below which abstaining maximises the mean document concept F1 of the
   training documents, from out-of-fold rankers (one per fold);
6. the **composite memory**: names annotated with several concepts (or coordinated names with one).

The trees, memory (by concept ID), priors, composite memory and threshold go to one JSON file
(:class:`kg.normalise.model.NormaliserModel`); the numpy scorer is checked against LightGBM's own
predictions before it is written. A minute or two on two cores; same bytes every run.
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kg.atomic import write_atomic
from kg.errors import KGError
from kg.lexicon import Lexicon
from kg.normalise.features import FEATURES, CandidateOptions, Featuriser, KeyIndex
from kg.normalise.index import CandidateIndex
from kg.normalise.model import FORMAT, METHOD, NormaliserModel
from kg.normalise.normaliser import NORMALISED_TYPES, find_long_forms, surface, text_key
from kg.records import Document, EntityType, Mention
from kg.train.corpora import training_documents
from kg.trees import TreeEnsemble

__all__ = [
    "FOLDS",
    "PARAMETERS",
    "FoldMemory",
    "GoldMention",
    "fit_ranker",
    "gold_mentions",
    "learn",
    "tree_nodes",
]

logger = logging.getLogger(__name__)

FOLDS = 5
TYPES = tuple(t.value for t in NORMALISED_TYPES)
PARAMETERS: dict[str, Any] = {
    "objective": "lambdarank",
    "num_iterations": 60,
    "num_leaves": 64,
    "max_depth": 6,
    "learning_rate": 0.1,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "lambdarank_truncation_level": 10,
    "seed": 0,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
_COORDINATED = ("and", "or", ",", "/", "&")


@dataclass(frozen=True, slots=True)
class GoldMention:
    """A gold Disease or Chemical mention: its document, span, text, type, gold IDs and long form."""

    document_id: str
    start: int
    end: int
    text: str
    type: str
    ids: tuple[str, ...]
    long_form: str | None = None


def fold_of(document_id: str) -> int:
    """The fold of a training document (stable across runs and machines)."""
    return zlib.crc32(document_id.encode("utf-8")) % FOLDS


def gold_mentions(document: Document) -> list[GoldMention]:
    """A document's gold Disease and Chemical mentions in text order, with their long forms."""
    annotations = sorted(
        (a for a in document.annotations if a.type in TYPES and a.start is not None and a.end is not None),
        key=lambda a: (a.start, a.end),
    )
    mentions = [Mention(a.start, a.end, a.text, EntityType(a.type)) for a in annotations]  # type: ignore[arg-type]
    long_forms = find_long_forms(document, mentions)
    return [
        GoldMention(document.id, m.start, m.end, m.text, m.type.value, tuple(i for i in a.ids if i), lf)
        for m, a, lf in zip(mentions, annotations, long_forms, strict=True)
    ]


@dataclass
class FoldMemory:
    """The training memory, counted per fold; ``fold`` set: everything but that fold (see the module)."""

    total: dict[tuple[str, str], Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    by_fold: list[dict[tuple[str, str], Counter[int]]] = field(
        default_factory=lambda: [defaultdict(Counter) for _ in range(FOLDS)]
    )
    prior_total: Counter[tuple[str, int]] = field(default_factory=Counter)
    prior_by_fold: list[Counter[tuple[str, int]]] = field(
        default_factory=lambda: [Counter() for _ in range(FOLDS)]
    )
    fold: int | None = None

    def add(self, fold: int, entity_type: str, key: str, concept: int) -> None:
        self.total[(entity_type, key)][concept] += 1
        self.by_fold[fold][(entity_type, key)][concept] += 1
        self.prior_total[(entity_type, concept)] += 1
        self.prior_by_fold[fold][(entity_type, concept)] += 1

    def without(self, fold: int | None) -> FoldMemory:
        return FoldMemory(self.total, self.by_fold, self.prior_total, self.prior_by_fold, fold)

    def get(self, entity_type: str, key: str) -> Mapping[int, int]:
        counts = self.total.get((entity_type, key))
        if not counts:
            return {}
        if self.fold is None:
            return counts
        own = self.by_fold[self.fold].get((entity_type, key))
        return counts - own if own else counts

    def prior(self, entity_type: str, concept: int) -> int:
        n = self.prior_total.get((entity_type, concept), 0)
        if self.fold is not None:
            n -= self.prior_by_fold[self.fold].get((entity_type, concept), 0)
        return n

    def keys(self, entity_type: str) -> Sequence[str]:
        return sorted(k for t, k in self.total if t == entity_type)


@dataclass(frozen=True, eq=False)
class Featurised:
    """One training mention's candidates (concept indexes), feature rows and labels."""

    mention: GoldMention
    fold: int
    concepts: np.ndarray
    rows: np.ndarray
    labels: np.ndarray


class _Ids:
    """Every ID of a lexicon concept by index (memoised)."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._ids: dict[int, frozenset[str]] = {}

    def __call__(self, concept: int) -> frozenset[str]:
        found = self._ids.get(concept)
        if found is None:
            record = self.lexicon.get_concept(self.lexicon.concept_id_at(concept))
            found = self._ids[concept] = frozenset((record.id, *record.xrefs)) if record else frozenset()
        return found


def featurise(
    documents: list[tuple[Document, list[GoldMention]]],
    index: CandidateIndex,
    memory: FoldMemory,
    options: CandidateOptions,
    ids: _Ids,
) -> list[Featurised]:
    """Candidates, features and labels of every training mention, with its own fold's memory left out."""
    shared: dict[str, KeyIndex | None] = {}
    featurisers = [Featuriser(index, memory.without(f), options, fuzzy_memory=shared) for f in range(FOLDS)]
    result = []
    for document, mentions in documents:
        if not mentions:
            continue
        fold = fold_of(document.id)
        features = featurisers[fold].document(
            [
                (m.text, text_key(m.text), m.type, text_key(m.long_form) if m.long_form else "")
                for m in mentions
            ]
        )
        for mention, (concepts, rows) in zip(mentions, features, strict=True):
            gold = set(mention.ids)
            labels = np.array([bool(gold & ids(int(c))) for c in concepts], dtype=bool)
            result.append(Featurised(mention, fold, concepts, rows, labels))
    return result


def _trainable(records: list[Featurised]) -> list[Featurised]:
    return [r for r in records if len(r.concepts) and len(r.mention.ids) == 1 and r.labels.any()]


def fit_ranker(records: list[Featurised], parameters: Mapping[str, Any] = PARAMETERS):  # -> lightgbm.Booster
    """A LambdaRank ranker over the mentions with one gold ID among their candidates."""
    import lightgbm

    usable = _trainable(records)
    rows = np.concatenate([r.rows for r in usable])
    labels = np.concatenate([r.labels for r in usable]).astype(np.float32)
    groups = [len(r.concepts) for r in usable]
    parameters = dict(parameters)
    rounds = parameters.pop("num_iterations")
    dataset = lightgbm.Dataset(rows, labels, group=groups, params={"verbose": -1})
    return lightgbm.train(parameters, dataset, num_boost_round=rounds)


def _walk(node: dict, nodes: dict[int, dict], leaves: dict[int, float]) -> int:
    """Number a LightGBM tree's nodes into ``nodes`` / ``leaves``; the node's id (``~leaf`` for a leaf)."""
    if "leaf_value" in node:
        leaves[node.get("leaf_index", 0)] = node["leaf_value"]
        return ~node.get("leaf_index", 0)
    if node.get("decision_type", "<=") != "<=":
        raise KGError(f"tree split {node.get('decision_type')!r}: only numerical <= splits are supported")
    nodes[node["split_index"]] = {
        "feature": node["split_feature"],
        "threshold": node["threshold"],
        "left": _walk(node["left_child"], nodes, leaves),
        "right": _walk(node["right_child"], nodes, leaves),
    }
    return node["split_index"]


def tree_nodes(booster) -> list[dict[str, list]]:  # booster: lightgbm.Booster
    """The booster's trees as node lists (:meth:`kg.trees.TreeEnsemble.from_json`): numerical ``<=``
    splits only, leaves as ``~index``."""
    trees = []
    for info in booster.dump_model()["tree_info"]:
        nodes: dict[int, dict] = {}
        leaves: dict[int, float] = {}
        _walk(info["tree_structure"], nodes, leaves)
        order = sorted(nodes)
        if order != list(range(len(order))) or sorted(leaves) != list(range(len(leaves))):
            raise KGError("tree nodes are not numbered 0..n-1")
        trees.append(
            {
                "split_feature": [nodes[i]["feature"] for i in order],
                "threshold": [nodes[i]["threshold"] for i in order],
                "left": [nodes[i]["left"] for i in order],
                "right": [nodes[i]["right"] for i in order],
                "leaves": [leaves[i] for i in sorted(leaves)],
            }
        )
    return trees


def _top(records: list[Featurised], scores: np.ndarray) -> list[tuple[int, float] | None]:
    result: list[tuple[int, float] | None] = []
    position = 0
    for r in records:
        n = len(r.concepts)
        if not n:
            result.append(None)
            continue
        own = scores[position : position + n]
        position += n
        best = int(np.argmax(own))
        result.append((int(r.concepts[best]), float(own[best])))
    return result


def _document_f1(
    records: list[Featurised], tops: list[tuple[int, float] | None], threshold: float, ids: _Ids
) -> float:
    """Mean over types of document concept F1 (kg.evaluate's rule) when abstaining below ``threshold``."""
    counts = {t: [0, 0, 0] for t in TYPES}
    by_document: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_document[(r.mention.document_id, r.mention.type)].append(i)
    for (_, entity_type), members in by_document.items():
        gold = {g for i in members for g in records[i].mention.ids}
        matched: set[str] = set()
        false: set[int] = set()
        for i in members:
            top = tops[i]
            if top is None or top[1] < threshold:
                continue
            hits = gold & ids(top[0])
            if hits:
                matched |= hits
            else:
                false.add(top[0])
        c = counts[entity_type]
        c[0] += len(matched)
        c[1] += len(false)
        c[2] += len(gold - matched)
    scores = []
    for tp, fp, fn in counts.values():
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def nil_threshold(records: list[Featurised], ids: _Ids, parameters: Mapping[str, Any] = PARAMETERS) -> float:
    """The abstention threshold that maximises training document F1, on out-of-fold scores."""
    scores: list[tuple[int, float] | None] = [None] * len(records)
    for fold in range(FOLDS):
        booster = fit_ranker([r for r in records if r.fold != fold], parameters)
        held = [i for i, r in enumerate(records) if r.fold == fold]
        held_records = [records[i] for i in held]
        rows = [r.rows for r in held_records if len(r.concepts)]
        predicted = booster.predict(np.concatenate(rows)) if rows else np.zeros(0)
        for i, top in zip(held, _top(held_records, predicted), strict=True):
            scores[i] = top
    values = np.array(sorted(s[1] for s in scores if s is not None))
    best = (-1.0, float("-inf"))
    for threshold in np.quantile(values, np.linspace(0.0, 0.4, 41)).tolist():
        f1 = _document_f1(records, scores, threshold, ids)
        if f1 > best[0] + 1e-12:
            best = (f1, threshold)
    return round(best[1], 6)


def composite_memory(documents: list[tuple[Document, list[GoldMention]]], lexicon: Lexicon) -> dict:
    """Names annotated with several concepts (or coordinated names with one), by their text as written
    (:func:`kg.normalise.normaliser.surface`): type -> text -> [[IDs, n], ...]. A name's spellings are kept
    when, pooled by key, one was annotated with several concepts or the key is coordinated."""
    found: dict[tuple[str, str], Counter[tuple[str, ...]]] = defaultdict(Counter)
    for _, mentions in documents:
        for m in mentions:
            if not m.ids:
                continue
            preferred = [lexicon.get_preferred_id(i) for i in m.ids]
            concepts = {c for c in preferred if c is not None}
            if len(concepts) != len(preferred) or len(concepts) != len(set(m.ids)):
                continue
            found[(m.type, surface(m.text))][tuple(sorted(concepts))] += 1
    by_key: dict[tuple[str, str], int] = defaultdict(int)
    for (entity_type, text), counts in found.items():
        by_key[(entity_type, text_key(text))] = max(by_key[(entity_type, text_key(text))], *map(len, counts))
    result: dict[str, dict[str, list]] = defaultdict(dict)
    for (entity_type, text), counts in sorted(found.items()):
        key = text_key(text)
        if by_key[(entity_type, key)] > 1 or any(c in f" {key} " for c in (" and ", " or ")):
            result[entity_type][text] = [[list(ids), n] for ids, n in sorted(counts.items())]
    return dict(result)


def learn(
    corpora: Path,
    output: Path,
    *,
    lexicon: Lexicon | None = None,
    documents: dict[str, list[Document]] | None = None,
    parameters: Mapping[str, Any] = PARAMETERS,
    options: CandidateOptions | None = None,
) -> dict[str, object]:
    """Learn the normaliser from the training splits of ``corpora`` (or the given ``documents``) and write
    its weights to ``output`` (``parameters`` of LightGBM and candidate ``options`` for experiments)."""
    import lightgbm  # noqa: F401  (learning needs it: fail before the long part)

    from kg.lexicon import get_default_lexicon

    started = time.perf_counter()
    lexicon = lexicon or get_default_lexicon()
    index = CandidateIndex.open(lexicon)
    documents = documents if documents is not None else training_documents(Path(corpora))
    by_corpus = {name: [(d, gold_mentions(d)) for d in documents[name]] for name in sorted(documents)}
    pooled = [entry for name in sorted(by_corpus) for entry in by_corpus[name]]
    memory = FoldMemory()
    for document, mentions in pooled:
        fold = fold_of(document.id)
        for m in mentions:
            if len(m.ids) != 1:
                continue
            concept = lexicon.concept_index(m.ids[0])
            key = text_key(m.text)
            if concept is not None and key:
                memory.add(fold, m.type, key, concept)
    options = options or CandidateOptions()
    ids = _Ids(lexicon)
    records = featurise(pooled, index, memory, options, ids)
    logger.info("featurised %d training mentions in %.0f s", len(records), time.perf_counter() - started)
    booster = fit_ranker(records, parameters)
    trees = tree_nodes(booster)
    sample = np.concatenate([r.rows for r in records if len(r.concepts)][:2000])
    ours = TreeEnsemble.from_json({"features": list(FEATURES), "trees": trees}).raw_scores(sample)
    theirs = booster.predict(sample)
    if not np.allclose(ours, theirs, atol=1e-6):
        raise KGError(f"the exported trees disagree with LightGBM (max {np.abs(ours - theirs).max():.2g})")
    threshold = nil_threshold(records, ids, parameters)
    logger.info("NIL threshold %.3f after %.0f s", threshold, time.perf_counter() - started)
    concept_id = lexicon.concept_id_at
    stored_memory: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for (entity_type, key), counts in sorted(memory.total.items()):
        stored_memory[entity_type][key] = {concept_id(c): n for c, n in sorted(counts.items())}
    priors: dict[str, dict[str, int]] = defaultdict(dict)
    for (entity_type, concept), n in sorted(memory.prior_total.items()):
        priors[entity_type][concept_id(concept)] = n
    trained_on: dict[str, object] = {
        name: {"documents": len(entries), "mentions": sum(len(m) for _, m in entries)}
        for name, entries in by_corpus.items()
    }
    trained_on["ranked_mentions"] = len(_trainable(records))
    data = {
        "format": FORMAT,
        "method": METHOD,
        "features": list(FEATURES),
        "options": options.as_dict(),
        "parameters": dict(parameters),
        "nil_threshold": threshold,
        "trained_on": trained_on,
        "trees": trees,
        "memory": stored_memory,
        "priors": priors,
        "composites": composite_memory(pooled, lexicon),
    }
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"
    NormaliserModel.from_json(json.loads(text))  # what is written must read back
    write_atomic(Path(output), text)
    return {
        **trained_on,
        "trees": len(trees),
        "nil_threshold": threshold,
        "memory_keys": len(memory.total),
        "seconds": round(time.perf_counter() - started, 1),
    }
