"""Find mentions of genes, diseases and chemicals in a document's text.

Dictionary matching over the lexicon's token tries: every span of tokens that equals a known name is a
candidate; short symbols must also match in case; overlapping candidates resolve leftmost-longest.
Names the document itself supplies (its own annotations, see :mod:`kg.annotations`) extend the dictionary
for that document. Abbreviations the document defines ("... collagenosis (ARPC)") make later uses of the
short form mentions of the long form's concept, and override what the lexicon says the short form means.

A :class:`DictionaryMatcher` holds the lexicon and its own memo of what each matched name means (names
recur across documents, so the ranking of a name's concepts is computed once per process).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kg.abbreviations import find_abbreviations, occurrences
from kg.annotations import DocumentNames
from kg.categories import entity_type_of
from kg.lexicon import Lexicon
from kg.ranking import rank_postings
from kg.records import Document, EntityType, Mention
from kg.text import tokenize, tokenize_columns

__all__ = ["DictionaryMatcher", "find_mentions"]

_MEMO_LIMIT = 500_000
# A chemical known only by these IDs, named as an organism is, is the organism's extract (see
# DictionaryMatcher._an_organism_named_as_its_extract).
_EXTRACT_PREFIXES = ("UNII:", "DRUGBANK:", "CAS:")

Ranked = tuple[tuple[tuple[str, float], ...], EntityType]  # (concept id, score) best first, and their type


class _Candidate(NamedTuple):
    first: int  # token indexes, end exclusive
    last: int
    concepts: tuple[tuple[str, float], ...]  # (concept id, score), best first
    entity_type: EntityType
    method: str


class DictionaryMatcher:
    """Finds the lexicon's names in documents (see the module's description); reusable across documents."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._memo: dict[tuple[int, str], Ranked | None] = {}

    def find_mentions(self, document: Document, names: DocumentNames | None = None) -> list[Mention]:
        """Mentions in every passage of ``document``, in text order, with candidate concepts best first."""
        return _find_mentions(document, self, names or DocumentNames())

    def _type_of(self, concept_id: str) -> EntityType | None:
        concept = self.lexicon.get_concept(concept_id)  # memoised by the lexicon
        return entity_type_of(concept.category) if concept else None

    def meaning(self, key_id: int, span: str) -> Ranked | None:
        """Ranked concepts (of the best type) for one matched name as written; memoised."""
        memo = self._memo
        found = memo.get((key_id, span), memo)
        if found is not memo:
            return found  # type: ignore[return-value]
        ranked = rank_postings(self.lexicon.postings(key_id), span, self.lexicon)
        typed = [(cid, score, etype) for cid, score in ranked if (etype := self._type_of(cid)) is not None]
        result = None
        if typed:
            best_type = typed[0][2]
            if best_type is EntityType.CHEMICAL and self._an_organism_named_as_its_extract(typed):
                best_type = EntityType.SPECIES
            result = (tuple((cid, score) for cid, score, etype in typed if etype == best_type), best_type)
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        memo[(key_id, span)] = result
        return result

    def _an_organism_named_as_its_extract(self, typed: list[tuple[str, float, EntityType]]) -> bool:
        """Whether a name is an organism's and, as a chemical, only the allergen or food extract named after
        it (UNII and DrugBank's "Yeast", "Chicken", "Escherichia coli"): the organism is meant."""
        if not any(etype is EntityType.SPECIES for _, _, etype in typed):
            return False
        for curie, _, etype in typed:
            if etype is EntityType.CHEMICAL:
                concept = self.lexicon.get_concept(curie)
                if concept is None or any(
                    not i.startswith(_EXTRACT_PREFIXES) for i in (concept.id, *concept.xrefs)
                ):
                    return False
        return True

    def name_candidates(self, name: str, entity_type: EntityType) -> tuple[str, ...]:
        """The concepts of ``entity_type`` a whole name (as written) stands for, best first; () if none."""
        key_id = self.lexicon.get_key_id(" ".join(token.norm for token in tokenize(name)))
        found = self.meaning(key_id, name) if key_id is not None else None
        if found is None or found[1] is not entity_type:
            return ()
        return tuple(curie for curie, _ in found[0])


def find_mentions(document: Document, lexicon: Lexicon, names: DocumentNames | None = None) -> list[Mention]:
    """Mentions of ``document`` with a matcher made for this call (use a :class:`DictionaryMatcher` to
    match many documents)."""
    return DictionaryMatcher(lexicon).find_mentions(document, names)


def _passage_candidates(
    text: str,
    columns: tuple[list[str], list[int], list[int]],
    matcher: DictionaryMatcher,
    names: DocumentNames,
) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    norms, starts, ends = columns
    lexicon = matcher.lexicon
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
                if _cuts_a_number(text, starts[first], ends[last - 1]):
                    continue  # "diclofenac 1" of "diclofenac 1.17 (0.99, 1.38)" is not diclofenac(1-)
                if ("(" in span or "[" in span or ")" in span or "]" in span) and (
                    span.count("(") != span.count(")") or span.count("[") != span.count("]")
                ):
                    continue  # "myocardial infarction (MI" is not a name
                found = matcher.meaning(key_id, span)
                if found:
                    candidates.append(_Candidate(first, last, found[0], found[1], "dictionary"))
        for length in lengths:
            if first + length <= len(norms):
                named = names.get(tuple(norms[first : first + length]))
                if named:
                    concept_id, entity_type, method = named
                    candidates.append(
                        _Candidate(first, first + length, ((concept_id, 1.0),), entity_type, method)
                    )
    return candidates


_NUMBER_GOES_ON = re.compile(r"[.,]\d")
_NUMBER_WAS_ON = re.compile(r"\d[.,]$")


def _cuts_a_number(text: str, start: int, end: int) -> bool:
    """Whether a span starts or ends inside a decimal number ("1" of "1.17", "5" of "0.5").

    >>> _cuts_a_number("diclofenac 1.17 (0.99, 1.38)", 0, 12), _cuts_a_number("diclofenac 1", 0, 12)
    (True, False)
    >>> _cuts_a_number("a 0.5 mg dose", 4, 8)
    True
    """
    return bool(
        (text[end - 1 : end].isdigit() and _NUMBER_GOES_ON.match(text, end))
        or (text[start : start + 1].isdigit() and _NUMBER_WAS_ON.search(text[max(0, start - 2) : start]))
    )


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


def _find_mentions(document: Document, matcher: DictionaryMatcher, names: DocumentNames) -> list[Mention]:
    mentions: list[Mention] = []
    defined: dict[str, tuple[tuple[tuple[str, float], ...], EntityType] | None] = {}
    passages = [(passage, tokenize_columns(passage.text)) for passage in document.passages]

    # First pass: the dictionary, and what each defined abbreviation's long form was found to be.
    selected = []
    for passage, columns in passages:
        _, token_starts, token_ends = columns
        chosen = _select(_passage_candidates(passage.text, columns, matcher, names))
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
            for start, end in occurrences(text, short, strict_hyphen=True):
                first, last = starts.get(start), ends.get(end)
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
                concepts, entity_type = meaning
                own = by_span.get((first, last))
                if own is not None and entity_type is EntityType.GENE and own.entity_type is EntityType.GENE:
                    # the long form names the gene in one species ("TNFR-associated factor 2" is a fly
                    # gene's name); the symbol's own genes of the other species stay candidates
                    meant = {curie for curie, _ in concepts}
                    concepts = concepts + tuple(c for c in own.concepts if c[0] not in meant)
                by_span[(first, last)] = _Candidate(first, last, concepts, entity_type, "abbreviation")
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
