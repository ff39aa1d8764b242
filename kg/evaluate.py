"""Score entity recognition and normalisation against gold corpora (BioCreative V conventions).

* **mention level, strict**: a predicted mention is right when its span and type equal a gold mention's;
* **document level, concept IDs**: per document and type, the set of gold concept IDs against the set of
  predicted ones (the BioCreative V CDR normalisation metric). A predicted concept matches a gold ID when
  the ID is one of the concept's IDs (its preferred ID or a cross-reference), so `kg`'s MONDO node for
  atopic dermatitis matches a gold ``MESH:D003876``.

Gold mentions without an ID (``-1``) count for mentions only. Genes of every species count; with
``human_genes``, only human genes are scored: gold gene mentions whose ID is not a human gene (NLM-Gene
annotates mouse, rat... genes) are left out, and so are predicted mentions at exactly their spans (the
reference has nothing to say about them) and predicted genes of other species. Organisms (``Species``) and sequence variants (``Variant``) are scored the same way; a variant
matches a gold ID through its gene-free ID too (BioRED and tmVar name variants without their gene), and for
mentions whose span matches, how often the IDs agree is counted as well (``mention_ids``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.annotate import corpus_convention, relation_type
from kg.biolink import Category
from kg.choices import RelationScheme
from kg.errors import ModelError
from kg.extract import Extractor
from kg.ground import ground_mentions
from kg.identifiers import HUMAN_TAXON, LOCAL_PREFIX
from kg.lexicon import Lexicon
from kg.normalise import Normalisation, Normaliser, normalise_mentions
from kg.read import read_documents
from kg.records import Concept, Document, DocumentResult, EntityType, Mention
from kg.relate_learned import METHOD as LEARNED_METHOD
from kg.train.corpora import gold_entities as given_entities
from kg.train.corpora import gold_id
from kg.variants import variant_ids

__all__ = [
    "NormalisationScores",
    "PredictedRelation",
    "Prediction",
    "Scores",
    "evaluate",
    "evaluate_normalisation",
    "evaluate_relations",
    "evaluate_tagger",
    "normalise_gold",
    "predict",
    "predict_relations",
    "read_predictions",
]

TYPES = tuple(t.value for t in EntityType)
NORMALISED = (EntityType.DISEASE.value, EntityType.CHEMICAL.value)  # the types the normaliser knows


@dataclass(frozen=True, slots=True)
class Prediction:
    """One predicted mention: span, type and the IDs its concept has (preferred first)."""

    document_id: str
    start: int
    end: int
    type: str
    ids: tuple[str, ...]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Scores:
    """Mention-level and document-level counts per entity type, plus the errors behind them."""

    mentions: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    concepts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[dict[str, str]] = field(default_factory=list)
    # per type: mentions whose span matches a gold mention with an ID, and how many of them share an ID
    same_span: Counter[str] = field(default_factory=Counter)
    same_id: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, dict[str, dict[str, float | int]]]:
        return {
            "mention_strict": {t: self.mentions[t].as_dict() for t in TYPES if t in self.mentions},
            "document_concepts": {t: self.concepts[t].as_dict() for t in TYPES if t in self.concepts},
            "mention_ids": {
                t: {
                    "same_span": self.same_span[t],
                    "same_id": self.same_id[t],
                    "agreement": round(self.same_id[t] / self.same_span[t], 4),
                }
                for t in TYPES
                if self.same_span[t]
            },
        }


def _ids(concept: Concept) -> tuple[str, ...]:
    """The IDs a predicted concept matches gold IDs through (a variant's gene-free ID too). A local concept
    (``KG:…``, a name no vocabulary has: kg's NIL) has none, as a gold mention without an ID (``-1``) has
    none: it counts at the mention level only."""
    if concept.category == Category.SEQUENCE_VARIANT.value:
        return variant_ids(concept)
    return tuple(i for i in (concept.id, *concept.xrefs) if not i.startswith(f"{LOCAL_PREFIX}:"))


def predict(documents: Iterable[Document], extractor: Extractor) -> list[Prediction]:
    """Run `kg` on the documents' text only (their gold annotations are removed first)."""
    predictions = []
    bare = [replace(document, annotations=(), relations=()) for document in documents]
    results = [r for i in range(0, len(bare), 64) for r in extractor.extract_many(bare[i : i + 64])]
    for document, found in zip(bare, results, strict=True):
        result = corpus_convention(found, extractor.lexicon)  # a gene family as the member corpora name
        concepts = {concept.id: concept for concept in result.concepts}
        for mention in result.mentions:
            concept = concepts.get(mention.concept_id or "")
            ids = _ids(concept) if concept else ()
            predictions.append(Prediction(document.id, mention.start, mention.end, mention.type.value, ids))
    return predictions


def evaluate_tagger(documents: list[Document], extractor: Extractor, types: list[str]) -> dict[str, Counts]:
    """Mention-level strict scores of the tagger's spans alone (before they are combined with the
    dictionary's, filtered and normalised), in the extractor's tagging scheme, per type."""
    tagger = extractor.models.tagger
    if tagger is None:
        raise ModelError("no tagger weights loaded; rebuild them with `make learn`")
    bare = [replace(document, annotations=(), relations=()) for document in documents]
    counts: dict[str, Counts] = {t: Counts() for t in types}
    for begin in range(0, len(bare), 64):
        batch = bare[begin : begin + 64]
        found = [ground_mentions(extractor.matcher.find_mentions(d), extractor.lexicon)[0] for d in batch]
        spans = tagger.tag(batch, found, extractor.tagging_scheme)
        for document, tagged in zip(documents[begin : begin + 64], spans, strict=True):
            for entity_type, count in counts.items():
                gold = {
                    (a.start, a.end)
                    for a in document.annotations
                    if a.type == entity_type and a.start is not None and a.end is not None
                }
                predicted = {(s.start, s.end) for s in tagged if s.type.value == entity_type}
                count.tp += len(gold & predicted)
                count.fp += len(predicted - gold)
                count.fn += len(gold - predicted)
    return counts


def read_predictions(path: str | Path) -> list[Prediction]:
    """Predicted mentions from an annotated corpus file (PubTator, BioC XML/JSON), e.g. another tool's."""
    return [
        Prediction(document.id, a.start, a.end, a.type, a.ids)
        for document in read_documents([path])
        for a in document.annotations
        if a.start is not None and a.end is not None
    ]


def evaluate(
    documents: Iterable[Document],
    predictions: Iterable[Prediction],
    *,
    lexicon: Lexicon | None = None,
    human_genes: bool = False,
    types: Iterable[str] = TYPES,
) -> Scores:
    """Score predictions against the gold annotations of ``documents``."""
    wanted = set(types)
    scores = Scores()
    by_document: dict[str, list[Prediction]] = defaultdict(list)
    for prediction in predictions:
        by_document[prediction.document_id].append(prediction)

    def is_human(ids: tuple[str, ...]) -> bool:
        """Whether a predicted gene is human (a gene family, of no species, counts as human)."""
        concept = lexicon.get_concept(ids[0]) if lexicon is not None else None
        return concept is None or concept.taxon in ("", HUMAN_TAXON)

    def is_human_gene(curie: str) -> bool:
        concept = (
            lexicon.get_concept(curie) if lexicon is not None and curie.startswith("NCBIGene:") else None
        )
        return concept is not None and concept.id == curie and concept.taxon == HUMAN_TAXON

    for document in documents:
        gold_spans: set[tuple[int, int, str]] = set()
        gold_ids: dict[str, set[str]] = defaultdict(set)
        span_ids: dict[tuple[int, int, str], set[str]] = defaultdict(set)
        excluded_spans: set[tuple[int, int, str]] = set()
        for annotation in document.annotations:
            if annotation.type not in wanted or annotation.start is None:
                continue
            if human_genes and annotation.type == EntityType.GENE.value:
                human = [i for i in annotation.ids if is_human_gene(i)]
                if annotation.ids and not human:
                    excluded_spans.add((annotation.start, annotation.end, annotation.type))  # type: ignore[arg-type]
                    continue
            gold_spans.add((annotation.start, annotation.end, annotation.type))  # type: ignore[arg-type]
            gold_ids[annotation.type].update(annotation.ids)
            span_ids[(annotation.start, annotation.end, annotation.type)].update(annotation.ids)  # type: ignore[index]
        predicted = [
            p
            for p in by_document.get(document.id, ())
            if p.type in wanted
            and (p.start, p.end, p.type) not in excluded_spans
            and not (human_genes and p.type == EntityType.GENE.value and p.ids and not is_human(p.ids))
        ]
        predicted_spans = {(p.start, p.end, p.type) for p in predicted}
        for p in predicted:
            wanted_ids = span_ids.get((p.start, p.end, p.type))
            if wanted_ids:
                scores.same_span[p.type] += 1
                scores.same_id[p.type] += bool(wanted_ids.intersection(p.ids))
        for span in predicted_spans | gold_spans:
            counts = scores.mentions[span[2]]
            if span in predicted_spans and span in gold_spans:
                counts.tp += 1
            elif span in predicted_spans:
                counts.fp += 1
                scores.errors.append(
                    {
                        "document": document.id,
                        "kind": "mention FP",
                        "type": span[2],
                        "text": document.text_at(span[0], span[1]),
                    }
                )
            else:
                counts.fn += 1
                scores.errors.append(
                    {
                        "document": document.id,
                        "kind": "mention FN",
                        "type": span[2],
                        "text": document.text_at(span[0], span[1]),
                    }
                )
        for entity_type in wanted:
            gold = gold_ids.get(entity_type, set())
            matched: set[str] = set()
            false_positive: set[str] = set()
            for prediction in (p for p in predicted if p.type == entity_type and p.ids):
                hits = gold.intersection(prediction.ids)
                if hits:
                    matched |= hits
                else:
                    false_positive.add(prediction.ids[0])
            counts = scores.concepts[entity_type]
            counts.tp += len(matched)
            counts.fp += len(false_positive)
            counts.fn += len(gold - matched)
            spans = [
                (a.start, a.end, a.type, a.ids)
                for a in document.annotations
                if a.start is not None and a.end is not None
            ]
            everything = [(p.start, p.end, p.type, p.ids) for p in by_document.get(document.id, ())]
            for curie in sorted(false_positive):
                at = [(p.start, p.end, p.type, p.ids) for p in predicted if p.ids and p.ids[0] == curie]
                scores.errors.append(_concept_error(document, "concept FP", entity_type, curie, at, spans))
            for curie in sorted(gold - matched):
                at = [span for span in spans if span[2] == entity_type and curie in span[3]]
                scores.errors.append(
                    _concept_error(document, "concept FN", entity_type, curie, at, everything)
                )
    return scores


def _concept_error(
    document: Document, kind: str, entity_type: str, curie: str, at: list, other: list
) -> dict:
    """One concept error with its first mention's text and its likely cause, from what the other side
    (gold for a false hit, predictions for a miss) has where the concept is mentioned."""
    causes = set()
    for start, end, _, _ in at:
        overlapping = [o for o in other if o[0] < end and start < o[1]]
        if not overlapping:
            causes.add("nothing there" if kind == "concept FN" else "no gold entity there")
        elif all(o[2] != entity_type for o in overlapping):
            causes.add("other type there")
        elif any((o[0], o[1]) == (start, end) for o in overlapping if o[2] == entity_type):
            causes.add("same span, other ID")
        else:
            causes.add("other span")
    # The most telling cause when the concept's mentions differ: a near miss before "nothing there".
    order = ["same span, other ID", "other span", "other type there", "nothing there", "no gold entity there"]
    cause = next((c for c in order if c in causes), "")
    try:
        text = document.text_at(at[0][0], at[0][1]) if at else ""
    except ValueError:
        text = ""
    return {
        "document": document.id,
        "kind": kind,
        "type": entity_type,
        "text": text,
        "id": curie,
        "cause": cause,
    }


@dataclass(frozen=True, slots=True)
class PredictedRelation:
    """One predicted document-level relation: its corpus type and both concepts' IDs (preferred first)."""

    document_id: str
    type: str
    subject_ids: tuple[str, ...]
    object_ids: tuple[str, ...]


def predict_relations(
    documents: Iterable[Document],
    extractor: Extractor,
    scheme: RelationScheme | str = RelationScheme.BIORED,
    *,
    gold_entities: bool = False,
) -> list[PredictedRelation]:
    """Run `kg` on the documents' text only and map its relations to the corpus's relation types (every
    relation the learned model proposes counts, whatever its score). With ``gold_entities``, relations are
    extracted between the corpus's own entity annotations instead of kg's (relation errors apart from
    recognition errors)."""
    scheme = RelationScheme(scheme)
    extractor = replace(extractor, relation_scheme=scheme, learned_min_score=0.0)
    model = extractor.models.relations
    learned = model is not None and scheme.value in model.heads
    predictions = []
    for document in documents:
        if gold_entities:
            mentions, found = given_entities(document, extractor.lexicon)
            text_only = replace(document, annotations=(), relations=())
            result = DocumentResult(
                text_only, tuple(mentions), tuple(found), tuple(extractor.relate(text_only, mentions, found))
            )
        else:
            result = extractor.extract(replace(document, annotations=(), relations=()))
        result = corpus_convention(result, extractor.lexicon)
        concepts = {concept.id: concept for concept in result.concepts}
        types = {m.concept_id: m.type.value for m in result.mentions if m.concept_id}
        for relation in result.relations:
            if learned and relation.evidence.method != LEARNED_METHOD:
                continue  # the model already weighs what the rules say (they are among its features)
            subject, obj = concepts.get(relation.subject), concepts.get(relation.object)
            if subject is None or obj is None:
                continue
            kind = relation_type(relation, types.get(subject.id, ""), types.get(obj.id, ""), scheme)
            if kind:
                predictions.append(PredictedRelation(document.id, kind, _ids(subject), _ids(obj)))
    return predictions


def evaluate_relations(
    documents: Iterable[Document],
    predictions: Iterable[PredictedRelation],
    types: Iterable[str] | None = None,
    errors: list[dict[str, str]] | None = None,
) -> dict[str, dict[str, float | int]]:
    """Document-level relation scores: ``pair`` (the two concepts) and ``pair+type``. Given a list,
    ``errors`` receives one row per error: a predicted pair the corpus does not have (``pair FP``), a gold
    pair not predicted (``pair FN``), or a pair found with another type (``wrong type``), with both
    concepts' IDs and the names the document's annotations give them."""
    wanted = set(types) if types else None
    by_document: dict[str, list[PredictedRelation]] = defaultdict(list)
    for prediction in predictions:
        by_document[prediction.document_id].append(prediction)
    pair, typed = Counts(), Counts()
    for document in documents:
        gold = {
            (r.type, gold_id(r.subject), gold_id(r.object))
            for r in document.relations
            if wanted is None or r.type in wanted
        }
        predicted: dict[tuple[str, ...], PredictedRelation] = {}
        for p in by_document.get(document.id, ()):
            if (
                (wanted is None or p.type in wanted) and p.subject_ids and p.object_ids
            ):  # local concepts: no IDs
                key = (p.type, *sorted((p.subject_ids[0], p.object_ids[0])))
                predicted.setdefault(key, p)

        def matches(p: PredictedRelation, g: tuple[str, str, str]) -> bool:
            return (g[1] in p.subject_ids and g[2] in p.object_ids) or (
                g[2] in p.subject_ids and g[1] in p.object_ids
            )

        for counts, use_type in ((pair, False), (typed, True)):
            seen_pairs: set[tuple[str, ...]] = set()
            candidates = []
            for p in predicted.values():
                identity: tuple[str, ...] = (p.type,) if use_type else ()
                identity += tuple(sorted((p.subject_ids[0], p.object_ids[0])))
                if identity not in seen_pairs:
                    seen_pairs.add(identity)
                    candidates.append(p)
            gold_items = {(g if use_type else ("", g[1], g[2])) for g in gold}
            matched_gold = set()
            for p in candidates:
                hits = [g for g in gold_items if matches(p, g) and (not use_type or g[0] == p.type)]
                if hits:
                    matched_gold.update(hits)
                else:
                    counts.fp += 1
            counts.tp += len(matched_gold)
            counts.fn += len(gold_items - matched_gold)
        if errors is not None:
            errors.extend(_relation_errors(document, gold, list(predicted.values()), matches))
    return {"pair": pair.as_dict(), "pair+type": typed.as_dict()}


RELATION_ERROR_COLUMNS = (
    "document", "error", "gold type", "predicted type", "subject", "subject name", "object", "object name"
)  # fmt: skip


def _relation_errors(
    document: Document,
    gold: set[tuple[str, str, str]],
    predicted: list[PredictedRelation],
    matches: Callable[[PredictedRelation, tuple[str, str, str]], bool],
) -> list[dict[str, str]]:
    """The relation errors of one document (see :func:`evaluate_relations`), gold pairs first."""
    names: dict[str, str] = {}
    for annotation in document.annotations:
        for curie in annotation.ids:
            names.setdefault(gold_id(curie), annotation.text)
    rows = []
    for kind, subject, obj in sorted(gold):
        found = sorted({p.type for p in predicted if matches(p, (kind, subject, obj))})
        if kind in found:
            continue
        rows.append(
            {
                "document": document.id,
                "error": "wrong type" if found else "pair FN",
                "gold type": kind,
                "predicted type": "|".join(found),
                "subject": subject,
                "subject name": names.get(subject, ""),
                "object": obj,
                "object name": names.get(obj, ""),
            }
        )
    for p in sorted(predicted, key=lambda p: (p.subject_ids[0], p.object_ids[0], p.type)):
        if not any(matches(p, g) for g in gold):
            # the concepts by the corpus's IDs where the document's annotations use one of them
            subject = next((i for i in p.subject_ids if i in names), p.subject_ids[0])
            obj = next((i for i in p.object_ids if i in names), p.object_ids[0])
            rows.append(
                {
                    "document": document.id,
                    "error": "pair FP",
                    "gold type": "",
                    "predicted type": p.type,
                    "subject": subject,
                    "subject name": names.get(subject, ""),
                    "object": obj,
                    "object name": names.get(obj, ""),
                }
            )
    return rows


@dataclass
class NormalisationScores:
    """The normaliser alone, on gold spans, per entity type: mention accuracy (a mention is right when its
    concepts match all its gold IDs and nothing else; NIL is wrong), how many mentions were NIL, and
    document-level concept counts (the rule of :func:`evaluate`)."""

    mentions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    nil: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    concepts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, dict[str, float | int]]:
        return {
            t: {
                "mentions": self.mentions[t],
                "accuracy": round(self.right[t] / self.mentions[t], 4) if self.mentions[t] else 0.0,
                "nil": self.nil[t],
                **{f"document_{k}": v for k, v in self.concepts[t].as_dict().items()},
            }
            for t in TYPES
            if t in self.concepts
        }


def normalise_gold(
    documents: Iterable[Document], normaliser: Normaliser, *, abstain: bool = True
) -> dict[tuple[str, int, int, str], Normalisation]:
    """Normalise the gold Disease and Chemical spans of each document (its text only otherwise)."""
    result = {}
    for document in documents:
        mentions = sorted(
            (
                Mention(a.start, a.end, a.text, EntityType(a.type))
                for a in document.annotations
                if a.type in NORMALISED and a.start is not None and a.end is not None
            ),
            key=lambda m: (m.start, m.end),
        )
        text_only = replace(document, annotations=(), relations=())
        found = normalise_mentions(normaliser, text_only, mentions, abstain=abstain)
        for normalisation in found:
            m = normalisation.mention
            result[(document.id, m.start, m.end, m.type.value)] = normalisation
    return result


def evaluate_normalisation(
    documents: Iterable[Document],
    predictions: dict[tuple[str, int, int, str], Normalisation],
    lexicon: Lexicon,
    types: Iterable[str] = NORMALISED,
) -> NormalisationScores:
    """Score normalisations of gold spans (see :class:`NormalisationScores`)."""
    wanted = set(types) & set(NORMALISED)
    scores = NormalisationScores()

    def ids_of(curie: str) -> tuple[str, ...]:
        concept = lexicon.get_concept(curie)
        return (concept.id, *concept.xrefs) if concept else (curie,)

    for document in documents:
        gold_ids: dict[str, set[str]] = defaultdict(set)
        predicted: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for a in document.annotations:
            if a.type not in wanted or a.start is None or a.end is None:
                continue
            gold_ids[a.type].update(a.ids)
            normalisation = predictions.get((document.id, a.start, a.end, a.type))
            chosen = [ids_of(c) for c in normalisation.concept_ids] if normalisation else []
            predicted[a.type].extend(chosen)
            if not a.ids:
                continue
            scores.mentions[a.type] += 1
            gold = set(a.ids)
            right = bool(chosen) and all(any(g in ids for ids in chosen) for g in gold)
            right = right and all(gold.intersection(ids) for ids in chosen)
            scores.right[a.type] += right
            scores.nil[a.type] += not chosen
            if not right:
                scores.errors.append(
                    {
                        "document": document.id,
                        "kind": "NIL" if not chosen else "wrong concept",
                        "type": a.type,
                        "text": a.text,
                        "gold": " ".join(a.ids),
                        "predicted": " ".join(ids[0] for ids in chosen),
                        "label": "; ".join(
                            c.label for ids in chosen if (c := lexicon.get_concept(ids[0])) is not None
                        ),
                        "score": " ".join(f"{s:.3f}" for s in normalisation.scores) if normalisation else "",
                        "long_form": (normalisation.long_form or "") if normalisation else "",
                    }
                )
        for entity_type in wanted:
            gold = gold_ids.get(entity_type, set())
            matched: set[str] = set()
            false_positive: set[str] = set()
            for ids in predicted.get(entity_type, []):
                hits = gold.intersection(ids)
                if hits:
                    matched |= hits
                else:
                    false_positive.add(ids[0])
            counts = scores.concepts[entity_type]
            counts.tp += len(matched)
            counts.fp += len(false_positive)
            counts.fn += len(gold - matched)
            for kind, curies in (("concept FP", false_positive), ("concept FN", gold - matched)):
                for curie in sorted(curies):
                    scores.errors.append(
                        {"document": document.id, "kind": kind, "type": entity_type, "gold": curie}
                    )
    return scores
