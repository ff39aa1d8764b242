"""Find mentions of genes, diseases and chemicals in a document's text.

Dictionary matching over the lexicon's token tries: every span of tokens that equals a known name is a
candidate; short symbols must also match in case; overlapping candidates resolve leftmost-longest.
Names the document itself supplies (its own annotations, see :mod:`kg.ground`) extend the dictionary for
that document. Abbreviations the document defines ("... collagenosis (ARPC)") make later uses of the short
form mentions of the long form's concept, and override what the lexicon says the short form means.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from kg.abbreviations import find_abbreviations
from kg.biolink import Category
from kg.lexicon import Lexicon, Posting
from kg.records import Document, EntityType, Mention
from kg.text import GREEK_NAMES, tokenize, tokenize_columns

__all__ = ["DocumentNames", "entity_type_of", "find_mentions"]

_ENTITY_TYPES = {
    Category.GENE: EntityType.GENE,
    Category.GENE_FAMILY: EntityType.GENE,
    Category.PROTEIN: EntityType.GENE,
    Category.DISEASE: EntityType.DISEASE,
    Category.PHENOTYPIC_FEATURE: EntityType.DISEASE,
    Category.CHEMICAL_ENTITY: EntityType.CHEMICAL,
    Category.SMALL_MOLECULE: EntityType.CHEMICAL,
    Category.DRUG: EntityType.CHEMICAL,
}
# How much a matched name says about its concept, by the kind of name it is.
_KIND_WEIGHT = {
    "symbol": 1.0,
    "label": 1.0,
    "name": 0.9,
    "corpus": 0.85,
    "entry": 0.85,
    "synonym": 0.8,
    "alias": 0.75,
    "previous": 0.6,
}
_NOT_ALNUM = re.compile(r"[\W_]+")


def entity_type_of(category: str) -> EntityType | None:
    """The PubTator entity type of a Biolink category, or None for categories `kg` does not tag."""
    try:
        return _ENTITY_TYPES.get(Category(category))
    except ValueError:
        return None


@dataclass
class DocumentNames:
    """Names valid in one document only: token tuple -> (concept id, entity type, method)."""

    names: dict[tuple[str, ...], tuple[str, EntityType, str]] = field(default_factory=dict)

    def add(self, name: str, concept_id: str, entity_type: EntityType, method: str) -> None:
        norms = tuple(token.norm for token in tokenize(name))
        if norms and norms not in self.names:
            self.names[norms] = (concept_id, entity_type, method)

    @property
    def lengths(self) -> list[int]:
        return sorted({len(k) for k in self.names}, reverse=True)


class _Candidate(NamedTuple):
    first: int  # token indexes, end exclusive
    last: int
    concepts: tuple[tuple[str, float], ...]  # (concept id, score), best first
    entity_type: EntityType
    method: str


_SYMBOL_KINDS = {"symbol", "alias", "previous"}


def _case_matches(text: str, surface: str, kind: str) -> bool:
    """Whether ``text`` spells a case-sensitive name right. Gene symbols also match in another case as
    long as the text has a capital (mouse ``Bax`` is ``BAX``; ``bax`` is not), other names exactly."""

    def letters(value: str) -> str:
        return _NOT_ALNUM.sub("", "".join(GREEK_NAMES.get(c, c) for c in value))

    written, wanted = letters(text), letters(surface)
    if written == wanted:
        return True
    return kind in _SYMBOL_KINDS and written.upper() == wanted.upper() and any(c.isupper() for c in written)


def _rank(postings: list[Posting], text: str, lexicon: Lexicon) -> list[tuple[str, float]]:
    """Concepts behind the postings that survive the case check, best first, with a score in (0, 1].

    A concept scores by the best kind of name that matched, plus a little for each further source that
    lists the name; a name learned from annotated corpora (kind ``corpus``) settles ambiguities.
    """
    weights: dict[str, float] = defaultdict(float)
    sources: dict[str, set[str]] = defaultdict(set)
    for posting in postings:
        surface = posting.case_sensitive_surface
        if surface is not None and not _case_matches(text, surface, posting.kind):
            continue
        weights[posting.concept_id] = max(weights[posting.concept_id], _KIND_WEIGHT.get(posting.kind, 0.7))
        sources[posting.concept_id].add(posting.source)
    raw = {
        cid: w + 0.05 * min(len(sources[cid]) - 1, 3) + (0.3 if "corpus" in sources[cid] else 0.0)
        for cid, w in weights.items()
    }
    if len(raw) > 1:  # ties go to the better-attested concept (more cross-references)
        attested = {cid: len(c.xrefs) if (c := lexicon.get_concept(cid)) else 0 for cid in raw}
        order = sorted(raw, key=lambda cid: (-raw[cid], -attested[cid], cid))
    else:
        order = list(raw)
    return [(cid, round(min(1.0, raw[cid]), 3)) for cid in order]


def _type_of(concept_id: str, lexicon: Lexicon) -> EntityType | None:
    concept = lexicon.get_concept(concept_id)
    return entity_type_of(concept.category) if concept else None  # get_concept is memoised


def _lexicon_candidate(
    lexicon: Lexicon, key_id: int, span: str
) -> tuple[tuple[tuple[str, float], ...], EntityType] | None:
    """Ranked concepts (of the best type) for one matched name as written; memoised per lexicon."""
    cache = lexicon.match_cache
    found = cache.get((key_id, span), cache)
    if found is not cache:
        return found  # type: ignore[return-value]
    ranked = _rank(lexicon.postings(key_id), span, lexicon)
    typed = [(cid, score, etype) for cid, score in ranked if (etype := _type_of(cid, lexicon)) is not None]
    result = None
    if typed:
        best_type = typed[0][2]
        result = (tuple((cid, score) for cid, score, etype in typed if etype == best_type), best_type)
    if len(cache) > 500_000:
        cache.clear()
    cache[(key_id, span)] = result
    return result


def _passage_candidates(
    text: str, columns: tuple[list[str], list[int], list[int]], lexicon: Lexicon, names: DocumentNames
) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    norms, starts, ends = columns
    codes = lexicon.encode(norms)
    width = lexicon.max_key_tokens
    prefixes = lexicon.iter_prefixes_with_ids
    lengths = names.lengths
    starters = lexicon.starters
    for first, code in enumerate(codes):
        if code in starters:
            for matched, key_id in prefixes(codes[first : first + width]):
                last = first + len(matched)
                span = text[starts[first] : ends[last - 1]]
                if ("(" in span or "[" in span or ")" in span or "]" in span) and (
                    span.count("(") != span.count(")") or span.count("[") != span.count("]")
                ):
                    continue  # "myocardial infarction (MI" is not a name
                found = _lexicon_candidate(lexicon, key_id, span)
                if found:
                    candidates.append(_Candidate(first, last, found[0], found[1], "dictionary"))
        for length in lengths:
            if first + length <= len(norms):
                named = names.names.get(tuple(norms[first : first + length]))
                if named:
                    concept_id, entity_type, method = named
                    candidates.append(
                        _Candidate(first, first + length, ((concept_id, 1.0),), entity_type, method)
                    )
    return candidates


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Leftmost-longest, non-overlapping; document names win ties over the general dictionary."""
    ordered = sorted(candidates, key=lambda c: (-(c.last - c.first), c.first, c.method == "dictionary"))
    taken: list[_Candidate] = []
    used: set[int] = set()
    for candidate in ordered:
        span = set(range(candidate.first, candidate.last))
        if span & used:
            continue
        used |= span
        taken.append(candidate)
    return sorted(taken, key=lambda c: c.first)


def find_mentions(document: Document, lexicon: Lexicon, names: DocumentNames | None = None) -> list[Mention]:
    """Mentions in every passage of ``document``, in text order, with candidate concepts best first."""
    names = names or DocumentNames()
    mentions: list[Mention] = []
    defined: dict[str, tuple[tuple[tuple[str, float], ...], EntityType] | None] = {}
    passages = [(passage, tokenize_columns(passage.text)) for passage in document.passages]

    # First pass: the dictionary, and what each defined abbreviation's long form was found to be.
    selected = []
    for passage, columns in passages:
        _, token_starts, token_ends = columns
        chosen = _select(_passage_candidates(passage.text, columns, lexicon, names))
        selected.append(chosen)
        for abbreviation in find_abbreviations(passage.text):
            ending = [
                c
                for c in chosen
                if token_ends[c.last - 1] == abbreviation.long_end
                and token_starts[c.first] >= abbreviation.long_start
            ]
            long_form = min(ending, key=lambda c: token_starts[c.first], default=None)  # the longest one
            if abbreviation.short not in defined or defined[abbreviation.short] is None:
                defined[abbreviation.short] = (
                    (long_form.concepts, long_form.entity_type) if long_form else None
                )

    # Second pass: short forms mean what the document defined them as (or nothing it could ground).
    for (passage, (_, token_starts, token_ends)), chosen in zip(passages, selected, strict=True):
        text = passage.text
        by_span = {(c.first, c.last): c for c in chosen}
        starts = {start: i for i, start in enumerate(token_starts)}
        ends = {end: i + 1 for i, end in enumerate(token_ends)}
        for short, meaning in defined.items():
            for match in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w]|-\d|-[A-Z])", text):
                first, last = starts.get(match.start()), ends.get(match.end())
                if first is None or last is None:
                    continue
                if meaning is None:
                    by_span.pop((first, last), None)
                    continue
                if any(
                    not (c.last <= first or c.first >= last) and (c.first, c.last) != (first, last)
                    for c in by_span.values()
                ):
                    continue
                by_span[(first, last)] = _Candidate(first, last, meaning[0], meaning[1], "abbreviation")
        for candidate in sorted(by_span.values(), key=lambda c: c.first):
            start, end = token_starts[candidate.first], token_ends[candidate.last - 1]
            mentions.append(
                Mention(
                    start=passage.offset + start,
                    end=passage.offset + end,
                    text=text[start:end],
                    type=candidate.entity_type,
                    candidates=tuple(cid for cid, _ in candidate.concepts),
                    method=candidate.method,
                    score=candidate.concepts[0][1],
                )
            )
    return mentions
