"""Word vectors for the tagger, learned here from text that no development split contains.

Skip-gram word2vec (gensim; 100 dimensions, window 5, 5 epochs, one worker, fixed seeds, a stable hash for
the initial vectors, so the same input gives the same vectors) over

* the training documents of BC5CDR, NCBI Disease and BioRED (held-out PMIDs removed, :mod:`kg.train.corpora`);
* the BC2GM and LINNAEUS sentences in ``corpora/extra`` (mention corpora no `kg` score is measured on);
* the lexicon's names, each a short "sentence" between a category token (``__dis__``, ``__chem__``,
  ``__gene__``), so a word's vector also says what kind of name it appears in. All disease names, and
  samples of chemical and gene names (they would otherwise swamp the text).

>>> words_of("IL-4Rα inhibitors")
['il', '-', '4', 'rα', 'inhibitors']
"""

from __future__ import annotations

import gzip
import logging
import random
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from kg.categories import entity_type_of
from kg.records import Document, EntityType
from kg.tag import TOKEN_PATTERN
from kg.text import split_sentences

__all__ = ["EXTRA_CORPORA", "iter_iob_sentences", "learn_word_vectors", "words_of"]

logger = logging.getLogger(__name__)

EXTRA_CORPORA = ("bc2gm", "linnaeus")
NAME_SAMPLES = {EntityType.DISEASE: None, EntityType.CHEMICAL: 200_000, EntityType.GENE: 120_000}
NAME_TOKENS = {EntityType.DISEASE: "__dis__", EntityType.CHEMICAL: "__chem__", EntityType.GENE: "__gene__"}
DIMENSIONS = 100


def words_of(text: str) -> list[str]:
    """Lower-cased tagger tokens of a text."""
    return [m.group().lower() for m in TOKEN_PATTERN.finditer(text)]


def iter_iob_sentences(path: Path) -> Iterator[list[tuple[str, str]]]:
    """Sentences of a token<TAB>IOB-tag file (gzip), as (token, tag) lists."""
    sentence: list[tuple[str, str]] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                if sentence:
                    yield sentence
                sentence = []
                continue
            token, tag = line.split("\t")[:2]
            sentence.append((token, tag))
    if sentence:
        yield sentence


def _running_text(documents: list[Document], corpora: Path) -> Iterator[list[str]]:
    for document in documents:
        for passage in document.passages:
            for begin, end in split_sentences(passage.text):
                yield words_of(passage.text[begin:end])
    for corpus in EXTRA_CORPORA:
        for path in sorted((corpora / "extra" / corpus).glob("*.tsv.gz")):
            for sentence in iter_iob_sentences(path):
                yield [w for token, _ in sentence for w in words_of(token)]


def _names(lexicon_dir: Path) -> Iterator[list[str]]:
    kind_of: dict[str, EntityType] = {}
    with gzip.open(lexicon_dir / "concepts.tsv.gz", "rt", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            curie, category = line.split("\t", 2)[:2]
            kind = entity_type_of(category)
            if kind in NAME_TOKENS:
                kind_of[curie] = kind
    names: dict[EntityType, set[str]] = {kind: set() for kind in NAME_TOKENS}
    with gzip.open(lexicon_dir / "terms.tsv.gz", "rt", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            term, curie = line.split("\t", 2)[:2]
            kind = kind_of.get(curie)
            if kind is not None and len(term) < 80:
                names[kind].add(term)
    rng = random.Random(0)
    for kind, cap in NAME_SAMPLES.items():
        terms = sorted(names[kind])
        if cap is not None and len(terms) > cap:
            terms = rng.sample(terms, cap)
        for term in terms:
            yield [NAME_TOKENS[kind], *words_of(term), NAME_TOKENS[kind]]


def _stable_hash(text: str) -> int:
    """gensim seeds each word's initial vector with this (Python's ``hash`` differs between runs)."""
    return zlib.crc32(text.encode("utf-8"))


def learn_word_vectors(
    documents: list[Document], corpora: Path, lexicon_dir: Path
) -> tuple[list[str], np.ndarray]:
    """Vocabulary and vectors (float32, one row per word) from the text described above."""
    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.WARNING)
    started = time.monotonic()
    sentences = [s for s in _running_text(documents, corpora) if s]
    text_tokens = sum(map(len, sentences))
    sentences += list(_names(lexicon_dir))
    random.Random(1).shuffle(sentences)
    model = Word2Vec(
        sentences,
        vector_size=DIMENSIONS,
        window=5,
        min_count=2,
        sg=1,
        negative=5,
        epochs=5,
        workers=1,
        seed=1,
        sample=1e-4,
        hashfxn=_stable_hash,
    )
    vocabulary = [w for w in model.wv.index_to_key if not (w.startswith("__") and w.endswith("__"))]
    vectors = np.stack([model.wv[w] for w in vocabulary]).astype(np.float32)
    logger.info(
        "word vectors: %d words from %d text tokens and %d sentences in %.0f s",
        len(vocabulary),
        text_tokens,
        len(sentences),
        time.monotonic() - started,
    )
    return vocabulary, vectors
