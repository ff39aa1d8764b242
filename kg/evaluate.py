"""Score entity recognition and normalisation against gold corpora (BioCreative V conventions).

* **mention level, strict**: a predicted mention is right when its span and type equal a gold mention's;
* **document level, concept IDs**: per document and type, the set of gold concept IDs against the set of
  predicted ones (the BioCreative V CDR normalisation metric). A predicted concept matches a gold ID when
  the ID is one of the concept's IDs (its preferred ID or a cross-reference), so `kg`'s MONDO node for
  atopic dermatitis matches a gold ``MESH:D003876``.

Gold mentions without an ID (``-1``) count for mentions only. With ``human_genes``, gold gene mentions
whose ID is not a human gene (NLM-Gene annotates mouse, rat... genes) are left out, and so are predicted
mentions at exactly their spans (the reference has nothing to say about them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kg.lexicon import Lexicon
from kg.records import Document, EntityType

__all__ = ["Prediction", "Scores", "evaluate", "predict"]

TYPES = (EntityType.DISEASE.value, EntityType.CHEMICAL.value, EntityType.GENE.value)


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
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Scores:
    """Mention-level and document-level counts per entity type, plus the errors behind them."""

    mentions: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    concepts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, dict[str, dict[str, float | int]]]:
        return {
            "mention_strict": {t: self.mentions[t].as_dict() for t in TYPES if t in self.mentions},
            "document_concepts": {t: self.concepts[t].as_dict() for t in TYPES if t in self.concepts},
        }


def predict(documents: Iterable[Document], lexicon: Lexicon) -> list[Prediction]:
    """Run `kg` on the documents' text only (their gold annotations are removed first)."""
    from kg.pipeline import extract_document

    predictions = []
    for document in documents:
        result = extract_document(replace(document, annotations=(), relations=()), lexicon)
        concepts = {concept.id: concept for concept in result.concepts}
        for mention in result.mentions:
            concept = concepts.get(mention.concept_id or "")
            ids = (concept.id, *concept.xrefs) if concept else ()
            predictions.append(Prediction(document.id, mention.start, mention.end, mention.type.value, ids))
    return predictions


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

    def is_human_gene(curie: str) -> bool:
        return lexicon is not None and curie.startswith("NCBIGene:") and lexicon.get_preferred_id(curie) == curie

    for document in documents:
        gold_spans: set[tuple[int, int, str]] = set()
        gold_ids: dict[str, set[str]] = defaultdict(set)
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
        predicted = [p for p in by_document.get(document.id, ()) if p.type in wanted
                     and (p.start, p.end, p.type) not in excluded_spans]
        predicted_spans = {(p.start, p.end, p.type) for p in predicted}
        for span in predicted_spans | gold_spans:
            counts = scores.mentions[span[2]]
            if span in predicted_spans and span in gold_spans:
                counts.tp += 1
            elif span in predicted_spans:
                counts.fp += 1
                scores.errors.append({"document": document.id, "kind": "mention FP", "type": span[2],
                                      "text": document.text_at(span[0], span[1])})
            else:
                counts.fn += 1
                scores.errors.append({"document": document.id, "kind": "mention FN", "type": span[2],
                                      "text": document.text_at(span[0], span[1])})
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
            for curie in sorted(false_positive):
                scores.errors.append({"document": document.id, "kind": "concept FP", "type": entity_type, "id": curie})
            for curie in sorted(gold - matched):
                scores.errors.append({"document": document.id, "kind": "concept FN", "type": entity_type, "id": curie})
    return scores
