"""The normaliser's candidate index: derived from the compiled lexicon, built once per machine beside it.

Nothing here is learned. :meth:`CandidateIndex.open` builds the index on first use (seconds) into the
lexicon's compile cache (``<compiled lexicon>/normaliser-v<N>/``, so a new lexicon gets a new index) and
afterwards memory-maps it. It holds:

* a **concept table** over the lexicon's concept indexes: entity type, ID prefix, MeSH descriptor /
  supplementary and OMIM flags, number of cross-references, parents (CSR), depth, number of children and of
  names, and each concept's names (CSR of name key ids);
* **name types**: which entity types each name key of the lexicon names (the learned ``corpus_names`` left
  out: the normaliser's own training memory replaces them; names the term filter blocks kept);
* a **two-level fuzzy name search** per type (Disease, Chemical): character 3- and 4-grams of the distinct
  *words* of names (word -> n-grams, n-gram -> words), and word -> names containing it. A query's words
  find similar words (n-gram Dice), those find names, and the best few are rescored exactly by cosine of
  sublinear TF-IDF vectors over n-grams and whole words (a name's vector is the sum of its words').

>>> index = CandidateIndex.open(get_default_lexicon())  # doctest: +SKIP
>>> [index.lexicon.key_at(k) for k, _ in index.search("ventriculr arrhythmia", "Disease")][:1]  # doctest: +SKIP
['ventricular arrhythmia']
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
from array import array
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import marisa_trie
import numpy as np

from kg.atomic import publish_directory
from kg.categories import entity_type_of
from kg.lexicon import Lexicon
from kg.lexicon.kinds import NameKind

__all__ = [
    "INDEX_VERSION",
    "KINDS",
    "PREFIXES",
    "SOURCES",
    "TYPES",
    "CandidateIndex",
    "build_candidate_index",
    "distinct",
    "ranges",
    "word_grams",
]

INDEX_VERSION = 2
TYPES = ("Disease", "Chemical", "Gene")  # type codes 0, 1, 2; 3 = none of them
FUZZY_TYPES = ("Disease", "Chemical")
PREFIXES = ("MESH", "MONDO", "HP", "CHEBI", "DRUGBANK", "UNII", "DOID", "NCBIGene", "FPLX", "other")
KINDS = tuple(k.value for k in NameKind)
SOURCES = ("mesh", "mesh_supp", "mondo", "doid", "hp", "chebi", "drugbank", "hgnc", "famplex", "other")
MAX_FUZZY_KEY = 80  # longer names (IUPAC) are only matched exactly
GRAM_SIZES = (3, 4)
MESH_D, MESH_C, OMIM = 1, 2, 4  # concept flags

_ARRAYS = (
    "concept_type",
    "concept_prefix",
    "concept_flags",
    "concept_xrefs",
    "concept_depth",
    "concept_children",
    "parent_offsets",
    "parents",
    "name_offsets",
    "names",
    "key_types",
    "key_lengths",
    "key_token_offsets",
    "key_tokens",
    "word_gram_offsets",
    "word_grams",
    "gram_word_offsets",
    "gram_words",
    *(f"{t}_{a}" for t in FUZZY_TYPES for a in ("word_name_offsets", "word_names", "idf")),
)


def word_grams(word: str) -> list[str]:
    """The character n-grams of one word (padded with a space each side), with repeats.

    >>> word_grams("ache")
    [' ac', 'ach', 'che', 'he ', ' ach', 'ache', 'che ']
    """
    padded = f" {word} "
    return [padded[i : i + n] for n in GRAM_SIZES for i in range(len(padded) - n + 1)]


def ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated index ranges ``[start, end)`` and, for each index, which range it came from."""
    lengths = (ends - starts).astype(np.int64)
    owner = np.repeat(np.arange(len(lengths)), lengths)
    shift = np.repeat(starts.astype(np.int64) - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(int(lengths.sum()), dtype=np.int64) + shift, owner


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array (by sorting: numpy's hashing ``np.unique`` is many
    times slower on millions of values).

    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _csr(rows: np.ndarray, values: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, values sorted by row then value) of distinct (row, value) pairs, rows ``0..count-1``."""
    pairs = distinct(rows.astype(np.int64) << 32 | values.astype(np.int64))
    offsets = np.zeros(count + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(pairs >> 32, minlength=count))
    return offsets, (pairs & 0xFFFFFFFF).astype(np.int32)


def _depths(parent_offsets: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Length of the shortest path up to a root, per concept (breadth first from the roots; a concept no
    root reaches, on a cycle, counts as a root)."""
    count = len(parent_offsets) - 1
    child_of = np.repeat(np.arange(count, dtype=np.int64), np.diff(parent_offsets))
    child_offsets, children = _csr(parents.astype(np.int64), child_of, count)
    depth = np.full(count, -1, dtype=np.int32)
    frontier = np.flatnonzero(np.diff(parent_offsets) == 0)
    depth[frontier] = 0
    level = 0
    while len(frontier):
        level += 1
        positions, _ = ranges(child_offsets[frontier], child_offsets[frontier + 1])
        following = distinct(children[positions])
        frontier = following[depth[following] < 0]
        depth[frontier] = level
    depth[depth < 0] = 0
    return depth


def build_candidate_index(lexicon: Lexicon, directory: Path) -> dict[str, float]:
    """Build the index of ``lexicon`` into ``directory`` (replaced atomically); return build figures."""
    started = time.perf_counter()
    count = len(lexicon)
    concept_type = np.full(count, 3, dtype=np.int8)
    concept_prefix = np.full(count, len(PREFIXES) - 1, dtype=np.int8)
    concept_flags = np.zeros(count, dtype=np.uint8)
    concept_xrefs = np.zeros(count, dtype=np.int16)
    parent_rows = array("q")
    parent_values: list[str] = []
    type_codes: dict[str, int] = {}
    prefix_codes = {p: i for i, p in enumerate(PREFIXES)}
    for index, concept_id, category, xrefs, parent_ids in lexicon.iter_concept_rows():
        code = type_codes.get(category)
        if code is None:
            entity_type = entity_type_of(category)
            code = type_codes[category] = (
                TYPES.index(entity_type.value) if entity_type and entity_type.value in TYPES else 3
            )
        concept_type[index] = code
        concept_prefix[index] = prefix_codes.get(concept_id.split(":", 1)[0], len(PREFIXES) - 1)
        flags = 0
        for curie in (concept_id, *xrefs):
            if curie.startswith("MESH:D"):
                flags |= MESH_D
            elif curie.startswith("MESH:C"):
                flags |= MESH_C
            elif curie.startswith("OMIM:"):
                flags |= OMIM
        concept_flags[index] = flags
        concept_xrefs[index] = min(len(xrefs), 32000)
        for parent in parent_ids:
            parent_rows.append(index)
            parent_values.append(parent)
    parent_index = [lexicon.concept_index(p) for p in parent_values]
    known = np.array([p is not None for p in parent_index], dtype=bool)
    parent_offsets, parents = _csr(
        np.frombuffer(parent_rows, dtype=np.int64)[known],
        np.array([p for p in parent_index if p is not None], dtype=np.int64),
        count,
    )
    concept_depth = _depths(parent_offsets, parents).astype(np.int16)
    concept_children = np.bincount(parents, minlength=count).astype(np.int32)
    seconds_concepts = time.perf_counter() - started

    # Names: which types each key names, and each concept's keys (corpus names left out).
    offsets, postings = lexicon.name_table()
    key_count = len(offsets) - 1
    owner = np.repeat(np.arange(key_count, dtype=np.int64), np.diff(offsets))
    sources = lexicon.name_sources
    keep = np.ones(len(postings), dtype=bool)
    if NameKind.CORPUS.value in sources:
        keep = np.asarray(postings["source"]) != sources.index(NameKind.CORPUS.value)
    posting_concept = np.asarray(postings["concept"])[keep].astype(np.int64)
    posting_key = owner[keep]
    name_offsets, names = _csr(posting_concept, posting_key, count)
    key_types = np.zeros(key_count, dtype=np.uint8)
    posting_type = concept_type[posting_concept]
    for code in range(4):
        key_types |= (np.bincount(posting_key[posting_type == code], minlength=key_count) > 0).astype(
            np.uint8
        ) << np.uint8(code)

    # Words of names, their n-grams, and names per word (per type).
    tokens, key_token_offsets = lexicon.key_tokens()
    key_lengths = np.minimum(np.diff(key_token_offsets), 255).astype(np.uint8)
    vocabulary = lexicon.token_count()
    token_lengths = np.array([len(lexicon.token_at(i)) for i in range(vocabulary)], dtype=np.int64)
    token_key = np.repeat(np.arange(key_count, dtype=np.int64), np.diff(key_token_offsets))
    key_chars = np.bincount(token_key, weights=token_lengths[tokens] + 1, minlength=key_count) - 1
    arrays: dict[str, np.ndarray] = {}
    used = np.zeros(vocabulary, dtype=bool)
    for name in FUZZY_TYPES:
        bit = np.uint8(1 << TYPES.index(name))
        eligible = ((key_types & bit) != 0) & (key_chars <= MAX_FUZZY_KEY)
        selected = eligible[token_key]
        word_name_offsets, word_names = _csr(tokens[selected], token_key[selected], vocabulary)
        arrays[f"{name}_word_name_offsets"] = word_name_offsets
        arrays[f"{name}_word_names"] = word_names
        used |= np.diff(word_name_offsets) > 0
    gram_ids: dict[str, int] = {}
    pair_word = array("q")  # compact while growing to millions
    pair_gram = array("q")
    for word in np.flatnonzero(used).tolist():
        for gram in word_grams(lexicon.token_at(word)):
            pair_word.append(word)
            pair_gram.append(gram_ids.setdefault(gram, len(gram_ids)))
    trie = marisa_trie.Trie(gram_ids)
    remap = np.zeros(len(gram_ids), dtype=np.int64)
    for gram, old in gram_ids.items():
        remap[old] = trie[gram]
    gram_count = len(gram_ids)
    pair_word_array = np.frombuffer(pair_word, dtype=np.int64)
    pair_gram_array = remap[np.frombuffer(pair_gram, dtype=np.int64)]
    order = np.argsort(pair_word_array, kind="stable")
    word_gram_offsets = np.zeros(vocabulary + 1, dtype=np.int64)
    word_gram_offsets[1:] = np.cumsum(np.bincount(pair_word_array, minlength=vocabulary))
    arrays["word_gram_offsets"] = word_gram_offsets
    arrays["word_grams"] = pair_gram_array[order].astype(np.int32)  # repeats kept: they are term counts
    gram_word_offsets, gram_words = _csr(pair_gram_array, pair_word_array, gram_count)
    arrays["gram_word_offsets"] = gram_word_offsets
    arrays["gram_words"] = gram_words
    distinct_word = gram_words.astype(np.int64)
    distinct_gram = np.repeat(np.arange(gram_count, dtype=np.int64), np.diff(gram_word_offsets))
    for name in FUZZY_TYPES:
        word_df = np.diff(arrays[f"{name}_word_name_offsets"]).astype(np.float64)
        bit = np.uint8(1 << TYPES.index(name))
        total = float(np.count_nonzero(((key_types & bit) != 0) & (key_chars <= MAX_FUZZY_KEY)))
        # An n-gram's document frequency, estimated as the names of the words that have it.
        gram_df = np.bincount(distinct_gram, weights=word_df[distinct_word], minlength=gram_count)
        idf = np.log((1.0 + total) / (1.0 + np.concatenate([gram_df, word_df]))) + 1.0
        arrays[f"{name}_idf"] = idf.astype(np.float32)

    arrays.update(
        concept_type=concept_type,
        concept_prefix=concept_prefix,
        concept_flags=concept_flags,
        concept_xrefs=concept_xrefs,
        concept_depth=concept_depth,
        concept_children=concept_children,
        parent_offsets=parent_offsets,
        parents=parents,
        name_offsets=name_offsets,
        names=names,
        key_types=key_types,
        key_lengths=key_lengths,
        key_token_offsets=key_token_offsets.astype(np.int64),
        key_tokens=tokens.astype(np.int32),
    )
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=".building-", dir=directory.parent))
    try:
        for name in _ARRAYS:
            np.save(temporary / f"{name}.npy", arrays[name])
        trie.save(str(temporary / "grams.marisa"))
        figures = {
            "seconds": round(time.perf_counter() - started, 1),
            "seconds_concepts": round(seconds_concepts, 1),
            "concepts": count,
            "keys": key_count,
            "words": int(used.sum()),
            "grams": gram_count,
        }
        (temporary / "meta.json").write_text(
            json.dumps({"version": INDEX_VERSION, **figures}, indent=2), encoding="utf-8"
        )
        publish_directory(temporary, directory)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return figures


class _TypeSearch:
    """The fuzzy name search of one entity type (see the module's description). One per process: it keeps
    a scratch vector and memos (not for threads; worker processes each open their own)."""

    def __init__(self, index: CandidateIndex, name: str):
        self.index = index
        self.offsets = index.arrays[f"{name}_word_name_offsets"]
        self.names = index.arrays[f"{name}_word_names"]
        self.idf = np.array(index.arrays[f"{name}_idf"])
        self.gram_count = index.gram_count
        self.max_idf_squared = float(self.idf.max()) ** 2 if len(self.idf) else 0.0
        self.dense = np.zeros(len(self.idf), dtype=np.float64)
        self.vectors: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}

    def vector(self, key: str) -> tuple[np.ndarray, np.ndarray, float]:
        """A query's TF-IDF vector (feature ids, L2-normalised weights), and the weight its unknown
        features add to the norm (they count at the highest idf, so unseen parts lower every cosine)."""
        found = self.vectors.get(key)
        if found is not None:
            return found
        counts: dict[int, int] = defaultdict(int)
        unknown = 0
        for word in key.split():
            grams, word_id = self.index.grams_of(word)
            for gram in grams:
                if gram < 0:
                    unknown += 1
                else:
                    counts[gram] += 1
            if word_id is None or self.offsets[word_id + 1] == self.offsets[word_id]:
                unknown += 1
            else:
                counts[self.gram_count + word_id] += 1
        features = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
        weights = (1.0 + np.log([counts[f] for f in features.tolist()])) * self.idf[features]
        norm = math.sqrt(float(np.dot(weights, weights)) + unknown * self.max_idf_squared) or 1.0
        result = (features, weights / norm, unknown * self.max_idf_squared)
        if len(self.vectors) > 200_000:
            self.vectors.clear()
        self.vectors[key] = result
        return result

    def cosines(self, key: str, keys: np.ndarray) -> np.ndarray:
        """Exact cosine of ``key`` with each name key id in ``keys``."""
        if len(keys) == 0:
            return np.zeros(0, dtype=np.float32)
        features, weights, _ = self.vector(key)
        if len(features) == 0:
            return np.zeros(len(keys), dtype=np.float32)
        index = self.index
        token_offsets = index.arrays["key_token_offsets"]
        positions, word_owner = ranges(token_offsets[keys], token_offsets[keys + 1])
        words = index.arrays["key_tokens"][positions].astype(np.int64)
        gram_offsets = index.arrays["word_gram_offsets"]
        positions, from_word = ranges(gram_offsets[words], gram_offsets[words + 1])
        grams = index.arrays["word_grams"][positions].astype(np.int64)
        feature = np.concatenate([grams, self.gram_count + words])
        owner = np.concatenate([word_owner[from_word], word_owner])
        pairs, counts = np.unique(owner << 32 | feature, return_counts=True)
        pair_owner, pair_feature = pairs >> 32, pairs & 0xFFFFFFFF
        values = (1.0 + np.log(counts)) * self.idf[pair_feature]
        norms = np.sqrt(np.bincount(pair_owner, weights=values * values, minlength=len(keys)))
        dense = self.dense
        dense[features] = weights
        try:
            dots = np.bincount(pair_owner, weights=dense[pair_feature] * values, minlength=len(keys))
        finally:
            dense[features] = 0.0
        return (dots / np.where(norms > 0, norms, 1.0)).astype(np.float32)

    def similar_words(self, word: str, limit: int = 8, min_dice: float = 0.5) -> list[tuple[int, float]]:
        """Words of this type's names whose n-grams resemble ``word``'s (Dice >= ``min_dice``), best first."""
        index = self.index
        grams, word_id = index.grams_of(word)
        known = np.array(sorted({g for g in grams if g >= 0}), dtype=np.int64)
        result: dict[int, float] = {}
        if word_id is not None and self.offsets[word_id + 1] > self.offsets[word_id]:
            result[word_id] = 1.0
        if len(known):
            gram_offsets = index.arrays["gram_word_offsets"]
            df = gram_offsets[known + 1] - gram_offsets[known]
            probe = known[np.argsort(df, kind="stable")[:6]]
            positions, _ = ranges(gram_offsets[probe], gram_offsets[probe + 1])
            candidates, overlap = np.unique(index.arrays["gram_words"][positions], return_counts=True)
            has_names = self.offsets[candidates + 1] > self.offsets[candidates]
            candidates, overlap = candidates[has_names].astype(np.int64), overlap[has_names]
            if len(candidates) > 60:
                candidates = candidates[np.argsort(-overlap, kind="stable")[:60]]
            word_offsets = index.arrays["word_gram_offsets"]
            positions, owner = ranges(word_offsets[candidates], word_offsets[candidates + 1])
            shared = np.isin(index.arrays["word_grams"][positions], known)
            sizes = np.bincount(owner, minlength=len(candidates))
            dice = 2.0 * np.bincount(owner, weights=shared, minlength=len(candidates)) / (len(known) + sizes)
            for candidate, value in zip(candidates.tolist(), dice.tolist(), strict=True):
                if value >= min_dice and candidate not in result:
                    result[candidate] = value
        ranked = sorted(result.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    def search(
        self, key: str, top: int = 10, rescore: int = 50, max_df: int = 5000
    ) -> list[tuple[int, float]]:
        """The ``top`` names (key ids) most like ``key`` by cosine, best first (see the module)."""
        words = list(dict.fromkeys(key.split()))
        if not words:
            return []
        per_word = []
        for word in words:
            similar = self.similar_words(word)
            if not similar:
                continue
            ids = np.array([w for w, _ in similar], dtype=np.int64)
            sizes = self.offsets[ids + 1] - self.offsets[ids]
            weight = float(self.idf[self.gram_count + ids[0]]) if similar[0][1] == 1.0 else 0.0
            per_word.append((int(sizes.sum()), ids, np.array([s for _, s in similar]), weight))
        if not per_word:
            return []
        fallback = max(float(self.idf.max()), 1.0)
        usable = [entry for entry in per_word if entry[0] <= max_df] or [min(per_word, key=lambda e: e[0])]
        all_names, all_gains = [], []
        for _, ids, similarity, weight in usable:
            positions, owner = ranges(self.offsets[ids], self.offsets[ids + 1])
            names = self.names[positions].astype(np.int64)
            gains = similarity[owner] * (weight or fallback)
            order = np.lexsort((-gains, names))  # per name, its best similar word first
            names, gains = names[order], gains[order]
            first = np.ones(len(names), dtype=bool)
            first[1:] = names[1:] != names[:-1]
            all_names.append(names[first])
            all_gains.append(gains[first])
        candidates, owner = np.unique(np.concatenate(all_names), return_inverse=True)
        if not len(candidates):
            return []
        if len(candidates) > rescore:
            partial = np.bincount(owner, weights=np.concatenate(all_gains), minlength=len(candidates))
            lengths = self.index.arrays["key_lengths"][candidates].astype(np.float64)
            partial = partial / np.sqrt(lengths)
            candidates = candidates[np.lexsort((candidates, -partial))[:rescore]]
        cosines = self.cosines(key, candidates)
        order = np.lexsort((candidates, -cosines))[:top]
        return [(int(candidates[i]), float(cosines[i])) for i in order]


class CandidateIndex:
    """The memory-mapped index of one compiled lexicon (see the module's description)."""

    def __init__(self, lexicon: Lexicon, directory: Path):
        self.lexicon = lexicon
        self.directory = directory
        self.meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        # Plain ndarray views of the memory maps (indexing a np.memmap object is slow).
        self.arrays = {
            name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r")) for name in _ARRAYS
        }
        self.grams = marisa_trie.Trie()
        self.grams.mmap(str(directory / "grams.marisa"))
        self.gram_count = len(self.grams)
        self.concept_type = np.asarray(self.arrays["concept_type"])
        self.concept_flags = np.asarray(self.arrays["concept_flags"])
        self.key_types = self.arrays["key_types"]
        kinds, sources = lexicon.name_kinds, lexicon.name_sources
        self._kind_code = np.array([KINDS.index(k) if k in KINDS else 1 for k in kinds], dtype=np.int64)
        self._source_code = np.array(
            [SOURCES.index(s) if s in SOURCES else len(SOURCES) - 1 for s in sources], dtype=np.int64
        )
        self._corpus_source = sources.index(NameKind.CORPUS.value) if NameKind.CORPUS.value in sources else -1
        self._searches: dict[str, _TypeSearch] = {}
        self._grams_of: dict[str, tuple[list[int], int | None]] = {}
        self._exact: dict[str, list[tuple[int, int, int]]] = {}
        self._key_text: dict[int, str] = {}
        self._token_texts: dict[int, str] = {}

    @classmethod
    def path_for(cls, lexicon: Lexicon) -> Path:
        """Where the index of ``lexicon`` lives: in the lexicon's compile cache, beside the tries."""
        return Path(lexicon.compiled) / f"normaliser-v{INDEX_VERSION}"

    @classmethod
    def open(cls, lexicon: Lexicon, directory: Path | None = None) -> CandidateIndex:
        """The index of ``lexicon``, built first if this machine has none yet."""
        directory = Path(directory) if directory else cls.path_for(lexicon)
        if not (directory / "meta.json").exists():
            build_candidate_index(lexicon, directory)
        return cls(lexicon, directory)

    # --- names ---------------------------------------------------------------------------------------

    def exact(self, key: str) -> list[tuple[int, int, int]]:
        """``(concept, kind code, source code)`` of every name with this key (corpus names left out)."""
        found = self._exact.get(key)
        if found is not None:
            return found
        result: list[tuple[int, int, int]] = []
        key_id = self.lexicon.get_key_id(key) if key else None
        if key_id is not None:
            offsets, postings = self.lexicon.name_table()
            rows = postings[int(offsets[key_id]) : int(offsets[key_id + 1])]
            for concept, kind, source in zip(
                rows["concept"].tolist(), rows["kind"].tolist(), rows["source"].tolist(), strict=True
            ):
                if source != self._corpus_source:
                    result.append((concept, int(self._kind_code[kind]), int(self._source_code[source])))
        if len(self._exact) > 500_000:
            self._exact.clear()
        self._exact[key] = result
        return result

    def concept_keys(self, concept: int) -> np.ndarray:
        """The name key ids of a concept."""
        offsets = self.arrays["name_offsets"]
        return np.asarray(self.arrays["names"][offsets[concept] : offsets[concept + 1]])

    def name_count(self, concepts: np.ndarray) -> np.ndarray:
        """How many names each concept has."""
        offsets = self.arrays["name_offsets"]
        return (offsets[concepts + 1] - offsets[concepts]).astype(np.float32)

    def tokens_of(self, key_id: int) -> list[int]:
        """The token ids of a name key (memoised)."""
        offsets = self.arrays["key_token_offsets"]
        return self.arrays["key_tokens"][offsets[key_id] : offsets[key_id + 1]].tolist()

    def key_text(self, key_id: int) -> str:
        """A name key as text (memoised)."""
        found = self._key_text.get(key_id)
        if found is None:
            found = " ".join(self._token_text(t) for t in self.tokens_of(key_id))
            if len(self._key_text) > 500_000:
                self._key_text.clear()
            self._key_text[key_id] = found
        return found

    def _token_text(self, token: int) -> str:
        found = self._token_texts.get(token)
        if found is None:
            found = self._token_texts[token] = self.lexicon.token_at(token)
        return found

    def grams_of(self, word: str) -> tuple[list[int], int | None]:
        """A word's n-gram ids (-1 for n-grams no name has) and its token id (None if no name has it)."""
        found = self._grams_of.get(word)
        if found is None:
            get = self.grams.get
            found = ([get(g, -1) for g in word_grams(word)], self.lexicon.get_token_id(word))
            if len(self._grams_of) > 500_000:
                self._grams_of.clear()
            self._grams_of[word] = found
        return found

    def searcher(self, entity_type: str) -> _TypeSearch:
        """The fuzzy name search of a type (Disease or Chemical)."""
        found = self._searches.get(entity_type)
        if found is None:
            found = self._searches[entity_type] = _TypeSearch(self, entity_type)
        return found

    def search(self, key: str, entity_type: str, top: int = 10, **options: int) -> list[tuple[int, float]]:
        """The names (key ids, cosine) most like ``key`` among those of ``entity_type``, best first."""
        if entity_type not in FUZZY_TYPES:
            return []
        return self.searcher(entity_type).search(key, top, **options)

    def key_concepts(self, key_id: int, type_code: int) -> list[int]:
        """The concepts of one type a name key names (corpus names left out)."""
        offsets, postings = self.lexicon.name_table()
        rows = postings[int(offsets[key_id]) : int(offsets[key_id + 1])]
        result = []
        for concept, source in zip(rows["concept"].tolist(), rows["source"].tolist(), strict=True):
            if source != self._corpus_source and self.concept_type[concept] == type_code:
                result.append(concept)
        return list(dict.fromkeys(result))

    # --- concepts ------------------------------------------------------------------------------------

    def parents_of(self, concept: int) -> list[int]:
        offsets = self.arrays["parent_offsets"]
        return self.arrays["parents"][offsets[concept] : offsets[concept + 1]].tolist()

    def has_mesh(self, concept: int) -> bool:
        return bool(self.concept_flags[concept] & (MESH_D | MESH_C))

    def ids_of(self, concepts: Iterable[int]) -> list[str]:
        return [self.lexicon.concept_id_at(c) for c in concepts]

    def size_on_disk(self) -> int:
        """Bytes the index takes on disk."""
        return sum(f.stat().st_size for f in self.directory.iterdir())
