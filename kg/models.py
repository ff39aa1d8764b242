"""The learned models `kg` applies, loaded once from the weights shipped in ``kg/data/``.

:class:`Models` bundles them: the mention filter (a logistic regression over hashed features,
:class:`LogisticModel`), the species model (gradient-boosted trees, :class:`~kg.trees.TreeEnsemble`), the relation
model (:class:`RelationModel`: trees over a candidate's features, and for CDR a small sentence CNN,
:class:`SentenceCNN`), the concept normaliser's ranker and memory
(:class:`~kg.normalise.model.NormaliserModel`) and the mention tagger (:class:`~kg.tag.Tagger`); an
:class:`~kg.extract.Extractor` holds one. Loading and scoring need only numpy; the weights are written
by the learners in :mod:`kg.train` (``make learn``) as JSON or ``.npz`` (never pickles). A missing or
damaged weights file ends in one :class:`~kg.errors.ModelError` line naming the file and how to rebuild it;
``Models.none()`` runs `kg` without learned models (dictionary and trigger rules only).

>>> hash_feature("k=asthma") == hash_feature("k=asthma") < DIMENSIONS
True
"""

from __future__ import annotations

import dataclasses
import functools
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.normalise.model import NormaliserModel
from kg.tag import Tagger
from kg.trees import TreeEnsemble
from kg.weights import load_weights, npz_arrays

__all__ = [
    "DIMENSIONS",
    "MODELS_DIR",
    "LogisticHead",
    "LogisticModel",
    "Models",
    "RelationHead",
    "RelationModel",
    "SentenceCNN",
    "TreeEnsemble",
    "hash_feature",
    "vector",
]

DIMENSIONS = 1 << 18
MODELS_DIR = Path(__file__).parent / "data"
MENTION_FILTER_FILE = "mentions.json"
RELATIONS_FILE = "relations.npz"
SPECIES_FILE = "species.json"
NORMALISER_FILE = "normaliser.json"
TAGGER_FILE = "tagger.npz"


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

        def parse(raw: bytes, digest: str) -> LogisticModel:
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
            return cls(heads, data.get("trained_on", {}), path, digest)

        return load_weights(path, parse)


# The sentence CNN's own tokens: padding, unknown word, other entities by type, and the candidate's two
# mentions by role and type (``<s_C>``: the subject, a chemical).
CNN_SPECIAL_TOKENS = (
    "<pad>",
    "<unk>",
    "@C",
    "@D",
    "@G",
    "@V",
    *(f"<{role}_{kind}>" for role in "so" for kind in "CDGV"),
)
CNN_MAX_POSITION = 30
_CNN_ARRAYS = ("emb", "ps", "po", "conv_w", "conv_b", "out_w", "out_b")


@dataclass(frozen=True, eq=False)
class SentenceCNN:
    """A piecewise CNN over the words around two mentions (word and position embeddings, one convolution of
    width 3, max-pooled before, between and after the pair), scored with numpy.

    ``words`` are the vocabulary (``CNN_SPECIAL_TOKENS`` first); the arrays are the trained weights:
    ``emb`` (words, dim), ``ps``/``po`` positions relative to the subject and object, ``conv_w`` (filters,
    channels, 3), ``conv_b``, ``out_w`` (classes, 3 x filters), ``out_b``.
    """

    words: tuple[str, ...]
    weights: dict[str, np.ndarray]

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    @functools.cached_property
    def _kernel(self) -> np.ndarray:
        w = self.weights["conv_w"]  # (filters, channels, 3) -> (3 x channels, filters)
        return np.concatenate([w[:, :, 0], w[:, :, 1], w[:, :, 2]], axis=1).T

    def encode(
        self, tokens: list[str], subject: int, obj: int, types: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Word ids, positions relative to the subject and to the object (shifted to be >= 0), and pieces
        (0 up to the first mention, 1 up to the second, 2 after) of one token window.

        >>> cnn = SentenceCNN(CNN_SPECIAL_TOKENS + ("causes",), {})
        >>> [a.tolist() for a in cnn.encode(["<s>", "causes", "<o>"], 0, 2, "CD")]
        [[6, 14, 11], [30, 31, 32], [28, 29, 30], [0, 1, 1]]
        """
        index = self.index
        ids = []
        for k, token in enumerate(tokens):
            if k == subject:
                token = f"<s_{types[0]}>"
            elif k == obj:
                token = f"<o_{types[1]}>"
            ids.append(index.get(token, 1))
        n = len(ids)
        first, second = sorted((subject, obj))
        pieces = np.zeros(n, dtype=np.int64)
        pieces[first + 1 : second + 1] = 1
        pieces[second + 1 :] = 2
        limit = CNN_MAX_POSITION
        to_subject = np.clip(np.arange(n) - subject, -limit, limit) + limit
        to_object = np.clip(np.arange(n) - obj, -limit, limit) + limit
        return np.array(ids, dtype=np.int64), to_subject, to_object, pieces

    def probabilities(self, encoded: list[tuple[np.ndarray, ...]], batch: int = 256) -> np.ndarray:
        """Class probabilities of encoded windows (the torch model's arithmetic in eval mode)."""
        weights = self.weights
        out = np.zeros((len(encoded), weights["out_b"].shape[0]))
        order = np.argsort([len(e[0]) for e in encoded], kind="stable")
        for begin in range(0, len(encoded), batch):
            index = order[begin : begin + batch]
            ids, ps, po, pieces = pad_windows(encoded, index)
            x = np.concatenate([weights["emb"][ids], weights["ps"][ps], weights["po"][po]], axis=2)
            padded = np.pad(x, ((0, 0), (1, 1), (0, 0)))
            windows = np.concatenate([padded[:, :-2], padded[:, 1:-1], padded[:, 2:]], axis=2)
            b, n, _ = windows.shape
            hidden = np.maximum(windows.reshape(b * n, -1) @ self._kernel + weights["conv_b"], 0.0)
            hidden = hidden.reshape(b, n, -1)
            pooled = [np.where((pieces == k)[:, :, None], hidden, 0.0).max(axis=1) for k in range(3)]
            logits = np.concatenate(pooled, axis=1) @ weights["out_w"].T + weights["out_b"]
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            out[index] = exp / exp.sum(axis=1, keepdims=True)
        return out


def pad_windows(
    encoded: list[tuple[np.ndarray, ...]], index: np.ndarray | list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A batch of encoded windows padded to the longest (padding: word 0, piece 3, which no pool reads)."""
    n = max(len(encoded[i][0]) for i in index)
    ids = np.zeros((len(index), n), dtype=np.int64)
    ps = np.zeros((len(index), n), dtype=np.int64)
    po = np.zeros((len(index), n), dtype=np.int64)
    pieces = np.full((len(index), n), 3, dtype=np.int64)
    for row, i in enumerate(index):
        a, b, c, d = encoded[i]
        ids[row, : len(a)], ps[row, : len(a)], po[row, : len(a)], pieces[row, : len(a)] = a, b, c, d
    return ids, ps, po, pieces


@dataclass(frozen=True, eq=False)
class RelationHead:
    """One scheme's decisions (``cdr``: CID or not; ``biored``: related or not, then which type).

    ``pair`` scores a candidate (probability of a relation); ``type`` (BioRED) picks the type among
    ``labels``; ``threshold`` is the decision threshold, ``thresholds`` its value per entity-type pair
    (``"CG"``) where learned; ``allowed`` the types seen for each entity-type pair; ``cnn`` the sentence CNN
    whose pooled scores are features of the trees, ``floor`` CDR's at-least-one floor (benchmarks only).
    """

    name: str
    pair: TreeEnsemble
    labels: tuple[str, ...]
    threshold: float
    thresholds: dict[str, float] = field(default_factory=dict)
    allowed: dict[str, frozenset[str]] = field(default_factory=dict)
    type: TreeEnsemble | None = None
    cnn: SentenceCNN | None = None
    floor: float | None = None

    def threshold_for(self, types: str) -> float:
        return self.thresholds.get(types, self.threshold)


@dataclass(frozen=True, eq=False)
class RelationModel:
    """The relation model file: its heads by scheme, and what it was trained on.

    The file is an ``.npz`` (a zip of ``.npy`` arrays, read with ``allow_pickle=False``): ``model`` holds the
    UTF-8 JSON of the heads (trees, thresholds, the CNN's vocabulary) and ``HEAD.NAME`` the CNN's arrays.
    """

    heads: dict[str, RelationHead]
    method: str = ""
    trained_on: dict[str, object] = field(default_factory=dict)
    path: Path | None = None
    digest: str = ""

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], path: Path | None = None, digest: str = ""
    ) -> RelationModel:
        data = json.loads(arrays["model"].tobytes().decode("utf-8"))
        heads = {}
        for name, head in data["heads"].items():
            cnn = None
            if head.get("cnn"):
                weights = {key: np.asarray(arrays[f"{name}.{key}"]) for key in _CNN_ARRAYS}
                cnn = SentenceCNN(tuple(head["cnn"]["words"]), weights)
                if weights["emb"].shape[0] != len(cnn.words):
                    raise ValueError(
                        f"head {name}: {len(cnn.words)} words but {weights['emb'].shape[0]} vectors"
                    )
            heads[name] = RelationHead(
                name,
                TreeEnsemble.from_json(head["pair"]),
                tuple(head["labels"]),
                float(head["threshold"]),
                {k: float(v) for k, v in head.get("thresholds", {}).items()},
                {k: frozenset(v) for k, v in head.get("allowed", {}).items()},
                TreeEnsemble.from_json(head["type"]) if head.get("type") else None,
                cnn,
                head.get("floor"),
            )
        return cls(heads, data.get("method", ""), data.get("trained_on", {}), path, digest)

    @classmethod
    def read(cls, path: Path) -> RelationModel:
        """Read a shipped relation model (see :mod:`kg.train.relations`)."""
        return load_weights(path, lambda raw, digest: cls.from_arrays(npz_arrays(raw), path, digest))


@dataclass(frozen=True, eq=False)
class Models:
    """The learned models an extractor applies; any may be None (that component is then skipped)."""

    mention_filter: LogisticModel | None = None
    relations: RelationModel | None = None
    normaliser: NormaliserModel | None = None
    species: TreeEnsemble | None = None
    tagger: Tagger | None = None
    directory: Path | None = None

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Models:
        """The models in ``directory`` (default: the weights shipped in the package)."""
        directory = Path(directory) if directory else MODELS_DIR
        return cls(
            mention_filter=LogisticModel.read(directory / MENTION_FILTER_FILE),
            relations=RelationModel.read(directory / RELATIONS_FILE),
            normaliser=NormaliserModel.read(directory / NORMALISER_FILE),
            species=TreeEnsemble.read(directory / SPECIES_FILE),
            tagger=Tagger.read(directory / TAGGER_FILE),
            directory=directory,
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
            for m in (self.mention_filter, self.relations, self.species, self.normaliser, self.tagger)
        )

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Sent to another process (a Dask worker), models are read there from the same directory.
        if self.directory is None:
            fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
            return (functools.partial(Models, **fields), ())
        return (Models.load, (str(self.directory),))
