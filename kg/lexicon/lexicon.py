"""The lexicon at run time: names -> concepts, IDs -> concepts, hierarchy.

The shipped files (``ontologies/lexicon/*.tsv.gz``, built by :mod:`kg.lexicon.build`) are compiled once
per machine into a cache of memory-mapped tries (marisa-trie): one of the tokens every name is made of,
one of names as token-code strings (so a dictionary match is a prefix search over the text's tokens and
word boundaries are exact by construction), and ones for concepts and their IDs. Compiling takes ~20 s;
afterwards a process opens the lexicon in well under a second, holds little of it in RAM, and forked
workers share the mapped pages.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import marisa_trie
import numpy as np

from kg.atomic import publish_directory
from kg.categories import entity_type_of
from kg.errors import LexiconError
from kg.lexicon.kinds import SYMBOL_KINDS, NameKind
from kg.records import Concept
from kg.text import NORMALISATION_VERSION, tokenize, tokenize_columns

__all__ = [
    "Lexicon",
    "Posting",
    "default_lexicon_dir",
    "get_default_lexicon",
    "is_case_sensitive",
    "name_key",
]

COMPILE_VERSION = 8  # the mappings that joined each concept's IDs (7: species columns, blocked names)
# Files learned from training corpora (kg.lexicon.learn), applied when compiling.
LEARNED_FILES = ("corpus_names.tsv", "term_filter.tsv")
UNKNOWN_TOKEN = "\x01"
_CODE_OFFSET = 0x100
_SURROGATES = range(0xD800, 0xE000)
_FLAG_CASE_SENSITIVE = 1
# A name the learned term filter blocks for its concept's type: never matched in text (postings, lookup),
# kept for normalising mentions found otherwise (kg.normalise).
_FLAG_BLOCKED = 2
_POSTING = np.dtype(
    [("concept", "<i4"), ("kind", "u1"), ("source", "u1"), ("flags", "u1"), ("surface", "<i4")]
)


def _code(token_id: int) -> str:
    point = token_id + _CODE_OFFSET
    if point >= _SURROGATES.start:
        point += len(_SURROGATES)
    return chr(point)


def _token_id(code: str) -> int:
    point = ord(code)
    if point >= _SURROGATES.stop:
        point -= len(_SURROGATES)
    return point - _CODE_OFFSET


def default_lexicon_dir() -> Path:
    """``$KG_LEXICON`` if set, else the repository's ``ontologies/lexicon``."""
    if os.environ.get("KG_LEXICON"):
        return Path(os.environ["KG_LEXICON"])
    return Path(__file__).resolve().parents[2] / "ontologies" / "lexicon"


def cache_root() -> Path:
    """kg's per-machine folder: compiled lexicons, the normaliser's index, user vocabularies, helper
    virtualenvs (`KG_CACHE_DIR`, else `$XDG_CACHE_HOME/kg` or `~/.cache/kg`)."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


@dataclass(frozen=True, slots=True)
class Posting:
    """One name of one concept, as the matcher sees it."""

    concept_id: str
    kind: str  # label | synonym | symbol | alias | previous | name | entry
    source: str  # hgnc | mondo | mesh | ...
    case_sensitive_surface: str | None  # the exact spelling required, for short symbols


class Lexicon:
    """A compiled lexicon. Use :func:`get_default_lexicon` or ``Lexicon.open(directory)``."""

    def __init__(self, shipped: Path, compiled: Path):
        self.shipped = shipped
        self.compiled = compiled
        self.manifest = json.loads((shipped / "manifest.json").read_text(encoding="utf-8"))
        meta = json.loads((compiled / "meta.json").read_text(encoding="utf-8"))
        self._kinds: list[str] = meta["kinds"]
        self._sources: list[str] = meta["sources"]
        self.max_key_tokens: int = meta["max_key_tokens"]
        self._vocab_trie = marisa_trie.Trie()
        self._vocab_trie.mmap(str(compiled / "vocab.marisa"))
        self._keys = marisa_trie.Trie()
        self._keys.mmap(str(compiled / "keys.marisa"))
        self._ids = marisa_trie.Trie()
        self._ids.mmap(str(compiled / "ids.marisa"))
        self._concepts = marisa_trie.BytesTrie()
        self._concepts.mmap(str(compiled / "concepts.marisa"))
        self._xrefs = marisa_trie.BytesTrie()
        self._xrefs.mmap(str(compiled / "xrefs.marisa"))
        self._mappings = marisa_trie.BytesTrie()
        self._mappings.mmap(str(compiled / "mappings.marisa"))
        self._offsets = np.load(compiled / "offsets.npy", mmap_mode="r")
        self._postings = np.load(compiled / "postings.npy", mmap_mode="r")
        self._surfaces: list[str] | None = None
        self._codes: dict[str, str] | None = None
        self._postings_cache: dict[int, list[Posting]] = {}
        self._concept_cache: dict[str, Concept | None] = {}
        self.iter_prefixes_with_ids = self._keys.iter_prefixes_with_ids
        # token codes that begin at least one name: matching skips every other token at once
        self.starters = frozenset((compiled / "starters.txt").read_text(encoding="utf-8"))

    # --- opening -------------------------------------------------------------------------------------

    @classmethod
    def open(cls, directory: Path | str | None = None, *, cache: Path | str | None = None) -> Lexicon:
        """Open the lexicon shipped in ``directory``, compiling it into the cache first if needed."""
        shipped = Path(directory) if directory else default_lexicon_dir()
        compiled = Path(cache) if cache else cls.compiled_path(shipped)
        if not (compiled / "meta.json").exists():
            compile_lexicon(shipped, compiled)
        return cls(shipped, compiled)

    @classmethod
    def compiled_path(cls, directory: Path | str | None = None) -> Path:
        """Where the lexicon shipped in ``directory`` is (or will be) compiled on this machine."""
        shipped = Path(directory) if directory else default_lexicon_dir()
        manifest_path = shipped / "manifest.json"
        if not manifest_path.exists():
            raise LexiconError(
                f"no lexicon in {shipped} (manifest.json missing); build one with "
                "`kg lexicon build --sources DIR -o ontologies/lexicon`"
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        learned = [
            hashlib.sha256((shipped / name).read_bytes()).hexdigest() if (shipped / name).exists() else ""
            for name in LEARNED_FILES
        ]
        fingerprint = hashlib.sha256(
            json.dumps([manifest.get("files"), learned, COMPILE_VERSION, NORMALISATION_VERSION]).encode()
        ).hexdigest()[:16]
        return cache_root() / f"lexicon-{fingerprint}"

    @classmethod
    def is_compiled(cls, directory: Path | str | None = None) -> bool:
        """Whether opening the lexicon shipped in ``directory`` is quick (already compiled here)."""
        return (cls.compiled_path(directory) / "meta.json").exists()

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # Sent to another process (a Dask worker), a lexicon is opened there from the same shipped files
        # (compiled into that machine's cache if needed): its memory-mapped tries are not copied.
        return (Lexicon.open, (str(self.shipped),))

    # --- names ---------------------------------------------------------------------------------------

    def encode(self, norms: list[str]) -> str:
        """Token codes of normalised tokens, one character each (unknown tokens -> ``UNKNOWN_TOKEN``)."""
        if self._codes is None:
            self._codes = {token: _code(index) for token, index in self._vocab_trie.iteritems()}
        codes = self._codes
        return "".join([codes.get(norm, UNKNOWN_TOKEN) for norm in norms])

    def iter_prefix_matches(self, codes: str, start: int) -> Iterator[tuple[int, int]]:
        """``(number_of_tokens, key_id)`` of every name that matches the tokens from ``start``."""
        window = codes[start : start + self.max_key_tokens]
        for matched, key_id in self._keys.iter_prefixes_with_ids(window):
            yield len(matched), key_id

    def postings(self, key_id: int) -> list[Posting]:
        """The names (and their concepts) behind one matched key (memoised)."""
        cached = self._postings_cache.get(key_id)
        if cached is not None:
            return cached
        begin, end = int(self._offsets[key_id]), int(self._offsets[key_id + 1])
        result = []
        for row in self._postings[begin:end].tolist():
            concept, kind, source, flags, surface_index = row
            if flags & _FLAG_BLOCKED:
                continue
            surface = self._surface(surface_index) if flags & _FLAG_CASE_SENSITIVE else None
            result.append(
                Posting(self._ids.restore_key(concept), self._kinds[kind], self._sources[source], surface)
            )
        if len(self._postings_cache) > 200_000:
            self._postings_cache.clear()
        self._postings_cache[key_id] = result
        return result

    def lookup(self, name: str) -> list[Posting]:
        """Every concept a whole name matches exactly (after normalisation).

        >>> [p.concept_id for p in get_default_lexicon().lookup("IL-4")][:1]  # doctest: +SKIP
        ['NCBIGene:3565']
        """
        codes = self.encode([token.norm for token in tokenize(name)])
        if not codes or UNKNOWN_TOKEN in codes:
            return []
        key_id = self._keys.get(codes)
        return self.postings(key_id) if key_id is not None else []

    def _surface(self, index: int) -> str:
        if self._surfaces is None:
            self._surfaces = (self.compiled / "surfaces.txt").read_text(encoding="utf-8").split("\n")
        return self._surfaces[index]

    # --- the whole name table, for indexes derived from the lexicon (kg.normalise) ---------------------

    @property
    def name_kinds(self) -> list[str]:
        """The kinds of names, indexed by a posting's ``kind`` field (see :meth:`name_table`)."""
        return list(self._kinds)

    @property
    def name_sources(self) -> list[str]:
        """The sources of names, indexed by a posting's ``source`` field (see :meth:`name_table`)."""
        return list(self._sources)

    def name_table(self) -> tuple[np.ndarray, np.ndarray]:
        """``(offsets, postings)``: key ``k``'s postings are ``postings[offsets[k]:offsets[k + 1]]``, with
        the fields ``concept`` (see :meth:`concept_id_at`), ``kind``, ``source`` and ``flags`` (memory-mapped;
        names the term filter blocks included, see :meth:`is_blocked`)."""
        return self._offsets, self._postings

    @staticmethod
    def is_blocked(flags: np.ndarray) -> np.ndarray:
        """Which postings (by their ``flags``) the learned term filter keeps out of text matching."""
        return (np.asarray(flags) & _FLAG_BLOCKED) != 0

    def key_tokens(self) -> tuple[np.ndarray, np.ndarray]:
        """Every name key as token ids (see :meth:`token_at`): ``(tokens, offsets)``, key ``k``'s tokens being
        ``tokens[offsets[k]:offsets[k + 1]]``."""
        count = len(self._keys)
        strings = [""] * count
        for code_string, key_id in self._keys.iteritems():
            strings[key_id] = code_string
        points = np.frombuffer("".join(strings).encode("utf-32-le"), dtype="<u4").astype(np.int64)
        points -= np.where(points >= _SURROGATES.stop, _CODE_OFFSET + len(_SURROGATES), _CODE_OFFSET)
        offsets = np.zeros(count + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(code_string) for code_string in strings])
        return points, offsets

    def token_count(self) -> int:
        """How many distinct tokens names are made of."""
        return len(self._vocab_trie)

    def token_at(self, index: int) -> str:
        """The normalised token with this id."""
        return self._vocab_trie.restore_key(index)

    def get_token_id(self, token: str) -> int | None:
        """The id of a normalised token, or None when no name has it."""
        return self._vocab_trie.get(token)

    def get_key_id(self, name_key: str) -> int | None:
        """The id of a name key (normalised tokens joined by spaces, :func:`kg.text.key`), blocked names
        included, or None."""
        codes = self.encode(name_key.split())
        if not codes or UNKNOWN_TOKEN in codes:
            return None
        return self._keys.get(codes)

    def key_at(self, key_id: int) -> str:
        """The name key with this id (normalised tokens joined by spaces)."""
        return " ".join(
            self._vocab_trie.restore_key(_token_id(code)) for code in self._keys.restore_key(key_id)
        )

    def iter_concept_rows(self) -> Iterator[tuple[int, str, str, list[str], list[str]]]:
        """Every concept's index (see :meth:`concept_index`), ID, category, cross-references and parents,
        in the order of the concept store (without making :class:`Concept` records: a pass over all
        650,000 is a second)."""
        ids = self._ids
        for curie, row in self._concepts.iteritems():
            category, _, xrefs, parents, _ = row.decode("utf-8").split("\t", 4)
            yield ids[curie], curie, category, xrefs.split(), parents.split()

    def concept_index(self, curie: str) -> int | None:
        """The index of the concept with this ID or cross-reference (as in :meth:`name_table`), or None."""
        preferred = self.get_preferred_id(curie)
        return self._ids.get(preferred) if preferred else None

    def concept_id_at(self, index: int) -> str:
        """The preferred ID of the concept with this index."""
        return self._ids.restore_key(index)

    # --- concepts ------------------------------------------------------------------------------------

    def get_preferred_id(self, curie: str) -> str | None:
        """The concept ID for any of its IDs (``MESH:D003876`` -> ``MONDO:0004980``), or None."""
        values = self._xrefs.get(curie)
        return values[0].decode() if values else None

    def mappings(self, curie: str) -> list[tuple[str, str, str]]:
        """The mappings that made the IDs of this concept one (``subject, object, source``: a tree over
        its IDs, each edge named by the source that gave it), sorted."""
        preferred = self.get_preferred_id(curie)
        if not preferred:
            return []
        rows = sorted(value.decode("utf-8").split("\t") for value in self._mappings.get(preferred, []))
        return [(row[0], row[1], row[2]) for row in rows]

    def get_concept(self, curie: str) -> Concept | None:
        """The concept with this ID or cross-reference, or None (memoised)."""
        cache = self._concept_cache
        if curie in cache:
            return cache[curie]
        preferred = self.get_preferred_id(curie)
        concept = _parse_concept(preferred, self._concepts[preferred][0]) if preferred else None
        if len(cache) > 200_000:
            cache.clear()
        cache[curie] = concept
        return concept

    def iter_ancestors(self, curie: str) -> Iterator[str]:
        """Every superclass of a concept, up to the roots of its ontologies (each once)."""
        seen = {curie}
        start = self.get_concept(curie)
        stack = list(start.parents) if start else []
        while stack:
            parent = stack.pop()
            if parent in seen:
                continue
            seen.add(parent)
            yield parent
            concept = self.get_concept(parent)
            if concept:
                stack.extend(concept.parents)

    def __contains__(self, curie: str) -> bool:
        return self.get_preferred_id(curie) is not None

    def __len__(self) -> int:
        return len(self._ids)


@functools.lru_cache(maxsize=1 << 16)
def _parse_concept(curie: str, row: bytes) -> Concept:
    category, label, xrefs, parents, description, taxon, orthologs, synonyms = row.decode("utf-8").split("\t")
    return Concept(
        id=curie,
        label=label,
        category=category,
        xrefs=tuple(xrefs.split()),
        parents=tuple(parents.split()),
        synonyms=tuple(s for s in synonyms.split("|") if s),
        description=description,
        taxon=taxon,
        orthologs=tuple(orthologs.split()),
    )


_TRAILING_QUALIFIER = re.compile(r"\s+[(\[][^()\[\]]*[)\]]$")
_NOT_ALNUM = re.compile(r"[\W_]+")
_ASCII_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())


def is_case_sensitive(name: str, kind: str) -> bool:
    """Whether a name must match with its case: gene symbols up to 6 characters (or with capitals inside),
    any name of 3 characters or fewer, and short abbreviations with capitals ('CAT' the gene is not 'cat';
    'Mg' is not 'mg'; 'AD' is not 'ad').

    >>> is_case_sensitive("CAT", "symbol"), is_case_sensitive("AIDS", "synonym"), is_case_sensitive("Mg", "synonym")
    (True, True, True)
    >>> is_case_sensitive("asthma", "label"), is_case_sensitive("Asthma", "label")
    (False, False)
    """
    if name.isascii():  # the same letters as the expression below, five times faster
        letters = name.encode("ascii").translate(None, _ASCII_NOT_ALNUM).decode("ascii")
    else:
        letters = _NOT_ALNUM.sub("", name)
    if kind in SYMBOL_KINDS:
        return len(letters) <= 6 or not name.islower()
    if len(letters) <= 3:
        return True
    return len(letters) <= 5 and sum(c.isupper() for c in letters) >= 2


def _read_rows(path: Path) -> Iterator[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        yield from reader


def _type_of_category(category: str) -> str:
    entity_type = entity_type_of(category)
    return entity_type.value if entity_type else ""


def _read_filter(path: Path) -> set[tuple[str, str]]:
    if not path.exists():
        return set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader, None)
        return {(row[0], row[1]) for row in reader if len(row) >= 2}


def name_key(term: str) -> str:
    """The key a name is matched under: its normalised tokens, a trailing qualifier left out.

    >>> name_key("Myocardial Infarction (MI)"), name_key("TNF-α")
    ('myocardial infarction', 'tnf alpha')
    """
    term = _TRAILING_QUALIFIER.sub("", term) or term  # "Myocardial Infarction (MI)", "lead (element)"
    return " ".join(tokenize_columns(term)[0])


def _iter_terms(shipped: Path, precomputed: bool) -> Iterator[tuple[str, str, str, str, str]]:
    """The shipped names with their keys (computed by the build when it used this normalisation), then
    the names learned from training corpora."""
    for row in _read_rows(shipped / "terms.tsv.gz"):
        yield row[0], row[1], row[2], row[3], row[4] if precomputed else name_key(row[0])
    learned = shipped / "corpus_names.tsv"
    if learned.exists():
        with learned.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t")
            next(reader, None)
            for row in reader:
                if len(row) >= 2:
                    yield row[0], row[1], NameKind.CORPUS, NameKind.CORPUS, name_key(row[0])


def _save_concept_tries(
    rows: dict[str, list[str]], synonyms: dict[str, list[str]], shipped: Path, directory: Path
) -> None:
    """``concepts.marisa`` (each concept's fields and synonyms), ``xrefs.marisa`` (each ID and
    cross-reference to its concept) and ``mappings.marisa`` (each concept's mappings that joined its IDs,
    as ``subject, object, source``; empty for a lexicon built before they were kept)."""
    concepts = marisa_trie.BytesTrie(
        (cid, "\t".join([*row[1:8], "|".join(synonyms.get(cid, []))]).encode("utf-8"))
        for cid, row in rows.items()
    )
    concepts.save(str(directory / "concepts.marisa"))
    xrefs = marisa_trie.BytesTrie(
        [(cid, cid.encode()) for cid in rows]
        + [(xref, cid.encode()) for cid, row in rows.items() for xref in row[3].split() if xref not in rows]
    )
    xrefs.save(str(directory / "xrefs.marisa"))
    joins = shipped / "mappings.tsv.gz"
    mappings = marisa_trie.BytesTrie(
        (row[0], "\t".join(row[1:4]).encode("utf-8")) for row in (_read_rows(joins) if joins.exists() else ())
    )
    mappings.save(str(directory / "mappings.marisa"))


def _beside(work: Callable[[], None], parallel: bool) -> Callable[[], None]:
    """Start ``work`` in a forked process where there is a second core (the two concept tries take a
    quarter of the compile), else do it now; return what waits for it and raises if it failed."""
    if not parallel or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        work()
        return lambda: None
    process = multiprocessing.get_context("fork").Process(target=work, daemon=True)
    process.start()

    def wait() -> None:
        process.join()
        if process.exitcode != 0:
            raise LexiconError(
                f"compiling the lexicon failed (the concept tries' process ended {process.exitcode})"
            )

    return wait


def compile_lexicon(
    shipped: Path, compiled: Path, progress: Callable[[float], None] | None = None, *, parallel: bool = True
) -> None:
    """Compile the shipped TSV files into the memory-mapped form :class:`Lexicon` reads; ``progress`` is
    told the fraction done as it goes (about 20 s on two cores; ``parallel=False`` uses one)."""
    started = time.perf_counter()
    report = progress or (lambda fraction: None)
    manifest = json.loads((shipped / "manifest.json").read_text(encoding="utf-8"))
    total = manifest.get("terms") or 1
    precomputed = manifest.get("normalisation") == NORMALISATION_VERSION
    # id, category, label, xrefs, parents, description, taxon, orthologs (older lexicons lack the last two)
    rows = {row[0]: row + [""] * (8 - len(row)) for row in _read_rows(shipped / "concepts.tsv.gz")}
    ids = marisa_trie.Trie(rows)
    kinds: dict[str, int] = {}
    sources: dict[str, int] = {}
    by_key: dict[str, list[int]] = {}  # a name's key -> the indexes of its postings in the columns below
    columns = {name: array("l") for name in ("concept", "kind", "source", "flags", "surface")}
    concept_column, kind_column, source_column = columns["concept"], columns["kind"], columns["source"]
    flags_column, surface_column = columns["flags"], columns["surface"]
    synonyms: dict[str, list[str]] = {}
    surfaces: list[str] = []
    blocked = _read_filter(shipped / "term_filter.tsv")
    type_of = {category: _type_of_category(category) for category in {row[1] for row in rows.values()}}
    report(0.05)
    for number, (term, concept_id, kind, source, name) in enumerate(_iter_terms(shipped, precomputed)):
        if number % 100_000 == 0:
            report(0.05 + 0.5 * min(number / total, 1.0))
        row = rows.get(concept_id)
        if row is None or not name:
            continue
        if term[-1] in ")]":
            term = _TRAILING_QUALIFIER.sub("", term) or term
        is_blocked = bool(blocked) and (name, type_of[row[1]]) in blocked
        postings = by_key.get(name)
        if postings is None:
            postings = by_key[name] = []
        postings.append(len(concept_column))
        concept_column.append(ids[concept_id])
        kind_column.append(kinds.setdefault(kind, len(kinds)))
        source_column.append(sources.setdefault(source, len(sources)))
        blocked_flag = _FLAG_BLOCKED if is_blocked else 0
        if is_case_sensitive(term, kind):
            flags_column.append(_FLAG_CASE_SENSITIVE | blocked_flag)
            surface_column.append(len(surfaces))
            surfaces.append(term)
        else:
            flags_column.append(blocked_flag)
            surface_column.append(-1)
        if term != row[2] and not is_blocked:
            synonyms.setdefault(concept_id, []).append(term)

    report(0.55)
    temporary = Path(tempfile.mkdtemp(prefix=".compiling-", dir=_ensure_dir(compiled.parent)))
    try:
        tries_saved = _beside(
            functools.partial(_save_concept_tries, rows, synonyms, shipped, temporary), parallel
        )
        tokens = {token for name in by_key for token in name.split(" ")}
        vocab_trie = marisa_trie.Trie(tokens)
        codes = {token: _code(vocab_trie[token]) for token in tokens}
        encoded = {
            "".join([codes[t] for t in name.split(" ")]): postings for name, postings in by_key.items()
        }
        keys = marisa_trie.Trie(encoded)
        order = [""] * len(keys)  # the keys in the trie's order
        for key, number in keys.items():
            order[number] = key
        counts = np.fromiter((len(encoded[k]) for k in order), dtype="<i8", count=len(order))
        offsets = np.zeros(len(keys) + 1, dtype="<i8")
        offsets[1:] = np.cumsum(counts)
        index = np.fromiter(
            itertools.chain.from_iterable(encoded[k] for k in order), dtype=np.int64, count=int(offsets[-1])
        )
        flat = np.empty(len(index), dtype=_POSTING)
        for field_name, column in columns.items():
            flat[field_name] = np.frombuffer(column, dtype=np.int_)[index]
        # Names only normalisation uses (every posting blocked) neither start nor lengthen text matches.
        matched = [k for k, p in encoded.items() if any(not flags_column[i] & _FLAG_BLOCKED for i in p)]
        (temporary / "starters.txt").write_text("".join(sorted({k[0] for k in matched})), encoding="utf-8")
        vocab_trie.save(str(temporary / "vocab.marisa"))
        keys.save(str(temporary / "keys.marisa"))
        ids.save(str(temporary / "ids.marisa"))
        np.save(temporary / "offsets.npy", offsets)
        np.save(temporary / "postings.npy", flat)
        (temporary / "surfaces.txt").write_text("\n".join(surfaces), encoding="utf-8")
        report(0.9)
        tries_saved()
        meta = {
            "kinds": sorted(kinds, key=kinds.__getitem__),
            "sources": sorted(sources, key=sources.__getitem__),
            "max_key_tokens": max(len(k) for k in matched),
            "compiled_from": str(shipped),
            "seconds": round(time.perf_counter() - started, 1),
        }
        (temporary / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        report(1.0)
        publish_directory(temporary, compiled)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@functools.cache
def get_default_lexicon() -> Lexicon:
    """The lexicon shipped with `kg` (compiled on first use), shared by the whole process."""
    return Lexicon.open()
