"""Choose the concepts of a document's disease and chemical mentions: rank candidates, split composite
mentions, keep a document consistent, and abstain (NIL) below the learned threshold.

:func:`normalise_mentions` is what the per-document pipeline calls: it takes kg :class:`~kg.records.Mention`
records (recognised or gold spans) and gives one :class:`Normalisation` per Disease or Chemical mention.

* **ranking**: every candidate (:mod:`kg.normalise.features`) is scored by the learned trees
  (:mod:`kg.normalise.model`), a document's candidates in one batch;
* **composite mentions**: a name annotators gave several concepts in training ("breast and ovarian cancer")
  takes them from the composite memory; otherwise a coordinated mention whose whole text is no known name is
  read as its conjuncts ("breast and ovarian cancers" -> breast cancers, ovarian cancers), one concept each,
  when every conjunct scores well enough;
* **document consistency**: mentions with one key (or abbreviations with one long form) get one concept,
  the one with the highest summed probability over them;
* **contradicting modifiers**: a disease mention is not given a concept whose names carry a modifier that
  makes another disease ("acquired" against *familial reactive perforating collagenosis*); the next
  candidate stands in, if any (:func:`contradicts`);
* **NIL**: a concept scoring below the model's threshold is dropped; a mention left with none is NIL (the
  caller makes it a local concept).

>>> normaliser = Normaliser(get_default_lexicon(), Models.load().normaliser)  # doctest: +SKIP
>>> [n.concept_ids for n in normalise_mentions(normaliser, document, mentions)]  # doctest: +SKIP
[('MESH:D001145',), ('MESH:D001943', 'MESH:D010051'), ()]
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kg.abbreviations import find_abbreviations
from kg.lexicon import Lexicon
from kg.normalise.features import CandidateOptions, F, Featuriser, Memory
from kg.normalise.index import CandidateIndex
from kg.normalise.model import NormaliserModel
from kg.records import Document, EntityType, Mention
from kg.text import key as _key

__all__ = [
    "NORMALISED_TYPES",
    "CompositeMemory",
    "Normalisation",
    "Normaliser",
    "ShippedMemory",
    "contradicts",
    "expansions",
    "find_long_forms",
    "normalise_mentions",
    "surface",
]

NORMALISED_TYPES = (EntityType.DISEASE, EntityType.CHEMICAL)
MEMORY_SCORE = 5.0  # the score of a composite taken from the training memory (above any NIL threshold)
COMPOSITE_MIN_SCORE = 0.5  # every conjunct of an expanded composite must score this much
TOP_CANDIDATES = 10  # candidates kept on a Normalisation
_SPLIT = re.compile(r"\s*,\s*(?:and/or|and|or)\s+|\s*,\s*|\s+(?:and/or|and|or|&|to)\s+|\s*/\s*")
_COORDINATED = re.compile(r",|/|&|\b(?:and|or)\b")
_AFTER_SHORT = frozenset(")]:,; ")
# Modifiers that make another disease, each with those it excludes ("acquired" vs "familial" reactive
# perforating collagenosis; "primary" vs "secondary" hypertension).
_INHERITED = frozenset({"familial", "hereditary", "inherited", "congenital", "genetic", "hereditable"})
_OPPOSITES: dict[str, frozenset[str]] = {
    "acquired": _INHERITED,
    **{word: frozenset({"acquired", "sporadic"}) for word in _INHERITED if word != "congenital"},
    "congenital": frozenset({"acquired"}),
    "sporadic": _INHERITED - {"congenital"},
    "primary": frozenset({"secondary"}),
    "secondary": frozenset({"primary"}),
    "benign": frozenset({"malignant"}),
    "malignant": frozenset({"benign"}),
}
_WORD = re.compile(r"[a-z]+")

text_key = functools.lru_cache(maxsize=1 << 18)(_key)

Chosen = list[tuple[int, float, str]]  # (concept index, score, conjunct text or "")
Ranked = list[tuple[int, float]]


@dataclass(frozen=True, slots=True)
class Normalisation:
    """What the normaliser chose for one mention.

    ``concept_ids`` are the chosen concepts (none when NIL, several for a composite mention), with their
    ``scores``; ``parts`` name the conjunct each concept was chosen for when a coordinated mention was split
    ("breast cancers", "ovarian cancers"; empty otherwise); ``candidates`` are the mention's best-ranked
    concepts with their scores, also when NIL (e.g. for a local concept's nearest ontology concept);
    ``long_form`` is the document's definition of the mention when it is an abbreviation.
    """

    mention: Mention
    concept_ids: tuple[str, ...]
    scores: tuple[float, ...]
    candidates: tuple[tuple[str, float], ...]
    parts: tuple[str, ...] = ()
    long_form: str | None = None

    @property
    def is_nil(self) -> bool:
        """No concept scored above the threshold: the mention names something the lexicon lacks."""
        return not self.concept_ids

    @property
    def is_composite(self) -> bool:
        return len(self.concept_ids) > 1

    @property
    def concept_id(self) -> str | None:
        """The (first) chosen concept, or None when NIL."""
        return self.concept_ids[0] if self.concept_ids else None


def _modifiers(text: str) -> set[str]:
    """The words of ``text`` that :data:`_OPPOSITES` knows ("acquired", "familial"...)."""
    return {w for w in _WORD.findall(text.lower()) if w in _OPPOSITES}


def contradicts(text: str, names: Sequence[str]) -> bool:
    """Whether a mention's modifier excludes a concept known by ``names``: one of them carries an opposite
    modifier and none carries the mention's own.

    >>> contradicts("acquired perforating collagenosis", ["familial perforating collagenosis"])
    True
    >>> contradicts("acquired RPC", ["reactive perforating collagenosis", "familial RPC"])
    True
    >>> contradicts("acquired aplastic anemia", ["aplastic anemia", "acquired aplastic anaemia"])
    False
    >>> contradicts("reactive perforating collagenosis", ["familial reactive perforating collagenosis"])
    False
    """
    own = _modifiers(text)
    if not own:
        return False
    words = [set(_WORD.findall(name.lower())) for name in names]
    if any(own & name for name in words):
        return False
    excluded = frozenset().union(*(_OPPOSITES[w] for w in own))
    return any(excluded & name for name in words)


def surface(text: str) -> str:
    """A mention's text as the composite memory knows it: lower case, single spaces (plurals kept: "breast
    and ovarian cancers" is two diseases more often than "breast and ovarian cancer" is).

    >>> surface("Breast and  ovarian Cancers")
    'breast and ovarian cancers'
    """
    return " ".join(text.lower().split())


class CompositeMemory:
    """Names annotators gave several concepts (or coordinated names they gave one): by the text as written
    (see :func:`surface`), else by its key (all spellings with that key pooled)."""

    def __init__(self, by_surface: Mapping[tuple[str, str], Counter[tuple[int, ...]]]):
        self.by_surface = dict(by_surface)
        self.by_key: dict[tuple[str, str], Counter[tuple[int, ...]]] = defaultdict(Counter)
        for (entity_type, text), options in sorted(self.by_surface.items()):
            self.by_key[(entity_type, text_key(text))].update(options)

    def get(
        self, entity_type: str, text: str, key: str, long_key: str = ""
    ) -> Counter[tuple[int, ...]] | None:
        """The concept sets annotators gave this mention's text (or key, or long form's key), with counts."""
        return (
            self.by_surface.get((entity_type, surface(text)))
            or self.by_key.get((entity_type, key))
            or (self.by_key.get((entity_type, long_key)) if long_key else None)
        )


class ShippedMemory:
    """The training memory and concept priors of a weights file, as concept indexes of one lexicon."""

    def __init__(self, model: NormaliserModel, lexicon: Lexicon):
        index_of = functools.lru_cache(maxsize=None)(lexicon.concept_index)
        self._memory: dict[tuple[str, str], dict[int, int]] = {}
        for entity_type, memory in model.memory.items():
            for key, counts in memory.items():
                mapped: Counter[int] = Counter()
                for curie, n in counts.items():
                    concept = index_of(curie)
                    if concept is not None:
                        mapped[concept] += n
                if mapped:
                    # keyed again as this version of kg keys names ("haemorrhage" is "hemorrhage" now)
                    pooled = self._memory.setdefault((entity_type, text_key(key)), {})
                    for concept, n in mapped.items():
                        pooled[concept] = pooled.get(concept, 0) + n
        self._priors: dict[tuple[str, int], int] = {}
        for entity_type, priors in model.priors.items():
            for curie, n in priors.items():
                concept = index_of(curie)
                if concept is not None:
                    self._priors[(entity_type, concept)] = self._priors.get((entity_type, concept), 0) + n
        self._keys = {
            t: sorted(k for (kt, k) in self._memory if kt == t) for t in {t for t, _ in self._memory}
        }
        by_surface: dict[tuple[str, str], Counter[tuple[int, ...]]] = {}
        for entity_type, composites in model.composites.items():
            for text, entries in composites.items():
                options: Counter[tuple[int, ...]] = Counter()
                for ids, n in entries:
                    concepts = [index_of(curie) for curie in ids]
                    if all(c is not None for c in concepts):
                        options[tuple(sorted({c for c in concepts if c is not None}))] += n
                if options:
                    by_surface[(entity_type, text)] = options
        self.composites = CompositeMemory(by_surface)

    def get(self, entity_type: str, key: str) -> Mapping[int, int]:
        return self._memory.get((entity_type, key), {})

    def prior(self, entity_type: str, concept: int) -> int:
        return self._priors.get((entity_type, concept), 0)

    def keys(self, entity_type: str) -> Sequence[str]:
        return self._keys.get(entity_type, [])


class Normaliser:
    """A lexicon, its candidate index and the learned weights: normalises mentions document by document.

    The candidate index is opened (built on this machine's first use, see
    :meth:`kg.normalise.index.CandidateIndex.open`) when the first document is normalised.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        model: NormaliserModel,
        *,
        index: CandidateIndex | None = None,
        memory: Memory | None = None,
        composites: CompositeMemory | None = None,
        score: Callable[[np.ndarray], np.ndarray] | None = None,
    ):
        self.lexicon = lexicon
        self.model = model
        self.nil_threshold: float | None = model.nil_threshold
        self._index = index
        self._memory = memory
        self._composites = composites
        self._score = score or model.trees.raw_scores
        self._featuriser: Featuriser | None = None

    @property
    def index(self) -> CandidateIndex:
        if self._index is None:
            self._index = CandidateIndex.open(self.lexicon)
        return self._index

    def _load_memory(self) -> tuple[Memory, CompositeMemory]:
        """The training memory and composite memory (the weights file's, unless given)."""
        if self._memory is None or self._composites is None:
            shipped = ShippedMemory(self.model, self.lexicon)
            self._memory = self._memory or shipped
            self._composites = self._composites or shipped.composites
        return self._memory, self._composites

    @property
    def featuriser(self) -> Featuriser:
        if self._featuriser is None:
            memory, _ = self._load_memory()
            options = CandidateOptions(**self.model.options)  # type: ignore[arg-type]
            self._featuriser = Featuriser(self.index, memory, options)
        return self._featuriser

    @property
    def composites(self) -> CompositeMemory:
        return self._load_memory()[1]

    def rank(self, concepts: np.ndarray, rows: np.ndarray) -> Ranked:
        if not len(concepts):
            return []
        scores = self._score(rows)
        order = np.argsort(-scores, kind="stable")
        return [(int(concepts[i]), float(scores[i])) for i in order]

    def normalise(
        self, mentions: Sequence[tuple[str, str, str | None]], *, abstain: bool = True
    ) -> list[tuple[Chosen, Ranked]]:
        """The concepts of a document's mentions, given as ``(text, type, long form or None)``: per mention
        the chosen ``(concept index, score, conjunct)`` (none: NIL, only when ``abstain``) and every
        candidate ranked."""
        featuriser = self.featuriser
        keys = [text_key(text) for text, _, _ in mentions]
        long_keys = [text_key(long) if long else "" for _, _, long in mentions]
        features = featuriser.document(
            [(text, k, t, lk) for (text, t, _), k, lk in zip(mentions, keys, long_keys, strict=True)]
        )
        sizes = [len(c) for c, _ in features]
        scores = self._score(np.concatenate([x for _, x in features])) if sum(sizes) else np.zeros(0)
        ranked: list[Ranked] = []
        position = 0
        for (concepts, _), size in zip(features, sizes, strict=True):
            own = scores[position : position + size]
            position += size
            order = np.argsort(-own, kind="stable")
            ranked.append([(int(concepts[i]), float(own[i])) for i in order])
        chosen: list[Chosen] = [[(c, s, "") for c, s in r[:1]] for r in ranked]
        for i, (text, entity_type, _) in enumerate(mentions):
            parts = self._composite(text, entity_type, keys[i], long_keys[i], ranked[i], features[i])
            if parts:
                chosen[i] = parts
        # One concept per key (or per long form of an abbreviation) in a document.
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, (_, entity_type, _) in enumerate(mentions):
            groups[(entity_type, long_keys[i] or keys[i])].append(i)
        for members in groups.values():
            if len(members) < 2 or any(len(chosen[i]) != 1 for i in members):
                continue
            total: dict[int, float] = defaultdict(float)
            for i in members:
                for concept, score in ranked[i][:5]:
                    total[concept] += 1.0 / (1.0 + math.exp(-score))
            best = max(total.items(), key=lambda item: (item[1], -item[0]))[0]
            for i in members:
                kept = dict(ranked[i]).get(best)
                if kept is not None:
                    chosen[i] = [(best, kept, "")]
        for i, (text, entity_type, _) in enumerate(mentions):
            if entity_type != EntityType.DISEASE.value or len(chosen[i]) != 1:
                continue
            if _modifiers(text) and self._contradicted(text, chosen[i][0][0]):
                standing = [(c, s, "") for c, s in ranked[i] if not self._contradicted(text, c)]
                chosen[i] = standing[:1]
        threshold = self.nil_threshold
        if abstain and threshold is not None:
            chosen = [[c for c in entry if c[1] >= threshold] for entry in chosen]
            chosen = [entry if len(entry) != 1 else [(entry[0][0], entry[0][1], "")] for entry in chosen]
        return list(zip(chosen, ranked, strict=True))

    def _contradicted(self, text: str, concept: int) -> bool:
        found = self.lexicon.get_concept(self.lexicon.concept_id_at(concept))
        return found is not None and contradicts(text, [found.label, *found.synonyms])

    def _composite(
        self,
        text: str,
        entity_type: str,
        key: str,
        long_key: str,
        ranked: Ranked,
        features: tuple[np.ndarray, np.ndarray],
    ) -> Chosen | None:
        """A composite mention's concepts, or None to keep the single best concept."""
        memory = self.composites.get(entity_type, text, key, long_key)
        if memory:
            best, n = max(memory.items(), key=lambda item: (item[1], [-c for c in item[0]]))
            if len(best) > 1 and n / sum(memory.values()) >= 0.5:
                return [(c, MEMORY_SCORE, "") for c in best]
            if len(best) == 1 and n >= 2:
                return None
        if not _COORDINATED.search(text):
            return None
        concepts, rows = features
        whole = -10.0
        if ranked:
            top = int(np.flatnonzero(concepts == ranked[0][0])[0])
            if rows[top, F["ex_any"]] or rows[top, F["mem_share"]] >= 0.5:
                return None  # the whole mention is a known name
            whole = ranked[0][1]
        best_option: Chosen | None = None
        best_score = -1e9
        for option in expansions(text):
            if len(option) < 2:
                continue
            picked: Chosen = []
            for part in option:
                found = self.rank(*self.featuriser.static(part, text_key(part), entity_type, ""))
                if not found:
                    break
                picked.append((found[0][0], found[0][1], part))
            if len(picked) == len(option):
                score = min(s for _, s, _ in picked)
                if score > best_score:
                    best_option, best_score = picked, score
        if best_option is None or best_score < COMPOSITE_MIN_SCORE or best_score < whole:
            return None
        distinct: Chosen = []
        for concept, score, part in best_option:
            if all(concept != c for c, _, _ in distinct):
                distinct.append((concept, score, part))
        return distinct if len(distinct) > 1 else None


def expansions(text: str) -> list[list[str]]:
    """Ways to read a coordinated mention as several names: plain parts, a shared head, a shared modifier.

    >>> expansions("breast and ovarian cancers")
    [['breast', 'ovarian cancers'], ['breast cancers', 'ovarian cancers']]
    >>> expansions("deficiency of C6 and C7")[-1]
    ['deficiency of C6', 'deficiency of C7']
    """
    parts = [p for p in _SPLIT.split(text.strip()) if p and p.lower() not in ("and", "or")]
    if len(parts) < 2:
        return []
    options = [parts]
    last, first = parts[-1].split(), parts[0].split()
    for j in range(1, len(last)):
        head = " ".join(last[j:])
        options.append([f"{p} {head}" for p in parts[:-1]] + [parts[-1]])
    for j in range(1, len(first)):
        modifier = " ".join(first[:j])
        options.append([parts[0]] + [f"{modifier} {p}" for p in parts[1:]])
    return options


def find_long_forms(document: Document, mentions: Sequence[Mention]) -> list[str | None]:
    """The long form of each mention that is a short form the document defines: Schwartz-Hearst
    definitions (:mod:`kg.abbreviations`), and a mention right after another of its type in parentheses
    ("phenobarbital (PB: ...", "phlorizin (P)"), which wins.

    >>> from kg.records import Passage
    >>> doc = Document("PMID:1", "t", (Passage("abstract", 0, "Phlorizin (P) and P again."),))
    >>> ms = [Mention(0, 9, "Phlorizin", EntityType.CHEMICAL), Mention(11, 12, "P", EntityType.CHEMICAL),
    ...       Mention(18, 19, "P", EntityType.CHEMICAL)]
    >>> find_long_forms(doc, ms)
    [None, 'Phlorizin', 'Phlorizin']
    """
    defined: dict[str, str] = {}
    for each in document.passages:
        for abbreviation in find_abbreviations(each.text):
            defined.setdefault(abbreviation.short, abbreviation.long)
    by_start = {m.start: m for m in mentions}
    paired: dict[str, str] = {}
    for mention in mentions:
        passage = next(
            (p for p in document.passages if p.offset <= mention.start and mention.end <= p.end), None
        )
        if passage is None:
            continue
        text, offset = passage.text, passage.offset
        rest = text[mention.end - offset : mention.end - offset + 2]
        gap = 2 if rest.startswith(" (") else 1 if rest.startswith("(") else 0
        if not gap:
            continue
        short = by_start.get(mention.end + gap)
        if short is None:
            continue
        after = text[short.end - offset : short.end - offset + 1]
        if (
            short.type == mention.type
            and len(short.text) <= 12
            and len(short.text) < len(mention.text)
            and len(short.text.split()) <= 2
            and (after in _AFTER_SHORT or after == "")
        ):
            paired.setdefault(short.text, mention.text)
    defined.update(paired)
    return [defined.get(m.text) for m in mentions]


def normalise_mentions(
    normaliser: Normaliser, document: Document, mentions: Sequence[Mention], *, abstain: bool = True
) -> list[Normalisation]:
    """Normalise the Disease and Chemical mentions of one document (others are left out), in their order.

    The document supplies the abbreviations it defines; all its mentions (of any type) are what a short form
    in parentheses may follow. Without ``abstain`` no mention is NIL (the best candidate is always taken).
    """
    wanted = [m for m in mentions if m.type in NORMALISED_TYPES]
    if not wanted:
        return []
    long_forms = find_long_forms(document, mentions)
    long_of = {id(m): lf for m, lf in zip(mentions, long_forms, strict=True)}
    results = normaliser.normalise([(m.text, m.type.value, long_of[id(m)]) for m in wanted], abstain=abstain)
    concept_id = normaliser.lexicon.concept_id_at
    normalisations = []
    for mention, (chosen, ranked) in zip(wanted, results, strict=True):
        normalisations.append(
            Normalisation(
                mention=mention,
                concept_ids=tuple(concept_id(c) for c, _, _ in chosen),
                scores=tuple(round(s, 4) for _, s, _ in chosen),
                candidates=tuple((concept_id(c), round(s, 4)) for c, s in ranked[:TOP_CANDIDATES]),
                parts=tuple(p for _, _, p in chosen) if any(p for _, _, p in chosen) else (),
                long_form=long_of[id(mention)],
            )
        )
    return normalisations
