"""Candidates and their features: what the normaliser's ranker sees of each (mention, concept) pair.

For a mention (its key, type, the long form when the document defines it as an abbreviation, and the
document's other mentions) candidates come from:

* ``exact``: every lexicon name with the mention's key, and with its long form's (:mod:`kg.normalise.index`;
  names the term filter blocks included, the learned corpus names not);
* ``memory``: what annotators of the training splits called this key (:class:`Memory`);
* ``fuzzy memory``: the concepts of the most similar training keys, when the key itself is unseen;
* ``fuzzy names``: the closest names of the mention's type, when no exact name or memory entry offers a
  concept with a MeSH or OMIM ID (the IDs annotators use);
* ``sub-phrases``: exact names of contiguous parts of the mention ("acute renal failure" -> renal failure);
* ``ancestors``: the nearest MeSH-bearing ancestors of the above (an HPO term -> the MeSH heading).

Every candidate gets the same :data:`FEATURES`, whatever brought it in. All but the two document features
depend only on (type, key, long-form key, looks-like-abbreviation), so they are computed once per such tuple
and memoised.

>>> len(FEATURES), FEATURES[:3]
(56, ('ex_any', 'ex_kind', 'ex_label'))
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from kg.normalise.index import (
    FUZZY_TYPES,
    KINDS,
    MESH_C,
    MESH_D,
    OMIM,
    PREFIXES,
    SOURCES,
    TYPES,
    CandidateIndex,
    distinct,
    ranges,
    word_grams,
)

__all__ = [
    "FEATURES",
    "STOP_WORDS",
    "CandidateOptions",
    "Featuriser",
    "KeyIndex",
    "Memory",
    "looks_like_abbreviation",
]

FEATURES = (
    # exact name of the mention text / of the long form
    "ex_any", "ex_kind", "ex_label", "ex_nsrc", "ex_mesh_src", "ex_hp_src", "ex_ambig",
    "exl_any", "exl_kind", "exl_ambig",
    # training memory (exact key), fuzzy memory (similar training keys)
    "mem_cnt", "mem_share", "mem_top", "mem_total", "meml_cnt", "meml_share", "mem_any_total",
    "fmem_cos", "fmem_share", "fmem_cnt",
    # fuzzy names
    "tf_cos", "tf_rank", "tfl_cos", "tf_best_other",
    # best-name word overlap
    "jacc", "head_eq", "m_in_n", "n_in_m", "extra_m", "extra_n", "tok_m",
    # sub-phrases and hierarchy
    "sub_cov", "sub_last", "anc_dist", "anc_from_ex",
    # concept
    "type_match", "is_phenotype", "is_drug", "mesh_d", "mesh_c", "omim", "n_xrefs", "depth", "n_children",
    "n_names", "pfx_mesh", "pfx_mondo", "pfx_hp", "pfx_chebi", "pfx_other",
    # priors and document
    "prior", "doc_support", "doc_support_ex",
    # mention
    "is_abbrev", "has_long", "m_len",
)  # fmt: skip
F = {name: i for i, name in enumerate(FEATURES)}

KIND_WEIGHT = {"label": 1.0, "name": 0.9, "entry": 0.85, "synonym": 0.8, "symbol": 1.0, "alias": 0.75,
               "previous": 0.6, "corpus": 0.85}  # fmt: skip
_KIND_WEIGHTS = [KIND_WEIGHT.get(k, 0.7) for k in KINDS]
_LABEL = KINDS.index("label")
_MESH_SOURCES = {SOURCES.index("mesh"), SOURCES.index("mesh_supp")}
_HP_SOURCE = SOURCES.index("hp")
_ABBREVIATION = re.compile(r"^[A-Z0-9][A-Za-z0-9\-]{0,7}$")
STOP_WORDS = frozenset(
    {"of", "the", "and", "in", "with", "to", "a", "an", "or", "for", "by", "on", "induced", "due"}
)
_PREFIX = {p: i for i, p in enumerate(PREFIXES)}
_DRUG_PREFIXES = [_PREFIX["DRUGBANK"], _PREFIX["UNII"]]
_NAMED_PREFIXES = [_PREFIX[p] for p in ("MESH", "MONDO", "HP", "CHEBI")]
NO_CANDIDATES = (np.zeros(0, dtype=np.int64), np.zeros((0, len(FEATURES)), dtype=np.float32))


def looks_like_abbreviation(text: str) -> bool:
    """Short, starts with a capital or digit, two capitals at least ("AD", "5-FU", "NMDA").

    >>> looks_like_abbreviation("PAN"), looks_like_abbreviation("Parkinson")
    (True, False)
    """
    return bool(_ABBREVIATION.match(text)) and sum(c.isupper() for c in text) >= 2


class Memory(Protocol):
    """What annotators of the training splits called each name: concept indexes and counts."""

    def get(self, entity_type: str, key: str) -> Mapping[int, int]: ...

    def prior(self, entity_type: str, concept: int) -> int: ...

    def keys(self, entity_type: str) -> Sequence[str]: ...


class KeyIndex:
    """Cosine of sublinear TF-IDF n-gram vectors over a few thousand keys (the training memory's).

    >>> KeyIndex(["renal failure", "heart failure", "asthma"]).search("renal failur", 1)[0][0]
    'renal failure'
    """

    def __init__(self, keys: Sequence[str]):
        self.keys = list(keys)
        vocabulary: dict[str, int] = {}
        owners: list[int] = []
        features: list[int] = []
        for row, key in enumerate(self.keys):
            for feature in _features(key):
                owners.append(row)
                features.append(vocabulary.setdefault(feature, len(vocabulary)))
        self.vocabulary = vocabulary
        pairs, counts = np.unique(
            np.array(owners, dtype=np.int64) << 32 | np.array(features, dtype=np.int64), return_counts=True
        )
        rows, columns = pairs >> 32, pairs & 0xFFFFFFFF
        self.df = np.bincount(columns, minlength=len(vocabulary)).astype(np.float64)
        self.idf = np.log((1.0 + len(self.keys)) / (1.0 + self.df)) + 1.0
        self.max_idf_squared = float(self.idf.max()) ** 2 if len(self.idf) else 0.0
        values = (1.0 + np.log(counts)) * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(self.keys)))
        self.row_offsets = np.zeros(len(self.keys) + 1, dtype=np.int64)
        self.row_offsets[1:] = np.cumsum(np.bincount(rows, minlength=len(self.keys)))
        self.row_columns, self.row_values = columns, values / norms[rows]
        order = np.argsort(columns, kind="stable")
        self.column_rows = rows[order]
        self.column_offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        self.column_offsets[1:] = np.cumsum(self.df.astype(np.int64))
        self._dense = np.zeros(len(vocabulary), dtype=np.float64)

    def search(self, key: str, top: int, max_df: int = 5000, probe: int = 8) -> list[tuple[str, float]]:
        """The ``top`` keys most like ``key``, best first (candidates share one of its rarest n-grams)."""
        counts: dict[int, int] = defaultdict(int)
        unknown = 0
        for feature in _features(key):
            index = self.vocabulary.get(feature)
            if index is None:
                unknown += 1
            else:
                counts[index] += 1
        if not counts:
            return []
        columns = np.array(sorted(counts), dtype=np.int64)
        weights = (1.0 + np.log([counts[c] for c in columns.tolist()])) * self.idf[columns]
        weights /= math.sqrt(float(np.dot(weights, weights)) + unknown * self.max_idf_squared)
        df = self.df[columns]
        order = np.lexsort((columns, df))
        usable = order[df[order] <= max_df][:probe]
        if not len(usable):
            usable = order[:1]
        probes = columns[usable]
        positions, _ = ranges(self.column_offsets[probes], self.column_offsets[probes + 1])
        candidates = distinct(self.column_rows[positions])
        positions, owner = ranges(self.row_offsets[candidates], self.row_offsets[candidates + 1])
        dense = self._dense
        dense[columns] = weights
        try:
            cosines = np.bincount(
                owner,
                weights=dense[self.row_columns[positions]] * self.row_values[positions],
                minlength=len(candidates),
            )
        finally:
            dense[columns] = 0.0
        best = np.lexsort((candidates, -cosines))[:top]
        return [(self.keys[int(candidates[i])], float(cosines[i])) for i in best]


def _features(key: str) -> list[str]:
    out = []
    for word in key.split():
        out.extend(word_grams(word))
        out.append("#" + word)
    return out


@dataclass(frozen=True, slots=True)
class CandidateOptions:
    """How candidates are generated (shipped in the weights file: training and inference must agree).

    ``tf_top`` names from the fuzzy search (``rescore`` rescored exactly; query words whose similar words
    name more than ``max_df`` names only rescore); ancestors up to ``anc_depth`` levels; at most
    ``max_names`` names per concept compared with the mention; ``fmem_top`` similar training keys, from
    cosine ``fmem_min``.
    """

    tf_top: int = 10
    max_df: int = 5000
    rescore: int = 50
    anc_depth: int = 3
    max_names: int = 60
    fmem_top: int = 5
    fmem_min: float = 0.5

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


class Featuriser:
    """Candidates and features of mentions, given the candidate index and a training memory."""

    def __init__(
        self,
        index: CandidateIndex,
        memory: Memory,
        options: CandidateOptions | None = None,
        *,
        fuzzy_memory: dict[str, KeyIndex | None] | None = None,
    ):
        self.index = index
        self.memory = memory
        self.options = options or CandidateOptions()
        self._fuzzy_memory = fuzzy_memory if fuzzy_memory is not None else {}
        self._static: dict[tuple[str, str, str, bool], tuple[np.ndarray, np.ndarray]] = {}
        self._search: dict[tuple[str, str], list[tuple[int, float]]] = {}
        self._fmem_hits: dict[tuple[str, str], list[tuple[str, float]]] = {}
        self._ancestors: dict[int, dict[int, int]] = {}
        self._labels: dict[int, str] = {}

    # --- candidate sources ---------------------------------------------------------------------------

    def exact(self, key: str) -> dict[int, tuple[float, int, int, int, int]]:
        """concept -> (best kind weight, is a label, number of sources, from MeSH, from HPO)."""
        found: dict[int, list] = {}
        for concept, kind, source in self.index.exact(key):
            entry = found.get(concept)
            if entry is None:
                entry = found[concept] = [0.0, False, set()]
            entry[0] = max(entry[0], _KIND_WEIGHTS[kind])
            entry[1] = entry[1] or kind == _LABEL
            entry[2].add(source)
        return {
            c: (e[0], int(e[1]), len(e[2]), int(bool(e[2] & _MESH_SOURCES)), int(_HP_SOURCE in e[2]))
            for c, e in found.items()
        }

    def fuzzy_names(self, key: str, entity_type: str) -> list[tuple[int, float]]:
        """(concept, cosine) of the concepts behind the closest names of the type, best first."""
        cache_key = (key, entity_type)
        found = self._search.get(cache_key)
        if found is not None:
            return found
        code = TYPES.index(entity_type)
        options = self.options
        result: dict[int, float] = {}
        for key_id, score in self.index.search(
            key, entity_type, options.tf_top, rescore=options.rescore, max_df=options.max_df
        ):
            for concept in self.index.key_concepts(key_id, code):
                if concept not in result:
                    result[concept] = score
        found = sorted(result.items(), key=lambda item: (-item[1], item[0]))
        if len(self._search) > 500_000:
            self._search.clear()
        self._search[cache_key] = found
        return found

    def fuzzy_memory(self, key: str, entity_type: str) -> dict[int, tuple[float, float, int]]:
        """Concepts of the training keys most like ``key`` (itself excluded): concept -> (cosine, share of
        that key's annotations, count)."""
        if entity_type not in self._fuzzy_memory:
            keys = self.memory.keys(entity_type)
            self._fuzzy_memory[entity_type] = KeyIndex(keys) if keys else None
        key_index = self._fuzzy_memory[entity_type]
        if key_index is None:
            return {}
        hits = self._fmem_hits.get((key, entity_type))
        if hits is None:
            hits = key_index.search(key, self.options.fmem_top + 1)
            if len(self._fmem_hits) > 500_000:
                self._fmem_hits.clear()
            self._fmem_hits[(key, entity_type)] = hits
        result: dict[int, tuple[float, float, int]] = {}
        for other, cosine in hits:
            if other == key or cosine < self.options.fmem_min:
                continue
            counts = self.memory.get(entity_type, other)
            total = sum(counts.values())
            for concept, n in counts.items():
                if concept not in result or result[concept][0] < cosine:
                    result[concept] = (cosine, n / total, n)
        return result

    def ancestors(self, concept: int) -> dict[int, int]:
        """Nearest MeSH-bearing ancestors (a path stops climbing at the first) -> distance."""
        found = self._ancestors.get(concept)
        if found is not None:
            return found
        index = self.index
        result: dict[int, int] = {}
        frontier, seen = [concept], {concept}
        for distance in range(1, self.options.anc_depth + 1):
            following = []
            for node in frontier:
                for parent in index.parents_of(node):
                    if parent in seen:
                        continue
                    seen.add(parent)
                    if index.has_mesh(parent):
                        result.setdefault(parent, distance)
                    else:
                        following.append(parent)
            frontier = following
            if not frontier:
                break
        self._ancestors[concept] = result
        return result

    def label(self, concept: int) -> str:
        found = self._labels.get(concept)
        if found is None:
            record = self.index.lexicon.get_concept(self.index.lexicon.concept_id_at(concept))
            found = self._labels[concept] = record.label.lower() if record else ""
        return found

    def best_names(self, key: str, entity_type: str, concepts: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Per candidate concept: the best cosine of ``key`` with its names, and that name."""
        searcher = self.index.searcher(entity_type if entity_type in FUZZY_TYPES else FUZZY_TYPES[0])
        limit = self.options.max_names
        parts = [self.index.concept_keys(int(c))[:limit] for c in concepts]
        best = np.zeros(len(concepts), dtype=np.float32)
        names = [""] * len(concepts)
        sizes = np.array([len(p) for p in parts], dtype=np.int64)
        if key and sizes.sum():
            cosines = searcher.cosines(key, np.concatenate(parts).astype(np.int64))
            start = 0
            for i, size in enumerate(sizes.tolist()):
                if size:
                    chunk = cosines[start : start + size]
                    j = int(np.argmax(chunk))
                    if chunk[j] > 0:
                        best[i] = chunk[j]
                        names[i] = self.index.key_text(int(parts[i][j]))
                    start += size
        return best, [name or self.label(int(c)) for name, c in zip(names, concepts, strict=True)]

    # --- features ------------------------------------------------------------------------------------

    def document(self, mentions: Sequence[tuple[str, str, str, str]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Candidates (concept indexes) and feature rows of each of a document's mentions, each given as
        ``(text, key, entity type, long form's key or "")``."""
        support_exact: dict[int, set[str]] = defaultdict(set)
        support: dict[int, set[str]] = defaultdict(set)
        for _, key, entity_type, long_key in mentions:
            for k in (key, long_key):
                if not k:
                    continue
                for concept, _, _ in self.index.exact(k):
                    support_exact[concept].add(k)
                    support[concept].add(k)
                for concept in self.memory.get(entity_type, k):
                    support[concept].add(k)
        result = []
        for text, key, entity_type, long_key in mentions:
            concepts, rows = self.static(text, key, entity_type, long_key)
            if len(concepts):
                rows = rows.copy()
                own = {key, long_key}
                rows[:, F["doc_support"]] = [
                    len(s) - bool(s & own) if (s := support.get(c)) else 0 for c in concepts.tolist()
                ]
                rows[:, F["doc_support_ex"]] = [
                    len(s) - bool(s & own) if (s := support_exact.get(c)) else 0 for c in concepts.tolist()
                ]
            result.append((concepts, rows))
        return result

    def static(self, text: str, key: str, entity_type: str, long_key: str) -> tuple[np.ndarray, np.ndarray]:
        """Candidates and features without the document features (memoised)."""
        is_abbreviation = looks_like_abbreviation(text)
        cache_key = (entity_type, key, long_key, is_abbreviation)
        found = self._static.get(cache_key)
        if found is None:
            found = self._compute(entity_type, key, long_key, is_abbreviation)
            if len(self._static) > 300_000:
                self._static.clear()
            self._static[cache_key] = found
        return found

    def _compute(
        self, entity_type: str, key: str, long_key: str, is_abbreviation: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        index, memory = self.index, self.memory
        code = TYPES.index(entity_type)
        types = index.concept_type
        flags = index.concept_flags
        candidates: dict[int, dict[str, Any]] = defaultdict(dict)
        exact = self.exact(key) if key else {}
        exact_long = self.exact(long_key) if long_key else {}
        exact_typed = sum(1 for c in exact if types[c] == code)
        exact_long_typed = sum(1 for c in exact_long if types[c] == code)
        for c, value in exact.items():
            candidates[c]["ex"] = value
        for c, value in exact_long.items():
            candidates[c]["exl"] = value
        mem = memory.get(entity_type, key) if key else {}
        mem_long = memory.get(entity_type, long_key) if long_key else {}
        mem_total = sum(mem.values())
        mem_long_total = sum(mem_long.values())
        mem_top = max(mem.items(), key=lambda item: (item[1], -item[0]))[0] if mem else None
        for c, n in mem.items():
            candidates[c]["mem"] = n
        for c, n in mem_long.items():
            candidates[c]["meml"] = n
        if key and not mem:
            for c, similar in self.fuzzy_memory(key, entity_type).items():
                candidates[c]["fmem"] = similar
        # The name search only when no exact name or memory entry already offers a concept of the type
        # with a MeSH or OMIM ID (the IDs annotators use).
        offered = [c for c in (*exact, *exact_long, *mem, *mem_long) if types[c] == code]
        if entity_type in FUZZY_TYPES and not any(flags[c] & (MESH_D | MESH_C | OMIM) for c in offered):
            for k in (key, long_key):
                if k:
                    for rank, (c, _) in enumerate(self.fuzzy_names(k, entity_type)):
                        candidates[c].setdefault("tf_rank", rank)
        words = key.split()
        if len(words) > 1:
            n = len(words)
            for size in range(n - 1, 0, -1):
                for start in range(n - size + 1):
                    sub = " ".join(words[start : start + size])
                    if sub in STOP_WORDS:
                        continue
                    for c, _, _ in index.exact(sub):
                        if types[c] != code:
                            continue
                        entry = candidates[c]
                        coverage = size / n
                        if coverage > entry.get("sub_cov", 0):
                            entry["sub_cov"] = coverage
                            entry["sub_last"] = int(start + size == n)
        anchors = [
            c
            for c, e in candidates.items()
            if "ex" in e or "exl" in e or "mem" in e or e.get("tf_rank", 99) < 3 or e.get("sub_cov", 0) >= 0.5
        ]
        for anchor in anchors:
            from_exact = int("ex" in candidates[anchor] or "exl" in candidates[anchor])
            for parent, distance in self.ancestors(anchor).items():
                entry = candidates[parent]
                if distance < entry.get("anc_dist", 99):
                    entry["anc_dist"] = distance
                    entry["anc_from_ex"] = from_exact
        if not candidates:
            return NO_CANDIDATES
        concepts = np.array(sorted(candidates), dtype=np.int64)
        search_type = entity_type if entity_type in FUZZY_TYPES else FUZZY_TYPES[0]
        best, best_name = self.best_names(key, search_type, concepts)
        if long_key == key:
            best_long = best
        elif long_key:
            best_long = self.best_names(long_key, search_type, concepts)[0]
        else:
            best_long = np.zeros(len(concepts), dtype=np.float32)
        x = np.zeros((len(concepts), len(FEATURES)), dtype=np.float32)
        self._concept_features(concepts, x)
        x[:, F["type_match"]] = types[concepts] == code
        x[:, F["ex_ambig"]] = exact_typed
        x[:, F["exl_ambig"]] = exact_long_typed
        x[:, F["mem_total"]] = math.log1p(mem_total)
        x[:, F["mem_any_total"]] = math.log1p(mem_total + mem_long_total)
        x[:, F["tf_cos"]] = best
        x[:, F["tfl_cos"]] = best_long
        x[:, F["tok_m"]] = len(words)
        x[:, F["is_abbrev"]] = is_abbreviation
        x[:, F["has_long"]] = bool(long_key)
        x[:, F["m_len"]] = len(key)
        top = float(best.max())
        second = float(np.partition(best, -2)[-2]) if len(best) > 1 else 0.0
        x[:, F["tf_best_other"]] = np.where(best < top, top - best, best - second)
        mention_words = {w for w in words if w not in STOP_WORDS}
        last = words[-1:]
        for i, c in enumerate(concepts.tolist()):
            e = candidates[c]
            row = x[i]
            if "ex" in e:
                row[F["ex_any"]] = 1
                row[F["ex_kind"] : F["ex_hp_src"] + 1] = e["ex"]
            if "exl" in e:
                row[F["exl_any"]] = 1
                row[F["exl_kind"]] = e["exl"][0]
            if e.get("mem"):
                row[F["mem_cnt"]] = math.log1p(e["mem"])
                row[F["mem_share"]] = e["mem"] / mem_total
                row[F["mem_top"]] = c == mem_top
            if e.get("meml"):
                row[F["meml_cnt"]] = math.log1p(e["meml"])
                row[F["meml_share"]] = e["meml"] / mem_long_total
            if "fmem" in e:
                cosine, share, count = e["fmem"]
                row[F["fmem_cos"]], row[F["fmem_share"]], row[F["fmem_cnt"]] = (
                    cosine,
                    share,
                    math.log1p(count),
                )
            row[F["tf_rank"]] = min(e.get("tf_rank", 30), 30)
            name_words = best_name[i].split()
            name_set = {w for w in name_words if w not in STOP_WORDS}
            if mention_words or name_set:
                shared = len(mention_words & name_set)
                row[F["jacc"]] = shared / (len(mention_words | name_set) or 1)
                row[F["m_in_n"]] = bool(mention_words) and mention_words <= name_set
                row[F["n_in_m"]] = bool(name_set) and name_set <= mention_words
                row[F["extra_m"]] = len(mention_words) - shared
                row[F["extra_n"]] = len(name_set) - shared
            row[F["head_eq"]] = bool(last) and name_words[-1:] == last
            row[F["sub_cov"]] = e.get("sub_cov", 0)
            row[F["sub_last"]] = e.get("sub_last", 0)
            row[F["anc_dist"]] = e.get("anc_dist", 0)
            row[F["anc_from_ex"]] = e.get("anc_from_ex", 0)
            prior = memory.prior(entity_type, c)
            if prior:
                row[F["prior"]] = math.log1p(prior)
        return concepts, x

    def _concept_features(self, concepts: np.ndarray, x: np.ndarray) -> None:
        index = self.index
        arrays = index.arrays
        prefix = np.asarray(arrays["concept_prefix"])[concepts]
        flags = index.concept_flags[concepts]
        x[:, F["is_phenotype"]] = prefix == _PREFIX["HP"]
        x[:, F["is_drug"]] = np.isin(prefix, _DRUG_PREFIXES)
        x[:, F["mesh_d"]] = (flags & MESH_D) != 0
        x[:, F["mesh_c"]] = (flags & MESH_C) != 0
        x[:, F["omim"]] = (flags & OMIM) != 0
        x[:, F["n_xrefs"]] = np.log1p(np.asarray(arrays["concept_xrefs"])[concepts].astype(np.float32))
        x[:, F["depth"]] = np.asarray(arrays["concept_depth"])[concepts]
        x[:, F["n_children"]] = np.log1p(np.asarray(arrays["concept_children"])[concepts].astype(np.float32))
        x[:, F["n_names"]] = np.log1p(index.name_count(concepts))
        x[:, F["pfx_mesh"]] = prefix == _PREFIX["MESH"]
        x[:, F["pfx_mondo"]] = prefix == _PREFIX["MONDO"]
        x[:, F["pfx_hp"]] = prefix == _PREFIX["HP"]
        x[:, F["pfx_chebi"]] = prefix == _PREFIX["CHEBI"]
        x[:, F["pfx_other"]] = ~np.isin(prefix, _NAMED_PREFIXES)
