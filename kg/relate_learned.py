"""Document-level relations from a small learned model (logistic regression over hashed features).

The trigger rules of :mod:`kg.relate` see one sentence at a time; the gold corpora annotate relations per
document (BC5CDR's chemical-induced diseases, BioRED's eight types). This model scores every pair of
concepts a document mentions from what surrounds their closest co-occurrence (words between and around,
distance, the rules' verdict, negation), where they appear (title, first and last sentences), and how
central each is to the document (mention counts). Two heads: ``cdr`` (CID or not) and ``biored`` (one
of the BioRED types or none).

The weights are learned by ``kg relations learn`` (:mod:`kg.train.relations`: training splits only,
held-out documents excluded) and shipped as ``kg/data/relations.json``; inference is a sparse dot product
with numpy (:class:`kg.models.LogisticModel`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from kg.biolink import Predicate
from kg.choices import RelationScheme
from kg.models import LogisticModel, hash_feature, vector
from kg.records import Concept, Document, EntityType, Evidence, Mention, Relation
from kg.text import split_sentences

__all__ = [
    "METHOD",
    "PREDICATES",
    "Candidate",
    "DocumentContext",
    "candidate_pairs",
    "document_context",
    "features",
    "learned_relations",
]

METHOD = "kg.relate_learned:logistic-regression"
C, D, G = EntityType.CHEMICAL.value, EntityType.DISEASE.value, EntityType.GENE.value
V = EntityType.VARIANT.value
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*|\d+")
_NEGATION = re.compile(r"\b(?:not|no|without|neither|nor|lack|absence|failed|unlikely)\b")
# What each BioRED type means as a Biolink predicate (the corpus type is kept on the evidence).
PREDICATES = {
    "CID": Predicate.CAUSES,
    "Positive_Correlation": Predicate.POSITIVELY_CORRELATED_WITH,
    "Negative_Correlation": Predicate.NEGATIVELY_CORRELATED_WITH,
    "Association": Predicate.ASSOCIATED_WITH,
    "Bind": Predicate.PHYSICALLY_INTERACTS_WITH,
    "Cotreatment": Predicate.RELATED_TO,
    "Comparison": Predicate.RELATED_TO,
    "Drug_Interaction": Predicate.INTERACTS_WITH,
    "Conversion": Predicate.RELATED_TO,
}


@dataclass(frozen=True)
class Candidate:
    """A pair of concepts of one document, with the mentions of each."""

    subject: str
    object: str
    subject_type: str
    object_type: str
    subject_mentions: tuple[Mention, ...]
    object_mentions: tuple[Mention, ...]


def candidate_pairs(mentions: list[Mention], scheme: RelationScheme | str) -> list[Candidate]:
    """Pairs of concepts the scheme relates: chemical -> disease for ``cdr``; any two of gene, disease,
    chemical and sequence variant for ``biored`` (unordered, one candidate per pair)."""
    scheme = RelationScheme(scheme)
    by_concept: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if mention.concept_id:
            by_concept[mention.concept_id].append(mention)
    types = {cid: ms[0].type.value for cid, ms in by_concept.items()}
    ids = sorted(by_concept)
    pairs = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            ta, tb = types[a], types[b]
            if scheme is RelationScheme.CDR:
                if {ta, tb} != {C, D}:
                    continue
                if ta == D:
                    a, b, ta, tb = b, a, tb, ta
            elif ta not in (C, D, G, V) or tb not in (C, D, G, V):
                continue
            pairs.append(Candidate(a, b, ta, tb, tuple(by_concept[a]), tuple(by_concept[b])))
    return pairs


def _sentences(document: Document) -> list[tuple[int, int, str]]:
    spans = []
    for passage in document.passages:
        for start, end in split_sentences(passage.text):
            spans.append((passage.offset + start, passage.offset + end, passage.kind))
    return spans


class DocumentContext:
    """What every candidate of one document shares: its sentences, which sentence each offset is in, and
    the words of each sentence (computed once per document, not once per pair)."""

    def __init__(self, document: Document):
        self.document = document
        self.sentences = _sentences(document)
        self._starts = [start for start, _, _ in self.sentences]
        self._index: dict[int, int] = {}
        self._words: dict[int, list[int]] = {}

    def index(self, offset: int) -> int:
        found = self._index.get(offset)
        if found is None:
            position = bisect.bisect_right(self._starts, offset) - 1
            found = position if position >= 0 and offset < self.sentences[position][1] else -1
            self._index[offset] = found
        return found

    def word_features(self, index: int) -> list[int]:
        """The hashed ``sent:WORD`` features of one sentence."""
        found = self._words.get(index)
        if found is None:
            start, end, _ = self.sentences[index]
            words = set(_WORD.findall(self.document.text_at(start, end).lower()))
            found = self._words[index] = [hash_feature(f"sent:{word}") for word in sorted(words)]
        return found


def features(
    document: Document,
    candidate: Candidate,
    context: DocumentContext,
    rules: dict[tuple[str, str], list[Relation]],
    counts: dict[str, int],
) -> tuple[list[str | int], tuple[Mention, Mention] | None]:
    """The features of one candidate (names, or already hashed indexes), and (for evidence) its closest
    pair of mentions."""
    sentences = context.sentences
    names: list[str | int] = [f"types={candidate.subject_type}|{candidate.object_type}", "bias"]
    sa = [(m, context.index(m.start)) for m in candidate.subject_mentions]
    sb = [(m, context.index(m.start)) for m in candidate.object_mentions]
    for side, items, total in (
        ("s", sa, len(candidate.subject_mentions)),
        ("o", sb, len(candidate.object_mentions)),
    ):
        names.append(f"{side}count={min(total, 5)}")
        kinds = {sentences[i][2] for _, i in items if i >= 0}
        if "title" in kinds:
            names.append(f"{side}:in_title")
        indexes = [i for _, i in items]
        if indexes and min(indexes) <= 1:
            names.append(f"{side}:early")
        if indexes and max(indexes) >= len(sentences) - 2:
            names.append(f"{side}:last_sentences")
    s_top = counts.get(candidate.subject, 0) == counts.get("max:" + candidate.subject_type, -1)
    o_top = counts.get(candidate.object, 0) == counts.get("max:" + candidate.object_type, -1)
    names.append(f"s_is_top={s_top}")
    names.append(f"o_is_top={o_top}")
    s_title = any(sentences[i][2] == "title" for _, i in sa if i >= 0)
    o_title = any(sentences[i][2] == "title" for _, i in sb if i >= 0)
    names.append(f"titles={s_title}|{o_title}")
    names.append(f"top_title={s_top}|{s_title}|{o_top}|{o_title}")
    names.append(f"n_{candidate.subject_type}={min(counts.get('n:' + candidate.subject_type, 0), 4)}")
    names.append(f"n_{candidate.object_type}={min(counts.get('n:' + candidate.object_type, 0), 4)}")
    shared = sorted({i for _, i in sa if i >= 0} & {j for _, j in sb if j >= 0})
    for index in shared[:4]:  # words of every sentence that holds both (hashed once per sentence)
        names += context.word_features(index)
    same = [(a, b) for a, i in sa for b, j in sb if i == j and i >= 0]
    names.append(f"cooccur={min(len(same), 4)}")
    best: tuple[Mention, Mention] | None = None
    if same:
        best = min(same, key=lambda pair: abs(pair[0].start - pair[1].start))
        first, second = sorted(best, key=lambda m: m.start)
        start, end, kind = sentences[context.index(first.start)]
        sentence = document.text_at(start, end).lower()
        between = document.text_at(first.end, second.start).lower() if first.end <= second.start else ""
        words = _WORD.findall(between)
        names.append(f"distance={min(len(words), 20) // 3}")
        names.append(f"order={'s_first' if first is best[0] else 'o_first'}")
        names += [f"btw:{w}" for w in words[:12]]
        names += [f"btw2:{a}_{b}" for a, b in itertools.pairwise(words)][:12]
        before = _WORD.findall(document.text_at(start, first.start).lower())[-3:]
        after = _WORD.findall(document.text_at(second.end, end).lower())[:3]
        names += [f"bef:{w}" for w in before] + [f"aft:{w}" for w in after]
        names.append(f"sentence_kind={kind.split(':')[0]}")
        if _NEGATION.search(sentence):
            names.append("negation_in_sentence")
        names.append(
            f"mentions_between={min(sum(1 for m in (*candidate.subject_mentions, *candidate.object_mentions) if first.end <= m.start < second.start), 3)}"
        )
    else:
        gaps = [abs(i - j) for _, i in sa for _, j in sb if i >= 0 and j >= 0]
        names.append(f"nearest_sentence_gap={min(min(gaps, default=9), 4)}")
        if gaps:
            a, b = min(
                ((x, y) for x, i in sa for y, j in sb if i >= 0 and j >= 0),
                key=lambda pair: abs(context.index(pair[0].start) - context.index(pair[1].start)),
            )
            best = (a, b)
    for relation in [
        *rules.get((candidate.subject, candidate.object), ()),
        *rules.get((candidate.object, candidate.subject), ()),
    ]:
        names.append(f"rule:{relation.predicate}")
        if relation.evidence.negated:
            names.append("rule_negated")
        if relation.evidence.hedged:
            names.append("rule_hedged")
    return names, best


def document_context(
    document: Document, mentions: list[Mention], rule_relations: list[Relation]
) -> tuple[DocumentContext, dict[tuple[str, str], list[Relation]], dict[str, int]]:
    """What the features of all of a document's candidates share: sentences, the rules' relations by pair,
    and mention counts (per concept, and per type the highest count and the number of concepts)."""
    rules: dict[tuple[str, str], list[Relation]] = defaultdict(list)
    for relation in rule_relations:
        rules[(relation.subject, relation.object)].append(relation)
    counts: dict[str, int] = defaultdict(int)
    for mention in mentions:
        if mention.concept_id:
            counts[mention.concept_id] += 1
    _count_types(mentions, counts)
    return DocumentContext(document), rules, counts


def _count_types(mentions: list[Mention], counts: dict[str, int]) -> None:
    """Per type: the highest mention count of a concept, and how many concepts there are."""
    seen: set[str] = set()
    for mention in mentions:
        if mention.concept_id:
            key = "max:" + mention.type.value
            counts[key] = max(counts.get(key, 0), counts[mention.concept_id])
            if mention.concept_id not in seen:
                seen.add(mention.concept_id)
                counts["n:" + mention.type.value] = counts.get("n:" + mention.type.value, 0) + 1


def learned_relations(
    model: LogisticModel | None,
    document: Document,
    mentions: list[Mention],
    concepts: dict[str, Concept],
    rule_relations: list[Relation],
    scheme: RelationScheme | str = RelationScheme.BIORED,
) -> list[Relation]:
    """The model's relations for one document (empty without a model)."""
    scheme = RelationScheme(scheme)
    if model is None or scheme.value not in model.heads:
        return []
    head = model.heads[scheme.value]
    context, rules, counts = document_context(document, mentions, rule_relations)
    sentences = context.sentences
    candidates = candidate_pairs(mentions, scheme)
    if not candidates:
        return []
    described = [features(document, candidate, context, rules, counts) for candidate in candidates]
    probabilities = head.scores([vector(names) for names, _ in described])
    relations = []
    for candidate, (_, best), row in zip(candidates, described, probabilities, strict=True):
        if len(head.classes) == 1:
            label, probability = head.classes[0], float(row[0])
            if probability < head.threshold:
                continue
        else:  # the likeliest type, when "no relation" is less likely than the learned threshold
            none = head.classes.index("None")
            if row[none] >= head.threshold:
                continue
            ranked = np.where(np.arange(len(row)) == none, -1.0, row)
            index = int(np.argmax(ranked))
            label, probability = head.classes[index], float(1.0 - row[none])
        if best is None:
            continue  # no sentence to show for it
        first, second = sorted(best, key=lambda m: m.start)
        start = next((s for s, e, _ in sentences if s <= first.start < e), first.start)
        end = next((e for s, e, _ in sentences if s <= second.start < e), second.end)
        try:
            text = document.text_at(start, end)
        except ValueError:  # the two mentions are in different passages
            continue
        subject_mention = best[0] if best[0].concept_id == candidate.subject else best[1]
        object_mention = best[1] if subject_mention is best[0] else best[0]
        evidence = Evidence(
            document.id,
            text,
            start,
            subject_mention.text,
            subject_mention.start,
            subject_mention.end,
            object_mention.text,
            object_mention.start,
            object_mention.end,
            METHOD,
            round(probability, 3),
            trigger=f"{scheme.value}:{label}",
            passage=next((k for s, e, k in sentences if s <= first.start < e), ""),
        )
        relations.append(Relation(candidate.subject, PREDICATES[label].value, candidate.object, evidence))
    return relations
