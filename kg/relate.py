"""Relations between the entities of one sentence, typed with Biolink predicates from trigger words.

For each pair of grounded mentions in a sentence, the words between them are searched for triggers
("inhibiting", "treatment of", "associated with", "driven by"...). A trigger applies when the types fit
(only a chemical *treats* a disease) and nothing but coordination ("IL-4 and IL-13") or a noun-phrase link
("pruritus in atopic dermatitis", "pruritus induced by ...") separates it from both entities. Passive
triggers ("driven by") reverse the direction. A negation cue before the trigger ("resistant to ...
treatment", "did not inhibit") marks the evidence negated — it never becomes a positive edge — and a hedge
anywhere in the sentence ("may", "likely", "suggests") marks it hedged.

Each relation carries its :class:`~kg.records.Evidence`: document, sentence, both spans, trigger, method and
a score (see :data:`BASE_SCORES`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from kg.biolink import Predicate, Qualifier
from kg.records import Document, EntityType, Evidence, Mention, Relation
from kg.text import split_sentences

__all__ = ["BASE_SCORES", "METHOD", "extract_relations"]

METHOD = "kg.relate:trigger-rules"
C, D, G = EntityType.CHEMICAL, EntityType.DISEASE, EntityType.GENE
_DECREASED = (
    (Qualifier.QUALIFIED_PREDICATE.value, Predicate.CAUSES.value),
    (Qualifier.OBJECT_ASPECT.value, "activity_or_abundance"),
    (Qualifier.OBJECT_DIRECTION.value, "decreased"),
)
_INCREASED = (
    (Qualifier.QUALIFIED_PREDICATE.value, Predicate.CAUSES.value),
    (Qualifier.OBJECT_ASPECT.value, "activity_or_abundance"),
    (Qualifier.OBJECT_DIRECTION.value, "increased"),
)


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    predicate: Predicate
    pairs: frozenset[tuple[EntityType, EntityType]]  # allowed (subject type, object type)
    directed_by_type: bool  # subject/object fixed by type (treats: chemical -> disease) rather than by voice
    qualifiers: tuple[tuple[str, str], ...] = ()
    symmetric: bool = False


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


RULES = (
    _Rule(
        "treats",
        _words(
            r"treat(?:s|ed|ing|ments?)?",
            r"therap(?:y|ies|eutic)",
            r"effective",
            r"efficacy",
            r"efficacious",
            r"successful(?:ly)?",
            r"resolution",
            r"resolved?",
            r"remission",
            r"improv(?:e|ed|es|ement)",
            r"alleviat\w*",
            r"ameliorat\w*",
            r"reliev\w*",
            r"cured?",
            r"manage(?:d|ment)?",
            r"benefit\w*",
            r"respon(?:d|ded|se)s? to",
        ),
        Predicate.TREATS,
        frozenset({(C, D)}),
        True,
    ),
    _Rule(
        "causes",
        _words(
            r"induc(?:e|ed|es|ing|tion)",
            r"-induced",
            r"caus(?:e|ed|es|ing)",
            r"provok\w*",
            r"trigger(?:ed|s)?",
            r"toxicit(?:y|ies)",
            r"adverse",
            r"side[- ]effects?",
        ),
        Predicate.CAUSES,
        frozenset({(C, D)}),
        True,
    ),
    _Rule(
        "inhibits",
        _words(
            r"inhibit\w*",
            r"block\w*",
            r"antagoni\w*",
            r"suppress\w*",
            r"attenuat\w*",
            r"reduc(?:e|ed|es|ing|tion)",
            r"decreas\w*",
            r"down-?regulat\w*",
            r"neutrali[sz]\w*",
            r"abrogat\w*",
        ),
        Predicate.AFFECTS,
        frozenset({(C, G), (G, G)}),
        False,
        _DECREASED,
    ),
    _Rule(
        "activates",
        _words(
            r"activat\w*",
            r"stimulat\w*",
            r"increas\w*",
            r"up-?regulat\w*",
            r"enhanc\w*",
            r"induc(?:e|ed|es|ing|tion)",
            r"elevat\w*",
        ),
        Predicate.AFFECTS,
        frozenset({(C, G), (G, G)}),
        False,
        _INCREASED,
    ),
    _Rule(
        "binds",
        _words(r"bind\w*", r"bound to", r"interact\w*", r"complex(?:es)? with"),
        Predicate.PHYSICALLY_INTERACTS_WITH,
        frozenset({(C, G), (G, G), (G, C)}),
        False,
        symmetric=True,
    ),
    _Rule(
        "contributes",
        _words(
            r"contribut\w*",
            r"driv(?:e|es|en|ing)",
            r"mediat\w*",
            r"underl\w*",
            r"responsible for",
            r"role in",
            r"involved in",
            r"implicated in",
            r"lead(?:s|ing)? to",
            r"led to",
            r"result(?:s|ed)? in",
            r"promot\w*",
            r"(?:induc(?:e|ed|es|ing)|caus(?:e|ed|es|ing))",
        ),
        Predicate.CONTRIBUTES_TO,
        frozenset({(G, D), (D, D), (C, D)}),
        False,
    ),
    _Rule(
        "associated",
        _words(
            r"associat\w*",
            r"link(?:ed|s)?",
            r"correlat\w*",
            r"related to",
            r"relationship",
            r"in patients with",
            r"coexist\w*",
            r"comorbid\w*",
            r"accompan\w*",
            r"concomitant",
        ),
        Predicate.ASSOCIATED_WITH,
        frozenset({(a, b) for a in (C, D, G) for b in (C, D, G)}),
        False,
        symmetric=True,
    ),
)
BASE_SCORES = {
    "treats": 0.7,
    "causes": 0.7,
    "inhibits": 0.7,
    "activates": 0.65,
    "binds": 0.65,
    "contributes": 0.6,
    "associated": 0.6,
}

_PASSIVE = re.compile(r"^\s+by\b", re.IGNORECASE)
# What may separate a trigger's segment from the other mentions of a coordinated or listed group...
_COORDINATION = re.compile(
    r"^[\s,;]*(?:and|or|nor|and/or|as well as|plus|versus|vs\.?|including|such as|e\.g\.|i\.e\.|namely|"
    r"especially|particularly|in particular)?[\s,:]*$",
    re.IGNORECASE,
)
# ... and what may join a mention to the noun phrase it heads, before the trigger ("pruritus in AD", "X, a").
_NOUN_PHRASE_LINK = re.compile(
    r"^\s*(?:in|of|from|with|among|in patients with|(?:induced|caused|mediated|driven|triggered) by|"
    r",\s*(?:a|an|the)|\()\s*$",
    re.IGNORECASE,
)
NEGATION_CUE = re.compile(
    r"(?<![\w-])(?:not|no|never|neither|nor|without|lack of|absence of|failed to|fails? to|unable to|"
    r"resistant to|refractory to|unresponsive to|ineffective|did not|does not|do not|cannot|could not)(?![\w-])",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"(?<![\w-])(?:may|might|could|likely|possibl[ey]|potential(?:ly)?|suggest\w*|appear\w* to|thought to|"
    r"hypothes\w*|putative|perhaps|probabl[ey]|presumabl[ey]|seem\w*)(?![\w-])",
    re.IGNORECASE,
)


def _orient(rule: _Rule, first: Mention, second: Mention, passive: bool) -> tuple[Mention, Mention] | None:
    """(subject, object) for a rule and a pair in text order, or None if the types do not fit."""
    if rule.directed_by_type:
        for subject, obj in ((first, second), (second, first)):
            if (subject.type, obj.type) in rule.pairs:
                return subject, obj
        return None
    subject, obj = (second, first) if passive else (first, second)
    if (subject.type, obj.type) in rule.pairs:
        return subject, obj
    if rule.symmetric and (obj.type, subject.type) in rule.pairs:
        return obj, subject
    return None


_EXAMPLES = re.compile(
    r"\((?:e\.\s?g\.|eg|for example|for instance|such as|including|i\.\s?e\.)[,:]?\s*$", re.IGNORECASE
)
# A relative clause opening inside the noun phrase whose examples follow ("systemic diseases in which
# pruritus is a common symptom (e.g., diabetes ...)").
_RELATIVE = re.compile(r"^\s*(?:(?:in|of|with|for|at|by)\s+)?(?:which|whom|whose|where|that)\s*$", re.I)
_INCLUSION = re.compile(r"(?:including|such as|e\.g\.|i\.e\.|namely|especially|particularly)[\s,:]*$", re.I)


# Pairs further apart than this many mentions are not related by the trigger rules: their score would be
# at the floor anyway (0.05 less per mention between), and it keeps the work per sentence linear in its
# mentions (a flattened table of 640 gene symbols is one "sentence").
MAX_MENTIONS_BETWEEN = 12


class _Sentence:
    """One sentence's mentions (in text order) and, computed once, what lies between neighbours: the text
    of each gap, what kind of link it is, and the trigger words it holds."""

    def __init__(self, sentence: str, offset: int, mentions: list[Mention]):
        self.mentions = mentions
        self.texts = [
            sentence[max(a.end, offset) - offset : max(b.start, a.end) - offset] if b.start >= a.end else ""
            for a, b in itertools.pairwise(mentions)
        ]
        self.coordination = [bool(_COORDINATION.match(t)) for t in self.texts]
        self.noun_phrase_link = [bool(_NOUN_PHRASE_LINK.match(t)) for t in self.texts]
        self.examples = [bool(_EXAMPLES.search(t)) for t in self.texts]
        self.relative = [bool(_RELATIVE.match(t)) for t in self.texts]
        self.inclusion = [bool(_INCLUSION.search(t)) for t in self.texts]
        self.triggers = [
            [
                (rank, rule, match, bool(_PASSIVE.match(text[match.end() :])))
                for rank, rule in enumerate(RULES)
                for match in rule.pattern.finditer(text)
            ]
            for text in self.texts
        ]

    def _same_type_list(self, first: int, last: int, trigger: int, towards_end: bool) -> bool:
        """Whether the mentions coordinated with the pair's end mention (walking from it towards the trigger
        gap) share its type.

        "cytokines, including IL-4 and IL-13" is a list of genes under "cytokines"; in "..., IL-13, and
        dupilumab, a ... antibody" the chemical is not a member of the list of genes before it.
        """
        mentions = self.mentions
        if towards_end:
            end_type = mentions[last].type
            steps: range = range(last - 1, trigger, -1)  # gap k joins mentions k and k + 1
            neighbour = lambda k: mentions[k]  # noqa: E731
        else:
            end_type = mentions[first].type
            steps = range(first, trigger)
            neighbour = lambda k: mentions[k + 1]  # noqa: E731
        for k in steps:
            if self.inclusion[k] or self.noun_phrase_link[k]:
                return True
            if neighbour(k).type != end_type:
                return False
        return True

    def pair_relation(self, i: int, j: int) -> tuple[_Rule, Mention, Mention, re.Match[str], str] | None:
        """The rule, oriented pair, trigger and trigger gap text for mentions ``i`` < ``j``, or None."""
        first, second = self.mentions[i], self.mentions[j]
        found = []
        for index in range(i, j):
            # Before the trigger: a list of subjects ("X and Y inhibit") or one subject's noun phrase ("X in
            # Y is driven by", "X, a ... inhibiting"), not a mix; after it: a list of objects, possibly the
            # examples of a noun phrase the trigger governs ("associated with systemic diseases in which
            # pruritus is common (e.g., diabetes and CKD)").
            before = range(i, index)
            if not (
                all(self.coordination[k] for k in before) or all(self.noun_phrase_link[k] for k in before)
            ):
                continue
            openers = [k for k in range(index + 1, j) if not self.coordination[k]]
            if openers and not (self.examples[openers[-1]] and all(self.relative[k] for k in openers[:-1])):
                continue
            if not (
                self._same_type_list(i, j, index, towards_end=True)
                and self._same_type_list(i, j, index, towards_end=False)
            ):
                continue
            for rank, rule, match, passive in self.triggers[index]:
                oriented = _orient(rule, first, second, passive)
                if oriented:
                    found.append((rank, -match.start(), rule, oriented, match, self.texts[index]))
        if not found:
            return None
        _, _, rule, (subject, obj), match, text = min(found, key=lambda item: item[:2])
        return rule, subject, obj, match, text


def extract_relations(document: Document, mentions: list[Mention]) -> list[Relation]:
    """Relations in every sentence of ``document`` between its grounded mentions. Work per sentence is
    linear in its mentions (pairs at most :data:`MAX_MENTIONS_BETWEEN` mentions apart)."""
    relations: list[Relation] = []
    for passage in document.passages:
        inside = [m for m in mentions if passage.offset <= m.start and m.end <= passage.end and m.concept_id]
        if len(inside) < 2:
            continue
        inside.sort(key=lambda m: m.start)
        starts = [m.start for m in inside]
        for start, end in split_sentences(passage.text):
            sentence = passage.text[start:end]
            offset = passage.offset + start
            low = bisect.bisect_left(starts, offset)
            here = [
                m
                for m in inside[low : bisect.bisect_left(starts, offset + len(sentence))]
                if m.end <= offset + len(sentence)
            ]
            if len(here) < 2:
                continue
            context = _Sentence(sentence, offset, here)
            hedged = bool(_HEDGE.search(sentence))
            for i, first in enumerate(here):
                for j in range(i + 1, min(len(here), i + 2 + MAX_MENTIONS_BETWEEN)):
                    second = here[j]
                    if first.concept_id == second.concept_id:
                        continue
                    found = context.pair_relation(i, j)
                    if found is None:
                        continue
                    rule, subject, obj, trigger, segment = found
                    if rule.symmetric and str(obj.concept_id) < str(subject.concept_id):
                        subject, obj = obj, subject  # one direction for symmetric predicates
                    negated = bool(NEGATION_CUE.search(segment[: trigger.start()][-40:]))
                    score = BASE_SCORES[rule.name] - 0.05 * (j - i - 1)
                    if hedged:
                        score *= 0.8
                    if second.start - first.end > 150:
                        score *= 0.8
                    evidence = Evidence(
                        document_id=document.id,
                        sentence=sentence,
                        sentence_start=offset,
                        subject_text=subject.text,
                        subject_start=subject.start,
                        subject_end=subject.end,
                        object_text=obj.text,
                        object_start=obj.start,
                        object_end=obj.end,
                        method=METHOD,
                        score=round(max(score, 0.05), 3),
                        trigger=trigger.group(0),
                        negated=negated,
                        hedged=hedged,
                        passage=passage.kind,
                    )
                    relations.append(
                        Relation(
                            str(subject.concept_id),
                            rule.predicate.value,
                            str(obj.concept_id),
                            evidence,
                            rule.qualifiers,
                        )
                    )
    return relations
