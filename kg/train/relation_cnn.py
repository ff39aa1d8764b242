"""The relation model's sentence CNN (:class:`kg.models.SentenceCNN`), trained in torch on CPU.

Instances are a candidate's co-occurrences: the words around the two mentions
(:func:`kg.relate_features.instance_sequence`), labelled with the candidate's document-level label (distant
supervision inside the document). Word vectors are learned here first (:func:`learn_word_vectors`: gensim
skip-gram over the training splits' text only), then fine-tuned with the network. :func:`pooled_features`
gives the trees honest inputs: 5-fold out-of-fold CNN scores (folds by document) pooled per candidate for
the training rows, and the weights of a CNN trained on all of them for the shipped model.

Deterministic: gensim with one worker, a fixed seed and a CRC-32 hash (``PYTHONHASHSEED`` does not matter);
torch with one thread, a fixed seed and deterministic algorithms.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kg.models import CNN_MAX_POSITION, CNN_SPECIAL_TOKENS, SentenceCNN, pad_windows
from kg.records import Document
from kg.relate_features import Candidate, tokens_of
from kg.relate_learned import cnn_inputs, pool_scores
from kg.text import split_sentences

__all__ = ["CNNSettings", "learn_word_vectors", "pooled_features", "train_cnn"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CNNSettings:
    """What the CNN is: dimensions, training length, seeds (the prototype's choices, made by CV on train)."""

    dimensions: int = 100  # word vectors
    filters: int = 150
    position_dimensions: int = 8
    epochs: int = 6
    learning_rate: float = 1e-3
    dropout: float = 0.5
    batch: int = 32
    seed: int = 0
    word2vec_epochs: int = 15
    word2vec_seed: int = 7


def _stable_hash(text: str) -> int:
    """gensim seeds each word's first vector with this (Python's ``hash`` differs between runs)."""
    return zlib.crc32(text.encode("utf-8"))


def learn_word_vectors(
    documents: Iterable[Document], settings: CNNSettings = CNNSettings()
) -> tuple[list[str], np.ndarray]:
    """Skip-gram vectors of the relation model's tokens (:func:`kg.relate_features.tokens_of`) in the
    documents' sentences; words seen at least twice."""
    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.WARNING)
    seen: set[str] = set()
    sentences = []
    for document in documents:
        if document.id in seen:
            continue
        seen.add(document.id)
        for passage in document.passages:
            for start, end in split_sentences(passage.text):
                sentences.append(tokens_of(passage.text[start:end]))
    model = Word2Vec(
        sentences,
        vector_size=settings.dimensions,
        window=5,
        min_count=2,
        sg=1,
        negative=5,
        epochs=settings.word2vec_epochs,
        workers=1,
        seed=settings.word2vec_seed,
        hashfxn=_stable_hash,
    )
    words = list(model.wv.index_to_key)
    return words, np.stack([model.wv[w] for w in words]).astype(np.float32)


def initial_vectors(words: list[str], vectors: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """The CNN's vocabulary (its own tokens first, small random vectors, padding zero) and first vectors."""
    rng = np.random.RandomState(3)
    special = rng.normal(0, 0.3, (len(CNN_SPECIAL_TOKENS), vectors.shape[1])).astype(np.float32)
    special[0] = 0.0
    return CNN_SPECIAL_TOKENS + tuple(words), np.concatenate([special, vectors])


def train_cnn(
    encoded: list[tuple[np.ndarray, ...]],
    labels: np.ndarray,
    classes: int,
    vectors: np.ndarray,
    settings: CNNSettings = CNNSettings(),
) -> dict[str, np.ndarray]:
    """Fit the piecewise CNN on encoded windows; its weights as numpy arrays (see SentenceCNN)."""
    import torch
    from torch import nn

    torch.manual_seed(settings.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    channels = vectors.shape[1] + 2 * settings.position_dimensions
    positions = 2 * CNN_MAX_POSITION + 1

    class PCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding.from_pretrained(torch.tensor(vectors), freeze=False, padding_idx=0)
            self.ps = nn.Embedding(positions, settings.position_dimensions)
            self.po = nn.Embedding(positions, settings.position_dimensions)
            self.conv = nn.Conv1d(channels, settings.filters, 3, padding=1)
            self.drop = nn.Dropout(settings.dropout)
            self.out = nn.Linear(3 * settings.filters, classes)

        def forward(self, ids, ps, po, pieces):  # type: ignore[no-untyped-def]
            x = torch.cat([self.emb(ids), self.ps(ps), self.po(po)], dim=2)
            hidden = torch.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)
            pooled = [
                torch.where((pieces == k).unsqueeze(2), hidden, torch.zeros_like(hidden)).max(dim=1).values
                for k in range(3)
            ]
            return self.out(self.drop(torch.cat(pooled, dim=1)))

    model = PCNN()
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    loss = nn.CrossEntropyLoss()
    rng = np.random.RandomState(settings.seed)
    by_length = np.argsort([len(e[0]) for e in encoded], kind="stable")
    batches = [by_length[i : i + settings.batch] for i in range(0, len(encoded), settings.batch)]
    for _ in range(settings.epochs):
        model.train()
        for b in rng.permutation(len(batches)):
            inputs = [torch.tensor(a) for a in pad_windows(encoded, batches[b])]
            optimiser.zero_grad()
            loss(model(*inputs), torch.tensor(labels[batches[b]])).backward()
            optimiser.step()
    weights = {
        "emb": model.emb.weight,
        "ps": model.ps.weight,
        "po": model.po.weight,
        "conv_w": model.conv.weight,
        "conv_b": model.conv.bias,
        "out_w": model.out.weight,
        "out_b": model.out.bias,
    }
    return {name: value.detach().numpy().copy() for name, value in weights.items()}


def pooled_features(
    candidates: Sequence[Candidate],
    labels: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    classes: int,
    words: tuple[str, ...],
    vectors: np.ndarray,
    settings: CNNSettings = CNNSettings(),
) -> tuple[list[dict[str, float]], SentenceCNN]:
    """Out-of-fold CNN scores pooled per training candidate (``folds`` over candidates, by document), and
    the CNN trained on every instance. ``labels`` are the candidates' class indexes."""
    started = time.monotonic()
    encoded, owners = cnn_inputs(SentenceCNN(words, {}), candidates)
    instance_labels = labels[owners]
    fold_of = np.zeros(len(candidates), dtype=np.int64)
    for number, (_, test) in enumerate(folds):
        fold_of[test] = number
    scores = np.zeros((len(encoded), classes))
    for number in range(len(folds)):
        train = np.flatnonzero(fold_of[owners] != number)
        test = np.flatnonzero(fold_of[owners] == number)
        weights = train_cnn([encoded[i] for i in train], instance_labels[train], classes, vectors, settings)
        scores[test] = SentenceCNN(words, weights).probabilities([encoded[i] for i in test])
    pooled = pool_scores(scores[:, 1:], owners, len(candidates))
    final = SentenceCNN(words, train_cnn(encoded, instance_labels, classes, vectors, settings))
    logger.info("relation CNN: %d instances, %.0f s", len(encoded), time.monotonic() - started)
    return pooled, final
